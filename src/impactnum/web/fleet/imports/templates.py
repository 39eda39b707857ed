"""The downloadable impactnum templates: a CSV (`;`, UTF-8 with BOM, header only) and an XLSX
workbook (sheet `Parc` with the header and drop-down lists for kind, status and yes/no columns;
sheet `Aide` with each column's meaning and an example). Both read back with `native.parse`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import Any

from impactnum.engine.kinds import KIND_CODES

from ..choices import AssetStatus, WeeeCategory
from .native import COLUMNS, NAMES

CSV_SEPARATOR = ";"
BOOLEAN_COLUMNS = ("bought_refurbished", "recycled_material", "received_as_donation", "classified")


def csv_template(rows: Iterable[Mapping[str, Any]] = ()) -> bytes:
    """The CSV template (UTF-8 with BOM so that spreadsheets read the accents), with `rows`."""
    lines = [CSV_SEPARATOR.join(NAMES)]
    for row in rows:
        lines.append(CSV_SEPARATOR.join(_csv_cell(row.get(name)) for name in NAMES))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    text = str(value)
    if any(c in text for c in (CSV_SEPARATOR, '"', "\n", "\r")):
        return '"' + text.replace('"', '""') + '"'
    return text


def xlsx_template(rows: Iterable[Mapping[str, Any]] = ()) -> bytes:
    """The XLSX template, with `rows` (dicts by column name) under the header."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Parc"
    sheet.append(list(NAMES))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for i, name in enumerate(NAMES, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(14, len(name) + 2)
    for row in rows:
        sheet.append([row.get(name) for name in NAMES])

    lists = {
        "kind": KIND_CODES,
        "status": tuple(AssetStatus.values),
        "weee_category": tuple(WeeeCategory.values),
        **{name: ("oui", "non") for name in BOOLEAN_COLUMNS},
    }
    for name, values in lists.items():
        letter = get_column_letter(NAMES.index(name) + 1)
        validation = DataValidation(
            type="list", formula1='"' + ",".join(values) + '"', allow_blank=True
        )
        validation.add(f"{letter}2:{letter}100000")
        sheet.add_data_validation(validation)

    help_sheet = book.create_sheet("Aide")
    help_sheet.append(["colonne", "signification", "exemple"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        help_sheet.append([column.name, column.help, column.example])
    help_sheet.column_dimensions["A"].width = 26
    help_sheet.column_dimensions["B"].width = 80
    help_sheet.column_dimensions["C"].width = 22

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
