"""Indicators of the fleet, one function per indicator, each a few database aggregates (no loop
over assets: 100,000 assets cost the same handful of queries as ten).

Definitions and units are in docs/methodology/fleet.md. Ages are in years of 365.25 days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from impactnum.web.core.models import Organisation

from .choices import HELD_STATUSES, AssetStatus, RepairOutcome
from .models import Asset, LifespanPolicy, Repair

DAYS_PER_YEAR = 365.25


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
    rows = _assets(org).values_list("status", "kind").annotate(n=Count("pk")).order_by()
    return {(st, k): n for st, k, n in rows}


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


def average_age_years(org: Organisation, today: dt.date) -> dict[str, Any]:
    """Mean age on `today` of the assets held that have a purchase date; and how many have none.

    One GROUP BY purchase date: the work grows with the number of distinct days, not of assets
    (a mean of dates, portable across databases)."""
    rows = held(org).values_list("purchase_date").annotate(n=Count("pk")).order_by()
    days = n = undated = 0
    for day, count in rows:
        if day is None:
            undated += count
        else:
            days += (today - day).days * count
            n += count
    return {
        "value": days / n / DAYS_PER_YEAR if n else None,
        "assets": n,
        "no_purchase_date": undated,
    }


def _retirement_ages(org: Organisation, year: int | None) -> dict[str, dict[str, Any]]:
    """Mean age at retirement ever ("all") and for assets retired in `year` ("year"), from one
    GROUP BY (purchase date, retirement date)."""
    rows = (
        _assets(org)
        .filter(retired_on__isnull=False, purchase_date__isnull=False)
        .values_list("purchase_date", "retired_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sums = {"all": [0, 0], "year": [0, 0]}
    for bought, retired, n in rows:
        for key in ("all", "year") if retired.year == year else ("all",):
            sums[key][0] += (retired - bought).days * n
            sums[key][1] += n
    return {
        key: {"value": d / n / DAYS_PER_YEAR if n else None, "assets": n}
        for key, (d, n) in sums.items()
    }


def age_at_retirement_years(org: Organisation, year: int | None = None) -> dict[str, Any]:
    """Mean of retired_on − purchase_date (years) over the assets retired in `year` (or ever)
    that have both dates."""
    return _retirement_ages(org, year)["all" if year is None else "year"]


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


def _refurbished(org: Organisation, year: int | None) -> dict[str, dict[str, Any]]:
    """Refurbished purchases ever ("all") and in `year` ("year"): one query."""
    qs = _assets(org).filter(received_as_donation=False, purchase_date__isnull=False)
    periods = {
        "all": Q(),
        "year": Q(purchase_date__year=year) if year is not None else Q(pk=None),
    }
    refurb = Q(bought_refurbished=True)
    aggs = {}
    for p, q in periods.items():
        aggs |= {
            f"{p}_n": Count("pk", filter=q),
            f"{p}_n_refurb": Count("pk", filter=q & refurb),
            f"{p}_spend": Sum("price_excl_vat", filter=q),
            f"{p}_spend_refurb": Sum("price_excl_vat", filter=q & refurb),
        }
    agg = qs.aggregate(**aggs)
    out = {}
    for p in periods:
        n, n_refurb = agg[f"{p}_n"], agg[f"{p}_n_refurb"]
        spend = float(agg[f"{p}_spend"] or 0)
        out[p] = {
            "purchases": n,
            "refurbished": n_refurb,
            "share_by_count": n_refurb / n if n else None,
            "share_by_spend": float(agg[f"{p}_spend_refurb"] or 0) / spend if spend else None,
        }
    return out


def refurbished_purchase_share(org: Organisation, year: int | None = None) -> dict[str, Any]:
    """Share of purchases (bought in `year`, or ever; donations excluded) bought refurbished, by
    count and by spend excl. VAT (over the purchases that have a price)."""
    return _refurbished(org, year)["all" if year is None else "year"]


def with_lifespan(qs: QuerySet[Asset]) -> QuerySet[Asset]:
    """Annotate `lifespan`: the asset's own expected lifespan, else its organisation's policy for
    its kind, else NULL (a correlated subquery: for filtering a few assets, not for totals)."""
    policy = LifespanPolicy.objects.filter(
        organisation=OuterRef("organisation"), kind=OuterRef("kind")
    ).values("years")[:1]
    return qs.annotate(lifespan=Coalesce("expected_lifespan_years", Subquery(policy)))


def _lifespan_groups(org: Organisation) -> list[tuple[str | None, Q, float]]:
    """(kind or None, condition, lifespan in years): assets without their own lifespan follow the
    policy of their kind; the others are grouped by their own lifespan (a few distinct values)."""
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


def _lifespan_windows(
    org: Organisation, today: dt.date, months: int, kinds: list[str] | None = None
) -> dict[str, Any]:
    """Held assets past their lifespan on `today` and reaching it within `months`, per kind, and
    those that cannot be judged: one aggregate query with one filtered count per (kind,
    lifespan group), not a query per asset."""
    end = today + dt.timedelta(days=months * DAYS_PER_YEAR / 12)
    kinds = kinds if kinds is not None else sorted(fleet_size_by_kind(org))
    groups = _lifespan_groups(org)
    counts: dict[str, Any] = {}
    for i, (kind, cond, life) in enumerate(groups):
        past = cond & Q(purchase_date__lt=_bought_before(life, today))
        due = cond & Q(
            purchase_date__gte=_bought_before(life, today),
            purchase_date__lt=_bought_before(life, end),
        )
        for k in [kind] if kind else kinds:
            counts[f"past{i}_{k}"] = Count("pk", filter=past & Q(kind=k))
            counts[f"due{i}_{k}"] = Count("pk", filter=due & Q(kind=k))
    policy_kinds = [kind for kind, _c, _l in groups if kind]
    judged = Q(purchase_date__isnull=False) & (
        Q(expected_lifespan_years__isnull=False) | Q(kind__in=policy_kinds)
    )
    counts["not_judged"] = Count("pk", filter=~judged)
    agg = held(org).aggregate(**counts)
    out: dict[str, Any] = {"past": {}, "due": {}, "not_judged": agg.pop("not_judged")}
    for key, n in agg.items():
        window, kind = key.split("_", 1)
        window = window.rstrip("0123456789")
        if n:
            out[window][kind] = out[window].get(kind, 0) + n
    out["past"] = dict(sorted(out["past"].items()))
    out["due"] = dict(sorted(out["due"].items()))
    return out


def past_lifespan(org: Organisation, today: dt.date) -> dict[str, Any]:
    """Held assets older on `today` than their lifespan (own, else policy), per kind; and how
    many held assets have no lifespan or no purchase date to judge."""
    w = _lifespan_windows(org, today, 12)
    return {"total": sum(w["past"].values()), "by_kind": w["past"], "not_judged": w["not_judged"]}


def renewals_due(org: Organisation, today: dt.date, months: int = 12) -> dict[str, Any]:
    """Held assets reaching the end of their lifespan within the next `months` (from `today`
    included to today + months excluded; months of 365.25 / 12 days), per kind."""
    w = _lifespan_windows(org, today, months)
    return {"months": months, "total": sum(w["due"].values()), "by_kind": w["due"]}


def fleet_indicators(org: Organisation, today: dt.date | None = None) -> dict[str, Any]:
    """All the fleet's indicators on `today` (default: the local date), JSON-ready.

    `assets_total` counts every asset on record whatever its status; `held_total` those held
    now; yearly indicators (repairs, refurbished purchases, age at retirement) are given for
    all time and for the current year. About ten queries whatever the fleet's size.
    """
    today = today or timezone.localdate()
    counts = status_kind_counts(org)
    total = sum(counts.values())
    by_status, by_kind = _by_status(counts), _held_by_kind(counts)
    ages = _retirement_ages(org, today.year)
    repairs = _repairs(org, today.year, total)
    refurbished = _refurbished(org, today.year)
    windows = _lifespan_windows(org, today, 12, sorted(by_kind))
    return {
        "organisation": org.slug,
        "date": today.isoformat(),
        "assets_total": total,
        "by_status": by_status,
        "held_total": sum(by_kind.values()),
        "held_by_kind": by_kind,
        "average_age_years": average_age_years(org, today),
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
