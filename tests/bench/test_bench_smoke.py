"""The benchmark scripts work, at a tiny size. No timing is asserted (the machine is shared):
only that each stage runs and returns figures of the right shape."""

from __future__ import annotations

import importlib
import math
import sys
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]


def bench_module(name: str) -> ModuleType:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"bench.{name}")


def test_generated_csv_is_numecoeval_and_seeded(tmp_path: Path) -> None:
    generate = bench_module("generate")
    a = generate.write(300, tmp_path / "a.csv", seed=1)
    b = generate.write(300, tmp_path / "b.csv", seed=1)
    assert a.read_bytes() == b.read_bytes()
    header = a.read_text(encoding="utf-8").split("\n", 1)[0]
    assert header.split(";") == generate.HEADER
    df = pl.read_csv(a, separator=";", infer_schema=False)
    assert df.height == 300
    assert {"Ordinateur portable", "Ecran", "Smartphone", "Serveur"} <= set(df["type"])
    assert df["nomCourtDatacenter"].is_not_null().any()  # some data-centre servers
    assert df["consoElecAnnuelle"].is_null().any()  # some empty optional cells


def test_generated_csv_is_read_by_impactnum(tmp_path: Path) -> None:
    generate = bench_module("generate")
    from impactnum.io import read_inventory

    inv = read_inventory(generate.write(500, tmp_path / "inv.csv"))
    assert len(inv.lines) == 500
    assert inv.format == "numecoeval"


def test_inventory_bench_runs(tmp_path: Path) -> None:
    inventory = bench_module("inventory")
    r = inventory.run(400, draws=20, repeats=2, e2e_repeats=1, path=tmp_path / "inv.csv")
    assert r["lines"] == 400
    assert len(r["compute"]["runs"]) == 2
    assert r["compute"]["devices_per_s"] > 0
    assert math.isfinite(r["compute"]["gwp_kg"]) and r["compute"]["gwp_kg"] > 0
    assert r["monte_carlo"]["median_s"] > 0
    assert r["reader"]["median_s"] > 0
    e2e = r["end_to_end"]
    if inventory.cli_available():
        assert e2e["output_lines"] == 400
        assert e2e["peak_rss_bytes"] > 0
    else:
        assert "skipped" in e2e


def test_boavizta_bench_runs() -> None:
    pytest.importorskip("boaviztapi", reason="needs the 'crosscheck' extra")
    r = bench_module("boavizta").run(5)
    for variant in ("route_default", "compute_only"):
        assert r[variant]["devices"] == 5
        assert r[variant]["devices_per_s"] > 0


def test_run_writes_the_page(tmp_path: Path) -> None:
    run = bench_module("run")
    page = tmp_path / "benchmarks.md"
    real_page = run.DOCS.stat().st_mtime_ns if run.DOCS.exists() else None
    results = run.main(
        [
            "--size",
            "300",
            "--draws",
            "20",
            "--boavizta-size",
            "5",
            "--out",
            str(tmp_path),
            "--docs",
            str(page),
            "--no-profile",
        ]
    )
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks")
    assert "make bench" in text
    for needle in ("CPU", "Cores usable", "RAM", "Python / NumPy", "Date", "Monte Carlo"):
        assert needle in text
    assert (tmp_path / "results.json").exists()
    assert all(row["met"] is None for row in results["figures"])  # not judged off full size
    # docs/benchmarks.md is only rewritten by a full run (or to an explicit --docs page)
    assert (run.DOCS.stat().st_mtime_ns if run.DOCS.exists() else None) == real_page
