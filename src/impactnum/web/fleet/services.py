"""State changes of the fleet: atomic, guarded, each with one append-only asset event.

Concurrent changes are safe: a transition locks the asset row (`select_for_update`) and, when the
caller passes the version it saw, refuses with a clear conflict message if someone else changed
the asset meanwhile (no lost update).
"""

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import EDIT_FLEET, MANAGE_ORGANISATION, require
from impactnum.web.core.services import snapshot

from .choices import (
    FINAL_STATUSES,
    TRANSITIONS,
    AssetEventType,
    AssetStatus,
    RepairOutcome,
)
from .models import Asset, AssetEvent, Department, LifespanPolicy, Location, Repair

ASSET_FIELDS = (
    "kind",
    "manufacturer",
    "model",
    "serial_number",
    "inventory_number",
    "department",
    "location",
    "assigned_to",
    "purchase_date",
    "price_excl_vat",
    "price_incl_vat",
    "supplier",
    "order_reference",
    "warranty_end",
    "bought_refurbished",
    "recycled_material",
    "received_as_donation",
    "donation_value",
    "expected_lifespan_years",
    "storage_media",
    "weee_category",
    "classified",
    "country",
    "kwh_per_year",
)


class Conflict(DomainError):
    status = 409


def _validate(instance: models.Model) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(f"{field}: {' '.join(str(m) for m in messages)}", field=field) from exc


def _same_organisation(asset: Asset) -> None:
    """A department or location of another organisation is refused (the form lists only the
    asset's own, but the API and bulk actions take ids)."""
    for name in ("department", "location"):
        related = getattr(asset, name)
        if related is not None and related.organisation_id != asset.organisation_id:
            raise DomainError(
                _("« %(n)s » n'appartient pas à l'organisation de l'équipement.") % {"n": related},
                field=name,
            )


def _event(asset: Asset, actor: AbstractBaseUser | None, type_: str, **kw: Any) -> AssetEvent:
    return AssetEvent.objects.create(
        asset=asset,
        actor=actor if actor is not None and actor.is_authenticated else None,
        type=type_,
        **kw,
    )


def _locked(asset: Asset, expected_version: int | None) -> Asset:
    fresh = Asset.objects.select_for_update().get(pk=asset.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise Conflict(
            _("Cet équipement vient d'être modifié par quelqu'un d'autre : rechargez la page.")
        )
    return fresh


def policy_lifespan(asset: Asset) -> float | None:
    """Expected lifespan: the asset's own, else the organisation's policy for its kind."""
    if asset.expected_lifespan_years:
        return asset.expected_lifespan_years
    policy = LifespanPolicy.objects.filter(
        organisation_id=asset.organisation_id, kind=asset.kind
    ).first()
    return policy.years if policy else None


def age_years(asset: Asset, on: dt.date | None = None) -> float | None:
    if asset.purchase_date is None:
        return None
    return ((on or timezone.localdate()) - asset.purchase_date).days / 365.25


@transaction.atomic
def create_asset(
    actor: AbstractBaseUser | None,
    organisation: Organisation,
    *,
    status: str = AssetStatus.IN_SERVICE,
    event_type: str = AssetEventType.CREATED,
    check_permission: bool = True,
    **fields: Any,
) -> Asset:
    if check_permission:
        require(actor, organisation, EDIT_FLEET)  # type: ignore[arg-type]
    unknown = set(fields) - set(ASSET_FIELDS)
    if unknown:
        raise DomainError(_("Champ inconnu : %(f)s") % {"f": ", ".join(sorted(unknown))})
    if status not in AssetStatus.values:
        raise DomainError(_("Statut inconnu : %(s)s") % {"s": status}, field="status")
    asset = Asset(
        organisation=organisation, status=status, status_changed_at=timezone.now(), **fields
    )
    _same_organisation(asset)
    _validate(asset)
    asset.save()
    _event(asset, actor, event_type, to_status=status, data={"fields": snapshot(asset)})
    return asset


@transaction.atomic
def update_asset(
    actor: AbstractBaseUser | None,
    asset: Asset,
    *,
    expected_version: int | None = None,
    event_type: str = AssetEventType.UPDATED,
    check_permission: bool = True,
    **fields: Any,
) -> Asset:
    """Change descriptive fields (not the status) and record what changed."""
    if check_permission:
        require(actor, asset.organisation, EDIT_FLEET)  # type: ignore[arg-type]
    unknown = set(fields) - set(ASSET_FIELDS)
    if unknown:
        raise DomainError(_("Champ inconnu : %(f)s") % {"f": ", ".join(sorted(unknown))})
    asset = _locked(asset, expected_version)
    before = snapshot(asset) or {}
    for name, value in fields.items():
        setattr(asset, name, value)
    _same_organisation(asset)
    _validate(asset)
    asset.version += 1
    asset.save()
    after = snapshot(asset) or {}
    changed = {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}
    changed.pop("version", None)
    _event(asset, actor, event_type, data={"changed": changed})
    return asset


@transaction.atomic
def change_status(
    actor: AbstractBaseUser | None,
    asset: Asset,
    to_status: str,
    *,
    reason: str = "",
    on: dt.date | None = None,
    reuse_proof: str = "",
    expected_version: int | None = None,
    check_permission: bool = True,
) -> Asset:
    """Move an asset to another status, if the lifecycle allows it.

    Retiring a device younger than its policy lifespan needs a reason (repair first).
    Lost or stolen is allowed from any status that is not final.
    """
    if check_permission:
        require(actor, asset.organisation, EDIT_FLEET)  # type: ignore[arg-type]
    asset = _locked(asset, expected_version)
    current = asset.status
    if to_status not in AssetStatus.values:
        raise DomainError(_("Statut inconnu : %(s)s") % {"s": to_status}, field="status")
    allowed = TRANSITIONS[current] | (
        {AssetStatus.LOST_STOLEN} if current not in FINAL_STATUSES else set()
    )
    if to_status not in allowed:
        raise DomainError(
            _("Passage impossible de « %(a)s » à « %(b)s ».")
            % {"a": AssetStatus(current).label, "b": AssetStatus(to_status).label},
            field="status",
        )
    day = on or timezone.localdate()
    if to_status == AssetStatus.RETIRED:
        life, age = policy_lifespan(asset), age_years(asset, day)
        if life is not None and age is not None and age < life and not reason.strip():
            raise DomainError(
                _(
                    "Cet équipement a %(age).1f ans, moins que sa durée de vie attendue "
                    "(%(life)g ans) : indiquez pourquoi il ne peut pas être réparé ou réaffecté."
                )
                % {"age": age, "life": life},
                field="reason",
            )
        asset.retired_on = day
        asset.retirement_reason = reason.strip()
    if to_status == AssetStatus.HANDED_TO_REUSE and reuse_proof:
        asset.reuse_proof = reuse_proof
    asset.status = to_status
    asset.status_changed_at = timezone.now()
    asset.version += 1
    asset.save()
    _event(
        asset,
        actor,
        AssetEventType.STATUS_CHANGED,
        from_status=current,
        to_status=to_status,
        data={
            k: v
            for k, v in {
                "reason": reason,
                "on": day.isoformat(),
                "reuse_proof": reuse_proof,
            }.items()
            if v
        },
    )
    return asset


@transaction.atomic
def open_repair(
    actor: AbstractBaseUser | None,
    asset: Asset,
    *,
    problem: str,
    opened_on: dt.date | None = None,
) -> Repair:
    """Record a problem; a device in service (or spare) goes to repair."""
    require(actor, asset.organisation, EDIT_FLEET)  # type: ignore[arg-type]
    # The status decides whether the asset moves: read it under the row lock, so a repair opened
    # at the same moment by someone else is kept too instead of failing on a stale status.
    asset = _locked(asset, None)
    if not problem.strip():
        raise DomainError(_("Décrivez le problème."), field="problem")
    repair = Repair(
        asset=asset,
        problem=problem.strip(),
        opened_on=opened_on or timezone.localdate(),
        technician=actor if actor is not None and actor.is_authenticated else None,
    )
    _validate(repair)
    repair.save()
    _event(
        asset,
        actor,
        AssetEventType.REPAIR_OPENED,
        data={"repair": repair.pk, "problem": repair.problem},
    )
    if asset.status in (AssetStatus.IN_SERVICE, AssetStatus.SPARE):
        change_status(actor, asset, AssetStatus.IN_REPAIR, on=repair.opened_on)
    return repair


@transaction.atomic
def close_repair(
    actor: AbstractBaseUser | None,
    repair: Repair,
    *,
    outcome: str,
    actions: str = "",
    parts: str = "",
    parts_cost: float = 0,
    minutes_spent: int = 0,
    barrier: str = "",
    closed_on: dt.date | None = None,
) -> Repair:
    """Close a repair with its ORDS outcome; end of life needs a barrier. A fixed device goes
    back into service."""
    asset = repair.asset
    require(actor, asset.organisation, EDIT_FLEET)  # type: ignore[arg-type]
    repair = Repair.objects.select_for_update().get(pk=repair.pk)
    if repair.closed_on is not None:
        raise Conflict(_("Cette réparation est déjà close."))
    if outcome not in RepairOutcome.values:
        raise DomainError(_("Résultat inconnu : %(o)s") % {"o": outcome}, field="outcome")
    if outcome == RepairOutcome.END_OF_LIFE and not barrier:
        raise DomainError(_("Indiquez l'obstacle à la réparation."), field="barrier")
    if outcome != RepairOutcome.END_OF_LIFE and barrier:
        raise DomainError(_("Un obstacle ne s'indique que pour une fin de vie."), field="barrier")
    repair.outcome, repair.barrier = outcome, barrier
    repair.actions, repair.parts = actions, parts
    repair.parts_cost, repair.minutes_spent = parts_cost, minutes_spent  # type: ignore[assignment]
    repair.closed_on = closed_on or timezone.localdate()
    _validate(repair)
    repair.save()
    _event(
        asset,
        actor,
        AssetEventType.REPAIR_CLOSED,
        data={"repair": repair.pk, "outcome": outcome, "barrier": barrier},
    )
    asset.refresh_from_db()
    if outcome == RepairOutcome.FIXED and asset.status == AssetStatus.IN_REPAIR:
        change_status(actor, asset, AssetStatus.IN_SERVICE, on=repair.closed_on)
    return repair


@transaction.atomic
def set_lifespan_policy(
    actor: AbstractBaseUser | None, organisation: Organisation, kind: str, years: float
) -> LifespanPolicy:
    require(actor, organisation, MANAGE_ORGANISATION)  # type: ignore[arg-type]
    policy, _created = LifespanPolicy.objects.update_or_create(
        organisation=organisation, kind=kind, defaults={"years": years}
    )
    _validate(policy)
    from impactnum.web.core.services import record_event

    record_event(
        actor,
        "lifespan_policy.set",
        policy,
        organisation=organisation,
        after={"kind": kind, "years": years},
    )
    return policy


class BulkRefused(DomainError):
    """Some assets of a bulk change were refused, so none was changed: `refusals` lists
    (asset, reason)."""

    def __init__(self, refusals: list[tuple[Asset, str]]) -> None:
        super().__init__(
            _("%(n)d équipement(s) refusé(s) : aucun changement n'a été enregistré.")
            % {"n": len(refusals)}
        )
        self.refusals = refusals


BULK_FIELDS = ("department", "location")


@transaction.atomic
def bulk_change(
    actor: AbstractBaseUser | None,
    assets: list[Asset],
    *,
    to_status: str = "",
    reason: str = "",
    **fields: Any,
) -> int:
    """Assign a department and/or location, and/or change the status, of several assets: all or
    nothing. Each asset goes through `update_asset` and `change_status` (same guards, one event
    each); if any is refused, nothing is written and `BulkRefused` lists every refusal."""
    unknown = set(fields) - set(BULK_FIELDS)
    if unknown:
        raise DomainError(_("Champ inconnu : %(f)s") % {"f": ", ".join(sorted(unknown))})
    if not assets:
        raise DomainError(_("Sélectionnez au moins un équipement."))
    if not fields and not to_status:
        raise DomainError(_("Choisissez une action."))
    refusals: list[tuple[Asset, str]] = []
    # Rows are locked one by one as they are changed: always in primary-key order, so two bulk
    # changes over the same assets wait for each other instead of deadlocking.
    for asset in sorted(assets, key=lambda a: a.pk):
        try:
            with transaction.atomic():
                if fields:
                    asset = update_asset(actor, asset, **fields)
                if to_status:
                    change_status(actor, asset, to_status, reason=reason)
        except DomainError as exc:
            refusals.append((asset, exc.message))
    if refusals:
        raise BulkRefused(refusals)
    return len(assets)


def _add_named(
    actor: AbstractBaseUser | None,
    organisation: Organisation,
    model: type[Department] | type[Location],
    name: str,
) -> Department | Location:
    require(actor, organisation, MANAGE_ORGANISATION)  # type: ignore[arg-type]
    name = name.strip()
    if not name:
        raise DomainError(_("Indiquez un nom."), field="name")
    # The name is unique per organisation whatever its case, which the database constraint
    # cannot say: adds to one organisation take its row lock in turn, so the check below sees a
    # name added at the same moment. NO KEY: rows referring to the organisation are not blocked.
    Organisation.objects.select_for_update(no_key=True).get(pk=organisation.pk)
    if model.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise DomainError(_("« %(n)s » existe déjà.") % {"n": name}, field="name")
    obj = model(organisation=organisation, name=name)
    _validate(obj)
    obj.save()
    from impactnum.web.core.services import record_event

    record_event(
        actor, f"{model._meta.model_name}.add", obj, organisation=organisation, after={"name": name}
    )
    return obj


@transaction.atomic
def add_department(
    actor: AbstractBaseUser | None, organisation: Organisation, name: str
) -> Department:
    """A new department (service) of the organisation (administrators)."""
    return _add_named(actor, organisation, Department, name)  # type: ignore[return-value]


@transaction.atomic
def add_location(actor: AbstractBaseUser | None, organisation: Organisation, name: str) -> Location:
    """A new location (site, building) of the organisation (administrators)."""
    return _add_named(actor, organisation, Location, name)  # type: ignore[return-value]
