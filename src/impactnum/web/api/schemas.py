"""Request and response bodies of the API, as they appear in /api/openapi.json.

Inputs built from models (`model_input`) take their types, bounds of choice and defaults from
the Django fields, so the model stays the one definition; they refuse unknown keys (a typo
never passes silently, as in project files). Validation beyond types is the services' job.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from django.db import models
from ninja import Field, Schema
from ninja.orm import create_schema
from pydantic import AfterValidator, ConfigDict, field_validator

from impactnum.web.core import models as core_models
from impactnum.web.projects import services as project_services
from impactnum.web.projects.models import (
    CalculationSnapshot,
    FactorOverride,
    Project,
    Scenario,
)


class StrictSchema(Schema):
    """An input body: unknown keys are refused with a 422 naming them."""

    model_config = ConfigDict(extra="forbid")


def _choice_type(field: models.Field, optional: bool) -> tuple[Any, Any]:
    codes = tuple(str(value) for value, _label in field.flatchoices)
    literal: Any = Literal[codes]  # type: ignore[valid-type]
    if optional or field.null:
        literal = literal | None
    if optional:
        default: Any = None
    elif field.has_default():
        default = field.default
    else:
        default = ...
    return literal, Field(default, title=str(field.verbose_name), description=", ".join(codes))


def _null_clears_text(model: type[models.Model], fields: tuple[str, ...]) -> type[StrictSchema]:
    """A base where `null` on a text that may be empty but not null (a label, a description)
    is the empty text: the OpenAPI documents such a field as nullable, and the database would
    refuse the null (a 500)."""
    texts = frozenset(
        f
        for f in fields
        if isinstance(model._meta.get_field(f), models.CharField | models.TextField)
        and model._meta.get_field(f).blank
        and not model._meta.get_field(f).null
    )

    if not texts:
        return StrictSchema

    class NullClearsText(StrictSchema):
        null_is_empty_text = null_is_empty(*texts, check_fields=False)

    return NullClearsText


def null_is_empty(*texts: str, check_fields: bool = True) -> Any:
    """A field validator: `null` on these texts (that may be empty, never null, in the database)
    is the empty text. In a body: `null_is_empty_text = null_is_empty("description")`."""

    def to_empty(cls: Any, value: Any) -> Any:
        return "" if value is None else value

    return field_validator(*texts, mode="before", check_fields=check_fields)(to_empty)


def model_input(
    model: type[models.Model], name: str, fields: tuple[str, ...], *, partial: bool = False
) -> type[Schema]:
    """An input schema for these model fields; `partial` (PATCH) makes every field optional.
    `null` on a text that may be empty is an empty text.

    Choice fields become enumerations, so the OpenAPI lists the allowed codes."""
    custom = [
        (f, *_choice_type(model._meta.get_field(f), partial))
        for f in fields
        if model._meta.get_field(f).choices
    ]
    return create_schema(
        model,
        name=name,
        fields=list(fields),
        optional_fields="__all__" if partial else None,  # type: ignore[arg-type]
        custom_fields=custom,
        base_class=_null_clears_text(model, fields),
    )


def model_output(model: type[models.Model], name: str, fields: tuple[str, ...]) -> type[Schema]:
    return create_schema(model, name=name, fields=["id", *fields])


MAX_ID = core_models.MAX_ID  # an id query parameter above it is a 422

MAX_UTC_OFFSET = timedelta(hours=14)


def _real_utc_offset(value: datetime) -> datetime:
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValueError("UTC offset beyond ±14:00")
    return value


Moment = Annotated[datetime, AfterValidator(_real_utc_offset)]
"""A date and time with a real UTC offset (±14:00 at most): PostgreSQL refuses an offset beyond
±15:59, which would reach it as a 500."""

CSV_RESPONSE: dict[str, Any] = {
    "responses": {
        200: {
            "description": "CSV (UTF-8, comma-separated, with a header row)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}
"""`openapi_extra` of an operation answering a CSV file (declared without `response=`, so
that the OpenAPI does not also list a JSON body)."""


# --- lists --------------------------------------------------------------------------------------


class Page(Schema):
    """Every list answers {count, items}; `limit` (1–500, default 100) and `offset` select."""

    count: int
    items: list[Any]


# --- organisations ----------------------------------------------------------------------------


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    siret: str
    role: str = Field(description="The caller's role in this organisation.")


OVERRIDE_FIELDS = (
    "family",
    "key",
    "phase",
    "criterion",
    "value",
    "low",
    "high",
    "unit",
    "source",
)
OverrideIn = model_input(FactorOverride, "OverrideIn", OVERRIDE_FIELDS)


class OverrideOut(Schema):
    id: int
    organisation: str
    family: str
    key: str
    phase: str
    criterion: str
    value: float
    low: float | None
    high: float | None
    unit: str
    source: str
    created_at: datetime

    @staticmethod
    def resolve_organisation(obj: FactorOverride) -> str:
        return obj.organisation.slug


# --- projects -----------------------------------------------------------------------------------

_ProjectFields = model_input(Project, "ProjectFields", project_services.PROJECT_FIELDS)


class ProjectIn(_ProjectFields):  # type: ignore[misc,valid-type]
    organisation: str = Field(description="Slug of an organisation where you edit projects.")


ProjectPatch = model_input(Project, "ProjectPatch", project_services.PROJECT_FIELDS, partial=True)


class ProjectOut(Schema):
    id: int
    organisation: str = Field(description="Organisation slug")
    name: str
    description: str
    status: str
    horizon_years: int
    factor_set: str
    discount_rate: float
    owner: str | None = Field(description="Username of the person responsible")
    created_at: datetime
    updated_at: datetime
    scenarios: int = Field(description="Number of scenarios (the first is the baseline)")

    @staticmethod
    def resolve_organisation(obj: Project) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_owner(obj: Project) -> str | None:
        return obj.owner.get_username() if obj.owner else None

    @staticmethod
    def resolve_scenarios(obj: Project) -> int:
        count = getattr(obj, "scenario_count", None)
        return count if count is not None else obj.scenarios.count()


# --- scenarios and lines ----------------------------------------------------------------------

LINE_IN = {
    line_type: model_input(
        model, f"{line_type.capitalize()}LineIn", project_services.line_fields(line_type)
    )
    for line_type, model in project_services.LINE_MODELS.items()
}
LINE_PATCH = {
    line_type: model_input(
        model,
        f"{line_type.capitalize()}LinePatch",
        project_services.line_fields(line_type),
        partial=True,
    )
    for line_type, model in project_services.LINE_MODELS.items()
}
LINE_OUT = {
    line_type: model_output(
        model, f"{line_type.capitalize()}LineOut", project_services.line_fields(line_type)
    )
    for line_type, model in project_services.LINE_MODELS.items()
}
EquipmentLineOut = LINE_OUT["equipment"]
NetworkLineOut = LINE_OUT["network"]
AvoidedLineOut = LINE_OUT["avoided"]
SroiLineOut = LINE_OUT["sroi"]


class ScenarioIn(StrictSchema):
    name: str
    copy_from: int | None = Field(
        None, description="Id of a scenario of the same project to copy (lines, costs, social)"
    )


ScenarioPatch = model_input(
    Scenario, "ScenarioPatch", ("name", *project_services.COST_FIELDS), partial=True
)


class ScenarioOut(Schema):
    id: int
    project: int
    name: str
    position: int
    is_baseline: bool
    capex: float
    opex_per_year: float
    avoided_costs_per_year: float
    social: dict[str, float] = Field(description="Social indicator code → value")
    equipment: list[EquipmentLineOut]  # type: ignore[valid-type]
    network: list[NetworkLineOut]  # type: ignore[valid-type]
    avoided: list[AvoidedLineOut]  # type: ignore[valid-type]
    sroi: list[SroiLineOut]  # type: ignore[valid-type]

    @staticmethod
    def resolve_project(obj: Scenario) -> int:
        return obj.project_id  # type: ignore[attr-defined,no-any-return]

    @staticmethod
    def resolve_social(obj: Scenario) -> dict[str, float]:
        return {v.code: v.value for v in obj.social.all()}


class SocialValueIn(StrictSchema):
    value: float | None = Field(description="The indicator's value; null clears it")


# --- results and snapshots --------------------------------------------------------------------


class CalcResult(Schema):
    """The engine's JSON contract, as `impactnum calc --format json` prints it
    (docs/project-file.md). Nested parts are described there; NaN never appears (null)."""

    model_config = ConfigDict(extra="allow")

    engine_version: str
    factor_set: str = Field(description="name@version actually used")
    criteria: dict[str, Any] = Field(description="Criterion code → unit, labels, description")
    project: dict[str, Any]
    baseline: str = Field(description="Name of the baseline (first) scenario")
    totals: dict[str, Any] = Field(description="Baseline impacts per year, per criterion")
    by_phase: dict[str, Any]
    avoided: dict[str, Any]
    net: dict[str, Any] = Field(description="Impacts − avoided, per criterion: value/low/high")
    economic: dict[str, Any]
    social: dict[str, Any]
    scenarios: list[dict[str, Any]] = Field(description="Every scenario, same keys + detail")
    comparison: list[dict[str, Any]] | None = Field(
        None, description="One entry per variant, compared with the baseline"
    )
    draws: int | None = None
    seed: int | None = None


class ComparisonOut(Schema):
    factor_set: str
    baseline: str
    comparison: list[dict[str, Any]] = Field(
        description="Per variant and criterion: baseline and variant net, difference, "
        "probability_variant_lower; economic_delta (variant − baseline)"
    )


class SnapshotIn(StrictSchema):
    label: str = ""
    draws: int | None = Field(None, ge=1, le=100_000, description="Monte Carlo draws")


class SnapshotOut(Schema):
    id: int
    project: int
    created_at: datetime
    created_by: str | None
    label: str
    factor_set: str
    engine_version: str

    @staticmethod
    def resolve_project(obj: CalculationSnapshot) -> int:
        return obj.project_id  # type: ignore[attr-defined,no-any-return]

    @staticmethod
    def resolve_created_by(obj: CalculationSnapshot) -> str | None:
        return obj.created_by.get_username() if obj.created_by else None


class SnapshotDetail(SnapshotOut):
    inputs: dict[str, Any] = Field(description="document, organisation_overrides, draws")
    result: dict[str, Any] = Field(description="The stored result (same shape as /results)")


# --- factor sets --------------------------------------------------------------------------------


class FactorSetSummary(Schema):
    ref: str = Field(description="name@version, the value of a project's factor_set")
    name: str
    version: str
    title: str
    publisher: str
    licence: str
    url: str
    date: str


class ParameterOut(Schema):
    value: float | None
    low: float | None
    high: float | None
    unit: str
    source: str
    origin: str


class KindDefaultsOut(Schema):
    lifespan_years: float | None
    kwh_per_year: float | None
    kwh_low: float | None
    kwh_high: float | None
    source: str
    origin: str


class FactorOut(Schema):
    id: str = Field(description="family/key/phase/criterion")
    family: str
    key: str
    phase: str
    criterion: str
    value: float | None
    low: float | None
    high: float | None
    unit: str
    source: str
    note: str
    origin: str = Field(description="name@version, 'borrowed from …' or 'override'")
    range_kind: str


class FactorSetDetail(FactorSetSummary):
    default_country: str
    description: str
    coverage: dict[str, dict[str, list[str]]] = Field(
        description="family → phase → criteria the set covers"
    )
    borrow: list[dict[str, Any]] = Field(description="[[borrow]] tables of SOURCE.toml")
    phase_mapping: dict[str, Any]
    sources: dict[str, dict[str, Any]]
    parameters: dict[str, ParameterOut]
    kind_defaults: dict[str, KindDefaultsOut]
    factors: list[FactorOut]


def date_text(value: date | str | None) -> str:
    return "" if value is None else str(value)
