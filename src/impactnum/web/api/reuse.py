"""The reuse chain: devices (find by tag, status, lot), their next steps and every step of the
workbench (triage, status, diagnostics, repairs, sanitisation with the tool's report, quality
release, provision), lots and WEEE shipments.

Reads are filtered by `organisations_for(caller)`: another organisation's object is a 404.
Writes go through `reuse.services` (403 without the edit_reuse capability, 400 when a rule
refuses, naming the field; 409 when `expected_version` is not the device's version).
A beneficiary is named by pseudonym only; the API never returns a beneficiary's details.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from impactnum.web.core.errors import DomainError
from impactnum.web.core.permissions import EDIT_REUSE, VIEW, organisations_for
from impactnum.web.fleet.choices import RepairBarrier, RepairOutcome, WeeeCategory
from impactnum.web.projects.choices import KIND_CHOICES
from impactnum.web.reuse import actions, services
from impactnum.web.reuse.choices import (
    CosmeticGrade,
    DeviceStatus,
    LotOrigin,
    MediumType,
    NistLevel,
    ProvisionType,
    SanitisationResult,
    TriageOutcome,
)
from impactnum.web.reuse.models import (
    Beneficiary,
    Device,
    DeviceRepair,
    Diagnostic,
    Lot,
    Part,
    Party,
    Provision,
    QualityRelease,
    SanitisationRecord,
    StorageMedium,
    TestTemplate,
    WeeeShipment,
)
from impactnum.web.reuse.views import next_steps, status_moves

from .auth import actor
from .pagination import Pagination
from .schemas import MAX_ID, Moment, StrictSchema

router = Router(tags=["reuse"])
KIND_CODES = tuple(code for code, _label in KIND_CHOICES)


# --- access ------------------------------------------------------------------------------------


def _orgs(request: HttpRequest) -> QuerySet:
    return organisations_for(actor(request), VIEW)


def visible_devices(request: HttpRequest) -> QuerySet[Device]:
    return Device.objects.filter(organisation__in=_orgs(request)).select_related(
        "organisation", "lot"
    )


def get_device(request: HttpRequest, device_id: int) -> Device:
    """The device if the caller may see it; 404 otherwise (existence is not revealed)."""
    return get_object_or_404(visible_devices(request), pk=device_id)


def _own(model: Any, organisation: Any, pk: int | None, field: str) -> Any:
    """An object of the device's organisation by id, else a 400 naming the field."""
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk, organisation=organisation).first()
    if obj is None:
        raise DomainError(f"{field} {pk} n'existe pas dans « {organisation} ».", field=field)
    return obj


# --- schemas -----------------------------------------------------------------------------------


class RecordOut(Schema):
    id: int
    level: str
    method: str
    tool: str
    tool_version: str
    verification: str
    operator: str | None
    started_at: dt.datetime
    ended_at: dt.datetime
    result: str
    report_sha256: str

    @staticmethod
    def resolve_operator(obj: SanitisationRecord) -> str | None:
        return obj.operator.get_username() if obj.operator_id else None


class MediumOut(Schema):
    id: int
    type: str
    serial_number: str
    capacity_gb: int | None
    held: bool = Field(description="Still in the device (false: removed, tracked on its own)")
    sanitised: bool = Field(description="Has a successful sanitisation record")
    sanitisations: list[RecordOut]


class DeviceOut(Schema):
    id: int
    organisation: str = Field(description="Organisation slug")
    lot: int
    lot_reference: str
    asset_tag: str
    kind: str
    brand: str
    model: str
    serial_number: str
    year: int | None
    mass_kg: Decimal | None
    cpu: str
    ram_gb: int | None
    battery_health_pct: int | None
    weee_category: str
    status: str
    triage_outcome: str
    triage_reason: str
    version: int = Field(description="Send it back as expected_version to detect conflicts")

    @staticmethod
    def resolve_organisation(obj: Device) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_lot(obj: Device) -> int:
        return obj.lot_id

    @staticmethod
    def resolve_lot_reference(obj: Device) -> str:
        return obj.lot.reference


class DeviceDetailOut(DeviceOut):
    released: bool = Field(description="Every medium it holds is sanitised")
    next_steps: list[str] = Field(description="Steps the services allow from this status")
    status_moves: list[str] = Field(description="Statuses POST …/status accepts from here")
    media: list[MediumOut] = Field(description="Held media, then those taken out of it")

    @staticmethod
    def resolve_released(obj: Device) -> bool:
        return services.is_released(obj)

    @staticmethod
    def resolve_next_steps(obj: Device) -> list[str]:
        return next_steps(obj)

    @staticmethod
    def resolve_status_moves(obj: Device) -> list[str]:
        return status_moves(obj)

    @staticmethod
    def resolve_media(obj: Device) -> list[dict[str, Any]]:
        media = [(m, True) for m in obj.media.all()] + [(m, False) for m in obj.removed_media.all()]
        return [
            {
                "id": m.pk,
                "type": m.type,
                "serial_number": m.serial_number,
                "capacity_gb": m.capacity_gb,
                "held": held,
                "sanitised": m.sanitised,
                "sanitisations": list(m.sanitisations.select_related("operator")),
            }
            for m, held in media
        ]


def device_detail(device: Device) -> Device:
    """The device as stored now (after a step), for `DeviceDetailOut`."""
    return Device.objects.select_related("organisation", "lot").get(pk=device.pk)


class DeviceQuery(Schema):
    tag: str | None = Field(None, description="Asset tag (exact, case-insensitive)")
    status: DeviceStatus | None = None
    lot: int | None = Field(None, ge=1, le=MAX_ID, description="Lot id")
    organisation: str | None = Field(None, description="Organisation slug")


class TriageIn(StrictSchema):
    outcome: Literal[tuple(TriageOutcome.values)]  # type: ignore[valid-type]
    reason: str = Field("", description="Required for parts and recycling")
    expected_version: int | None = None


class StatusIn(StrictSchema):
    status: Literal[tuple(DeviceStatus.values)]  # type: ignore[valid-type]
    reason: str = ""
    expected_version: int | None = None


class DiagnosticIn(StrictSchema):
    template: int = Field(description="Test template id (of the device's organisation)")
    results: dict[str, Literal["pass", "fail", "na"]] = Field(
        description="Every item code of the template → pass, fail or na"
    )


class DiagnosticOut(Schema):
    id: int
    template: int
    results: dict[str, str]
    passed: bool
    at: dt.datetime

    @staticmethod
    def resolve_template(obj: Diagnostic) -> int:
        return obj.template_id


class RepairIn(StrictSchema):
    problem: str
    outcome: Literal[tuple(RepairOutcome.values)]  # type: ignore[valid-type]
    actions: str = ""
    barrier: Literal[("", *RepairBarrier.values)] = Field(  # type: ignore[valid-type]
        "", description="ORDS barrier, required for end_of_life"
    )
    minutes_spent: int = Field(0, ge=0)
    parts: list[int] = Field(default_factory=list, description="Ids of parts in stock")
    on: dt.date | None = None


class RepairOut(Schema):
    id: int
    event_date: dt.date
    problem: str
    actions: str
    outcome: str
    barrier: str
    minutes_spent: int
    parts: list[int]

    @staticmethod
    def resolve_parts(obj: DeviceRepair) -> list[int]:
        return list(obj.parts_used.values_list("pk", flat=True))


class ReleaseIn(StrictSchema):
    checklist_passed: bool
    grade: Literal[tuple(CosmeticGrade.values)]  # type: ignore[valid-type]
    battery_health_pct: int | None = Field(None, ge=0, le=100)


class ReleaseOut(Schema):
    id: int
    checklist_passed: bool
    grade: str
    battery_health_pct: int | None
    at: dt.datetime
    device_status: str

    @staticmethod
    def resolve_device_status(obj: QualityRelease) -> str:
        return Device.objects.get(pk=obj.device_id).status


class ProvisionIn(StrictSchema):
    type: Literal[tuple(ProvisionType.values)]  # type: ignore[valid-type]
    beneficiary: str | None = Field(None, description="Beneficiary pseudonym")
    recipient: int | None = Field(None, description="Recipient organisation (party id)")
    price_eur: Decimal = Field(Decimal(0), ge=0, description="Solidarity sales only")
    unit_value_eur: Decimal | None = Field(None, ge=0)
    on: dt.date | None = None
    expected_version: int | None = None


class ProvisionOut(Schema):
    id: int
    device: int
    type: str
    beneficiary: str | None = Field(description="Pseudonym")
    recipient: int | None
    price_eur: Decimal
    unit_value_eur: Decimal | None
    provided_on: dt.date
    guarantee_until: dt.date | None
    presumption_until: dt.date | None

    @staticmethod
    def resolve_device(obj: Provision) -> int:
        return obj.device_id

    @staticmethod
    def resolve_beneficiary(obj: Provision) -> str | None:
        return obj.beneficiary.pseudonym if obj.beneficiary_id else None

    @staticmethod
    def resolve_recipient(obj: Provision) -> int | None:
        return obj.recipient_id


class SanitisationIn(StrictSchema):
    level: Literal[tuple(NistLevel.values)]  # type: ignore[valid-type]
    method: str = Field(max_length=100)
    tool: str = Field(max_length=100)
    tool_version: str = Field("", max_length=40)
    verification: str = Field("", max_length=100)
    started_at: Moment
    ended_at: Moment
    result: Literal[tuple(SanitisationResult.values)]  # type: ignore[valid-type]


class LotIn(StrictSchema):
    organisation: str = Field(description="Organisation slug")
    reference: str = Field(max_length=40)
    donor: int = Field(description="Donor party id")
    received_on: dt.date
    site: str = ""
    items_declared: int = Field(0, ge=0)
    weight_kg: Decimal = Field(Decimal(0), ge=0)
    origin: Literal[tuple(LotOrigin.values)] = LotOrigin.REEMPLOI.value  # type: ignore[valid-type]


class LotOut(Schema):
    id: int
    organisation: str
    reference: str
    donor: int
    donor_name: str
    received_on: dt.date
    site: str
    items_declared: int
    weight_kg: Decimal
    origin: str
    devices: int

    @staticmethod
    def resolve_organisation(obj: Lot) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_donor(obj: Lot) -> int:
        return obj.donor_id

    @staticmethod
    def resolve_donor_name(obj: Lot) -> str:
        return obj.donor.name

    @staticmethod
    def resolve_devices(obj: Lot) -> int:
        return obj.devices.count()


class MediumIn(StrictSchema):
    type: Literal[tuple(MediumType.values)]  # type: ignore[valid-type]
    serial_number: str = ""
    capacity_gb: int | None = Field(None, ge=0)


class DeviceIn(StrictSchema):
    asset_tag: str = Field(max_length=40)
    kind: Literal[KIND_CODES]  # type: ignore[valid-type]
    brand: str = ""
    model: str = ""
    serial_number: str = ""
    year: int | None = None
    mass_kg: Decimal | None = Field(None, ge=0)
    media: list[MediumIn] = Field(default_factory=list)


class ShipmentIn(StrictSchema):
    recycler: int = Field(description="Recycler or eco-organisation (party id)")
    weee_category: Literal[tuple(WeeeCategory.values)]  # type: ignore[valid-type]
    weight_kg: Decimal = Field(Decimal(0), ge=0)


class ShipmentDeviceIn(StrictSchema):
    device: int


class ShipIn(StrictSchema):
    tracking_reference: str = Field("", max_length=100)
    on: dt.date | None = None
    weight_kg: Decimal | None = Field(None, ge=0)


class ShipmentOut(Schema):
    id: int
    organisation: str
    recycler: int
    recycler_name: str
    weee_category: str
    shipped_on: dt.date | None
    weight_kg: Decimal
    tracking_reference: str
    has_certificate: bool
    devices: list[int]

    @staticmethod
    def resolve_organisation(obj: WeeeShipment) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_recycler(obj: WeeeShipment) -> int:
        return obj.recycler_id

    @staticmethod
    def resolve_recycler_name(obj: WeeeShipment) -> str:
        return obj.recycler.name

    @staticmethod
    def resolve_has_certificate(obj: WeeeShipment) -> bool:
        return bool(obj.certificate)

    @staticmethod
    def resolve_devices(obj: WeeeShipment) -> list[int]:
        return list(obj.devices.values_list("pk", flat=True))


# --- devices -----------------------------------------------------------------------------------


@router.get("/reuse/devices", response=list[DeviceOut])
@paginate(Pagination)
def list_devices(request: HttpRequest, filters: Query[DeviceQuery]) -> QuerySet[Device]:
    """Devices of the caller's organisations; `tag` finds the one a scanner read."""
    qs = visible_devices(request)
    if filters.tag:
        qs = qs.filter(asset_tag__iexact=filters.tag.strip())
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.lot is not None:
        qs = qs.filter(lot_id=filters.lot)
    if filters.organisation:
        qs = qs.filter(organisation__slug=filters.organisation)
    return qs.order_by("asset_tag", "pk")


@router.get("/reuse/devices/{device_id}", response=DeviceDetailOut)
def read_device(request: HttpRequest, device_id: int) -> Device:
    """The device, its media with their sanitisation records, and its next steps."""
    return device_detail(get_device(request, device_id))


@router.post("/reuse/devices/{device_id}/triage", response=DeviceDetailOut)
def triage_device(request: HttpRequest, device_id: int, payload: TriageIn) -> Device:
    """Orient the device: reuse, parts or recycling (the last two need a reason)."""
    device = get_device(request, device_id)
    services.triage(
        actor(request),
        device,
        payload.outcome,
        payload.reason,
        expected_version=payload.expected_version,
    )
    return device_detail(device)


@router.post("/reuse/devices/{device_id}/status", response=DeviceDetailOut)
def change_device_status(request: HttpRequest, device_id: int, payload: StatusIn) -> Device:
    """Move the device to one of `status_moves` (or lost); guards: media wiped to leave
    custody, a reason to recycle…"""
    device = get_device(request, device_id)
    if payload.status not in [*status_moves(device), DeviceStatus.LOST]:
        raise DomainError(
            f"« {payload.status} » ne s'atteint pas par ce point d'accès depuis « {device.status} »"
            f" : statuts possibles {status_moves(device)} ou lost ; le tri, le diagnostic, le "
            "contrôle qualité, la remise et les envois DEEE ont leur propre point d'accès.",
            field="status",
        )
    services.change_status(
        actor(request),
        device,
        payload.status,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return device_detail(device)


@router.post("/reuse/devices/{device_id}/diagnostics", response={201: DiagnosticOut})
def diagnose_device(request: HttpRequest, device_id: int, payload: DiagnosticIn) -> Status:
    """A diagnostic against a checklist; every item must be answered."""
    device = get_device(request, device_id)
    template = _own(TestTemplate, device.organisation, payload.template, "template")
    return Status(201, services.diagnose(actor(request), device, template, payload.results))


@router.post("/reuse/devices/{device_id}/repairs", response={201: RepairOut})
def repair_device(request: HttpRequest, device_id: int, payload: RepairIn) -> Status:
    """A repair with its ORDS outcome; parts from the stock are marked used."""
    device = get_device(request, device_id)
    parts = [_own(Part, device.organisation, pk, "parts") for pk in payload.parts]
    repair = services.record_repair(
        actor(request),
        device,
        problem=payload.problem,
        outcome=payload.outcome,
        actions=payload.actions,
        barrier=payload.barrier,
        minutes_spent=payload.minutes_spent,
        parts=parts,
        on=payload.on,
    )
    return Status(201, repair)


@router.post("/reuse/devices/{device_id}/release", response={201: ReleaseOut})
def release_device(request: HttpRequest, device_id: int, payload: ReleaseIn) -> Status:
    """Quality release at status qa; passed (and every medium wiped) → ready."""
    device = get_device(request, device_id)
    return Status(201, services.release(actor(request), device, **payload.dict()))


@router.post("/reuse/devices/{device_id}/provision", response={201: ProvisionOut})
def provide_device(request: HttpRequest, device_id: int, payload: ProvisionIn) -> Status:
    """Give, sell at a solidarity price (capped for public donors) or lend a ready device."""
    device = get_device(request, device_id)
    beneficiary = None
    if payload.beneficiary:
        beneficiary = Beneficiary.objects.filter(
            organisation=device.organisation,
            pseudonym=payload.beneficiary,
            anonymised_at__isnull=True,
        ).first()
        if beneficiary is None:
            raise DomainError("Pseudonyme inconnu.", field="beneficiary")
    recipient = _own(Party, device.organisation, payload.recipient, "recipient")
    provision = services.provide(
        actor(request),
        device,
        type_=payload.type,
        beneficiary=beneficiary,
        recipient=recipient,
        price_eur=payload.price_eur,
        unit_value_eur=payload.unit_value_eur,
        on=payload.on,
        expected_version=payload.expected_version,
    )
    return Status(201, provision)


@router.post("/reuse/media/{medium_id}/sanitisations", response={201: RecordOut})
def sanitise_medium(
    request: HttpRequest,
    medium_id: int,
    payload: Form[SanitisationIn],
    report: File[UploadedFile] = None,  # type: ignore[assignment]
) -> Status:
    """One wipe of one medium (multipart/form-data; `report`: the tool's report file, whose
    SHA-256 is kept)."""
    medium = get_object_or_404(
        StorageMedium.objects.filter(organisation__in=_orgs(request)), pk=medium_id
    )
    record = services.record_sanitisation(actor(request), medium, report=report, **payload.dict())
    return Status(201, record)


# --- lots ---------------------------------------------------------------------------------------


def visible_lots(request: HttpRequest) -> QuerySet[Lot]:
    return Lot.objects.filter(organisation__in=_orgs(request)).select_related(
        "organisation", "donor"
    )


@router.get("/reuse/lots", response=list[LotOut])
@paginate(Pagination)
def list_lots(request: HttpRequest) -> QuerySet[Lot]:
    return visible_lots(request)


@router.post("/reuse/lots", response={201: LotOut})
def create_lot(request: HttpRequest, payload: LotIn) -> Status:
    """Receive a lot from a donor party of the organisation."""
    fields = payload.dict()
    org = organisations_for(actor(request), EDIT_REUSE).filter(slug=fields.pop("organisation"))
    if not org.exists():
        raise DomainError(
            "Organisation inconnue ou où votre rôle ne permet pas d'agir.", field="organisation"
        )
    org_obj = org.get()
    fields["donor"] = _own(Party, org_obj, fields["donor"], "donor")
    return Status(201, services.receive_lot(actor(request), org_obj, **fields))


@router.get("/reuse/lots/{lot_id}", response=LotOut)
def read_lot(request: HttpRequest, lot_id: int) -> Lot:
    return get_object_or_404(visible_lots(request), pk=lot_id)


@router.post("/reuse/lots/{lot_id}/devices", response={201: DeviceDetailOut})
def register_device(request: HttpRequest, lot_id: int, payload: DeviceIn) -> Status:
    """Register one device of the lot with its storage media (held 'not released')."""
    lot = get_object_or_404(visible_lots(request), pk=lot_id)
    fields = payload.dict()
    media = fields.pop("media")
    tag = fields.pop("asset_tag")
    fields = {k: v for k, v in fields.items() if v not in (None, "")}
    device = services.register_device(actor(request), lot, asset_tag=tag, media=media, **fields)
    return Status(201, device_detail(device))


# --- shipments ---------------------------------------------------------------------------------


def visible_shipments(request: HttpRequest) -> QuerySet[WeeeShipment]:
    return WeeeShipment.objects.filter(organisation__in=_orgs(request)).select_related(
        "organisation", "recycler"
    )


@router.get("/reuse/shipments", response=list[ShipmentOut])
@paginate(Pagination)
def list_shipments(request: HttpRequest) -> QuerySet[WeeeShipment]:
    return visible_shipments(request).order_by("-pk")


@router.post("/reuse/shipments", response={201: ShipmentOut})
def create_shipment(request: HttpRequest, payload: ShipmentIn) -> Status:
    """Open a shipment to a recycler (the recycler's organisation owns it)."""
    recycler = Party.objects.filter(pk=payload.recycler, organisation__in=_orgs(request)).first()
    if recycler is None:
        raise DomainError(f"recycler {payload.recycler} introuvable.", field="recycler")
    shipment = actions.create_shipment(
        actor(request),
        recycler.organisation,
        recycler=recycler,
        weee_category=payload.weee_category,
        weight_kg=payload.weight_kg,
    )
    return Status(201, shipment)


@router.get("/reuse/shipments/{shipment_id}", response=ShipmentOut)
def read_shipment(request: HttpRequest, shipment_id: int) -> WeeeShipment:
    return get_object_or_404(visible_shipments(request), pk=shipment_id)


@router.post("/reuse/shipments/{shipment_id}/devices", response=ShipmentOut)
def add_shipment_device(
    request: HttpRequest, shipment_id: int, payload: ShipmentDeviceIn
) -> WeeeShipment:
    """Add a device triaged for recycling."""
    shipment = get_object_or_404(visible_shipments(request), pk=shipment_id)
    device = _own(Device, shipment.organisation, payload.device, "device")
    services.add_to_shipment(actor(request), shipment, device)
    return visible_shipments(request).get(pk=shipment.pk)


@router.post("/reuse/shipments/{shipment_id}/ship", response=ShipmentOut)
def ship_shipment(request: HttpRequest, shipment_id: int, payload: ShipIn) -> WeeeShipment:
    """The recycler takes it: every device must be released (400 naming `media` otherwise)."""
    shipment = get_object_or_404(visible_shipments(request), pk=shipment_id)
    actions.ship_with_certificate(
        actor(request),
        shipment,
        tracking_reference=payload.tracking_reference,
        weight_kg=payload.weight_kg,
        on=payload.on,
    )
    return visible_shipments(request).get(pk=shipment.pk)
