"""Annual impacts on the tiny set, every figure checked by hand in the comments."""

import math

import numpy as np
import pytest

from impactnum.engine import (
    Categorical,
    EngineInputError,
    EquipmentLines,
    FactorOverride,
    compute_annual,
)


def test_two_laptops_hand_checked(tiny):
    d = compute_annual(EquipmentLines.from_records([{"kind": "laptop", "quantity": 2}]), tiny)
    d = d.to_dict()
    # manufacture 2 × 100 / 4 = 50 (80..120 → 40..60); distribution 2 × 10 / 4 = 5; EoL 1
    assert d["by_phase"]["manufacture"]["gwp"] == {"value": 50.0, "low": 40.0, "high": 60.0}
    assert d["by_phase"]["distribution"]["gwp"]["value"] == 5.0
    assert d["by_phase"]["end_of_life"]["gwp"]["value"] == 1.0
    # use: 2 × 20 kWh × 0.1 = 4; low 2 × 10 × 0.09 = 1.8; high 2 × 30 × 0.11 = 6.6
    use = d["by_phase"]["use"]["gwp"]
    assert use["value"] == pytest.approx(4.0)
    assert (use["low"], use["high"]) == (pytest.approx(1.8), pytest.approx(6.6))
    assert d["totals"]["gwp"]["value"] == pytest.approx(60.0)
    assert d["totals"]["gwp"]["low"] == pytest.approx(47.8)
    assert d["totals"]["gwp"]["high"] == pytest.approx(72.6)
    assert d["lines"] == 1
    assert d["factor_set"] == "tiny@1.0.0"


def test_uncovered_criterion_is_null_never_zero(tiny):
    d = compute_annual(EquipmentLines.from_records([{"kind": "laptop"}]), tiny).to_dict()
    assert d["totals"]["pe"] is None and d["totals"]["water"] is None
    assert d["by_phase"]["use"]["pe"] is None
    # adpe exists for manufacture and use only: a partial total that says so
    assert d["totals"]["adpe"]["missing_phases"] == ["distribution", "end_of_life"]
    assert d["totals"]["adpe"]["value"] == pytest.approx(0.01 / 4 + 20 * 1e-8)
    assert any("pe: not available" in w for w in d["warnings"])


def test_given_lifespan_kwh_country_and_datacenter(tiny):
    lines = EquipmentLines.from_records(
        [
            {
                "kind": "laptop",
                "lifespan_years": 5,
                "kwh_per_year": 10,
                "country": "DEU",
                "in_datacenter": True,
            }
        ],
        default_pue=1.5,
    )
    d = compute_annual(lines, tiny).to_dict()
    # 112 / 5 = 22.4 embedded; use 10 kWh × PUE 1.5 × 0.4 = 6
    assert d["by_phase"]["use"]["gwp"]["value"] == pytest.approx(6.0)
    assert d["totals"]["gwp"]["value"] == pytest.approx(22.4 + 6.0)
    assert d["provenance"]["inputs"]["lifespan_years"] == {"given": 1, "derived": 0, "default": 0}


def test_power_and_hours_give_kwh(tiny):
    # 50 W × 8 h + 2 W × 16 h = 432 Wh/day × 200 days = 86.4 kWh
    lines = EquipmentLines.from_records(
        [{"kind": "laptop", "active_w": 50, "idle_w": 2, "hours_per_day": 8, "days_per_year": 200}]
    )
    d = compute_annual(lines, tiny).to_dict()
    assert d["by_phase"]["use"]["gwp"]["value"] == pytest.approx(8.64)
    assert d["provenance"]["inputs"]["kwh_per_year"]["derived"] == 1


def test_lifespan_floored_at_one_year(tiny):
    lines = EquipmentLines.from_records([{"kind": "laptop", "lifespan_years": 0.5}])
    d = compute_annual(lines, tiny).to_dict()
    assert d["by_phase"]["manufacture"]["gwp"]["value"] == 100.0
    assert any("under 1 year" in w for w in d["warnings"])


def test_refurbished_charges_a_share_of_manufacture(tiny):
    lines = EquipmentLines.from_records([{"kind": "laptop", "refurbished": True}])
    d = compute_annual(lines, tiny).to_dict()
    # (0.1 + 0.1) × 100 / 4 = 5; low (0 + 0.1) × 80 / 4 = 2; high (0.2 + 0.1) × 120 / 4 = 9
    assert d["by_phase"]["manufacture"]["gwp"] == pytest.approx(
        {"value": 5.0, "low": 2.0, "high": 9.0}
    )
    assert d["by_phase"]["distribution"]["gwp"]["value"] == 2.5  # distribution is new
    assert "refurbished.original_manufacture_share" in d["provenance"]["parameters"]


def test_negative_factor_is_flagged(tiny):
    d = compute_annual(EquipmentLines.from_records([{"kind": "monitor"}]), tiny).to_dict()
    assert d["by_phase"]["distribution"]["gwp"]["value"] == pytest.approx(-1 / 5)
    assert any("negative" in w and "device/monitor/distribution/gwp" in w for w in d["warnings"])


def test_whole_life_view(tiny):
    lines = EquipmentLines.from_records([{"kind": "laptop"}])
    d = compute_annual(lines, tiny, view="whole_life").to_dict()
    # 100 + 10 + 2 embedded, 4 years × 20 kWh × 0.1 = 8 use
    assert d["totals"]["gwp"]["value"] == pytest.approx(120.0)


def test_group_by_kind_and_label_sum_to_totals(tiny):
    lines = EquipmentLines.from_records(
        [
            {"kind": "laptop", "quantity": 3, "label_entity": "Ville"},
            {"kind": "monitor", "quantity": 2, "label_entity": "Agglo"},
            {"kind": "laptop", "quantity": 1, "label_entity": "Agglo"},
        ]
    )
    d = compute_annual(lines, tiny, by="entity").to_dict()
    total = d["totals"]["gwp"]["value"]
    assert sum(g["gwp"]["value"] for g in d["by_kind"].values()) == pytest.approx(total)
    assert sum(g["gwp"]["value"] for g in d["by_entity"].values()) == pytest.approx(total)
    assert set(d["by_entity"]) == {"Ville", "Agglo"}
    # laptop: 4 × (112/4 + 2) = 120
    assert d["by_kind"]["laptop"]["gwp"]["value"] == pytest.approx(120.0)


def test_unknown_kind_and_country_name_what_is_covered(tiny):
    with pytest.raises(EngineInputError, match=r"server \(1 line\(s\)\).*covers: laptop, monitor"):
        compute_annual(EquipmentLines.from_records([{"kind": "server"}]), tiny)
    with pytest.raises(EngineInputError, match="ITA"):
        compute_annual(EquipmentLines.from_records([{"kind": "laptop", "country": "ITA"}]), tiny)
    with pytest.raises(EngineInputError, match="cannot group by 'site'"):
        compute_annual(EquipmentLines.from_records([{"kind": "laptop"}]), tiny, by="site")


def test_override_shows_in_provenance(tiny):
    fs = tiny.with_overrides(
        [FactorOverride("electricity", "FRA", "use", "gwp", 0.2, source="local contract")]
    )
    d = compute_annual(EquipmentLines.from_records([{"kind": "laptop"}]), fs).to_dict()
    assert d["by_phase"]["use"]["gwp"]["value"] == pytest.approx(20 * 0.2)
    row = next(f for f in d["provenance"]["factors"] if f["id"] == "electricity/FRA/use/gwp")
    assert row["origin"] == "override" and row["source"]["id"] == "local contract"
    assert d["provenance"]["factor_set"]["overridden"] is True
    # the original set is untouched
    d0 = compute_annual(EquipmentLines.from_records([{"kind": "laptop"}]), tiny).to_dict()
    assert d0["by_phase"]["use"]["gwp"]["value"] == pytest.approx(2.0)


def test_override_can_add_a_kind(tiny):
    fs = tiny.with_overrides(
        [
            FactorOverride("device", "network_equipment", "manufacture", "gwp", 300),
            FactorOverride("kind", "network_equipment", "", "lifespan_years", 6),
            FactorOverride("kind", "network_equipment", "", "kwh_per_year", 100),
        ]
    )
    d = compute_annual(EquipmentLines.from_records([{"kind": "network_equipment"}]), fs)
    d = d.to_dict()
    assert d["by_phase"]["manufacture"]["gwp"]["value"] == pytest.approx(50.0)
    assert d["by_phase"]["use"]["gwp"]["value"] == pytest.approx(10.0)
    # the added kind has no distribution factor: the total says it is partial
    assert "distribution" in d["totals"]["gwp"]["missing_phases"]


def test_columns_api_matches_records_api(tiny):
    n = 1000
    rng = np.random.default_rng(3)
    kinds = rng.integers(0, 2, n).astype(np.int32)
    q = rng.integers(1, 5, n).astype(float)
    lines = EquipmentLines.from_columns(Categorical(kinds, ("laptop", "monitor")), q)
    records = [
        {"kind": ("laptop", "monitor")[k], "quantity": x} for k, x in zip(kinds, q, strict=True)
    ]
    a = compute_annual(lines, tiny).to_dict()["totals"]["gwp"]
    b = compute_annual(EquipmentLines.from_records(records), tiny).to_dict()["totals"]["gwp"]
    assert a["value"] == pytest.approx(b["value"])
    assert not math.isnan(a["value"])


def test_whole_kinds_borrowed_show_folded_phases_as_included():
    from impactnum.engine import load_factor_set

    fs = load_factor_set("ademe-2022")
    lines = EquipmentLines.from_records([{"kind": "server", "in_datacenter": True}])
    d = compute_annual(lines, fs).to_dict()
    assert d["totals"]["gwp"]["missing_phases"] == []
    origins = {f["id"]: f["origin"] for f in d["provenance"]["factors"]}
    assert origins["device/server/manufacture/gwp"] == "borrowed from boavizta-2.5@2.5.0"
    # a borrowed row keeps its lender's source, described in full
    server = next(
        f for f in d["provenance"]["factors"] if f["id"] == "device/server/manufacture/gwp"
    )
    assert server["source"]["id"].startswith("boavizta-2.5:") and server["source"]["title"]
    dist = next(
        f for f in d["provenance"]["factors"] if f["id"] == "device/server/distribution/gwp"
    )
    assert dist["value"] == 0.0 and "included in manufacture" in dist["note"]
    # the server's default lifespan and use come from the lender too
    assert (
        d["provenance"]["kind_defaults"]["server"]["origin"] == "borrowed from boavizta-2.5@2.5.0"
    )
