"""Annual environmental footprint of the fleet through the engine: now, per year, by group.

The adapter between the fleet's rows and the engine's arrays: one grouped database query
(`values(...).annotate(n=Count)`: identical assets become one line of quantity n) turned into
`EquipmentLines.from_columns`, then `compute_annual`. See docs/methodology/fleet.md.

Per asset: kind; quantity 1; lifespan = own expected lifespan, else the organisation's policy
for its kind, else the factor set's default for the kind; refurbished = bought refurbished;
kWh/yr when given, else the kind's default use; country of use. Labels: department and
organisation, for `by=`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db.models import Case, CharField, Count, IntegerField, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Substr
from django.utils import timezone

from impactnum.engine import (
    Categorical,
    EquipmentLines,
    FactorSet,
    compute_annual,
    load_factor_set,
)
from impactnum.web.core.models import Organisation

from .choices import HELD_STATUSES, AssetStatus
from .models import Asset, LifespanPolicy

DEFAULT_FACTOR_SET = "ademe-2022"
GROUPINGS = ("kind", "department", "organisation")
LEFT_STATUSES = (
    AssetStatus.RETIRED,
    AssetStatus.HANDED_TO_REUSE,
    AssetStatus.RECYCLED,
    AssetStatus.LOST_STOLEN,
)
"""Statuses of an asset that has left the fleet (the year it left: retired_on, else the year of
its last status change)."""

F64 = npt.NDArray[np.float64]


def organisations_of(organisations: Organisation | Iterable[Organisation]) -> list[Organisation]:
    if isinstance(organisations, Organisation):
        return [organisations]
    return list(organisations)


def factor_set_of(factor_set: str | FactorSet) -> FactorSet:
    return load_factor_set(factor_set) if isinstance(factor_set, str) else factor_set


def pruned(column: Categorical) -> Categorical:
    """The same column with only the categories some row uses."""
    used = np.unique(column.codes[column.codes >= 0])
    remap = np.full(len(column.categories) + 1, -1, dtype=np.int32)
    remap[used] = np.arange(len(used), dtype=np.int32)
    return Categorical(remap[column.codes], tuple(column.categories[i] for i in used))


@dataclass(frozen=True)
class FleetColumns:
    """The fleet's grouped rows as NumPy columns (one row = identical assets, `quantity` of them).

    `start_year`: year of purchase (else of creation in the app); `end_year`: year the asset
    left the fleet (−1 while it is still there or on order).
    """

    kind: Categorical
    quantity: F64
    lifespan: F64
    refurbished: npt.NDArray[np.bool_]
    kwh: F64
    country: Categorical
    department: Categorical
    organisation: Categorical
    start_year: npt.NDArray[np.int64]
    end_year: npt.NDArray[np.int64]
    held: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.quantity)

    def take(self, mask: npt.NDArray[np.bool_]) -> FleetColumns:
        """The rows in `mask`, each text column keeping only the categories still used (the
        engine refuses a category it does not know even when no line uses it)."""

        def cat(c: Categorical) -> Categorical:
            return pruned(Categorical(c.codes[mask], c.categories))

        return FleetColumns(
            cat(self.kind),
            self.quantity[mask],
            self.lifespan[mask],
            self.refurbished[mask],
            self.kwh[mask],
            cat(self.country),
            cat(self.department),
            cat(self.organisation),
            self.start_year[mask],
            self.end_year[mask],
            self.held[mask],
        )

    def lines(self) -> EquipmentLines:
        return EquipmentLines.from_columns(
            kind=self.kind,
            quantity=self.quantity,
            lifespan_years=self.lifespan,
            refurbished=self.refurbished,
            kwh_per_year=self.kwh,
            country=self.country,
            labels={"department": self.department, "organisation": self.organisation},
        )


def _year(field_name: str) -> Substr:
    """The year of a date or datetime column as 4 characters, in plain SQL on every backend
    (ISO text's first 4 characters; a datetime's year is taken in UTC, the connection's zone)."""
    return Substr(Cast(field_name, output_field=CharField()), 1, 4)


def _grouped_rows(qs: QuerySet[Asset], with_years: bool) -> list[dict[str, Any]]:
    """Identical assets grouped into one row with their count `n` (plain SQL GROUP BY)."""
    keys = [
        "kind",
        "expected_lifespan_years",
        "bought_refurbished",
        "kwh_per_year",
        "country",
        "department__name",
        "organisation_id",
    ]
    if with_years:
        qs = qs.annotate(
            start_year=Coalesce(_year("purchase_date"), _year("created_at")),
            end_year=Case(
                When(retired_on__isnull=False, then=_year("retired_on")),
                When(status__in=LEFT_STATUSES, then=_year("status_changed_at")),
                default=Value(""),
                output_field=CharField(),
            ),
            is_held=Case(
                When(status__in=HELD_STATUSES, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        keys += ["start_year", "end_year", "is_held"]
    else:
        qs = qs.filter(status__in=HELD_STATUSES)
    return list(qs.values(*keys).annotate(n=Count("pk")).order_by())


def policies(orgs: list[Organisation]) -> dict[tuple[int, str], float]:
    """(organisation id, kind) -> the organisation's lifespan policy in years."""
    rows = LifespanPolicy.objects.filter(organisation__in=orgs).values_list(
        "organisation_id", "kind", "years"
    )
    return {(o, k): y for o, k, y in rows}


def fleet_columns(
    organisations: Organisation | Iterable[Organisation], *, with_years: bool = True
) -> FleetColumns:
    """The organisations' assets grouped into rows (one query): with `with_years`, every asset
    not on order, with its start and end years; without, only the assets held now.

    Lifespan: own expected lifespan, else the organisation's policy for the kind, else NaN (the
    factor set's default).
    """
    orgs = organisations_of(organisations)
    qs = Asset.objects.filter(organisation__in=orgs).exclude(status=AssetStatus.ORDERED)
    rows = _grouped_rows(qs, with_years)
    policy = policies(orgs)
    slugs = {o.pk: o.slug for o in orgs}
    n = len(rows)

    def floats(values: Iterable[float | None]) -> F64:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    def years(key: str) -> npt.NDArray[np.int64]:
        if not with_years:
            return np.full(n, -1, dtype=np.int64)
        return np.array([int(r[key]) if r[key] else -1 for r in rows], dtype=np.int64)

    lifespan = floats(
        r["expected_lifespan_years"]
        if r["expected_lifespan_years"] is not None
        else policy.get((r["organisation_id"], r["kind"]))
        for r in rows
    )
    return FleetColumns(
        kind=Categorical.from_values(r["kind"] for r in rows),
        quantity=np.array([r["n"] for r in rows], dtype=np.float64),
        lifespan=lifespan,
        refurbished=np.array([r["bought_refurbished"] for r in rows], dtype=np.bool_),
        kwh=floats(r["kwh_per_year"] for r in rows),
        country=Categorical.from_values(r["country"] for r in rows),
        department=Categorical.from_values(r["department__name"] for r in rows),
        organisation=Categorical.from_values(slugs[r["organisation_id"]] for r in rows),
        start_year=years("start_year"),
        end_year=years("end_year"),
        held=(
            np.array([r["is_held"] for r in rows], dtype=np.bool_)
            if with_years
            else np.ones(n, dtype=np.bool_)
        ),
    )


@dataclass(frozen=True)
class Coverage:
    """What the factor set can compute: covered rows, and what was left out or defaulted."""

    columns: FleetColumns
    not_covered: dict[str, int]  # kind -> assets without factors in the set
    country_defaulted: dict[str, int]  # country -> assets computed with the set's default
    warnings: list[str] = field(default_factory=list)


def covered(cols: FleetColumns, fs: FactorSet) -> Coverage:
    """Drop the kinds the set does not cover (counted, with a warning); map countries the set
    lacks to its default country (counted, with a warning)."""
    arrays = fs.arrays()
    known_kind = np.array([k in arrays.kinds for k in cols.kind.categories] + [False])
    ok = known_kind[cols.kind.codes]
    not_covered: dict[str, int] = {}
    for code in np.unique(cols.kind.codes[~ok]):
        name = cols.kind.categories[code] if code >= 0 else "(none)"
        not_covered[name] = int(cols.quantity[(cols.kind.codes == code) & ~ok].sum())
    kept = cols.take(ok)
    known_country = np.array([c in arrays.countries for c in kept.country.categories] + [True])
    bad = ~known_country[kept.country.codes]
    defaulted: dict[str, int] = {}
    if bad.any():
        for code in np.unique(kept.country.codes[bad]):
            defaulted[kept.country.categories[code]] = int(
                kept.quantity[kept.country.codes == code].sum()
            )
        codes = np.where(bad, -1, kept.country.codes).astype(np.int32)
        kept = FleetColumns(
            kept.kind,
            kept.quantity,
            kept.lifespan,
            kept.refurbished,
            kept.kwh,
            pruned(Categorical(codes, kept.country.categories)),
            kept.department,
            kept.organisation,
            kept.start_year,
            kept.end_year,
            kept.held,
        )
    warnings = []
    if not_covered:
        detail = ", ".join(f"{k} ({n})" for k, n in sorted(not_covered.items()))
        warnings.append(f"{fs.ref} has no factors for: {detail}; these assets are not counted")
    if defaulted:
        detail = ", ".join(f"{k} ({n})" for k, n in sorted(defaulted.items()))
        warnings.append(
            f"{fs.ref} has no electricity factor for: {detail}; computed with "
            f"{fs.default_country}'s"
        )
    return Coverage(kept, not_covered, defaulted, warnings)


def fleet_footprint(
    organisations: Organisation | Iterable[Organisation],
    *,
    factor_set: str | FactorSet = DEFAULT_FACTOR_SET,
    by: str = "kind",
    draws: int | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Annual footprint of the assets held now, per criterion and phase, JSON-ready.

    `by`: "kind", "department" or "organisation" (the total and by-kind are always given).
    `draws`: Monte Carlo draws for low/high (P5–P95); None gives the analytic bounds.
    The result is the engine's `InventoryResult.to_dict()` plus `assets_counted`,
    `not_covered` and `country_defaulted`.
    """
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    fs = factor_set_of(factor_set)
    cov = covered(fleet_columns(organisations, with_years=False), fs)
    result = compute_annual(cov.columns.lines(), fs, by=by, draws=draws, seed=seed)
    out = result.to_dict()
    out["organisations"] = [o.slug for o in organisations_of(organisations)]
    out["assets_counted"] = int(cov.columns.quantity.sum())
    out["not_covered"] = cov.not_covered
    out["country_defaulted"] = cov.country_defaulted
    out["warnings"] = cov.warnings + out["warnings"]
    return out


def held_at_year_end(cols: FleetColumns, year: int) -> npt.NDArray[np.bool_]:
    """Rows held on 31 December `year`: started on or before that year and not left by then."""
    return (cols.start_year <= year) & ((cols.end_year < 0) | (cols.end_year > year))


def footprint_trend(
    organisations: Organisation | Iterable[Organisation],
    years: Iterable[int] | None = None,
    *,
    factor_set: str | FactorSet = DEFAULT_FACTOR_SET,
    draws: int | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Annual footprint of the fleet held at the end of each year (default: from the first
    purchase year to the current year), reconstructed from purchase and retirement dates.

    Per year: `assets` held on 31 December and `totals` per criterion (value, low, high; None
    where the set has no factor). One database query for all years.
    """
    fs = factor_set_of(factor_set)
    cols = fleet_columns(organisations)
    cov = covered(cols, fs)
    c = cov.columns
    if years is None:
        first = int(c.start_year.min()) if len(c) else timezone.localdate().year
        years = range(first, timezone.localdate().year + 1)
    points = []
    for year in years:
        sub = c.take(held_at_year_end(c, year))
        totals = None
        if len(sub):
            res = compute_annual(sub.lines(), fs, draws=draws, seed=seed)
            totals = res.summary.totals_json()
        points.append({"year": year, "assets": int(sub.quantity.sum()), "totals": totals})
    return {
        "organisations": [o.slug for o in organisations_of(organisations)],
        "factor_set": fs.ref,
        "method": "assets held on 31 December of each year (purchase year ≤ year < year left)",
        "draws": draws,
        "years": points,
        "not_covered": cov.not_covered,
        "warnings": cov.warnings,
    }
