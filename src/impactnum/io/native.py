"""Reader for impactnum's own inventory CSV (`kind,quantity,model,lifespan_years,…`).

Only `kind` is required. Columns are matched by name in any order; a column whose name is not
known gives a warning (with the closest known name) and is otherwise ignored, except
`label_<name>` columns, kept as grouping labels. See docs/inventory-formats.md.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np

from impactnum.engine.inputs import EquipmentLines, consumption
from impactnum.io.inventory import (
    Inventory,
    ReadOptions,
    countries_column,
    datacenter_pue,
    kinds_column,
    lifespans,
    no_lines_check,
)
from impactnum.io.lookups import normalize
from impactnum.io.table import Table, booleans, labels_from, numbers, read_table

REQUIRED = ("kind",)
LABEL_COLUMNS = ("entity", "department", "site", "model", "datacenter", "name", "user")
VALUE_COLUMNS = (
    "kind",
    "quantity",
    "lifespan_years",
    "purchase_date",
    "retirement_date",
    "refurbished",
    "kwh_per_year",
    "active_w",
    "idle_w",
    "hours_per_day",
    "days_per_year",
    "country",
    "in_datacenter",
    "pue",
)
KNOWN_COLUMNS = VALUE_COLUMNS + LABEL_COLUMNS


def read_native(
    path: str | Path, options: ReadOptions | None = None, *, display_name: str | None = None
) -> Inventory:
    """Read an impactnum inventory CSV; raise InputFileError listing every problem."""
    return read_native_table(read_table(path, display_name=display_name), options or ReadOptions())


def read_native_table(table: Table, options: ReadOptions) -> Inventory:
    errors = table.errors
    warnings: list[str] = []
    known = {normalize(c) for c in KNOWN_COLUMNS}
    extra_labels: dict[str, str] = {}
    for col in table.columns:
        key = normalize(col)
        if key in known:
            continue
        if key.startswith("label "):
            extra_labels[key.removeprefix("label ").replace(" ", "_")] = col
            continue
        hint = difflib.get_close_matches(key.replace(" ", "_"), KNOWN_COLUMNS, n=1)
        did = f" (did you mean {hint[0]!r}?)" if hint else ""
        warnings.append(f"{table.path}: column {col!r} ignored: not a known column{did}")

    table.require(REQUIRED, errors)
    table.prefetch(
        [*LABEL_COLUMNS, *extra_labels.values(), "kind", "country", "refurbished", "in_datacenter"]
    )
    kinds = kinds_column(table, "kind", options, errors)
    quantity = numbers(table, "quantity", errors, minimum=0)
    quantity = np.where(np.isnan(quantity), 1.0, quantity)
    given_life = numbers(table, "lifespan_years", errors, positive=True)
    life, life_status = lifespans(
        table, given_life, "purchase_date", "retirement_date", options, errors
    )
    refurbished = booleans(table, "refurbished", errors)
    kwh, kwh_status = consumption(
        numbers(table, "kwh_per_year", errors, minimum=0),
        active_w=numbers(table, "active_w", errors, minimum=0),
        idle_w=numbers(table, "idle_w", errors, minimum=0),
        hours_per_day=numbers(table, "hours_per_day", errors, minimum=0, maximum=24),
        days_per_year=numbers(table, "days_per_year", errors, minimum=0, maximum=366),
    )
    country = countries_column(table, "country", errors)
    in_dc = booleans(table, "in_datacenter", errors) | table.present("datacenter")
    pue = numbers(table, "pue", errors, minimum=1)
    no_lines_check(table, errors)
    errors.raise_if_any()

    labels = labels_from(table, {c: c for c in LABEL_COLUMNS})
    labels.update(labels_from(table, extra_labels))
    labels["country"] = country
    lines = EquipmentLines.from_columns(
        kind=kinds,
        quantity=quantity,
        lifespan_years=life,
        lifespan_status=life_status,
        refurbished=refurbished,
        kwh_per_year=kwh,
        kwh_status=kwh_status,
        country=country,
        pue=datacenter_pue(in_dc, pue, options),
        labels=labels,
    )
    return Inventory(
        lines, table.path, "impactnum", table.encoding, table.separator, tuple(warnings)
    )
