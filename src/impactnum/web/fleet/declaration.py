"""The yearly AGEC art. 58 declaration in the data.gouv.fr table schema
`schema-declaration-biens-reemploi-reutilisation-recycle` (v0.1.0).

One row per product category bought in the year: `Matériel informatique et téléphonie` always,
from the fleet's assets (plus any `Purchase` row of that category: IT spend not tracked as
assets), the other categories from `Purchase` rows. Comma-separated UTF-8 CSV, dot decimals,
columns in the schema's order. `validate_declaration` checks a CSV against the schema's rules.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import astuple, dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from impactnum.io.cells import csv_writer
from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation

from .choices import ProductCategory
from .models import Purchase
from .quotas import it_spend

SCHEMA = "schema-declaration-biens-reemploi-reutilisation-recycle"
SCHEMA_VERSION = "0.1.0"
COLUMNS = (
    "annee",
    "siret",
    "raison_sociale",
    "type_produit_acquis",
    "montant_total",
    "montant_reemploi_et_reutilisation",
    "montant_produits_issus_don",
    "montant_produits_recycles",
    "commentaires",
)
REQUIRED = COLUMNS[:-1]
AMOUNTS = COLUMNS[4:8]
SIRET = re.compile(r"^\d{14}$")
YEAR = re.compile(r"^\d{4}$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
CATEGORIES = frozenset(ProductCategory.labels)


class MissingSiret(DomainError):
    """The organisation has no valid SIRET: the declaration cannot be written."""


@dataclass(frozen=True)
class DeclarationRow:
    annee: int
    siret: str
    raison_sociale: str
    type_produit_acquis: str
    montant_total: Decimal
    montant_reemploi_et_reutilisation: Decimal
    montant_produits_issus_don: Decimal
    montant_produits_recycles: Decimal
    commentaires: str = ""


def _siret(organisation: Organisation) -> str:
    siret = (organisation.siret or "").strip()
    if not SIRET.match(siret):
        raise MissingSiret(
            _(
                "« %(org)s » n'a pas de SIRET (14 chiffres) : renseignez-le dans la fiche de "
                "l'organisation avant d'exporter la déclaration."
            )
            % {"org": organisation.name},
            field="siret",
        )
    return siret


def declaration_rows(organisation: Organisation, year: int) -> list[DeclarationRow]:
    """The declaration's rows for `year`: IT and telephony first, then the other categories
    with a `Purchase` row, in the schema's order of categories. Raises MissingSiret."""
    siret = _siret(organisation)
    purchases = {
        p["category"]: p
        for p in Purchase.objects.filter(organisation=organisation, year=year)
        .values("category")
        .annotate(
            total=Sum("amount_total"),
            reuse=Sum("amount_reuse"),
            donations=Sum("amount_donations"),
            recycled=Sum("amount_recycled"),
        )
    }
    comments = dict(
        Purchase.objects.filter(organisation=organisation, year=year).values_list(
            "category", "comment"
        )
    )
    fleet = it_spend(organisation, year)
    it_extra = purchases.get(ProductCategory.IT.value)
    it_note = _("Parc informatique : %(n)d équipement(s) acheté(s), %(d)d reçu(s) en don.") % {
        "n": fleet["assets_bought"],
        "d": fleet["assets_donated"],
    }
    if fleet["missing"]["price_excl_vat"]:
        it_note += " " + _("%(n)d sans prix HT, non compté(s).") % {
            "n": fleet["missing"]["price_excl_vat"]
        }
    if it_extra and comments.get(ProductCategory.IT.value):
        it_note += " " + comments[ProductCategory.IT.value]

    def extra(key: str) -> Decimal:
        return Decimal(it_extra[key]) if it_extra else Decimal(0)

    rows = [
        DeclarationRow(
            year,
            siret,
            organisation.name,
            ProductCategory.IT.label,
            fleet["total"] + extra("total"),
            fleet["reuse"] + extra("reuse"),
            fleet["donations"] + extra("donations"),
            fleet["recycled"] + extra("recycled"),
            it_note,
        )
    ]
    for category in ProductCategory:
        if category == ProductCategory.IT or category.value not in purchases:
            continue
        p = purchases[category.value]
        rows.append(
            DeclarationRow(
                year,
                siret,
                organisation.name,
                category.label,
                Decimal(p["total"]),
                Decimal(p["reuse"]),
                Decimal(p["donations"]),
                Decimal(p["recycled"]),
                comments.get(category.value, ""),
            )
        )
    return rows


def _amount(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def declaration_csv(organisation: Organisation, year: int) -> str:
    """The declaration as CSV text (header + rows; comma, dot decimals, CRLF line ends as the
    csv module writes them; encode as UTF-8). Raises MissingSiret."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in declaration_rows(organisation, year):
        values = list(astuple(row))
        for i in range(4, 8):
            values[i] = _amount(values[i])
        writer.writerow(values)
    return out.getvalue()


def validate_declaration(text: str) -> list[str]:
    """Errors of a declaration CSV against the schema's rules (empty list = valid): header in
    the schema's order, required values present, `annee` a year, `siret` matching ^\\d{14}$,
    `type_produit_acquis` one of the 17 categories, amounts real numbers with a dot, ≥ 0."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return ["empty file"]
    errors = []
    if tuple(header) != COLUMNS:
        errors.append(f"header {header} is not {list(COLUMNS)}")
        return errors
    for n, values in enumerate(reader, start=2):
        if len(values) != len(COLUMNS):
            errors.append(f"line {n}: {len(values)} values, expected {len(COLUMNS)}")
            continue
        row = dict(zip(COLUMNS, values, strict=True))
        errors += [f"line {n}: {c} is required" for c in REQUIRED if not row[c].strip()]
        if row["annee"] and not YEAR.match(row["annee"]):
            errors.append(f"line {n}: annee {row['annee']!r} is not a year")
        if row["siret"] and not SIRET.match(row["siret"]):
            errors.append(f"line {n}: siret {row['siret']!r} does not match ^\\d{{14}}$")
        if row["type_produit_acquis"] and row["type_produit_acquis"] not in CATEGORIES:
            errors.append(f"line {n}: type_produit_acquis {row['type_produit_acquis']!r} unknown")
        for c in AMOUNTS:
            if row[c] and not NUMBER.match(row[c]):
                errors.append(f"line {n}: {c} {row[c]!r} is not a number with a dot decimal")
            elif row[c] and Decimal(row[c]) < 0:
                errors.append(f"line {n}: {c} is negative")
    return errors
