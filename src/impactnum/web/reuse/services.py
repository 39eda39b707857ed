"""State changes of the reuse chain: atomic, guarded, each writing an append-only event.

The guards that matter most:
- a device that holds storage media is "not released": it may be diagnosed and repaired, but it
  becomes ready, is provided, or leaves custody (shipment, parts) only when every medium it holds
  has a successful sanitisation record; a medium taken out needs its own record before it leaves;
- ready requires a passed quality release; recycling requires a triage reason;
- a public body's device cannot be sold above the solidarity-price cap of its kind nor given
  above the unit-value cap;
- a stale version is a conflict, never a lost update.
"""

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import EDIT_REUSE, VIEW_BENEFICIARIES, require
from impactnum.web.fleet.choices import AssetStatus, RepairOutcome

from . import caps
from .choices import (
    FINAL,
    LEAVES_CUSTODY,
    TRANSITIONS,
    TRIAGE_STATUS,
    DeviceEventType,
    DeviceStatus,
    ProvisionType,
    TriageOutcome,
)
from .models import (
    Beneficiary,
    Device,
    DeviceEvent,
    DeviceRepair,
    Diagnostic,
    Lot,
    Part,
    Party,
    Provision,
    QualityRelease,
    SanitisationRecord,
    StorageMedium,
    SupportSession,
    TestTemplate,
    WeeeShipment,
)

LEGAL_GUARANTEE_MONTHS = 24  # C. conso L.217-3 (used goods sold by a professional)
PRESUMPTION_MONTHS = 12  # C. conso L.217-7 (used goods, since 1 Jan 2022)
DEVICE_FIELDS = (
    "kind",
    "brand",
    "model",
    "serial_number",
    "year",
    "mass_kg",
    "cpu",
    "ram_gb",
    "screen_inches",
    "battery_health_pct",
    "weee_category",
)


OWN_SERVICE = {
    DeviceStatus.PROVIDED: "provide",
    DeviceStatus.IN_SHIPMENT: "add_to_shipment",
    DeviceStatus.SHIPPED: "ship",
}
"""Statuses `change_status` refuses: only their service writes the record that goes with them."""


class Conflict(DomainError):
    status = 409


def _actor(actor: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return actor if actor is not None and actor.is_authenticated else None


def _validate(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(f"{field}: {' '.join(str(m) for m in messages)}", field=field) from exc


def _event(device: Device, actor: AbstractBaseUser | None, type_: str, **kw: Any) -> DeviceEvent:
    return DeviceEvent.objects.create(device=device, actor=_actor(actor), type=type_, **kw)


def _locked(device: Device, expected_version: int | None = None) -> Device:
    fresh = Device.objects.select_for_update().get(pk=device.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise Conflict(_("Cet appareil vient d'être modifié par quelqu'un d'autre : rechargez."))
    return fresh


def _insert_once(instance: models.Model, field: str, message: str) -> None:
    """Insert a row unique per organisation by `field`. `full_clean` saw the value free, but a
    row inserted at the same moment by someone else may have taken it: the database constraint
    refuses the second, and this says so next to the field instead of a server error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        taken = type(instance)._default_manager.filter(
            organisation_id=instance.organisation_id,  # type: ignore[attr-defined]
            **{field: getattr(instance, field)},
        )
        if not taken.exists():
            raise
        raise DomainError(message, field=field) from exc


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return dt.date(year, month, min(day.day, last))


# --- guards ---------------------------------------------------------------------------------


def unsanitised_media(device: Device) -> list[StorageMedium]:
    """Media the device holds without a successful sanitisation record."""
    return [m for m in device.media.all() if not m.sanitised]


def is_released(device: Device) -> bool:
    return not unsanitised_media(device)


def _require_released(device: Device, to_status: str) -> None:
    pending = unsanitised_media(device)
    if pending:
        names = ", ".join(str(m) for m in pending)
        raise DomainError(
            _("%(tag)s ne peut pas passer à « %(s)s » : support(s) non effacé(s) : %(m)s.")
            % {"tag": device.asset_tag, "s": DeviceStatus(to_status).label, "m": names},
            field="media",
        )


def _move(
    actor: AbstractBaseUser | None,
    device: Device,
    to_status: str,
    *,
    event_type: str = DeviceEventType.STATUS_CHANGED,
    data: dict[str, Any] | None = None,
) -> Device:
    """The one place a device's status changes (caller holds the row lock)."""
    current = device.status
    allowed = TRANSITIONS[current] | ({DeviceStatus.LOST} if current not in FINAL else set())
    if to_status not in allowed:
        raise DomainError(
            _("Passage impossible de « %(a)s » à « %(b)s » pour %(tag)s.")
            % {
                "a": DeviceStatus(current).label,
                "b": DeviceStatus(to_status).label,
                "tag": device.asset_tag,
            },
            field="status",
        )
    if to_status in LEAVES_CUSTODY:
        _require_released(device, to_status)
    if (
        to_status == DeviceStatus.READY
        and not device.releases.filter(checklist_passed=True).exists()
    ):
        raise DomainError(
            _("Un appareil n'est prêt qu'après un contrôle qualité réussi."), field="status"
        )
    if to_status == DeviceStatus.TO_RECYCLE and not (
        device.triage_reason or (data or {}).get("reason")
    ):
        raise DomainError(_("Indiquez pourquoi l'appareil part au recyclage."), field="reason")
    device.status = to_status
    device.version += 1
    device.save(update_fields=["status", "version"])
    _event(device, actor, event_type, from_status=current, to_status=to_status, data=data or {})
    return device


# --- intake ---------------------------------------------------------------------------------


@transaction.atomic
def receive_lot(actor: AbstractBaseUser | None, organisation: Organisation, **fields: Any) -> Lot:
    require(actor, organisation, EDIT_REUSE)  # type: ignore[arg-type]
    lot = Lot(organisation=organisation, **fields)
    _validate(lot)
    if lot.donor.organisation_id != organisation.pk:
        raise DomainError(_("Ce donateur appartient à une autre organisation."), field="donor")
    _insert_once(
        lot, "reference", _("La référence de lot %(r)s est déjà prise.") % {"r": lot.reference}
    )
    return lot


@transaction.atomic
def register_device(
    actor: AbstractBaseUser | None,
    lot: Lot,
    *,
    asset_tag: str,
    media: list[dict[str, Any]] | None = None,
    fleet_asset: Any = None,
    **fields: Any,
) -> Device:
    """Intake of one device of a lot, with its storage media (held 'not released')."""
    require(actor, lot.organisation, EDIT_REUSE)  # type: ignore[arg-type]
    unknown = set(fields) - set(DEVICE_FIELDS)
    if unknown:
        raise DomainError(_("Champ inconnu : %(f)s") % {"f": ", ".join(sorted(unknown))})
    device = Device(
        organisation=lot.organisation,
        lot=lot,
        asset_tag=asset_tag.strip(),
        fleet_asset=fleet_asset,
        **fields,
    )
    _validate(device)
    _insert_once(
        device,
        "asset_tag",
        _("L'étiquette %(tag)s est déjà utilisée dans la filière de réemploi.")
        % {"tag": device.asset_tag},
    )
    for m in media or []:
        medium = StorageMedium(organisation=lot.organisation, device=device, **m)
        _validate(medium)
        medium.save()
    _event(
        device,
        actor,
        DeviceEventType.RECEIVED,
        to_status=device.status,
        data={"lot": lot.reference, "media": len(media or [])},
    )
    return device


@transaction.atomic
def hand_over_from_fleet(
    actor: AbstractBaseUser | None,
    asset: Any,
    lot: Lot,
    *,
    asset_tag: str,
    media: list[dict[str, Any]] | None = None,
    reuse_proof: str = "",
) -> Device:
    """A retired fleet asset handed to the reuse chain: the asset moves to 'handed to reuse'
    and a device is registered in the lot, linked both ways (device.fleet_asset / asset
    .reuse_device)."""
    from impactnum.web.fleet import services as fleet_services
    from impactnum.web.fleet.models import Asset

    if asset.organisation_id != lot.organisation_id:
        raise DomainError(_("Le lot et l'équipement appartiennent à deux organisations."))
    # Under the asset's row lock: a hand-over made meanwhile is a conflict, never a second device.
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    already = Device.objects.filter(fleet_asset=asset).first()
    if already is not None:
        raise Conflict(
            _("Cet équipement a déjà été confié à la filière de réemploi (appareil %(tag)s).")
            % {"tag": already.asset_tag}
        )
    if asset.status == AssetStatus.HANDED_TO_REUSE:
        raise Conflict(_("Cet équipement a déjà été confié à la filière de réemploi."))
    fleet_services.change_status(
        actor, asset, AssetStatus.HANDED_TO_REUSE, reuse_proof=reuse_proof or f"lot {lot.reference}"
    )
    return register_device(
        actor,
        lot,
        asset_tag=asset_tag,
        media=media,
        fleet_asset=asset,
        kind=asset.kind,
        brand=asset.manufacturer,
        model=asset.model,
        serial_number=asset.serial_number,
        year=asset.purchase_date.year if asset.purchase_date else None,
    )


@transaction.atomic
def triage(
    actor: AbstractBaseUser | None,
    device: Device,
    outcome: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Device:
    require(actor, device.organisation, EDIT_REUSE)  # type: ignore[arg-type]
    device = _locked(device, expected_version)
    if outcome not in TriageOutcome.values:
        raise DomainError(_("Tri inconnu : %(o)s") % {"o": outcome}, field="outcome")
    if outcome != TriageOutcome.REUSE and not reason.strip():
        raise DomainError(_("Indiquez la raison du tri."), field="reason")
    device.triage_outcome, device.triage_reason = outcome, reason.strip()
    device.save(update_fields=["triage_outcome", "triage_reason"])
    return _move(
        actor,
        device,
        TRIAGE_STATUS[TriageOutcome(outcome)],
        event_type=DeviceEventType.TRIAGED,
        data={"outcome": outcome, "reason": reason},
    )


@transaction.atomic
def change_status(
    actor: AbstractBaseUser | None,
    device: Device,
    to_status: str,
    *,
    reason: str = "",
    expected_version: int | None = None,
) -> Device:
    require(actor, device.organisation, EDIT_REUSE)  # type: ignore[arg-type]
    if to_status in OWN_SERVICE:  # these moves carry a record (provision, shipment) of their own
        raise DomainError(
            _("« %(s)s » passe par l'action dédiée (%(f)s).")
            % {"s": DeviceStatus(to_status).label, "f": OWN_SERVICE[to_status]},
            field="status",
        )
    device = _locked(device, expected_version)
    if to_status == DeviceStatus.RETURNED:
        # The person or organisation gave it back: close its provision, so the provision says
        # how long the device served and the device may be provided again later.
        device.provisions.filter(returned_on__isnull=True).update(returned_on=timezone.localdate())
    return _move(actor, device, to_status, data={"reason": reason} if reason else None)


# --- refurbishment ----------------------------------------------------------------------------


@transaction.atomic
def diagnose(
    actor: AbstractBaseUser | None,
    device: Device,
    template: TestTemplate,
    results: dict[str, str],
) -> Diagnostic:
    """Record a diagnostic against a checklist; every item must be answered."""
    require(actor, device.organisation, EDIT_REUSE)  # type: ignore[arg-type]
    device = _locked(device)
    codes = [item["code"] for item in template.items]
    missing = [c for c in codes if results.get(c) not in ("pass", "fail", "na")]
    if missing:
        raise DomainError(
            _("Points non renseignés : %(c)s") % {"c": ", ".join(missing)}, field="results"
        )
    passed = all(results[c] != "fail" for c in codes)
    diag = Diagnostic.objects.create(
        device=device, template=template, results=results, passed=passed, by=_actor(actor)
    )
    _event(
        device,
        actor,
        DeviceEventType.DIAGNOSED,
        data={"template": template.name, "version": template.version, "passed": passed},
    )
    if device.status == DeviceStatus.TO_REFURBISH:
        _move(actor, device, DeviceStatus.DIAGNOSED)
    return diag


@transaction.atomic
def record_repair(
    actor: AbstractBaseUser | None,
    device: Device,
    *,
    problem: str,
    outcome: str,
    actions: str = "",
    barrier: str = "",
    minutes_spent: int = 0,
    parts: list[Part] | None = None,
    on: dt.date | None = None,
) -> DeviceRepair:
    """A repair with its ORDS outcome; parts taken from the stock are marked used."""
    require(actor, device.organisation, EDIT_REUSE)  # type: ignore[arg-type]
    device = _locked(device)
    # Parts are locked in primary-key order: two repairs taking the same parts in another order
    # wait for each other instead of deadlocking; the second finds them used.
    parts = sorted(parts or [], key=lambda p: p.pk)
    if outcome == RepairOutcome.END_OF_LIFE and not barrier:
        raise DomainError(_("Indiquez l'obstacle à la réparation."), field="barrier")
    repair = DeviceRepair(
        device=device,
        problem=problem,
        outcome=outcome,
        actions=actions,
        barrier=barrier,
        minutes_spent=minutes_spent,
        event_date=on or timezone.localdate(),
        technician=_actor(actor),
    )
    _validate(repair)
    repair.save()
    for part in parts:
        part = Part.objects.select_for_update().get(pk=part.pk)
        if not part.in_stock or part.organisation_id != device.organisation_id:
            raise DomainError(_("La pièce %(p)s n'est pas en stock.") % {"p": part.description})
        part.in_stock, part.used_in = False, repair
        part.save(update_fields=["in_stock", "used_in"])
    _event(
        device,
        actor,
        DeviceEventType.REPAIRED,
        data={
            "repair": repair.pk,
            "outcome": outcome,
            "barrier": barrier,
            "parts": [p.pk for p in parts],
        },
    )
    return repair


@transaction.atomic
def harvest_part(actor: AbstractBaseUser | None, device: Device, description: str) -> Part:
    require(actor, device.organisation, EDIT_REUSE)  # type: ignore[arg-type]
    device = _locked(device)
    if device.status not in (DeviceStatus.TO_HARVEST, DeviceStatus.DISMANTLED):
        raise DomainError(_("Seul un appareil destiné aux pièces peut être démonté."))
    part = Part.objects.create(
        organisation=device.organisation, description=description, source_device=device
    )
    _event(device, actor, DeviceEventType.PART_HARVESTED, data={"part": description})
    return part


# --- storage media and sanitisation ------------------------------------------------------------


@transaction.atomic
def remove_medium(actor: AbstractBaseUser | None, medium: StorageMedium) -> StorageMedium:
    """Take a medium out of its device: it is then tracked on its own."""
    require(actor, medium.organisation, EDIT_REUSE)  # type: ignore[arg-type]
    medium = StorageMedium.objects.select_for_update().get(pk=medium.pk)
    device = medium.device
    if device is None:
        raise DomainError(_("Ce support n'est plus dans un appareil."))
    medium.removed_from, medium.device = device, None
    medium.save(update_fields=["removed_from", "device"])
    _event(device, actor, DeviceEventType.MEDIUM_REMOVED, data={"medium": medium.pk})
    return medium


@transaction.atomic
def record_sanitisation(
    actor: AbstractBaseUser | None,
    medium: StorageMedium,
    *,
    level: str,
    method: str,
    tool: str,
    result: str,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    tool_version: str = "",
    verification: str = "",
    report: UploadedFile | None = None,
) -> SanitisationRecord:
    """One wipe or destruction of one medium, with its report file's SHA-256. The same wipe sent
    twice (double submission, two people) is recorded once: the second is a conflict."""
    require(actor, medium.organisation, EDIT_REUSE)  # type: ignore[arg-type]
    if ended_at < started_at:
        raise DomainError(_("La fin précède le début."), field="ended_at")
    medium = StorageMedium.objects.select_for_update().get(pk=medium.pk)
    same = medium.sanitisations.filter(
        level=level,
        method=method,
        tool=tool,
        result=result,
        started_at=started_at,
        ended_at=ended_at,
    )
    if same.exists():
        raise Conflict(
            _("Cet effacement de %(m)s est déjà enregistré (même début, même fin).") % {"m": medium}
        )
    record = SanitisationRecord(
        medium=medium,
        level=level,
        method=method,
        tool=tool,
        tool_version=tool_version,
        verification=verification,
        result=result,
        started_at=started_at,
        ended_at=ended_at,
        operator=_actor(actor),
    )
    if report is not None:
        digest = hashlib.sha256()
        for chunk in report.chunks():
            digest.update(chunk)
        record.report_sha256 = digest.hexdigest()
        record.report = report
    _validate(record, exclude=["report"])
    record.save()
    owner = medium.device or medium.removed_from
    if owner is not None:
        _event(
            owner,
            actor,
            DeviceEventType.SANITISED,
            data={
                "medium": medium.pk,
                "level": level,
                "result": result,
                "sha256": record.report_sha256,
            },
        )
    return record


@transaction.atomic
def release(
    actor: AbstractBaseUser | None,
    device: Device,
    *,
    checklist_passed: bool,
    grade: str,
    battery_health_pct: int | None = None,
) -> QualityRelease:
    """Quality release; when passed (and every medium is wiped) the device becomes ready."""
    require(actor, device.organisation, EDIT_REUSE)  # type: ignore[arg-type]
    device = _locked(device)
    if device.status != DeviceStatus.QA:
        raise DomainError(_("Le contrôle qualité se fait au statut « Contrôle qualité »."))
    qr = QualityRelease(
        device=device,
        checklist_passed=checklist_passed,
        grade=grade,
        battery_health_pct=battery_health_pct,
        released_by=_actor(actor),
    )
    _validate(qr)
    qr.save()
    _event(
        device, actor, DeviceEventType.RELEASED, data={"passed": checklist_passed, "grade": grade}
    )
    if checklist_passed:
        _move(actor, device, DeviceStatus.READY)
    return qr


# --- provision --------------------------------------------------------------------------------


def check_caps(device: Device, type_: str, price: Decimal, unit_value: Decimal | None) -> None:
    """Refuse a price or value above the legal caps for devices a public body gave away."""
    if not device.lot.from_public_body:
        return
    if type_ == ProvisionType.SOLIDARITY_SALE:
        cap = caps.cap_for(caps.SOLIDARITY_PRICE, device.kind)
        if cap is not None and price > cap.value_eur:
            raise DomainError(
                _("Prix solidaire plafonné à %(cap)s € pour ce type d'appareil (%(src)s).")
                % {"cap": cap.value_eur, "src": cap.source},
                field="price_eur",
            )
    if type_ == ProvisionType.DONATION and unit_value is not None:
        cap = caps.cap_for(caps.DONATION_UNIT_VALUE, device.kind)
        if cap is not None and unit_value > cap.value_eur:
            raise DomainError(
                _("Un don est plafonné à %(cap)s € de valeur unitaire (%(src)s).")
                % {"cap": cap.value_eur, "src": cap.source},
                field="unit_value_eur",
            )


@transaction.atomic
def provide(
    actor: AbstractBaseUser | None,
    device: Device,
    *,
    type_: str,
    beneficiary: Beneficiary | None = None,
    recipient: Party | None = None,
    price_eur: Decimal = Decimal(0),
    unit_value_eur: Decimal | None = None,
    on: dt.date | None = None,
    expected_version: int | None = None,
) -> Provision:
    """Give, sell at a solidarity price or lend a ready device; never twice."""
    require(actor, device.organisation, EDIT_REUSE)  # type: ignore[arg-type]
    device = _locked(device, expected_version)
    if device.status == DeviceStatus.PROVIDED:  # e.g. by someone else a moment ago
        raise Conflict(
            _("%(tag)s a déjà été remis : une seule remise par appareil, rechargez la page.")
            % {"tag": device.asset_tag}
        )
    if (beneficiary is None) == (recipient is None):
        raise DomainError(
            _("Choisissez un bénéficiaire ou une organisation destinataire."), field="beneficiary"
        )
    if type_ not in ProvisionType.values:
        raise DomainError(_("Type de remise inconnu."), field="type")
    if type_ != ProvisionType.SOLIDARITY_SALE and price_eur:
        raise DomainError(_("Seule une vente solidaire a un prix."), field="price_eur")
    check_caps(device, type_, Decimal(price_eur), unit_value_eur)
    day = on or timezone.localdate()
    sale = type_ == ProvisionType.SOLIDARITY_SALE
    provision = Provision(
        device=device,
        type=type_,
        beneficiary=beneficiary,
        recipient=recipient,
        price_eur=price_eur,
        unit_value_eur=unit_value_eur,
        provided_on=day,
        guarantee_until=_add_months(day, LEGAL_GUARANTEE_MONTHS) if sale else None,
        presumption_until=_add_months(day, PRESUMPTION_MONTHS) if sale else None,
    )
    _validate(provision)
    _move(
        actor,
        device,
        DeviceStatus.PROVIDED,
        event_type=DeviceEventType.PROVIDED,
        data={"type": type_, "price": str(price_eur)},
    )
    provision.save()
    if beneficiary is not None:
        Beneficiary.objects.filter(pk=beneficiary.pk).update(last_contact_on=day)
    return provision


# --- recycling --------------------------------------------------------------------------------


@transaction.atomic
def add_to_shipment(
    actor: AbstractBaseUser | None, shipment: WeeeShipment, device: Device
) -> WeeeShipment:
    require(actor, shipment.organisation, EDIT_REUSE)  # type: ignore[arg-type]
    # The shipment first, then the device: the order `ship` takes them in, and a shipment that
    # left meanwhile is seen here (its devices were shipped without this one).
    shipment = WeeeShipment.objects.select_for_update().get(pk=shipment.pk)
    device = _locked(device)
    if shipment.shipped_on is not None:
        raise DomainError(_("Cet envoi est déjà parti."))
    _move(actor, device, DeviceStatus.IN_SHIPMENT, data={"shipment": shipment.pk})
    shipment.devices.add(device)
    return shipment


@transaction.atomic
def ship(
    actor: AbstractBaseUser | None,
    shipment: WeeeShipment,
    *,
    on: dt.date | None = None,
    tracking_reference: str = "",
) -> WeeeShipment:
    """The recycler takes the shipment: every device must be released (media wiped or out)."""
    require(actor, shipment.organisation, EDIT_REUSE)  # type: ignore[arg-type]
    shipment = WeeeShipment.objects.select_for_update().get(pk=shipment.pk)
    if shipment.shipped_on is not None:
        raise Conflict(_("Cet envoi est déjà parti."))
    for device in shipment.devices.select_for_update():
        _move(
            actor,
            device,
            DeviceStatus.SHIPPED,
            event_type=DeviceEventType.SHIPPED,
            data={"shipment": shipment.pk, "tracking": tracking_reference},
        )
    shipment.shipped_on = on or timezone.localdate()
    shipment.tracking_reference = tracking_reference or shipment.tracking_reference
    shipment.save()
    return shipment


# --- beneficiaries and support -----------------------------------------------------------------


@transaction.atomic
def create_beneficiary(
    actor: AbstractBaseUser | None, organisation: Organisation, **fields: Any
) -> Beneficiary:
    require(actor, organisation, VIEW_BENEFICIARIES)  # type: ignore[arg-type]
    person = Beneficiary(organisation=organisation, **fields)
    if person.last_contact_on is None:  # the retention period runs from the first contact
        person.last_contact_on = timezone.localdate()
    _validate(person)
    _insert_once(
        person, "pseudonym", _("Le pseudonyme %(p)s est déjà pris.") % {"p": person.pseudonym}
    )
    return person


@transaction.atomic
def record_support_session(
    actor: AbstractBaseUser | None, organisation: Organisation, **fields: Any
) -> SupportSession:
    require(actor, organisation, VIEW_BENEFICIARIES)  # type: ignore[arg-type]
    session = SupportSession(organisation=organisation, facilitator=_actor(actor), **fields)
    _validate(session)
    session.save()
    if session.beneficiary_id:
        Beneficiary.objects.filter(pk=session.beneficiary_id).update(last_contact_on=session.date)
    return session


BENEFICIARY_FIELDS = (
    "pseudonym",
    "referring_party",
    "eligibility_basis",
    "age_bracket",
    "commune",
    "consent_follow_up",
)
"""What a facilitator may change on a beneficiary (never a document, never a contact)."""


@transaction.atomic
def update_beneficiary(
    actor: AbstractBaseUser | None, beneficiary: Beneficiary, **fields: Any
) -> Beneficiary:
    """Change a beneficiary's pseudonymous details; an anonymised person stays anonymous.
    Editing is not a contact: the retention period is unchanged."""
    require(actor, beneficiary.organisation, VIEW_BENEFICIARIES)  # type: ignore[arg-type]
    person = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    if person.anonymised_at is not None:
        raise DomainError(_("Cette personne est anonymisée : ses données ne se modifient plus."))
    unknown = set(fields) - set(BENEFICIARY_FIELDS)
    if unknown:
        raise DomainError(_("Champ non modifiable : %(f)s") % {"f": ", ".join(sorted(unknown))})
    party = fields.get("referring_party")
    if party is not None and party.organisation_id != person.organisation_id:
        raise DomainError(
            _("Ce partenaire n'appartient pas à l'organisation."), field="referring_party"
        )
    for name, value in fields.items():
        setattr(person, name, value)
    _validate(person)
    person.save()
    return person
