"""`impactnum inventory calc` and `impactnum factors`: real files, real subprocess runs."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from impactnum.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "inventory-numecoeval.csv"
SCRIPT = shutil.which("impactnum", path=str(Path(sys.executable).parent))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script (falls back to `python -c` on the entry point)."""
    cmd = [SCRIPT] if SCRIPT else [sys.executable, "-c", "from impactnum.cli import main; main()"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120)


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def test_example_table_end_to_end() -> None:
    proc = run("inventory", "calc", str(EXAMPLE), "--by", "kind")
    assert proc.returncode == 0, proc.stderr
    assert "Climate change" in proc.stdout
    assert "server" in proc.stdout and "laptop" in proc.stdout


def test_json_contract_end_to_end() -> None:
    proc = run(
        "inventory",
        "calc",
        str(EXAMPLE),
        "--format",
        "json",
        "--by",
        "entity",
        "--draws",
        "50",
        "--seed",
        "3",
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    for key in (
        "engine_version",
        "factor_set",
        "criteria",
        "totals",
        "by_phase",
        "lines",
        "by_kind",
        "by_entity",
        "draws",
        "provenance",
        "warnings",
    ):
        assert key in data, key
    assert "@" in data["factor_set"]
    assert set(data["by_entity"]) == {"Ville de Nevers", "Nevers Agglomération"}
    assert data["draws"] == 50
    assert data["lines"] == 30


def test_by_entity_sums_to_total() -> None:
    res = invoke("inventory", "calc", str(EXAMPLE), "--format", "json", "--by", "entity")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    total = data["totals"]["gwp"]["value"]
    assert sum(g["gwp"]["value"] for g in data["by_entity"].values()) == pytest.approx(total)


def test_csv_format() -> None:
    res = invoke("inventory", "calc", str(EXAMPLE), "--format", "csv", "--by", "entity")
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert {r["group_by"] for r in rows} == {"total", "entity"}
    assert {"value", "low", "high", "use_value", "manufacture_high"} <= set(rows[0])
    gwp = next(r for r in rows if r["group_by"] == "total" and r["criterion"] == "gwp")
    assert float(gwp["low"]) <= float(gwp["value"]) <= float(gwp["high"])


def test_lifespan_mode_real_changes_result() -> None:
    fixed = json.loads(invoke("inventory", "calc", str(EXAMPLE), "--format", "json").stdout)
    real = json.loads(
        invoke(
            "inventory", "calc", str(EXAMPLE), "--format", "json", "--lifespan-mode", "real"
        ).stdout
    )
    assert fixed["totals"]["gwp"]["value"] != real["totals"]["gwp"]["value"]


def test_bad_file_exit_2_every_error_nothing_on_stdout(tmp_path: Path) -> None:
    bad = tmp_path / "parc.csv"
    bad.write_text(
        "type;quantite;paysDUtilisation;dateAchat;consoElecAnnuelle\n"
        "Ordinateur portabel;1;France;2021-01-01;\n"
        "Ecran;-2;Frnace;2021-13-01;abc\n"
        "Serveur;1;FR;01/02/2020;12;extra\n",
        encoding="cp1252",
    )
    proc = run("inventory", "calc", str(bad))
    assert proc.returncode == 2
    assert proc.stdout == ""
    err = proc.stderr
    for expected in (
        f"{bad}:2: column 'type': unknown type 'Ordinateur portabel' (did you mean "
        "'Ordinateur portable'?)",
        f"{bad}:3: column 'quantite': negative value not allowed: -2",
        f"{bad}:3: column 'paysDUtilisation': unknown country 'Frnace' (did you mean 'France'?)",
        f"{bad}:3: column 'dateAchat': not a date: '2021-13-01'",
        f"{bad}:3: column 'consoElecAnnuelle': not a number: 'abc'",
        f"{bad}:4: wrong number of fields: 6 instead of 5",
    ):
        assert expected in err, err
    assert "6 errors" in err


def test_missing_required_column_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "parc.csv"
    bad.write_text("modele;quantite\nX;1\n", encoding="utf-8")
    res = invoke("inventory", "calc", str(bad))
    assert res.exit_code == 2
    assert res.stdout == ""
    assert "missing required column 'type'" in res.stderr


def test_unknown_factor_set_lists_known(tmp_path: Path) -> None:
    res = invoke("inventory", "calc", str(EXAMPLE), "--factors", "nope@9")
    assert res.exit_code == 2
    assert res.stdout == ""
    assert "unknown factor set" in res.stderr and "ademe-2022" in res.stderr


def test_uncovered_kind_exit_2(tmp_path: Path) -> None:
    # No public source covers switches and routers: the error names what the set covers.
    f = tmp_path / "switches.csv"
    f.write_text("nomEquipementPhysique;type;quantite\nsw1;Switch;4\n", encoding="utf-8")
    res = invoke("inventory", "calc", str(f), "--factors", "ademe-2022")
    assert res.exit_code == 2
    assert res.stdout == ""
    assert "network_equipment" in res.stderr and "laptop" in res.stderr


def test_unknown_by_label_exit_2() -> None:
    res = invoke("inventory", "calc", str(EXAMPLE), "--by", "planet")
    assert res.exit_code == 2
    assert "entity" in res.stderr


def test_overrides_file(tmp_path: Path) -> None:
    o = tmp_path / "overrides.csv"
    o.write_text(
        "family,key,phase,criterion,value,low,high,unit,source,note\n"
        "kind,laptop,,lifespan_years,10,,,years,test,\n",
        encoding="utf-8",
    )
    base = json.loads(invoke("inventory", "calc", str(EXAMPLE), "--format", "json").stdout)
    res = invoke("inventory", "calc", str(EXAMPLE), "--format", "json", "--overrides", str(o))
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["by_kind"]["laptop"]["gwp"]["value"] != pytest.approx(
        base["by_kind"]["laptop"]["gwp"]["value"]
    )


def test_type_map_option(tmp_path: Path) -> None:
    inv = tmp_path / "parc.csv"
    inv.write_text("type;quantite\nChromebook;3\n", encoding="utf-8")
    tm = tmp_path / "types.csv"
    tm.write_text("type;kind\nChromebook;laptop\n", encoding="utf-8")
    assert invoke("inventory", "calc", str(inv)).exit_code == 2
    res = invoke("inventory", "calc", str(inv), "--type-map", str(tm), "--format", "json")
    assert res.exit_code == 0, res.output
    assert list(json.loads(res.stdout)["by_kind"]) == ["laptop"]


def test_inventory_calc_never_imports_django() -> None:
    code = (
        "import sys\n"
        "from impactnum.cli import main\n"
        "try:\n"
        f"    main(['inventory', 'calc', {str(EXAMPLE)!r}, '--format', 'json'])\n"
        "except SystemExit as e:\n"
        "    assert e.code in (0, None), e.code\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith(('django.', "
        "'impactnum.web')))\n"
        "print('IMPORTED', bad, file=sys.stderr)\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "IMPORTED []" in proc.stderr


def test_factors_list_and_show() -> None:
    res = invoke("factors", "list", "--format", "json")
    assert res.exit_code == 0, res.output
    refs = {s["ref"] for s in json.loads(res.stdout)}
    assert {"ademe-2022@1.0.0", "boavizta-2.5@2.5.0"} <= refs
    res = invoke("factors", "show", "ademe-2022", "--format", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    for key in ("title", "publisher", "licence", "url", "coverage", "borrow", "sources", "kinds"):
        assert key in data
    assert "gwp" in data["coverage"]["device"]["manufacture"]
    table = invoke("factors", "show", "ademe-2022@1.0.0")
    assert table.exit_code == 0 and "Coverage" in table.stdout
    assert invoke("factors", "list").exit_code == 0


def test_factors_show_unknown() -> None:
    res = invoke("factors", "show", "nope")
    assert res.exit_code == 2
    assert "boavizta-2.5" in res.stderr
