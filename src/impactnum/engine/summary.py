"""From evaluated arrays to estimates: analytic bands, or Monte Carlo percentiles.

Shared by inventories and scenarios so that phase sums, availability and percentiles are
written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .criteria import CRITERION_CODES
from .factorset import FactorSet, SetArrays
from .model import Activity
from .phases import PHASE_CODES
from .result import Estimates
from .uncertainty import PERCENTILES

F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


def estimate(bands: F64, draws: F64 | None, ok: B) -> Estimates:
    """Analytic bands [3, ...] alone, or value from the bands and low/high = P5/P95 of draws."""
    if draws is None:
        return Estimates.from_bands(bands, ok)
    lo, hi = np.percentile(draws, PERCENTILES, axis=0)
    return Estimates(*(np.where(ok, a, np.nan) for a in (bands[0], lo, hi)))


def counted_phases(ok: B, fs: FactorSet) -> tuple[B, B]:
    """(phases summed into totals [.., P, C], phases missing [.., P, C])."""
    counted = np.array([p not in fs.included_in_manufacture for p in PHASE_CODES])[:, None]
    return ok & counted, ~ok & counted


def phase_sum(arr: F64, mask: B) -> F64:
    """Sum over the phase axis (-2) of the cells in mask (broadcast on leading axes)."""
    out: F64 = np.where(mask, arr, 0.0).sum(axis=-2)
    return out


def missing_phases(missing: B) -> dict[str, list[str]]:
    flat: B = np.any(missing.reshape(-1, len(PHASE_CODES), len(CRITERION_CODES)), axis=0)
    return {
        code: [PHASE_CODES[p] for p in range(len(PHASE_CODES)) if flat[p, c]]
        for c, code in enumerate(CRITERION_CODES)
    }


@dataclass(frozen=True)
class Summary:
    """Estimates of one evaluation: per phase [P, C], totals [C], per group totals [G, C]."""

    groups: tuple[str, ...]
    by_phase: Estimates
    totals: Estimates
    by_group: Estimates
    missing: dict[str, list[str]]
    mean: F64 | None  # Monte Carlo mean of the totals [C], when drawn

    def totals_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for c, code in enumerate(CRITERION_CODES):
            cell = self.totals.at(c)
            if cell is None:
                out[code] = None
                continue
            extra: dict[str, Any] = {"missing_phases": self.missing[code]}
            if self.mean is not None:
                extra["mean"] = float(self.mean[c])
            out[code] = {**cell, **extra}
        return out

    def by_phase_json(self) -> dict[str, Any]:
        return {
            p: {code: self.by_phase.at(i, c) for c, code in enumerate(CRITERION_CODES)}
            for i, p in enumerate(PHASE_CODES)
        }

    def by_group_json(self) -> dict[str, Any]:
        return {
            g: {code: self.by_group.at(i, c) for c, code in enumerate(CRITERION_CODES)}
            for i, g in enumerate(self.groups)
        }


def summarise(
    bands: F64, draws: F64 | None, ok: B, fs: FactorSet, groups: tuple[str, ...]
) -> Summary:
    """bands [3, G, P, C], draws [D, G, P, C] or None, ok [G, P, C]."""
    ok_all: B = np.all(ok, axis=0)  # a phase is available overall if every group has it
    summed, missing = counted_phases(ok_all, fs)
    by_phase = estimate(bands.sum(axis=1), None if draws is None else draws.sum(axis=1), ok_all)
    any_total: B = np.any(summed, axis=0)
    tot_bands = phase_sum(bands.sum(axis=1), summed)
    tot_draws = None if draws is None else phase_sum(draws.sum(axis=1), summed)
    totals = estimate(tot_bands, tot_draws, any_total)
    g_summed, _ = counted_phases(ok, fs)
    g_any: B = np.any(g_summed, axis=1)
    by_group = estimate(
        phase_sum(bands, g_summed), None if draws is None else phase_sum(draws, g_summed), g_any
    )
    mean = None if tot_draws is None else tot_draws.mean(axis=0)
    return Summary(groups, by_phase, totals, by_group, missing_phases(missing), mean)


def used_rows(acts: list[Activity], arrays: SetArrays) -> set[int]:
    """Indices of the factor rows that carry weight in the activities (for provenance)."""
    ids: set[int] = set()
    for act in acts:
        k = act.embedded.sum(axis=(0, 2)) > 0
        ids.update(arrays.device_row[k].ravel().tolist())
        x = (act.use_given.sum(axis=0) + act.use_default.sum(axis=(0, 2))) > 0
        x |= act.avoided_electricity[0].sum(axis=0) != 0
        ids.update(arrays.electricity_row[x].ravel().tolist())
        ids.update(arrays.network_row[act.network.sum(axis=0) > 0].ravel().tolist())
        ids.update(arrays.avoided_row[act.avoided[0].sum(axis=0) != 0].ravel().tolist())
    ids.discard(-1)
    return ids
