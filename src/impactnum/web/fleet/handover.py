"""A retired asset handed to the reuse chain, seen from the fleet.

`hand_over` wraps `reuse.services.hand_over_from_fleet` for the asset page and the API: the
fleet's own check first (edit_fleet on the asset's organisation; the service also checks
edit_reuse), the lot looked up in the asset's organisation only, and the service's refusals
named after the form's fields.

`reuse_summary` is what the donor (the fleet) sees of the device afterwards: its status, whether
every storage medium was wiped and when, whether and when it was provided and how (donation,
solidarity sale, loan). Never who received it — no beneficiary, no recipient organisation, no
price, no personal data: those stay in the reuse chain.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from impactnum.web.core.errors import DomainError
from impactnum.web.core.permissions import EDIT_FLEET, require
from impactnum.web.reuse import services as reuse_services
from impactnum.web.reuse.choices import DeviceStatus, NistLevel, ProvisionType
from impactnum.web.reuse.choices import SanitisationResult as Result
from impactnum.web.reuse.models import Device, Lot, Provision, SanitisationRecord

from .models import Asset

MEDIUM_FIELDS = ("type", "serial_number", "capacity_gb")
"""A storage medium's fields: the service's refusal about one of them concerns `media`."""


def lot_of(asset: Asset, lot_id: Any) -> Lot:
    """The lot `lot_id` of the asset's organisation; another organisation's is unknown."""
    lot = Lot.objects.filter(pk=lot_id, organisation=asset.organisation_id).first()
    if lot is None:
        raise DomainError(
            _("Lot inconnu dans l'organisation « %(org)s ».") % {"org": asset.organisation},
            field="lot",
        )
    return lot


def hand_over(
    actor: AbstractBaseUser | None,
    asset: Asset,
    lot: Lot,
    *,
    asset_tag: str,
    media: list[dict[str, Any]] | None = None,
    reuse_proof: str = "",
) -> Device:
    """Hand the retired asset to the reuse chain in `lot` (same organisation), with the storage
    media it holds (`[{"type": "ssd", ...}]`). All or nothing (the service is atomic). Refusals
    name `lot`, `asset_tag`, `media` or `status` (the asset is not retired)."""
    require(actor, asset.organisation, EDIT_FLEET)  # type: ignore[arg-type]
    if not asset_tag.strip():
        raise DomainError(_("Indiquez l'étiquette de l'appareil."), field="asset_tag")
    try:
        return reuse_services.hand_over_from_fleet(
            actor,
            asset,
            lot,
            asset_tag=asset_tag.strip(),
            media=media or None,
            reuse_proof=reuse_proof.strip(),
        )
    except DomainError as exc:
        if exc.status != 400 or not exc.field:
            raise
        message = exc.message
        if message.startswith(f"{exc.field}: "):
            message = message[len(exc.field) + 2 :]
        field = exc.field
        if field == "__all__":  # the device's (organisation, asset_tag) constraint
            field = "asset_tag"
            message = _("Cette étiquette est déjà utilisée dans la filière de réemploi.")
        elif field in MEDIUM_FIELDS:
            field = "media"
        raise DomainError(message, field=field) from exc


def linked_device(asset: Asset) -> Device | None:
    return Device.objects.filter(fleet_asset=asset).first()


def reuse_summary(asset: Asset) -> dict[str, Any] | None:
    """The donor's view of the device the asset became, or None if it was not handed over."""
    device = linked_device(asset)
    if device is None:
        return None
    media = list(device.media.all()) + list(device.removed_media.all())
    done = {
        r.medium_id: r
        for r in SanitisationRecord.objects.filter(
            medium__in=media, result=Result.SUCCESS
        ).order_by("ended_at", "pk")
    }  # the last success of each medium
    wipes = [
        {
            "medium": m.get_type_display(),
            "level": done[m.pk].level,
            "level_label": str(NistLevel(done[m.pk].level).label),
            "on": timezone.localtime(done[m.pk].ended_at).date(),
        }
        for m in media
        if m.pk in done
    ]
    provision = (
        Provision.objects.filter(device=device)
        .only("type", "provided_on", "returned_on")
        .order_by("-provided_on", "-pk")
        .first()
    )
    return {
        "device_id": device.pk,
        "asset_tag": device.asset_tag,
        "status": device.status,
        "status_label": str(DeviceStatus(device.status).label),
        "media": len(media),
        "wiped": all(m.pk in done for m in media),
        "provided": provision is not None,
        "provided_on": provision.provided_on if provision else None,
        "proof": {
            "provision_type": provision.type if provision else None,
            "provision_type_label": str(ProvisionType(provision.type).label) if provision else None,
            "returned_on": provision.returned_on if provision else None,
            "wipes": wipes,
        },
    }
