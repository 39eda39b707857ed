"""Scenarios of a project, their lines (equipment, network, avoided flows, SROI outcomes) and
social indicators. One set of operations per line type, so the OpenAPI documents each body."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from impactnum.web.core.errors import DomainError
from impactnum.web.projects import services
from impactnum.web.projects.models import Scenario

from .auth import actor
from .pagination import Pagination
from .projects import get_project, visible_projects
from .schemas import (
    LINE_IN,
    LINE_OUT,
    LINE_PATCH,
    ScenarioIn,
    ScenarioOut,
    ScenarioPatch,
    SocialValueIn,
)

router = Router(tags=["scenarios"])

LINE_PREFETCH = ("equipment", "network", "avoided", "sroi", "social")


def _scenarios(request: HttpRequest) -> QuerySet[Scenario]:
    return Scenario.objects.filter(project__in=visible_projects(request)).select_related(
        "project__organisation"
    )


def get_scenario(request: HttpRequest, scenario_id: int) -> Scenario:
    return get_object_or_404(_scenarios(request), pk=scenario_id)


def _with_lines(scenario: Scenario) -> Scenario:
    return Scenario.objects.prefetch_related(*LINE_PREFETCH).get(pk=scenario.pk)


@router.get("/projects/{project_id}/scenarios", response=list[ScenarioOut])
@paginate(Pagination)
def list_scenarios(request: HttpRequest, project_id: int) -> QuerySet[Scenario]:
    """The project's scenarios with their lines; the first (position 0) is the baseline."""
    project = get_project(request, project_id)
    return project.scenarios.prefetch_related(*LINE_PREFETCH)


@router.post("/projects/{project_id}/scenarios", response={201: ScenarioOut})
def add_scenario(request: HttpRequest, project_id: int, payload: ScenarioIn) -> Status:
    """A new variant, empty or a copy of another scenario of the project (`copy_from`)."""
    project = get_project(request, project_id)
    copy_from = None
    if payload.copy_from is not None:
        copy_from = project.scenarios.filter(pk=payload.copy_from).first()
        if copy_from is None:
            raise DomainError("Aucun scénario de ce projet n'a cet id.", field="copy_from")
    scenario = services.add_scenario(actor(request), project, payload.name, copy_from=copy_from)
    return Status(201, _with_lines(scenario))


@router.get("/scenarios/{scenario_id}", response=ScenarioOut)
def read_scenario(request: HttpRequest, scenario_id: int) -> Scenario:
    return _with_lines(get_scenario(request, scenario_id))


@router.patch("/scenarios/{scenario_id}", response=ScenarioOut)
def update_scenario(
    request: HttpRequest,
    scenario_id: int,
    payload: ScenarioPatch,  # type: ignore[valid-type]
) -> Scenario:
    """Rename, or change the costs (capex, opex_per_year, avoided_costs_per_year)."""
    scenario = get_scenario(request, scenario_id)
    fields = payload.dict(exclude_unset=True)  # type: ignore[attr-defined]
    return _with_lines(services.update_scenario(actor(request), scenario, **fields))


@router.delete("/scenarios/{scenario_id}", response={204: None})
def delete_scenario(request: HttpRequest, scenario_id: int) -> HttpResponse:
    """Delete a variant (the baseline cannot be deleted: 400)."""
    services.delete_scenario(actor(request), get_scenario(request, scenario_id))
    return HttpResponse(status=204)


@router.put("/scenarios/{scenario_id}/social/{code}", response=ScenarioOut)
def set_social(
    request: HttpRequest, scenario_id: int, code: str, payload: SocialValueIn
) -> Scenario:
    """Set one social indicator (codes: engine/social.py); `{"value": null}` clears it."""
    scenario = get_scenario(request, scenario_id)
    services.set_social_indicator(actor(request), scenario, code, payload.value)
    return _with_lines(scenario)


# --- lines, one set of operations per type ---------------------------------------------------


def get_line(request: HttpRequest, line_type: str, line_id: int) -> Model:
    model = services.LINE_MODELS[line_type]
    return get_object_or_404(
        model.objects.select_related("scenario__project__organisation").filter(  # type: ignore[attr-defined]
            scenario__project__in=visible_projects(request)
        ),
        pk=line_id,
    )


def _line_operations(line_type: str) -> None:
    """Register list/add/read/change/delete of one line type (closures over `line_type`)."""
    line_in, line_patch, line_out = LINE_IN[line_type], LINE_PATCH[line_type], LINE_OUT[line_type]
    tag = [f"lines: {line_type}"]

    def list_lines(request: HttpRequest, scenario_id: int) -> QuerySet[Model]:
        scenario = get_scenario(request, scenario_id)
        return getattr(scenario, line_type).all()  # type: ignore[no-any-return]

    def add_line(request: HttpRequest, scenario_id: int, payload: Any) -> Status:
        scenario = get_scenario(request, scenario_id)
        fields = payload.dict(exclude_unset=True)
        return Status(201, services.add_line(actor(request), scenario, line_type, **fields))

    def read_line(request: HttpRequest, line_id: int) -> Model:
        return get_line(request, line_type, line_id)

    def update_line(request: HttpRequest, line_id: int, payload: Any) -> Model:
        line = get_line(request, line_type, line_id)
        fields = payload.dict(exclude_unset=True)
        return services.update_line(actor(request), line_type, line, **fields)

    def delete_line(request: HttpRequest, line_id: int) -> HttpResponse:
        services.delete_line(actor(request), line_type, get_line(request, line_type, line_id))
        return HttpResponse(status=204)

    add_line.__annotations__["payload"] = line_in
    update_line.__annotations__["payload"] = line_patch
    views: list[tuple[str, str, Callable[..., Any], str]] = [
        ("GET", f"/scenarios/{{scenario_id}}/lines/{line_type}", list_lines, "list"),
        ("POST", f"/scenarios/{{scenario_id}}/lines/{line_type}", add_line, "add"),
        ("GET", f"/lines/{line_type}/{{line_id}}", read_line, "read"),
        ("PATCH", f"/lines/{line_type}/{{line_id}}", update_line, "update"),
        ("DELETE", f"/lines/{line_type}/{{line_id}}", delete_line, "delete"),
    ]
    for method, path, view, verb in views:
        view.__name__ = f"{verb}_{line_type}_line{'s' if verb == 'list' else ''}"
        view.__doc__ = f"{verb.capitalize()} {line_type} line(s) ({LINE_HELP[line_type]})."
        if verb == "list":
            view = paginate(Pagination)(view)
            response: Any = list[line_out]  # type: ignore[valid-type]
        elif verb == "add":
            response = {201: line_out}
        elif verb == "delete":
            response = {204: None}
        else:
            response = line_out
        router.add_api_operation(
            path,
            [method],
            view,
            response=response,
            tags=tag,
            operation_id=view.__name__,
        )


LINE_HELP = {
    "equipment": "kind, quantity, lifespan, use; empty fields take the factor set's defaults",
    "network": "fixed or mobile data, GB per year",
    "avoided": "flows avoided per year, in the flow's unit",
    "sroi": "SROI outcomes: quantity × financial proxy, less deadweight, attribution …",
}

for _line_type in services.LINE_MODELS:
    _line_operations(_line_type)
