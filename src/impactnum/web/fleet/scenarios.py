"""Fleet scenarios: longer lifespans and refurbished purchases against the fleet as it is.

Both are steady-state comparisons in the engine's annual view (docs/methodology/fleet.md):
the baseline is the fleet held now; the variant keeps the same devices but with
lifespan L' = max(L, target) for the chosen kinds, and replaces a share s of its new devices by
refurbished ones. Avoided impacts per year come from the engine's `compare_scenarios` (same
Monte Carlo draws for both); cost savings from the renewals per year (q ÷ L) at the median price
per kind found in the assets, a refurbished device costing a documented share of the new price.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db.models import Count

from impactnum.engine import (
    Categorical,
    EquipmentLines,
    FactorSet,
    Scenario,
    compare_scenarios,
)
from impactnum.web.core.models import Organisation

from .footprint import (
    DEFAULT_FACTOR_SET,
    covered,
    factor_set_of,
    fleet_columns,
    organisations_of,
)
from .models import Asset

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PriceRatio:
    """Price of a refurbished device as a share of the new price, with a range and its source."""

    value: float = 0.5
    low: float = 0.49
    high: float = 0.65
    source: str = (
        "FACTS-rules-and-social §8: refurbished price typically about half of new; shop "
        "examples 1 200 € → 590 € (0.49) and 600 € → 390 € (0.65); TF1 report, 2022 "
        "(URL to verify)"
    )


REFURBISHED_PRICE = PriceRatio()


def compact(lines: EquipmentLines) -> EquipmentLines:
    """Merge lines that differ only by labels or by given kWh: one line per (kind, country,
    lifespan, refurbished, kWh given or default). Exact, because impacts are linear in the
    quantity and, for the use phase, in quantity × kWh (given kWh become the quantity-weighted
    mean of the merged lines)."""
    if not len(lines):
        return lines
    given = ~np.isnan(lines.kwh_per_year)
    life = np.nan_to_num(lines.lifespan_years, nan=-1.0)
    keys = np.rec.fromarrays(
        [lines.kind.codes, lines.country.codes, life, lines.refurbished, given],
        names="k,x,l,r,g",
    )
    uniq, inv = np.unique(keys, return_inverse=True)
    inv = inv.ravel()
    q = np.bincount(inv, weights=lines.quantity, minlength=len(uniq))
    qk = np.bincount(
        inv, weights=np.where(given, lines.quantity * lines.kwh_per_year, 0.0), minlength=len(uniq)
    )
    kwh = np.where(uniq["g"], qk / np.where(q > 0, q, 1.0), np.nan)
    return EquipmentLines.from_columns(
        kind=Categorical(uniq["k"].astype(np.int32), lines.kind.categories),
        quantity=q,
        lifespan_years=np.where(uniq["l"] < 0, np.nan, uniq["l"]),
        refurbished=uniq["r"].astype(np.bool_),
        kwh_per_year=kwh,
        country=Categorical(uniq["x"].astype(np.int32), lines.country.categories),
    )


def _effective_lifespan(lines: EquipmentLines, fs: FactorSet) -> F64:
    """Lifespan in years, the set's default for the kind where not given, floored at 1."""
    arrays = fs.arrays()
    pos = {k: i for i, k in enumerate(arrays.kinds)}
    default = np.array([arrays.lifespan[pos[k]] for k in lines.kind.categories] + [np.nan])
    life = np.where(np.isnan(lines.lifespan_years), default[lines.kind.codes], lines.lifespan_years)
    return np.maximum(life, 1.0)


def variant_lines(
    base: EquipmentLines,
    fs: FactorSet,
    *,
    lifespan_years: float | None,
    kinds: Sequence[str] | None,
    refurbished_share: float,
) -> EquipmentLines:
    """The baseline lines with lifespan max(L, lifespan_years) for `kinds` (all if None), and a
    share `refurbished_share` of the new devices of those kinds turned refurbished."""
    if not 0.0 <= refurbished_share <= 1.0:
        raise ValueError("refurbished_share must be between 0 and 1")
    life = _effective_lifespan(base, fs)
    chosen = np.array([kinds is None or k in kinds for k in base.kind.categories] + [False])[
        base.kind.codes
    ]
    if lifespan_years is not None:
        life = np.where(chosen, np.maximum(life, lifespan_years), life)
    split = chosen & ~base.refurbished & (refurbished_share > 0)
    s = refurbished_share
    # Lines kept as they are (with the new lifespan), plus the refurbished part of split lines.
    q_kept = np.where(split, base.quantity * (1 - s), base.quantity)
    idx = np.flatnonzero(split)
    return EquipmentLines.from_columns(
        kind=Categorical(
            np.concatenate([base.kind.codes, base.kind.codes[idx]]), base.kind.categories
        ),
        quantity=np.concatenate([q_kept, base.quantity[idx] * s]),
        lifespan_years=np.concatenate([life, life[idx]]),
        refurbished=np.concatenate([base.refurbished, np.ones(len(idx), dtype=np.bool_)]),
        kwh_per_year=np.concatenate([base.kwh_per_year, base.kwh_per_year[idx]]),
        country=Categorical(
            np.concatenate([base.country.codes, base.country.codes[idx]]), base.country.categories
        ),
    )


def _weighted_percentiles(values: F64, weights: F64, ps: Sequence[float]) -> list[float]:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = np.cumsum(w) / w.sum()
    return [float(v[np.searchsorted(cum, p, side="left")]) for p in ps]


def new_prices(orgs: list[Organisation]) -> dict[str, dict[str, float]]:
    """Per kind: median, 25th and 75th percentile of the price excl. VAT of devices bought new
    (not refurbished, not donated), from the assets of the organisations (grouped by price in
    the database, so identical prices cost one row)."""
    rows = (
        Asset.objects.filter(
            organisation__in=orgs,
            bought_refurbished=False,
            received_as_donation=False,
            price_excl_vat__isnull=False,
        )
        .values("kind", "price_excl_vat")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_kind: dict[str, tuple[list[float], list[float]]] = {}
    for r in rows:
        prices, counts = by_kind.setdefault(r["kind"], ([], []))
        prices.append(float(r["price_excl_vat"]))
        counts.append(float(r["n"]))
    out = {}
    for kind, (prices, counts) in by_kind.items():
        p25, med, p75 = _weighted_percentiles(np.array(prices), np.array(counts), (0.25, 0.5, 0.75))
        out[kind] = {"median": med, "p25": p25, "p75": p75, "devices": int(sum(counts))}
    return out


def _cost_per_year(lines: EquipmentLines, fs: FactorSet, price: F64, ratio: float) -> float:
    """Renewal spend per year in steady state: Σ q ÷ L × price (× ratio when refurbished)."""
    life = _effective_lifespan(lines, fs)
    unit = price[lines.kind.codes] * np.where(lines.refurbished, ratio, 1.0)
    return float(np.nansum(lines.quantity / life * unit))


def fleet_scenario(
    organisations: Organisation | Iterable[Organisation],
    *,
    lifespan_years: float | None = None,
    kinds: Sequence[str] | None = None,
    refurbished_share: float = 0.0,
    horizon_years: float = 5.0,
    factor_set: str | FactorSet = DEFAULT_FACTOR_SET,
    draws: int = 1000,
    seed: int = 0,
    price_ratio: PriceRatio = REFURBISHED_PRICE,
) -> dict[str, Any]:
    """Avoided impacts and cost savings of a variant of the fleet held now, JSON-ready.

    `lifespan_years`: extend the lifespan of `kinds` (all kinds if None) to at least this many
    years (e.g. 7 for PCs kept 5); `refurbished_share` (0–1): share of the new devices of those
    kinds bought refurbished instead. Per criterion: impacts per year of both, the avoided
    impacts per year (baseline − variant, P5–P95 over `draws` shared draws) and over the
    horizon, and the probability that the variant is lower. Costs: renewal spend per year of
    both and savings per year and over the horizon, value with low/high bounds (prices P25–P75
    per kind × the refurbished price ratio's range); kinds with no price are listed and left
    out of the costs.
    """
    orgs = organisations_of(organisations)
    fs = factor_set_of(factor_set)
    cov = covered(fleet_columns(orgs, with_years=False), fs)
    base = compact(cov.columns.lines())
    variant = variant_lines(
        base, fs, lifespan_years=lifespan_years, kinds=kinds, refurbished_share=refurbished_share
    )
    name = _variant_name(lifespan_years, kinds, refurbished_share)
    comparison = compare_scenarios(
        Scenario("fleet now", base, horizon_years=horizon_years),
        Scenario(name, variant, horizon_years=horizon_years),
        fs,
        draws=draws,
        seed=seed,
    )
    impacts = {}
    for code, c in comparison["criteria"].items():
        if c is None:
            impacts[code] = None
            continue
        d = c["difference"]
        avoided = {"value": -d["value"], "low": -d["high"], "high": -d["low"]}
        impacts[code] = {
            "baseline_per_year": c["baseline"],
            "variant_per_year": c["variant"],
            "avoided_per_year": avoided,
            "avoided_over_horizon": {k: v * horizon_years for k, v in avoided.items()},
            "probability_variant_lower": c["probability_variant_lower"],
        }
    return {
        "organisations": [o.slug for o in orgs],
        "factor_set": fs.ref,
        "scenario": {
            "name": name,
            "lifespan_years": lifespan_years,
            "kinds": list(kinds) if kinds is not None else None,
            "refurbished_share": refurbished_share,
            "horizon_years": horizon_years,
        },
        "assets_counted": int(base.quantity.sum()),
        "draws": draws,
        "seed": seed,
        "impacts": impacts,
        "costs": _costs(orgs, base, variant, fs, horizon_years, price_ratio),
        "method": (
            "steady state, annual view: embedded impacts ÷ lifespan + use; renewals per year = "
            "devices ÷ lifespan"
        ),
        "warnings": cov.warnings,
    }


def _variant_name(life: float | None, kinds: Sequence[str] | None, share: float) -> str:
    parts = []
    if life is not None:
        parts.append(f"lifespan ≥ {life:g} years")
    if share:
        parts.append(f"{share:.0%} refurbished")
    scope = f" ({', '.join(kinds)})" if kinds else ""
    return (" + ".join(parts) or "unchanged") + scope


def _costs(
    orgs: list[Organisation],
    base: EquipmentLines,
    variant: EquipmentLines,
    fs: FactorSet,
    horizon: float,
    ratio: PriceRatio,
) -> dict[str, Any]:
    prices = new_prices(orgs)
    cats = base.kind.categories
    missing = sorted(k for k in set(base.kind.values()) if k is not None and k not in prices)

    def column(key: str) -> F64:
        return np.array([prices[k][key] if k in prices else np.nan for k in cats] + [np.nan])

    cases = []
    for price_key in ("median", "p25", "p75"):
        for r in (ratio.value, ratio.low, ratio.high):
            p = column(price_key)
            b = _cost_per_year(base, fs, p, r)
            v = _cost_per_year(variant, fs, p, r)
            cases.append((price_key, r, b, v))
    central = cases[0]
    savings = [b - v for _, _, b, v in cases]
    per_year = {"value": central[2] - central[3], "low": min(savings), "high": max(savings)}
    return {
        "currency": "EUR, excl. VAT",
        "baseline_per_year": central[2],
        "variant_per_year": central[3],
        "savings_per_year": per_year,
        "savings_over_horizon": {k: v * horizon for k, v in per_year.items()},
        "prices_new": prices,
        "refurbished_price_ratio": {
            "value": ratio.value,
            "low": ratio.low,
            "high": ratio.high,
            "source": ratio.source,
        },
        "kinds_without_price": missing,
        "method": (
            "bounds over prices P25/median/P75 per kind × refurbished ratio low/value/high; "
            "savings per year = renewal spend of the baseline − of the variant"
        ),
    }
