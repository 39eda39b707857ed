"""Workbench operations built on `reuse.services`: bulk intake and triage (all or nothing),
parties, WEEE shipments and their certificate. Same rules as the services: atomic, guarded,
a refusal is a `DomainError`, never `return False`.
"""

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import EDIT_REUSE, require

from . import services
from .choices import PartyKind
from .models import Device, Lot, Party, WeeeShipment

MAX_BULK = 500


class BulkRefused(DomainError):
    """Nothing was written: `refusals` lists each refused item (its label) and why."""

    def __init__(self, message: str, refusals: list[tuple[str, str]]) -> None:
        super().__init__(message, field="devices")
        self.refusals = refusals


def _all_or_nothing(items: list[Any], label: Any, apply: Any) -> list[Any]:
    """Apply to every item in one transaction; any refusal rolls the whole batch back."""
    if not items:
        raise DomainError(_("Sélectionnez au moins un appareil."), field="devices")
    if len(items) > MAX_BULK:
        raise DomainError(_("Au plus %(n)d à la fois.") % {"n": MAX_BULK}, field="devices")
    refusals: list[tuple[str, str]] = []
    done: list[Any] = []
    with transaction.atomic():
        for item in items:
            try:
                with transaction.atomic():
                    done.append(apply(item))
            except NotAllowed:
                raise
            except DomainError as exc:
                refusals.append((label(item), exc.message))
        if refusals:
            transaction.set_rollback(True)
    if refusals:
        raise BulkRefused(
            _("Rien n'a été enregistré : %(n)d refus sur %(t)d.")
            % {"n": len(refusals), "t": len(items)},
            refusals,
        )
    return done


def bulk_triage(
    actor: AbstractBaseUser | None, devices: list[Device], outcome: str, reason: str = ""
) -> list[Device]:
    """Triage several devices at once: all are triaged, or none (BulkRefused says why).
    Taken in id order, as every bulk change locks its rows, so two batches never deadlock."""
    return _all_or_nothing(
        sorted(devices, key=lambda d: d.pk),
        lambda d: d.asset_tag,
        lambda d: services.triage(actor, d, outcome, reason),
    )


def register_devices(
    actor: AbstractBaseUser | None,
    lot: Lot,
    tags: list[str],
    *,
    media_type: str = "",
    **fields: Any,
) -> list[Device]:
    """Register one device per tag, same description (and one medium each if a type is given)."""
    media = [{"type": media_type}] if media_type else []
    return _all_or_nothing(
        tags,
        str,
        lambda t: services.register_device(actor, lot, asset_tag=t, media=media, **fields),
    )


def tag_range(prefix: str, start: int, count: int, width: int = 4) -> list[str]:
    """`R-`, 7, 3 → R-0007, R-0008, R-0009."""
    if count < 1 or count > MAX_BULK:
        raise DomainError(_("Entre 1 et %(n)d appareils.") % {"n": MAX_BULK}, field="count")
    return [f"{prefix}{n:0{width}d}" for n in range(start, start + count)]


def next_tag_number(organisation: Organisation, prefix: str) -> int:
    """1 + the highest number after `prefix` among the organisation's tags."""
    best = 0
    for tag in Device.objects.filter(
        organisation=organisation, asset_tag__startswith=prefix
    ).values_list("asset_tag", flat=True):
        rest = tag[len(prefix) :]
        if rest.isdigit():
            best = max(best, int(rest))
    return best + 1


@transaction.atomic
def create_party(
    actor: AbstractBaseUser | None, organisation: Organisation, **fields: Any
) -> Party:
    require(actor, organisation, EDIT_REUSE)  # type: ignore[arg-type]
    party = Party(organisation=organisation, **fields)
    services._validate(party)
    party.save()
    return party


@transaction.atomic
def create_shipment(
    actor: AbstractBaseUser | None,
    organisation: Organisation,
    *,
    recycler: Party,
    weee_category: str,
    weight_kg: Decimal = Decimal(0),
) -> WeeeShipment:
    require(actor, organisation, EDIT_REUSE)  # type: ignore[arg-type]
    if recycler.organisation_id != organisation.pk:
        raise DomainError(_("Ce recycleur appartient à une autre organisation."), field="recycler")
    if recycler.kind not in (PartyKind.RECYCLER, PartyKind.ECO_ORGANISATION):
        raise DomainError(
            _("Le destinataire d'un envoi DEEE est un recycleur ou un éco-organisme."),
            field="recycler",
        )
    shipment = WeeeShipment(
        organisation=organisation,
        recycler=recycler,
        weee_category=weee_category,
        weight_kg=weight_kg,
    )
    services._validate(shipment, exclude=["certificate"])
    shipment.save()
    return shipment


@transaction.atomic
def ship_with_certificate(
    actor: AbstractBaseUser | None,
    shipment: WeeeShipment,
    *,
    tracking_reference: str,
    weight_kg: Decimal | None = None,
    certificate: UploadedFile | None = None,
    on: Any = None,
) -> WeeeShipment:
    """Ship (every device must be released) and keep the weight and the treatment certificate."""
    if not shipment.devices.exists():
        raise DomainError(_("Cet envoi ne contient aucun appareil."), field="devices")
    shipment = services.ship(actor, shipment, on=on, tracking_reference=tracking_reference)
    return attach_certificate(actor, shipment, certificate=certificate, weight_kg=weight_kg)


@transaction.atomic
def attach_certificate(
    actor: AbstractBaseUser | None,
    shipment: WeeeShipment,
    *,
    certificate: UploadedFile | None = None,
    weight_kg: Decimal | None = None,
) -> WeeeShipment:
    require(actor, shipment.organisation, EDIT_REUSE)  # type: ignore[arg-type]
    shipment = WeeeShipment.objects.select_for_update().get(pk=shipment.pk)
    if weight_kg is not None:
        shipment.weight_kg = weight_kg
    if certificate is not None:
        shipment.certificate = certificate
    services._validate(shipment, exclude=["certificate"])
    shipment.save()
    return shipment
