"""Writing many assets and their events fast: one `executemany` per statement.

Django's `bulk_create` builds one multi-row INSERT per few dozen rows on SQLite (its limit of
999 parameters over the asset's 33 columns) and prepares every value through the field; for
100,000 assets that takes minutes. Here the values are prepared once per column kind (only
dates, datetimes, decimals and JSON need the database's adaptation), and each statement is sent
once with all its rows. The rows are the same as the services would write: the asset's
defaults, the `imported` event with the same `data` (`services.snapshot` shape), append-only.
Used only inside `plan.apply`'s transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, router

from ..choices import AssetEventType
from ..models import Asset, AssetEvent

Prep = Callable[[Any], Any]

_PRIMITIVE = (str, int, float, bool, type(None))


def _connection(model: type[models.Model]) -> Any:
    return connections[router.db_for_write(model)]


def _preparer(field: models.Field, connection: Any) -> Prep | None:
    """How to turn a Python value into the database's for this field (None: as is). Dates,
    datetimes and decimals repeat a lot in a fleet: each distinct value is adapted once."""
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, (models.DateField, models.DecimalField)):  # DateTimeField too
        cache: dict[Any, Any] = {None: None}

        def prep(value: Any) -> Any:
            try:
                return cache[value]
            except KeyError:
                cache[value] = out = field.get_db_prep_save(value, connection)
                return out

        return prep
    return None


def _insert(
    model: type[models.Model], fields: Sequence[models.Field], rows: list[list[Any]]
) -> None:
    if not rows:
        return
    connection = _connection(model)
    quote = connection.ops.quote_name
    preps = [(i, p) for i, f in enumerate(fields) if (p := _preparer(f, connection)) is not None]
    for row in rows:
        for i, prep in preps:
            row[i] = prep(row[i])
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


_ASSET_FIELDS = [f for f in Asset._meta.concrete_fields if not f.primary_key]
_SNAPSHOT_FIELDS = [
    f for f in Asset._meta.concrete_fields if getattr(f, "editable", False)
]  # what `core.services.snapshot` (model_to_dict) keeps
_SNAPSHOT_AS_IS = [
    (f.name, f.attname)
    for f in _SNAPSHOT_FIELDS
    if not isinstance(f, (models.DateField, models.DecimalField))
]
_SNAPSHOT_AS_TEXT = [
    (f.name, f.attname)
    for f in _SNAPSHOT_FIELDS
    if isinstance(f, (models.DateField, models.DecimalField))
]
_EVENT_FIELDS = [f for f in AssetEvent._meta.concrete_fields if not f.primary_key]


def _json_safe(value: Any) -> Any:
    return value if isinstance(value, _PRIMITIVE) else str(value)


def create_assets(
    organisation_id: int,
    items: list[dict[str, Any]],
    *,
    actor_id: int | None,
    now: dt.datetime,
) -> None:
    """Insert assets (each a dict of attnames: `kind`, `status`, `location_id`…, the rest from
    the model's defaults) and one `imported` event each. Every item has a serial or an
    inventory number, unique in the organisation: that is how the new ids are found back."""
    defaults = {f.attname: f.get_default() for f in _ASSET_FIELDS}
    defaults.update(organisation_id=organisation_id, status_changed_at=now, created_at=now)
    values = [{**defaults, **item} for item in items]
    _insert(Asset, _ASSET_FIELDS, [[v[f.attname] for f in _ASSET_FIELDS] for v in values])

    by_serial: dict[str, int] = {}
    by_inventory: dict[str, int] = {}
    for pk, serial, inventory in Asset.objects.filter(organisation_id=organisation_id).values_list(
        "pk", "serial_number", "inventory_number"
    ):
        if serial:
            by_serial[serial] = pk
        if inventory:
            by_inventory[inventory] = pk
    events = []
    for v in values:
        pk = by_serial.get(v["serial_number"]) if v["serial_number"] else None
        pk = pk or by_inventory[v["inventory_number"]]
        v["id"] = pk
        fields = {name: v[att] for name, att in _SNAPSHOT_AS_IS}
        for name, att in _SNAPSHOT_AS_TEXT:
            value = v[att]
            fields[name] = None if value is None else str(value)
        data = {"fields": {f.name: fields[f.name] for f in _SNAPSHOT_FIELDS}}
        events.append(
            {
                "asset_id": pk,
                "at": now,
                "actor_id": actor_id,
                "type": str(AssetEventType.IMPORTED),
                "from_status": "",
                "to_status": str(v["status"]),
                "data": data,
            }
        )
    _insert(AssetEvent, _EVENT_FIELDS, [[e[f.attname] for f in _EVENT_FIELDS] for e in events])


def update_assets(
    changes: list[tuple[int, int, dict[str, tuple[Any, Any]]]],
    *,
    actor_id: int | None,
    now: dt.datetime,
) -> int:
    """Apply (asset id, expected version, {attname: (before, after)}) changes, one UPDATE
    statement per set of changed columns, version + 1, and one `imported` event each with
    `{"changed": {field: [before, after]}}`. Returns how many rows were updated."""
    connection = _connection(Asset)
    quote = connection.ops.quote_name
    fields = {f.attname: f for f in _ASSET_FIELDS}
    groups: dict[tuple[str, ...], list[tuple[int, int, dict[str, tuple[Any, Any]]]]] = defaultdict(
        list
    )
    for item in changes:
        groups[tuple(sorted(item[2]))].append(item)
    updated = 0
    events = []
    for columns, items in groups.items():
        preps = [_preparer(fields[c], connection) for c in columns]
        sql = "UPDATE {} SET {}, {} = {} + 1 WHERE {} = %s AND {} = %s".format(
            quote(Asset._meta.db_table),
            ", ".join(f"{quote(fields[c].column)} = %s" for c in columns),
            quote("version"),
            quote("version"),
            quote("id"),
            quote("version"),
        )
        rows = []
        for pk, version, change in items:
            row = [
                (p(change[c][1]) if p else change[c][1])
                for c, p in zip(columns, preps, strict=True)
            ]
            rows.append([*row, pk, version])
            events.append(
                {
                    "asset_id": pk,
                    "at": now,
                    "actor_id": actor_id,
                    "type": str(AssetEventType.IMPORTED),
                    "from_status": "",
                    "to_status": "",
                    "data": {
                        "changed": {
                            fields[c].name: [_json_safe(change[c][0]), _json_safe(change[c][1])]
                            for c in columns
                        }
                    },
                }
            )
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
            updated += len(rows) if cursor.rowcount in (-1, None) else cursor.rowcount
    _insert(AssetEvent, _EVENT_FIELDS, [[e[f.attname] for f in _EVENT_FIELDS] for e in events])
    return updated
