"""The calendar of what is due (by month) and the plan settings page (managers and
administrators only: the settings are the plan's, changed by those who change the plan)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation

from . import services
from .access import chosen_organisation, editable, raise_if_forbidden, require_edit, visible
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


def _settings_organisation(request: HttpRequest) -> Organisation:
    """`?organisation=slug`: one the person belongs to (else 404) and may change the plan of
    (else 403); by default the first by name they may change (none: 403)."""
    if request.GET.get("organisation"):
        org = chosen_organisation(request)
        require_edit(request, org)
        return org
    org = editable(request).order_by("name").first()
    if org is None:
        raise PermissionDenied(_("Votre rôle ne permet pas de modifier le plan d'action."))
    return org


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    org = _settings_organisation(request)
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
            "organisations": editable(request),
            "form": form,
            "plan": plan,
            "section": "settings",
        },
        status=status,
    )
