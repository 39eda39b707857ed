"""What an inventory reader returns, and the rules both inventory formats share.

`read_inventory` picks the format from the header: a `kind` column means impactnum's own CSV,
otherwise NumEcoEval's physical-equipment CSV (which needs `type`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from impactnum.engine.inputs import Categorical, EquipmentLines, Status, lifespan_from_dates
from impactnum.io.errors import ErrorCollector
from impactnum.io.lookups import Lookup, countries, type_map
from impactnum.io.table import Table, dates, lookup, read_table

LifespanMode = Literal["fixed", "real"]
InputFormat = Literal["auto", "numecoeval", "impactnum"]


@dataclass(frozen=True)
class Inventory:
    """Equipment lines read from a file, with where they came from and what was assumed."""

    lines: EquipmentLines
    path: str
    format: str
    encoding: str
    separator: str
    warnings: tuple[str, ...] = field(default=())

    @property
    def labels(self) -> Mapping[str, Categorical]:
        return self.lines.labels


@dataclass(frozen=True)
class ReadOptions:
    """Options shared by the readers. `today` is injectable for reproducible REEL lifespans."""

    pue_default: float = 1.75
    lifespan_mode: LifespanMode = "fixed"
    type_map_file: str | Path | None = None
    today: dt.date | None = None

    def types(self) -> Lookup:
        return type_map(self.type_map_file)


def kinds_column(
    table: Table, column: str, options: ReadOptions, errors: ErrorCollector
) -> Categorical:
    """Map the type/kind column to kind codes; empty cells are errors (the column is required)."""
    kinds = lookup(table, column, options.types(), errors, what="type")
    if table.find(column) is not None:
        empty = ~table.present(column)
        lines = table.lines[empty][: errors.limit].tolist()
        errors.add_many(
            int(empty.sum()), [(ln, table.find(column) or column, "empty value") for ln in lines]
        )
    return kinds


def countries_column(table: Table, column: str, errors: ErrorCollector) -> Categorical:
    """Country names or ISO codes → ISO alpha-3 (missing: the factor set's default country)."""
    return lookup(table, column, countries(), errors, what="country")


def lifespans(
    table: Table,
    given: np.ndarray,
    purchase_col: str,
    retirement_col: str,
    options: ReadOptions,
    errors: ErrorCollector,
) -> tuple[np.ndarray, np.ndarray]:
    """Lifespan in years and its status: given > derived from dates > kind default (NaN).

    Dates: retirement − purchase; with `lifespan_mode="real"` (NumEcoEval REEL) a device still
    in service counts today − purchase. (The engine counts any lifespan under a year as one.)
    """
    purchase = dates(table, purchase_col, errors)
    retirement = dates(table, retirement_col, errors)
    before = ~np.isnat(purchase) & ~np.isnat(retirement) & (retirement < purchase)
    if before.any():
        label = table.find(retirement_col) or retirement_col
        bad_lines = table.lines[before][: errors.limit].tolist()
        errors.add_many(
            int(before.sum()),
            [(ln, label, "retirement date before purchase date") for ln in bad_lines],
        )
    today = np.datetime64(options.today or dt.date.today(), "D")
    derived = lifespan_from_dates(
        purchase, retirement, today=today, real_mode=options.lifespan_mode == "real"
    )
    has_given = ~np.isnan(given)
    has_derived = ~np.isnan(derived)
    life = np.where(has_given, given, derived)
    status = np.where(
        has_given, Status.GIVEN, np.where(has_derived, Status.DERIVED, Status.DEFAULT)
    ).astype(np.uint8)
    return life, status


def datacenter_pue(in_datacenter: np.ndarray, pue: np.ndarray, options: ReadOptions) -> np.ndarray:
    """PUE: the given one, else the set's default in a data centre, else 1."""
    out = np.where(np.isnan(pue) & in_datacenter, options.pue_default, pue)
    return np.where(np.isnan(out), 1.0, out)


def no_lines_check(table: Table, errors: ErrorCollector) -> None:
    if table.df.height == 0 and not errors:
        errors.add(0, "", "no equipment lines (only a header)")


def detect_format(table: Table) -> str:
    return "impactnum" if table.find("kind") is not None else "numecoeval"


def read_inventory(
    path: str | Path,
    *,
    input_format: InputFormat = "auto",
    options: ReadOptions | None = None,
    display_name: str | None = None,
) -> Inventory:
    """Read an inventory file (NumEcoEval or impactnum CSV) into equipment lines.

    Raises `impactnum.io.errors.InputFileError` listing every problem found.
    """
    from impactnum.io.native import read_native_table
    from impactnum.io.numecoeval import read_numecoeval_table

    options = options or ReadOptions()
    table = read_table(path, display_name=display_name)
    fmt = detect_format(table) if input_format == "auto" else input_format
    if fmt == "impactnum":
        return read_native_table(table, options)
    return read_numecoeval_table(table, options)
