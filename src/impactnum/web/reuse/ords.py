"""Export repairs in the Open Repair Data Standard v0.3 (CSV), for the Open Repair Alliance.

Columns (ORDS_COLUMNS) as in openrepair/datastandard `standard.rst` and the aggregated data's
`tableschema.json`; rules the tests check:
- `id` matches ``^[a-z]+-[0-9]+$``: the provider code (the organisation's slug without anything
  but letters), a hyphen, a number: 2 × pk for a reuse-chain repair, 2 × pk + 1 for a fleet
  repair (stable and never the same);
- `country` ISO 3166-1 alpha-3 (the fleet asset's country, else FRA); `event_date` yyyy-mm-dd;
- `repair_status` one of Fixed, Repairable, End of life, Unknown; the barrier (end of life only)
  one of the six ORDS texts (fleet.choices.ORDS_BARRIER_TEXT);
- `product_category` / `product_category_id` from the restart-ords kind map;
- `problem` carries no personal data: e-mail addresses, phone numbers, URLs, the organisation's
  beneficiaries' pseudonyms, names of the fleet's assignees and civil-title names
  ("Mme Dupont") are replaced by [retiré].
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

from impactnum.engine.kinds import KINDS
from impactnum.engine.reuse_impact import load_reuse_table
from impactnum.io.cells import csv_cell
from impactnum.web.core.models import Organisation
from impactnum.web.fleet.choices import ORDS_BARRIER_TEXT, RepairOutcome

from .models import Beneficiary, DeviceRepair

ORDS_COLUMNS = (
    "id",
    "data_provider",
    "country",
    "partner_product_category",
    "product_category",
    "product_category_id",
    "brand",
    "year_of_manufacture",
    "product_age",
    "repair_status",
    "repair_barrier_if_end_of_life",
    "group_identifier",
    "event_date",
    "problem",
)
REPAIR_STATUS = {
    RepairOutcome.FIXED: "Fixed",
    RepairOutcome.REPAIRABLE: "Repairable",
    RepairOutcome.END_OF_LIFE: "End of life",
}
UNKNOWN = "Unknown"
REMOVED = "[retiré]"
KIND_LABEL_EN = {k.code: k.label_en for k in KINDS}

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)33\s?(?:\(0\)\s?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\w)"  # French
    r"|\+\d{1,3}(?:[\s.-]?\d{2,4}){3,5}(?!\w)"  # international
)
TITLED_NAME = re.compile(
    r"\b(?:M\.|Mme|Mlle|Mr|Mrs|Ms|Monsieur|Madame|Mademoiselle|Dr)\.?\s+"
    r"[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+)?"
)
ANON = re.compile(r"\banon-\d+\b")


def provider_code(organisation: Organisation) -> str:
    return re.sub(r"[^a-z]", "", organisation.slug.lower()) or "impactnum"


def scrubber(organisation: Organisation) -> Any:
    """A function removing personal data from free text, knowing this organisation's
    pseudonyms and fleet assignees."""
    from impactnum.web.fleet.models import Asset

    words = set(
        Beneficiary.objects.filter(organisation=organisation).values_list("pseudonym", flat=True)
    )
    words |= set(
        Asset.objects.filter(organisation=organisation)
        .exclude(assigned_to="")
        .values_list("assigned_to", flat=True)
    )
    words = {w.strip() for w in words if len(w.strip()) >= 2}
    known = (
        re.compile(
            r"(?<![\w])(?:"
            + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
            + r")(?![\w])",
            re.I,
        )
        if words
        else None
    )

    def scrub(text: str) -> str:
        out = EMAIL.sub(REMOVED, text)
        out = URL.sub(REMOVED, out)
        out = PHONE.sub(REMOVED, out)
        if known is not None:
            out = known.sub(REMOVED, out)
        out = ANON.sub(REMOVED, out)
        out = TITLED_NAME.sub(REMOVED, out)
        return " ".join(out.split())

    return scrub


def _category(kind: str) -> tuple[str, str]:
    cat = load_reuse_table().category_of(kind)
    return cat.name, str(cat.ords_id)


def _row(
    *,
    ident: str,
    provider: str,
    country: str,
    kind: str,
    brand: str,
    year: int | None,
    outcome: str,
    barrier: str,
    group: str,
    day: dt.date,
    problem: str,
) -> dict[str, str]:
    name, cat_id = _category(kind)
    status = REPAIR_STATUS.get(outcome, UNKNOWN)  # type: ignore[call-overload]
    age = str(max(day.year - year, 0)) if year else ""
    return {
        "id": ident,
        "data_provider": provider,
        "country": (country or "FRA").upper(),
        "partner_product_category": KIND_LABEL_EN.get(kind, kind),
        "product_category": name,
        "product_category_id": cat_id,
        "brand": brand,
        "year_of_manufacture": str(year) if year else "",
        "product_age": age,
        "repair_status": status,
        "repair_barrier_if_end_of_life": (
            ORDS_BARRIER_TEXT.get(barrier, "") if status == "End of life" else ""  # type: ignore[call-overload]
        ),
        "group_identifier": group,
        "event_date": day.isoformat(),
        "problem": problem,
    }


def ords_rows(
    organisation: Organisation, *, include_fleet: bool = True, country: str = "FRA"
) -> Iterator[dict[str, str]]:
    """One ORDS record per repair of the organisation (reuse chain, then fleet)."""
    code = provider_code(organisation)
    scrub = scrubber(organisation)
    repairs: Iterable[DeviceRepair] = (
        DeviceRepair.objects.filter(device__organisation=organisation)
        .select_related("device")
        .order_by("event_date", "pk")
    )
    for r in repairs:
        yield _row(
            ident=f"{code}-{2 * r.pk}",
            provider=organisation.name,
            country=country,
            kind=r.device.kind,
            brand=r.device.brand,
            year=r.device.year,
            outcome=r.outcome,
            barrier=r.barrier,
            group=organisation.slug,
            day=r.event_date,
            problem=scrub(r.problem),
        )
    if not include_fleet:
        return
    from impactnum.web.fleet.models import Repair

    for f in (
        Repair.objects.filter(asset__organisation=organisation)
        .select_related("asset")
        .order_by("opened_on", "pk")
    ):
        a = f.asset
        yield _row(
            ident=f"{code}-{2 * f.pk + 1}",
            provider=organisation.name,
            country=a.country or country,
            kind=a.kind,
            brand=a.manufacturer,
            year=a.purchase_date.year if a.purchase_date else None,
            outcome=f.outcome,
            barrier=f.barrier,
            group=organisation.slug,
            day=f.closed_on or f.opened_on,
            problem=scrub(f.problem),
        )


def ords_csv(
    organisation: Organisation, *, include_fleet: bool = True, country: str = "FRA"
) -> str:
    """The ORDS v0.3 CSV (comma-separated, UTF-8, header row)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ORDS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in ords_rows(organisation, include_fleet=include_fleet, country=country):
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return out.getvalue()
