"""Results: value, low and high per criterion, phase and group, with provenance.

`Estimates` holds the three bands for any shape of axes; `to_json` turns one criterion's
estimate into `{"value", "low", "high"}` or `None` where the set does not cover it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .criteria import CRITERIA, CRITERION_CODES
from .factorset import FactorSet
from .inputs import STATUS_NAMES
from .phases import PHASE_CODES
from .version import ENGINE_VERSION

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Estimates:
    """value, low and high arrays of one shape; NaN where not available."""

    value: F64
    low: F64
    high: F64

    @classmethod
    def from_bands(cls, bands: F64, ok: npt.NDArray[np.bool_]) -> Estimates:
        """From analytic bands [3, ...]: low/high re-ordered (negative factors swap them)."""
        lo, hi = np.minimum(bands[1], bands[2]), np.maximum(bands[1], bands[2])
        return cls(*(np.where(ok, a, np.nan) for a in (bands[0], lo, hi)))

    def at(self, *index: int) -> dict[str, float] | None:
        v = float(self.value[index])
        if math.isnan(v):
            return None
        return {"value": v, "low": float(self.low[index]), "high": float(self.high[index])}


def criteria_dict(lang: str = "en") -> dict[str, dict[str, str]]:
    return {
        c.code: {
            "unit": c.unit,
            "label": c.label_fr if lang == "fr" else c.label_en,
            "label_fr": c.label_fr,
            "label_en": c.label_en,
            "description": c.description,
        }
        for c in CRITERIA
    }


def per_criterion(est: Estimates, *prefix: int) -> dict[str, dict[str, float] | None]:
    return {code: est.at(*prefix, c) for c, code in enumerate(CRITERION_CODES)}


def factor_set_dict(fs: FactorSet) -> dict[str, Any]:
    info = fs.info
    return {
        "ref": fs.ref,
        "name": fs.name,
        "version": fs.version,
        **{k: info.get(k, "") for k in ("title", "publisher", "licence", "url", "date")},
        "overridden": fs.overridden,
        "phase_mapping": dict(info.get("phase_mapping", {})),
    }


def used_factor_rows(fs: FactorSet, row_ids: set[int]) -> list[dict[str, Any]]:
    """The provenance of each factor used: value, range, unit, source, origin."""
    out = []
    for i in sorted(row_ids):
        r = fs.rows[i]
        out.append(
            {
                "id": r.id,
                "family": r.family,
                "key": r.key,
                "phase": r.phase,
                "criterion": r.criterion,
                "value": r.value,
                "low": r.low,
                "high": r.high,
                "unit": r.unit,
                "range": r.range_kind,
                "source": fs.source(r.source),
                "note": r.note,
                "origin": r.origin,
            }
        )
    return out


def status_counts(statuses: npt.NDArray[np.uint8]) -> dict[str, int]:
    counts = np.bincount(statuses, minlength=len(STATUS_NAMES))
    return {name: int(counts[code]) for code, name in STATUS_NAMES.items()}


def negative_warnings(rows: list[dict[str, Any]]) -> list[str]:
    return [
        f"{r['id']} = {r['value']:g} {r['unit']} is negative in {r['origin']}: a data-quality "
        "problem of the source, kept as published; do not read it as a benefit"
        for r in rows
        if r["value"] < 0
    ]


def missing_warnings(missing: dict[str, list[str]], fs: FactorSet) -> list[str]:
    out = []
    for code, phases in missing.items():
        if len(phases) == len(PHASE_CODES) - len(fs.included_in_manufacture):
            out.append(f"{code}: not available in {fs.ref} (reported as null, never as 0)")
        elif phases:
            out.append(
                f"{code}: {fs.ref} has no factor for phase(s) {', '.join(phases)}; "
                "the total covers the other phases only (see missing_phases)"
            )
    return out


def header(fs: FactorSet) -> dict[str, Any]:
    return {
        "engine_version": ENGINE_VERSION,
        "factor_set": fs.ref,
        "criteria": criteria_dict(),
        "phases": list(PHASE_CODES),
    }
