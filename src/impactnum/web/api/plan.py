"""The plan: commitments, their actions and indicators (live values, manual values), frozen
evaluations and their comparison, the deadlines and the registry of computed sources.

Reads are filtered by `organisations_for(caller)` (another organisation's object: 404); writes go
through `plan.services` (403 below manager, 400 when a rule refuses, 409 on a frozen evaluation).
Owners are given by username and must belong to the organisation.
"""

import datetime as dt
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import VIEW, organisations_for
from impactnum.web.plan import services
from impactnum.web.plan.choices import (
    ActionStatus,
    CommitmentSource,
    CommitmentTheme,
    Direction,
    IndicatorKind,
)
from impactnum.web.plan.deadlines import deadlines
from impactnum.web.plan.evaluations import (
    build_snapshot,
    commitment_state,
    commitments_for,
    compare,
    indicator_state,
)
from impactnum.web.plan.indicators import SOURCES
from impactnum.web.plan.models import Action, Commitment, Evaluation, Indicator, IndicatorValue

from .auth import actor
from .pagination import Pagination
from .schemas import StrictSchema, null_is_empty

router = Router(tags=["plan"])

Theme = Literal[tuple(CommitmentTheme.values)]  # type: ignore[valid-type]
Source = Literal[tuple(CommitmentSource.values)]  # type: ignore[valid-type]
Status_ = Literal[tuple(ActionStatus.values)]  # type: ignore[valid-type]
Kind = Literal[tuple(IndicatorKind.values)]  # type: ignore[valid-type]
Sense = Literal[tuple(Direction.values)]  # type: ignore[valid-type]


# --- access -------------------------------------------------------------------------------------


def _orgs(request: HttpRequest) -> QuerySet[Organisation]:
    return organisations_for(actor(request), VIEW)


def _organisation(request: HttpRequest, slug: str) -> Organisation:
    return get_object_or_404(_orgs(request), slug=slug)


def _organisation_field(request: HttpRequest, slug: str) -> Organisation:
    org = _orgs(request).filter(slug=slug).first()
    if org is None:
        raise DomainError(
            f"Organisation inconnue ou dont vous n'êtes pas membre : {slug}", field="organisation"
        )
    return org


def get_commitment(request: HttpRequest, commitment_id: int) -> Commitment:
    return get_object_or_404(
        Commitment.objects.filter(organisation__in=_orgs(request)).select_related(
            "organisation", "owner"
        ),
        pk=commitment_id,
    )


def get_action(request: HttpRequest, action_id: int) -> Action:
    return get_object_or_404(
        Action.objects.filter(commitment__organisation__in=_orgs(request)).select_related(
            "commitment__organisation", "owner"
        ),
        pk=action_id,
    )


def get_indicator(request: HttpRequest, indicator_id: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.filter(commitment__organisation__in=_orgs(request)).select_related(
            "commitment__organisation"
        ),
        pk=indicator_id,
    )


def get_evaluation(request: HttpRequest, evaluation_id: int) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.filter(organisation__in=_orgs(request)).select_related(
            "organisation", "frozen_by"
        ),
        pk=evaluation_id,
    )


def _owner(fields: dict[str, Any], organisation: Organisation) -> dict[str, Any]:
    """`owner` username → the user (None clears it); unknown → 400 naming the field."""
    if "owner" not in fields:
        return fields
    name = fields["owner"]
    if not name:
        return {**fields, "owner": None}
    user = (
        get_user_model()
        .objects.filter(username=name, memberships__organisation=organisation)
        .first()
    )
    if user is None:
        raise DomainError(f"{name} n'est pas membre de {organisation}.", field="owner")
    return {**fields, "owner": user}


def _today_or(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


# --- schemas ------------------------------------------------------------------------------------


class CommitmentOut(Schema):
    id: int
    organisation: str
    reference: str
    title: str
    theme: str
    description: str
    owner: str | None
    source: str
    source_detail: str

    @staticmethod
    def resolve_organisation(obj: Commitment) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_owner(obj: Commitment) -> str | None:
        return obj.owner.get_username() if obj.owner else None


class CommitmentIn(StrictSchema):
    organisation: str = Field(description="Organisation slug")
    reference: str = Field(max_length=20)
    title: str = Field(max_length=200)
    theme: Theme  # type: ignore[valid-type]
    source: Source  # type: ignore[valid-type]
    description: str = ""
    owner: str | None = Field(None, description="Username of a member")
    source_detail: str = ""


class CommitmentPatch(StrictSchema):
    reference: str | None = Field(None, max_length=20)
    title: str | None = Field(None, max_length=200)
    theme: Theme | None = None  # type: ignore[valid-type]
    source: Source | None = None  # type: ignore[valid-type]
    description: str | None = None
    owner: str | None = Field(None, description="Username of a member; empty clears")
    source_detail: str | None = None

    null_is_empty_text = null_is_empty("description", "source_detail")


class ActionOut(Schema):
    id: int
    commitment: int
    title: str
    description: str
    owner: str | None
    due_on: dt.date | None
    status: str
    progress: int

    @staticmethod
    def resolve_commitment(obj: Action) -> int:
        return obj.commitment_id

    @staticmethod
    def resolve_owner(obj: Action) -> str | None:
        return obj.owner.get_username() if obj.owner else None


class ActionIn(StrictSchema):
    title: str = Field(max_length=200)
    description: str = ""
    owner: str | None = None
    due_on: dt.date | None = None
    status: Status_ = ActionStatus.PLANNED.value  # type: ignore[valid-type]
    progress: int = Field(0, ge=0, le=100)


class ActionPatch(StrictSchema):
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    owner: str | None = None
    due_on: dt.date | None = None
    status: Status_ | None = None  # type: ignore[valid-type]
    progress: int | None = Field(None, ge=0, le=100)

    null_is_empty_text = null_is_empty("description")


class Milestone(Schema):
    on: dt.date
    value: float


class IndicatorIn(StrictSchema):
    name: str = Field(max_length=200)
    kind: Kind  # type: ignore[valid-type]
    source: str = Field("", description="Code of a computed source (GET /api/plan/sources)")
    params: dict[str, Any] = Field(default_factory=dict)
    unit: str = ""
    direction: Sense = Direction.INCREASE.value  # type: ignore[valid-type]
    baseline_value: float | None = None
    baseline_on: dt.date | None = None
    target_value: float | None = None
    target_on: dt.date | None = None
    trajectory: list[Milestone] = Field(default_factory=list)


class IndicatorPatch(StrictSchema):
    name: str | None = Field(None, max_length=200)
    source: str | None = None
    params: dict[str, Any] | None = None
    unit: str | None = None
    direction: Sense | None = None  # type: ignore[valid-type]
    baseline_value: float | None = None
    baseline_on: dt.date | None = None
    target_value: float | None = None
    target_on: dt.date | None = None
    trajectory: list[Milestone] | None = None

    null_is_empty_text = null_is_empty("source", "unit")


class ValueIn(StrictSchema):
    on: dt.date
    value: float
    evidence: str = Field(min_length=1, description="Where the figure comes from")


class ValueOut(Schema):
    id: int
    on: dt.date
    value: float
    evidence: str
    evidence_file: str
    recorded_by: str | None
    recorded_at: dt.datetime

    @staticmethod
    def resolve_evidence_file(obj: IndicatorValue) -> str:
        return obj.evidence_file.name or ""

    @staticmethod
    def resolve_recorded_by(obj: IndicatorValue) -> str | None:
        return obj.recorded_by.get_username() if obj.recorded_by else None


class EvaluationOut(Schema):
    id: int
    organisation: str
    label: str
    on: dt.date
    month: int | None
    comments: str
    notes: dict[str, str]
    status: str
    frozen_at: dt.datetime | None
    frozen_by: str | None

    @staticmethod
    def resolve_organisation(obj: Evaluation) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_frozen_by(obj: Evaluation) -> str | None:
        return obj.frozen_by.get_username() if obj.frozen_by else None


class EvaluationDetail(EvaluationOut):
    snapshot: dict[str, Any] = Field(
        description="Frozen: the stored state; draft: the live state at `on`"
    )


class EvaluationIn(StrictSchema):
    organisation: str
    label: str = Field(max_length=200)
    on: dt.date
    month: int | None = Field(None, ge=0, le=120)
    comments: str = ""
    notes: dict[str, str] = Field(default_factory=dict, description="Commitment id → comment")


class EvaluationPatch(StrictSchema):
    label: str | None = Field(None, max_length=200)
    on: dt.date | None = None
    month: int | None = Field(None, ge=0, le=120)
    comments: str | None = None
    notes: dict[str, str] | None = None

    null_is_empty_text = null_is_empty("comments")


class OrgFilter(Schema):
    organisation: str | None = Field(None, description="Organisation slug; default: all yours")


class OnQuery(Schema):
    on: dt.date | None = Field(None, description="Date of the state (default today)")


class CompareQuery(Schema):
    a: int = Field(description="First evaluation id")
    b: int = Field(description="Second evaluation id")


class DeadlineQuery(Schema):
    organisation: str
    date_from: dt.date | None = Field(None, description="Default: today")
    date_to: dt.date | None = Field(None, description="Default: one year after date_from")


# --- commitments --------------------------------------------------------------------------------


@router.get("/plan/commitments", response=list[CommitmentOut])
@paginate(Pagination)
def list_commitments(request: HttpRequest, filters: Query[OrgFilter]) -> QuerySet[Commitment]:
    """Commitments of the caller's organisations, by organisation and reference."""
    qs = Commitment.objects.filter(organisation__in=_orgs(request))
    if filters.organisation:
        qs = qs.filter(organisation__slug=filters.organisation)
    return qs.select_related("organisation", "owner")


@router.post("/plan/commitments", response={201: CommitmentOut})
def create_commitment(request: HttpRequest, payload: CommitmentIn) -> Status:
    """A new commitment (managers and administrators)."""
    fields = payload.dict()
    org = _organisation_field(request, fields.pop("organisation"))
    commitment = services.create_commitment(actor(request), org, **_owner(fields, org))
    return Status(201, commitment)


@router.get("/plan/commitments/{commitment_id}", response=dict[str, Any])
def read_commitment(
    request: HttpRequest, commitment_id: int, query: Query[OnQuery]
) -> dict[str, Any]:
    """The commitment with its actions and indicators, state on `on` (live values)."""
    c = get_commitment(request, commitment_id)
    fresh = next(x for x in commitments_for(c.organisation) if x.pk == c.pk)
    state = commitment_state(fresh, _today_or(query.on), actor=actor(request))
    return {"organisation": c.organisation.slug, "on": _today_or(query.on).isoformat(), **state}


@router.patch("/plan/commitments/{commitment_id}", response=CommitmentOut)
def update_commitment(
    request: HttpRequest, commitment_id: int, payload: CommitmentPatch
) -> Commitment:
    c = get_commitment(request, commitment_id)
    fields = _owner(payload.dict(exclude_unset=True), c.organisation)
    services.update_commitment(actor(request), c, **fields)
    return get_commitment(request, commitment_id)


@router.delete("/plan/commitments/{commitment_id}", response={204: None})
def delete_commitment(request: HttpRequest, commitment_id: int) -> HttpResponse:
    """Delete the commitment with its actions and indicators (frozen evaluations keep them)."""
    services.delete_commitment(actor(request), get_commitment(request, commitment_id))
    return HttpResponse(status=204)


# --- actions ------------------------------------------------------------------------------------


@router.get("/plan/commitments/{commitment_id}/actions", response=list[ActionOut])
@paginate(Pagination)
def list_actions(request: HttpRequest, commitment_id: int) -> QuerySet[Action]:
    c = get_commitment(request, commitment_id)
    return Action.objects.filter(commitment=c).select_related("owner")


@router.post("/plan/commitments/{commitment_id}/actions", response={201: ActionOut})
def add_action(request: HttpRequest, commitment_id: int, payload: ActionIn) -> Status:
    c = get_commitment(request, commitment_id)
    action = services.add_action(actor(request), c, **_owner(payload.dict(), c.organisation))
    return Status(201, action)


@router.patch("/plan/actions/{action_id}", response=ActionOut)
def update_action(request: HttpRequest, action_id: int, payload: ActionPatch) -> Action:
    """Change status, progress, due date…; done means 100 %, 100 % means done."""
    action = get_action(request, action_id)
    org = action.commitment.organisation
    services.update_action(actor(request), action, **_owner(payload.dict(exclude_unset=True), org))
    return get_action(request, action_id)


@router.delete("/plan/actions/{action_id}", response={204: None})
def delete_action(request: HttpRequest, action_id: int) -> HttpResponse:
    services.delete_action(actor(request), get_action(request, action_id))
    return HttpResponse(status=204)


# --- indicators ---------------------------------------------------------------------------------


@router.get("/plan/sources", response=list[dict[str, Any]])
def list_sources(request: HttpRequest) -> list[dict[str, Any]]:
    """The computed sources an indicator may use: code, label, unit, parameters, definition."""
    return [
        {
            "code": s.code,
            "label": str(s.label),
            "unit": s.unit,
            "params": list(s.params),
            "definition": s.definition,
        }
        for s in SOURCES.values()
    ]


@router.post("/plan/commitments/{commitment_id}/indicators", response={201: dict[str, Any]})
def add_indicator(request: HttpRequest, commitment_id: int, payload: IndicatorIn) -> Status:
    c = get_commitment(request, commitment_id)
    fields = payload.dict()
    fields["trajectory"] = [{"on": m["on"], "value": m["value"]} for m in fields["trajectory"]]
    indicator = services.add_indicator(actor(request), c, **fields)
    return Status(201, indicator_state(indicator, timezone.localdate(), actor=actor(request)))


@router.get("/plan/indicators/{indicator_id}", response=dict[str, Any])
def read_indicator(
    request: HttpRequest, indicator_id: int, query: Query[OnQuery]
) -> dict[str, Any]:
    """The indicator on `on`: value (manual: latest entered on or before; computed: live),
    expected value on the trajectory, target, on track, target met."""
    indicator = get_indicator(request, indicator_id)
    return indicator_state(indicator, _today_or(query.on), actor=actor(request))


@router.patch("/plan/indicators/{indicator_id}", response=dict[str, Any])
def update_indicator(
    request: HttpRequest, indicator_id: int, payload: IndicatorPatch
) -> dict[str, Any]:
    indicator = get_indicator(request, indicator_id)
    fields = payload.dict(exclude_unset=True)
    if fields.get("trajectory") is not None:
        fields["trajectory"] = [{"on": m["on"], "value": m["value"]} for m in fields["trajectory"]]
    services.update_indicator(actor(request), indicator, **fields)
    return indicator_state(
        get_indicator(request, indicator_id), timezone.localdate(), actor=actor(request)
    )


@router.delete("/plan/indicators/{indicator_id}", response={204: None})
def delete_indicator(request: HttpRequest, indicator_id: int) -> HttpResponse:
    services.delete_indicator(actor(request), get_indicator(request, indicator_id))
    return HttpResponse(status=204)


@router.get("/plan/indicators/{indicator_id}/values", response=list[ValueOut])
@paginate(Pagination)
def list_values(request: HttpRequest, indicator_id: int) -> QuerySet[IndicatorValue]:
    indicator = get_indicator(request, indicator_id)
    return indicator.values.select_related("recorded_by").order_by("on", "pk")


@router.post("/plan/indicators/{indicator_id}/values", response={201: ValueOut})
def add_value(request: HttpRequest, indicator_id: int, payload: ValueIn) -> Status:
    """A dated value of a manual indicator with its evidence (files: on the indicator page)."""
    indicator = get_indicator(request, indicator_id)
    row = services.record_indicator_value(actor(request), indicator, **payload.dict())
    return Status(201, row)


# --- evaluations --------------------------------------------------------------------------------


@router.get("/plan/evaluations", response=list[EvaluationOut])
@paginate(Pagination)
def list_evaluations(request: HttpRequest, filters: Query[OrgFilter]) -> QuerySet[Evaluation]:
    qs = Evaluation.objects.filter(organisation__in=_orgs(request))
    if filters.organisation:
        qs = qs.filter(organisation__slug=filters.organisation)
    return qs.select_related("organisation", "frozen_by")


@router.post("/plan/evaluations", response={201: EvaluationOut})
def create_evaluation(request: HttpRequest, payload: EvaluationIn) -> Status:
    """A draft evaluation; freeze it with POST …/freeze."""
    fields = payload.dict()
    org = _organisation_field(request, fields.pop("organisation"))
    return Status(201, services.create_evaluation(actor(request), org, **fields))


@router.get("/plan/evaluations/compare", response=dict[str, Any])
def compare_evaluations(request: HttpRequest, query: Query[CompareQuery]) -> dict[str, Any]:
    """Two evaluations of one organisation side by side (earlier first), with the changes."""
    a, b = get_evaluation(request, query.a), get_evaluation(request, query.b)
    if a.organisation_id != b.organisation_id:
        raise DomainError("Les deux évaluations doivent être de la même organisation.", "b")
    if a.on > b.on:
        a, b = b, a
    out = compare(_state(request, a), _state(request, b))
    out["first"]["id"], out["second"]["id"] = a.pk, b.pk
    return out


def _state(request: HttpRequest, evaluation: Evaluation) -> dict[str, Any]:
    if evaluation.is_frozen and evaluation.snapshot:
        return evaluation.snapshot  # type: ignore[no-any-return]
    return build_snapshot(
        evaluation.organisation, evaluation.on, actor=actor(request), notes=evaluation.notes
    )


@router.get("/plan/evaluations/{evaluation_id}", response=EvaluationDetail)
def read_evaluation(request: HttpRequest, evaluation_id: int) -> Evaluation:
    e = get_evaluation(request, evaluation_id)
    e.snapshot = _state(request, e)  # shown, never saved (a draft's live state)
    return e


@router.patch("/plan/evaluations/{evaluation_id}", response=EvaluationOut)
def update_evaluation(
    request: HttpRequest, evaluation_id: int, payload: EvaluationPatch
) -> Evaluation:
    """Change a draft (label, date, comments); a frozen evaluation is a 409."""
    e = get_evaluation(request, evaluation_id)
    services.update_evaluation(actor(request), e, **payload.dict(exclude_unset=True))
    return get_evaluation(request, evaluation_id)


@router.post("/plan/evaluations/{evaluation_id}/freeze", response=EvaluationDetail)
def freeze_evaluation(request: HttpRequest, evaluation_id: int) -> Evaluation:
    """Freeze the state at the evaluation's date; it never changes again (409 if frozen)."""
    e = services.freeze_evaluation(actor(request), get_evaluation(request, evaluation_id))
    return get_evaluation(request, e.pk)


@router.delete("/plan/evaluations/{evaluation_id}", response={204: None})
def delete_evaluation(request: HttpRequest, evaluation_id: int) -> HttpResponse:
    """Delete a draft; a frozen evaluation is a 409."""
    services.delete_evaluation(actor(request), get_evaluation(request, evaluation_id))
    return HttpResponse(status=204)


# --- deadlines ----------------------------------------------------------------------------------


@router.get("/plan/deadlines", response=list[dict[str, Any]])
def list_deadlines(request: HttpRequest, query: Query[DeadlineQuery]) -> list[dict[str, Any]]:
    """What is due: AGEC declaration (30 June), yearly report, evaluations, action due dates,
    warranty ends; from `date_from` to `date_to` included, by date."""
    org = _organisation(request, query.organisation)
    start = query.date_from or timezone.localdate()
    end = query.date_to or start.replace(year=start.year + 1)
    if end < start:
        raise DomainError("date_to est avant date_from.", field="date_to")
    if (end - start).days > 5 * 366:
        raise DomainError("Cinq ans au plus.", field="date_to")
    return [d.as_dict() for d in deadlines(org, start, end)]


# --- strategy and yearly report -----------------------------------------------------------------


class StrategyQuery(Schema):
    organisation: str = Field(description="Organisation slug")
    year: int | None = Field(None, description="Version in force that year (default the latest)")


class AnnualReportQuery(Schema):
    organisation: str = Field(description="Organisation slug")
    year: int | None = Field(None, description="Calendar year, 2000 to this year (default this)")


@router.get("/plan/strategy", response=dict[str, Any])
def read_strategy(request: HttpRequest, query: Query[StrategyQuery]) -> dict[str, Any]:
    """The responsible-digital strategy (loi REEN art. 35, décret 2022-1084): the version in
    force in `year` (`strategy`: null when none is written), each legal part's live figures
    from impactnum (`live`, computed today) and the legal basis."""
    from impactnum.web.plan import strategy as strategies

    org = _organisation(request, query.organisation)
    chosen = strategies.strategy_for(org, query.year)
    return {
        "organisation": org.slug,
        "legal_basis": str(strategies.LEGAL_BASIS),
        "versions": [v.year for v in strategies.versions(org)],
        "strategy": strategies.strategy_dict(chosen),
        "live": strategies.live_data(actor(request), org),
    }


@router.get("/plan/annual-report", response=dict[str, Any])
def read_annual_report(request: HttpRequest, query: Query[AnnualReportQuery]) -> dict[str, Any]:
    """The yearly report's figures (the same data as its page, PDF and DOCX): fleet footprint
    with its band and factor set, quotas, reuse chain outputs, projects' net balances,
    commitments' progress and the strategy's objectives with indicators. A year out of range
    is a 400 naming `year`."""
    from impactnum.web.plan.annual_report import annual_report

    org = _organisation(request, query.organisation)
    today = timezone.localdate()
    return annual_report(actor(request), org, query.year or today.year, today=today)
