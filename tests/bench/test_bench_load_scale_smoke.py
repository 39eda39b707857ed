"""The load scenario and the scale filler work, at tiny sizes: the locustfile loads, a short run
of a few users against the server `make run` starts makes no error, and the PostgreSQL filler
fills and measures. No timing is asserted (the machine is shared)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
SMOKE_PG_DB = "impactnum_scale_smoke"

pytestmark = pytest.mark.slow


def bench_module(name: str) -> ModuleType:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"bench.{name}")


def test_locustfile_loads_and_defines_the_four_kinds_of_users() -> None:
    # In a subprocess: importing locust monkey-patches the standard library (gevent).
    proc = subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--list"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    listed = set(proc.stdout.split())
    assert {"Official", "ProjectEditor", "Technician", "ApiClient"} <= listed


def test_a_short_load_against_make_run_makes_no_error() -> None:
    load = bench_module("load.measure")
    if not load.CLI.exists():
        pytest.skip(f"{load.CLI} not installed")
    r = load.run(True, duration=20, users=10)
    by_name = {s["name"]: s for s in r["stats"]}
    assert by_name["Aggregated"]["requests"] > 0
    assert r["failures"] == [], r["failures"]
    assert by_name["Aggregated"]["failures"] == 0
    assert r["server"] == {
        "tracebacks": 0,
        "worker_timeouts": 0,
        "status_5xx": 0,
        "database_locked": 0,
    }
    # every kind of user logged in and worked: their first pages are there
    assert by_name["/login/ [POST]"]["requests"] == 10
    assert "/api/reuse/devices (setup)" in by_name  # technicians found their devices
    assert "/tokens/ [POST]" in by_name  # API clients made their token
    text = load.section(r)
    assert "## Load" in text and "trial run" in text
    assert all(row["met"] is None for row in r["figures"] if row["key"] != "failures")


def _smoke_pg_url() -> str:
    base = os.environ.get("IMPACTNUM_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/x")
    return base.rsplit("/", 1)[0] + "/" + SMOKE_PG_DB


def test_scale_fills_postgresql_and_measures_the_pages() -> None:
    scale = bench_module("scale")
    url = _smoke_pg_url()
    if not scale.pg_available(url):
        pytest.skip(f"no PostgreSQL server at {url}")
    r = scale.run(True, events=20_000, url=url)
    total = r["fill"]["events"]["total"]
    assert sum(total.values()) >= 20_000 - 2  # each table rounds its share
    assert all(n > 0 for n in total.values())
    assert r["fill"]["assets"] > r["size"]["assets_per_org"]  # copied to the other organisations
    for name, page in r["pages"].items():
        if page["url"]:  # a page, not the retention job
            assert page["statuses"] == {str(200): page["n"] + 2}, name
    # the history pages read an event table, through an index
    history = r["pages"]["Reuse device page (history)"]
    assert history["event_queries"] >= 1
    assert history["plans"][0]["indexes"]
    text = scale.section(r)
    assert "## Scale" in text and "20,000 events" in text
