"""Reading an import file: the format from the header (or as told), then that format's parser."""

from __future__ import annotations

from pathlib import Path

from impactnum.io.errors import InputError, InputFileError
from impactnum.io.table import Table, read_table

from . import glpi, native, numecoeval
from .common import FORMATS, ParsedFile, collect, file_digest

XLSX_MAGIC = b"PK\x03\x04"


def detect_format(table: Table) -> str | None:
    """`impactnum` if a `kind` column, `glpi` for GLPI's French headers, `numecoeval` for
    `nomEquipementPhysique` (or `type` and `quantite`); None when none fits."""
    if native.looks_like_native(table):
        return "impactnum"
    if glpi.looks_like_glpi(table):
        return "glpi"
    if numecoeval.looks_like_numecoeval(table):
        return "numecoeval"
    return None


def read_import_file(
    path: str | Path, *, fmt: str = "auto", display_name: str | None = None
) -> ParsedFile:
    """Read a fleet import file (GLPI CSV, NumEcoEval CSV, impactnum CSV or XLSX).

    Never raises for a bad file: the returned `ParsedFile` lists its errors (`ok` is False and
    `rows` is empty) and its warnings.
    """
    name = display_name or Path(path).name
    if fmt not in ("auto", *FORMATS):
        raise ValueError(f"unknown import format {fmt!r}; known: auto, {', '.join(FORMATS)}")
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return _failed(name, "", f"cannot read file: {exc.strerror}")
    digest = file_digest(raw)
    is_xlsx = raw.startswith(XLSX_MAGIC)
    del raw
    try:
        if is_xlsx:
            if fmt not in ("auto", "impactnum"):
                return _failed(
                    name, digest, f"an XLSX file can only be an impactnum file, not {fmt}"
                )
            table = native.read_xlsx(path, name)
            chosen = "impactnum"
        else:
            table = read_table(path, display_name=name)
            detected = detect_format(table)
            chosen = detected if fmt == "auto" else fmt
            if chosen is None:
                table.errors.add(
                    1,
                    "",
                    "format not recognised: expected GLPI's computer export (Nom;Entité;Statut…), "
                    "NumEcoEval's physical equipment (nomEquipementPhysique;type…) or impactnum's "
                    "template (kind;…); choose one with --format",
                )
                errs, total = collect(table.errors)
                return ParsedFile(name, "unknown", digest, errors=errs, error_total=total)
    except InputFileError as exc:
        return ParsedFile(name, fmt, digest, errors=exc.errors, error_total=exc.total)
    if chosen == "glpi":
        return glpi.parse(table, digest)
    if chosen == "numecoeval":
        return numecoeval.parse(table, digest)
    return native.parse(table, digest)


def _failed(name: str, digest: str, reason: str) -> ParsedFile:
    return ParsedFile(
        name, "unknown", digest, errors=[InputError(0, "", reason, name)], error_total=1
    )
