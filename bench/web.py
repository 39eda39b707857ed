"""The web application under load: the results page of a 200-line project, and the throughput of
`POST /api/calc` beside BoaviztAPI's `/v1/terminal/laptop`, both with 2 worker processes.

    .venv/bin/python bench/run.py --only web          # full size; rewrites the web section
    .venv/bin/python bench/web.py --quick             # prints the figures as JSON

Every measurement runs in a child process with its own temporary `IMPACTNUM_VAR_DIR` and SQLite
`DATABASE_URL` (Django is configured once per process, and the data sets of the fleet and reuse
benchmarks are large): `run(quick)` starts `python -m bench.web --child`, which builds the data
with the services, measures, profiles the missed targets and writes its figures as JSON.

- **server time**: the page requested through Django's test `Client` in the child (the whole
  middleware stack, templates, database; no socket): wall time of each request;
- **over HTTP**: the same page from `impactnum serve` (gunicorn, 2 workers) on a free loopback
  port, with the session cookie of the same user; wall time seen by the client;
- **throughput**: a closed-loop load generator (threads with `http.client`, each sending its
  next request when the previous answer is read) against `impactnum serve --workers 2` with a
  personal API token, then against `uvicorn boaviztapi.main:app --workers 2`, one after the
  other, same clients, same duration. Connections are kept alive when the server allows it
  (uvicorn does; gunicorn's sync workers close each one, so the client reconnects).

This module also holds what `bench/fleet.py` and `bench/reuse.py` share: the child process, the
percentiles, the profiler and the rows of the results tables.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import http.client
import io
import json
import os
import pstats
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).with_name("impactnum")
HOST = "127.0.0.1"  # only ever the loopback

# --- shared: the child process ---------------------------------------------------------------


def in_child(module: str, quick: bool, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run `python -m bench.<module> --child` in a temporary var dir and SQLite database; its
    JSON figures. The directory (database included) is removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix=f"impactnum-bench-{module}-"))
    out = tmp / "result.json"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(
        IMPACTNUM_VAR_DIR=str(tmp / "var"),
        DATABASE_URL=f"sqlite:///{tmp / 'var' / 'bench.sqlite3'}",
        IMPACTNUM_PROFILE="local",
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    cmd = [sys.executable, "-m", f"bench.{module}", "--child", "--json", str(out)]
    if quick:
        cmd.append("--quick")
    if params:
        cmd += ["--params", json.dumps(params)]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"bench.{module} child failed (exit {proc.returncode})")
        return json.loads(out.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def child_main(measure: Callable[[bool, dict[str, Any]], dict[str, Any]], doc: str) -> None:
    """The command line of a section module: `--child` (in the prepared environment) measures
    and writes JSON; without it, the module runs itself through `in_child` and prints JSON."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--params", default="{}", help="JSON object of sizes (tests)")
    args = p.parse_args()
    if not args.child:
        module = Path(sys.modules["__main__"].__file__ or "").stem
        print(json.dumps(in_child(module, args.quick, json.loads(args.params)), indent=2))
        return
    setup_django()
    result = measure(args.quick, json.loads(args.params))
    text = json.dumps(result, indent=2, default=str)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    else:
        print(text)


def setup_django() -> None:
    """Start Django on the child's database and create its tables."""
    sys.path.insert(0, str(ROOT))
    from django.core.management import call_command

    from impactnum.web.config import setup

    setup()
    call_command("migrate", interactive=False, verbosity=0)


def machine_line() -> dict[str, Any]:
    from bench.run import machine

    return machine()


# --- shared: timing, figures, profiles -------------------------------------------------------


def stats(times: list[float]) -> dict[str, Any]:
    """p50, p95, mean and max in seconds (p95 by linear interpolation), and every run."""
    import numpy as np

    a = np.asarray(times, dtype=float)
    return {
        "n": len(times),
        "p50_s": float(np.percentile(a, 50)),
        "p95_s": float(np.percentile(a, 95)),
        "mean_s": float(a.mean()),
        "max_s": float(a.max()),
        "runs": [round(t, 6) for t in times],
    }


def timed(fn: Callable[[], Any], n: int, warmup: int = 3) -> dict[str, Any]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return stats(times)


def row(
    name: str,
    value: float | None,
    fmt: str,
    target: float | None = None,
    cmp: str = "<=",
    *,
    judged: bool = True,
    note: str = "",
    key: str = "",
) -> dict[str, Any]:
    """A row of a results table (the same shape as `bench/run.py`'s)."""
    met = None
    if value is not None and target is not None and judged:
        met = value <= target if cmp == "<=" else value >= target
    return {
        "figure": name,
        "key": key,
        "value": value,
        "measured": "not run" if value is None else fmt.format(value),
        "target": ""
        if target is None
        else f"{cmp.replace('<=', '≤').replace('>=', '≥')} " + fmt.format(target),
        "met": met,
        "note": note,
    }


def _where(file: str, line: int, func: str) -> str:
    for marker in ("/impactnum/", "/site-packages/"):
        if marker in file:
            rel = file[file.index(marker) + 1 :]
            prefix = "src/" if marker == "/impactnum/" else ""
            return f"{prefix}{rel}:{line} {func}"
    if file.startswith("~") or file.startswith("<"):
        return func
    return f"{Path(file).name}:{line} {func}"


def _caller() -> str:
    """The innermost impactnum frame running a query (and whether a template asked for it)."""
    stack = traceback.extract_stack()[:-3]
    in_template = any("/django/template/" in f.filename for f in stack)
    for f in reversed(stack):
        if "/impactnum/" in f.filename and "/bench/" not in f.filename:
            where = _where(f.filename, f.lineno or 0, f.name)
            return where + (", rendering a template" if in_template else "")
    return "?"


def profile(fn: Callable[[], Any], top: int = 12, own: int = 6) -> list[dict[str, Any]]:
    """Run fn under cProfile: impactnum's functions by cumulative time (they include the
    library calls they make), then the functions of any file with the most time of their own.
    The first row also holds the SQL statements that took the most time, with their caller."""
    from django.db import connection

    queries: dict[str, dict[str, Any]] = {}

    def timed_sql(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(str(sql).split())
            q = queries.setdefault(key, {"sql": key[:600], "calls": 0, "s": 0.0})
            q["calls"] += 1
            q["s"] += time.perf_counter() - t0
            if "from" not in q:
                q["from"] = _caller()

    prof = cProfile.Profile()
    with connection.execute_wrapper(timed_sql):
        prof.runcall(fn)
    st = pstats.Stats(prof, stream=io.StringIO())
    total = max(st.total_tt, 1e-9)  # type: ignore[attr-defined]
    ours, everyone = [], []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        r = {
            "where": _where(file, line, func),
            "calls": nc,
            "cum_s": ct,
            "own_s": tt,
            "share": ct / total,
        }
        everyone.append(r)
        if "/impactnum/" in file and "/bench/" not in file:
            ours.append(r)
    ours.sort(key=lambda r: r["cum_s"], reverse=True)
    everyone.sort(key=lambda r: r["own_s"], reverse=True)
    heavy = [{**r, "where": r["where"] + " (own time)"} for r in everyone[:own]]
    slow = sorted(queries.values(), key=lambda q: q["s"], reverse=True)[:5]
    return [{"total_s": total, "queries": slow}, *ours[:top], *heavy]


# --- shared: the markdown of a section -------------------------------------------------------


def _met(m: bool | None) -> str:
    return {True: "yes", False: "**no**", None: ""}[m]


def machine_md(m: dict[str, Any], total_s: float | None = None) -> str:
    load = ", ".join(f"{x:.2f}" for x in m.get("load_average_at_start") or ())
    ram = f"{m['ram_bytes'] / 2**30:.1f} GiB" if m.get("ram_bytes") else "unknown RAM"
    text = (
        f"Measured {m['date']} on {m['cpu']}, {m['cores']} usable cores, {ram}, "
        f"{m['os']}, Python {m['python']}, impactnum {m['impactnum']}"
        + (f", boaviztapi {m['boaviztapi']}" if m.get("boaviztapi") else "")
        + f"; load average at start {load} (the machine is shared)"
    )
    if total_s is not None:
        text += f"; this section took {total_s:.0f} s"
    return text + "."


def table_md(rows: list[dict[str, Any]]) -> list[str]:
    out = ["| Figure | Measured | Target | Met | Note |", "|---|---:|---:|:---:|---|"]
    for r in rows:
        out.append(
            f"| {r['figure']} | {r['measured']} | {r['target']} | {_met(r['met'])} | {r['note']} |"
        )
    return out


def profiles_md(profiles: dict[str, list[dict[str, Any]]]) -> list[str]:
    if not profiles:
        return []
    out = [
        "",
        "**Where the time goes (targets missed).** cProfile of each missed figure's work, "
        "impactnum functions by cumulative time (they include the library calls they make), "
        "then the functions with the most time of their own:",
    ]
    for stage, rows in profiles.items():
        out += [
            "",
            f"*{stage}* — {rows[0]['total_s']:.2f} s under the profiler\n",
            "| Function | Calls | Cumulative | Share | Own |",
            "|---|---:|---:|---:|---:|",
        ]
        for p in rows[1:]:
            out.append(
                f"| `{p['where']}` | {p['calls']} | {p['cum_s']:.3f} s | "
                f"{p['share']:.0%} | {p['own_s']:.3f} s |"
            )
        queries = [q for q in rows[0].get("queries", []) if q["s"] >= 0.001]
        if queries:
            out += [
                "",
                "SQL statements that took the most time (same run):\n",
                "| Statement | Calls | Time | Run from |",
                "|---|---:|---:|---|",
            ]
            for q in queries:
                sql = q["sql"] if len(q["sql"]) <= 240 else q["sql"][:240] + " …"
                sql = sql.replace("|", "\\|").replace("`", "'")
                out.append(f"| `{sql}` | {q['calls']} | {q['s']:.3f} s | `{q['from']}` |")
    return out


def ms(s: float) -> str:
    return f"{s * 1000:.1f} ms"


# --- shared: servers and the load generator --------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server(cmd: list[str], port: int, log: Path, ready_path: str = "/") -> Iterator[int]:
    """Start a server (its own process group), wait until it answers, stop it afterwards."""
    with open(log, "wb") as f:
        proc = subprocess.Popen(
            cmd, stdout=f, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited ({proc.returncode}); see {log}")
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                conn.request("GET", ready_path)
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{cmd[0]} did not answer on port {port}") from None
                time.sleep(0.2)
        yield proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # the group of the process we started
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def http_times(
    port: int, method: str, path: str, n: int, headers: dict[str, str], body: bytes | None = None
) -> dict[str, Any]:
    """n sequential requests (after 3 warm-ups); client-side wall time of each."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    times: list[float] = []
    statuses: dict[int, int] = {}
    for i in range(n + 3):
        t0 = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        if i >= 3:
            times.append(time.perf_counter() - t0)
            statuses[resp.status] = statuses.get(resp.status, 0) + 1
    conn.close()
    return {**stats(times), "statuses": statuses}


def load(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None,
    headers: dict[str, str],
    clients: int,
    seconds: float,
    expect: int = 200,
) -> dict[str, Any]:
    """Closed loop: `clients` threads, each sending its next request as soon as it has read the
    previous answer, for `seconds`. Requests per second, latency p50/p95, errors."""
    start = threading.Barrier(clients + 1)
    deadline = [0.0]
    lat: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        start.wait()
        while time.perf_counter() < deadline[0]:
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == expect
            except (OSError, http.client.HTTPException):
                conn.close()
                ok = False
            if ok:
                lat[i].append(time.perf_counter() - t0)
            else:
                errors[i] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    deadline[0] = time.perf_counter() + seconds
    t0 = time.perf_counter()
    start.wait()
    for t in threads:
        t.join(seconds + 120)
    elapsed = time.perf_counter() - t0
    times = [x for per in lat for x in per]
    out = stats(times) if times else {"n": 0}
    out.pop("runs", None)
    return {
        **out,
        "requests": len(times),
        "errors": sum(errors),
        "seconds": elapsed,
        "requests_per_s": len(times) / elapsed if elapsed > 0 else 0.0,
        "clients": clients,
    }


# --- this section ----------------------------------------------------------------------------

TARGETS = {"results_p95_s": 0.150, "calc_ratio": 1.0}
EQUIPMENT_MIX = (
    # kind, quantity, lifespan (None: the set's default), kWh/yr (None: default use)
    ("laptop", 120, 5.0, None),
    ("desktop", 80, 6.0, 110.0),
    ("monitor", 150, None, None),
    ("smartphone", 60, 3.0, None),
    ("tablet", 25, 4.0, None),
    ("printer", 6, 7.0, 90.0),
    ("box", 12, None, None),
    ("server", 4, 6.0, 2400.0),
    ("television", 3, None, None),
    ("network_equipment", 10, 8.0, None),
)
NETWORK_MIX = (("fixed", 15_000.0), ("mobile", 2_400.0))
AVOIDED_MIX = (("paper", 12_000.0), ("vehicle_km", 8_000.0), ("electricity", 3_500.0))
ONE_LAPTOP = {
    "project": {"name": "One laptop", "factors": "boavizta-2.5", "horizon_years": 1},
    "scenarios": [
        {"name": "Baseline", "equipment": [{"kind": "laptop", "quantity": 1, "country": "FRA"}]}
    ],
}
BOAVIZTA_PATH = "/v1/terminal/laptop?verbose=false&duration=8760" + "".join(
    f"&criteria={c}" for c in ("gwp", "adp", "pe", "wu")
)
BOAVIZTA_BODY = {"usage": {"usage_location": "FRA"}}


def people() -> tuple[Any, Any]:
    """An organisation and its administrator."""
    from impactnum.web.core import services as core

    org = core.create_organisation(None, slug="bench", name="Ville de Bench", kind="commune")
    user = core.create_user(None, username="bench", password="bench-Impactnum-1")
    core.set_membership(None, user, org, "administrator")
    return org, user


def logged_in_client(user: Any) -> Any:
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    return client


def build_project(org: Any, user: Any, lines: int) -> Any:
    """A project of `lines` lines through the services: a baseline (equipment, network,
    avoided flows, costs) and a variant copied from it with longer lifespans."""
    from impactnum.web.projects import services

    project = services.create_project(user, org, name=f"Bench {lines} lines", horizon_years=5)
    base = project.scenarios.get()
    services.update_scenario(user, base, capex=50_000, opex_per_year=120_000)
    half = lines // 2
    n_net, n_avoided = max(1, half // 20), max(1, half // 20)
    n_eq = max(1, half - n_net - n_avoided)
    for i in range(n_eq):
        kind, qty, life, kwh = EQUIPMENT_MIX[i % len(EQUIPMENT_MIX)]
        services.add_line(
            user,
            base,
            "equipment",
            label=f"{kind} {i}",
            kind=kind,
            quantity=qty + i % 7,
            lifespan_years=life,
            kwh_per_year=kwh,
            refurbished=i % 9 == 0,
            country="FRA" if i % 5 else "",
        )
    for i in range(n_net):
        kind, gb = NETWORK_MIX[i % len(NETWORK_MIX)]
        services.add_line(user, base, "network", label=f"net {i}", kind=kind, gb_per_year=gb)
    for i in range(n_avoided):
        flow, qty = AVOIDED_MIX[i % len(AVOIDED_MIX)]
        services.add_line(
            user,
            base,
            "avoided",
            label=f"avoided {i}",
            flow=flow,
            quantity_per_year=qty,
            low=qty * 0.8,
            high=qty * 1.2,
        )
    variant = services.add_scenario(user, project, "Durées de vie allongées", copy_from=base)
    for line in variant.equipment.all()[::3]:
        services.update_line(user, "equipment", line, lifespan_years=(line.lifespan_years or 5) + 2)
    return project


def measure(quick: bool, params: dict[str, Any]) -> dict[str, Any]:
    from impactnum.web.core import services as core

    t_start = time.perf_counter()
    lines = int(params.get("lines", 200))
    n = int(params.get("requests", 20 if quick else 50))
    seconds = float(params.get("seconds", 3 if quick else 10))
    clients = int(params.get("clients", 8))
    judged = not quick and not params
    out: dict[str, Any] = {"machine": machine_line(), "quick": quick, "params": params}

    org, user = people()
    t0 = time.perf_counter()
    project = build_project(org, user, lines)
    from impactnum.web.projects.models import AvoidedFlowLine, EquipmentLine, NetworkLine

    counted = sum(
        m.objects.filter(scenario__project=project).count()
        for m in (EquipmentLine, NetworkLine, AvoidedFlowLine)
    )
    out["project"] = {
        "lines": counted,
        "scenarios": project.scenarios.count(),
        "build_s": time.perf_counter() - t0,
    }
    url = f"/projects/{project.pk}/results/"
    client = logged_in_client(user)

    def get_results() -> None:
        r = client.get(url)
        assert r.status_code == 200, r.status_code

    print(f"[bench:web] results page of a {counted}-line project, {n} requests…", flush=True)
    out["results_server"] = timed(get_results, n)

    token = core.create_token(user, "bench")[1]
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    var = Path(os.environ["IMPACTNUM_VAR_DIR"])
    calc_body = json.dumps(ONE_LAPTOP).encode()
    calc_headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Host": f"{HOST}",
    }
    r = client.post(
        "/api/calc",
        data=calc_body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert r.status_code == 200, r.content[:500]
    out["calc_response_bytes"] = len(r.content)

    port = free_port()
    serve = [str(CLI), "serve", "--workers", "2", "--host", HOST, "--port", str(port)]
    print(f"[bench:web] impactnum serve --workers 2 on {HOST}:{port}…", flush=True)
    with server(serve, port, var / "serve.log", ready_path="/login/"):
        out["results_http"] = http_times(port, "GET", url, n, {"Cookie": cookie, "Host": HOST})
        http_times(port, "POST", "/api/calc", 10, calc_headers, calc_body)  # warm both workers
        print(f"[bench:web] POST /api/calc, {clients} clients for {seconds:g} s…", flush=True)
        out["calc_load"] = load(
            port,
            "POST",
            "/api/calc",
            body=calc_body,
            headers=calc_headers,
            clients=clients,
            seconds=seconds,
        )
    try:
        import boaviztapi  # noqa: F401

        port = free_port()
        uv = [
            sys.executable,
            "-m",
            "uvicorn",
            "boaviztapi.main:app",
            "--host",
            HOST,
            "--port",
            str(port),
            "--workers",
            "2",
        ]
        bz_body = json.dumps(BOAVIZTA_BODY).encode()
        bz_headers = {"Content-Type": "application/json", "Host": HOST}
        print(f"[bench:web] uvicorn boaviztapi --workers 2 on {HOST}:{port}…", flush=True)
        with server(uv, port, var / "boavizta.log", ready_path="/v1/utils/version"):
            http_times(port, "POST", BOAVIZTA_PATH, 10, bz_headers, bz_body)
            print(
                f"[bench:web] BoaviztAPI laptop, {clients} clients for {seconds:g} s…", flush=True
            )
            out["boavizta_load"] = load(
                port,
                "POST",
                BOAVIZTA_PATH,
                body=bz_body,
                headers=bz_headers,
                clients=clients,
                seconds=seconds,
            )
    except ImportError as exc:
        out["boavizta_load"] = {"skipped": f"boaviztapi not installed ({exc})"}

    out["figures"] = figures(out, judged)
    missed = {r["key"] for r in out["figures"] if r["met"] is False}
    out["profiles"] = {}
    if "results_p95" in missed or "results_http_p95" in missed:
        print("[bench:web] profiling the results page…", flush=True)
        out["profiles"][f"GET {url} × 20 (test client)"] = profile(
            lambda: [get_results() for _ in range(20)]
        )
    if "calc_ratio" in missed:
        print("[bench:web] profiling POST /api/calc…", flush=True)

        def calls() -> None:
            for _ in range(200):
                client.post(
                    "/api/calc",
                    data=calc_body,
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {token}",
                )

        out["profiles"]["POST /api/calc × 200 (test client, one process)"] = profile(calls)
    out["total_s"] = time.perf_counter() - t_start
    return out


def figures(r: dict[str, Any], judged: bool) -> list[dict[str, Any]]:
    rs, rh = r["results_server"], r["results_http"]
    lines = r["project"]["lines"]
    rows = [
        row(
            f"Results page, {lines}-line project: server time p95 (test client, SQLite)",
            rs["p95_s"],
            "{:.3f} s",
            TARGETS["results_p95_s"],
            judged=judged,
            note=f"p50 {ms(rs['p50_s'])}, {rs['n']} requests",
            key="results_p95",
        ),
        row(
            "Results page over HTTP (`impactnum serve`, 2 workers): p95",
            rh["p95_s"],
            "{:.3f} s",
            TARGETS["results_p95_s"],
            judged=judged,
            note=f"p50 {ms(rh['p50_s'])}, {rh['n']} sequential requests",
            key="results_http_p95",
        ),
    ]
    cl, bz = r["calc_load"], r["boavizta_load"]
    rows.append(
        row(
            "`POST /api/calc`, one laptop, 2 gunicorn workers: requests per second",
            cl["requests_per_s"],
            "{:,.0f} /s",
            note=f"p50 {ms(cl.get('p50_s', 0))}, p95 {ms(cl.get('p95_s', 0))}, "
            f"{cl['requests']:,} requests, {cl['errors']} errors",
            key="calc_rps",
        )
    )
    if "requests_per_s" in bz:
        rows.append(
            row(
                "BoaviztAPI `POST /v1/terminal/laptop`, 2 uvicorn workers: requests per second",
                bz["requests_per_s"],
                "{:,.0f} /s",
                note=f"p50 {ms(bz.get('p50_s', 0))}, p95 {ms(bz.get('p95_s', 0))}, "
                f"{bz['requests']:,} requests, {bz['errors']} errors",
                key="boavizta_rps",
            )
        )
        ratio = cl["requests_per_s"] / bz["requests_per_s"] if bz["requests_per_s"] else None
        rows.append(
            row(
                "Ratio: impactnum ÷ BoaviztAPI requests per second",
                ratio,
                "{:.2f}×",
                TARGETS["calc_ratio"],
                ">=",
                judged=judged,
                key="calc_ratio",
            )
        )
    else:
        rows.append(row("BoaviztAPI", None, "", note=bz.get("skipped", ""), key="boavizta_rps"))
    return rows


def run(quick: bool, **params: Any) -> dict[str, Any]:
    """Measure in a child process; the figures (and profiles of missed targets)."""
    return in_child("web", quick, params)


def section(r: dict[str, Any]) -> str:
    cl = r["calc_load"]
    out = [
        "## Web: results page and `POST /api/calc`\n",
        f"A project of {r['project']['lines']} lines ({r['project']['scenarios']} scenarios: a "
        "baseline of equipment, network and avoided-flow lines, and a variant copied from it) "
        "is built with the projects services in a temporary SQLite database. Its results page "
        f"`/projects/<id>/results/` is requested {r['results_server']['n']} times (after 3 "
        "warm-ups) through Django's test client in the benchmark's process (server time: "
        "middleware, database, engine, templates, no socket), then as many times over HTTP from "
        "`impactnum serve --workers 2` on a loopback port with the same user's session cookie "
        "(time seen by the client).",
        "",
        "Throughput: `impactnum serve --workers 2` (gunicorn) with a personal API token, then "
        "`uvicorn boaviztapi.main:app --workers 2`, one after the other in the same run, each "
        f"under {cl['clients']} closed-loop clients (threads with `http.client`) for "
        f"{cl['seconds']:.0f} s. impactnum gets the project file of one laptop (`boavizta-2.5` "
        "factors, France) and answers the full result (every criterion, phase and the "
        f"economic figures, {r.get('calc_response_bytes', 0):,} bytes); BoaviztAPI gets "
        f"`{BOAVIZTA_PATH}` with `{json.dumps(BOAVIZTA_BODY)}` (the four criteria impactnum "
        "computes, no verbose output: its lightest answer). Connections are kept alive where "
        "the server allows it: uvicorn does; gunicorn's sync workers close each connection, so "
        "impactnum's clients reconnect every request.",
        "",
        machine_md(r["machine"], r.get("total_s")),
        "",
        *table_md(r["figures"]),
    ]
    if r.get("quick") or r.get("params"):
        out.append("\nA trial run (`--quick` or custom sizes): targets are not judged.")
    out += profiles_md(r.get("profiles", {}))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    child_main(measure, __doc__ or "")
