"""Preview and apply a fleet import: all or nothing.

`build_plan(organisation, parsed)` reads the organisation's assets once and says, line by line,
what the import would do: create an asset, update one (with the fields that change), leave one
unchanged, or refuse the line (with why). Nothing is written.

`apply(actor, plan)` writes the plan in ONE transaction after checking that the organisation's
fleet has not changed since the preview (number of assets, highest id and sum of versions).
Creations and updates go through `fleet.services` for a small file and through `bulk_create` /
`bulk_update` (with one `imported` event per asset, also in bulk) for a large one; status changes
always go through `services.change_status`, so the lifecycle rules are the service's.

Matching: by serial number first, then by inventory number, within the organisation. A line
without either is refused (a re-import could not find it again); a line repeating the serial or
inventory number of an earlier line of the file is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from impactnum.io.lookups import normalize
from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import EDIT_FLEET, require
from impactnum.web.core.services import record_event

from .. import services
from ..choices import FINAL_STATUSES, TRANSITIONS, AssetEventType, AssetStatus
from ..models import Asset, Department, LifespanPolicy, Location
from . import bulk
from .common import ImportRow, ParsedFile

BULK_THRESHOLD = 200
"""From this many creations + updates, `apply` writes in bulk instead of one service call each."""

_COMPARED = tuple(f for f in services.ASSET_FIELDS if f not in ("location", "department"))


@dataclass(frozen=True)
class Creation:
    line: int
    fields: dict[str, Any]
    status: str
    location: str | None
    department: str | None

    @property
    def identifier(self) -> str:
        return str(self.fields.get("serial_number") or self.fields.get("inventory_number") or "")


@dataclass(frozen=True)
class Update:
    """Changes to one asset: `changes` maps a field to (before, after); `location` and
    `department` are given as names."""

    line: int
    asset_id: int
    identifier: str
    version: int
    changes: dict[str, tuple[Any, Any]]
    status_change: tuple[str, str] | None = None
    retirement_reason: str = ""


@dataclass(frozen=True)
class Refusal:
    line: int
    identifier: str
    reason: str


@dataclass
class Plan:
    """What an import would do; built by `build_plan`, written by `apply`."""

    organisation: Organisation
    file: str
    format: str
    digest: str
    to_create: list[Creation] = field(default_factory=list)
    to_update: list[Update] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    new_locations: list[str] = field(default_factory=list)
    new_departments: list[str] = field(default_factory=list)
    state: tuple[int, int, int] = (0, 0, 0)

    @property
    def token(self) -> str:
        """Changes when the file, the fleet or the outcome changes: the web confirmation
        posts the token of the preview it showed and `apply` refuses another one."""
        text = (
            f"{self.organisation.pk}:{self.digest}:{self.state}:{len(self.to_create)}:"
            f"{len(self.to_update)}:{len(self.unchanged)}:{len(self.refused)}"
        )
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    @property
    def status_changes(self) -> int:
        return sum(1 for u in self.to_update if u.status_change)

    def summary(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "organisation": self.organisation.slug,
            "created": len(self.to_create),
            "updated": len(self.to_update),
            "status_changes": self.status_changes,
            "unchanged": len(self.unchanged),
            "refused": len(self.refused),
            "new_locations": len(self.new_locations),
            "new_departments": len(self.new_departments),
            "warnings": len(self.warnings),
        }


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    status_changed: int
    unchanged: int
    refused: int


# --- building the plan ------------------------------------------------------------------------


class _Names:
    """Locations or departments of the organisation by name (exact, else accent- and
    case-insensitive); unknown names are collected to be created."""

    def __init__(self, existing: Iterable[tuple[int, str]]) -> None:
        self.by_name: dict[str, int] = {}
        self.by_key: dict[str, str] = {}
        self.names: dict[int, str] = {}
        for pk, name in existing:
            self.by_name[name] = pk
            self.by_key.setdefault(normalize(name), name)
            self.names[pk] = name
        self.new: dict[str, str] = {}

    def resolve(self, name: str) -> str:
        """The spelling to use for `name`: an existing one, else `name` (to be created)."""
        if name in self.by_name:
            return name
        key = normalize(name)
        if key in self.by_key:
            return self.by_key[key]
        return self.new.setdefault(key, name)


def fleet_state(organisation: Organisation) -> tuple[int, int, int]:
    """(number of assets, highest id, sum of versions): any write to the fleet changes it."""
    agg = Asset.objects.filter(organisation=organisation).aggregate(
        n=Count("pk"), top=Max("pk"), versions=Sum("version")
    )
    return (agg["n"] or 0, agg["top"] or 0, agg["versions"] or 0)


def build_plan(organisation: Organisation, parsed: ParsedFile) -> Plan:
    """What importing `parsed` into `organisation` would do. Reads, never writes.

    Raises DomainError when the file has errors (nothing can be imported from it).
    """
    if not parsed.ok:
        raise DomainError(
            _("Le fichier contient %(n)d erreur(s) : rien ne peut en être importé.")
            % {"n": parsed.error_total}
        )
    plan = Plan(organisation, parsed.name, parsed.format, parsed.digest)
    plan.warnings = list(parsed.warnings)
    others = [e for e in parsed.entities if normalize(e) != normalize(organisation.name)]
    if others:
        shown = ", ".join(repr(e) for e in others[:3]) + (" …" if len(others) > 3 else "")
        plan.warnings.append(
            _("Colonne entité ignorée (%(e)s) : tout est importé dans %(org)s.")
            % {"e": shown, "org": organisation.name}
        )

    wanted = ("pk", "version", "status", "location_id", "department_id", *_COMPARED)
    existing = list(Asset.objects.filter(organisation=organisation).order_by().values_list(*wanted))
    assets = {row[0]: dict(zip(wanted, row, strict=True)) for row in existing}
    plan.state = (
        len(assets),
        max(assets, default=0),
        sum(a["version"] for a in assets.values()),
    )
    by_serial = {a["serial_number"]: a for a in assets.values() if a["serial_number"]}
    by_inventory = {a["inventory_number"]: a for a in assets.values() if a["inventory_number"]}
    locations = _Names(Location.objects.filter(organisation=organisation).values_list("pk", "name"))
    departments = _Names(
        Department.objects.filter(organisation=organisation).values_list("pk", "name")
    )
    policies = dict(
        LifespanPolicy.objects.filter(organisation=organisation).values_list("kind", "years")
    )
    today = timezone.localdate()
    seen_serial: dict[str, int] = {}
    seen_inventory: dict[str, int] = {}

    for row in parsed.rows:
        ident = row.serial or row.inventory
        reason = _identity_problem(row, seen_serial, seen_inventory)
        if reason:
            plan.refused.append(Refusal(row.line, ident, reason))
            continue
        if row.serial:
            seen_serial[row.serial] = row.line
        if row.inventory:
            seen_inventory[row.inventory] = row.line
        asset, reason = _match(row, by_serial, by_inventory)
        if reason:
            plan.refused.append(Refusal(row.line, ident, reason))
            continue
        location = locations.resolve(row.location) if row.location else None
        department = departments.resolve(row.department) if row.department else None
        if asset is None:
            plan.to_create.append(
                Creation(
                    row.line,
                    dict(row.fields),
                    row.status or AssetStatus.IN_SERVICE,
                    location,
                    department,
                )
            )
            continue
        update, reason = _update(
            row, asset, location, department, locations, departments, policies, today
        )
        if reason:
            plan.refused.append(Refusal(row.line, ident, reason))
        elif update is None:
            plan.unchanged.append(row.line)
        else:
            plan.to_update.append(update)

    used_locations = {c.location for c in plan.to_create} | {
        u.changes["location"][1] for u in plan.to_update if "location" in u.changes
    }
    used_departments = {c.department for c in plan.to_create} | {
        u.changes["department"][1] for u in plan.to_update if "department" in u.changes
    }
    plan.new_locations = [n for n in locations.new.values() if n in used_locations]
    plan.new_departments = [n for n in departments.new.values() if n in used_departments]
    return plan


def _identity_problem(
    row: ImportRow, seen_serial: dict[str, int], seen_inventory: dict[str, int]
) -> str | None:
    if row.refuse:
        return row.refuse
    if not row.serial and not row.inventory:
        return _(
            "ni numéro de série ni numéro d'inventaire : l'équipement ne pourrait pas être "
            "retrouvé à la prochaine importation"
        )
    if row.serial and row.serial in seen_serial:
        return _("même numéro de série (%(s)s) que la ligne %(n)d") % {
            "s": row.serial,
            "n": seen_serial[row.serial],
        }
    if row.inventory and row.inventory in seen_inventory:
        return _("même numéro d'inventaire (%(s)s) que la ligne %(n)d") % {
            "s": row.inventory,
            "n": seen_inventory[row.inventory],
        }
    return None


def _match(
    row: ImportRow, by_serial: dict[str, dict[str, Any]], by_inventory: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any] | None, str | None]:
    """The asset the row designates (by serial, then inventory number), or why it is unclear."""
    a_serial = by_serial.get(row.serial) if row.serial else None
    a_inventory = by_inventory.get(row.inventory) if row.inventory else None
    if a_serial and a_inventory and a_serial["pk"] != a_inventory["pk"]:
        return None, _(
            "le numéro de série %(s)s désigne un équipement et le numéro d'inventaire %(i)s "
            "un autre"
        ) % {"s": row.serial, "i": row.inventory}
    if a_serial is None and a_inventory is not None and row.serial and a_inventory["serial_number"]:
        return None, _(
            "le numéro d'inventaire %(i)s appartient à l'équipement de numéro de série %(s)s"
        ) % {"i": row.inventory, "s": a_inventory["serial_number"]}
    return a_serial or a_inventory, None


def _update(
    row: ImportRow,
    asset: dict[str, Any],
    location: str | None,
    department: str | None,
    locations: _Names,
    departments: _Names,
    policies: dict[str, float],
    today: dt.date,
) -> tuple[Update | None, str | None]:
    changes: dict[str, tuple[Any, Any]] = {}
    for name, value in row.fields.items():
        if asset[name] != value:
            changes[name] = (asset[name], value)
    for name, value, names, current in (
        ("location", location, locations, asset["location_id"]),
        ("department", department, departments, asset["department_id"]),
    ):
        before = names.names.get(current) if current else None
        if value is not None and value != before:
            changes[name] = (before, value)
    status_change = None
    if row.status and row.status != asset["status"]:
        current, target = asset["status"], row.status
        allowed = TRANSITIONS[current] | (
            {AssetStatus.LOST_STOLEN} if current not in FINAL_STATUSES else set()
        )
        if target not in allowed:
            return None, _("passage impossible de « %(a)s » à « %(b)s »") % {
                "a": AssetStatus(current).label,
                "b": AssetStatus(target).label,
            }
        if target == AssetStatus.RETIRED and not row.retirement_reason.strip():
            purchase = row.fields.get("purchase_date", asset["purchase_date"])
            kind = row.fields.get("kind", asset["kind"])
            life = row.fields.get(
                "expected_lifespan_years", asset["expected_lifespan_years"]
            ) or policies.get(kind)
            if purchase is not None and life is not None:
                age = (today - purchase).days / 365.25
                if age < life:
                    return None, _(
                        "réforme refusée : l'équipement a %(age).1f ans, moins que sa durée de "
                        "vie attendue (%(life)g ans) ; indiquez un motif de réforme "
                        "(colonne retirement_reason)"
                    ) % {"age": age, "life": life}
        status_change = (current, target)
    if not changes and status_change is None:
        return None, None
    ident = asset["serial_number"] or asset["inventory_number"] or f"#{asset['pk']}"
    return (
        Update(
            row.line,
            asset["pk"],
            ident,
            asset["version"],
            changes,
            status_change,
            row.retirement_reason,
        ),
        None,
    )


# --- applying it ------------------------------------------------------------------------------


class StalePlan(DomainError):
    status = 409


def apply(
    actor: AbstractBaseUser | None,
    plan: Plan,
    *,
    check_permission: bool = True,
    bulk: bool | None = None,
) -> ImportResult:
    """Write `plan` in one transaction; raise StalePlan if the fleet changed since the preview.

    `actor` needs EDIT_FLEET on the organisation (a scheduled job passes `None` with
    `check_permission=False`). `bulk` forces or forbids the bulk path (default: from
    `BULK_THRESHOLD` rows).
    """
    org = plan.organisation
    if check_permission:
        require(actor, org, EDIT_FLEET)  # type: ignore[arg-type]
    if bulk is None:
        bulk = len(plan.to_create) + len(plan.to_update) >= BULK_THRESHOLD
    try:
        with transaction.atomic():
            Organisation.objects.select_for_update().get(pk=org.pk)
            if fleet_state(org) != plan.state:
                raise StalePlan(
                    _(
                        "Le parc de %(org)s a changé depuis l'aperçu : relancez l'aperçu avant "
                        "d'importer."
                    )
                    % {"org": org.name}
                )
            location_ids = _ensure(Location, org, plan.new_locations)
            department_ids = _ensure(Department, org, plan.new_departments)
            if bulk:
                _bulk_create(actor, plan, location_ids, department_ids)
                _bulk_update(actor, plan, location_ids, department_ids)
            else:
                _service_create(actor, plan, location_ids, department_ids)
                _service_update(actor, plan, location_ids, department_ids)
            changed = _status_changes(actor, plan)
            record_event(
                actor,
                "fleet.import",
                org,
                organisation=org,
                after={**plan.summary(), "digest": plan.digest},
            )
    except IntegrityError as exc:
        raise DomainError(_("Import annulé, rien n'a été écrit : %(e)s") % {"e": exc}) from exc
    return ImportResult(
        created=len(plan.to_create),
        updated=len(plan.to_update),
        status_changed=changed,
        unchanged=len(plan.unchanged),
        refused=len(plan.refused),
    )


def _ensure(
    model: type[Location] | type[Department], org: Organisation, new: list[str]
) -> dict[str, int]:
    """Name → id of the organisation's locations (or departments), creating `new` ones."""
    existing = dict(model.objects.filter(organisation=org).values_list("name", "pk"))
    missing = [n for n in new if n not in existing]
    if missing:
        model.objects.bulk_create([model(organisation=org, name=n) for n in missing])
        existing = dict(model.objects.filter(organisation=org).values_list("name", "pk"))
    return existing


def _fk_fields(
    location: str | None, department: str | None, locs: dict[str, int], depts: dict[str, int]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if location:
        out["location_id"] = locs[location]
    if department:
        out["department_id"] = depts[department]
    return out


def _actor_id(actor: AbstractBaseUser | None) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


def _service_create(
    actor: AbstractBaseUser | None, plan: Plan, locs: dict[str, int], depts: dict[str, int]
) -> None:
    for c in plan.to_create:
        fields = dict(c.fields)
        if c.location:
            fields["location"] = Location.objects.get(pk=locs[c.location])
        if c.department:
            fields["department"] = Department.objects.get(pk=depts[c.department])
        try:
            services.create_asset(
                actor,
                plan.organisation,
                status=c.status,
                event_type=AssetEventType.IMPORTED,
                check_permission=False,
                **fields,
            )
        except DomainError as exc:
            raise DomainError(_("ligne %(n)d : %(e)s") % {"n": c.line, "e": exc.message}) from exc


def _bulk_create(
    actor: AbstractBaseUser | None, plan: Plan, locs: dict[str, int], depts: dict[str, int]
) -> None:
    items = [
        {
            **c.fields,
            "status": c.status,
            "location_id": locs[c.location] if c.location else None,
            "department_id": depts[c.department] if c.department else None,
        }
        for c in plan.to_create
    ]
    bulk.create_assets(plan.organisation.pk, items, actor_id=_actor_id(actor), now=timezone.now())


def _update_fields(update: Update, locs: dict[str, int], depts: dict[str, int]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, (_before, after) in update.changes.items():
        if name == "location":
            fields["location_id"] = locs[after]
        elif name == "department":
            fields["department_id"] = depts[after]
        else:
            fields[name] = after
    return fields


def _service_update(
    actor: AbstractBaseUser | None, plan: Plan, locs: dict[str, int], depts: dict[str, int]
) -> None:
    for u in plan.to_update:
        if not u.changes:
            continue
        fields = _update_fields(u, locs, depts)
        if "location_id" in fields:
            fields["location"] = Location.objects.get(pk=fields.pop("location_id"))
        if "department_id" in fields:
            fields["department"] = Department.objects.get(pk=fields.pop("department_id"))
        asset = Asset.objects.get(pk=u.asset_id)
        try:
            services.update_asset(
                actor,
                asset,
                expected_version=u.version,
                event_type=AssetEventType.IMPORTED,
                check_permission=False,
                **fields,
            )
        except DomainError as exc:
            raise DomainError(_("ligne %(n)d : %(e)s") % {"n": u.line, "e": exc.message}) from exc


def _bulk_update(
    actor: AbstractBaseUser | None, plan: Plan, locs: dict[str, int], depts: dict[str, int]
) -> None:
    changes = []
    for u in plan.to_update:
        if not u.changes:
            continue
        change: dict[str, tuple[Any, Any]] = {}
        for name, (before, after) in u.changes.items():
            if name in ("location", "department"):
                ids = locs if name == "location" else depts
                change[f"{name}_id"] = (ids.get(before) if before else None, ids[after])
            else:
                change[name] = (before, after)
        changes.append((u.asset_id, u.version, change))
    done = bulk.update_assets(changes, actor_id=_actor_id(actor), now=timezone.now())
    if done != len(changes):
        raise StalePlan(_("Un équipement a changé depuis l'aperçu : relancez l'aperçu."))


def _status_changes(actor: AbstractBaseUser | None, plan: Plan) -> int:
    count = 0
    for u in plan.to_update:
        if not u.status_change:
            continue
        asset = Asset.objects.get(pk=u.asset_id)
        try:
            services.change_status(
                actor,
                asset,
                u.status_change[1],
                reason=u.retirement_reason,
                check_permission=False,
            )
        except DomainError as exc:
            raise DomainError(_("ligne %(n)d : %(e)s") % {"n": u.line, "e": exc.message}) from exc
        count += 1
    return count
