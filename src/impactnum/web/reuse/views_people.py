"""A facilitator's pages: their organisation's beneficiaries, their support sessions (CSV for
the national reporting tool), access and erasure requests, and the privacy log.

Who sees what (docs/privacy.md): beneficiaries are seen by facilitators, managers and
administrators of the owning organisation (`VIEW_BENEFICIARIES`); a technician or a viewer of
that organisation gets 403, anyone else 404. A facilitator sees their own sessions, a manager or
an administrator everyone's. The privacy log is for managers and administrators.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import VIEW_BENEFICIARIES, can, organisations_for

from . import privacy, services, support
from .forms import add_domain_error
from .forms_people import (
    THEMES,
    BeneficiaryForm,
    ConfirmErasureForm,
    SessionForm,
    beneficiary_form_for_edit,
)
from .models import Beneficiary, PrivacyLog, SupportSession
from .views import error_status, raise_if_forbidden

THEME_LABELS = dict(THEMES)
PRIVACY_ACTIONS = {
    privacy.ANONYMISED: gettext_lazy("Anonymisation (fin de conservation)"),
    privacy.ACCESS_REQUEST: gettext_lazy("Demande d'accès"),
    privacy.ERASURE_REQUEST: gettext_lazy("Demande d'effacement"),
}


# --- access ------------------------------------------------------------------------------------


def people_orgs(request: HttpRequest) -> QuerySet[Organisation]:
    """Organisations whose beneficiaries the user may see."""
    return organisations_for(request.user, VIEW_BENEFICIARIES)


def managed_orgs(request: HttpRequest) -> QuerySet[Organisation]:
    """Organisations where the user is a manager or an administrator."""
    return people_orgs(request).filter(
        memberships__user=request.user, memberships__role__in=privacy.MANAGING_ROLES
    )


def require_people(request: HttpRequest) -> QuerySet[Organisation]:
    orgs = people_orgs(request)
    if not orgs.exists():
        raise PermissionDenied(_("Votre rôle ne donne pas accès aux bénéficiaires."))
    return orgs


def get_person(request: HttpRequest, pk: int) -> Beneficiary:
    """The beneficiary: 404 outside the user's organisations, 403 without the capability."""
    person = get_object_or_404(
        Beneficiary.objects.filter(organisation__in=organisations_for(request.user)).select_related(
            "organisation", "referring_party"
        ),
        pk=pk,
    )
    if not can(request.user, person.organisation, VIEW_BENEFICIARIES):
        raise PermissionDenied(_("Votre rôle ne donne pas accès aux bénéficiaires."))
    return person


def visible_sessions(request: HttpRequest) -> QuerySet[SupportSession]:
    """Own sessions in the user's organisations, everyone's where they manage."""
    return SupportSession.objects.filter(
        Q(organisation__in=managed_orgs(request))
        | Q(organisation__in=people_orgs(request), facilitator=request.user)
    )


def theme_labels(themes: str) -> list[str]:
    codes = [t.strip() for t in themes.replace(";", ",").split(",") if t.strip()]
    return [str(THEME_LABELS.get(c, c)) for c in codes]


# --- beneficiaries -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def beneficiary_list(request: HttpRequest) -> HttpResponse:
    """The beneficiaries of the user's organisations, with their retention end, and the form
    to add one."""
    orgs = require_people(request)
    form = BeneficiaryForm(request.POST or None, organisations=orgs, auto_id="ben-%s")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            org = data.pop("organisation")
            try:
                person = services.create_beneficiary(request.user, org, **data)
            except DomainError as exc:
                raise_if_forbidden(exc)
                add_domain_error(form, exc)
                status = error_status(exc)
            else:
                messages.success(request, _("Bénéficiaire %(p)s ajouté.") % {"p": person})
                return redirect("reuse:beneficiary", person.pk)
    people = (
        Beneficiary.objects.filter(organisation__in=orgs)
        .select_related("organisation", "referring_party")
        .order_by("anonymised_at", "pseudonym")
    )
    query = (request.GET.get("q") or "").strip()
    if query:
        people = people.filter(pseudonym__icontains=query)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    rows = [{"person": p, "retention_end": privacy.retention_end(p)} for p in page.object_list]
    return render(
        request,
        "reuse/people/beneficiaries.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "q": query,
            "pager_extra": f"{urlencode({'q': query})}&" if query else "",
            "many_orgs": orgs.count() > 1,
        },
        status=status,
    )


def _person_context(request: HttpRequest, person: Beneficiary) -> dict[str, Any]:
    sessions = SupportSession.objects.filter(beneficiary=person).order_by("-date", "-pk")
    if not privacy.is_manager(request.user, person.organisation):
        sessions = sessions.filter(facilitator=request.user)
    return {
        "person": person,
        "retention_end": privacy.retention_end(person),
        "retention_months": privacy.retention_months(),
        "provisions": person.provisions.select_related("device").order_by("-provided_on"),
        "sessions": [{"s": s, "themes": theme_labels(s.themes)} for s in sessions[:100]],
        "form": None if person.anonymised_at else beneficiary_form_for_edit(person),
    }


@login_required
@require_http_methods(["GET", "POST"])
def beneficiary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A beneficiary: what is held, until when, the sessions and provisions, and the edit form."""
    person = get_person(request, pk)
    ctx = _person_context(request, person)
    if request.method == "POST":
        form = beneficiary_form_for_edit(person, request.POST)
        ctx["form"] = form
        if form.is_valid():
            try:
                services.update_beneficiary(request.user, person, **form.cleaned_data)
            except DomainError as exc:
                raise_if_forbidden(exc)
                add_domain_error(form, exc)
                return render(
                    request, "reuse/people/beneficiary.html", ctx, status=error_status(exc)
                )
            messages.success(request, _("Bénéficiaire enregistré."))
            return redirect("reuse:beneficiary", person.pk)
        return render(request, "reuse/people/beneficiary.html", ctx, status=400)
    return render(request, "reuse/people/beneficiary.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def beneficiary_access(request: HttpRequest, pk: int) -> HttpResponse:
    """Access request (GDPR art. 15): GET explains, POST answers (shown, or JSON with
    `format=json`) and writes one privacy-log row."""
    person = get_person(request, pk)
    if request.method == "GET":
        return render(request, "reuse/people/access.html", {"person": person, "data": None})
    try:
        data = privacy.access_request(request.user, person)
    except DomainError as exc:
        raise_if_forbidden(exc)
        raise
    if request.POST.get("format") == "json":
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="acces-beneficiaire-{person.pk}.json"'
        )
        return response
    return render(
        request,
        "reuse/people/access.html",
        {"person": person, "data": data, "pretty": json.dumps(data, ensure_ascii=False, indent=2)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def beneficiary_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Erasure request (GDPR art. 17): a confirmation, then anonymisation at once."""
    person = get_person(request, pk)
    form = ConfirmErasureForm(request.POST or None, auto_id="erase-%s")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            old = person.pseudonym
            try:
                privacy.erasure_request(request.user, person)
            except DomainError as exc:
                raise_if_forbidden(exc)
                add_domain_error(form, exc)
            else:
                messages.success(
                    request, _("%(p)s a été anonymisé ; la demande est consignée.") % {"p": old}
                )
                return redirect("reuse:beneficiary", person.pk)
    return render(
        request, "reuse/people/erase.html", {"person": person, "form": form}, status=status
    )


# --- support sessions --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_list(request: HttpRequest) -> HttpResponse:
    """The sessions the user may see (own; everyone's for a manager), the form to record one
    and the CSV export for the national reporting tool."""
    orgs = require_people(request)
    form = SessionForm(request.POST or None, organisations=orgs, auto_id="session-%s")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            org = form.cleaned_data["organisation"]
            try:
                services.record_support_session(request.user, org, **form.service_fields())
            except DomainError as exc:
                raise_if_forbidden(exc)
                add_domain_error(form, exc)
                status = error_status(exc)
            else:
                messages.success(request, _("Séance enregistrée."))
                return redirect("reuse:sessions")
    sessions = (
        visible_sessions(request)
        .select_related("beneficiary", "facilitator", "organisation")
        .order_by("-date", "-pk")
    )
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    managed = managed_orgs(request)
    return render(
        request,
        "reuse/people/sessions.html",
        {
            "page": page,
            "rows": [{"s": s, "themes": theme_labels(s.themes)} for s in page.object_list],
            "form": form,
            "orgs": orgs,
            "is_manager": managed.exists(),
        },
        status=status,
    )


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


@login_required
def sessions_csv(request: HttpRequest) -> HttpResponse:
    """`support.export_csv` for one organisation (`?organisation=slug&from=&to=&everyone=1`):
    no name, no pseudonym."""
    orgs = require_people(request)
    slug = request.GET.get("organisation") or ""
    org = orgs.filter(slug=slug).first() if slug else orgs.first()
    if org is None:
        get_object_or_404(organisations_for(request.user), slug=slug)  # 404 if not theirs
        raise PermissionDenied(_("Votre rôle ne donne pas accès aux bénéficiaires."))
    text = support.export_csv(
        request.user,
        org,
        date_from=_date(request.GET.get("from")),
        date_to=_date(request.GET.get("to")),
        everyone=request.GET.get("everyone") in ("1", "on", "true"),
    )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="seances-{org.slug}.csv"'
    return response


# --- privacy log -------------------------------------------------------------------------------


@login_required
def privacy_log(request: HttpRequest) -> HttpResponse:
    """Anonymisations and requests, for managers and administrators: the pseudonym at the time,
    nothing else about the person."""
    orgs = managed_orgs(request)
    if not orgs.exists():
        raise PermissionDenied(_("Le journal est réservé aux responsables et administrateurs."))
    rows = PrivacyLog.objects.filter(organisation__in=orgs).select_related("actor", "organisation")
    page = Paginator(rows.order_by("-at", "-pk"), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "reuse/people/privacy_log.html",
        {
            "page": page,
            "rows": [
                {"row": r, "action": PRIVACY_ACTIONS.get(r.action, r.action)}
                for r in page.object_list
            ],
            "retention_months": privacy.retention_months(),
            "many_orgs": orgs.count() > 1,
        },
    )
