"""impactnum's own fleet file: a CSV or an XLSX sheet whose headers are the asset fields.

The template (`templates.py`) lists the columns in `COLUMNS`; only `kind` is required. A kind
is a kind code (`laptop`), its label, or any type of the engine's table (`PC portable`); an
unknown kind is an error (this is our own format: the template says which values are allowed).
Unknown columns are ignored with a warning. In an XLSX file the first sheet is read, its first
non-empty row is the header, and line numbers are the sheet's row numbers.
"""

from __future__ import annotations

import datetime as dt
import difflib
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from impactnum.engine.kinds import KIND_CODES
from impactnum.io.errors import ErrorCollector, InputError, InputFileError
from impactnum.io.lookups import normalize
from impactnum.io.table import Table

from .common import (
    TEXT_LIMITS,
    ImportRow,
    ParsedFile,
    Warnings,
    bad_values,
    bool_column,
    collect,
    country_code,
    date_column,
    find_any,
    kind_table,
    map_status,
    mapped_column,
    money_column,
    number_column,
    status_table,
    table_from_rows,
    text_column,
    weee_code,
)


@dataclass(frozen=True)
class Column:
    name: str
    help: str
    example: str


COLUMNS: tuple[Column, ...] = (
    Column("kind", "Type (obligatoire) : " + ", ".join(KIND_CODES), "laptop"),
    Column("status", "Statut : in_service, in_stock, in_repair, spare, retired…", "in_service"),
    Column("manufacturer", "Fabricant", "Lenovo"),
    Column("model", "Modèle", "ThinkPad T14 Gen 2"),
    Column("serial_number", "Numéro de série (sert à retrouver l'équipement)", "PF3ABC12"),
    Column("inventory_number", "Numéro d'inventaire (sert à retrouver l'équipement)", "INV-0001"),
    Column("department", "Service (créé s'il n'existe pas)", "Direction des systèmes"),
    Column("location", "Lieu (créé s'il n'existe pas)", "Hôtel de ville"),
    Column("assigned_to", "Attribué à : nom ou matricule", "A1234"),
    Column("purchase_date", "Date d'achat (AAAA-MM-JJ ou JJ/MM/AAAA)", "2021-03-15"),
    Column("price_excl_vat", "Prix HT (€)", "850.00"),
    Column("price_incl_vat", "Prix TTC (€)", "1020.00"),
    Column("supplier", "Fournisseur", "UGAP"),
    Column("order_reference", "Référence de commande", "BC-2021-042"),
    Column("warranty_end", "Fin de garantie", "2024-03-15"),
    Column("bought_refurbished", "Acheté reconditionné (oui/non)", "non"),
    Column("recycled_material", "Intègre des matières recyclées (oui/non)", "non"),
    Column("received_as_donation", "Reçu en don (oui/non)", "non"),
    Column("donation_value", "Valeur forfaitaire du don (€)", ""),
    Column("expected_lifespan_years", "Durée de vie attendue (années, ≥ 1)", "7"),
    Column("storage_media", "Supports de stockage", "SSD 256 Go"),
    Column("weee_category", "Catégorie DEEE (1 à 6)", "6"),
    Column("classified", "Classifié / sensible (oui/non)", "non"),
    Column("country", "Pays d'utilisation (nom ou code ISO)", "FRA"),
    Column("kwh_per_year", "Consommation (kWh par an)", "25"),
    Column("retirement_reason", "Motif de réforme (si le statut passe à retired)", ""),
)
"""The template's columns, in order, with the help shown in the XLSX template."""

NAMES = tuple(c.name for c in COLUMNS)

TEXT_FIELDS = (
    "manufacturer",
    "model",
    "serial_number",
    "inventory_number",
    "assigned_to",
    "supplier",
    "order_reference",
    "storage_media",
)


def looks_like_native(table: Table) -> bool:
    return table.find("kind") is not None


XLSX_MAX_UNPACKED = 512 * 1024 * 1024
"""Largest workbook accepted once unzipped: a small ZIP can unpack to gigabytes (a zip bomb)."""


def read_xlsx(path: str | Path, display_name: str) -> Table:
    """The first sheet of an XLSX workbook as a `Table` of text cells; InputFileError for a
    broken, oversized or empty workbook."""

    def refuse(reason: str) -> InputFileError:
        return InputFileError(display_name, [InputError(0, "", reason, display_name)])

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (OSError, zipfile.BadZipFile) as exc:
        raise refuse(f"not a readable XLSX file: {exc}") from None
    if unpacked > XLSX_MAX_UNPACKED:
        raise refuse(
            f"XLSX file too large once unzipped ({unpacked // 2**20} MB, at most "
            f"{XLSX_MAX_UNPACKED // 2**20} MB): save the sheet as CSV"
        )
    try:
        # Opened as a file object: openpyxl checks a path's extension, not the content.
        with open(path, "rb") as handle:
            header, rows, beyond = _read_sheet(handle)
    except Exception as exc:  # openpyxl and its XML parser raise many types for a broken file
        raise refuse(f"not a readable XLSX file: {type(exc).__name__}: {exc}") from None
    if header is None:
        raise refuse("empty file")
    table = table_from_rows(display_name, header, rows)
    for number in beyond:
        table.errors.add(number, "", "a value beyond the last column of the header")
    return table


def _read_sheet(
    handle: BinaryIO,
) -> tuple[list[str] | None, list[tuple[int, list[str | None]]], list[int]]:
    from openpyxl import load_workbook

    workbook = load_workbook(handle, read_only=True, data_only=True)
    header: list[str] | None = None
    rows: list[tuple[int, list[str | None]]] = []
    beyond: list[int] = []
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell(v) for v in values]
            if not any(c is not None for c in cells):
                continue
            if header is None:
                header = [c or "" for c in cells]
                while header and not header[-1]:
                    header.pop()
                continue
            width = len(header)
            if any(c is not None for c in cells[width:]):
                beyond.append(number)
                continue
            rows.append((number, (cells + [None] * width)[:width]))
    finally:
        workbook.close()
    return header, rows, beyond


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    text = str(value).strip()
    return text or None


def parse(table: Table, digest: str, *, fmt_name: str = "impactnum") -> ParsedFile:
    errors: ErrorCollector = table.errors
    warnings = Warnings()
    known = {normalize(n) for n in NAMES}
    for col in table.columns:
        if normalize(col) not in known:
            hint = difflib.get_close_matches(normalize(col).replace(" ", "_"), NAMES, n=1)
            did = f" (did you mean {hint[0]!r}?)" if hint else ""
            warnings.plain.append(f"{table.path}: column {col!r} ignored: not a known column{did}")
    table.require(("kind",), errors)
    kinds = kind_table()
    statuses = status_table()
    lines = table.lines.tolist()

    texts = {f: text_column(table, (f,), TEXT_LIMITS[f], errors)[0] for f in TEXT_FIELDS}
    location = text_column(table, ("location",), TEXT_LIMITS["location"], errors)[0]
    department = text_column(table, ("department",), TEXT_LIMITS["department"], errors)[0]
    reason = text_column(table, ("retirement_reason",), 2000, errors)[0]
    day_values = {f: date_column(table, (f,), errors) for f in ("purchase_date", "warranty_end")}
    money = {
        f: money_column(table, (f,), errors)
        for f in ("price_excl_vat", "price_incl_vat", "donation_value")
    }
    floats = {f: number_column(table, (f,), errors) for f in ("kwh_per_year",)}
    lifespan = number_column(table, ("expected_lifespan_years",), errors, minimum=1)
    flags = {
        f: bool_column(table, (f,), errors)
        for f in ("bought_refurbished", "recycled_material", "received_as_donation", "classified")
    }
    mapped: dict[str, list[Any]] = {}
    for field, mapper, what in (
        ("kind", lambda v: kinds.get(normalize(v)), "kind"),
        ("status", lambda v: map_status(v, statuses), "status"),
        ("country", country_code, "country"),
        ("weee_category", weee_code, "WEEE category"),
    ):
        col = find_any(table, (field,))
        values, raw = mapped_column(table, col, mapper)
        if col is not None:
            if field == "kind":
                _kind_errors(table, col, raw, values, errors)
            else:
                bad_values(table, col, raw, values, errors, what)
        mapped[field] = values
    if table.height == 0 and not errors:
        errors.add(0, "", "no lines (only a header)")

    rows: list[ImportRow] = []
    if not errors:
        for i, line in enumerate(lines):
            fields: dict[str, Any] = {f: texts[f][i] for f in TEXT_FIELDS if texts[f][i]}
            for group in (day_values, money, floats, flags):
                for f, values in group.items():
                    if values[i] is not None:
                        fields[f] = values[i]
            if lifespan[i] is not None:
                fields["expected_lifespan_years"] = lifespan[i]
            for f in ("kind", "country", "weee_category"):
                if mapped[f][i] is not None:
                    fields[f] = mapped[f][i]
            rows.append(
                ImportRow(
                    line=line,
                    fields=fields,
                    status=mapped["status"][i],
                    location=location[i],
                    department=department[i],
                    retirement_reason=reason[i] or "",
                )
            )
    errs, total = collect(errors)
    return ParsedFile(
        name=table.path,
        format=fmt_name,
        digest=digest,
        rows=rows,
        warnings=warnings.render(table.path),
        errors=errs,
        error_total=total,
    )


def _kind_errors(
    table: Table, col: str, raw: list[str | None], values: list[Any], errors: ErrorCollector
) -> None:
    for value, kind, line in zip(raw, values, table.lines.tolist(), strict=True):
        if value is None:
            errors.add(line, col, "empty kind")
        elif kind is None:
            hint = difflib.get_close_matches(value, KIND_CODES, n=1)
            did = f" (did you mean {hint[0]!r}?)" if hint else ""
            errors.add(line, col, f"unknown kind {value!r}{did}; known: {', '.join(KIND_CODES)}")
