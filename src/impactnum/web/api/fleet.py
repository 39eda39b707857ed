"""The fleet: assets (the list's filters, search and sorting), their history, status changes and
repairs; the fleet's indicators, footprint, quotas and AGEC declaration.

Reads are filtered by `organisations_for(caller)`: another organisation's asset is a 404.
Writes go through `fleet.services` (403 without the edit_fleet capability, 400 when a rule
refuses, 409 when `expected_version` is not the asset's version: someone changed it meanwhile).
"""

import datetime as dt
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from impactnum.calculation import json_ready
from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import EDIT_FLEET, VIEW, organisations_for, require
from impactnum.web.fleet import (
    declaration,
    footprint,
    handover,
    indicators,
    quotas,
    scenarios,
    services,
)
from impactnum.web.fleet.choices import AssetStatus, RepairBarrier, RepairOutcome
from impactnum.web.fleet.filters import SORTS, AssetFilters
from impactnum.web.fleet.indicators import with_lifespan
from impactnum.web.fleet.models import Asset, AssetEvent, Department, Location, Repair
from impactnum.web.projects.choices import KIND_CHOICES

from .auth import actor
from .pagination import Pagination
from .reuse import MediumIn
from .schemas import CSV_RESPONSE, MAX_ID, StrictSchema, model_input

router = Router(tags=["fleet"])

FK_FIELDS = ("department", "location")
_PLAIN = tuple(f for f in services.ASSET_FIELDS if f not in FK_FIELDS)
KIND_CODES = tuple(code for code, _label in KIND_CHOICES)


# --- access -------------------------------------------------------------------------------------


def visible_assets(request: HttpRequest) -> QuerySet[Asset]:
    return Asset.objects.filter(organisation__in=organisations_for(actor(request), VIEW))


def get_asset(request: HttpRequest, asset_id: int) -> Asset:
    """The asset if the caller may see it; 404 otherwise (existence is not revealed)."""
    return get_object_or_404(
        visible_assets(request).select_related("organisation", "department", "location"),
        pk=asset_id,
    )


def visible_organisation(request: HttpRequest, slug: str) -> Organisation:
    return get_object_or_404(organisations_for(actor(request), VIEW), slug=slug)


def _related(asset_org: Organisation, fields: dict[str, Any]) -> dict[str, Any]:
    """Department and location ids → objects of the asset's organisation (else 400)."""
    out = dict(fields)
    for name, model in (("department", Department), ("location", Location)):
        if name in out and out[name] is not None:
            obj = model.objects.filter(pk=out[name], organisation=asset_org).first()
            if obj is None:
                raise DomainError(
                    f"{name} {out[name]} n'existe pas dans l'organisation « {asset_org} ».",
                    field=name,
                )
            out[name] = obj
    return out


# --- schemas ------------------------------------------------------------------------------------


class AssetOut(Schema):
    id: int
    organisation: str = Field(description="Organisation slug")
    kind: str
    manufacturer: str
    model: str
    serial_number: str
    inventory_number: str
    department: int | None
    department_name: str | None
    location: int | None
    location_name: str | None
    assigned_to: str
    purchase_date: dt.date | None
    price_excl_vat: float | None
    price_incl_vat: float | None
    supplier: str
    order_reference: str
    warranty_end: dt.date | None
    bought_refurbished: bool
    recycled_material: bool
    received_as_donation: bool
    donation_value: float | None
    expected_lifespan_years: float | None
    storage_media: str
    weee_category: str
    classified: bool
    country: str
    kwh_per_year: float | None
    status: str
    status_changed_at: dt.datetime | None
    retired_on: dt.date | None
    retirement_reason: str
    reuse_proof: str
    version: int = Field(description="Send it back as expected_version to detect conflicts")
    age_years: float | None = Field(None, description="Today − purchase date, in years")
    lifespan_years: float | None = Field(
        None, description="Own expected lifespan, else the organisation's policy for the kind"
    )

    @staticmethod
    def resolve_organisation(obj: Asset) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_department(obj: Asset) -> int | None:
        return obj.department_id

    @staticmethod
    def resolve_location(obj: Asset) -> int | None:
        return obj.location_id

    @staticmethod
    def resolve_department_name(obj: Asset) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_location_name(obj: Asset) -> str | None:
        return obj.location.name if obj.location_id else None

    @staticmethod
    def resolve_age_years(obj: Asset) -> float | None:
        if obj.purchase_date is None:
            return None
        return round((timezone.localdate() - obj.purchase_date).days / 365.25, 3)

    @staticmethod
    def resolve_lifespan_years(obj: Asset) -> float | None:
        if hasattr(obj, "lifespan"):  # annotated by the list (no query per asset)
            return obj.lifespan  # type: ignore[no-any-return]
        return services.policy_lifespan(obj)


class WipeOut(Schema):
    medium: str = Field(description="Type of the storage medium")
    level: str = Field(description="NIST SP 800-88 level: clear, purge or destroy")
    level_label: str
    on: dt.date = Field(description="Day the wipe ended")


class ReuseProofOut(Schema):
    provision_type: str | None = Field(
        None, description="donation, solidarity_sale or loan; null while not provided"
    )
    provision_type_label: str | None = None
    returned_on: dt.date | None = None
    wipes: list[WipeOut] = Field(description="Successful wipe of each medium (the last one)")


class ReuseOut(Schema):
    """What the donor sees of the device in the reuse chain — never who received it."""

    device_id: int
    asset_tag: str
    status: str
    status_label: str
    media: int = Field(description="Storage media registered (held or taken out)")
    wiped: bool = Field(description="Every registered medium has a successful wipe")
    provided: bool
    provided_on: dt.date | None
    proof: ReuseProofOut


class AssetDetailOut(AssetOut):
    reuse: ReuseOut | None = Field(
        None, description="The device in the reuse chain once handed over: status and proof"
    )

    @staticmethod
    def resolve_reuse(obj: Asset) -> dict[str, Any] | None:
        return handover.reuse_summary(obj)


class HandoverIn(StrictSchema):
    lot: int = Field(description="Id of a reuse-chain lot of the asset's organisation")
    asset_tag: str = Field(max_length=40, description="The device's tag in the reuse chain")
    media: list[MediumIn] = Field(default_factory=list, description="Storage media it holds")
    reuse_proof: str = Field(
        "", max_length=300, description="Proof kept on the asset (default: the lot's reference)"
    )


class HandoverOut(Schema):
    device_id: int = Field(description="Id of the device registered in the reuse chain")
    asset_tag: str
    lot: int
    asset: AssetDetailOut


_AssetPatchFields = model_input(Asset, "AssetPatchFields", _PLAIN, partial=True)


class AssetPatch(_AssetPatchFields):  # type: ignore[misc,valid-type]
    department: int | None = Field(None, description="Department id (of the asset's organisation)")
    location: int | None = Field(None, description="Location id (of the asset's organisation)")
    expected_version: int | None = Field(
        None, description="The version you read: 409 if the asset changed since"
    )


class AssetIn(_AssetPatchFields):  # type: ignore[misc,valid-type]
    """Only `organisation` and `kind` are required."""

    kind: Literal[tuple(KIND_CODES)]  # type: ignore[valid-type]
    organisation: str = Field(description="Slug of an organisation where you edit the fleet")
    status: Literal[tuple(AssetStatus.values)] = AssetStatus.IN_SERVICE.value  # type: ignore[valid-type]
    department: int | None = None
    location: int | None = None


class StatusIn(StrictSchema):
    status: Literal[tuple(AssetStatus.values)]  # type: ignore[valid-type]
    reason: str = Field("", description="Required to retire a device younger than its lifespan")
    on: dt.date | None = Field(None, description="Date of the change (default today)")
    reuse_proof: str = Field("", max_length=300, description="Proof of reuse (handed_to_reuse)")
    expected_version: int | None = None


class RepairIn(StrictSchema):
    problem: str
    opened_on: dt.date | None = None


class RepairCloseIn(StrictSchema):
    outcome: Literal[tuple(RepairOutcome.values)]  # type: ignore[valid-type]
    barrier: Literal[("", *RepairBarrier.values)] = Field(  # type: ignore[valid-type]
        "", description="ORDS barrier, required for end_of_life"
    )
    actions: str = ""
    parts: str = ""
    parts_cost: float = Field(0, ge=0)
    minutes_spent: int = Field(0, ge=0)
    closed_on: dt.date | None = None


class RepairOut(Schema):
    id: int
    asset: int
    opened_on: dt.date
    closed_on: dt.date | None
    problem: str
    actions: str
    parts: str
    parts_cost: float
    minutes_spent: int
    outcome: str
    barrier: str
    technician: str | None

    @staticmethod
    def resolve_asset(obj: Repair) -> int:
        return obj.asset_id

    @staticmethod
    def resolve_technician(obj: Repair) -> str | None:
        return obj.technician.get_username() if obj.technician_id else None


class EventOut(Schema):
    id: int
    at: dt.datetime
    actor: str | None
    type: str
    from_status: str
    to_status: str
    data: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: AssetEvent) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None


class AssetQuery(Schema):
    organisation: str | None = Field(None, description="Organisation slug")
    kind: str | None = None
    status: AssetStatus | None = None
    department: int | None = Field(None, ge=1, le=MAX_ID, description="Department id")
    location: int | None = Field(None, ge=1, le=MAX_ID, description="Location id")
    refurbished: bool | None = Field(None, description="Bought refurbished")
    past_lifespan: bool = Field(False, description="Held assets older than their lifespan")
    q: str | None = Field(None, description="Words in model, serial, inventory number, assigned_to")
    sort: Literal[tuple(SORTS)] = "inventory"  # type: ignore[valid-type]


# --- assets -------------------------------------------------------------------------------------


@router.get("/fleet/assets", response=list[AssetOut])
@paginate(Pagination)
def list_assets(request: HttpRequest, filters: Query[AssetQuery]) -> QuerySet[Asset]:
    """Assets of the caller's organisations, with the list page's filters, search and sorting."""
    parsed = AssetFilters.parse({k: v for k, v in filters.dict().items() if v is not None})
    qs = visible_assets(request).select_related("organisation", "department", "location")
    return with_lifespan(parsed.apply(qs))  # type: ignore[return-value]


@router.post("/fleet/assets", response={201: AssetOut})
def create_asset(request: HttpRequest, payload: AssetIn) -> Status:
    """A new asset (technicians, managers and administrators)."""
    fields = payload.dict(exclude_unset=True)
    slug = fields.pop("organisation")
    status = fields.pop("status", AssetStatus.IN_SERVICE)
    org = organisations_for(actor(request), VIEW).filter(slug=slug).first()
    if org is None:
        raise DomainError(
            f"Organisation inconnue ou dont vous n'êtes pas membre : {slug}", field="organisation"
        )
    asset = services.create_asset(actor(request), org, status=status, **_related(org, fields))
    return Status(201, asset)


@router.get("/fleet/assets/{asset_id}", response=AssetDetailOut)
def read_asset(request: HttpRequest, asset_id: int) -> Asset:
    return get_asset(request, asset_id)


@router.patch("/fleet/assets/{asset_id}", response=AssetOut)
def update_asset(request: HttpRequest, asset_id: int, payload: AssetPatch) -> Asset:
    """Change some descriptive fields (not the status); only those sent are changed. With
    `expected_version`, a change made meanwhile is a 409."""
    asset = get_asset(request, asset_id)
    fields = payload.dict(exclude_unset=True)
    version = fields.pop("expected_version", None)
    services.update_asset(
        actor(request), asset, expected_version=version, **_related(asset.organisation, fields)
    )
    return get_asset(request, asset_id)


@router.post("/fleet/assets/{asset_id}/status", response=AssetOut)
def change_status(request: HttpRequest, asset_id: int, payload: StatusIn) -> Asset:
    """Move the asset along its lifecycle; retiring a device younger than its lifespan needs a
    `reason` (400 naming the field otherwise)."""
    asset = get_asset(request, asset_id)
    services.change_status(
        actor(request),
        asset,
        payload.status,
        reason=payload.reason,
        on=payload.on,
        reuse_proof=payload.reuse_proof,
        expected_version=payload.expected_version,
    )
    return get_asset(request, asset_id)


@router.post("/fleet/assets/{asset_id}/handover", response={201: HandoverOut})
def hand_over(request: HttpRequest, asset_id: int, payload: HandoverIn) -> Status:
    """Hand a retired asset to the reuse chain: it moves to handed_to_reuse and a device is
    registered in the lot (same organisation) with its media, linked both ways. Needs
    edit_fleet and edit_reuse (403); 400 naming `lot`, `asset_tag`, `media` or `status`, and
    nothing written."""
    asset = get_asset(request, asset_id)
    require(actor(request), asset.organisation, EDIT_FLEET)
    lot = handover.lot_of(asset, payload.lot)
    device = handover.hand_over(
        actor(request),
        asset,
        lot,
        asset_tag=payload.asset_tag,
        media=[m.dict() for m in payload.media],
        reuse_proof=payload.reuse_proof,
    )
    return Status(
        201,
        {
            "device_id": device.pk,
            "asset_tag": device.asset_tag,
            "lot": lot.pk,
            "asset": get_asset(request, asset_id),
        },
    )


@router.get("/fleet/assets/{asset_id}/events", response=list[EventOut])
@paginate(Pagination)
def list_events(request: HttpRequest, asset_id: int) -> QuerySet[AssetEvent]:
    """The asset's history, oldest first: who, when, what, with before/after data."""
    asset = get_asset(request, asset_id)
    return AssetEvent.objects.filter(asset=asset).select_related("actor")


@router.get("/fleet/assets/{asset_id}/repairs", response=list[RepairOut])
@paginate(Pagination)
def list_repairs(request: HttpRequest, asset_id: int) -> QuerySet[Repair]:
    asset = get_asset(request, asset_id)
    return Repair.objects.filter(asset=asset).select_related("technician")


@router.post("/fleet/assets/{asset_id}/repairs", response={201: RepairOut})
def open_repair(request: HttpRequest, asset_id: int, payload: RepairIn) -> Status:
    """Record a problem; a device in service or spare goes to repair."""
    asset = get_asset(request, asset_id)
    repair = services.open_repair(
        actor(request), asset, problem=payload.problem, opened_on=payload.opened_on
    )
    return Status(201, repair)


@router.post("/fleet/repairs/{repair_id}/close", response=RepairOut)
def close_repair(request: HttpRequest, repair_id: int, payload: RepairCloseIn) -> Repair:
    """Close with the ORDS outcome (end_of_life needs a barrier); fixed → back in service."""
    repair = get_object_or_404(
        Repair.objects.select_related("asset__organisation").filter(
            asset__in=visible_assets(request)
        ),
        pk=repair_id,
    )
    services.close_repair(actor(request), repair, **payload.dict())
    return Repair.objects.select_related("technician").get(pk=repair.pk)


# --- indicators, footprint, quotas, declaration -------------------------------------------------


class OrgQuery(Schema):
    organisation: str = Field(description="Organisation slug")


class FootprintQuery(Schema):
    organisation: str | None = Field(None, description="Organisation slug; default: all yours")
    by: Literal["kind", "department", "organisation"] = "kind"
    factor_set: str = footprint.DEFAULT_FACTOR_SET
    draws: int | None = Field(None, ge=100, le=20_000, description="Monte Carlo draws (P5–P95)")
    trend: bool = Field(False, description="Add the footprint of the fleet held at each year end")


class YearQuery(OrgQuery):
    year: int = Field(default_factory=lambda: timezone.localdate().year, ge=2000, le=2100)


@router.get("/fleet/indicators", response=dict[str, Any], tags=["fleet indicators"])
def fleet_indicators(request: HttpRequest, query: Query[OrgQuery]) -> dict[str, Any]:
    """Fleet size by kind and status, average age, age at retirement, repair and success rates,
    refurbished purchases, past lifespan and renewals due within 12 months."""
    org = visible_organisation(request, query.organisation)
    return indicators.fleet_indicators(org)


@router.get("/fleet/footprint", response=dict[str, Any], tags=["fleet indicators"])
def fleet_footprint(request: HttpRequest, query: Query[FootprintQuery]) -> dict[str, Any]:
    """Annual footprint of the assets held now, per criterion, phase and group, with low/high;
    with `trend=true`, also per year (`trend`)."""
    if query.organisation:
        orgs = [visible_organisation(request, query.organisation)]
    else:
        orgs = list(organisations_for(actor(request), VIEW))
    result = footprint.fleet_footprint(
        orgs, factor_set=query.factor_set, by=query.by, draws=query.draws
    )
    if query.trend:
        result["trend"] = footprint.footprint_trend(orgs, factor_set=query.factor_set)
    return json_ready(result)  # type: ignore[no-any-return]


class ScenarioQuery(Schema):
    organisation: str | None = Field(None, description="Organisation slug; default: all yours")
    lifespan_years: float | None = Field(
        None, ge=1, le=30, description="Extend every lifespan to at least this (e.g. 7 years)"
    )
    refurbished_share: float = Field(
        0, ge=0, le=100, description="Percent (0–100) of new purchases bought refurbished"
    )
    horizon_years: float = Field(5, ge=1, le=30, description="Horizon of the totals, in years")
    factor_set: str = footprint.DEFAULT_FACTOR_SET
    draws: int = Field(1000, ge=100, le=20_000, description="Monte Carlo draws (P5–P95)")


@router.get("/fleet/scenario", response=dict[str, Any], tags=["fleet indicators"])
def fleet_scenario(request: HttpRequest, query: Query[ScenarioQuery]) -> dict[str, Any]:
    """Lifespan extension and/or refurbished purchases against the fleet held now: avoided
    impacts per criterion per year and over the horizon (value, P5–P95, probability that the
    variant is lower) and renewal cost savings with their range. `scenario.refurbished_share`
    in the answer is a fraction (0–1); 400 if neither a lifespan nor a share is given."""
    if query.organisation:
        orgs = [visible_organisation(request, query.organisation)]
    else:
        orgs = list(organisations_for(actor(request), VIEW))
    if query.lifespan_years is None and not query.refurbished_share:
        raise DomainError(
            "Indiquez lifespan_years ou refurbished_share (sinon rien ne change).",
            field="lifespan_years",
        )
    result = scenarios.fleet_scenario(
        orgs,
        lifespan_years=query.lifespan_years,
        refurbished_share=query.refurbished_share / 100,
        horizon_years=query.horizon_years,
        factor_set=query.factor_set,
        draws=query.draws,
    )
    return json_ready(result)  # type: ignore[no-any-return]


@router.get("/fleet/quotas", response=dict[str, Any], tags=["fleet indicators"])
def fleet_quotas(request: HttpRequest, query: Query[YearQuery]) -> dict[str, Any]:
    """AGEC art. 58 purchase shares and décret 2023-266 reuse share of `year`, each with its
    target and trajectory."""
    org = visible_organisation(request, query.organisation)
    return json_ready(  # type: ignore[no-any-return]
        {
            "organisation": org.slug,
            "year": query.year,
            "agec_art58_it": quotas.agec_purchases(org, query.year),
            "decret_2023_266_reuse": quotas.retired_reuse(org, query.year),
        }
    )


@router.get(
    "/fleet/declaration",
    tags=["fleet indicators"],
    openapi_extra=CSV_RESPONSE,
)
def fleet_declaration(request: HttpRequest, query: Query[YearQuery]) -> HttpResponse:
    """The AGEC art. 58 declaration of `year` as CSV (data.gouv.fr schema
    `schema-declaration-biens-reemploi-reutilisation-recycle`); 400 without a SIRET."""
    org = visible_organisation(request, query.organisation)
    text = declaration.declaration_csv(org, query.year)
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="declaration-agec-{org.slug}-{query.year}.csv"'
    )
    return response
