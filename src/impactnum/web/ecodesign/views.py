"""Eco-design pages: referentials (import, criteria), assessments (list, answering criteria one
by one, saved as you go), the eco-design statement and its downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from impactnum.web.core.errors import DomainError
from impactnum.web.projects.forms import add_domain_error

from . import services
from .access import (
    can_edit,
    chosen_organisation,
    get_assessment,
    get_referential,
    raise_if_forbidden,
    require_edit,
    visible,
)
from .choices import AnswerStatus
from .forms import AnswerForm, AssessmentForm, ReferentialImportForm, referential_choices
from .models import Answer, Assessment, Criterion, Referential
from .scores import scores, with_overall
from .statement import statement_context, statement_html, statement_markdown

EXPORTS = {
    "md": ("text/markdown; charset=utf-8", statement_markdown),
    "html": ("text/html; charset=utf-8", statement_html),
}


# --- referentials ------------------------------------------------------------------------------


def _referentials_page(
    request: HttpRequest,
    form: ReferentialImportForm | None = None,
    problems: list[Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    org = chosen_organisation(request)
    editable = can_edit(request, org)
    if form is None and editable:
        form = ReferentialImportForm()
    return render(
        request,
        "ecodesign/referentials.html",
        {
            "organisation": org,
            "organisations": visible(request),
            "referentials": Referential.objects.filter(organisation=org),
            "form": form if editable else None,
            "problems": problems or [],
            "section": "referentials",
        },
        status=status,
    )


@login_required
def referential_list(request: HttpRequest) -> HttpResponse:
    return _referentials_page(request)


@login_required
@require_POST
def referential_import(request: HttpRequest) -> HttpResponse:
    org = chosen_organisation(request)
    require_edit(request, org)
    form = ReferentialImportForm(request.POST, request.FILES)
    problems: list[Any] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            referential, created = services.import_referential(
                request.user,
                org,
                name=form.cleaned_data["name"],
                version=form.cleaned_data["version"],
                file_name=upload.name,
                data=upload.read(),
            )
        except services.ReferentialImportError as exc:
            add_domain_error(form, exc)
            problems = exc.problems
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            if created:
                messages.success(
                    request,
                    _("%(ref)s importé : %(n)s critères.")
                    % {"ref": referential, "n": referential.criteria.count()},
                )
            else:
                messages.info(
                    request,
                    _("%(ref)s était déjà importé avec les mêmes critères : rien n'a changé.")
                    % {"ref": referential},
                )
            return redirect(referential)
    return _referentials_page(request, form, problems, status=400)


@login_required
def referential_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referential = get_referential(request, pk)
    return render(
        request,
        "ecodesign/referential.html",
        {
            "referential": referential,
            "organisation": referential.organisation,
            "criteria": referential.criteria.all(),
            "can_edit": can_edit(request, referential.organisation),
            "in_use": referential.assessments.exists(),
            "section": "referentials",
        },
    )


@login_required
@require_POST
def referential_delete(request: HttpRequest, pk: int) -> HttpResponse:
    referential = get_referential(request, pk)
    require_edit(request, referential.organisation)
    try:
        services.delete_referential(request.user, referential)
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
        return redirect(referential)
    messages.success(request, _("Référentiel supprimé."))
    return redirect(
        f"{reverse('ecodesign:referentials')}?organisation={referential.organisation.slug}"
    )


# --- assessments -------------------------------------------------------------------------------


def _list_page(
    request: HttpRequest, form: AssessmentForm | None = None, status: int = 200
) -> HttpResponse:
    org = chosen_organisation(request)
    editable = can_edit(request, org)
    referentials = referential_choices(org)
    if form is None and editable and referentials.exists():
        form = AssessmentForm(referentials=referentials, initial={"contact": ""})
    assessments = Assessment.objects.filter(organisation=org).select_related("referential")
    return render(
        request,
        "ecodesign/assessments.html",
        {
            "organisation": org,
            "organisations": visible(request),
            "rows": with_overall(assessments),
            "form": form if editable else None,
            "can_edit": editable,
            "has_referential": referentials.exists(),
            "section": "assessments",
        },
        status=status,
    )


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@login_required
@require_POST
def assessment_create(request: HttpRequest) -> HttpResponse:
    org = chosen_organisation(request)
    require_edit(request, org)
    form = AssessmentForm(request.POST, referentials=referential_choices(org))
    if form.is_valid():
        try:
            assessment = services.create_assessment(
                request.user,
                org,
                referential=form.cleaned_data["referential"],
                **form.service_fields(),
            )
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Évaluation créée : répondez aux critères."))
            return redirect(assessment)
    return _list_page(request, form, status=400)


def _family_rows(
    assessment: Assessment, family: str, posted: dict[int, Any] | None = None
) -> list[dict[str, Any]]:
    """The criteria of one family with their answers (or the refused input and its error).

    One family per page: the 79 criteria of RGESN v1 with their forms weigh about 150 kB of
    HTML, a family about 30–45 kB (docs/ecodesign.md)."""
    answers = {
        a.criterion_id: a
        for a in Answer.objects.filter(assessment=assessment, criterion__family=family)
    }
    criteria = Criterion.objects.filter(referential_id=assessment.referential_id, family=family)
    return [_row(c, answers.get(c.pk), posted) for c in criteria]


def _family_number(families: list[Any], name: str) -> int:
    return next((i for i, f in enumerate(families, start=1) if f.label == name), 1)


def _row(
    criterion: Criterion, answer: Answer | None, posted: dict[int, Any] | None = None
) -> dict[str, Any]:
    refused = (posted or {}).get(criterion.pk)
    values = (
        refused["values"]
        if refused
        else {
            "status": answer.status if answer else "",
            "justification": answer.justification if answer else "",
            "planned_action": answer.planned_action if answer else "",
        }
    )
    return {
        "criterion": criterion,
        "anchor": "criterion-" + slugify(criterion.code.replace(".", "-")),
        "answer": answer,
        "values": values,
        "error": refused["error"] if refused else None,
    }


def _assessment_page(
    request: HttpRequest,
    assessment: Assessment,
    edit_form: AssessmentForm | None = None,
    posted: dict[int, Any] | None = None,
    family: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The assessment: its scores, the tabs of the families, the criteria of one family
    (`?family=<n>`, 1 = the first; `family` names it when a refused answer is shown)."""
    editable = can_edit(request, assessment.organisation)
    if edit_form is None and editable:
        edit_form = AssessmentForm(instance=assessment)
    result = scores(assessment)
    if family is not None:
        number = _family_number(result.families, family)
    else:
        raw = request.GET.get("family", "1")
        number = int(raw) if raw.isdigit() and 1 <= int(raw) <= len(result.families) else 1
    current = result.families[number - 1].label if result.families else ""
    return render(
        request,
        "ecodesign/assessment.html",
        {
            "assessment": assessment,
            "organisation": assessment.organisation,
            "scores": result,
            "family_tabs": list(enumerate(result.families, start=1)),
            "family_number": number,
            "family": current,
            "rows": _family_rows(assessment, current, posted),
            "statuses": AnswerStatus.choices,
            "can_edit": editable,
            "edit_form": edit_form if editable else None,
            "section": "assessments",
        },
        status=status,
    )


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _assessment_page(request, get_assessment(request, pk))


@login_required
@require_POST
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment(request, pk)
    require_edit(request, assessment.organisation)
    form = AssessmentForm(request.POST, instance=Assessment.objects.get(pk=assessment.pk))
    if form.is_valid():
        try:
            services.update_assessment(request.user, assessment, **form.service_fields())
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Évaluation enregistrée."))
            return redirect(assessment)
    return _assessment_page(request, assessment, edit_form=form, status=400)


@login_required
@require_POST
def assessment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment(request, pk)
    require_edit(request, assessment.organisation)
    try:
        services.delete_assessment(request.user, assessment)
    except DomainError as exc:
        raise_if_forbidden(exc)
        messages.error(request, exc.message)
        return redirect(assessment)
    messages.success(request, _("Évaluation supprimée."))
    return redirect(
        f"{reverse('ecodesign:assessments')}?organisation={assessment.organisation.slug}"
    )


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one criterion's answer. With htmx: the criterion's block again, and the scores
    out of band; without: back to the page at the criterion (or the page with the error)."""
    assessment = get_assessment(request, pk)
    require_edit(request, assessment.organisation)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Réponse invalide."), status=400)
    criterion = get_object_or_404(
        Criterion, pk=form.cleaned_data["criterion"], referential_id=assessment.referential_id
    )
    values = {k: form.cleaned_data[k] for k in ("status", "justification", "planned_action")}
    error = None
    try:
        saved = services.answer_criterion(request.user, assessment, criterion, **values)
    except DomainError as exc:
        raise_if_forbidden(exc)
        error, saved = exc.message, None
    htmx = request.headers.get("HX-Request") == "true"
    if error is None and not htmx:
        messages.success(
            request, _("Réponse au critère %(c)s enregistrée.") % {"c": criterion.code}
        )
        row = _row(criterion, saved)
        number = _family_number(scores(assessment).families, criterion.family)
        return redirect(f"{assessment.get_absolute_url()}?family={number}#{row['anchor']}")
    posted = {criterion.pk: {"values": values, "error": error}} if error else None
    if not htmx:
        return _assessment_page(
            request, assessment, posted=posted, family=criterion.family, status=400
        )
    current = Answer.objects.filter(assessment=assessment, criterion=criterion).first()
    return render(
        request,
        "ecodesign/_criterion_answer.html",
        {
            "assessment": assessment,
            "row": _row(criterion, current, posted),
            "statuses": AnswerStatus.choices,
            "can_edit": True,
            "scores": scores(assessment),
            "oob": True,
            "live_message": error
            or _("Réponse au critère %(c)s enregistrée.") % {"c": criterion.code},
        },
        status=400 if error else 200,
    )


# --- the statement -----------------------------------------------------------------------------


@login_required
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment(request, pk)
    context = statement_context(assessment)
    context["section"] = "assessments"
    context["exports"] = list(EXPORTS)
    return render(request, "ecodesign/statement.html", context)


@login_required
def statement_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    assessment = get_assessment(request, pk)
    if fmt not in EXPORTS:
        raise Http404
    content_type, build = EXPORTS[fmt]
    response = HttpResponse(build(assessment), content_type=content_type)
    name = slugify(f"declaration-ecoconception-{assessment.service_name}-{assessment.assessed_on}")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
