"""Indicators of the fleet, one function per indicator, each a few database aggregates (no loop
over assets: 100,000 assets cost the same handful of queries as ten).

The asset figures come from one aggregate query grouped by (status, kind) with a filtered count
or sum per figure (`_asset_summary`): `fleet_indicators` asks it for every figure at once, each
public function for its own only. The index `asset_indicators` holds every column it reads, so
the database reads the index, not the table.

Definitions and units are in docs/methodology/fleet.md. Ages are in years of 365.25 days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import NotSupportedError
from django.db.models import (
    Case,
    Count,
    DateField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from impactnum.web.core.models import Organisation

from .choices import HELD_STATUSES, AssetStatus, RepairOutcome
from .models import Asset, LifespanPolicy, Repair

DAYS_PER_YEAR = 365.25
EPOCH = dt.date(1970, 1, 1)


class DayNumber(Func):  # type: ignore[misc]
    """A date column as its number of days since 1 January 1970 (an integer), so that sums of
    ages are exact integer sums in the database: SQLite and PostgreSQL."""

    arity = 1
    output_field = IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        # julianday('YYYY-MM-DD') is the day's midnight, exactly n + 0.5
        return f"CAST(julianday({sql}) - 2440587.5 AS INTEGER)", list(params)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) - DATE '1970-01-01')", list(params)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        raise NotSupportedError(f"DayNumber: no SQL for {connection.vendor}")


def _day(day: dt.date) -> int:
    return (day - EPOCH).days


def _assets(org: Organisation) -> QuerySet[Asset]:
    return Asset.objects.filter(organisation=org)


def held(org: Organisation) -> QuerySet[Asset]:
    """Assets the organisation holds and uses now (in stock, in service, in repair, spare)."""
    return _assets(org).filter(status__in=HELD_STATUSES)


def _years(delta: dt.timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds() / 86400 / DAYS_PER_YEAR


def assets_total(org: Organisation) -> int:
    """Number of assets on record, whatever their status."""
    return _assets(org).count()


def status_kind_counts(org: Organisation) -> dict[tuple[str, str], int]:
    """(status, kind) -> number of assets: one GROUP BY that gives the total, the count per
    status and the fleet held per kind."""
    return _asset_summary(org, parts=())["counts"]  # type: ignore[no-any-return]


def assets_by_status(org: Organisation) -> dict[str, int]:
    return _by_status(status_kind_counts(org))


def fleet_size_by_kind(org: Organisation) -> dict[str, int]:
    """Assets held now, per kind (sorted by kind code)."""
    return _held_by_kind(status_kind_counts(org))


def _by_status(counts: dict[tuple[str, str], int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for (st, _k), n in counts.items():
        out[st] = out.get(st, 0) + n
    return dict(sorted(out.items()))


def _held_by_kind(counts: dict[tuple[str, str], int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for (st, k), n in counts.items():
        if st in HELD_STATUSES:
            out[k] = out.get(k, 0) + n
    return dict(sorted(out.items()))


def _lifespan_groups(org: Organisation) -> list[tuple[str | None, Q, float]]:
    """(kind or None, condition, lifespan in years): assets without their own lifespan follow the
    policy of their kind; the others are grouped by their own lifespan (a few distinct values,
    read from the index `asset_own_lifespan`)."""
    groups: list[tuple[str | None, Q, float]] = [
        (p.kind, Q(kind=p.kind, expected_lifespan_years__isnull=True), p.years)
        for p in LifespanPolicy.objects.filter(organisation=org)
    ]
    own = (
        _assets(org)
        .filter(expected_lifespan_years__isnull=False)
        .values_list("expected_lifespan_years", flat=True)
        .distinct()
        .order_by()
    )
    groups += [(None, Q(expected_lifespan_years=life), life) for life in own]
    return groups


def _bought_before(years: float, day: dt.date) -> dt.date:
    """The purchase date from which a device of that lifespan is still within it on `day`."""
    return day - dt.timedelta(days=years * DAYS_PER_YEAR)


def _cutoff(groups: list[tuple[str | None, Q, float]], day: dt.date) -> Case | Value:
    """Per asset, the purchase date before which it has reached the end of its lifespan on
    `day` (`_bought_before` of its group), NULL outside every group."""
    whens = [When(cond, then=Value(_bought_before(life, day))) for _k, cond, life in groups]
    if not whens:
        return Value(None, output_field=DateField())
    return Case(*whens, default=None, output_field=DateField())


PARTS = ("age", "retirement", "refurbished", "windows")
"""What `_asset_summary` can compute besides the counts per (status, kind)."""


def _asset_summary(
    org: Organisation,
    today: dt.date | None = None,
    year: int | None = None,
    months: int = 12,
    parts: tuple[str, ...] = PARTS,
) -> dict[str, Any]:
    """The asset figures, from one aggregate query grouped by (status, kind) with a filtered
    aggregate per figure (plus, for "windows", the lifespan policies and the distinct own
    lifespans):

    - "counts": (status, kind) -> number of assets (always);
    - "age": mean age on `today` of the assets held that have a purchase date;
    - "retirement": mean age at retirement ever ("all") and for assets retired in `year`;
    - "refurbished": refurbished purchases ever ("all") and bought in `year` ("year");
    - "windows": held assets past their lifespan on `today` and reaching it within `months`,
      per kind, and those that cannot be judged.

    Sums of days are exact integer sums (`DayNumber`), so the figures are those of a sum over
    the assets one by one.
    """
    dated = Q(purchase_date__isnull=False)
    aggs: dict[str, Any] = {"n": Count("pk")}
    if "age" in parts:
        aggs |= {
            "age_n": Count("purchase_date"),
            "age_days": Sum(DayNumber("purchase_date")),  # NULL dates are left out
        }
    if "retirement" in parts:
        retired = Q(retired_on__isnull=False) & dated
        in_year = Q(retired_on__year=year) if year is not None else Q(pk=None)
        span = DayNumber("retired_on") - DayNumber("purchase_date")
        for p, q in (("all", retired), ("year", retired & in_year)):
            aggs |= {f"ret_{p}_n": Count("pk", filter=q), f"ret_{p}_days": Sum(span, filter=q)}
    if "refurbished" in parts:
        bought = Q(received_as_donation=False) & dated
        in_year = Q(purchase_date__year=year) if year is not None else Q(pk=None)
        refurb = Q(bought_refurbished=True)
        for p, q in (("all", bought), ("year", bought & in_year)):
            aggs |= {
                f"ref_{p}_n": Count("pk", filter=q),
                f"ref_{p}_n_refurb": Count("pk", filter=q & refurb),
                f"ref_{p}_spend": Sum("price_excl_vat", filter=q),
                f"ref_{p}_spend_refurb": Sum("price_excl_vat", filter=q & refurb),
            }
    groups: list[tuple[str | None, Q, float]] = []
    if "windows" in parts:
        assert today is not None
        end = today + dt.timedelta(days=months * DAYS_PER_YEAR / 12)
        groups = _lifespan_groups(org)
        # Each asset is in one lifespan group at most (its own lifespan, else its kind's
        # policy): the purchase dates that bound its windows, NULL if it cannot be judged.
        past_before = _cutoff(groups, today)
        due_before = _cutoff(groups, end)
        aggs["past"] = Count("pk", filter=Q(purchase_date__lt=past_before))
        aggs["due"] = Count(
            "pk", filter=Q(purchase_date__gte=past_before, purchase_date__lt=due_before)
        )
        policy_kinds = [kind for kind, _c, _l in groups if kind]
        judged = dated & (Q(expected_lifespan_years__isnull=False) | Q(kind__in=policy_kinds))
        aggs["not_judged"] = Count("pk", filter=~judged)
    rows = list(_assets(org).values("status", "kind").annotate(**aggs).order_by())
    held_rows = [r for r in rows if r["status"] in HELD_STATUSES]
    out: dict[str, Any] = {"counts": {(r["status"], r["kind"]): r["n"] for r in rows}}

    def total(key: str, among: list[dict[str, Any]] = rows) -> Any:
        return sum(r[key] or 0 for r in among)

    if "age" in parts:
        n = total("age_n", held_rows)
        days = n * _day(today) - total("age_days", held_rows) if n and today else 0
        out["age"] = {
            "value": days / n / DAYS_PER_YEAR if n else None,
            "assets": n,
            "no_purchase_date": total("n", held_rows) - n,
        }
    if "retirement" in parts:
        out["retirement"] = {}
        for p in ("all", "year"):
            n = total(f"ret_{p}_n")
            out["retirement"][p] = {
                "value": total(f"ret_{p}_days") / n / DAYS_PER_YEAR if n else None,
                "assets": n,
            }
    if "refurbished" in parts:
        out["refurbished"] = {}
        for p in ("all", "year"):
            n, n_refurb = total(f"ref_{p}_n"), total(f"ref_{p}_n_refurb")
            spend = float(total(f"ref_{p}_spend"))
            out["refurbished"][p] = {
                "purchases": n,
                "refurbished": n_refurb,
                "share_by_count": n_refurb / n if n else None,
                "share_by_spend": float(total(f"ref_{p}_spend_refurb")) / spend if spend else None,
            }
    if "windows" in parts:
        w: dict[str, Any] = {"past": {}, "due": {}, "not_judged": total("not_judged", held_rows)}
        for r in held_rows:
            for window in ("past", "due"):
                if r[window]:
                    w[window][r["kind"]] = w[window].get(r["kind"], 0) + r[window]
        w["past"] = dict(sorted(w["past"].items()))
        w["due"] = dict(sorted(w["due"].items()))
        out["windows"] = w
    return out


def average_age_years(org: Organisation, today: dt.date) -> dict[str, Any]:
    """Mean age on `today` of the assets held that have a purchase date; and how many have none."""
    return _asset_summary(org, today, parts=("age",))["age"]  # type: ignore[no-any-return]


def age_at_retirement_years(org: Organisation, year: int | None = None) -> dict[str, Any]:
    """Mean of retired_on − purchase_date (years) over the assets retired in `year` (or ever)
    that have both dates."""
    ages = _asset_summary(org, year=year, parts=("retirement",))["retirement"]
    return ages["all" if year is None else "year"]  # type: ignore[no-any-return]


def _repairs(org: Organisation, year: int | None, total: int) -> dict[str, dict[str, Any]]:
    """Repair figures ever ("all") and for repairs opened in `year` ("year"): one query."""
    periods = {"all": Q(), "year": Q(opened_on__year=year) if year is not None else Q(pk=None)}
    closed = Q(closed_on__isnull=False) & ~Q(outcome="")
    aggs = {}
    for p, q in periods.items():
        aggs |= {
            f"{p}_opened": Count("pk", filter=q),
            f"{p}_closed": Count("pk", filter=q & closed),
            f"{p}_fixed": Count("pk", filter=q & closed & Q(outcome=RepairOutcome.FIXED)),
            f"{p}_eol": Count("pk", filter=q & closed & Q(outcome=RepairOutcome.END_OF_LIFE)),
            f"{p}_cost": Sum("parts_cost", filter=q),
            f"{p}_minutes": Sum("minutes_spent", filter=q),
            f"{p}_assets": Count("asset", filter=q, distinct=True),
        }
    r = Repair.objects.filter(asset__organisation=org).aggregate(**aggs)
    out = {}
    for p in periods:
        closed_n, fixed = r[f"{p}_closed"], r[f"{p}_fixed"]
        out[p] = {
            "repairs_opened": r[f"{p}_opened"],
            "repairs_closed": closed_n,
            "repairs_fixed": fixed,
            "repairs_end_of_life": r[f"{p}_eol"],
            "parts_cost": float(r[f"{p}_cost"] or 0),
            "hours_spent": (r[f"{p}_minutes"] or 0) / 60,
            "assets_repaired": r[f"{p}_assets"],
            "repair_rate": r[f"{p}_assets"] / total if total else None,
            "repair_success_rate": fixed / closed_n if closed_n else None,
        }
    return out


def repair_rates(org: Organisation, year: int | None = None) -> dict[str, Any]:
    """Repairs (opened in `year`, or ever) and two rates.

    - `repair_rate`: share of the assets on record that had at least one repair (in `year`);
    - `repair_success_rate`: closed repairs with outcome *fixed* ÷ closed repairs with an outcome.
    """
    return _repairs(org, year, assets_total(org))["all" if year is None else "year"]


def refurbished_purchase_share(org: Organisation, year: int | None = None) -> dict[str, Any]:
    """Share of purchases (bought in `year`, or ever; donations excluded) bought refurbished, by
    count and by spend excl. VAT (over the purchases that have a price)."""
    shares = _asset_summary(org, year=year, parts=("refurbished",))["refurbished"]
    return shares["all" if year is None else "year"]  # type: ignore[no-any-return]


def with_lifespan(qs: QuerySet[Asset]) -> QuerySet[Asset]:
    """Annotate `lifespan`: the asset's own expected lifespan, else its organisation's policy for
    its kind, else NULL (a correlated subquery: for filtering a few assets, not for totals)."""
    policy = LifespanPolicy.objects.filter(
        organisation=OuterRef("organisation"), kind=OuterRef("kind")
    ).values("years")[:1]
    return qs.annotate(lifespan=Coalesce("expected_lifespan_years", Subquery(policy)))


def past_lifespan(org: Organisation, today: dt.date) -> dict[str, Any]:
    """Held assets older on `today` than their lifespan (own, else policy), per kind; and how
    many held assets have no lifespan or no purchase date to judge."""
    w = _asset_summary(org, today, parts=("windows",))["windows"]
    return {"total": sum(w["past"].values()), "by_kind": w["past"], "not_judged": w["not_judged"]}


def renewals_due(org: Organisation, today: dt.date, months: int = 12) -> dict[str, Any]:
    """Held assets reaching the end of their lifespan within the next `months` (from `today`
    included to today + months excluded; months of 365.25 / 12 days), per kind."""
    w = _asset_summary(org, today, months=months, parts=("windows",))["windows"]
    return {"months": months, "total": sum(w["due"].values()), "by_kind": w["due"]}


def fleet_indicators(org: Organisation, today: dt.date | None = None) -> dict[str, Any]:
    """All the fleet's indicators on `today` (default: the local date), JSON-ready.

    `assets_total` counts every asset on record whatever its status; `held_total` those held
    now; yearly indicators (repairs, refurbished purchases, age at retirement) are given for
    all time and for the current year. Four queries whatever the fleet's size: the lifespan
    policies, the distinct own lifespans, the asset summary and the repairs.
    """
    today = today or timezone.localdate()
    summary = _asset_summary(org, today, today.year, 12)
    counts = summary["counts"]
    total = sum(counts.values())
    by_status, by_kind = _by_status(counts), _held_by_kind(counts)
    ages = summary["retirement"]
    repairs = _repairs(org, today.year, total)
    refurbished = summary["refurbished"]
    windows = summary["windows"]
    return {
        "organisation": org.slug,
        "date": today.isoformat(),
        "assets_total": total,
        "by_status": by_status,
        "held_total": sum(by_kind.values()),
        "held_by_kind": by_kind,
        "average_age_years": summary["age"],
        "age_at_retirement_years": ages["all"],
        "age_at_retirement_years_this_year": ages["year"],
        "repairs": repairs["all"],
        "repairs_this_year": repairs["year"],
        "refurbished_purchases": refurbished["all"],
        "refurbished_purchases_this_year": refurbished["year"],
        "past_lifespan": {
            "total": sum(windows["past"].values()),
            "by_kind": windows["past"],
            "not_judged": windows["not_judged"],
        },
        "renewals_due_12_months": {
            "months": 12,
            "total": sum(windows["due"].values()),
            "by_kind": windows["due"],
        },
        "statuses_held": sorted(str(s) for s in HELD_STATUSES),
        "retired_not_yet_disposed": by_status.get(AssetStatus.RETIRED.value, 0),
    }
