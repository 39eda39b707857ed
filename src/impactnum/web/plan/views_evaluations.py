"""Evaluation pages: the list (create one, pick two to compare), an evaluation (a draft shows
live values and takes comments; frozen, its snapshot), freezing, the comparison of two and the
PDF/XLSX exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from impactnum.web.core.errors import DomainError

from . import services
from .access import (
    can_edit,
    chosen_organisation,
    editable,
    get_evaluation,
    raise_if_forbidden,
    require_edit,
    visible,
)
from .choices import ActionStatus
from .evaluations import build_snapshot, commitments_for, compare
from .export import evaluation_pdf, evaluation_xlsx
from .forms import EvaluationForm, add_domain_error, evaluation_notes_fields
from .models import Evaluation

EXPORTS = {
    "pdf": ("application/pdf", evaluation_pdf),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        evaluation_xlsx,
    ),
}


def evaluation_state(request: HttpRequest, evaluation: Evaluation) -> dict:
    """The frozen snapshot, or for a draft the live state at its date."""
    if evaluation.is_frozen and evaluation.snapshot:
        return evaluation.snapshot
    return build_snapshot(
        evaluation.organisation, evaluation.on, actor=request.user, notes=evaluation.notes
    )


def _list_page(
    request: HttpRequest, form: EvaluationForm | None = None, status: int = 200
) -> HttpResponse:
    org = chosen_organisation(request)
    evaluations = list(Evaluation.objects.filter(organisation=org).order_by("on", "pk"))
    orgs = editable(request)
    editable_ = can_edit(request, org)
    if form is None and editable_:
        form = EvaluationForm(organisations=orgs, initial={"organisation": org})
    return render(
        request,
        "plan/evaluations.html",
        {
            "organisation": org,
            "organisations": visible(request),
            "evaluations": evaluations,
            "frozen": [e for e in evaluations if e.is_frozen],
            "form": form if editable_ else None,
            "can_edit": editable_,
            "section": "evaluations",
        },
        status=status,
    )


@login_required
def evaluation_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@login_required
@require_POST
def evaluation_create(request: HttpRequest) -> HttpResponse:
    orgs = editable(request)
    if not orgs.exists():
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Votre rôle ne permet pas de modifier le plan d'action."))
    form = EvaluationForm(request.POST, organisations=orgs)
    if form.is_valid():
        try:
            evaluation = services.create_evaluation(
                request.user, form.cleaned_data["organisation"], **form.service_fields()
            )
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Évaluation créée (brouillon)."))
            return redirect(evaluation)
    return _list_page(request, form, status=400)


def _evaluation_page(
    request: HttpRequest, evaluation: Evaluation, notes_form=None, status: int = 200
) -> HttpResponse:
    editable_ = can_edit(request, evaluation.organisation) and not evaluation.is_frozen
    if notes_form is None and editable_:
        notes_form = evaluation_notes_fields(
            commitments_for(evaluation.organisation), evaluation.notes or {}
        )
    return render(
        request,
        "plan/evaluation.html",
        {
            "evaluation": evaluation,
            "organisation": evaluation.organisation,
            "state": evaluation_state(request, evaluation),
            "can_edit": editable_,
            "notes_form": notes_form if editable_ else None,
            "exports": [
                (fmt, reverse("plan:evaluation-export", args=[evaluation.pk, fmt]))
                for fmt in EXPORTS
            ],
            "action_statuses": dict(ActionStatus.choices),
            "section": "evaluations",
        },
        status=status,
    )


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _evaluation_page(request, get_evaluation(request, pk))


@login_required
@require_POST
def evaluation_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the general comments and the comment on each commitment (drafts only)."""
    evaluation = get_evaluation(request, pk)
    require_edit(request, evaluation.organisation)
    commitments = commitments_for(evaluation.organisation)
    form = evaluation_notes_fields(commitments, evaluation.notes or {}, request.POST)
    comments = request.POST.get("comments", "")
    if form.is_valid():
        notes = {str(c.pk): form.cleaned_data.get(f"note_{c.pk}", "") for c in commitments}
        try:
            services.update_evaluation(request.user, evaluation, notes=notes, comments=comments)
        except DomainError as exc:
            raise_if_forbidden(exc)
            messages.error(request, exc.message)
            return _evaluation_page(request, evaluation, form, status=exc.status)
        messages.success(request, _("Commentaires enregistrés."))
        return redirect(evaluation)
    return _evaluation_page(request, evaluation, form, status=400)


@login_required
@require_POST
def evaluation_freeze(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_evaluation(request, pk)
    require_edit(request, evaluation.organisation)
    try:
        services.freeze_evaluation(request.user, evaluation)
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
        return _evaluation_page(request, get_evaluation(request, pk), status=exc.status)
    messages.success(request, _("Évaluation figée : elle ne changera plus."))
    return redirect(evaluation)


@login_required
@require_POST
def evaluation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_evaluation(request, pk)
    require_edit(request, evaluation.organisation)
    try:
        services.delete_evaluation(request.user, evaluation)
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
        return _evaluation_page(request, evaluation, status=exc.status)
    messages.success(request, _("Évaluation supprimée."))
    return redirect(reverse("plan:evaluations") + f"?organisation={evaluation.organisation.slug}")


@login_required
def evaluation_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in EXPORTS:
        raise Http404
    evaluation = get_evaluation(request, pk)
    content_type, build = EXPORTS[fmt]
    data = build(evaluation, evaluation_state(request, evaluation))
    response = HttpResponse(data, content_type=content_type)
    name = f"evaluation-{evaluation.organisation.slug}-{evaluation.on.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def evaluation_compare(request: HttpRequest) -> HttpResponse:
    """Two evaluations of the same organisation side by side (`?a=<id>&b=<id>`)."""
    try:
        a = get_evaluation(request, int(request.GET.get("a", "")))
        b = get_evaluation(request, int(request.GET.get("b", "")))
    except ValueError as exc:
        raise Http404 from exc
    if a.organisation_id != b.organisation_id:
        raise Http404
    if a.on > b.on:
        a, b = b, a
    return render(
        request,
        "plan/compare.html",
        {
            "first": a,
            "second": b,
            "organisation": a.organisation,
            "comparison": compare(evaluation_state(request, a), evaluation_state(request, b)),
            "section": "evaluations",
        },
    )
