"""Spreadsheet cells that are safe to open: imported text is never run as a formula.

A cell imported as text (a model name, a commune, a label) may start with `=`, `+`, `-` or `@`
(or a tab or carriage return before one): opened in a spreadsheet, an exported CSV would run
it as a formula (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`: "CSV injection"), and openpyxl
stores any string starting with `=` as a formula. Every CSV and XLSX export goes through this
module, so the rule lives in one place:

- CSV: such a text gets a leading `'` (the OWASP advice; spreadsheets show the text as is);
- XLSX: such a text is written as a text cell (with Excel's "quote prefix"), never a formula.

Only text is touched: numbers stay numbers, and a text that is just a number (`-12,5`,
`-1.5e-05`, `-inf`) is left alone, so negative values are never mangled.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(
    r"[+-]?(?:(?:\d[\d\u00a0\u202f ]*)?(?:[.,]\d+)?(?:[eE][+-]?\d+)?|inf|infinity|nan)",
    re.IGNORECASE,
)


def formula_like(value: object) -> bool:
    """True for a text a spreadsheet could run as a formula."""
    return (
        isinstance(value, str)
        and len(value) > 1
        and value.startswith(FORMULA_START)
        and not _NUMBER.fullmatch(value)
    )


def csv_cell(value: Any) -> Any:
    """The value as it goes into a CSV cell: formula-like text gets a leading `'`."""
    return "'" + value if formula_like(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


class SafeCsvWriter:
    """`csv.writer` whose rows go through `csv_cell`."""

    def __init__(self, out: Any, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: Any, **options: Any) -> SafeCsvWriter:
    """A CSV writer for exports: like `csv.writer(out, **options)`, formula-safe."""
    return SafeCsvWriter(out, **options)


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """The value as it goes into `sheet.append`: formula-like text becomes a text cell."""
    if not formula_like(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    _as_text(cell)
    return cell


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    return [xlsx_cell(sheet, v) for v in values]


def neutralise_workbook(workbook: Any) -> None:
    """Make every formula-like cell of a (not write-only) workbook a text cell; call it just
    before saving. Our exports write no formula of their own."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or formula_like(cell.value):
                    _as_text(cell)


def _as_text(cell: Any) -> None:
    cell.data_type = "s"  # openpyxl typed a text starting with `=` as a formula
    cell.quotePrefix = True  # Excel keeps it text when the cell is edited
