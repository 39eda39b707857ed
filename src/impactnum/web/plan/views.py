"""Plan pages: the commitments list, a commitment with its actions and indicators, the forms,
an indicator with its values and evidence.

Views parse input, call `services` and render; a DomainError goes back next to its field (400),
NotAllowed is a 403, another organisation's object a 404. Evaluations are in
`views_evaluations.py`, the calendar and settings in `views_calendar.py`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from impactnum.web.core.errors import DomainError

from . import services
from .access import (
    can_edit,
    chosen_organisation,
    editable,
    get_action,
    get_commitment,
    get_indicator,
    get_value,
    raise_if_forbidden,
    require_edit,
    submit,
    visible,
)
from .choices import ActionStatus, CommitmentTheme
from .evaluations import build_snapshot, commitment_state, commitments_for, trajectory_points
from .forms import ActionForm, CommitmentForm, IndicatorForm, IndicatorValueForm, add_domain_error
from .indicators import SOURCES
from .models import Commitment

# --- commitments -------------------------------------------------------------------------------


@login_required
def commitment_list(request: HttpRequest) -> HttpResponse:
    """Every commitment of the chosen organisation with its live state today."""
    org = chosen_organisation(request)
    today = timezone.localdate()
    state = build_snapshot(org, today, actor=request.user)
    theme = request.GET.get("theme", "")
    rows = [c for c in state["commitments"] if not theme or c["theme"] == theme]
    return render(
        request,
        "plan/commitments.html",
        {
            "organisation": org,
            "organisations": visible(request),
            "state": state,
            "rows": rows,
            "theme": theme,
            "themes": CommitmentTheme.choices,
            "today": today,
            "can_edit": can_edit(request, org),
            "section": "commitments",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request: HttpRequest) -> HttpResponse:
    orgs = editable(request)
    if not orgs.exists():
        raise PermissionDenied(_("Votre rôle ne permet pas de modifier le plan d'action."))
    form = CommitmentForm(request.POST or None, organisations=orgs)
    done, commitment, status = submit(
        request,
        form,
        lambda: services.create_commitment(
            request.user, form.cleaned_data["organisation"], **form.service_fields()
        ),
        _("Engagement créé."),
    )
    if done:
        return redirect(commitment)
    return render(
        request, "plan/commitment_form.html", {"form": form, "commitment": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_commitment(request, pk)
    require_edit(request, commitment.organisation)
    form = CommitmentForm(request.POST or None, instance=Commitment.objects.get(pk=pk))
    done, _saved, status = submit(
        request,
        form,
        lambda: services.update_commitment(request.user, commitment, **form.service_fields()),
        _("Engagement enregistré."),
    )
    if done:
        return redirect(commitment)
    return render(
        request,
        "plan/commitment_form.html",
        {"form": form, "commitment": commitment},
        status=status,
    )


@login_required
@require_POST
def commitment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_commitment(request, pk)
    require_edit(request, commitment.organisation)
    services.delete_commitment(request.user, commitment)
    messages.success(request, _("Engagement supprimé."))
    return redirect(reverse("plan:commitments") + f"?organisation={commitment.organisation.slug}")


def _commitment_page(
    request: HttpRequest,
    commitment: Commitment,
    *,
    action_form: ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    fresh = next(c for c in commitments_for(commitment.organisation) if c.pk == commitment.pk)
    state = commitment_state(fresh, today, actor=request.user)
    editable_ = can_edit(request, commitment.organisation)
    return render(
        request,
        "plan/commitment.html",
        {
            "commitment": commitment,
            "state": state,
            "today": today,
            "can_edit": editable_,
            "action_form": (action_form or ActionForm(organisation=commitment.organisation))
            if editable_
            else None,
            "statuses": dict(ActionStatus.choices),
            "organisation": commitment.organisation,
            "section": "commitments",
        },
        status=status,
    )


@login_required
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _commitment_page(request, get_commitment(request, pk))


# --- actions -----------------------------------------------------------------------------------


@login_required
@require_POST
def action_add(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_commitment(request, pk)
    require_edit(request, commitment.organisation)
    form = ActionForm(request.POST, organisation=commitment.organisation)
    if form.is_valid():
        try:
            action = services.add_action(request.user, commitment, **form.cleaned_data)
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Action ajoutée."))
            return redirect(commitment.get_absolute_url() + f"#action-{action.pk}")
    return _commitment_page(request, commitment, action_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action(request, pk)
    org = action.commitment.organisation
    require_edit(request, org)
    form = ActionForm(request.POST or None, instance=action, organisation=org)
    done, _saved, status = submit(
        request,
        form,
        lambda: services.update_action(request.user, action, **form.cleaned_data),
        _("Action enregistrée."),
    )
    if done:
        return redirect(action.commitment.get_absolute_url() + f"#action-{action.pk}")
    return render(request, "plan/action_form.html", {"form": form, "action": action}, status=status)


@login_required
@require_POST
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_action(request, pk)
    require_edit(request, action.commitment.organisation)
    services.delete_action(request.user, action)
    messages.success(request, _("Action supprimée."))
    return redirect(action.commitment)


# --- indicators --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_commitment(request, pk)
    require_edit(request, commitment.organisation)
    form = IndicatorForm(request.POST or None, organisation=commitment.organisation)
    done, indicator, status = submit(
        request,
        form,
        lambda: services.add_indicator(request.user, commitment, **form.service_fields()),
        _("Indicateur ajouté."),
    )
    if done:
        return redirect(indicator)
    return render(
        request,
        "plan/indicator_form.html",
        {"form": form, "commitment": commitment, "indicator": None, "sources": SOURCES.values()},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_indicator(request, pk)
    org = indicator.commitment.organisation
    require_edit(request, org)
    form = IndicatorForm(request.POST or None, instance=indicator, organisation=org)
    done, _saved, status = submit(
        request,
        form,
        lambda: services.update_indicator(request.user, indicator, **form.service_fields()),
        _("Indicateur enregistré."),
    )
    if done:
        return redirect(indicator)
    return render(
        request,
        "plan/indicator_form.html",
        {
            "form": form,
            "commitment": indicator.commitment,
            "indicator": indicator,
            "sources": SOURCES.values(),
        },
        status=status,
    )


@login_required
@require_POST
def indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_indicator(request, pk)
    require_edit(request, indicator.commitment.organisation)
    services.delete_indicator(request.user, indicator)
    messages.success(request, _("Indicateur supprimé."))
    return redirect(indicator.commitment)


def _indicator_page(
    request: HttpRequest,
    pk: int,
    *,
    value_form: IndicatorValueForm | None = None,
    status: int = 200,
) -> HttpResponse:
    from .evaluations import indicator_state

    indicator = get_indicator(request, pk)
    today = timezone.localdate()
    state = indicator_state(indicator, today, actor=request.user)
    editable_ = can_edit(request, indicator.commitment.organisation)
    ctx: dict[str, Any] = {
        "indicator": indicator,
        "commitment": indicator.commitment,
        "state": state,
        "today": today,
        "values": list(indicator.values.select_related("recorded_by").order_by("-on", "-pk")),
        "points": trajectory_points(indicator),
        "source": SOURCES.get(indicator.source),
        "can_edit": editable_,
        "value_form": (value_form or IndicatorValueForm(initial={"on": today}))
        if editable_ and indicator.kind == "manual"
        else None,
        "section": "commitments",
    }
    return render(request, "plan/indicator.html", ctx, status=status)


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _indicator_page(request, pk)


@login_required
@require_POST
def indicator_value_add(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_indicator(request, pk)
    require_edit(request, indicator.commitment.organisation)
    form = IndicatorValueForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.record_indicator_value(request.user, indicator, **form.cleaned_data)
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Valeur enregistrée."))
            return redirect(indicator.get_absolute_url() + "#values")
    return _indicator_page(request, pk, value_form=form, status=400)


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file of a value, for people of its organisation only."""
    value = get_value(request, pk)
    if not value.evidence_file:
        raise Http404
    name = value.evidence_file.name.rsplit("/", 1)[-1]
    return FileResponse(value.evidence_file.open("rb"), as_attachment=True, filename=name)
