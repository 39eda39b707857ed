"""Reuse impact (The Restart Project method) in the engine: the worked example first."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impactnum.engine import EngineInputError, load_factor_set
from impactnum.engine.reuse_impact import (
    load_reuse_table,
    reuse_impact,
    table_checksums,
)


def test_worked_example_one_laptop_restart():
    r = reuse_impact(["laptop"], [1])
    assert r.method == "restart" and r.table == "restart-ords@2023.1" and r.factor_set is None
    assert r.co2e_avoided.value == pytest.approx(132.66)  # 265.32 × 0.5
    assert round(r.co2e_avoided.value, 1) == 132.7
    assert r.waste_avoided.value == pytest.approx(1.83)
    assert r.co2e_avoided.low <= r.co2e_avoided.value <= r.co2e_avoided.high
    assert r.lines[0].ords_category == "16 Laptop"


def test_worked_example_one_laptop_ademe():
    r = reuse_impact(["laptop"], [1], method="ademe")
    assert r.factor_set == "ademe-2022@1.0.0"
    assert r.co2e_avoided.value == pytest.approx((170.3 + 12.3) * 0.5)
    assert round(r.co2e_avoided.value, 1) == 91.3
    assert r.waste_avoided.value == pytest.approx(1.83)
    assert "ademe-2022" in r.lines[0].footprint_source
    assert "ADEME" in r.method_label


def test_desktop_is_the_professional_desktop_with_ademe():
    r = reuse_impact(["desktop"], [2], method="ademe")
    assert r.co2e_avoided.value == pytest.approx((202.6 + 1.8) * 0.5 * 2)


def test_rows_are_summed_per_kind_and_equal_single_computations():
    kinds = ["laptop", "smartphone", "laptop", "tablet", "monitor"]
    counts = [2, 5, 3, 1, 4]
    r = reuse_impact(kinds, counts)
    expected = sum(
        reuse_impact([k], [n]).co2e_avoided.value for k, n in zip(kinds, counts, strict=True)
    )
    assert r.co2e_avoided.value == pytest.approx(expected)
    assert r.devices == 15
    laptop = next(line for line in r.lines if line.kind == "laptop")
    assert laptop.count == 5 and laptop.waste_avoided.value == pytest.approx(5 * 1.83)


def test_misc_category_uses_the_estimated_mass_and_the_powered_ratio():
    r = reuse_impact(["server"], [2], masses_kg=[30.0])
    assert r.co2e_avoided.value == pytest.approx(30 * 32.06679233 * 0.5)
    assert r.waste_avoided.value == pytest.approx(30)
    assert r.lines[0].footprint_per_device.unit == "kgCO2e/kg"
    none = reuse_impact(["other"], [1])
    assert none.co2e_avoided.value == 0 and any("no estimated mass" in n for n in none.notes)


def test_ademe_falls_back_to_ords_category_and_says_so():
    r = reuse_impact(["network_equipment"], [1], masses_kg=[2.0], method="ademe")
    assert r.co2e_avoided.value == pytest.approx(2 * 32.06679233 * 0.5)
    assert any("no fabrication figure" in n for n in r.notes)


def test_overrides_change_displacement_and_footprint():
    r = reuse_impact(["laptop"], [1], overrides={"displacement": 0.4, "footprint.16": 200})
    assert r.co2e_avoided.value == pytest.approx(80)
    assert r.displacement == 0.4
    with pytest.raises(EngineInputError, match="unknown override"):
        reuse_impact(["laptop"], [1], overrides={"nope": 1})


def test_errors_name_what_is_accepted():
    with pytest.raises(EngineInputError, match="method"):
        reuse_impact(["laptop"], [1], method="boavizta")
    with pytest.raises(EngineInputError, match="known"):
        reuse_impact(["toaster"], [1])
    with pytest.raises(EngineInputError, match="counts"):
        reuse_impact(["laptop"], [-1])
    with pytest.raises(EngineInputError):
        reuse_impact(["laptop", "tablet"], [1])


def test_empty_input_is_zero():
    r = reuse_impact([], [])
    assert r.co2e_avoided.value == 0 and r.devices == 0 and r.lines == ()


def test_table_checksums_match_and_sources_are_declared():
    for name, (expected, actual) in table_checksums().items():
        assert expected == actual, name
    table = load_reuse_table()
    sources = table.info["sources"]
    for cat in table.categories.values():
        assert cat.source in sources
    for name, src in table.param_sources.items():
        assert src in sources, name
    assert table.param("displacement") == (0.5, 0.5, 0.5)
    # every engine kind has an ORDS category
    from impactnum.engine import KIND_CODES

    assert set(KIND_CODES) <= set(table.kind_map)


def test_restart_table_values_match_facts():
    t = load_reuse_table()
    assert (t.categories[4].weight_kg, t.categories[4].footprint) == (6.69, 414.17)
    assert (t.categories[8].weight_kg, t.categories[8].footprint) == (8.268, 308.952)
    assert (t.categories[19].weight_kg, t.categories[19].footprint) == (0.15, 50.51)
    assert (t.categories[30].weight_kg, t.categories[30].footprint) == (0.77, 114.49)
    assert t.param("emission_ratio.powered")[0] == 32.06679233


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["laptop", "desktop", "smartphone", "tablet", "monitor", "printer"]),
            st.integers(0, 1000),
        ),
        max_size=20,
    ),
    st.sampled_from(["restart", "ademe"]),
)
def test_linear_in_counts_and_bands_ordered(rows, method):
    fs = load_factor_set("ademe-2022") if method == "ademe" else None
    kinds = [k for k, _ in rows]
    counts = np.array([n for _, n in rows], dtype=float)
    one = reuse_impact(kinds, counts, method=method, factor_set=fs)
    two = reuse_impact(kinds, counts * 2, method=method, factor_set=fs)
    assert two.co2e_avoided.value == pytest.approx(2 * one.co2e_avoided.value)
    assert one.co2e_avoided.low <= one.co2e_avoided.value + 1e-9
    assert one.co2e_avoided.value <= one.co2e_avoided.high + 1e-9
    assert not math.isnan(one.waste_avoided.value)
