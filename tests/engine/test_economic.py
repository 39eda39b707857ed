"""Economic module: small cases computed by hand (amounts in €)."""

import json
import math

import numpy as np
import pytest

from impactnum.engine.economic import (
    DEFAULT_DISCOUNT_RATE,
    EconomicInputs,
    Estimate,
    compute_economic,
    payback,
    year_weights,
)


def test_undiscounted_tco_npv_and_payback() -> None:
    # capex 1 000 at year 0, opex 100/yr, avoided 400/yr, 5 years, r = 0.
    # costs: 1 000 + 5 × 100 = 1 500 (TCO); savings: 5 × 400 = 2 000; NPV = 2 000 − 1 500 = 500.
    # net per year = 300; cumulative −1 000, −700, −400, −100, +200 → payback 3 + 100/300.
    r = compute_economic(
        EconomicInputs(
            capex=Estimate(1000),
            opex_per_year=Estimate(100),
            avoided_costs_per_year=Estimate(400),
            discount_rate=0.0,
            horizon_years=5,
        )
    )
    assert r.years.tolist() == [0, 1, 2, 3, 4, 5]
    assert r.costs[0].tolist() == [1000, 100, 100, 100, 100, 100]
    assert r.net[0].tolist() == [-1000, 300, 300, 300, 300, 300]
    assert r.tco[0] == 1500
    assert r.total_savings[0] == 2000
    assert r.npv[0] == pytest.approx(500)
    assert r.payback_years[0] == pytest.approx(3 + 100 / 300)


def test_discounted_npv_and_discounted_payback() -> None:
    # capex 1 000, savings 500/yr for 3 years at 10 %:
    # NPV = −1 000 + 500/1.1 + 500/1.21 + 500/1.331 = −1 000 + 454.545 + 413.223 + 375.657
    #     = 243.426. Simple payback: cumulative −1 000, −500, 0 → exactly 2.0 years.
    # Discounted cumulative: −1 000, −545.455, −132.231, +243.426 → 2 + 132.231/375.657 = 2.352.
    r = compute_economic(
        EconomicInputs(
            capex=Estimate(1000),
            avoided_costs_per_year=Estimate(500),
            discount_rate=0.10,
            horizon_years=3,
        )
    )
    assert r.npv[0] == pytest.approx(243.426, abs=1e-3)
    assert r.pv_costs[0] == pytest.approx(1000)
    assert r.pv_savings[0] == pytest.approx(1243.426, abs=1e-3)
    assert r.payback_years[0] == pytest.approx(2.0)
    assert r.discounted_payback_years[0] == pytest.approx(2 + 132.231 / 375.657, abs=1e-4)


def test_flow_savings_add_to_explicit_avoided_costs() -> None:
    # 200 €/yr explicit + 50 €/yr of avoided flows = 250 €/yr; 2 years, r = 0 → 500.
    r = compute_economic(
        EconomicInputs(
            avoided_costs_per_year=Estimate(200),
            flow_savings_per_year=Estimate(50),
            discount_rate=0.0,
            horizon_years=2,
        )
    )
    assert r.total_savings[0] == 500
    assert r.payback_years[0] == 0.0  # never negative: nothing to pay back


def test_never_paid_back_is_none() -> None:
    # 1 000 invested, 100 €/yr saved over 5 years: cumulative ends at −500.
    r = compute_economic(
        EconomicInputs(capex=Estimate(1000), avoided_costs_per_year=Estimate(100), horizon_years=5)
    )
    assert r.payback_years == (None, None, None)
    assert r.npv[0] < 0


def test_bounds_pair_high_costs_with_low_savings() -> None:
    # capex 1 000 (900–1 200), opex 100, savings 400 (300–500), 5 years, r = 0.
    # TCO: 1 500 (1 400–1 700). NPV low = −1 200 + 5 × (300 − 100) = −200;
    # NPV high = −900 + 5 × (500 − 100) = 1 100.
    # Payback: favourable 900/400 = 2.25 (low); unfavourable 1 200/200 = 6 > 5 → None (high).
    r = compute_economic(
        EconomicInputs(
            capex=Estimate(1000, 900, 1200),
            opex_per_year=Estimate(100),
            avoided_costs_per_year=Estimate(400, 300, 500),
            discount_rate=0.0,
            horizon_years=5,
        )
    )
    assert r.tco.tolist() == [1500, 1400, 1700]
    assert r.total_savings.tolist() == [2000, 1500, 2500]
    assert r.npv.tolist() == pytest.approx([500, -200, 1100])
    assert r.payback_years[0] == pytest.approx(10 / 3)
    assert r.payback_years[1] == pytest.approx(2.25)
    assert r.payback_years[2] is None


def test_fractional_horizon_counts_last_year_pro_rata() -> None:
    # 2.5 years of 100 €/yr opex: weights 1, 1, 0.5 → TCO 250; times 0, 1, 2, 2.5.
    times, weights = year_weights(2.5)
    assert times.tolist() == [0, 1, 2, 2.5]
    assert weights.tolist() == [0, 1, 1, 0.5]
    r = compute_economic(EconomicInputs(opex_per_year=Estimate(100), horizon_years=2.5))
    assert r.tco[0] == pytest.approx(250)


def test_payback_interpolates_between_periods() -> None:
    times = np.array([0.0, 1.0, 2.0])
    cum = np.array(
        [
            [-100.0, -50.0, 50.0],  # crosses 0 halfway through year 2 → 1.5
            [-1.0, -1.0, -1.0],  # never
            [0.0, 1.0, 2.0],  # never negative: nothing to pay back → 0
            [0.0, -10.0, -20.0],  # costs only, no investment: never paid back
            [-10.0, 10.0, -5.0],  # back below 0 at the end → never
            [-10.0, 10.0, 0.0],  # touches 0 at the end: stays ≥ 0 from t = 0.5
        ]
    )
    assert payback(times, cum) == [1.5, None, 0.0, None, None, 0.5]


def test_default_discount_rate_is_france_strategie_2021() -> None:
    assert DEFAULT_DISCOUNT_RATE == 0.032
    assert EconomicInputs().discount_rate == 0.032


def test_estimate_validation() -> None:
    assert Estimate(5).bounds() == (5, 5, 5)
    with pytest.raises(ValueError, match="low ≤ value ≤ high"):
        Estimate(5, 6, 7)
    with pytest.raises(ValueError, match="finite"):
        Estimate(math.nan)
    with pytest.raises(ValueError, match="horizon"):
        EconomicInputs(horizon_years=0)
    with pytest.raises(ValueError, match="discount_rate"):
        EconomicInputs(discount_rate=-1)


def test_to_dict_is_json_ready() -> None:
    r = compute_economic(
        EconomicInputs(capex=Estimate(1000), avoided_costs_per_year=Estimate(100), horizon_years=2)
    )
    d = json.loads(json.dumps(r.to_dict()))
    assert d["unit"] == "EUR"
    assert set(d) >= {"cash_flows", "tco", "total_avoided_costs", "npv", "payback_years"}
    assert d["cash_flows"]["net"]["value"] == [-1000, 100, 100]
    assert d["payback_years"] == {"value": None, "low": None, "high": None}


def test_costs_without_investment_are_never_paid_back() -> None:
    # opex 100 €/yr and no savings: the cumulative flow starts at 0 and only goes down.
    r = compute_economic(EconomicInputs(opex_per_year=Estimate(100), horizon_years=3))
    assert r.payback_years == (None, None, None)
