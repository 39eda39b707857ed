"""GLPI's computer list, exported from its search page to CSV.

The export is `;` separated, every value quoted, with a UTF-8 BOM and French headers: `Nom`,
`Entité`, `Statut`, `Fabricant`, `Type`, `Modèle`, `Numéro de série`, `Numéro d'inventaire`,
`Lieu`, `Utilisateur`, `Groupe`, and the financial columns prefixed by their group,
e.g. `Informations financières et administratives - Date d'achat`. Columns are matched by name
(case- and accent-insensitive, with or without that prefix), in any order; others are ignored.

Rules: a type maps to a kind through the engine's table plus GLPI's usual values (its French
types and the chassis types its inventory agent reports); an unknown type becomes `other` with
a warning. A status maps through `common.STATUS_NAMES`; an unknown one becomes "in service"
for a new asset (an existing asset keeps its status), with a warning. `Entité` is not used:
the organisation is the one the import is run for.
"""

from __future__ import annotations

from impactnum.io.errors import ErrorCollector
from impactnum.io.lookups import normalize
from impactnum.io.table import Table

from .common import (
    TEXT_LIMITS,
    ImportRow,
    ParsedFile,
    Warnings,
    collect,
    date_column,
    find_any,
    kind_table,
    map_status,
    mapped_column,
    status_table,
    text_column,
)

FINANCIAL_PREFIX = "Informations financières et administratives - "

GLPI_TYPES: tuple[tuple[str, str], ...] = (
    # French types people create in GLPI
    ("Portable", "laptop"),
    ("Ordinateur portable", "laptop"),
    ("PC portable", "laptop"),
    ("Ultraportable", "laptop"),
    ("Convertible", "laptop"),
    ("Ordinateur de bureau", "desktop"),
    ("Ordinateur fixe", "desktop"),
    ("Poste fixe", "desktop"),
    ("Poste de travail", "desktop"),
    ("Unité centrale", "desktop"),
    ("Tour", "desktop"),
    ("Mini-tour", "desktop"),
    ("Mini tour", "desktop"),
    ("Tout-en-un", "desktop"),
    ("Client léger", "desktop"),
    ("Station de travail", "desktop"),
    ("Serveur", "server"),
    ("Tablette", "tablet"),
    # chassis types reported by the GLPI agent / FusionInventory (SMBIOS)
    ("Desktop", "desktop"),
    ("Low Profile Desktop", "desktop"),
    ("Pizza Box", "desktop"),
    ("Mini Tower", "desktop"),
    ("Tower", "desktop"),
    ("All in One", "desktop"),
    ("Space-saving", "desktop"),
    ("Lunch Box", "desktop"),
    ("Sealed-case PC", "desktop"),
    ("Mini PC", "desktop"),
    ("Stick PC", "desktop"),
    ("Embedded PC", "desktop"),
    ("Laptop", "laptop"),
    ("Notebook", "laptop"),
    ("Sub Notebook", "laptop"),
    ("Hand Held", "laptop"),
    ("Tablet", "tablet"),
    ("Detachable", "tablet"),
    ("Main Server Chassis", "server"),
    ("Rack Mount Chassis", "server"),
    ("Multi-system chassis", "server"),
    ("Blade", "server"),
    ("Server", "server"),
)
"""GLPI's usual computer types → kind (on top of the engine's table, `io/data/type_map.csv`)."""

COLUMNS = {
    "name": ("Nom",),
    "entity": ("Entité",),
    "status": ("Statut",),
    "manufacturer": ("Fabricant",),
    "kind": ("Type", "Type d'ordinateur"),
    "model": ("Modèle", "Modèle d'ordinateur"),
    "serial_number": ("Numéro de série",),
    "inventory_number": ("Numéro d'inventaire",),
    "location": ("Lieu",),
    "assigned_to": ("Utilisateur",),
    "department": ("Groupe",),
    "purchase_date": ("Date d'achat",),
    "supplier": ("Fournisseur",),
    "order_reference": ("Numéro de commande",),
    "warranty_end": ("Date de fin de garantie", "Fin de garantie", "Expiration de garantie"),
}
"""Our field → GLPI's French column names (financial ones also with `FINANCIAL_PREFIX`)."""

FINANCIAL = ("purchase_date", "supplier", "order_reference", "warranty_end")


def names(field: str) -> tuple[str, ...]:
    base = COLUMNS[field]
    if field in FINANCIAL:
        return base + tuple(FINANCIAL_PREFIX + n for n in base)
    return base


def looks_like_glpi(table: Table) -> bool:
    """GLPI's export: a `Nom` column and at least two of its other French headers."""
    if table.find("Nom") is None:
        return False
    others = ("Entité", "Statut", "Numéro de série", "Numéro d'inventaire", "Fabricant", "Lieu")
    return sum(table.find(n) is not None for n in others) >= 2


def parse(table: Table, digest: str) -> ParsedFile:
    errors: ErrorCollector = table.errors
    warnings = Warnings()
    kinds = kind_table(GLPI_TYPES)
    statuses = status_table()
    lines = table.lines.tolist()

    texts = {}
    for field in (
        "manufacturer",
        "model",
        "serial_number",
        "inventory_number",
        "assigned_to",
        "supplier",
        "order_reference",
        "location",
        "department",
    ):
        texts[field], _col = text_column(table, names(field), TEXT_LIMITS[field], errors)
    purchase = date_column(table, names("purchase_date"), errors)
    warranty = date_column(table, names("warranty_end"), errors)

    type_col = find_any(table, names("kind"))
    kind_values, kind_raw = mapped_column(table, type_col, lambda v: kinds.get(normalize(v)))
    status_col = find_any(table, names("status"))
    status_values, status_raw = mapped_column(table, status_col, lambda v: map_status(v, statuses))
    entity_col = find_any(table, names("entity"))
    entities: tuple[str, ...] = ()
    if entity_col is not None:
        entities = tuple(table.text(entity_col).drop_nulls().unique(maintain_order=True).to_list())
    if type_col is None:
        warnings.plain.append(f"{table.path}: no 'Type' column: every line gets kind 'other'")
    if table.height == 0 and not errors:
        errors.add(0, "", "no lines (only a header)")

    rows: list[ImportRow] = []
    for i, line in enumerate(lines):
        fields = {
            f: texts[f][i]
            for f in (
                "manufacturer",
                "model",
                "serial_number",
                "inventory_number",
                "assigned_to",
                "supplier",
                "order_reference",
            )
            if texts[f][i] is not None
        }
        kind = kind_values[i]
        if kind is None:
            raw = kind_raw[i]
            if raw is None:
                warnings.add("empty type: kind 'other'", line)
            else:
                warnings.add(f"unknown type {raw!r}: kind 'other'", line)
            kind = "other"
        fields["kind"] = kind
        if purchase[i] is not None:
            fields["purchase_date"] = purchase[i]
        if warranty[i] is not None:
            fields["warranty_end"] = warranty[i]
        status = status_values[i]
        unknown = None
        if status is None and status_raw[i] is not None:
            unknown = status_raw[i]
            warnings.add(
                f"unknown status {unknown!r}: in service for a new asset, unchanged otherwise",
                line,
            )
        rows.append(
            ImportRow(
                line=line,
                fields=fields,
                status=status,
                location=texts["location"][i],
                department=texts["department"][i],
                status_unknown=unknown,
            )
        )
    errs, total = collect(errors)
    return ParsedFile(
        name=table.path,
        format="glpi",
        digest=digest,
        rows=rows if not total else [],
        warnings=warnings.render(table.path),
        errors=errs,
        error_total=total,
        entities=entities,
    )
