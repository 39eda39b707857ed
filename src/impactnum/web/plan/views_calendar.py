"""The calendar of what is due (by month) and the plan settings page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from impactnum.web.core.errors import DomainError

from . import services
from .access import can_edit, chosen_organisation, raise_if_forbidden, require_edit, visible
from .deadlines import add_months, by_month, deadlines
from .forms import PlanSettingsForm, add_domain_error

DEFAULT_MONTHS = 12
MAX_MONTHS = 48


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    """Deadlines from `?from=YYYY-MM-DD` (default: the first of this month) over `?months=`
    (default 12, at most 48)."""
    org = chosen_organisation(request)
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("from", "")).replace(day=1)
    except ValueError:
        start = today.replace(day=1)
    try:
        months = max(1, min(MAX_MONTHS, int(request.GET.get("months", DEFAULT_MONTHS))))
    except ValueError:
        months = DEFAULT_MONTHS
    end = add_months(start, months) - dt.timedelta(days=1)
    items = deadlines(org, start, end)
    return render(
        request,
        "plan/calendar.html",
        {
            "organisation": org,
            "organisations": visible(request),
            "months": by_month(items),
            "count": len(items),
            "start": start,
            "end": end,
            "months_count": months,
            "previous": add_months(start, -months),
            "next": add_months(start, months),
            "today": today,
            "plan": services.plan_settings(org),
            "section": "calendar",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    org = chosen_organisation(request)
    editable_ = can_edit(request, org)
    if request.method == "POST":
        require_edit(request, org)
    plan = services.plan_settings(org)
    form = PlanSettingsForm(request.POST or None, instance=plan)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_plan_settings(request.user, org, **form.service_fields())
            except DomainError as exc:
                raise_if_forbidden(exc)
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Réglages du plan enregistrés."))
                return redirect(reverse("plan:settings") + f"?organisation={org.slug}")
    return render(
        request,
        "plan/settings.html",
        {
            "organisation": org,
            "organisations": visible(request),
            "form": form,
            "plan": plan,
            "can_edit": editable_,
            "section": "settings",
        },
        status=status,
    )
