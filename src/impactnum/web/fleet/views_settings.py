"""Fleet settings of each organisation: lifespan policies per kind, departments and locations.

Administrators (MANAGE_ORGANISATION) read and change them, for the organisations they
administer; other roles get 403 (the fleet navigation hides the link from them).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from impactnum.web.core.errors import DomainError
from impactnum.web.core.permissions import MANAGE_ORGANISATION, organisations_for

from . import services
from .forms import LifespanPolicyForm, NamedForm, add_domain_error
from .models import Department, LifespanPolicy, Location
from .views import raise_if_forbidden


def _context(request: HttpRequest, **forms: Any) -> dict[str, Any]:
    orgs = _admin_orgs(request)
    return {
        "policies": LifespanPolicy.objects.filter(organisation__in=orgs)
        .select_related("organisation")
        .order_by("organisation__name", "kind"),
        "departments": Department.objects.filter(organisation__in=orgs)
        .select_related("organisation")
        .order_by("organisation__name", "name"),
        "locations": Location.objects.filter(organisation__in=orgs)
        .select_related("organisation")
        .order_by("organisation__name", "name"),
        "policy_form": forms.get("policy_form") or LifespanPolicyForm(organisations=orgs),
        "department_form": forms.get("department_form")
        or NamedForm(organisations=orgs, prefix_id="department"),
        "location_form": forms.get("location_form")
        or NamedForm(organisations=orgs, prefix_id="location"),
    }


@login_required
def fleet_settings(request: HttpRequest) -> HttpResponse:
    return render(request, "fleet/settings.html", _context(request))


def _admin_orgs(request: HttpRequest) -> Any:
    """The organisations the person administers; none: 403 (the page and its forms)."""
    orgs = organisations_for(request.user, MANAGE_ORGANISATION)
    if not orgs.exists():
        raise PermissionDenied(_("Seuls les administrateurs changent ces réglages."))
    return orgs


@login_required
@require_POST
def policy_set(request: HttpRequest) -> HttpResponse:
    form = LifespanPolicyForm(request.POST, organisations=_admin_orgs(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_lifespan_policy(
                request.user, data["organisation"], data["kind"], data["years"]
            )
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Durée de vie enregistrée."))
            return redirect(reverse("fleet:settings") + "#policies")
    return render(request, "fleet/settings.html", _context(request, policy_form=form), status=400)


def _add_named(request: HttpRequest, what: str) -> HttpResponse:
    form = NamedForm(request.POST, organisations=_admin_orgs(request), prefix_id=what)
    if form.is_valid():
        add = services.add_department if what == "department" else services.add_location
        try:
            add(request.user, form.cleaned_data["organisation"], form.cleaned_data["name"])
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Service ajouté.") if what == "department" else _("Lieu ajouté."),
            )
            return redirect(reverse("fleet:settings") + f"#{what}s")
    ctx = _context(request, **{f"{what}_form": form})
    return render(request, "fleet/settings.html", ctx, status=400)


@login_required
@require_POST
def department_add(request: HttpRequest) -> HttpResponse:
    return _add_named(request, "department")


@login_required
@require_POST
def location_add(request: HttpRequest) -> HttpResponse:
    return _add_named(request, "location")
