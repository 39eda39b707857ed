"""Reader for NumEcoEval's physical-equipment CSV (`nomEquipementPhysique;modele;quantite;…`).

Columns are matched by name (case- and accent-insensitive) in any order; unknown columns are
ignored; only `type` is required. See docs/inventory-formats.md for the column-by-column rules.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from impactnum.engine.inputs import EquipmentLines
from impactnum.io.inventory import (
    Inventory,
    ReadOptions,
    countries_column,
    datacenter_pue,
    kinds_column,
    lifespans,
    no_lines_check,
)
from impactnum.io.table import Table, labels_from, numbers, read_table

REQUIRED = ("type",)

LABELS = {
    "entity": "nomEntite",
    "model": "modele",
    "datacenter": "nomCourtDatacenter",
    "equipment": "nomEquipementPhysique",
    "status": "statut",
    "user": "utilisateur",
    "source": "nomSourceDonnee",
    "type": "type",
}
"""Grouping labels (`--by NAME`) → NumEcoEval column."""


def read_numecoeval(
    path: str | Path, options: ReadOptions | None = None, *, display_name: str | None = None
) -> Inventory:
    """Read a NumEcoEval physical-equipment CSV; raise InputFileError listing every problem."""
    return read_numecoeval_table(
        read_table(path, display_name=display_name), options or ReadOptions()
    )


def read_numecoeval_table(table: Table, options: ReadOptions) -> Inventory:
    errors = table.errors
    warnings: list[str] = []
    table.require(REQUIRED, errors)
    table.prefetch([*LABELS.values(), "paysDUtilisation"])
    kinds = kinds_column(table, "type", options, errors)

    quantity = numbers(table, "quantite", errors, minimum=0)
    quantity = np.where(np.isnan(quantity), 1.0, quantity)

    durations = [
        numbers(table, col, errors, minimum=0)
        for col in ("dureeUsageInterne", "dureeUsageAmont", "dureeUsageAval")
    ]
    stacked = np.vstack(durations)
    any_given = ~np.all(np.isnan(stacked), axis=0)
    given = np.where(any_given, np.nansum(stacked, axis=0), np.nan)
    zero = any_given & (given <= 0)
    if zero.any():
        col = table.find("dureeUsageInterne") or "dureeUsageInterne"
        errors.add_many(
            int(zero.sum()),
            [
                (ln, col, "lifespan must be greater than 0")
                for ln in table.lines[zero][:50].tolist()
            ],
        )
    life, life_status = lifespans(table, given, "dateAchat", "dateRetrait", options, errors)

    kwh = numbers(table, "consoElecAnnuelle", errors, minimum=0)
    country = countries_column(table, "paysDUtilisation", errors)
    in_dc = table.present("nomCourtDatacenter")
    pue = numbers(table, "pue", errors, minimum=1)  # not in NumEcoEval's file: an extension
    no_lines_check(table, errors)
    errors.raise_if_any()

    labels = labels_from(table, LABELS)
    labels["country"] = country
    lines = EquipmentLines.from_columns(
        kind=kinds,
        quantity=quantity,
        lifespan_years=life,
        lifespan_status=life_status,
        kwh_per_year=kwh,
        country=country,
        pue=datacenter_pue(in_dc, pue, options),
        labels=labels,
    )
    return Inventory(
        lines, table.path, "numecoeval", table.encoding, table.separator, tuple(warnings)
    )
