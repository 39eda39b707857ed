"""Project files: parsing into engine inputs, and every error path (file, TOML path, reason)."""

import copy
import math
from pathlib import Path
from typing import Any

import pytest

from impactnum.engine.economic import Estimate
from impactnum.io.project_toml import (
    DEFAULT_FACTORS,
    ProjectFileError,
    load_project,
    parse_project,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

GOOD: dict[str, Any] = {
    "project": {"name": "P", "horizon_years": 4, "discount_rate": 0.04, "factors": "ademe-2022"},
    "scenarios": [
        {
            "name": "base",
            "equipment": [{"kind": "laptop", "quantity": 10, "lifespan_years": 5, "label": "PCs"}],
        },
        {
            "name": "variant",
            "description": "d",
            "equipment": [
                {"kind": "laptop", "quantity": 10, "lifespan_years": 7, "refurbished": True},
                {"kind": "monitor", "quantity": 2, "active_w": 30, "hours_per_day": 3},
            ],
            "network": [{"kind": "mobile", "gb_per_year": 12.5, "label": "4G"}],
            "avoided": [
                {"flow": "drinking_water", "quantity_per_year": 100, "low": 50, "high": 150},
                {"flow": "electricity", "quantity_per_year": 10, "country": "FRA"},
            ],
            "costs": {"capex": 1000, "capex_low": 900, "opex_per_year": 50, "sroi_inputs": 800},
            "social": {"training_hours": 12, "accessibility_conformity": 75},
            "sroi": [
                {
                    "outcome": "autonomy",
                    "quantity": 10,
                    "proxy_eur": 100,
                    "deadweight": 0.2,
                    "duration_years": 2,
                }
            ],
        },
    ],
    "overrides": [
        {
            "family": "parameter",
            "key": "price.drinking_water",
            "value": 1.5,
            "source": "régie 2024",
        }
    ],
}


def errors_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ProjectFileError) as exc:
        parse_project(data, "p.toml")
    assert all(e.file == "p.toml" for e in exc.value.errors)
    return [f"{e.path}: {e.reason}" for e in exc.value.errors]


def with_change(path: list[Any], value: Any) -> dict[str, Any]:
    """GOOD with data[path] set to value (value None deletes the key)."""
    data = copy.deepcopy(GOOD)
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


def test_good_project_builds_engine_inputs() -> None:
    p = parse_project(GOOD, "p.toml")
    assert (p.name, p.horizon_years, p.discount_rate, p.factors) == ("P", 4, 0.04, "ademe-2022")
    assert [s.name for s in p.scenarios] == ["base", "variant"]
    assert p.baseline.name == "base"
    v = p.scenarios[1]
    assert v.scenario.horizon_years == 4
    assert v.scenario.equipment.quantity.tolist() == [10, 2]
    assert v.scenario.equipment.refurbished.tolist() == [True, False]
    assert v.scenario.equipment.kwh_per_year[1] == pytest.approx(30 * 3 * 365 / 1000)
    assert p.scenarios[0].scenario.equipment.labels["label"].values() == ["PCs"]
    assert v.scenario.network[0].gb_per_year == 12.5
    assert v.scenario.avoided[0].bands() == (100, 50, 150)
    assert v.scenario.avoided[1].country == "FRA"
    assert v.costs.capex == Estimate(1000, 900, None)
    assert v.costs.sroi_inputs == 800
    assert v.social == {"training_hours": 12, "accessibility_conformity": 75}
    assert v.sroi[0].deadweight == 0.2 and v.sroi[0].duration_years == 2
    assert p.overrides[0].key == "price.drinking_water"
    assert "régie 2024" in p.overrides[0].source and math.isnan(p.overrides[0].low)


def test_defaults() -> None:
    p = parse_project({"project": {"name": "x"}, "scenarios": [{"name": "a"}]}, "d")
    assert p.factors == DEFAULT_FACTORS
    assert p.horizon_years == 5 and p.discount_rate == 0.032
    assert len(p.scenarios[0].scenario.equipment) == 0
    assert p.scenarios[0].costs.capex == Estimate(0)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (["project", "name"], None, "project.name: is required"),
        (["project", "name"], 3, "project.name: must be a string"),
        (["project", "horizon_years"], 0, "project.horizon_years: must be > 0"),
        (["project", "horizon_years"], "5", "project.horizon_years: must be a number"),
        (["project", "discount_rate"], 2, "project.discount_rate: must be between"),
        (["project", "colour"], "red", "project.colour: unknown key"),
        (["project"], "x", "project: must be a table"),
        (["scenarios"], {"name": "a"}, "scenarios: must be an array of tables"),
        (["scenarios", 1, "name"], "base", "scenarios[1].name: duplicate scenario name"),
        (["scenarios", 1, "name"], None, "scenarios[1].name: is required"),
        (["scenarios", 1, "oops"], 1, "scenarios[1].oops: unknown key"),
        (
            ["scenarios", 1, "equipment", 1, "quantity"],
            "ten",
            "scenarios[1].equipment[1].quantity: must be a number",
        ),
        (
            ["scenarios", 1, "equipment", 1, "quantity"],
            -1,
            "scenarios[1].equipment[1].quantity: must be ≥ 0",
        ),
        (
            ["scenarios", 1, "equipment", 1, "quantity"],
            None,
            "scenarios[1].equipment[1].quantity: is required",
        ),
        (
            ["scenarios", 1, "equipment", 1, "quantity"],
            True,
            "scenarios[1].equipment[1].quantity: must be a number",
        ),
        (
            ["scenarios", 1, "equipment", 1, "kind"],
            "toaster",
            "scenarios[1].equipment[1].kind: unknown kind",
        ),
        (
            ["scenarios", 1, "equipment", 1, "kind"],
            None,
            "scenarios[1].equipment[1].kind: is required",
        ),
        (["scenarios", 1, "equipment", 1, "lifespan_years"], 0, "lifespan_years: must be > 0"),
        (
            ["scenarios", 1, "equipment", 1, "hours_per_day"],
            25,
            "hours_per_day: must be between 0 and 24",
        ),
        (["scenarios", 1, "equipment", 1, "pue"], 0.5, "equipment[1].pue: must be ≥ 1"),
        (
            ["scenarios", 1, "equipment", 1, "refurbished"],
            "yes",
            "refurbished: must be true or false",
        ),
        (["scenarios", 1, "equipment", 1, "country"], "France", "country: must be an ISO 3166-1"),
        (["scenarios", 1, "equipment", 1, "colour"], "red", "equipment[1].colour: unknown key"),
        (["scenarios", 1, "equipment", 1], "laptop", "scenarios[1].equipment[1]: must be a table"),
        (
            ["scenarios", 1, "network", 0, "kind"],
            "satellite",
            "network[0].kind: must be one of fixed, mobile",
        ),
        (
            ["scenarios", 1, "network", 0, "gb_per_year"],
            None,
            "network[0].gb_per_year: is required",
        ),
        (["scenarios", 1, "avoided", 0, "flow"], "gold", "avoided[0].flow: unknown flow"),
        (
            ["scenarios", 1, "avoided", 0, "quantity_per_year"],
            -5,
            "avoided[0].quantity_per_year: must be ≥ 0",
        ),
        (["scenarios", 1, "avoided", 0, "low"], 120, "avoided[0].low: must be ≤ quantity_per_year"),
        (
            ["scenarios", 1, "avoided", 0, "high"],
            80,
            "avoided[0].high: must be ≥ quantity_per_year",
        ),
        (["scenarios", 1, "avoided", 1, "country"], "FR", "avoided[1].country: must be an ISO"),
        (["scenarios", 1, "costs", "capex_low"], 2000, "costs.capex_low: must be ≤ capex"),
        (["scenarios", 1, "costs", "capex_high"], 10, "costs.capex_high: must be ≥ capex"),
        (["scenarios", 1, "costs", "capex"], None, "costs.capex: is required when capex_low"),
        (["scenarios", 1, "costs", "opex_per_year"], -1, "costs.opex_per_year: must be ≥ 0"),
        (["scenarios", 1, "costs", "capexx"], 1, "costs.capexx: unknown key"),
        (["scenarios", 1, "costs"], 5, "scenarios[1].costs: must be a table"),
        (["scenarios", 1, "social", "happiness"], 1, "social.happiness: unknown social indicator"),
        (
            ["scenarios", 1, "social", "accessibility_conformity"],
            120,
            "accessibility_conformity: is a percentage",
        ),
        (
            ["scenarios", 1, "social", "training_hours"],
            -3,
            "social.training_hours: must be a number ≥ 0",
        ),
        (
            ["scenarios", 1, "social", "training_hours"],
            "a lot",
            "social.training_hours: must be a number",
        ),
        (
            ["scenarios", 1, "sroi", 0, "deadweight"],
            20,
            "sroi[0].deadweight: must be between 0 and 1, got 20 (a share",
        ),
        (["scenarios", 1, "sroi", 0, "outcome"], None, "sroi[0].outcome: is required"),
        (["scenarios", 1, "sroi", 0, "proxy_eur"], None, "sroi[0].proxy_eur: is required"),
        (["scenarios", 1, "sroi", 0, "duration_years"], 0, "sroi[0].duration_years: must be > 0"),
        (["scenarios", 1, "sroi", 0, "weight"], 1, "sroi[0].weight: unknown key"),
        (["overrides", 0, "family"], "magic", "overrides[0].family: must be one of"),
        (["overrides", 0, "value"], None, "overrides[0].value: is required"),
        (["overrides", 0, "source"], None, "overrides[0].source: is required"),
        (["overrides", 0, "low"], 2, "overrides[0].low: must be ≤ value"),
        (["overrides", 0, "unit_price"], 2, "overrides[0].unit_price: unknown key"),
        (["extra"], 1, "extra: unknown key"),
    ],
)
def test_error_paths(path: list[Any], value: Any, expected: str) -> None:
    errors = errors_of(with_change(path, value))
    assert any(expected in e for e in errors), errors


def test_override_targets_are_checked() -> None:
    data = with_change(
        ["overrides"],
        [
            {
                "family": "device",
                "key": "toaster",
                "phase": "use",
                "criterion": "gwp",
                "value": 1,
                "source": "s",
            },
            {"family": "device", "key": "laptop", "criterion": "smell", "value": 1, "source": "s"},
            {"family": "kind", "key": "laptop", "criterion": "colour", "value": 1, "source": "s"},
            {"family": "avoided", "key": "gold", "criterion": "gwp", "value": 1, "source": "s"},
        ],
    )
    errors = errors_of(data)
    for expected in (
        "overrides[0].key: unknown device key 'toaster'",
        "overrides[0].phase: for family device must be one of",
        "overrides[1].phase: is required for family device",
        "overrides[1].criterion: unknown criterion 'smell'",
        "overrides[2].criterion: for family kind must be one of lifespan_years, kwh_per_year",
        "overrides[3].key: unknown avoided key 'gold'",
    ):
        assert any(expected in e for e in errors), (expected, errors)


def test_all_errors_are_collected_across_scenarios() -> None:
    data = copy.deepcopy(GOOD)
    data["scenarios"][0]["equipment"][0]["quantity"] = "x"
    data["scenarios"][1]["equipment"][1]["kind"] = "toaster"
    data["scenarios"][1]["costs"]["capex"] = -1
    errors = errors_of(data)
    assert len(errors) == 3
    assert errors[0].startswith("scenarios[0].equipment[0].quantity")


def test_missing_sections() -> None:
    errors = errors_of({})
    assert any(e.startswith("project: is required") for e in errors)
    assert any(e.startswith("scenarios: at least one") for e in errors)


def test_error_message_names_file_path_and_reason() -> None:
    with pytest.raises(ProjectFileError) as exc:
        parse_project(with_change(["scenarios", 1, "equipment", 1, "quantity"], "x"), "a.toml")
    assert "a.toml: 1 error" in str(exc.value)
    assert exc.value.lines() == [
        "a.toml: scenarios[1].equipment[1].quantity: must be a number, got a string ('x')"
    ]


def test_load_project_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match="cannot read") as exc:
        load_project(tmp_path / "missing.toml")
    assert exc.value.errors[0].file.endswith("missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[project\nname = 'x'\n", encoding="utf-8")
    with pytest.raises(ProjectFileError, match="invalid TOML"):
        load_project(bad)
    schema = tmp_path / "schema.toml"
    schema.write_text("[project]\nname = 'x'\n[[scenarios]]\nname = 1\n", encoding="utf-8")
    with pytest.raises(ProjectFileError) as exc:
        load_project(schema)
    assert (
        str(exc.value.errors[0])
        == f"{schema}: scenarios[0].name: must be a string, got an integer (1)"
    )


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.name)
def test_examples_parse(path: Path) -> None:
    p = load_project(path)
    assert len(p.scenarios) >= 2
