"""Annual impacts of an inventory (a fleet): `compute_annual`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .factorset import FactorSet
from .inputs import EquipmentLines
from .model import Factors, aggregate, availability, evaluate, group_codes, index_lines
from .result import (
    factor_set_dict,
    header,
    missing_warnings,
    negative_warnings,
    status_counts,
    used_factor_rows,
)
from .summary import Summary, summarise, used_rows
from .uncertainty import draw_factors, used_mask


@dataclass(frozen=True)
class InventoryResult:
    """Annual (or whole-life) impacts of equipment lines, by phase and by group."""

    factor_set: FactorSet
    view: str
    lines: int
    by_kind: Summary
    by_other: tuple[str, Summary] | None
    draws: int | None
    seed: int
    provenance: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> Summary:
        return self.by_kind

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            **header(self.factor_set),
            "view": self.view,
            "lines": self.lines,
            "totals": self.by_kind.totals_json(),
            "by_phase": self.by_kind.by_phase_json(),
            "by_kind": self.by_kind.by_group_json(),
        }
        if self.by_other:
            out[f"by_{self.by_other[0]}"] = self.by_other[1].by_group_json()
        if self.draws:
            out["draws"] = self.draws
            out["seed"] = self.seed
        out["provenance"] = self.provenance
        out["warnings"] = self.warnings
        return out


def compute_annual(
    lines: EquipmentLines,
    factor_set: FactorSet,
    *,
    by: str | None = None,
    view: str = "annual",
    draws: int | None = None,
    seed: int = 0,
) -> InventoryResult:
    """Impacts per year of equipment lines (or per whole life with view="whole_life").

    Low/high are the analytic bounds from the factors' ranges, or, with `draws`, the 5th and
    95th percentiles of a seeded Monte Carlo. Raises EngineInputError on an uncovered kind or
    country (the message names what the set covers).
    """
    arrays = factor_set.arrays()
    index = index_lines(lines, factor_set)
    kind_groups, kind_names = group_codes(lines, index, "kind", arrays.kinds)
    acts = [aggregate(lines, factor_set, index, kind_groups, kind_names, view)]
    if by not in (None, "kind"):
        codes, names = group_codes(lines, index, by, arrays.kinds)
        acts.append(aggregate(lines, factor_set, index, codes, names, view))
    bands = Factors.bands(arrays)
    drawn = None
    if draws:
        if draws < 2:
            raise ValueError("draws must be at least 2")
        drawn = draw_factors(arrays, used_mask(acts, arrays), seed, draws)
    summaries = []
    for act in acts:
        b, _ = evaluate(act, bands)
        d = evaluate(act, drawn)[0] if drawn is not None else None
        summaries.append(summarise(b, d, availability(act, arrays), factor_set, act.groups))
    rows = used_factor_rows(factor_set, used_rows(acts, arrays))
    warnings = negative_warnings(rows) + missing_warnings(summaries[0].missing, factor_set)
    if index.floored:
        warnings.append(f"{index.floored} line(s) had a lifespan under 1 year, counted as 1 year")
    default_kinds = sorted({arrays.kinds[k] for k in np.unique(index.kind)})
    provenance = {
        "factor_set": factor_set_dict(factor_set),
        "factors": rows,
        "kind_defaults": {
            k: {
                "lifespan_years": kd.lifespan_years,
                "kwh_per_year": kd.kwh_per_year,
                "kwh_low": kd.kwh_low,
                "kwh_high": kd.kwh_high,
                "source": factor_set.source(kd.source),
                "note": kd.note,
                "origin": kd.origin,
            }
            for k in default_kinds
            if (kd := factor_set.kind_defaults.get(k)) is not None
        },
        "parameters": _params_used(factor_set, lines),
        "inputs": {
            "lifespan_years": status_counts(lines.lifespan_status),
            "kwh_per_year": status_counts(lines.kwh_status),
            "country_default": int((lines.country.codes < 0).sum()),
        },
        "method": (
            "annual: embedded phases ÷ lifespan (≥ 1 year) + kWh/yr × PUE × electricity factor"
            if view == "annual"
            else "whole life: embedded phases + lifespan × annual use"
        ),
    }
    return InventoryResult(
        factor_set,
        view,
        len(lines),
        summaries[0],
        (by, summaries[1]) if len(summaries) > 1 and by else None,
        draws,
        seed,
        provenance,
        warnings,
    )


def _params_used(fs: FactorSet, lines: EquipmentLines) -> dict[str, Any]:
    names = []
    if lines.refurbished.any():
        names += ["refurbished.original_manufacture_share", "refurbished.process_share"]
    if (lines.pue != 1.0).any():
        names.append("pue_default")
    out = {}
    for n in names:
        if n in fs.params:
            p = fs.params[n]
            out[n] = {
                "value": p.value,
                "low": p.low,
                "high": p.high,
                "unit": p.unit,
                "source": fs.source(p.source),
                "note": p.note,
                "origin": p.origin,
            }
    return out
