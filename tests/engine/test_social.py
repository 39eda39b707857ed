"""Social module: indicator registry and SROI, with worked examples computed by hand."""

import json

import pytest

from impactnum.engine.social import (
    SOCIAL_INDICATOR_CODES,
    Outcome,
    compute_social,
    compute_sroi,
    indicator_problem,
    social_indicator,
)

# Worked example (SROI guide, stage 4 adjustments):
#   10 people × 1 000 € proxy = 10 000 €
#   × (1 − 0.20 deadweight) × (1 − 0.25 attribution) × (1 − 0.10 displacement)
#   = 10 000 × 0.8 × 0.75 × 0.9 = 5 400 € in year 1
#   drop-off 50 %: year 2 = 2 700 €, year 3 = 1 350 € (duration 3 years)
#   undiscounted total = 9 450 €; inputs 4 725 € → SROI 2.0, net SROI 1.0
#   at 3.5 %: 5 400/1.035 + 2 700/1.035² + 1 350/1.035³
#           = 5 217.391 + 2 520.479 + 1 217.623 = 8 955.493 €
EXAMPLE = Outcome(
    outcome="people back to autonomy online",
    stakeholder="residents",
    indicator="people_supported",
    quantity=10,
    proxy_eur=1000,
    deadweight=0.20,
    attribution=0.25,
    displacement=0.10,
    drop_off=0.50,
    duration_years=3,
)


def test_year_values_with_drop_off_undiscounted() -> None:
    r = compute_sroi([EXAMPLE], inputs_value=4725, discount_rate=0.0)
    assert r.year1_value.tolist() == pytest.approx([5400])
    assert r.value_by_year[0].tolist() == pytest.approx([5400, 2700, 1350])
    assert r.total_present_value == pytest.approx(9450)
    assert r.ratio == pytest.approx(2.0)
    assert r.net_ratio == pytest.approx(1.0)


def test_present_value_discounted() -> None:
    r = compute_sroi([EXAMPLE], inputs_value=4725, discount_rate=0.035)
    assert r.total_present_value == pytest.approx(8955.493, abs=1e-3)
    assert r.ratio == pytest.approx(8955.493 / 4725, abs=1e-6)


def test_outcomes_of_different_durations_share_one_matrix() -> None:
    # second outcome: 1 × 100 € for one year → 100 € in year 1, 0 after.
    short = Outcome(outcome="one-off", quantity=1, proxy_eur=100)
    r = compute_sroi([EXAMPLE, short], inputs_value=1000, discount_rate=0.0)
    assert r.value_by_year.tolist() == [[5400, 2700, 1350], [100, 0, 0]]
    assert r.present_value.tolist() == pytest.approx([9450, 100])
    assert r.total_present_value == pytest.approx(9550)


def test_fractional_duration_counts_last_year_pro_rata() -> None:
    # 1 000 €/yr, no drop-off, 1.5 years → 1 000 + 500.
    o = Outcome(outcome="x", quantity=1, proxy_eur=1000, duration_years=1.5)
    r = compute_sroi([o], inputs_value=0, discount_rate=0.0)
    assert r.value_by_year[0].tolist() == pytest.approx([1000, 500])
    assert r.ratio is None  # no inputs: no ratio


def test_outcome_validation() -> None:
    with pytest.raises(ValueError, match="deadweight"):
        Outcome(outcome="x", quantity=1, proxy_eur=1, deadweight=20)
    with pytest.raises(ValueError, match="duration"):
        Outcome(outcome="x", quantity=1, proxy_eur=1, duration_years=0)
    with pytest.raises(ValueError, match="quantity"):
        Outcome(outcome="x", quantity=-1, proxy_eur=1)
    with pytest.raises(ValueError, match="inputs_value"):
        compute_sroi([EXAMPLE], inputs_value=-1)


def test_registry() -> None:
    assert len(set(SOCIAL_INDICATOR_CODES)) == len(SOCIAL_INDICATOR_CODES)
    for code in (
        "people_equipped",
        "people_supported",
        "training_hours",
        "jobs_fte",
        "accessibility_conformity",
        "devices_provided",
    ):
        ind = social_indicator(code)
        assert ind.unit and ind.label_fr and ind.label_en
    assert social_indicator("jobs_fte").unit == "FTE"
    with pytest.raises(KeyError, match="known"):
        social_indicator("nope")


def test_indicator_problems() -> None:
    assert indicator_problem("training_hours", 12) is None
    assert "unknown" in (indicator_problem("nope", 1) or "")
    assert "≥ 0" in (indicator_problem("jobs_fte", -1) or "")
    assert "percentage" in (indicator_problem("accessibility_conformity", 120) or "")


def test_compute_social_to_dict() -> None:
    r = compute_social(
        {"training_hours": 120, "people_equipped": 40},
        [EXAMPLE],
        inputs_value=4725,
        discount_rate=0.0,
    )
    d = json.loads(json.dumps(r.to_dict()))
    assert list(d["indicators"]) == ["people_equipped", "training_hours"]  # registry order
    assert d["indicators"]["training_hours"] == {
        "value": 120.0,
        "unit": "h",
        "label_fr": "Heures de formation",
        "label_en": "Training hours",
    }
    assert d["sroi"]["ratio"] == pytest.approx(2.0)
    assert d["sroi"]["net_present_value"] == pytest.approx(4725)
    assert d["sroi"]["outcomes"][0]["value_by_year"] == [5400, 2700, 1350]
    assert compute_social({}).to_dict() == {"indicators": {}, "sroi": None}
    with pytest.raises(ValueError, match="accessibility_conformity"):
        compute_social({"accessibility_conformity": 150})
