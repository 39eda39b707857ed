"""The web, fleet and reuse benchmarks work, at tiny sizes, and `bench/run.py --only` merges its
section into the page. No timing is asserted (the machine is shared): only that each stage runs
and returns figures of the right shape."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def bench_module(name: str) -> ModuleType:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"bench.{name}")


def check_rows(rows: list[dict[str, Any]], keys: set[str]) -> None:
    assert keys <= {r["key"] for r in rows}
    for r in rows:
        assert r["met"] is None  # custom sizes: never judged
        assert {"figure", "measured", "target", "note"} <= set(r)


@pytest.fixture(scope="module")
def reuse_result() -> dict[str, Any]:
    return bench_module("reuse").run(False, devices=300, requests=2, report_repeats=1)


def test_web_bench_runs() -> None:
    web = bench_module("web")
    if not web.CLI.exists():
        pytest.skip(f"{web.CLI} not installed")
    r = web.run(False, lines=20, requests=3, seconds=0.5, clients=2)
    assert r["project"]["lines"] == 20 and r["project"]["scenarios"] == 2
    assert r["results_server"]["n"] == 3 and r["results_server"]["p95_s"] > 0
    assert r["results_http"]["statuses"] == {"200": 3}
    assert r["calc_load"]["requests"] > 0 and r["calc_load"]["errors"] == 0
    check_rows(r["figures"], {"results_p95", "results_http_p95", "calc_rps"})
    if "skipped" not in r["boavizta_load"]:
        assert r["boavizta_load"]["requests"] > 0 and r["boavizta_load"]["errors"] == 0
        check_rows(r["figures"], {"boavizta_rps", "calc_ratio"})
    text = web.section(r)
    assert text.startswith("## Web") and "| Figure |" in text and "A project of 20 lines" in text


def test_fleet_bench_runs() -> None:
    fleet = bench_module("fleet")
    r = fleet.run(False, assets=200, import_lines=100, requests=2, footprint_repeats=1)
    assert r["fleet"]["assets"] == 200
    assert {p["n"] for p in r["pages"].values()} == {2}
    assert r["import"]["created"] == 100 and r["import"]["refused"] == 0
    assert r["footprint"]["assets_counted"] > 0
    check_rows(r["figures"], {"list", "list_search", "indicators", "import", "footprint"})
    assert fleet.section(r).startswith("## Fleet: 200 assets")


def test_glpi_file_is_read_as_glpi(tmp_path: Path) -> None:
    fleet = bench_module("fleet")
    path = fleet.write_glpi(tmp_path / "glpi.csv", 50)
    assert path.read_bytes().startswith(b'\xef\xbb\xbf"Nom";"Entit')
    from impactnum.web.fleet.imports import read_import_file

    parsed = read_import_file(path)
    assert parsed.ok and parsed.format == "glpi" and len(parsed.rows) == 50


def test_reuse_bench_runs(reuse_result: dict[str, Any]) -> None:
    r = reuse_result
    assert r["chain"]["devices"] == 300 and r["chain"]["events"] == 3000
    assert r["scan_to_page"]["n"] == 2 and r["triage"]["n"] == 2
    assert r["report"]["devices_collected"] > 0
    check_rows(r["figures"], {"scan_to_page", "triage", "report"})
    assert bench_module("reuse").section(r).startswith("## Reuse chain: 300 devices")


def test_only_rewrites_its_section_and_keeps_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reuse_result: dict[str, Any]
) -> None:
    run = bench_module("run")
    page = tmp_path / "benchmarks.md"
    page.write_text(
        run.compose({"inventory": "## Inventory\n\nold inventory figures\n", "reuse": "## old\n"}),
        encoding="utf-8",
    )
    monkeypatch.setattr(bench_module("reuse"), "run", lambda quick: reuse_result)
    results = run.main(["--only", "reuse", "--docs", str(page), "--out", str(tmp_path)])
    assert set(results["sections"]) == {"reuse"}
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks")
    assert "old inventory figures" in text and "## old" not in text
    assert "## Reuse chain: 300 devices" in text
    sections = run.read_sections(text)
    assert list(sections) == ["inventory", "reuse"]
    assert (tmp_path / "results-reuse.json").exists()


def test_a_page_from_before_the_sections_keeps_its_inventory(tmp_path: Path) -> None:
    run = bench_module("run")
    legacy = (
        "# Benchmarks\n\nWhat `make bench` measured.\n\nThe run generates a file.\n\n"
        "## Machine and run\n\n| Inventory | 1,000,000 lines, 134 MB |\n\n## Results\n\n| a |\n"
    )
    sections = run.read_sections(legacy)
    assert list(sections) == ["inventory"]
    inv = sections["inventory"]
    assert inv.startswith("## Inventory: 1,000,000-line")
    assert "### Machine and run" in inv and "### Results" in inv
    assert run.read_sections(run.compose(sections)) == sections
