"""Scenarios: network, avoided flows, net balance, horizon, comparison."""

import pytest

from impactnum.engine import (
    AvoidedFlow,
    EngineInputError,
    EquipmentLines,
    NetworkLine,
    Scenario,
    compare_scenarios,
    compute_scenario,
)


def scenario(lifespan=None, name="base"):
    eq = EquipmentLines.from_records(
        [
            {"kind": "laptop", "quantity": 2, "lifespan_years": lifespan, "label": "PCs"},
            {"kind": "monitor", "kwh_per_year": 10},
        ]
    )
    return Scenario(
        name,
        eq,
        network=(NetworkLine("fixed", 100),),
        avoided=(
            AvoidedFlow("drinking_water", 100, low=50, high=150, label="leaks"),
            AvoidedFlow("electricity", 10),
        ),
        horizon_years=3,
    )


def test_net_balance_hand_checked(tiny):
    d = compute_scenario(scenario(), tiny).to_dict()
    # laptops 60; monitor 50/5 - 1/5 + 5/5 + 10 × 0.1 = 10.8; network 100 GB × 0.01 = 1
    assert d["totals"]["gwp"]["value"] == pytest.approx(71.8 + 1.0)
    # avoided: 100 m³ × 0.2 + 10 kWh × 0.1 = 21; low 50 × 0.1 + 1 = 6 (electricity ±0 … 0.9)
    assert d["avoided"]["gwp"]["value"] == pytest.approx(21.0)
    assert d["net"]["gwp"]["value"] == pytest.approx(72.8 - 21.0)
    # net low = impacts low − avoided high; net high = impacts high − avoided low
    assert d["net"]["gwp"]["low"] == pytest.approx(
        d["totals"]["gwp"]["low"] - d["avoided"]["gwp"]["high"]
    )
    assert d["net"]["gwp"]["high"] == pytest.approx(
        d["totals"]["gwp"]["high"] - d["avoided"]["gwp"]["low"]
    )
    assert d["horizon"]["net"]["gwp"]["value"] == pytest.approx(3 * 51.8)
    assert len(d["per_year"]) == 3
    labels = [line["label"] for line in d["per_line"]]
    assert labels == ["PCs", "monitor #2", "network fixed #1", "leaks", "avoided electricity #2"]
    assert d["per_line"][3]["avoided"]["gwp"]["value"] == pytest.approx(20.0)
    # avoided water has no adpe factor: the net adpe is unknown, not 0
    assert d["avoided"]["adpe"] is None and d["net"]["adpe"] is None


def test_no_avoided_flow_means_zero_avoided(tiny):
    sc = Scenario("x", EquipmentLines.from_records([{"kind": "laptop"}]))
    d = compute_scenario(sc, tiny).to_dict()
    assert d["avoided"]["gwp"]["value"] == 0.0
    assert d["net"]["gwp"]["value"] == pytest.approx(d["totals"]["gwp"]["value"])


def test_comparison_uses_common_random_numbers(tiny):
    base, longer = scenario(), scenario(lifespan=6, name="longer")
    cmp = compare_scenarios(base, longer, tiny, draws=2000, seed=3)
    gwp = cmp["criteria"]["gwp"]
    # longer life: 2 × 112 / 6 instead of / 4 → 18.67 less per year, certain under CRN
    assert gwp["difference"]["value"] == pytest.approx(2 * 112 / 6 - 2 * 112 / 4)
    assert gwp["probability_variant_lower"] == 1.0
    same = compare_scenarios(base, scenario(name="same"), tiny, draws=500, seed=3)
    assert same["criteria"]["gwp"]["difference"] == {"value": 0.0, "low": 0.0, "high": 0.0}
    assert same["criteria"]["gwp"]["probability_variant_lower"] == 0.0


def test_scenario_with_draws_reports_percentiles(tiny):
    d = compute_scenario(scenario(), tiny, draws=3000, seed=1).to_dict()
    net = d["net"]["gwp"]
    assert net["low"] < net["value"] < net["high"]
    assert d["draws"] == 3000


def test_bad_flow_and_network_kind(tiny):
    eq = EquipmentLines.from_records([{"kind": "laptop"}])
    with pytest.raises(EngineInputError, match="unknown flow 'gas'"):
        compute_scenario(Scenario("x", eq, avoided=(AvoidedFlow("gas", 1),)), tiny)
    with pytest.raises(EngineInputError, match="network line 1"):
        compute_scenario(Scenario("x", eq, network=(NetworkLine("satellite", 1),)), tiny)
