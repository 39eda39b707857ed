"""The computation, written once.

Inputs are first *aggregated* into activity quantities per group (device-years per kind, kWh per
country, GB per network, units per avoided flow). Impacts are then a product of activity and
factors, evaluated by `evaluate` on factor arrays whose leading axis is either the three
analytic bands (value, low, high) or N Monte Carlo draws: one formula for all.

Annual view (NumEcoEval convention):
    embedded[phase] = Σ quantity × factor(kind, phase) ÷ max(lifespan, 1)
    use             = Σ quantity × kWh/yr × PUE × electricity factor(country)
Whole-life view: embedded not divided by lifespan; use × lifespan.
A refurbished device's manufacture = (original share + process share) × new manufacture.
See docs/methodology/annual-impacts.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .errors import EngineInputError
from .factorset import FactorSet, SetArrays
from .inputs import Categorical, EquipmentLines, Status

F64 = npt.NDArray[np.float64]
VIEWS = ("annual", "whole_life")


@dataclass(frozen=True)
class Activity:
    """Aggregated quantities for G groups, on the factor set's kinds (K) and countries (X).

    embedded[g, k, r]: device-years (annual view) of kind k, r = 0 new / 1 refurbished.
    use_given[g, x]: kWh (× PUE) of lines that gave their consumption, per country.
    use_default[g, x, k]: device-years (× PUE) of lines taking the kind's default kWh.
    network[g, t]: GB per year, t = fixed / mobile.
    avoided[b, g, a]: units of avoided flow a per year; b = 1 (none), 3 bands or D draws.
    avoided_electricity[b, g, x]: avoided kWh per year per country, same leading axis.
    """

    groups: tuple[str, ...]
    embedded: F64
    use_given: F64
    use_default: F64
    network: F64
    avoided: F64
    avoided_electricity: F64

    @property
    def n_groups(self) -> int:
        return len(self.groups)


@dataclass(frozen=True)
class Factors:
    """Factor arrays with a leading band axis B (3 analytic bands, or D draws)."""

    device: F64  # [B, K, 3, C]
    refurbished_share: F64  # [B]
    kwh: F64  # [B, K]
    electricity: F64  # [B, X, C]
    network: F64  # [B, 2, C]
    avoided: F64  # [B, A, C]

    @classmethod
    def bands(cls, arrays: SetArrays) -> Factors:
        """The analytic bands, NaN (not available) as 0: availability is tracked apart."""
        z = np.nan_to_num
        return cls(
            z(arrays.device),
            z(arrays.refurbished_share),
            z(arrays.kwh),
            z(arrays.electricity),
            z(arrays.network),
            z(arrays.avoided),
        )


def map_categories(
    column: Categorical, known: tuple[str, ...], what: str, set_ref: str, default: str | None
) -> npt.NDArray[np.int64]:
    """Index of each line's category in `known`; missing → default; unknown → one clear error."""
    pos = {k: i for i, k in enumerate(known)}
    lookup = np.array([pos.get(c, -1) for c in column.categories] + [-1], dtype=np.int64)
    unknown = [c for c in column.categories if c not in pos]
    if unknown:
        counts = np.bincount(column.codes[column.codes >= 0], minlength=len(column.categories))
        detail = ", ".join(f"{c} ({counts[column.categories.index(c)]} line(s))" for c in unknown)
        raise EngineInputError(
            f"factor set {set_ref} has no {what} for: {detail}. It covers: {', '.join(known)}"
        )
    idx = lookup[column.codes]  # code -1 picks the trailing -1
    if default is not None:
        if default not in pos:
            raise EngineInputError(f"factor set {set_ref}: default {what} {default!r} missing")
        idx[column.codes < 0] = pos[default]
    elif (column.codes < 0).any():
        raise EngineInputError(f"{int((column.codes < 0).sum())} line(s) have no {what}")
    return idx


@dataclass(frozen=True)
class LineIndex:
    """Each line's position in the set's tables, and its effective lifespan."""

    kind: npt.NDArray[np.int64]
    country: npt.NDArray[np.int64]
    lifespan: F64  # years, defaults applied, floored at 1
    floored: int  # lines whose lifespan was raised to 1 year


def index_lines(lines: EquipmentLines, fs: FactorSet) -> LineIndex:
    arrays = fs.arrays()
    k = map_categories(lines.kind, arrays.kinds, "equipment kind", fs.ref, None)
    x = map_categories(
        lines.country,
        arrays.countries,
        "electricity factor for country",
        fs.ref,
        fs.default_country,
    )
    life = np.where(np.isnan(lines.lifespan_years), arrays.lifespan[k], lines.lifespan_years)
    if np.isnan(life).any():
        bad = sorted({arrays.kinds[i] for i in k[np.isnan(life)]})
        raise EngineInputError(
            f"factor set {fs.ref} has no default lifespan for {', '.join(bad)}: give lifespan_years"
        )
    floored = int((life < 1.0).sum())
    return LineIndex(k, x, np.maximum(life, 1.0), floored)


def group_codes(
    lines: EquipmentLines, index: LineIndex, by: str | None, kinds: tuple[str, ...]
) -> tuple[npt.NDArray[np.int64], tuple[str, ...]]:
    """Group of each line: one group (`None`), per kind, per line, or per label column."""
    n = len(lines)
    if by is None:
        return np.zeros(n, dtype=np.int64), ("total",)
    if by == "kind":
        used = np.unique(index.kind)
        remap = np.full(len(kinds), -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        return remap[index.kind], tuple(kinds[i] for i in used)
    if by == "line":
        return np.arange(n, dtype=np.int64), tuple(str(i + 1) for i in range(n))
    if by not in lines.labels:
        known = ", ".join(["kind", *lines.labels]) or "kind"
        raise EngineInputError(f"cannot group by {by!r}; available: {known}")
    col = lines.labels[by]
    codes = col.codes.astype(np.int64)
    names = col.categories
    if (codes < 0).any():
        codes = np.where(codes < 0, len(names), codes)
        names = (*names, "(none)")
    return codes, names


def aggregate(
    lines: EquipmentLines,
    fs: FactorSet,
    index: LineIndex,
    groups: npt.NDArray[np.int64],
    names: tuple[str, ...],
    view: str = "annual",
) -> Activity:
    """Sum the lines into activity quantities per group (np.bincount: no per-line loop)."""
    if view not in VIEWS:
        raise EngineInputError(f"view must be one of {VIEWS}, not {view!r}")
    arrays = fs.arrays()
    n_k, n_x, g = len(arrays.kinds), len(arrays.countries), len(names)
    q = lines.quantity
    years = index.lifespan if view == "whole_life" else 1.0
    device_years = q if view == "whole_life" else q / index.lifespan
    r = lines.refurbished.astype(np.int64)
    embedded = np.bincount(
        (groups * n_k + index.kind) * 2 + r, weights=device_years, minlength=g * n_k * 2
    ).reshape(g, n_k, 2)
    use_units = q * lines.pue * years
    given = lines.kwh_status != Status.DEFAULT
    gx = groups * n_x + index.country
    use_given = np.bincount(
        gx,
        weights=np.where(given, use_units * np.nan_to_num(lines.kwh_per_year), 0.0),
        minlength=g * n_x,
    ).reshape(g, n_x)
    use_default = np.bincount(
        gx * n_k + index.kind, weights=np.where(given, 0.0, use_units), minlength=g * n_x * n_k
    ).reshape(g, n_x, n_k)
    return Activity(
        groups=names,
        embedded=embedded.astype(np.float64),
        use_given=use_given.astype(np.float64),
        use_default=use_default.astype(np.float64),
        network=np.zeros((g, 2)),
        avoided=np.zeros((1, g, arrays.avoided.shape[1])),
        avoided_electricity=np.zeros((1, g, n_x)),
    )


def evaluate(act: Activity, f: Factors) -> tuple[F64, F64]:
    """Impacts [B, G, P, C] (phases in engine.phases order) and avoided [B, G, C].

    B is the factors' leading axis; the avoided activity, which carries its own bands, is
    broadcast with it (3 analytic bands, or draws of its multipliers).
    """
    b = f.device.shape[0]
    new = np.einsum("gk,bkpc->bgpc", act.embedded[:, :, 0], f.device)
    refurb = np.einsum("gk,bkpc->bgpc", act.embedded[:, :, 1], f.device)
    refurb[:, :, 0, :] *= f.refurbished_share[:, None, None]  # manufacture only
    embedded = new + refurb
    use = np.einsum("gx,bxc->bgc", act.use_given, f.electricity)
    # Three operands: let NumPy pick the contraction order (10× faster with many draws).
    use += np.einsum("gxk,bk,bxc->bgc", act.use_default, f.kwh, f.electricity, optimize=True)
    use += np.einsum("gt,btc->bgc", act.network, f.network)
    impacts = np.empty((b, act.embedded.shape[0], 4, f.device.shape[-1]))
    impacts[:, :, 0] = embedded[:, :, 0]  # manufacture
    impacts[:, :, 1] = embedded[:, :, 1]  # distribution
    impacts[:, :, 2] = use
    impacts[:, :, 3] = embedded[:, :, 2]  # end of life
    # Avoided quantities carry their own leading axis (1, 3 bands or D draws): broadcast it.
    avoided = (act.avoided[..., None] * f.avoided[:, None]).sum(axis=2)
    avoided = avoided + (act.avoided_electricity[..., None] * f.electricity[:, None]).sum(axis=2)
    return impacts, avoided


def availability(act: Activity, arrays: SetArrays) -> npt.NDArray[np.bool_]:
    """[G, P, C]: False where some used factor is not available (NaN) in the set."""
    missing_dev = np.isnan(arrays.device[0]).astype(np.float64)  # [K, 3, C]
    used_k = (act.embedded.sum(axis=2) > 0).astype(np.float64)  # [G, K]
    dev_missing = np.einsum("gk,kpc->gpc", used_k, missing_dev) > 0
    missing_el = np.isnan(arrays.electricity[0]).astype(np.float64)  # [X, C]
    used_x = ((act.use_given + act.use_default.sum(axis=2)) > 0).astype(np.float64)
    use_missing = np.einsum("gx,xc->gc", used_x, missing_el) > 0
    used_default_k = (act.use_default.sum(axis=1) > 0) & np.isnan(arrays.kwh[0])[None, :]
    use_missing |= used_default_k.any(axis=1)[:, None]
    used_t = (act.network > 0).astype(np.float64)
    use_missing |= np.einsum("gt,tc->gc", used_t, np.isnan(arrays.network[0]).astype(float)) > 0
    ok = np.ones((act.embedded.shape[0], 4, arrays.device.shape[-1]), dtype=np.bool_)
    ok[:, 0] = ~dev_missing[:, 0]
    ok[:, 1] = ~dev_missing[:, 1]
    ok[:, 2] = ~use_missing
    ok[:, 3] = ~dev_missing[:, 2]
    return ok


def avoided_availability(act: Activity, arrays: SetArrays) -> npt.NDArray[np.bool_]:
    """[G, C]: False where an avoided flow used has no factor for the criterion."""
    used_a = (act.avoided[0] != 0).astype(np.float64)
    miss = np.einsum("ga,ac->gc", used_a, np.isnan(arrays.avoided[0]).astype(float)) > 0
    used_x = (act.avoided_electricity[0] != 0).astype(np.float64)
    miss |= np.einsum("gx,xc->gc", used_x, np.isnan(arrays.electricity[0]).astype(float)) > 0
    ok: npt.NDArray[np.bool_] = np.logical_not(miss)
    return ok
