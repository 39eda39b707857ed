"""Monte Carlo draws of the factors, seeded and reproducible.

Each factor key (e.g. `device/laptop/manufacture/gwp`) is drawn independently from its own
random stream, seeded by (seed, CRC-32 of the key): the same key gets the same draws in every
call with the same seed, whatever else is drawn. Comparing two scenarios on the same draws is
therefore "common random numbers". Only keys that carry weight are drawn, so the cost grows with
the number of distinct factors used, not with the number of lines.

Distribution: a *mean-preserving split triangular* on [low, high]: with probability
p = (high − value) ÷ (high − low) a triangle on [low, value] rising to `value`, else a triangle on
[value, high] falling from it. Its mean is exactly `value` (the analytic result), its support the
published or default range. See docs/methodology/uncertainty.md.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .criteria import CRITERION_CODES
from .factorset import DEVICE_PHASES, SetArrays
from .flows import FLOW_CODES, NETWORK_KINDS
from .model import Activity, Factors

F64 = npt.NDArray[np.float64]
PERCENTILES = (5.0, 95.0)


def key_rng(seed: int, key: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(key.encode())])


def split_triangular(
    value: float, low: float, high: float, rng: np.random.Generator, n: int
) -> F64:
    """n draws with support [low, high] and mean exactly `value` (see module docstring)."""
    if not (high > low):
        return np.full(n, value)
    p_low = (high - value) / (high - low)
    side = rng.random(n) < p_low
    root = np.sqrt(rng.random(n))
    return np.where(side, low + (value - low) * root, high - (high - value) * root)


def _draw_table(
    bands: F64,
    used: npt.NDArray[np.bool_],
    key: Callable[[tuple[int, ...]], str],
    seed: int,
    n: int,
) -> F64:
    """Draws [n, *shape] for a band table [3, *shape]; unused or unavailable cells keep value."""
    values = np.nan_to_num(bands[0])
    out = np.broadcast_to(values, (n, *values.shape)).copy()
    flat_out = out.reshape(n, -1)  # a view: writing a column writes the cell
    flat_bands = bands.reshape(3, -1)
    usable = (used & ~np.isnan(bands[0])).ravel()
    for j in np.flatnonzero(usable).tolist():
        cell = tuple(int(i) for i in np.unravel_index(j, values.shape))
        v, lo, hi = (float(x) for x in flat_bands[:, j])
        flat_out[:, j] = split_triangular(v, lo, hi, key_rng(seed, key(cell)), n)
    return out


def used_mask(activities: list[Activity], arrays: SetArrays) -> dict[str, npt.NDArray[np.bool_]]:
    """Which factor cells carry weight in any of the activities (their union, for CRN)."""
    n_c = len(CRITERION_CODES)
    k_used = np.zeros(len(arrays.kinds), dtype=bool)
    x_used = np.zeros(len(arrays.countries), dtype=bool)
    kwh_used = np.zeros(len(arrays.kinds), dtype=bool)
    t_used = np.zeros(len(NETWORK_KINDS), dtype=bool)
    a_used = np.zeros(len(FLOW_CODES), dtype=bool)
    refurb = False
    for act in activities:
        k_used |= act.embedded.sum(axis=(0, 2)) > 0
        refurb |= bool(act.embedded[:, :, 1].sum() > 0)
        x_used |= (act.use_given.sum(axis=0) + act.use_default.sum(axis=(0, 2))) > 0
        x_used |= act.avoided_electricity[0].sum(axis=0) != 0
        kwh_used |= act.use_default.sum(axis=(0, 1)) > 0
        t_used |= act.network.sum(axis=0) > 0
        a_used |= act.avoided[0].sum(axis=0) != 0
    ones = np.ones(n_c, dtype=bool)
    return {
        "device": np.broadcast_to(k_used[:, None, None], (len(k_used), 3, n_c)) & True,
        "kwh": kwh_used,
        "electricity": x_used[:, None] & ones,
        "network": t_used[:, None] & ones,
        "avoided": a_used[:, None] & ones,
        "refurbished": np.array([refurb]),
    }


def draw_factors(
    arrays: SetArrays, used: dict[str, npt.NDArray[np.bool_]], seed: int, n: int
) -> Factors:
    """Factors with a leading axis of n draws, for the cells marked used."""
    crit = CRITERION_CODES
    device = _draw_table(
        arrays.device,
        used["device"],
        lambda i: f"device/{arrays.kinds[i[0]]}/{DEVICE_PHASES[i[1]]}/{crit[i[2]]}",
        seed,
        n,
    )
    kwh = _draw_table(arrays.kwh, used["kwh"], lambda i: f"kwh/{arrays.kinds[i[0]]}", seed, n)
    elec = _draw_table(
        arrays.electricity,
        used["electricity"],
        lambda i: f"electricity/{arrays.countries[i[0]]}/{crit[i[1]]}",
        seed,
        n,
    )
    net = _draw_table(
        arrays.network,
        used["network"],
        lambda i: f"network/{NETWORK_KINDS[i[0]]}/{crit[i[1]]}",
        seed,
        n,
    )
    avoided = _draw_table(
        arrays.avoided,
        used["avoided"],
        lambda i: f"avoided/{FLOW_CODES[i[0]]}/{crit[i[1]]}",
        seed,
        n,
    )
    share = _draw_table(
        arrays.refurbished_share[:, None],
        used["refurbished"],
        lambda i: "refurbished/share",
        seed,
        n,
    )[:, 0]
    return Factors(device, share, kwh, elec, net, avoided)


def draw_activity_bands(bands: F64, keys: list[str], seed: int, n: int) -> F64:
    """Draws [n, L] of uncertain activity quantities given as bands [3, L] (e.g. avoided m³)."""
    out = np.empty((n, bands.shape[1]))
    for j, key in enumerate(keys):
        v, lo, hi = (float(bands[b, j]) for b in range(3))
        out[:, j] = split_triangular(v, min(lo, hi), max(lo, hi), key_rng(seed, key), n)
    return out


def percentile_bands(draws: F64) -> tuple[F64, F64, F64]:
    """(mean, 5th, 95th percentile) over the leading draws axis."""
    lo, hi = np.percentile(draws, PERCENTILES, axis=0)
    return draws.mean(axis=0), lo, hi
