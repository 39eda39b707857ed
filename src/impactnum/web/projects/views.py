"""Project pages: list, create/edit/delete, scenarios, lines edited in place (htmx).

Views parse input, call `services` and render; a `DomainError` goes back next to its field
(HTTP 400 for htmx requests), `NotAllowed` becomes 403, another organisation's object 404.
Results, snapshots and factor sets are in `views_results.py`.
"""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from impactnum.engine import FactorSet, FactorSetError, load_factor_set
from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.core.permissions import EDIT_PROJECTS, can, organisations_for

from . import services
from .choices import ProjectStatus
from .forms import (
    LINE_FORMS,
    AddScenarioForm,
    ProjectForm,
    ScenarioForm,
    SocialForm,
    add_domain_error,
)
from .models import Project, Scenario
from .templatetags.impactnum_format import format_number

SORTS = {
    "name": "name",
    "-name": "-name",
    "updated": "-updated_at",
    "status": "status",
    "organisation": "organisation__name",
}


def visible_projects(request: HttpRequest) -> models.QuerySet[Project]:
    return Project.objects.filter(organisation__in=organisations_for(request.user))


def get_project(request: HttpRequest, pk: int) -> Project:
    """The project if one of the user's memberships lets them see it, else 404."""
    return get_object_or_404(visible_projects(request).select_related("organisation"), pk=pk)


def can_edit(request: HttpRequest, project: Project) -> bool:
    return can(request.user, project.organisation, EDIT_PROJECTS)


def require_edit(request: HttpRequest, project: Project) -> None:
    if not can_edit(request, project):
        raise PermissionDenied(_("Votre rôle ne permet pas de modifier ce projet."))


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _raise_if_forbidden(exc: DomainError) -> None:
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message) from exc


# --- projects -------------------------------------------------------------------------------


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    orgs = organisations_for(request.user)
    projects = visible_projects(request).select_related("organisation")
    org = request.GET.get("organisation", "")
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()
    sort = request.GET.get("sort", "name")
    if org.isdigit():
        projects = projects.filter(organisation_id=int(org))
    if status in ProjectStatus.values:
        projects = projects.filter(status=status)
    if query:
        projects = projects.filter(Q(name__icontains=query) | Q(description__icontains=query))
    projects = projects.order_by(SORTS.get(sort, "name"), "pk")
    page = Paginator(projects, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/list.html",
        {
            "page": page,
            "projects": page.object_list,
            "organisations": orgs,
            "statuses": ProjectStatus.choices,
            "filters": {"organisation": org, "status": status, "q": query, "sort": sort},
            "sorts": [
                ("name", _("Nom (A→Z)")),
                ("-name", _("Nom (Z→A)")),
                ("updated", _("Modifiés récemment")),
                ("status", _("Statut")),
                ("organisation", _("Organisation")),
            ],
            "can_create": organisations_for(request.user, EDIT_PROJECTS).exists(),
        },
    )


def _project_fields(form: ProjectForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k != "organisation"}


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    orgs = organisations_for(request.user, EDIT_PROJECTS)
    if not orgs.exists():
        raise PermissionDenied(_("Votre rôle ne permet pas de créer un projet."))
    form = ProjectForm(request.POST or None, organisations=orgs)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(
                request.user, form.cleaned_data["organisation"], **_project_fields(form)
            )
        except DomainError as exc:
            _raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Projet créé."))
            return redirect(project)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "projects/project_form.html", {"form": form, "project": None}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project(request, pk)
    require_edit(request, project)
    form = ProjectForm(request.POST or None, instance=project, organisations=None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_project(request.user, project, **_project_fields(form))
        except DomainError as exc:
            _raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Projet enregistré."))
            return redirect(project)
    project.refresh_from_db()
    status = 400 if request.method == "POST" else 200
    return render(
        request, "projects/project_form.html", {"form": form, "project": project}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_delete(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project(request, pk)
    require_edit(request, project)
    if request.method == "POST":
        try:
            services.delete_project(request.user, project)
        except DomainError as exc:
            _raise_if_forbidden(exc)
            messages.error(request, exc.message)
            return redirect(project)
        messages.success(request, _("Projet « %(n)s » supprimé.") % {"n": project.name})
        return redirect("projects:list")
    return render(request, "projects/project_delete.html", {"project": project})


# --- the project page: scenarios, costs, indicators -----------------------------------------


def project_factor_set(project: Project) -> FactorSet | None:
    """The project's set with its organisation's overrides (for the defaults shown)."""
    try:
        return load_factor_set(
            project.factor_set, services.organisation_overrides(project.organisation)
        )
    except FactorSetError:
        return None


def kind_default(fs: FactorSet | None, kind: str) -> dict[str, Any] | None:
    """The factor set's default lifespan and kWh/yr of a kind, with where they come from."""
    if fs is None or kind not in fs.kind_defaults:
        return None
    kd = fs.kind_defaults[kind]
    if kd.origin == "override":
        who = _("défaut de l'organisation")
        source = {"id": "", "title": kd.source, "url": ""}
    else:
        ref = kd.origin.removeprefix("borrowed from ").strip() or fs.ref
        try:
            origin_set = fs if ref == fs.ref else load_factor_set(ref)
        except FactorSetError:
            origin_set = fs
        publisher = str(origin_set.info.get("publisher", origin_set.name))
        who = _("défaut %(p)s") % {"p": publisher}
        source = origin_set.source(kd.source)
        ref = origin_set.ref
    return {
        "kind": kind,
        "lifespan_years": kd.lifespan_years,
        "kwh_per_year": kd.kwh_per_year,
        "lifespan_text": _("%(v)s ans (%(who)s)")
        % {"v": format_number(kd.lifespan_years), "who": who},
        "kwh_text": _("%(v)s kWh/an (%(who)s)") % {"v": format_number(kd.kwh_per_year), "who": who},
        "source": source,
        "note": kd.note,
        "origin": kd.origin,
        "anchor": reverse("projects:factor-sets") + f"?set={fs.ref}#kind-{kind}",
    }


def _line_context(
    project: Project, line_type: str, line: models.Model, fs: FactorSet | None
) -> dict[str, Any]:
    ctx: dict[str, Any] = {"project": project, "line_type": line_type, "line": line}
    if line_type == "equipment":
        ctx["default"] = kind_default(fs, line.kind)  # type: ignore[attr-defined]
        ctx["kind_label"] = line.get_kind_display()  # type: ignore[attr-defined]
    return ctx


def scenario_blocks(request: HttpRequest, project: Project) -> list[dict[str, Any]]:
    fs = project_factor_set(project)
    blocks = []
    scenarios = list(
        project.scenarios.prefetch_related("equipment", "network", "avoided", "sroi", "social")
    )
    for sc in scenarios:
        social = {v.code: v.value for v in sc.social.all()}
        blocks.append(
            {
                "scenario": sc,
                "lines": {
                    "equipment": [
                        _line_context(project, "equipment", x, fs) for x in sc.equipment.all()
                    ],
                    "network": [_line_context(project, "network", x, fs) for x in sc.network.all()],
                    "avoided": [_line_context(project, "avoided", x, fs) for x in sc.avoided.all()],
                    "sroi": [_line_context(project, "sroi", x, fs) for x in sc.sroi.all()],
                },
                "costs_form": ScenarioForm(instance=sc, auto_id=f"sc{sc.pk}-%s"),
                "social_form": SocialForm(initial=social, auto_id=f"social{sc.pk}-%s"),
                "social_count": len(social),
            }
        )
    return blocks


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project(request, pk)
    scenarios = list(project.scenarios.all())
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "blocks": scenario_blocks(request, project),
            "can_edit": can_edit(request, project),
            "add_scenario_form": AddScenarioForm(scenarios=scenarios),
            "line_types": LINE_TYPES,
        },
    )


LINE_TYPES = [
    ("equipment", _("Équipements")),
    ("network", _("Réseau")),
    ("avoided", _("Flux évités")),
    ("sroi", _("Résultats sociaux (SROI)")),
]


def _get_scenario(request: HttpRequest, pk: int, scenario_id: int) -> tuple[Project, Scenario]:
    project = get_project(request, pk)
    return project, get_object_or_404(Scenario, pk=scenario_id, project=project)


def _back(project: Project, scenario: Scenario | None = None) -> HttpResponse:
    url = project.get_absolute_url()
    return redirect(f"{url}#scenario-{scenario.pk}" if scenario else url)


@login_required
@require_POST
def scenario_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project(request, pk)
    require_edit(request, project)
    form = AddScenarioForm(request.POST, scenarios=project.scenarios.all())
    if not form.is_valid():
        messages.error(request, _("Scénario non ajouté : vérifiez le nom."))
        return _back(project)
    copy_id = form.cleaned_data.get("copy_from")
    copy_from = get_object_or_404(Scenario, pk=copy_id, project=project) if copy_id else None
    try:
        sc = services.add_scenario(
            request.user, project, form.cleaned_data["name"], copy_from=copy_from
        )
    except DomainError as exc:
        _raise_if_forbidden(exc)
        messages.error(request, exc.message)
        return _back(project)
    messages.success(request, _("Scénario « %(n)s » ajouté.") % {"n": sc.name})
    return _back(project, sc)


@login_required
@require_POST
def scenario_edit(request: HttpRequest, pk: int, scenario_id: int) -> HttpResponse:
    """Rename a scenario and set its costs (capex, opex per year, avoided costs per year)."""
    project, sc = _get_scenario(request, pk, scenario_id)
    require_edit(request, project)
    form = ScenarioForm(request.POST, instance=Scenario.objects.get(pk=sc.pk))
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request,
                f"{form.fields[field].label if field in form.fields else ''} : {' '.join(errors)}",
            )
        return _back(project, sc)
    try:
        services.update_scenario(request.user, sc, **form.cleaned_data)
    except DomainError as exc:
        _raise_if_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Scénario enregistré."))
    return _back(project, sc)


@login_required
@require_POST
def scenario_delete(request: HttpRequest, pk: int, scenario_id: int) -> HttpResponse:
    project, sc = _get_scenario(request, pk, scenario_id)
    require_edit(request, project)
    try:
        services.delete_scenario(request.user, sc)
    except DomainError as exc:
        _raise_if_forbidden(exc)
        messages.error(request, exc.message)
        return _back(project, sc)
    messages.success(request, _("Scénario « %(n)s » supprimé.") % {"n": sc.name})
    return _back(project)


@login_required
@require_POST
def scenario_social(request: HttpRequest, pk: int, scenario_id: int) -> HttpResponse:
    """Set the scenario's social indicators (an empty field clears the indicator)."""
    project, sc = _get_scenario(request, pk, scenario_id)
    require_edit(request, project)
    form = SocialForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label} : {' '.join(errors)}")
        return _back(project, sc)
    current = {v.code: v.value for v in sc.social.all()}
    try:
        for code, value in form.cleaned_data.items():
            if value != current.get(code):
                services.set_social_indicator(request.user, sc, code, value)
    except DomainError as exc:
        _raise_if_forbidden(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Indicateurs sociaux enregistrés."))
    return _back(project, sc)


# --- lines, edited in place ------------------------------------------------------------------


def _line_model(line_type: str) -> type[models.Model]:
    if line_type not in services.LINE_MODELS or line_type not in LINE_FORMS:
        raise Http404
    return services.LINE_MODELS[line_type]


def _get_line(request: HttpRequest, pk: int, line_type: str, line_id: int) -> tuple[Project, Any]:
    project = get_project(request, pk)
    line = get_object_or_404(_line_model(line_type), pk=line_id, scenario__project=project)
    return project, line


def _live(message: str) -> str:
    return format_html('<div id="live-region" hx-swap-oob="innerHTML">{}</div>', message)


def render_row(
    request: HttpRequest, project: Project, line_type: str, line: Any, message: str = ""
) -> HttpResponse:
    ctx = _line_context(project, line_type, line, project_factor_set(project))
    ctx["can_edit"] = can_edit(request, project)
    ctx["live_message"] = message
    return render(request, "projects/_line_row.html", ctx)


def render_form_row(
    request: HttpRequest,
    project: Project,
    scenario: Scenario,
    line_type: str,
    form: Any,
    line: Any = None,
    status: int = 200,
) -> HttpResponse:
    fs = project_factor_set(project)
    kind = (form["kind"].value() if "kind" in form.fields else None) or ""
    default = kind_default(fs, kind) if line_type == "equipment" and kind else None
    if "kind" in form.fields and line_type == "equipment":
        refresh = (
            reverse("projects:line-new", args=[project.pk, scenario.pk, line_type])
            if line is None
            else reverse("projects:line-edit", args=[project.pk, line_type, line.pk])
        )
        form.fields["kind"].widget.attrs.update(
            {
                "hx-get": refresh,
                "hx-trigger": "change",
                "hx-target": "closest tr",
                "hx-swap": "outerHTML",
                "hx-include": "closest form",
            }
        )
    if default:
        form.fields["lifespan_years"].widget.attrs["placeholder"] = default["lifespan_text"]
        form.fields["kwh_per_year"].widget.attrs["placeholder"] = default["kwh_text"]
    if line is None:
        action = reverse("projects:line-new", args=[project.pk, scenario.pk, line_type])
        cancel = None
    else:
        action = reverse("projects:line-edit", args=[project.pk, line_type, line.pk])
        cancel = reverse("projects:line-row", args=[project.pk, line_type, line.pk])
    for name, field in form.fields.items():
        if form.errors.get(name):
            field.widget.attrs["aria-invalid"] = "true"
            field.widget.attrs["aria-describedby"] = f"{form.auto_id % name}-error"
    return render(
        request,
        "projects/_line_form_row.html",
        {
            "project": project,
            "scenario": scenario,
            "line_type": line_type,
            "form": form,
            "line": line,
            "action": action,
            "cancel": cancel,
            "row_id": form.auto_id.removesuffix("-%s"),
            "default": default,
        },
        status=status,
    )


def _row_prefix(line_type: str, line: Any, scenario: Scenario) -> str:
    if line is not None:
        return f"{line_type}-{line.pk}-%s"
    return f"{line_type}-new-{scenario.pk}-{uuid.uuid4().hex[:6]}-%s"


def _row_id(request: HttpRequest) -> str:
    """The row's id prefix sent back by the form (kept across re-renders, so focus stays)."""
    value = request.POST.get("_row") or request.GET.get("_row") or ""
    ok = value.endswith("-%s") and value[:-3].replace("-", "").isalnum() and len(value) < 80
    return value if ok else ""


def _initial_from_query(request: HttpRequest, form_class: Any) -> dict[str, Any]:
    """GET parameters naming form fields (the kind select re-renders the row to update the
    defaults shown): used as initial values."""
    fields = form_class.base_fields
    return {k: v for k, v in request.GET.items() if k in fields}


@login_required
@require_http_methods(["GET", "POST"])
def line_new(request: HttpRequest, pk: int, scenario_id: int, line_type: str) -> HttpResponse:
    """GET: an empty form row to append; POST: create the line, answer its row (or the form
    row with the errors, status 400, nothing written)."""
    project, scenario = _get_scenario(request, pk, scenario_id)
    require_edit(request, project)
    _line_model(line_type)
    form_class = LINE_FORMS[line_type]
    auto_id = _row_id(request) or _row_prefix(line_type, None, scenario)
    if request.method == "GET" and request.GET.get("cancel"):
        return HttpResponse("")
    if request.method == "GET":
        form = form_class(initial=_initial_from_query(request, form_class), auto_id=auto_id)
        return render_form_row(request, project, scenario, line_type, form)
    form = form_class(request.POST, auto_id=auto_id)
    if form.is_valid():
        try:
            line = services.add_line(request.user, scenario, line_type, **form.cleaned_data)
        except DomainError as exc:
            _raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            if not is_htmx(request):
                messages.success(request, _("Ligne ajoutée."))
                return _back(project, scenario)
            return render_row(request, project, line_type, line, _("Ligne ajoutée."))
    if not is_htmx(request):
        messages.error(request, _("Ligne non ajoutée : %(e)s") % {"e": _errors_text(form)})
        return _back(project, scenario)
    return render_form_row(request, project, scenario, line_type, form, status=400)


def _errors_text(form: Any) -> str:
    return "; ".join(
        f"{form.fields[f].label if f in form.fields else ''} : {' '.join(e)}"
        for f, e in form.errors.items()
    )


@login_required
def line_row(request: HttpRequest, pk: int, line_type: str, line_id: int) -> HttpResponse:
    project, line = _get_line(request, pk, line_type, line_id)
    return render_row(request, project, line_type, line)


@login_required
@require_http_methods(["GET", "POST"])
def line_edit(request: HttpRequest, pk: int, line_type: str, line_id: int) -> HttpResponse:
    project, line = _get_line(request, pk, line_type, line_id)
    require_edit(request, project)
    form_class = LINE_FORMS[line_type]
    auto_id = _row_prefix(line_type, line, line.scenario)
    if request.method == "GET":
        form = form_class(
            instance=line, initial=_initial_from_query(request, form_class), auto_id=auto_id
        )
        return render_form_row(request, project, line.scenario, line_type, form, line)
    form = form_class(request.POST, instance=type(line).objects.get(pk=line.pk), auto_id=auto_id)
    if form.is_valid():
        try:
            line = services.update_line(request.user, line_type, line, **form.cleaned_data)
        except DomainError as exc:
            _raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            if not is_htmx(request):
                messages.success(request, _("Ligne enregistrée."))
                return _back(project, line.scenario)
            return render_row(request, project, line_type, line, _("Ligne enregistrée."))
    if not is_htmx(request):
        messages.error(request, _("Ligne non enregistrée : %(e)s") % {"e": _errors_text(form)})
        return _back(project, line.scenario)
    return render_form_row(request, project, line.scenario, line_type, form, line, status=400)


@login_required
@require_POST
def line_delete(request: HttpRequest, pk: int, line_type: str, line_id: int) -> HttpResponse:
    project, line = _get_line(request, pk, line_type, line_id)
    require_edit(request, project)
    scenario = line.scenario
    try:
        services.delete_line(request.user, line_type, line)
    except DomainError as exc:
        _raise_if_forbidden(exc)
        messages.error(request, exc.message)
        return _back(project, scenario)
    if not is_htmx(request):
        messages.success(request, _("Ligne supprimée."))
        return _back(project, scenario)
    return HttpResponse(_live(_("Ligne supprimée.")))
