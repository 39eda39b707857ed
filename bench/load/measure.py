"""The load section of `make bench`: 50 Locust users for 5 minutes against `make run`'s server.

    .venv/bin/python bench/run.py --only load                       # 5 minutes; rewrites the page
    .venv/bin/python bench/run.py --only load --load-duration 60 --no-docs   # a shorter trial

`run()` starts the server exactly as `make run` does (`impactnum serve --demo-if-empty`:
migrations, the demo data, gunicorn with 2 workers, DEBUG off) on a free loopback port, with a
fresh `IMPACTNUM_VAR_DIR` (so a new SQLite database under it; DATABASE_URL and IMPACTNUM_PROFILE
are removed from the environment), runs `locust --headless` on `bench/load/locustfile.py`, reads
the per-request statistics of its `--csv` output, stops the server and returns the figures.
Failures (any status other than the one a page gives on success, or a form error) and the
server's errors (tracebacks, worker timeouts in its log) are counted: the requirement is none.
"""

from __future__ import annotations

import contextlib
import csv
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")
CLI = Path(sys.executable).with_name("impactnum")
HOST = "127.0.0.1"

USERS = 50
SPAWN_RATE = 10
FULL_DURATION_S = 300
QUICK_DURATION_S = 30
P95_TARGET_S = 0.5
SETUP_SUFFIX = " (setup)"
"""Requests a simulated user makes once to find its own devices and assets: not a page."""


@contextlib.contextmanager
def make_run_server(var: Path, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`impactnum serve --demo-if-empty` as `make run` starts it, in its own process group; waits
    until the login page answers (migrations and the demo come first), stops it afterwards."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "IMPACTNUM_PROFILE")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(IMPACTNUM_VAR_DIR=str(var), PORT=str(port))
    with open(log, "wb") as f:
        proc = subprocess.Popen(
            [str(CLI), "serve", "--demo-if-empty"],
            stdout=f,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=var.parent,
            env=env,
        )
    try:
        deadline = time.monotonic() + 600  # migrations and the demo data on a busy machine
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"impactnum serve exited ({proc.returncode}); see {log}")
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=5)
                conn.request("GET", "/login/")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"impactnum serve did not answer on {port}") from None
                time.sleep(0.5)
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # the group of the server we started
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _ms(cell: str) -> float | None:
    try:
        return float(cell)
    except (TypeError, ValueError):
        return None  # "N/A" when a name has no request


def read_stats(path: Path) -> list[dict[str, Any]]:
    """Rows of locust's `<prefix>_stats.csv`: per request name, and the aggregated row."""
    rows = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append(
                {
                    "method": r["Type"],
                    "name": r["Name"],
                    "requests": int(r["Request Count"]),
                    "failures": int(r["Failure Count"]),
                    "p50_ms": _ms(r["50%"]),
                    "p95_ms": _ms(r["95%"]),
                    "max_ms": _ms(r["Max Response Time"]),
                    "rps": float(r["Requests/s"] or 0),
                }
            )
    return rows


def read_failures(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return [
            {
                "method": r["Method"],
                "name": r["Name"],
                "error": r["Error"],
                "occurrences": int(r["Occurrences"]),
            }
            for r in csv.DictReader(f)
        ]


def steady_state(path: Path) -> dict[str, Any]:
    """Per request name, p50 and p95 of the requests started once every user had logged in
    (the end of the last login): the steady state, without the start-up burst of logins."""
    import numpy as np

    rows = []
    if path.exists():
        with open(path, newline="", encoding="utf-8") as f:
            for end_text, method, name, ms_text, failed in csv.reader(f):
                rows.append((float(end_text), method, name, float(ms_text), failed == "1"))
    logins = [end for end, _m, name, _ms, _f in rows if name == "/login/ [POST]"]
    if not logins:
        return {"since_s": None, "pages": {}}
    first = min(end - ms / 1000 for end, _m, _n, ms, _f in rows)
    since = max(logins)
    by_name: dict[str, list[float]] = {}
    for end, method, name, ms, _f in rows:
        if end - ms / 1000 >= since:
            by_name.setdefault(f"{method} {name}", []).append(ms)
    pages = {
        key: {
            "n": len(v),
            "p50_ms": float(np.percentile(v, 50)),
            "p95_ms": float(np.percentile(v, 95)),
        }
        for key, v in by_name.items()
    }
    return {"since_s": since - first, "pages": pages}


def server_errors(log: Path) -> dict[str, int]:
    """Tracebacks, worker timeouts and 5xx answers in the server's output (access log on)."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    status_5xx = sum(1 for line in text.splitlines() if '" 5' in line and "HTTP/1" in line)
    return {
        "tracebacks": text.count("Traceback (most recent call last)"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
        "status_5xx": status_5xx,
        "database_locked": text.count("database is locked"),
    }


def run(quick: bool, duration: int | None = None, users: int = USERS) -> dict[str, Any]:
    """Start the server, run the scenario, stop the server; the figures."""
    from bench.run import machine

    seconds = duration or (QUICK_DURATION_S if quick else FULL_DURATION_S)
    out: dict[str, Any] = {
        "quick": quick,
        "machine": machine(),
        "users": users,
        "spawn_rate": SPAWN_RATE,
        "duration_s": seconds,
    }
    t0 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="impactnum-bench-load-"))
    try:
        var, log = tmp / "var", tmp / "serve.log"
        port = _free_port()
        print(f"[bench:load] impactnum serve --demo-if-empty on {HOST}:{port}…", flush=True)
        t_start = time.perf_counter()
        with make_run_server(var, port, log):
            out["server_start_s"] = time.perf_counter() - t_start
            print(f"[bench:load] locust: {users} users, {SPAWN_RATE}/s, {seconds} s…", flush=True)
            prefix = tmp / "locust"
            times = tmp / "times.csv"
            out["load_average_before_locust"] = os.getloadavg()
            cmd = [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(LOCUSTFILE),
                "--host",
                f"http://{HOST}:{port}",
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(SPAWN_RATE),
                "--run-time",
                f"{seconds}s",
                "--stop-timeout",
                "15",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ]
            env = {**os.environ, "IMPACTNUM_LOAD_TIMES": str(times)}
            locust = subprocess.run(
                cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False
            )
            out["load_average_after"] = os.getloadavg()
            out["locust_exit"] = locust.returncode
            out["locust_warnings"] = [
                line
                for line in locust.stderr.splitlines()
                if "CPU usage" in line or "Error" in line or "Traceback" in line
            ][:10]
            stats_csv = Path(f"{prefix}_stats.csv")
            if not stats_csv.exists():
                raise RuntimeError(f"locust wrote no statistics:\n{locust.stderr[-3000:]}")
            out["stats"] = read_stats(stats_csv)
            out["failures"] = read_failures(Path(f"{prefix}_failures.csv"))
            out["steady"] = steady_state(times)
        out["server"] = server_errors(log)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out["total_s"] = time.perf_counter() - t0
    out["figures"] = figures(out, judged=not quick and seconds == FULL_DURATION_S)
    return out


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def figures(r: dict[str, Any], judged: bool) -> list[dict[str, Any]]:
    """One row per page (request name): p95 against the target; setup requests not judged."""
    from bench.web import row

    rows = []
    steady = r.get("steady", {}).get("pages", {})
    for s in r["stats"]:
        if s["name"] == "Aggregated":
            continue
        setup = s["name"].endswith(SETUP_SUFFIX)
        p95 = s["p95_ms"] / 1000 if s["p95_ms"] is not None else None
        after = steady.get(f"{s['method']} {s['name']}")
        after_note = (
            f"; after the logins: p50 {after['p50_ms']:.0f} ms, p95 {after['p95_ms']:.0f} ms "
            f"({after['n']:,} requests)"
            if after
            else ""
        )
        rows.append(
            row(
                f"`{s['method']} {s['name']}`",
                p95,
                "{:.3f} s",
                None if setup else P95_TARGET_S,
                judged=judged,
                note=f"{s['requests']:,} requests, {s['failures']} failures, p50 "
                f"{(s['p50_ms'] or 0):.0f} ms, max {(s['max_ms'] or 0):.0f} ms"
                + after_note
                + ("; once per technician, to find its own devices" if setup else ""),
                key=f"{s['method']} {s['name']}",
            )
        )
    total = next((s for s in r["stats"] if s["name"] == "Aggregated"), None)
    if total:
        failures = total["failures"] + sum(r["server"].values())
        rows.append(
            row(
                "Failures and server errors (all requests)",
                float(failures),
                "{:.0f}",
                0.0,
                judged=True,
                note=f"{total['requests']:,} requests at {total['rps']:.1f}/s; p50 "
                f"{(total['p50_ms'] or 0):.0f} ms, p95 {(total['p95_ms'] or 0):.0f} ms",
                key="failures",
            )
        )
    return rows


def section(r: dict[str, Any]) -> str:
    from bench.web import machine_md, table_md

    load_after = ", ".join(f"{x:.2f}" for x in r.get("load_average_after") or ())
    server = r["server"]
    out = [
        "## Load: 50 users for 5 minutes against `make run`\n",
        "`bench/load/locustfile.py` (Locust) against the server `make run` starts "
        "(`impactnum serve --demo-if-empty`: gunicorn, 2 sync workers, DEBUG off, SQLite in a "
        f"fresh `IMPACTNUM_VAR_DIR`, the demo data; ready in {r['server_start_s']:.0f} s). "
        f"{r['users']} users spawned at {r['spawn_rate']}/s, for {r['duration_s']} s, "
        "headless, on the same machine as the server (Locust's own CPU counts against it). "
        "Weights 4 : 2 : 2 : 2: officials (`admin`, `elu`) read the territory dashboard, the "
        "fleet indicators and quotas and the projects' results; project editors (`manager`) "
        "open a line's htmx edit row and save a new quantity (CSRF token from the form), then "
        "read the results; technicians (`technicien`) move their own reuse devices ready ↔ "
        "reserved and in repair ↔ waiting for parts, their own fleet assets in service ↔ spare, "
        "and edit assets through the full form; API clients (a personal token) list assets, "
        "devices and projects and `POST /api/calc` a one-laptop project. People wait 3–10 s "
        "between clicks, API clients 1–4 s. Each user logs in once at the start: the 50 "
        "logins (PBKDF2 password hashing, the slowest request by design) fall in the first "
        "seconds, while the first pages are asked for, and are counted with the rest.",
        "",
        "Measured is Locust's p95 over the whole run; the note adds p50 and p95 (exact) of "
        "the requests started after the last login ended"
        + (
            f" ({r['steady']['since_s']:.0f} s into the run)"
            if r.get("steady", {}).get("since_s") is not None
            else ""
        )
        + ": the steady state, once the start-up burst has drained.",
        "",
        "Requests are named by route; a failure is any status other than the page's success "
        "status (200, or the 302 after a saved form; a refused form answers 400, a conflict "
        "409). p50 and p95 are "
        "Locust's (approximated: rounded to 10 ms above 100 ms, 100 ms above 1 s).",
        "",
        machine_md(r["machine"], r.get("total_s"))
        + f" Load average when Locust stopped: {load_after}.",
        "",
        *table_md(r["figures"]),
        "",
        f"Server log: {server['tracebacks']} tracebacks, {server['status_5xx']} answers 5xx, "
        f"{server['worker_timeouts']} worker timeouts, {server['database_locked']} "
        "'database is locked'.",
    ]
    if r["failures"]:
        out += ["", "Failures:", ""]
        out += [
            f"- `{f['method']} {f['name']}`: {f['error']} ({f['occurrences']}×)"
            for f in r["failures"][:20]
        ]
    if r.get("locust_warnings"):
        out += ["", "Locust warned: " + "; ".join(r["locust_warnings"][:3])]
    if r.get("quick") or r["duration_s"] != FULL_DURATION_S:
        out.append(
            f"\nA trial run ({r['duration_s']} s, not {FULL_DURATION_S}): targets are not judged."
        )
    return "\n".join(out) + "\n"
