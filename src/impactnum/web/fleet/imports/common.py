"""What every import format shares: the parsed row, the parsed file, the column parsers and the
status table.

A format's parser reads a `impactnum.io.table.Table` (the CSV reader of the engine: `;`, `,` or
tab, UTF-8 with or without BOM, Windows-1252, every line checked for its number of fields) and
returns a `ParsedFile`: one `ImportRow` per line, the file's errors (each naming its line) and
its warnings. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import numpy as np
import polars as pl

from impactnum.io.errors import ErrorCollector, InputError, InputFileError
from impactnum.io.lookups import countries, normalize, type_map
from impactnum.io.table import Table, booleans, dates, duplicate_names, numbers

from ..choices import AssetStatus, WeeeCategory

FORMATS = ("glpi", "numecoeval", "impactnum")

TEXT_LIMITS = {
    "manufacturer": 100,
    "model": 200,
    "serial_number": 100,
    "inventory_number": 100,
    "assigned_to": 100,
    "supplier": 200,
    "order_reference": 100,
    "storage_media": 200,
    "location": 200,
    "department": 200,
}
"""Longest text accepted per field (the model's max_length)."""

MAX_MONEY = Decimal("9999999999.99")


@dataclass(frozen=True)
class ImportRow:
    """One line of an import file, as asset values.

    `fields` holds only the Asset fields the line gives a value for (an empty cell never
    erases a stored value); `status` is an `AssetStatus` value or None (not given, or unknown);
    `location` and `department` are names (created when unknown); `refuse` is a reason found
    while reading (the line will be refused, the rest of the file goes on).
    """

    line: int
    fields: dict[str, Any]
    status: str | None = None
    location: str | None = None
    department: str | None = None
    retirement_reason: str = ""
    refuse: str | None = None
    status_unknown: str | None = None

    @property
    def serial(self) -> str:
        return str(self.fields.get("serial_number") or "")

    @property
    def inventory(self) -> str:
        return str(self.fields.get("inventory_number") or "")


@dataclass
class ParsedFile:
    """A read import file: its rows, or the errors that stop it from being imported."""

    name: str
    format: str
    digest: str
    rows: list[ImportRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    error_total: int = 0
    entities: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error_total == 0

    def error_lines(self) -> list[str]:
        """Every error as `FILE:LINE: column 'x': reason` (then how many were not listed)."""
        if not self.error_total:
            return []
        return InputFileError(self.name, self.errors, self.error_total).lines()

    def raise_if_errors(self) -> None:
        if self.error_total:
            raise InputFileError(self.name, self.errors, self.error_total)


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- warnings grouped by value ----------------------------------------------------------------


class Warnings:
    """Warnings grouped by message: one line per distinct problem, with its first line numbers."""

    def __init__(self) -> None:
        self._lines: dict[str, list[int]] = defaultdict(list)
        self._order: list[str] = []
        self.plain: list[str] = []

    def add(self, message: str, line: int) -> None:
        if message not in self._lines:
            self._order.append(message)
        self._lines[message].append(line)

    def render(self, file: str) -> list[str]:
        out = list(self.plain)
        for message in self._order:
            lines = self._lines[message]
            shown = ", ".join(str(n) for n in lines[:5]) + (", …" if len(lines) > 5 else "")
            word = "line" if len(lines) == 1 else f"{len(lines)} lines:"
            out.append(f"{file}: {message} ({word} {shown})")
        return out


# --- column parsers ---------------------------------------------------------------------------


def text_column(
    table: Table, names: Iterable[str], limit: int, errors: ErrorCollector
) -> tuple[list[str | None], str | None]:
    """The first present column among `names` as trimmed text (None where empty); values
    longer than `limit` are errors. Returns the values and the column's name in the file."""
    col = find_any(table, names)
    if col is None:
        return [None] * table.height, None
    series = table.text(col)
    too_long = (series.str.len_chars() > limit).fill_null(False)
    if too_long.any():
        lines = table.df.get_column("__line").filter(too_long).head(errors.limit).to_list()
        errors.add_many(
            int(too_long.sum()),
            [(ln, col, f"longer than {limit} characters") for ln in lines],
        )
    return series.to_list(), col


def find_any(table: Table, names: Iterable[str]) -> str | None:
    for name in names:
        col = table.find(name)
        if col is not None:
            return col
    return None


def date_column(table: Table, names: Iterable[str], errors: ErrorCollector) -> list[dt.date | None]:
    """Dates `YYYY-MM-DD`, `DD/MM/YYYY` or `DD-MM-YYYY`, with or without a time (None where
    empty); an unreadable date is an error naming its line."""
    col = find_any(table, names)
    if col is None:
        return [None] * table.height
    values = dates(table, col, errors)
    return [None if v is None else v for v in values.astype(object).tolist()]


def number_column(
    table: Table, names: Iterable[str], errors: ErrorCollector, *, minimum: float = 0
) -> list[float | None]:
    col = find_any(table, names)
    if col is None:
        return [None] * table.height
    values = numbers(table, col, errors, minimum=minimum)
    return [None if np.isnan(v) else float(v) for v in values.tolist()]


def money_column(
    table: Table, names: Iterable[str], errors: ErrorCollector
) -> list[Decimal | None]:
    col = find_any(table, names)
    out: list[Decimal | None] = []
    lines = table.lines.tolist()
    for value, line in zip(number_column(table, names, errors), lines, strict=True):
        if value is None:
            out.append(None)
            continue
        amount = Decimal(str(round(value, 2)))
        if amount > MAX_MONEY:
            errors.add(line, col or "", f"amount too large: {value:g}")
            out.append(None)
        else:
            out.append(amount)
    return out


def bool_column(table: Table, names: Iterable[str], errors: ErrorCollector) -> list[bool | None]:
    """Yes/no (oui/non, 1/0, x…); None where empty, so an empty cell changes nothing."""
    col = find_any(table, names)
    if col is None:
        return [None] * table.height
    values = booleans(table, col, errors)
    given = table.text(col).is_not_null().to_numpy()
    return [bool(v) if g else None for v, g in zip(values.tolist(), given.tolist(), strict=True)]


def mapped_column(
    table: Table, col: str | None, mapper: Callable[[str], Any]
) -> tuple[list[Any], list[str | None]]:
    """Map a text column through `mapper`, called once per distinct value; returns the mapped
    values and the raw cells (None where empty)."""
    if col is None:
        empty: list[Any] = [None] * table.height
        return empty, list(empty)
    raw = table.text(col).to_list()
    cache: dict[str, Any] = {}
    out = []
    for value in raw:
        if value is None:
            out.append(None)
            continue
        if value not in cache:
            cache[value] = mapper(value)
        out.append(cache[value])
    return out, raw


def bad_values(
    table: Table, col: str, raw: list[str | None], mapped: list[Any], errors: ErrorCollector, what
) -> None:
    """Record an error for each non-empty cell that `mapped` left as None."""
    lines = table.lines.tolist()
    for value, result, line in zip(raw, mapped, lines, strict=True):
        if value is not None and result is None:
            errors.add(line, col, f"unknown {what} {value!r}")


# --- kinds, statuses, countries ---------------------------------------------------------------


def kind_table(extra: Iterable[tuple[str, str]] = ()) -> dict[str, str]:
    """The engine's type → kind table (accent- and case-insensitive keys), plus `extra`."""
    base = type_map()
    table = dict(zip(base.keys, base.values, strict=True))
    for raw, kind in extra:
        table[normalize(raw)] = kind
    return table


STATUS_NAMES: tuple[tuple[str, str], ...] = (
    ("En service", AssetStatus.IN_SERVICE),
    ("En utilisation", AssetStatus.IN_SERVICE),
    ("Actif", AssetStatus.IN_SERVICE),
    ("In use", AssetStatus.IN_SERVICE),
    ("In service", AssetStatus.IN_SERVICE),
    ("Active", AssetStatus.IN_SERVICE),
    ("En stock", AssetStatus.IN_STOCK),
    ("Stock", AssetStatus.IN_STOCK),
    ("In stock", AssetStatus.IN_STOCK),
    ("En réparation", AssetStatus.IN_REPAIR),
    ("En maintenance", AssetStatus.IN_REPAIR),
    ("In repair", AssetStatus.IN_REPAIR),
    ("Hors service", AssetStatus.RETIRED),
    ("Rebut", AssetStatus.RETIRED),
    ("Au rebut", AssetStatus.RETIRED),
    ("Réformé", AssetStatus.RETIRED),
    ("Retired", AssetStatus.RETIRED),
    ("Réserve", AssetStatus.SPARE),
    ("En réserve", AssetStatus.SPARE),
    ("Spare", AssetStatus.SPARE),
    ("Commandé", AssetStatus.ORDERED),
    ("En commande", AssetStatus.ORDERED),
    ("Ordered", AssetStatus.ORDERED),
    ("Perdu", AssetStatus.LOST_STOLEN),
    ("Volé", AssetStatus.LOST_STOLEN),
    ("Perdu ou volé", AssetStatus.LOST_STOLEN),
    ("Recyclé", AssetStatus.RECYCLED),
    ("Recycled", AssetStatus.RECYCLED),
    ("Confié au réemploi", AssetStatus.HANDED_TO_REUSE),
)
"""Status spellings of GLPI (its default French labels), NumEcoEval and people; our own codes
and labels are added by `status_table`."""


def status_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for value, label in AssetStatus.choices:
        table[normalize(value)] = value
        table[normalize(str(label))] = value
    for raw, value in STATUS_NAMES:
        table[normalize(raw)] = str(value)
    return table


def map_status(raw: str, table: dict[str, str]) -> str | None:
    """A status code for `raw`; GLPI's hierarchical `Parent > Child` tries the whole, then the
    child, then the parent."""
    candidates = [raw]
    if ">" in raw:
        parts = [p.strip() for p in raw.split(">") if p.strip()]
        candidates += [parts[-1], parts[0]] if parts else []
    for candidate in candidates:
        found = table.get(normalize(candidate))
        if found:
            return found
    return None


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    lookup = countries()
    return dict(zip(lookup.keys, lookup.values, strict=True))


def country_code(raw: str) -> str | None:
    """ISO alpha-3 code of a country name or code (French or English), or None."""
    return _countries().get(normalize(raw))


def weee_code(raw: str) -> str | None:
    key = normalize(raw)
    for value, label in WeeeCategory.choices:
        if key in (normalize(value), normalize(str(label))):
            return value
    return None


def table_from_rows(
    name: str, header: list[str], rows: list[tuple[int, list[str | None]]]
) -> Table:
    """A `Table` from cells already split (an XLSX sheet): `rows` are (line number, cells)."""
    columns = [h or f"column {i + 1}" for i, h in enumerate(header)]
    duplicates = duplicate_names(columns)
    seen: dict[str, int] = {}
    for i, col in enumerate(columns):  # a repeated header gets a distinct name, as in a CSV
        seen[col] = seen.get(col, 0) + 1
        if seen[col] > 1:
            columns[i] = f"{col}_duplicated_{seen[col] - 2}"
    data = {
        col: pl.Series(col, [cells[i] for _, cells in rows], dtype=pl.String)
        for i, col in enumerate(columns)
    }
    df = pl.DataFrame(data).with_columns(
        pl.Series("__line", [line for line, _ in rows], dtype=pl.Int64)
    )
    return Table(name, df, tuple(columns), "", "xlsx", ErrorCollector(name), duplicates=duplicates)


def collect(errors: ErrorCollector) -> tuple[list[InputError], int]:
    """The collector's errors (first ones, sorted) and their total."""
    if not errors.total:
        return [], 0
    try:
        errors.raise_if_any()
    except InputFileError as exc:
        return exc.errors, exc.total
    return [], 0  # pragma: no cover
