"""The `ademe-2022` 1.0.0 factor set, read with the standard library only (no engine loader).

Golden values are typed by hand from the published sources, so that a typo in the CSV files,
a wrong column or a silent edit of a released version fails here.
"""

from __future__ import annotations

import csv
import hashlib
import math
import tomllib
from pathlib import Path

import pytest

import impactnum
from impactnum.engine.criteria import CRITERIA
from impactnum.engine.flows import AVOIDED_FLOWS, NETWORK_KINDS
from impactnum.engine.kinds import KIND_CODES
from impactnum.engine.phases import EMBEDDED_PHASES

SET_DIR = Path(impactnum.__file__).parent / "factors" / "ademe-2022" / "1.0.0"
FR_MIX = 0.052  # kgCO2e/kWh, ADEME Base Empreinte 2022, mix moyen consommation

# Golden values: ADEME–Arcep 2022, kgCO2e per device, as published in
# incubateur-ademe/impactco2 src/data/categories/numerique.json (commit 00ff7a27: ecv id 5 =
# fabrication, ecv id 4 = distribution, `end`, `usage.peryear`, `usage.defaultyears`) and, for the
# printer and the game console, incubateur-ademe/co2-model-digital-usage
# rules/acv-terminaux.publicodes (gCO2e / 1000, `durée de vie théorique`, watts x hours/day).
# Same figures as FACTS-environment.md §1.
# kind: (manufacture, distribution, end_of_life, use per year or None, lifespan years)
ADEME_DEVICES: dict[str, tuple[float, float, float, float | None, float]] = {
    "smartphone": (83.0, 2.1, 0.2, 0.2, 2.5),
    "tablet": (56.3, 3.4, 0.4, 1.1, 3),
    "laptop": (170.3, 12.3, 2.8, 1.7, 5),
    "desktop": (202.6, 1.8, 6.6, 8.6, 6),  # professional desktop, no screen
    "desktop_household": (258.6, 2.9, 6.6, 5.7, 6),
    "monitor": (64.6, 1.3, 3.9, 4.0, 6),
    "television": (372.6, 3.2, 11.8, 11.6, 8),
    "box": (60.8, 0.6, 1.6, 4.2, 5),
    "printer": (10.5, 0.3, 10.2, None, 5),  # household inkjet profile
    "game_console": (279.0, 1.2, 4.6, None, 6),  # living-room console
}
# Active watts x hours per day (acv-terminaux.publicodes), for kinds with no published use/year.
ACTIVE_PROFILE: dict[str, tuple[float, float]] = {"printer": (60, 1), "game_console": (80, 1)}

# Electricity, kgCO2e/kWh: FRA Base Empreinte 2022; EEE/CHN/USA from the ADEME impactco2 model
# (co2-model-digital-usage doc/src/publicodes-negaoctet.model.json, 410.4 / 871.2 / 547.2 g).
ELECTRICITY = {"FRA": 0.052, "EEE": 0.4104, "CHN": 0.8712, "USA": 0.5472}
# Networks, kgCO2e/GB, France, NegaOctet via the same model file (9.2693… and 24.6836… g/Go).
NETWORK = {"fixed": 0.00927, "mobile": 0.02468}
NETWORK_UNROUNDED = {"fixed": 9.26934695867389e-3, "mobile": 24.6836791969497e-3}

UNIT_PER = {"device": "device", "electricity": "kWh", "network": "GB"}
FLOW_UNIT = {f.code: f.unit for f in AVOIDED_FLOWS}
CRITERION_UNIT = {c.code: c.unit for c in CRITERIA}
SOURCE_STATUSES = {"published", "assumption", "to verify"}


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(SET_DIR / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _opt(text: str) -> float | None:
    return float(text) if text.strip() else None


@pytest.fixture(scope="module")
def source() -> dict:
    with open(SET_DIR / "SOURCE.toml", "rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def factors() -> list[dict[str, str]]:
    return _read_csv("factors.csv")


@pytest.fixture(scope="module")
def kinds() -> dict[str, dict[str, str]]:
    return {row["kind"]: row for row in _read_csv("kinds.csv")}


@pytest.fixture(scope="module")
def parameters() -> dict[str, dict[str, str]]:
    return {row["name"]: row for row in _read_csv("parameters.csv")}


def _factor(factors: list[dict[str, str]], family: str, key: str, phase: str) -> dict[str, str]:
    rows = [
        r
        for r in factors
        if (r["family"], r["key"], r["phase"], r["criterion"]) == (family, key, phase, "gwp")
    ]
    assert len(rows) == 1, f"expected one gwp row for {family}/{key}/{phase}, got {len(rows)}"
    return rows[0]


def test_headers_follow_the_documented_format() -> None:
    expected = {
        "factors.csv": "family,key,phase,criterion,value,low,high,unit,source,note",
        "kinds.csv": "kind,lifespan_years,kwh_per_year,kwh_low,kwh_high,source,note",
        "parameters.csv": "name,value,low,high,unit,source,note",
    }
    for name, header in expected.items():
        first = (SET_DIR / name).read_text(encoding="utf-8").splitlines()[0]
        assert first == header, name


def test_source_identity(source: dict) -> None:
    assert source["name"] == SET_DIR.parent.name == "ademe-2022"
    assert source["version"] == SET_DIR.name == "1.0.0"
    assert source["default_country"] == "FRA"
    assert source["publisher"] == "ADEME, Arcep"


@pytest.mark.parametrize("kind", sorted(ADEME_DEVICES))
def test_device_figures_match_ademe(factors: list[dict[str, str]], kind: str) -> None:
    golden = dict(zip(EMBEDDED_PHASES, ADEME_DEVICES[kind][:3], strict=True))
    for phase, value in golden.items():
        row = _factor(factors, "device", kind, phase)
        assert float(row["value"]) == pytest.approx(value, rel=1e-12), (kind, phase)
        # ADEME publishes single values: no range in the file, the set's range.device applies.
        assert row["low"] == "" and row["high"] == "", (kind, phase)


def test_the_set_covers_exactly_the_ademe_kinds(
    factors: list[dict[str, str]], kinds: dict[str, dict[str, str]]
) -> None:
    assert set(kinds) == set(ADEME_DEVICES)
    assert set(kinds) <= set(KIND_CODES)
    device_keys = {r["key"] for r in factors if r["family"] == "device"}
    assert device_keys == set(kinds)
    # No server, network equipment or IoT value is published by ADEME: they must stay out.
    for absent in ("server", "network_equipment", "iot_datalogger", "iot_sensor", "iot_controller"):
        assert absent not in kinds


def test_lifespans_match_ademe(kinds: dict[str, dict[str, str]]) -> None:
    for kind, golden in ADEME_DEVICES.items():
        assert float(kinds[kind]["lifespan_years"]) == golden[4], kind


def test_derived_kwh_reproduce_ademe_use_per_year(kinds: dict[str, dict[str, str]]) -> None:
    for kind, golden in ADEME_DEVICES.items():
        kwh = float(kinds[kind]["kwh_per_year"])
        use_per_year = golden[3]
        if use_per_year is None:
            watts, hours = ACTIVE_PROFILE[kind]
            assert kwh == pytest.approx(watts * hours * 365 / 1000, rel=1e-12), kind
        else:
            assert math.isclose(kwh * FR_MIX, use_per_year, rel_tol=1e-9), kind
        low, high = float(kinds[kind]["kwh_low"]), float(kinds[kind]["kwh_high"])
        assert low == pytest.approx(0.5 * kwh, rel=1e-9), kind
        assert high == pytest.approx(1.5 * kwh, rel=1e-9), kind


def test_electricity_values(factors: list[dict[str, str]]) -> None:
    rows = {r["key"]: r for r in factors if r["family"] == "electricity"}
    assert set(rows) == set(ELECTRICITY)
    for zone, value in ELECTRICITY.items():
        assert float(rows[zone]["value"]) == pytest.approx(value, rel=1e-12), zone
        assert rows[zone]["criterion"] == "gwp"
        assert rows[zone]["low"] == "" and rows[zone]["high"] == ""


def test_network_values(factors: list[dict[str, str]]) -> None:
    rows = {r["key"]: r for r in factors if r["family"] == "network"}
    assert set(rows) == set(NETWORK) == set(NETWORK_KINDS)
    for key, value in NETWORK.items():
        shipped = float(rows[key]["value"])
        assert shipped == pytest.approx(value, rel=1e-12), key
        # Rounded to 4 significant figures from NegaOctet's value: stays within 0.05 %.
        assert shipped == pytest.approx(NETWORK_UNROUNDED[key], rel=5e-4), key


def test_avoided_flows(factors: list[dict[str, str]]) -> None:
    rows = {r["key"]: r for r in factors if r["family"] == "avoided"}
    assert set(rows) == set(FLOW_UNIT) - {"electricity"}
    water = rows["drinking_water"]
    assert (float(water["value"]), float(water["low"]), float(water["high"])) == (0.132, 0.1, 0.25)
    for row in rows.values():
        assert row["phase"] == "avoided" and row["criterion"] == "gwp"


def test_ranges_are_ordered(factors: list[dict[str, str]]) -> None:
    for r in factors:
        low, value, high = _opt(r["low"]), float(r["value"]), _opt(r["high"])
        assert (low is None) == (high is None), r
        assert value >= 0, r
        if low is not None and high is not None:
            assert low <= value <= high, r


def test_units_match_criteria(factors: list[dict[str, str]]) -> None:
    for r in factors:
        per = FLOW_UNIT[r["key"]] if r["family"] == "avoided" else UNIT_PER[r["family"]]
        assert r["unit"] == f"{CRITERION_UNIT[r['criterion']]}/{per}", r


def test_no_duplicate_rows(factors: list[dict[str, str]]) -> None:
    keys = [(r["family"], r["key"], r["phase"], r["criterion"]) for r in factors]
    assert len(keys) == len(set(keys))


def test_coverage_matches_the_data(source: dict, factors: list[dict[str, str]]) -> None:
    data: dict[str, dict[str, set[str]]] = {}
    for r in factors:
        data.setdefault(r["family"], {}).setdefault(r["phase"], set()).add(r["criterion"])
    declared = {
        family: {phase: set(criteria) for phase, criteria in phases.items()}
        for family, phases in source["coverage"].items()
    }
    assert declared == data


def test_borrowing_is_as_documented(source: dict) -> None:
    per_criterion = {
        (b["from"], b["family"], b["phase"], b["criterion"])
        for b in source["borrow"]
        if "criterion" in b
    }
    assert per_criterion == {
        ("boavizta-2.5", "electricity", "use", "pe"),
        ("boavizta-2.5", "electricity", "use", "adpe"),
        ("boavizta-2.5", "electricity", "use", "water"),
        ("boavizta-2.5", "device", "manufacture", "adpe"),
    }
    whole_kinds = [b for b in source["borrow"] if "kinds" in b]
    assert whole_kinds == [
        {
            "from": "boavizta-2.5",
            "family": "device",
            "kinds": ["server", "iot_datalogger", "iot_sensor", "iot_controller"],
            "criteria": ["gwp", "adpe"],
        }
    ]
    # Device water is negative in Boavizta 2.5.0 and device pe is absent: never borrowed.
    assert not any(
        b["family"] == "device" and {b.get("criterion"), *b.get("criteria", [])} & {"water", "pe"}
        for b in source["borrow"]
    )


def test_every_source_id_is_declared(
    source: dict,
    factors: list[dict[str, str]],
    kinds: dict[str, dict[str, str]],
    parameters: dict[str, dict[str, str]],
) -> None:
    declared = source["sources"]
    used = (
        {r["source"] for r in factors}
        | {r["source"] for r in kinds.values()}
        | {r["source"] for r in parameters.values()}
    )
    assert used <= set(declared), used - set(declared)
    for sid, entry in declared.items():
        assert entry["status"] in SOURCE_STATUSES, sid
        assert entry["title"] and entry["where"], sid


def test_parameters(parameters: dict[str, dict[str, str]]) -> None:
    def value(name: str) -> float:
        return float(parameters[name]["value"])

    assert value("pue_default") == 1.75
    assert value("range.device") == 0.3
    assert value("range.electricity") == 0.1
    assert value("range.network") == 0.5
    assert value("range.avoided") == 0.3
    assert value("price.electricity") == 0.20
    assert value("price.drinking_water") == 2.21
    for name, row in parameters.items():
        low, v, high = _opt(row["low"]), float(row["value"]), _opt(row["high"])
        if low is not None and high is not None:
            assert low <= v <= high, name
    for flow in ("drinking_water", "diesel", "petrol", "paper"):
        assert f"price.{flow}" in parameters, flow


def test_refurbished_shares_reproduce_the_ademe_laptop_study(
    parameters: dict[str, dict[str, str]],
) -> None:
    # ADEME/NegaOctet 2022: a refurbished laptop avoids about 27 kgCO2e per year.
    fab, dist, eol, use, life = ADEME_DEVICES["laptop"]
    share = float(parameters["refurbished.original_manufacture_share"]["value"]) + float(
        parameters["refurbished.process_share"]["value"]
    )
    new_per_year = (fab + dist + eol) / life + use
    refurbished_per_year = (share * fab + dist + eol) / life + use
    assert new_per_year - refurbished_per_year == pytest.approx(27, abs=1)


def test_checksums_match(source: dict) -> None:
    for name in ("factors.csv", "kinds.csv", "parameters.csv"):
        digest = hashlib.sha256((SET_DIR / name).read_bytes()).hexdigest()
        assert source["checksums"][name] == digest, f"{name}: run scripts/checksums.py --write"
