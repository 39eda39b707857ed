"""The project-file structure (docs/project-file.md) described for the OpenAPI.

This describes; it does not validate: `POST /api/calc` hands the body to the one parser
(`impactnum.io.project_toml.parse_project`), whose messages name each field by its path.
A test keeps these keys equal to the parser's.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict


class _Doc(Schema):
    model_config = ConfigDict(extra="forbid")


class ProjectHeader(_Doc):
    name: str
    description: str | None = None
    organisation: str | None = None
    horizon_years: float | None = Field(None, gt=0, description="Default 5")
    factors: str | None = Field(None, description="SET or SET@VERSION; default ademe-2022")
    discount_rate: float | None = Field(None, ge=0, description="Per year; default 0.032")


class EquipmentDoc(_Doc):
    kind: str = Field(description="A kind code of engine/kinds.py")
    quantity: float = Field(ge=0)
    lifespan_years: float | None = Field(None, gt=0)
    kwh_per_year: float | None = Field(None, ge=0)
    active_w: float | None = Field(None, ge=0)
    idle_w: float | None = Field(None, ge=0)
    hours_per_day: float | None = Field(None, ge=0, le=24)
    days_per_year: float | None = Field(None, ge=0, le=366)
    pue: float | None = Field(None, ge=1)
    refurbished: bool | None = None
    in_datacenter: bool | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-3")
    label: str | None = None


class NetworkDoc(_Doc):
    kind: str = Field(description="fixed | mobile")
    gb_per_year: float = Field(ge=0)
    label: str | None = None


class AvoidedDoc(_Doc):
    flow: str = Field(description="A flow code of engine/flows.py")
    quantity_per_year: float = Field(ge=0, description="In the flow's unit")
    low: float | None = None
    high: float | None = None
    country: str | None = None
    label: str | None = None
    source: str | None = None


class CostsDoc(_Doc):
    capex: float | None = None
    capex_low: float | None = None
    capex_high: float | None = None
    opex_per_year: float | None = None
    opex_per_year_low: float | None = None
    opex_per_year_high: float | None = None
    avoided_costs_per_year: float | None = None
    avoided_costs_per_year_low: float | None = None
    avoided_costs_per_year_high: float | None = None
    sroi_inputs: float | None = None
    source: str | None = None


class SroiDoc(_Doc):
    outcome: str
    stakeholder: str | None = None
    indicator: str | None = None
    quantity: float = Field(ge=0)
    proxy_eur: float
    proxy_source: str | None = None
    duration_years: float | None = Field(None, gt=0)
    deadweight: float | None = Field(None, ge=0, le=1)
    attribution: float | None = Field(None, ge=0, le=1)
    displacement: float | None = Field(None, ge=0, le=1)
    drop_off: float | None = Field(None, ge=0, le=1)


class ScenarioDoc(_Doc):
    name: str
    description: str | None = None
    equipment: list[EquipmentDoc] | None = None
    network: list[NetworkDoc] | None = None
    avoided: list[AvoidedDoc] | None = None
    costs: CostsDoc | None = None
    social: dict[str, float] | None = Field(None, description="Indicator code → value")
    sroi: list[SroiDoc] | None = None


class OverrideDoc(_Doc):
    family: str = Field(description="device | electricity | network | avoided | kind | parameter")
    key: str
    phase: str | None = None
    criterion: str
    value: float
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    source: str
    note: str | None = None


class ProjectDocument(_Doc):
    """A project as in a TOML project file; the first scenario is the baseline."""

    project: ProjectHeader
    scenarios: list[ScenarioDoc] = Field(min_length=1)
    overrides: list[OverrideDoc] | None = None


def document_keys() -> dict[str, set[str]]:
    """Keys of each table, for the test that keeps this description equal to the parser."""
    models: dict[str, Any] = {
        "top": ProjectDocument,
        "project": ProjectHeader,
        "scenario": ScenarioDoc,
        "equipment": EquipmentDoc,
        "network": NetworkDoc,
        "avoided": AvoidedDoc,
        "costs": CostsDoc,
        "sroi": SroiDoc,
        "override": OverrideDoc,
    }
    return {name: set(model.model_fields) for name, model in models.items()}
