"""The `boavizta-2.5` factor set: integrity, and agreement with BoaviztAPI 2.5.0.

- the set loads and its CSV checksums match SOURCE.toml;
- the engine's annual results reproduce the committed BoaviztAPI golden file (duration 8760 h)
  within 1 % for every covered kind, per criterion where both give a value;
- live cross-check (marker `crosscheck`): BoaviztAPI run in-process against the engine, and the
  generator reproduces the committed set. Skipped when boaviztapi is missing, unless
  IMPACTNUM_REQUIRE_CROSSCHECK=1, which turns the skip into a failure;
- negative embedded water (Boavizta/boaviztapi#548) is flagged in the result's warnings.

Mapping: BoaviztAPI 'embedded' → our 'manufacture'; BoaviztAPI 'wu' → our 'water'.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import sys
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from impactnum.engine import EquipmentLines, compute_annual, load_factor_set

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden" / "boaviztapi-2.5.0.json"
SET_DIR = Path(str(resources.files("impactnum") / "factors" / "boavizta-2.5" / "2.5.0"))
REL_TOL = 0.01
ABS_TOL = 1e-12

TERMINAL_KINDS = ("laptop", "desktop", "monitor", "smartphone", "tablet", "television", "box")
IOT_KINDS = ("iot_datalogger", "iot_sensor", "iot_controller")
COVERED_KINDS = (*TERMINAL_KINDS, "server", *IOT_KINDS)
# BoaviztAPI criterion → ours; BoaviztAPI phase → ours.
CRITERIA = {"gwp": "gwp", "adpe": "adpe", "pe": "pe", "wu": "water"}
PHASES = {"embedded": "manufacture", "use": "use"}
NEGATIVE_WATER_KINDS = (*TERMINAL_KINDS, "server")
LIVE_COUNTRIES = ("FRA", "DEU", "CHN", "ZAF")  # ZAF: no water factor for electricity


# --- helpers ---------------------------------------------------------------------------------


@cache
def boavizta_set() -> Any:
    return load_factor_set("boavizta-2.5")


@cache
def golden() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


def engine_result(kind: str, country: str) -> dict[str, Any]:
    lines = EquipmentLines.from_records([{"kind": kind, "quantity": 1, "country": country}])
    return compute_annual(lines, boavizta_set()).to_dict()


def compare(run: dict[str, Any], result: dict[str, Any]) -> list[str]:
    """Differences between one BoaviztAPI run (duration 8760 h) and the engine's annual result.

    Values must agree within 1 % where both give one; where the set does not cover a pair
    (embedded pe) the engine must say "not available" (None), never 0. BoaviztAPI's own
    [min, max] must lie within the engine's [low, high] (the engine adds default ranges).
    """
    problems = []
    where = f"{run['kind']}@{run['inputs']['usage_location']}"
    fs = boavizta_set()
    for bz_crit, crit in CRITERIA.items():
        for bz_phase, phase in PHASES.items():
            bz = run["impacts"][bz_crit][bz_phase]
            ours = result["by_phase"][phase][crit]
            family = "device" if phase == "manufacture" else "electricity"
            if not fs.covers(family, phase, crit):
                if ours is not None:
                    problems.append(f"{where} {phase}/{crit}: not covered but engine gave {ours}")
                continue
            if bz is None:
                if ours is not None:
                    problems.append(f"{where} {phase}/{crit}: BoaviztAPI has none, engine {ours}")
                continue
            if ours is None:
                problems.append(f"{where} {phase}/{crit}: engine None, BoaviztAPI {bz['value']}")
                continue
            if not math.isclose(ours["value"], bz["value"], rel_tol=REL_TOL, abs_tol=ABS_TOL):
                problems.append(
                    f"{where} {phase}/{crit}: engine {ours['value']!r} vs BoaviztAPI "
                    f"{bz['value']!r} ({(ours['value'] / bz['value'] - 1) * 100:+.2f} %)"
                    if bz["value"]
                    else f"{where} {phase}/{crit}: engine {ours['value']!r} vs 0"
                )
            slack = REL_TOL * max(abs(bz["min"]), abs(bz["max"])) + ABS_TOL
            if bz["min"] < ours["low"] - slack or bz["max"] > ours["high"] + slack:
                problems.append(
                    f"{where} {phase}/{crit}: BoaviztAPI range [{bz['min']}, {bz['max']}] not "
                    f"within engine range [{ours['low']}, {ours['high']}]"
                )
    return problems


def load_script(name: str) -> ModuleType:
    path = ROOT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def require_boaviztapi() -> ModuleType:
    """boaviztapi, or a skip (a failure when IMPACTNUM_REQUIRE_CROSSCHECK=1)."""
    if os.environ.get("IMPACTNUM_REQUIRE_CROSSCHECK") == "1":
        try:
            import boaviztapi
        except ImportError as exc:  # pragma: no cover - depends on the environment
            pytest.fail(
                f"IMPACTNUM_REQUIRE_CROSSCHECK=1 but boaviztapi cannot be imported ({exc}); "
                "install the 'crosscheck' extra: pip install -e '.[crosscheck]'"
            )
        return boaviztapi
    return pytest.importorskip("boaviztapi", reason="cross-check needs the 'crosscheck' extra")


# --- (a) integrity -----------------------------------------------------------------------------


def test_set_loads_by_name_and_version() -> None:
    fs = load_factor_set("boavizta-2.5@2.5.0")
    assert fs.ref == "boavizta-2.5@2.5.0"
    assert load_factor_set("boavizta-2.5").ref == "boavizta-2.5@2.5.0"
    assert sorted(fs.kind_defaults) == sorted(COVERED_KINDS)
    assert fs.coverage["device"]["manufacture"] == {"gwp", "adpe", "water"}
    assert fs.coverage["electricity"]["use"] == {"gwp", "adpe", "pe", "water"}
    assert not any(fs.coverage.get("network", {}).values())
    assert not any(fs.coverage.get("avoided", {}).values())
    assert not fs.covers("device", "manufacture", "pe")
    assert set(fs.included_in_manufacture) == {"distribution", "end_of_life"}
    assert "embedded" in fs.info["phase_mapping"]["manufacture"]


def test_checksums_match_source_toml() -> None:
    info = tomllib.loads((SET_DIR / "SOURCE.toml").read_text(encoding="utf-8"))
    assert set(info["checksums"]) == {"factors.csv", "kinds.csv", "parameters.csv"}
    for name, expected in info["checksums"].items():
        actual = hashlib.sha256((SET_DIR / name).read_bytes()).hexdigest()
        assert actual == expected, f"{name}: sha256 {actual} != SOURCE.toml {expected}"


def test_every_source_id_is_declared() -> None:
    fs = boavizta_set()
    declared = set(fs.info["sources"])
    used = {r.source for r in fs.rows} | {k.source for k in fs.kind_defaults.values()}
    used |= {p.source for p in fs.params.values()}
    assert used <= declared, sorted(used - declared)
    for sid, s in fs.info["sources"].items():
        assert s["status"] in {"published", "assumption", "to verify"}, sid


def test_every_kind_has_every_covered_device_factor() -> None:
    fs = boavizta_set()
    have = {(r.key, r.criterion) for r in fs.rows if r.family == "device"}
    for kind in COVERED_KINDS:
        for crit in ("gwp", "adpe", "water"):
            assert (kind, crit) in have, (kind, crit)


def test_electricity_covers_every_boavizta_zone() -> None:
    fs = boavizta_set()
    gwp_zones = {r.key for r in fs.rows if r.family == "electricity" and r.criterion == "gwp"}
    assert len(gwp_zones) == 139
    assert {"FRA", "DEU", "EEE", "WOR"} <= gwp_zones
    fra = {r.criterion: r.value for r in fs.rows if r.family == "electricity" and r.key == "FRA"}
    assert fra == {"gwp": 0.098, "adpe": 4.85798e-08, "pe": 11.289, "water": 0.0036736961}


def test_parameters() -> None:
    fs = boavizta_set()
    assert fs.param("range.device")[0] == 0.3
    assert fs.param("range.electricity")[0] == 0.1
    assert fs.param("pue_default")[0] == 1.75
    assert fs.param("refurbished.original_manufacture_share") == (0.1, 0.0, 0.25)
    assert fs.param("refurbished.process_share") == (0.1, 0.05, 0.2)


def test_negative_water_rows_carry_the_data_quality_note() -> None:
    for r in boavizta_set().rows:
        if r.family == "device" and r.criterion == "water" and r.value < 0:
            assert "Boavizta/boaviztapi#548" in r.note, r.id
            assert "data-quality problem" in r.note, r.id


# --- (b) engine vs the committed golden ------------------------------------------------------


def test_golden_covers_every_kind_at_two_countries() -> None:
    g = golden()
    assert g["boaviztapi_version"] == "2.5.0"
    runs = {(r["kind"], r["inputs"]["usage_location"]) for r in g["runs"]}
    assert runs == {(k, c) for k in COVERED_KINDS for c in ("FRA", "DEU")}
    assert all(r["inputs"]["duration_h"] == 8760.0 for r in g["runs"])


@pytest.mark.parametrize("kind,country", [(k, c) for k in COVERED_KINDS for c in ("FRA", "DEU")])
def test_engine_reproduces_golden(kind: str, country: str) -> None:
    (run,) = [
        r
        for r in golden()["runs"]
        if r["kind"] == kind and r["inputs"]["usage_location"] == country
    ]
    problems = compare(run, engine_result(kind, country))
    assert not problems, "\n".join(problems)


def test_embedded_pe_is_not_available_not_zero() -> None:
    d = engine_result("laptop", "FRA")
    assert d["by_phase"]["manufacture"]["pe"] is None
    assert d["by_phase"]["use"]["pe"]["value"] > 0


def test_water_use_is_not_available_where_boavizta_has_no_factor() -> None:
    d = engine_result("laptop", "ZAF")  # no WRI water factor for South Africa in 2.5.0
    assert d["by_phase"]["use"]["water"] is None
    assert d["by_phase"]["use"]["gwp"]["value"] > 0


# --- (c) live cross-check --------------------------------------------------------------------


@pytest.mark.crosscheck
@pytest.mark.parametrize("country", LIVE_COUNTRIES)
def test_live_boaviztapi_matches_engine(country: str) -> None:
    require_boaviztapi()
    bg = load_script("boavizta_golden")
    problems = []
    for kind in COVERED_KINDS:
        problems += compare(bg.run(kind, country), engine_result(kind, country))
    assert not problems, "\n".join(problems)


@pytest.mark.crosscheck
def test_live_boaviztapi_matches_golden() -> None:
    require_boaviztapi()
    bg = load_script("boavizta_golden")
    fresh = bg.golden()
    assert fresh["runs"] == golden()["runs"], "golden out of date: run scripts/boavizta_golden.py"


@pytest.mark.crosscheck
def test_generator_reproduces_committed_set() -> None:
    require_boaviztapi()
    ex = load_script("extract_boavizta")
    facts = ex.bg.check_boaviztapi()
    pkg = Path(facts["package"])
    files = ex.build(ex.read_inputs(pkg), pkg)
    for name, text in files.items():
        committed = (SET_DIR / name).read_text(encoding="utf-8")
        assert committed == text, f"{name} out of date: run scripts/extract_boavizta.py"


# --- (d) negative embedded water is flagged ---------------------------------------------------


@pytest.mark.parametrize("kind", NEGATIVE_WATER_KINDS)
def test_negative_embedded_water_is_flagged(kind: str) -> None:
    d = engine_result(kind, "FRA")
    assert d["by_phase"]["manufacture"]["water"]["value"] < 0
    flagged = [
        w
        for w in d["warnings"]
        if f"device/{kind}/manufacture/water" in w and "negative" in w.lower()
    ]
    assert flagged, d["warnings"]


@pytest.mark.parametrize("kind", IOT_KINDS)
def test_positive_iot_water_is_not_flagged(kind: str) -> None:
    d = engine_result(kind, "FRA")
    assert d["by_phase"]["manufacture"]["water"]["value"] > 0
    assert not [w for w in d["warnings"] if "negative" in w.lower()], d["warnings"]
