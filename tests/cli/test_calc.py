"""`impactnum calc` end to end, in a subprocess, on every example and on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
CONTRACT = (
    "engine_version",
    "factor_set",
    "criteria",
    "totals",
    "by_phase",
    "net",
    "economic",
    "social",
    "scenarios",
)


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`impactnum ARGS` through the real click group, in a fresh interpreter."""
    code = "import sys; from impactnum.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def calc_json(*args: str | Path) -> dict[str, Any]:
    proc = run("calc", *args, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda p: p.name)
def example(request: pytest.FixtureRequest) -> tuple[Path, dict[str, Any]]:
    path: Path = request.param
    return path, calc_json(path)


def test_examples_exist() -> None:
    names = {p.name for p in EXAMPLES}
    assert {
        "leak-detection-dataloggers.toml",
        "dimmable-public-lighting.toml",
        "pc-lifespan-5-to-7-years.toml",
        "refurbished-purchases.toml",
    } <= names


def test_json_contract(example: tuple[Path, dict[str, Any]]) -> None:
    _, d = example
    for key in CONTRACT:
        assert key in d, key
    assert d["factor_set"].startswith("ademe-2022@")
    assert set(d["criteria"]) == {"gwp", "adpe", "pe", "water"}
    assert d["totals"] == d["scenarios"][0]["totals"]  # top level = baseline
    assert len(d["scenarios"]) >= 2 and "comparison" in d
    for sc in d["scenarios"]:
        assert {"tco", "npv", "payback_years", "cash_flows"} <= set(sc["economic"])
        assert {"indicators", "sroi"} <= set(sc["social"])


def test_net_is_totals_minus_avoided(example: tuple[Path, dict[str, Any]]) -> None:
    _, d = example
    for sc in d["scenarios"]:
        for code, net in sc["net"].items():
            total, avoided = sc["totals"][code], sc["avoided"][code]
            if net is None:
                continue
            assert net["value"] == pytest.approx(total["value"] - avoided["value"], abs=1e-6)


def test_comparison_probabilities(example: tuple[Path, dict[str, Any]]) -> None:
    _, d = example
    for comp in d["comparison"]:
        for c in comp["criteria"].values():
            if c is not None:
                assert 0.0 <= c["probability_variant_lower"] <= 1.0


def test_avoided_flows_lower_the_variant_gwp(example: tuple[Path, dict[str, Any]]) -> None:
    # every example's variant is meant to lower gwp against its baseline
    _, d = example
    comp = d["comparison"][0]
    assert comp["criteria"]["gwp"]["probability_variant_lower"] > 0.9


def test_leak_detection_economics_use_water_price() -> None:
    d = calc_json(ROOT / "examples" / "leak-detection-dataloggers.toml")
    variant = d["scenarios"][1]
    flows = {f["flow"]: f for f in variant["economic"]["avoided_flows"]}
    water = flows["drinking_water"]
    assert water["price"]["parameter"] == "price.drinking_water"
    assert water["eur_per_year"]["value"] == pytest.approx(66621 * water["price"]["value"])
    e = variant["economic"]
    per_year = sum(f["eur_per_year"]["value"] for f in flows.values())
    assert e["inputs"]["flow_savings_per_year"]["value"] == pytest.approx(per_year, rel=1e-6)
    assert e["tco"]["value"] == pytest.approx(105000 + 10 * 10000)


def test_compare_lifespans_between_files(tmp_path: Path) -> None:
    # Split the lifespan example in two files: 5 years (this file) vs 7 years (--compare).
    text = (ROOT / "examples" / "pc-lifespan-5-to-7-years.toml").read_text(encoding="utf-8")
    head, first, second = text.split("[[scenarios]]\n")
    five, seven = tmp_path / "five.toml", tmp_path / "seven.toml"
    five.write_text(head + "[[scenarios]]\n" + first, encoding="utf-8")
    seven.write_text(head + "[[scenarios]]\n" + second, encoding="utf-8")
    d = calc_json(five, "--compare", seven, "--draws", "400", "--seed", "3")
    assert [s["name"] for s in d["scenarios"]] == ["5 years", "7 years"]
    (comp,) = d["comparison"]
    assert (comp["baseline"], comp["variant"], comp["draws"]) == ("5 years", "7 years", 400)
    gwp = comp["criteria"]["gwp"]
    assert 0.0 <= gwp["probability_variant_lower"] <= 1.0
    assert gwp["probability_variant_lower"] > 0.95
    assert comp["economic_delta"]["tco"] < 0


def test_table_and_csv_formats() -> None:
    path = ROOT / "examples" / "refurbished-purchases.toml"
    table = run("calc", path)
    assert table.returncode == 0, table.stderr
    assert "refurbished" in table.stdout and "gwp" in table.stdout and "NPV" in table.stdout
    csv_out = run("calc", path, "--format", "csv")
    assert csv_out.returncode == 0, csv_out.stderr
    lines = csv_out.stdout.splitlines()
    assert lines[0] == "scenario,section,indicator,unit,value,low,high"
    assert any(line.startswith("refurbished,net,gwp,") for line in lines)


def test_malformed_project_exits_2_naming_the_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        "[project]\nname = 'x'\n[[scenarios]]\nname = 'a'\n"
        "[[scenarios.equipment]]\nkind = 'laptop'\nquantity = 'ten'\n"
        "[[scenarios.equipment]]\nkind = 'toaster'\nquantity = 1\n",
        encoding="utf-8",
    )
    proc = run("calc", bad, "--format", "json")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert f"{bad}: scenarios[0].equipment[0].quantity: must be a number" in proc.stderr
    assert f"{bad}: scenarios[0].equipment[1].kind: unknown kind 'toaster'" in proc.stderr


def test_uncovered_kind_and_unknown_set_exit_2(tmp_path: Path) -> None:
    p = tmp_path / "iot.toml"
    p.write_text(
        "[project]\nname = 'x'\nfactors = 'ademe-2022'\n[[scenarios]]\nname = 'a'\n"
        "[[scenarios.equipment]]\nkind = 'network_equipment'\nquantity = 3\n",
        encoding="utf-8",
    )
    proc = run("calc", p)
    assert proc.returncode == 2 and proc.stdout == ""
    assert (
        "scenarios[0].equipment[0].kind: kind 'network_equipment' is not covered by ademe-2022"
        in proc.stderr
    )
    proc = run("calc", p, "--factors", "nope@9")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "--factors" in proc.stderr and "nope" in proc.stderr
    proc = run("calc", tmp_path / "missing.toml")
    assert proc.returncode == 2 and "cannot read" in proc.stderr
