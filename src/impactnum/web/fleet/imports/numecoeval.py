"""NumEcoEval's physical-equipment CSV (`nomEquipementPhysique;modele;quantite;…`) as fleet assets.

`nomEquipementPhysique` is the equipment's identifier: it becomes the inventory number. `type`
maps to a kind through the engine's table (unknown: `other`, with a warning), `statut` through
the shared status table, `paysDUtilisation` to an ISO code, `nomCourtDatacenter` to a location,
`utilisateur` to the person it is assigned to, `consoElecAnnuelle` to kWh per year,
`dureeUsageInterne` (when at least a year) to the expected lifespan. The fleet tracks devices
one by one, so a line with `quantite` above 1 is refused (the rest of the file goes on).
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
    bad_values,
    collect,
    country_code,
    date_column,
    find_any,
    kind_table,
    map_status,
    mapped_column,
    number_column,
    status_table,
    text_column,
)


def looks_like_numecoeval(table: Table) -> bool:
    return table.find("nomEquipementPhysique") is not None or (
        table.find("type") is not None and table.find("quantite") is not None
    )


def parse(table: Table, digest: str) -> ParsedFile:
    errors: ErrorCollector = table.errors
    warnings = Warnings()
    table.require(("type",), errors)
    kinds = kind_table()
    statuses = status_table()
    lines = table.lines.tolist()

    inventory, _c = text_column(table, ("nomEquipementPhysique",), 100, errors)
    model, _c = text_column(table, ("modele",), TEXT_LIMITS["model"], errors)
    user, _c = text_column(table, ("utilisateur",), TEXT_LIMITS["assigned_to"], errors)
    location, _c = text_column(table, ("nomCourtDatacenter",), TEXT_LIMITS["location"], errors)
    purchase = date_column(table, ("dateAchat",), errors)
    quantity = number_column(table, ("quantite",), errors)
    kwh = number_column(table, ("consoElecAnnuelle",), errors)
    lifespan = number_column(table, ("dureeUsageInterne",), errors)
    type_col = find_any(table, ("type",))
    kind_values, kind_raw = mapped_column(table, type_col, lambda v: kinds.get(normalize(v)))
    status_col = find_any(table, ("statut",))
    status_values, status_raw = mapped_column(table, status_col, lambda v: map_status(v, statuses))
    country_col = find_any(table, ("paysDUtilisation",))
    country_values, country_raw = mapped_column(table, country_col, country_code)
    if country_col is not None:
        bad_values(table, country_col, country_raw, country_values, errors, "country")
    entity_col = find_any(table, ("nomEntite",))
    entities: tuple[str, ...] = ()
    if entity_col is not None:
        entities = tuple(table.text(entity_col).drop_nulls().unique(maintain_order=True).to_list())
    if table.height == 0 and not errors:
        errors.add(0, "", "no lines (only a header)")

    rows: list[ImportRow] = []
    for i, line in enumerate(lines):
        fields: dict[str, object] = {}
        if inventory[i] is not None:
            fields["inventory_number"] = inventory[i]
        if model[i] is not None:
            fields["model"] = model[i]
        if user[i] is not None:
            fields["assigned_to"] = user[i]
        if purchase[i] is not None:
            fields["purchase_date"] = purchase[i]
        if kwh[i] is not None:
            fields["kwh_per_year"] = kwh[i]
        if country_values[i] is not None:
            fields["country"] = country_values[i]
        if lifespan[i] is not None:
            if lifespan[i] >= 1:
                fields["expected_lifespan_years"] = lifespan[i]
            else:
                warnings.add("dureeUsageInterne under one year: not used as lifespan", line)
        kind = kind_values[i]
        if kind is None:
            if kind_raw[i] is not None:
                warnings.add(f"unknown type {kind_raw[i]!r}: kind 'other'", line)
            kind = "other"
        fields["kind"] = kind
        status = status_values[i]
        unknown = None
        if status is None and status_raw[i] is not None:
            unknown = status_raw[i]
            warnings.add(
                f"unknown status {unknown!r}: in service for a new asset, unchanged otherwise",
                line,
            )
        refuse = None
        if quantity[i] is not None and quantity[i] != 1:
            refuse = (
                f"quantite {quantity[i]:g}: the fleet tracks devices one by one "
                "(one line per device)"
            )
        rows.append(
            ImportRow(
                line=line,
                fields=fields,
                status=status,
                location=location[i],
                refuse=refuse,
                status_unknown=unknown,
            )
        )
    errs, total = collect(errors)
    return ParsedFile(
        name=table.path,
        format="numecoeval",
        digest=digest,
        rows=rows if not total else [],
        warnings=warnings.render(table.path),
        errors=errs,
        error_total=total,
        entities=entities,
    )
