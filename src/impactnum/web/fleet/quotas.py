"""Legal quotas of the fleet: AGEC art. 58 purchases and the décret 2023-266 reuse of retired
equipment, each against its target (see docs/methodology/quotas.md).

Targets are data, not code: `data/quota_targets.csv` (rule, from_year, target, scope, source,
status, note) ships the published trajectory; an organisation may override a rule from a year on
with a `QuotaTargetOverride` row. Every figure is computed with database aggregates (no loop
over assets).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from django.db.models import (
    CharField,
    Count,
    DecimalField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, TruncDate

from impactnum.web.core.models import Organisation

from .choices import AssetEventType, AssetStatus, WeeeCategory
from .models import Asset, AssetEvent, QuotaTargetOverride

AGEC_IT = "agec_art58_it"
RETIRED_REUSE = "decret_2023_266_reuse"
RULES = (AGEC_IT, RETIRED_REUSE)
MAX_AGE_YEARS = 10
"""Décret 2023-266: equipment older than this goes to recycling and is left out of A and B."""
REUSE_WEEE = ("", WeeeCategory.SCREENS.value, WeeeCategory.SMALL_IT.value)
"""WEEE categories in the décret's scope (2° screens, 6° small IT); blank = not yet classified,
counted as in scope (the fleet holds IT equipment)."""


@dataclass(frozen=True)
class QuotaTarget:
    """One step of a quota trajectory: from `from_year` on, the share `target` (0–1)."""

    rule: str
    from_year: int
    target: float
    scope: str
    source: str
    status: str  # "published", "to verify", or "organisation" for an override
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@cache
def shipped_targets() -> tuple[QuotaTarget, ...]:
    """The targets shipped in `fleet/data/quota_targets.csv` (read once, on first use)."""
    text = (
        resources.files("impactnum.web.fleet")
        .joinpath("data/quota_targets.csv")
        .read_text(encoding="utf-8")
    )
    rows = csv.DictReader(text.splitlines())
    return tuple(
        QuotaTarget(
            rule=r["rule"],
            from_year=int(r["from_year"]),
            target=float(r["target"]),
            scope=r["scope"],
            source=r["source"],
            status=r["status"],
            note=r.get("note") or "",
        )
        for r in rows
    )


def targets(rule: str, organisation: Organisation | None = None) -> list[QuotaTarget]:
    """The trajectory of a rule, shipped rows replaced by the organisation's overrides of the same
    `from_year` and completed by its other overrides; sorted by year."""
    if rule not in RULES:
        raise ValueError(f"unknown quota rule {rule!r}; known: {', '.join(RULES)}")
    by_year = {t.from_year: t for t in shipped_targets() if t.rule == rule}
    if organisation is not None:
        for o in QuotaTargetOverride.objects.filter(organisation=organisation, rule=rule):
            shipped = by_year.get(o.from_year)
            by_year[o.from_year] = QuotaTarget(
                rule=rule,
                from_year=o.from_year,
                target=o.target,
                scope=shipped.scope if shipped else "",
                source=o.source,
                status="organisation",
                note=o.note,
            )
    return [by_year[y] for y in sorted(by_year)]


def target_for(
    rule: str, year: int, organisation: Organisation | None = None
) -> QuotaTarget | None:
    """The target in force in `year`: the latest step whose from_year ≤ year (None before any)."""
    steps = [t for t in targets(rule, organisation) if t.from_year <= year]
    return steps[-1] if steps else None


# --- AGEC art. 58: purchases of IT and telephony ------------------------------------------

MONEY = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0.00")


def _money(q: Q | None = None, field: str = "price_excl_vat") -> Coalesce:
    return Coalesce(Sum(field, filter=q, output_field=MONEY), ZERO, output_field=MONEY)


def it_spend(organisation: Organisation, year: int) -> dict[str, Any]:
    """Spend HT on IT and telephony in `year` (assets by `purchase_date`), in euros (Decimal).

    - `total`: Σ price excl. VAT of assets bought that year (donations received excluded);
    - `reuse`: of which bought refurbished (réemploi / réutilisation);
    - `donations`: Σ flat values (`donation_value`) of assets received as donations that year;
    - `recycled`: of which containing recycled material (purchases; a refurbished asset with
      recycled content counts in both columns);
    - `reuse_or_recycled`: spend on purchases that are refurbished or have recycled content,
      each counted once.
    Counts of assets lacking the amount they need are returned in `missing`.
    """
    bought = Asset.objects.filter(organisation=organisation, purchase_date__year=year)
    bought_q = Q(received_as_donation=False)
    donated_q = Q(received_as_donation=True)
    agg = bought.aggregate(
        total=_money(bought_q),
        reuse=_money(bought_q & Q(bought_refurbished=True)),
        recycled=_money(bought_q & Q(recycled_material=True)),
        reuse_or_recycled=_money(
            bought_q & (Q(bought_refurbished=True) | Q(recycled_material=True))
        ),
        donations=_money(donated_q, "donation_value"),
        assets_bought=Count("pk", filter=bought_q),
        assets_donated=Count("pk", filter=donated_q),
        no_price=Count("pk", filter=bought_q & Q(price_excl_vat__isnull=True)),
        no_donation_value=Count("pk", filter=donated_q & Q(donation_value__isnull=True)),
    )
    missing = {
        "price_excl_vat": agg.pop("no_price"),
        "donation_value": agg.pop("no_donation_value"),
    }
    return {**agg, "missing": missing}


def _share(num: Decimal, den: Decimal) -> float | None:
    return float(num / den) if den else None


def agec_purchases(organisation: Organisation, year: int) -> dict[str, Any]:
    """AGEC art. 58 for IT and telephony in `year`: the shares, separately and together, against
    the target in force (docs/methodology/quotas.md).

    Shares are of the acquisitions HT = purchases + donations at their flat values:
    reuse share = (refurbished spend + donations) ÷ acquisitions; recycled share = recycled-content
    spend ÷ acquisitions; together = (reuse-or-recycled spend + donations) ÷ acquisitions.
    The target applies to `together` (the split between columns is to verify).
    """
    s = it_spend(organisation, year)
    acquisitions = s["total"] + s["donations"]
    target = target_for(AGEC_IT, year, organisation)
    together = _share(s["reuse_or_recycled"] + s["donations"], acquisitions)
    reuse = _share(s["reuse"] + s["donations"], acquisitions)
    compared = reuse if target is not None and target.scope == "reuse" else together
    warnings = []
    if s["missing"]["price_excl_vat"]:
        warnings.append(
            f"{s['missing']['price_excl_vat']} asset(s) bought in {year} have no price excl. VAT "
            "and are not counted"
        )
    if s["missing"]["donation_value"]:
        warnings.append(
            f"{s['missing']['donation_value']} donation(s) received in {year} have no flat value "
            "and are not counted"
        )
    return {
        "rule": AGEC_IT,
        "year": year,
        "category": "Matériel informatique et téléphonie",
        "amounts": {k: float(v) for k, v in s.items() if isinstance(v, Decimal)},
        "assets_bought": s["assets_bought"],
        "assets_donated": s["assets_donated"],
        "acquisitions": float(acquisitions),
        "shares": {
            "reuse": reuse,
            "recycled": _share(s["recycled"], acquisitions),
            "together": together,
        },
        "target": target.to_dict() if target else None,
        "met": None if target is None or compared is None else compared >= target.target,
        "trajectory": [t.to_dict() for t in targets(AGEC_IT, organisation)],
        "warnings": warnings,
    }


# --- décret 2023-266: retired equipment sent to reuse ------------------------------------


def _ten_years_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        return day.replace(year=day.year - MAX_AGE_YEARS, day=28)


def _left_retired_on() -> Coalesce:
    """The day an asset left the retired status: the `on` date of its status-change event from
    `retired` (the day the user gave), else that event's timestamp, as ISO text."""
    events = AssetEvent.objects.filter(
        asset=OuterRef("pk"),
        type=AssetEventType.STATUS_CHANGED,
        from_status=AssetStatus.RETIRED,
    ).order_by("at", "pk")
    day = Coalesce(
        KeyTextTransform("on", "data"),
        Cast(TruncDate("at"), output_field=CharField()),
        output_field=CharField(),
    )
    return Subquery(events.annotate(day=day).values("day")[:1], output_field=CharField())


def in_retired_stock(organisation: Organisation, jan1: dt.date) -> QuerySet[Asset]:
    """Every asset in retired stock on `jan1`, before the décret's exclusions.

    Retired before that day (`retired_on` < jan1) and still retired then: either its status is
    still `retired`, or it left `retired` (handed over, recycled, lost) on or after that day.
    The day it left is annotated as `left_on` (ISO text): the `on` date of its status-change
    event out of `retired`, else, for assets imported with a final status and no such event,
    the date of `status_changed_at`.
    """
    return (
        Asset.objects.filter(organisation=organisation, retired_on__lt=jan1)
        .annotate(
            left_on=Coalesce(
                _left_retired_on(),
                Cast(TruncDate("status_changed_at"), output_field=CharField()),
                output_field=CharField(),
            )
        )
        .filter(Q(status=AssetStatus.RETIRED) | Q(left_on__gte=jan1.isoformat()))
    )


def _in_scope(jan1: dt.date) -> Q:
    """Not classified, WEEE category 2°, 6° or not set, not older than 10 years on `jan1`
    (bought on or after the same day ten years before; unknown purchase date: in scope)."""
    young = Q(purchase_date__isnull=True) | Q(purchase_date__gte=_ten_years_before(jan1))
    return Q(classified=False, weee_category__in=REUSE_WEEE) & young


def retired_stock(organisation: Organisation, year: int) -> QuerySet[Asset]:
    """B of décret 2023-266: the assets in retired stock on 1 January `year` that are in scope
    (see `in_retired_stock` and `_in_scope`)."""
    jan1 = dt.date(year, 1, 1)
    return in_retired_stock(organisation, jan1).filter(_in_scope(jan1))


def retired_reuse(organisation: Organisation, year: int) -> dict[str, Any]:
    """Décret 2023-266 for `year`: share = A ÷ B × 100 against the target in force.

    B: `retired_stock(organisation, year)`. A: those of B handed to reuse in `year` (status
    `handed_to_reuse`, the move dated in `year`) with a non-empty `reuse_proof`.
    Also reported, not counted: B's items handed over in `year` without proof, and the items left
    out of B (classified, over 10 years old, out-of-scope WEEE category).
    """
    jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    stock = retired_stock(organisation, year)
    handed = Q(
        status=AssetStatus.HANDED_TO_REUSE,
        left_on__gte=jan1.isoformat(),
        left_on__lte=dec31.isoformat(),
    )
    counts = stock.aggregate(
        b=Count("pk"),
        a=Count("pk", filter=handed & ~Q(reuse_proof="")),
        no_proof=Count("pk", filter=handed & Q(reuse_proof="")),
        unknown_age=Count("pk", filter=Q(purchase_date__isnull=True)),
    )
    excluded = in_retired_stock(organisation, jan1).aggregate(
        classified=Count("pk", filter=Q(classified=True)),
        older_than_10_years=Count("pk", filter=Q(purchase_date__lt=_ten_years_before(jan1))),
        weee_out_of_scope=Count("pk", filter=~Q(weee_category__in=REUSE_WEEE)),
    )
    a, b = counts["a"], counts["b"]
    target = target_for(RETIRED_REUSE, year, organisation)
    share = a / b if b else None
    warnings = []
    if counts["no_proof"]:
        warnings.append(
            f"{counts['no_proof']} item(s) handed to reuse in {year} have no proof of reuse "
            "and are not counted in A"
        )
    if counts["unknown_age"]:
        warnings.append(
            f"{counts['unknown_age']} item(s) in B have no purchase date: their age cannot be "
            "checked against the 10-year exclusion"
        )
    return {
        "rule": RETIRED_REUSE,
        "year": year,
        "a_sent_to_reuse": a,
        "b_retired_stock_on_1_january": b,
        "share": share,
        "percent": None if share is None else 100 * share,
        "not_counted": {"handed_to_reuse_without_proof": counts["no_proof"]},
        "excluded_from_b": excluded,
        "target": target.to_dict() if target else None,
        "met": None if target is None or share is None else share >= target.target,
        "trajectory": [t.to_dict() for t in targets(RETIRED_REUSE, organisation)],
        "warnings": warnings,
    }
