"""Economic side of a project: cash flows, total cost of ownership, net present value, payback.

All amounts are euros (€). Year 0 carries the investment (capex); years 1…H carry the yearly
running costs (opex) and the yearly savings (costs avoided, plus the value of the avoided
flows: quantity × price, computed by the caller). Flows of a year are counted at its end.

Uncertainty: every amount may carry a low and a high. The computation runs once on a
*bound axis* of three columns (value, low, high) so no formula is written three times. Costs
enter that axis in reverse order (the "low" column of a net result uses the high costs and the
low savings), so that `low` and `high` of NPV and net cash flows are the unfavourable and the
favourable cases; TCO and total savings keep the natural order.

Formulas, with their sources: docs/methodology/economic.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

DEFAULT_DISCOUNT_RATE = 0.032
"""Socio-economic discount rate for French public investments: 3.2 %/yr, in real terms.

Source: France Stratégie, *Guide de l'évaluation socioéconomique des investissements publics*,
Complément opérationnel I « Révision du taux d'actualisation » (J. Ni, J. Maurice; validated by
the expert committee chaired by R. Guesnerie on 21 October 2021), which lowered the 4.5 % of
the Quinet report (2013): risk-free rate 1.2 % + systematic risk premium 2 % (β = 1).
The split 1.2 + 2.0 is recalled from the document and marked "to verify" in the methodology page.
"""

BOUNDS: tuple[str, str, str] = ("value", "low", "high")
_REVERSED = np.array([0, 2, 1])  # value, high, low: costs on the "net" bound axis


@dataclass(frozen=True)
class Estimate:
    """An amount (€ or €/yr) with an optional range; a missing bound equals the value."""

    value: float
    low: float | None = None
    high: float | None = None

    def __post_init__(self) -> None:
        lo, hi = self.bounds()[1:]
        if not all(math.isfinite(x) for x in (self.value, lo, hi)):
            raise ValueError(f"estimate must be finite: {self}")
        if not lo <= self.value <= hi:
            raise ValueError(f"estimate needs low ≤ value ≤ high: {self}")

    def bounds(self) -> tuple[float, float, float]:
        """(value, low, high), a missing bound replaced by the value."""
        lo = self.value if self.low is None else self.low
        hi = self.value if self.high is None else self.high
        return (float(self.value), float(lo), float(hi))

    def array(self) -> FloatArray:
        """The three bounds as a NumPy array of shape (3,), in `BOUNDS` order."""
        return np.asarray(self.bounds(), dtype=np.float64)

    @classmethod
    def zero(cls) -> Estimate:
        return cls(0.0)


@dataclass(frozen=True)
class EconomicInputs:
    """What a project costs and saves, in euros.

    capex: investment at year 0 (€). opex_per_year: running costs (€/yr: maintenance,
    subscriptions, licences…). avoided_costs_per_year: costs the project removes, given
    explicitly (€/yr: e.g. fewer call-outs). flow_savings_per_year: value of the avoided flows
    (€/yr), Σ quantity × price, computed by the caller from the factor set's `price.<flow>`.
    discount_rate: per year, real (default: France Stratégie 2021, see DEFAULT_DISCOUNT_RATE).
    horizon_years: length of the analysis; a fractional last year counts pro rata.
    """

    capex: Estimate = Estimate(0.0)
    opex_per_year: Estimate = Estimate(0.0)
    avoided_costs_per_year: Estimate = Estimate(0.0)
    flow_savings_per_year: Estimate = Estimate(0.0)
    discount_rate: float = DEFAULT_DISCOUNT_RATE
    horizon_years: float = 5.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.horizon_years) and self.horizon_years > 0):
            raise ValueError(f"horizon_years must be > 0, got {self.horizon_years}")
        if not (math.isfinite(self.discount_rate) and self.discount_rate > -1):
            raise ValueError(f"discount_rate must be > -1, got {self.discount_rate}")


@dataclass(frozen=True)
class EconomicResult:
    """Cash flows and indicators; every array has the bound axis first (value, low, high).

    years: times of the flows (0, 1, …, H; the last one fractional if H is). costs, savings,
    net: € per period, shape (3, n_years + 1). tco, total_savings, pv_costs, pv_savings, npv:
    €, shape (3,). payback_years / discounted_payback_years: years or None (never within the
    horizon), as (value, low, high) where low is the favourable (shortest) case.
    """

    inputs: EconomicInputs
    years: FloatArray
    costs: FloatArray
    savings: FloatArray
    net: FloatArray
    tco: FloatArray
    total_savings: FloatArray
    pv_costs: FloatArray
    pv_savings: FloatArray
    npv: FloatArray
    payback_years: tuple[float | None, float | None, float | None]
    discounted_payback_years: tuple[float | None, float | None, float | None]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (euros; bounds as {value, low, high})."""

        def triple(a: FloatArray) -> dict[str, float]:
            return {b: round(float(x), 6) for b, x in zip(BOUNDS, a, strict=True)}

        def rows(a: FloatArray) -> dict[str, list[float]]:
            return {b: [round(float(x), 6) for x in row] for b, row in zip(BOUNDS, a, strict=True)}

        def opt(p: tuple[float | None, ...]) -> dict[str, float | None]:
            return {b: (None if x is None else round(x, 6)) for b, x in zip(BOUNDS, p, strict=True)}

        i = self.inputs
        return {
            "unit": "EUR",
            "discount_rate": i.discount_rate,
            "horizon_years": i.horizon_years,
            "inputs": {
                "capex": triple(i.capex.array()),
                "opex_per_year": triple(i.opex_per_year.array()),
                "avoided_costs_per_year": triple(i.avoided_costs_per_year.array()),
                "flow_savings_per_year": triple(i.flow_savings_per_year.array()),
            },
            "years": [round(float(y), 6) for y in self.years],
            "cash_flows": {
                "costs": rows(self.costs),
                "savings": rows(self.savings),
                "net": rows(self.net),
            },
            "tco": triple(self.tco),
            "total_avoided_costs": triple(self.total_savings),
            "pv_costs": triple(self.pv_costs),
            "pv_savings": triple(self.pv_savings),
            "npv": triple(self.npv),
            "payback_years": opt(self.payback_years),
            "discounted_payback_years": opt(self.discounted_payback_years),
        }


def year_weights(horizon_years: float) -> tuple[FloatArray, FloatArray]:
    """Times and weights of the periods 0…⌈H⌉: period t ≥ 1 weighs min(1, H − (t − 1)).

    Period 0 (the investment) has weight 0 for yearly amounts; its time is 0.
    Returns (times, weights), both of shape (⌈H⌉ + 1,).
    """
    n = math.ceil(horizon_years - 1e-12)
    t = np.arange(n + 1, dtype=np.float64)
    weights = np.clip(horizon_years - (t - 1.0), 0.0, 1.0)
    weights[0] = 0.0
    times = np.minimum(t, horizon_years)
    return times, weights


def payback(times: FloatArray, cumulative: FloatArray) -> list[float | None]:
    """Time from which the cumulative net cash flow stays ≥ 0, interpolated linearly (years).

    `cumulative` has shape (k, n_periods); returns k values: 0 if it is never negative (nothing
    to pay back), None if it is still negative at the horizon (never paid back), else the time
    of its last crossing from negative to ≥ 0.
    """
    negative = cumulative < 0.0
    n = cumulative.shape[1]
    last_negative: list[int] = (n - 1 - np.argmax(negative[:, ::-1], axis=1)).tolist()
    any_negative: list[bool] = np.any(negative, axis=1).tolist()
    out: list[float | None] = []
    for row, last, neg in zip(cumulative, last_negative, any_negative, strict=True):
        if not neg:
            out.append(0.0)
        elif last == n - 1:
            out.append(None)
        else:
            before, after = row[last], row[last + 1]
            frac = -before / (after - before)
            out.append(float(times[last] + frac * (times[last + 1] - times[last])))
    return out


def _ordered(p: list[float | None]) -> tuple[float | None, float | None, float | None]:
    """Payback of the net columns (value, unfavourable, favourable) → (value, low, high)."""
    return (p[0], p[2], p[1])


def compute_economic(inputs: EconomicInputs) -> EconomicResult:
    """Cash flows, TCO, present values, NPV and payback of one project (see module docstring).

    costs_t = capex·[t = 0] + opex·w_t; savings_t = (avoided + flow savings)·w_t;
    NPV = Σ_t (savings_t − costs_t) ÷ (1 + r)^t; TCO = Σ_t costs_t.
    """
    times, w = year_weights(inputs.horizon_years)
    capex = inputs.capex.array()[:, None]  # (3, 1)
    opex = inputs.opex_per_year.array()[:, None]
    saving = (inputs.avoided_costs_per_year.array() + inputs.flow_savings_per_year.array())[:, None]
    at_zero = np.zeros((1, len(times)))
    at_zero[0, 0] = 1.0  # the investment is paid at t = 0
    costs = capex * at_zero + opex * w[None, :]  # natural bounds (value, low, high)
    savings = saving * w[None, :]
    net = savings - costs[_REVERSED]  # value, unfavourable (low), favourable (high)
    discount = (1.0 + inputs.discount_rate) ** -times  # (n,)
    pv_costs = (costs * discount).sum(axis=1)
    pv_savings = (savings * discount).sum(axis=1)
    return EconomicResult(
        inputs=inputs,
        years=times,
        costs=costs,
        savings=savings,
        net=net,
        tco=costs.sum(axis=1),
        total_savings=savings.sum(axis=1),
        pv_costs=pv_costs,
        pv_savings=pv_savings,
        npv=(net * discount).sum(axis=1),
        payback_years=_ordered(payback(times, np.cumsum(net, axis=1))),
        discounted_payback_years=_ordered(payback(times, np.cumsum(net * discount, axis=1))),
    )
