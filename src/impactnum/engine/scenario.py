"""Projects' scenarios: equipment, network, avoided flows, net balance over a horizon.

A scenario's impacts per year are those of its equipment lines (annual view) plus its network
transfers; what it avoids per year is its avoided flows × their factors. Net = impacts −
avoided, per criterion and per year; over the horizon, × horizon years (annualised convention,
see docs/methodology/net-balance.md). Hosted services are equipment lines with a fractional
quantity (the share of a server) in a data centre.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .criteria import CRITERION_CODES
from .errors import EngineInputError
from .factorset import FactorSet
from .flows import FLOW_CODES, NETWORK_KINDS
from .inputs import Categorical, EquipmentLines
from .model import (
    Activity,
    Factors,
    aggregate,
    availability,
    avoided_availability,
    evaluate,
    index_lines,
    map_categories,
)
from .result import (
    Estimates,
    factor_set_dict,
    header,
    missing_warnings,
    negative_warnings,
    status_counts,
    used_factor_rows,
)
from .summary import Summary, counted_phases, estimate, phase_sum, summarise, used_rows
from .uncertainty import draw_activity_bands, draw_factors, used_mask

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class NetworkLine:
    """Data transferred per year over a fixed or mobile network."""

    kind: str
    gb_per_year: float
    label: str = ""


@dataclass(frozen=True)
class AvoidedFlow:
    """A flow the project avoids per year (kWh, m³ of water, litres of fuel …), with a range."""

    flow: str
    quantity_per_year: float
    label: str = ""
    low: float | None = None
    high: float | None = None
    country: str | None = None  # for electricity; the set's default country otherwise

    def bands(self) -> tuple[float, float, float]:
        q = self.quantity_per_year
        lo = q if self.low is None else self.low
        hi = q if self.high is None else self.high
        return q, min(lo, hi), max(lo, hi)


@dataclass(frozen=True)
class Scenario:
    """Everything the engine needs for one scenario of a project."""

    name: str
    equipment: EquipmentLines
    network: tuple[NetworkLine, ...] = ()
    avoided: tuple[AvoidedFlow, ...] = ()
    horizon_years: float = 1.0


def _line_names(sc: Scenario) -> tuple[str, ...]:
    eq = sc.equipment.labels.get("label")
    eq_names = eq.values() if eq is not None else [None] * len(sc.equipment)
    kinds = sc.equipment.kind.values()
    names = [n or f"{k} #{i + 1}" for i, (n, k) in enumerate(zip(eq_names, kinds, strict=True))]
    names += [n.label or f"network {n.kind} #{i + 1}" for i, n in enumerate(sc.network)]
    names += [a.label or f"avoided {a.flow} #{i + 1}" for i, a in enumerate(sc.avoided)]
    return tuple(names)


def scenario_activity(sc: Scenario, fs: FactorSet) -> Activity:
    """One group per line: equipment lines, then network lines, then avoided flows."""
    arrays = fs.arrays()
    n_eq, n_net, n_av = len(sc.equipment), len(sc.network), len(sc.avoided)
    names = _line_names(sc)
    g = len(names)
    n_k, n_x = len(arrays.kinds), len(arrays.countries)
    embedded = np.zeros((g, n_k, 2))
    use_given = np.zeros((g, n_x))
    use_default = np.zeros((g, n_x, n_k))
    if n_eq:
        index = index_lines(sc.equipment, fs)
        eq = aggregate(sc.equipment, fs, index, np.arange(n_eq), names[:n_eq])
        embedded[:n_eq], use_given[:n_eq], use_default[:n_eq] = (
            eq.embedded,
            eq.use_given,
            eq.use_default,
        )
    network = np.zeros((g, len(NETWORK_KINDS)))
    for i, line in enumerate(sc.network):
        if line.kind not in NETWORK_KINDS:
            raise EngineInputError(f"network line {i + 1}: kind must be one of {NETWORK_KINDS}")
        if line.gb_per_year < 0:
            raise EngineInputError(f"network line {i + 1}: gb_per_year must be ≥ 0")
        network[n_eq + i, NETWORK_KINDS.index(line.kind)] = line.gb_per_year
    avoided = np.zeros((3, g, len(FLOW_CODES)))
    avoided_el = np.zeros((3, g, n_x))
    if n_av:
        countries = Categorical.from_values(a.country for a in sc.avoided)
        x = map_categories(
            countries,
            arrays.countries,
            "electricity factor for country",
            fs.ref,
            fs.default_country,
        )
        for j, flow in enumerate(sc.avoided):
            if flow.flow not in FLOW_CODES:
                raise EngineInputError(
                    f"avoided flow {j + 1}: unknown flow {flow.flow!r}; "
                    f"known: {', '.join(FLOW_CODES)}"
                )
            row = n_eq + n_net + j
            if flow.flow == "electricity":
                avoided_el[:, row, x[j]] = flow.bands()
            else:
                avoided[:, row, FLOW_CODES.index(flow.flow)] = flow.bands()
    return Activity(names, embedded, use_given, use_default, network, avoided, avoided_el)


@dataclass(frozen=True)
class _Evaluated:
    summary: Summary
    avoided: Estimates  # [C]
    net: Estimates  # [C]
    avoided_lines: Estimates  # [G, C]
    net_draws: F64 | None  # [D, C]


def _evaluate(act: Activity, fs: FactorSet, drawn: Factors | None, seed: int) -> _Evaluated:
    arrays = fs.arrays()
    bands = Factors.bands(arrays)
    imp_b, av_b = evaluate(act, bands)
    imp_d = av_d = None
    if drawn is not None:
        n = drawn.device.shape[0]
        keys = [f"avoided-quantity/{name}" for name in act.groups]
        mult = _draw_avoided(act, keys, seed, n)
        act_d = Activity(
            act.groups,
            act.embedded,
            act.use_given,
            act.use_default,
            act.network,
            act.avoided[0][None] * mult[:, :, None],
            act.avoided_electricity[0][None] * mult[:, :, None],
        )
        imp_d, av_d = evaluate(act_d, drawn)
    ok = availability(act, arrays)
    summary = summarise(imp_b, imp_d, ok, fs, act.groups)
    av_ok_g = avoided_availability(act, arrays)  # [G, C]
    av_ok = np.all(av_ok_g, axis=0)
    # Avoided bands: value, low, high of quantities × factors (band-wise), summed over lines.
    avoided = estimate(av_b.sum(axis=1), None if av_d is None else av_d.sum(axis=1), av_ok)
    avoided_lines = estimate(av_b, av_d, av_ok_g)
    summed, _ = counted_phases(np.all(ok, axis=0), fs)
    tot_b = phase_sum(imp_b.sum(axis=1), summed)  # [3, C]
    net_ok = summed.any(axis=0) & av_ok
    net_b = np.stack(
        [tot_b[0] - av_b.sum(axis=1)[0], tot_b[1] - avoided.high, tot_b[2] - avoided.low]
    )
    net_d = None
    if imp_d is not None and av_d is not None:
        net_d = phase_sum(imp_d.sum(axis=1), summed) - av_d.sum(axis=1)
    net = estimate(np.nan_to_num(net_b), net_d, net_ok)
    return _Evaluated(summary, avoided, net, avoided_lines, net_d)


def _draw_avoided(act: Activity, keys: list[str], seed: int, n: int) -> F64:
    """Multipliers [n, G] drawing each avoided line's quantity within its own range."""
    q = act.avoided.sum(axis=2) + act.avoided_electricity.sum(axis=2)  # [3, G]
    rel = np.divide(q, q[0], out=np.ones_like(q), where=q[0] != 0)
    return draw_activity_bands(rel, keys, seed, n)


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    factor_set: FactorSet
    evaluated: _Evaluated
    draws: int | None
    seed: int
    provenance: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        ev, h = self.evaluated, self.scenario.horizon_years
        s = ev.summary
        totals = s.totals_json()
        avoided = {c: ev.avoided.at(i) for i, c in enumerate(CRITERION_CODES)}
        net = {c: ev.net.at(i) for i, c in enumerate(CRITERION_CODES)}
        per_line = []
        for i, name in enumerate(s.groups):
            per_line.append(
                {
                    "line": i + 1,
                    "label": name,
                    "impacts": {c: s.by_group.at(i, j) for j, c in enumerate(CRITERION_CODES)},
                    "avoided": {
                        c: ev.avoided_lines.at(i, j) for j, c in enumerate(CRITERION_CODES)
                    },
                }
            )

        def scaled(d: dict[str, Any]) -> dict[str, Any]:
            return {
                c: (None if v is None else {k: v[k] * h for k in ("value", "low", "high")})
                for c, v in d.items()
            }

        out: dict[str, Any] = {
            **header(self.factor_set),
            "scenario": self.scenario.name,
            "horizon_years": h,
            "totals": totals,
            "by_phase": s.by_phase_json(),
            "avoided": avoided,
            "net": net,
            "per_line": per_line,
            "horizon": {"totals": scaled(totals), "avoided": scaled(avoided), "net": scaled(net)},
            "per_year": [
                {
                    "year": y + 1,
                    "net": {c: (None if v is None else v["value"]) for c, v in net.items()},
                }
                for y in range(int(np.ceil(h)))
            ],
        }
        if self.draws:
            out["draws"] = self.draws
            out["seed"] = self.seed
        out["provenance"] = self.provenance
        out["warnings"] = self.warnings
        return out


def _provenance(sc: Scenario, fs: FactorSet, act: Activity) -> tuple[dict[str, Any], list[str]]:
    rows = used_factor_rows(fs, used_rows([act], fs.arrays()))
    prov = {
        "factor_set": factor_set_dict(fs),
        "factors": rows,
        "inputs": {
            "lifespan_years": status_counts(sc.equipment.lifespan_status),
            "kwh_per_year": status_counts(sc.equipment.kwh_status),
        },
        "method": "annual view; net = impacts − avoided; horizon = per year × horizon years",
    }
    return prov, negative_warnings(rows)


def compute_scenario(
    scenario: Scenario, factor_set: FactorSet, *, draws: int | None = None, seed: int = 0
) -> ScenarioResult:
    """Impacts, avoided impacts and net balance per year of one scenario."""
    act = scenario_activity(scenario, factor_set)
    drawn = None
    if draws:
        drawn = draw_factors(
            factor_set.arrays(), used_mask([act], factor_set.arrays()), seed, draws
        )
    ev = _evaluate(act, factor_set, drawn, seed)
    prov, warnings = _provenance(scenario, factor_set, act)
    warnings += missing_warnings(ev.summary.missing, factor_set)
    return ScenarioResult(scenario, factor_set, ev, draws, seed, prov, warnings)


def compare_scenarios(
    baseline: Scenario,
    variant: Scenario,
    factor_set: FactorSet,
    *,
    draws: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Net balance of both on the same draws (common random numbers) and, per criterion, the
    probability that the variant's net impact per year is lower than the baseline's."""
    if draws < 2:
        raise EngineInputError("a comparison needs draws ≥ 2")
    arrays = factor_set.arrays()
    acts = [scenario_activity(baseline, factor_set), scenario_activity(variant, factor_set)]
    drawn = draw_factors(arrays, used_mask(acts, arrays), seed, draws)
    a, b = (_evaluate(act, factor_set, drawn, seed) for act in acts)
    assert a.net_draws is not None and b.net_draws is not None
    diff = b.net_draws - a.net_draws
    criteria: dict[str, Any] = {}
    for c, code in enumerate(CRITERION_CODES):
        if a.net.at(c) is None or b.net.at(c) is None:
            criteria[code] = None
            continue
        lo, hi = np.percentile(diff[:, c], [5.0, 95.0])
        criteria[code] = {
            "baseline": a.net.at(c),
            "variant": b.net.at(c),
            "difference": {
                "value": float(b.net.value[c] - a.net.value[c]),
                "low": float(lo),
                "high": float(hi),
            },
            "probability_variant_lower": float((diff[:, c] < 0).mean()),
        }
    return {
        "baseline": baseline.name,
        "variant": variant.name,
        "draws": draws,
        "seed": seed,
        "factor_set": factor_set.ref,
        "criteria": criteria,
    }
