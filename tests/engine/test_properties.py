"""Properties of the annual computation, checked with Hypothesis on the tiny set."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactnum.engine import EquipmentLines, compute_annual
from impactnum.engine.criteria import CRITERION_CODES

line = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["laptop", "monitor"]),
        "quantity": st.integers(1, 500),
        "lifespan_years": st.one_of(st.none(), st.floats(0.5, 15)),
        "refurbished": st.booleans(),
        "kwh_per_year": st.one_of(st.none(), st.floats(0, 500)),
        "country": st.sampled_from(["FRA", "DEU", None]),
    }
)
lines_st = st.lists(line, min_size=1, max_size=20)
# `tiny` is read-only, so sharing it across examples is safe.
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def totals(records, fs, **kw):
    return compute_annual(EquipmentLines.from_records(records), fs, **kw).to_dict()["totals"]


@SETTINGS
@given(records=lines_st, factor=st.integers(2, 7))
def test_impacts_are_linear_in_quantity(tiny, records, factor):
    scaled = [{**r, "quantity": r["quantity"] * factor} for r in records]
    a, b = totals(records, tiny), totals(scaled, tiny)
    for c in CRITERION_CODES:
        if a[c] is None:
            assert b[c] is None
            continue
        for band in ("value", "low", "high"):
            assert b[c][band] == pytest.approx(a[c][band] * factor, rel=1e-9, abs=1e-12)


@SETTINGS
@given(
    life=st.floats(1, 20), longer=st.floats(0.1, 10), kind=st.sampled_from(["laptop", "monitor"])
)
def test_embedded_per_year_decreases_with_lifespan(tiny, life, longer, kind):
    def manufacture(years):
        r = compute_annual(
            EquipmentLines.from_records([{"kind": kind, "lifespan_years": years}]), tiny
        )
        return r.to_dict()["by_phase"]["manufacture"]["gwp"]["value"]

    assert manufacture(life + longer) < manufacture(life)


@SETTINGS
@given(records=lines_st)
def test_low_le_value_le_high(tiny, records):
    d = compute_annual(EquipmentLines.from_records(records), tiny).to_dict()
    cells = [d["totals"][c] for c in CRITERION_CODES]
    cells += [d["by_phase"][p][c] for p in d["by_phase"] for c in CRITERION_CODES]
    for cell in cells:
        if cell is not None:
            assert cell["low"] <= cell["value"] + 1e-9 and cell["value"] <= cell["high"] + 1e-9


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=lines_st, seed=st.integers(0, 2**31))
def test_monte_carlo_mean_within_its_confidence_interval(tiny, records, seed):
    n = 4000
    r = compute_annual(EquipmentLines.from_records(records), tiny, draws=n, seed=seed)
    t = r.to_dict()["totals"]["gwp"]
    # The mean of draws of a sum of independent split triangulars is the analytic value.
    # Bound its standard error by the 5–95 % width (≥ 2 × 1.64 σ for these shapes).
    sigma_bound = (t["high"] - t["low"]) / 2.0
    assert abs(t["mean"] - t["value"]) <= 4.5 * sigma_bound / np.sqrt(n) + 1e-9
