"""Projects: list and filters, create, change, delete; their results, document and snapshots.

Reads are filtered by `organisations_for(caller)`: a project of another organisation is a 404.
Writes go through `projects.services`, which check the role (403) and validate (400/422).
"""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from impactnum.calculation import json_ready
from impactnum.web.core.errors import DomainError
from impactnum.web.core.permissions import VIEW, organisations_for
from impactnum.web.projects import services
from impactnum.web.projects.choices import ProjectStatus
from impactnum.web.projects.models import CalculationSnapshot, Project

from .auth import actor
from .document import ProjectDocument
from .pagination import Pagination
from .schemas import (
    CalcResult,
    ComparisonOut,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    SnapshotDetail,
    SnapshotIn,
    SnapshotOut,
)

router = Router(tags=["projects"])

MAX_DRAWS = 100_000


def visible_projects(request: HttpRequest) -> QuerySet[Project]:
    return Project.objects.filter(organisation__in=organisations_for(actor(request), VIEW))


def get_project(request: HttpRequest, project_id: int) -> Project:
    """The project if the caller may see it; 404 otherwise (existence is not revealed)."""
    return get_object_or_404(
        visible_projects(request).select_related("organisation"), pk=project_id
    )


class ProjectFilters(Schema):
    organisation: str | None = Field(None, description="Organisation slug")
    status: ProjectStatus | None = Field(None, description="draft, active, done or archived")
    q: str | None = Field(None, description="Words searched in name and description")


class CalcQuery(Schema):
    draws: int | None = Field(
        None, ge=1, le=MAX_DRAWS, description="Monte Carlo draws: low/high become P5–P95"
    )
    seed: int = Field(0, ge=0, description="Random seed of the draws")


@router.get("/projects", response=list[ProjectOut])
@paginate(Pagination)
def list_projects(request: HttpRequest, filters: Query[ProjectFilters]) -> QuerySet[Project]:
    """Projects of the caller's organisations, by name; filter by organisation, status, q."""
    qs = visible_projects(request).select_related("organisation", "owner")
    if filters.organisation:
        qs = qs.filter(organisation__slug=filters.organisation)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q:
        for word in filters.q.split():
            qs = qs.filter(Q(name__icontains=word) | Q(description__icontains=word))
    return qs.annotate(scenario_count=Count("scenarios")).order_by("name", "pk")


@router.post("/projects", response={201: ProjectOut})
def create_project(request: HttpRequest, payload: ProjectIn) -> Status:
    """A new project with an empty baseline scenario (managers and administrators)."""
    fields = payload.dict(exclude_unset=True)
    slug = fields.pop("organisation")
    org = organisations_for(actor(request), VIEW).filter(slug=slug).first()
    if org is None:
        raise DomainError(
            f"Organisation inconnue ou dont vous n'êtes pas membre : {slug}", field="organisation"
        )
    project = services.create_project(actor(request), org, **fields)
    return Status(201, project)


@router.get("/projects/{project_id}", response=ProjectOut)
def read_project(request: HttpRequest, project_id: int) -> Project:
    return get_project(request, project_id)


@router.patch("/projects/{project_id}", response=ProjectOut)
def update_project(
    request: HttpRequest,
    project_id: int,
    payload: ProjectPatch,  # type: ignore[valid-type]
) -> Project:
    """Change some fields; only those sent are changed."""
    project = get_project(request, project_id)
    return services.update_project(
        actor(request),
        project,
        **payload.dict(exclude_unset=True),  # type: ignore[attr-defined]
    )


@router.delete("/projects/{project_id}", response={204: None})
def delete_project(request: HttpRequest, project_id: int) -> HttpResponse:
    """Delete the project with its scenarios, lines and snapshots."""
    services.delete_project(actor(request), get_project(request, project_id))
    return HttpResponse(status=204)


# --- results ------------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/results", response=CalcResult, exclude_unset=True, tags=["results"]
)
def results(request: HttpRequest, project_id: int, query: Query[CalcQuery]) -> dict[str, Any]:
    """The full result, the same JSON as `impactnum calc --format json`, with the
    organisation's overrides. Input problems are a 422 listing each field."""
    project = get_project(request, project_id)
    result = services.calculate(actor(request), project, draws=query.draws, seed=query.seed)
    return json_ready(result)  # type: ignore[no-any-return]


@router.get("/projects/{project_id}/comparison", response=ComparisonOut, tags=["results"])
def comparison(request: HttpRequest, project_id: int, query: Query[CalcQuery]) -> dict[str, Any]:
    """Each variant against the baseline: probability that its net impact is lower, per
    criterion (always drawn: 1 000 draws unless `draws`), and the economic difference."""
    project = get_project(request, project_id)
    result = services.calculate(actor(request), project, draws=query.draws, seed=query.seed)
    return json_ready(
        {
            "factor_set": result["factor_set"],
            "baseline": result["baseline"],
            "comparison": result.get("comparison", []),
        }
    )  # type: ignore[no-any-return]


@router.get(
    "/projects/{project_id}/document",
    response=ProjectDocument,
    tags=["results"],
)
def document(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project in the project-file structure (docs/project-file.md): save it as TOML
    for `impactnum calc`, or send it back to `POST /api/calc`."""
    doc = services.project_document(get_project(request, project_id))
    return JsonResponse(json_ready(doc), json_dumps_params={"ensure_ascii": False})


# --- snapshots ----------------------------------------------------------------------------------


@router.post("/projects/{project_id}/snapshots", response={201: SnapshotOut}, tags=["snapshots"])
def save_snapshot(request: HttpRequest, project_id: int, payload: SnapshotIn) -> Status:
    """Compute and store the result with its inputs, factor set and engine version."""
    project = get_project(request, project_id)
    snap = services.save_snapshot(actor(request), project, label=payload.label, draws=payload.draws)
    return Status(201, snap)


@router.get("/projects/{project_id}/snapshots", response=list[SnapshotOut], tags=["snapshots"])
@paginate(Pagination)
def list_snapshots(request: HttpRequest, project_id: int) -> QuerySet[CalculationSnapshot]:
    """Stored results, newest first."""
    project = get_project(request, project_id)
    return project.snapshots.select_related("created_by")


def get_snapshot(request: HttpRequest, snapshot_id: int) -> CalculationSnapshot:
    return get_object_or_404(
        CalculationSnapshot.objects.select_related("project__organisation", "created_by").filter(
            project__in=visible_projects(request)
        ),
        pk=snapshot_id,
    )


@router.get("/snapshots/{snapshot_id}", response=SnapshotDetail, tags=["snapshots"])
def read_snapshot(request: HttpRequest, snapshot_id: int) -> CalculationSnapshot:
    """A stored result with its inputs."""
    snap = get_snapshot(request, snapshot_id)
    snap.result = json_ready(snap.result)
    return snap


class ReplayQuery(Schema):
    factors: str | None = Field(None, description="Another factor set (name[@version])")


@router.get(
    "/snapshots/{snapshot_id}/replay", response=CalcResult, exclude_unset=True, tags=["snapshots"]
)
def replay_snapshot(
    request: HttpRequest, snapshot_id: int, query: Query[ReplayQuery]
) -> dict[str, Any]:
    """Recompute the stored inputs, with the snapshot's factor set or another."""
    snap = get_snapshot(request, snapshot_id)
    return json_ready(services.replay_snapshot(actor(request), snap, factors=query.factors))  # type: ignore[no-any-return]
