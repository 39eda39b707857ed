"""The scale path: the main pages with 10,000,000 events in PostgreSQL (not CI).

    .venv/bin/python bench/run.py --only scale                       # 10,000,000 events
    .venv/bin/python bench/run.py --only scale --scale-events 1000000 --no-docs   # fewer
    IMPACTNUM_BENCH_PG_URL=postgres://user@host:5432/name .venv/bin/python bench/run.py --only scale

The database of `IMPACTNUM_BENCH_PG_URL` (default `DEFAULT_PG_URL`) is the benchmark's own: it is
dropped and created again, then migrated, by a child process (`python -m bench.scale --child`)
whose Django uses it. `make bench` runs this section only when that PostgreSQL server answers.

The fill, fast (rows are made by PostgreSQL, not sent from Python):

1. `ORGANISATIONS` organisations; the first, the measured one, gets a fleet and a reuse
   workshop built in bulk by `bench/fleet.py` and `bench/reuse.py` (departments, locations,
   repairs, lots, devices in every status with their history, media, wipes, provisions…);
2. its assets, lots and devices are copied to the other organisations with `INSERT … SELECT`;
3. the event tables are filled up to the number of events asked for with `INSERT … SELECT …
   FROM generate_series(…)`, by chunks of `CHUNK` rows: fleet asset events (`SHARES`), reuse
   device events and audit events, spread evenly over every asset, device and organisation,
   dated over the last five years, with the types and statuses the pages count (status
   changes, dismantled devices, harvested parts, repairs);
4. `VACUUM ANALYZE` (statistics for the planner, the visibility map for index-only scans).

Then each main page is requested `REQUESTS` times (after 2 warm-ups) through Django's test
client as an administrator of the measured organisation (server time), the retention job is
timed in a dry run, and the statements that read an event table are run again under `EXPLAIN
(ANALYZE, BUFFERS)`: the page writes which index each one used.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.web import child_main, logged_in_client, machine_md, ms, row, stats, table_md

ROOT = Path(__file__).resolve().parent.parent
PG_URL_ENV = "IMPACTNUM_BENCH_PG_URL"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/impactnum_scale"
FULL_EVENTS = 10_000_000
QUICK_EVENTS = 200_000
ORGANISATIONS = 20
ASSETS_PER_ORG = 10_000
DEVICES_PER_ORG = 5_000
SHARES = {"fleet_assetevent": 0.6, "reuse_deviceevent": 0.3, "core_auditevent": 0.1}
"""How the events are shared between the three event tables."""
CHUNK = 1_000_000
REQUESTS = 20
P95_TARGET_S = 0.5
EVENT_TABLES = tuple(SHARES)
HISTORY_DAYS = 5 * 365


# --- the database ------------------------------------------------------------------------------


def pg_url() -> str:
    return os.environ.get(PG_URL_ENV) or DEFAULT_PG_URL


def _maintenance_url(url: str) -> tuple[str, str]:
    """The URL of the server's `postgres` database, and the name of the benchmark's."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[A-Za-z0-9_]+", name or ""):
        raise SystemExit(f"{PG_URL_ENV}: a database name of letters, digits and _, not {name!r}")
    return urlunsplit(parts._replace(path="/postgres")), name


def pg_available(url: str | None = None) -> bool:
    """Whether the PostgreSQL server of the URL answers (the database need not exist)."""
    try:
        import psycopg

        maintenance, _name = _maintenance_url(url or pg_url())
        with psycopg.connect(maintenance, connect_timeout=3):
            return True
    except Exception:
        return False


def recreate_database(url: str) -> None:
    """Drop the benchmark's own database and create it empty."""
    import psycopg

    maintenance, name = _maintenance_url(url)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def sizes(events: int) -> dict[str, int]:
    """Organisations, assets and devices for a number of events (full size at 10,000,000)."""
    scale = min(1.0, events / FULL_EVENTS)
    orgs = max(2, round(ORGANISATIONS * min(1.0, scale * 4)))
    return {
        "events": events,
        "organisations": orgs,
        "assets_per_org": max(50, round(ASSETS_PER_ORG * scale)),
        "devices_per_org": max(30, round(DEVICES_PER_ORG * scale)),
    }


# --- the fill (in the child) -----------------------------------------------------------------


def _columns(model: Any) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def _copy_sql(model: Any, overrides: dict[str, str], source: str, alias: str) -> str:
    """`INSERT INTO t (cols) SELECT <alias.col or override> FROM <source>` for every column."""
    cols = _columns(model)
    values = [overrides.get(c, f"{alias}.{c}") for c in cols]
    return (
        f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) "
        f"SELECT {', '.join(values)} FROM {source}"
    )


def _execute(sql: str, params: list[Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params or [])
        return int(cur.rowcount)


def build_organisations(n: int) -> tuple[Any, Any, list[Any]]:
    """The measured organisation and its administrator, and the others."""
    from impactnum.web.core import services as core

    orgs = [
        core.create_organisation(
            None, slug=f"scale-{i:02d}", name=f"Collectivité {i:02d}", kind="commune"
        )
        for i in range(n)
    ]
    user = core.create_user(None, username="scale", password="scale-Impactnum-1")
    core.set_membership(None, user, orgs[0], "administrator")
    return orgs[0], user, orgs[1:]


def copy_to_others(org: Any, others: list[Any]) -> dict[str, int]:
    """The measured organisation's assets, lots and devices copied to every other one."""
    from impactnum.web.fleet.models import Asset
    from impactnum.web.reuse.models import Device, Lot

    if not others:
        return {"assets": 0, "lots": 0, "devices": 0}
    other_ids = ",".join(str(o.pk) for o in others)
    src = (
        f"{{t}} s CROSS JOIN core_organisation o "
        f"WHERE s.organisation_id = {org.pk} AND o.id IN ({other_ids})"
    )
    assets = _execute(
        _copy_sql(
            Asset,
            {"organisation_id": "o.id", "department_id": "NULL", "location_id": "NULL"},
            src.format(t=Asset._meta.db_table),
            "s",
        )
    )
    lots = _execute(
        _copy_sql(Lot, {"organisation_id": "o.id"}, src.format(t=Lot._meta.db_table), "s")
    )
    devices = _execute(
        _copy_sql(
            Device,
            {"organisation_id": "o.id", "lot_id": "l2.id", "fleet_asset_id": "NULL"},
            f"{Device._meta.db_table} s JOIN {Lot._meta.db_table} l ON l.id = s.lot_id "
            f"JOIN {Lot._meta.db_table} l2 ON l2.reference = l.reference "
            f"AND l2.organisation_id <> {org.pk} "
            f"JOIN core_organisation o ON o.id = l2.organisation_id "
            f"WHERE s.organisation_id = {org.pk}",
            "s",
        )
    )
    return {"assets": assets, "lots": lots, "devices": devices}


def _numbered(table: str, name: str) -> int:
    """A temporary table `name(n, id, org)` numbering the rows of `table` from 0; its size."""
    _execute(f"DROP TABLE IF EXISTS {name}")
    _execute(
        f"CREATE TEMP TABLE {name} AS SELECT (row_number() OVER (ORDER BY id)) - 1 AS n, id, "
        f"organisation_id AS org FROM {table}"
    )
    _execute(f"CREATE UNIQUE INDEX ON {name} (n)")
    return _count(name)


def _count(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        return int(cur.fetchone()[0])


# Event rows made by PostgreSQL: g is the row's number in the chunk's generate_series; the
# object is the (g * prime mod count)-th, so that consecutive rows spread over every object.
_AT = f"now() - (random() * interval '{HISTORY_DAYS} days')"
EVENT_SQL = {
    "fleet_assetevent": (
        "INSERT INTO fleet_assetevent (asset_id, at, actor_id, type, from_status, to_status, data) "
        "SELECT t.id, {at}, %(actor)s, "
        "CASE WHEN g %% 10 < 6 THEN 'updated' WHEN g %% 10 < 8 THEN 'status_changed' "
        "WHEN g %% 10 = 8 THEN 'repair_opened' ELSE 'repair_closed' END, "
        "CASE WHEN g %% 10 IN (6, 7) THEN 'in_service' ELSE '' END, "
        "CASE WHEN g %% 10 = 6 THEN 'in_repair' WHEN g %% 10 = 7 THEN 'spare' ELSE '' END, "
        'CASE WHEN g %% 10 < 6 THEN \'{{"fields": ["assigned_to"]}}\'::jsonb '
        "ELSE '{{}}'::jsonb END "
        "FROM generate_series(%(first)s, %(last)s) g "
        "JOIN bench_assets t ON t.n = (g::bigint * 7919) %% %(count)s"
    ),
    "reuse_deviceevent": (
        "INSERT INTO reuse_deviceevent (device_id, at, actor_id, type, from_status, to_status, "
        "data) SELECT t.id, {at}, %(actor)s, "
        "CASE WHEN g %% 20 < 10 THEN 'status_changed' WHEN g %% 20 < 14 THEN 'updated' "
        "WHEN g %% 20 < 16 THEN 'diagnosed' WHEN g %% 20 < 18 THEN 'repaired' "
        "WHEN g %% 20 = 18 THEN 'part_harvested' ELSE 'sanitised' END, "
        "CASE WHEN g %% 20 < 10 THEN (ARRAY['to_refurbish', 'diagnosed', 'in_repair', 'qa', "
        "'ready', 'reserved', 'provided', 'to_harvest', 'to_recycle', 'in_shipment'])[1 + g %% 10] "
        "ELSE '' END, "
        "CASE WHEN g %% 20 < 10 THEN (ARRAY['diagnosed', 'in_repair', 'qa', 'ready', 'reserved', "
        "'provided', 'returned', 'dismantled', 'in_shipment', 'shipped'])[1 + g %% 10] "
        "ELSE '' END, "
        "'{{}}'::jsonb "
        "FROM generate_series(%(first)s, %(last)s) g "
        "JOIN bench_devices t ON t.n = (g::bigint * 7919) %% %(count)s"
    ),
    "core_auditevent": (
        "INSERT INTO core_auditevent (at, actor_id, organisation_id, action, object_type, "
        "object_id, before, after) SELECT {at}, %(actor)s, t.org, "
        # Mostly sign-ins (the retention job's rows), then changes; tokens are rare.
        "CASE WHEN g %% 1000 = 0 THEN 'token.revoked' WHEN g %% 1000 = 1 THEN 'token.created' "
        "ELSE (ARRAY['login.succeeded', 'login.succeeded', 'login.succeeded', "
        "'login.succeeded', 'login.failed', 'equipment_line.updated', 'scenario.updated', "
        "'membership.set', 'lifespan_policy.set', 'project.updated'])[1 + g %% 10] END, "
        "CASE WHEN g %% 1000 IN (0, 1) THEN 'core.apitoken' "
        "ELSE (ARRAY['core.loginattempt', 'core.loginattempt', 'core.loginattempt', "
        "'core.loginattempt', 'core.loginattempt', 'projects.equipmentline', "
        "'projects.scenario', 'core.membership', 'fleet.lifespanpolicy', 'projects.project'])"
        "[1 + g %% 10] END, "
        "t.id::text, '{{\"quantity\": 10}}'::jsonb, '{{\"quantity\": 12}}'::jsonb "
        "FROM generate_series(%(first)s, %(last)s) g "
        "JOIN bench_assets t ON t.n = (g::bigint * 7919) %% %(count)s"
    ),
}


def fill_events(events: int, actor_id: int, progress: bool = True) -> dict[str, Any]:
    """Top the event tables up to `events` rows in all (shared by SHARES); rows added per table
    and seconds."""
    counts = {"bench_assets": _numbered("fleet_asset", "bench_assets")}
    counts["bench_devices"] = _numbered("reuse_device", "bench_devices")
    existing = {t: _count(t) for t in EVENT_TABLES}
    missing = max(0, events - sum(existing.values()))
    out: dict[str, Any] = {"existing": existing, "added": {}, "seconds": {}}
    with bulk_load(EVENT_TABLES) as rebuilt:
        _fill_tables(missing, counts, actor_id, out, progress)
    out["index_rebuild_s"] = rebuilt["s"]
    out["total"] = {t: _count(t) for t in EVENT_TABLES}
    return out


@contextlib.contextmanager
def bulk_load(tables: tuple[str, ...]) -> Any:
    """Load fast: foreign-key triggers off for this session (the ids come from the tables
    themselves), no fsync wait, and the tables' secondary indexes dropped, then created again
    from their own definitions (same names, as the migrations made them) once the rows are in."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(tables)],
        )
        indexes = cur.fetchall()
        cur.execute("SET synchronous_commit = off")
        # Needs a superuser; without it the load is slower, not wrong.
        with contextlib.suppress(Exception), connection.cursor() as inner:
            inner.execute("SET session_replication_role = replica")
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
    rebuilt = {"s": 0.0}
    try:
        yield rebuilt
    finally:
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '512MB'")
            for name, definition in indexes:
                print(f"[bench:scale] index {name}…", flush=True)
                cur.execute(definition)
            cur.execute("RESET session_replication_role")
            cur.execute("RESET synchronous_commit")
        rebuilt["s"] = time.perf_counter() - t0


def _fill_tables(
    missing: int, counts: dict[str, int], actor_id: int, out: dict[str, Any], progress: bool
) -> None:
    for table, share in SHARES.items():
        n = round(missing * share)
        count = counts["bench_devices" if table == "reuse_deviceevent" else "bench_assets"]
        t0 = time.perf_counter()
        for first in range(1, n + 1, CHUNK):
            last = min(n, first + CHUNK - 1)
            sql = EVENT_SQL[table].format(at=_AT)
            _execute(sql, {"first": first, "last": last, "count": count, "actor": actor_id})  # type: ignore[arg-type]
            if progress:
                print(f"[bench:scale] {table}: {last:,} / {n:,}", flush=True)
        out["added"][table] = n
        out["seconds"][table] = time.perf_counter() - t0


def fill(size: dict[str, int]) -> dict[str, Any]:
    """Organisations, the measured one's fleet and workshop, copies, events, VACUUM ANALYZE."""
    from bench.fleet import build_fleet
    from bench.reuse import build_chain

    t0 = time.perf_counter()
    org, user, others = build_organisations(size["organisations"])
    print(f"[bench:scale] fleet of {size['assets_per_org']:,} assets…", flush=True)
    fleet = build_fleet(org, size["assets_per_org"])
    print(f"[bench:scale] reuse workshop of {size['devices_per_org']:,} devices…", flush=True)
    chain = build_chain(org, user, size["devices_per_org"])
    copies = copy_to_others(org, others)
    t_base = time.perf_counter() - t0
    print(f"[bench:scale] {size['events']:,} events…", flush=True)
    events = fill_events(size["events"], user.pk)
    t1 = time.perf_counter()
    _execute("VACUUM ANALYZE")
    return {
        "org": org,
        "user": user,
        "fleet": fleet,
        "chain": {k: v for k, v in chain.items() if isinstance(v, int | float)},
        "copies": copies,
        "events": events,
        "base_s": t_base,
        "events_s": t1 - t0 - t_base,
        "analyze_s": time.perf_counter() - t1,
        "assets": _count("fleet_asset"),
        "devices": _count("reuse_device"),
    }


# --- the pages (in the child) ------------------------------------------------------------------


@contextlib.contextmanager
def event_queries() -> Any:
    """Collect (sql, params) of the statements that read an event table."""
    from django.db import connection

    seen: list[tuple[str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        reads = not many and sql.lstrip().upper().startswith("SELECT")
        if reads and any(f'"{t}"' in sql for t in EVENT_TABLES):
            seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


def explain(sql: str, params: Any) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of one statement: its time, the indexes and scans it used."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [r[0] for r in cur.fetchall()]
    text = "\n".join(plan)
    indexes = sorted(set(re.findall(r"(?:Index|Index Only) Scan (?:Backward )?using (\w+)", text)))
    seq = sorted(set(re.findall(r"Seq Scan on (\w+)", text)))
    bitmap = sorted(set(re.findall(r"Bitmap Index Scan on (\w+)", text)))
    took = re.search(r"Execution Time: ([\d.]+) ms", text)
    return {
        "ms": float(took.group(1)) if took else None,
        "indexes": sorted(set(indexes) | set(bitmap)),
        "seq_scans": [t for t in seq if t in EVENT_TABLES],
        "plan": plan[:40],
    }


def pages(org: Any) -> dict[str, str]:
    """The main pages: name -> URL (one asset and one device of the measured organisation with
    the most history: the pages' worst case)."""
    from django.db.models import Count
    from django.utils import timezone

    from impactnum.web.fleet.models import Asset
    from impactnum.web.reuse.models import Device

    asset = (
        Asset.objects.filter(organisation=org).annotate(n=Count("events")).order_by("-n").first()
    )
    device = (
        Device.objects.filter(organisation=org).annotate(n=Count("events")).order_by("-n").first()
    )
    today = timezone.localdate()
    year_ago = today - dt.timedelta(days=365)
    q = f"organisation={org.slug}"
    return {
        "Territory dashboard": f"/territory/?{q}",
        "Fleet list": f"/fleet/?{q}",
        "Fleet asset page (history)": f"/fleet/{asset.pk}/",
        "API: asset events": f"/api/fleet/assets/{asset.pk}/events",
        "Fleet indicators": f"/fleet/indicators/?{q}",
        "Fleet quotas": f"/fleet/quotas/?{q}",
        "Reuse device list": f"/reuse/devices/?{q}",
        "Reuse device page (history)": f"/reuse/devices/{device.pk}/",
        "Reuse period report (last 365 days)": (
            f"/reuse/report/?{q}&from={year_ago.isoformat()}&to={today.isoformat()}"
        ),
        "_history": f"{asset.pk} {device.pk}",  # not a page: which objects (their event counts)
    }


def measure_pages(org: Any, user: Any, n: int) -> dict[str, Any]:
    from impactnum.web.fleet.models import AssetEvent
    from impactnum.web.reuse.models import DeviceEvent

    client = logged_in_client(user)
    urls = pages(org)
    asset_pk, device_pk = (int(x) for x in urls.pop("_history").split())
    out: dict[str, Any] = {
        "history": {
            "asset_events": AssetEvent.objects.filter(asset_id=asset_pk).count(),
            "device_events": DeviceEvent.objects.filter(device_id=device_pk).count(),
        },
        "pages": {},
    }
    for name, url in urls.items():
        statuses: dict[int, int] = {}

        def get(url: str = url, statuses: dict[int, int] = statuses) -> None:
            r = client.get(url)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        out["pages"][name] = {"url": url, **timed_with_plans(name, get, n)}
        out["pages"][name]["statuses"] = {str(k): v for k, v in statuses.items()}
    purge = retention_dry_run()
    if purge is not None:
        out["pages"]["Retention job, dry run (counts what it would delete)"] = {
            "url": "",
            **timed_with_plans("retention", purge, max(3, n // 4)),
            "statuses": {},
        }
    return out


def retention_dry_run() -> Any:
    """The daily retention job's dry run (`core/retention.py`), when the project has it."""
    try:
        from impactnum.web.core import retention
    except ImportError:
        return None
    return lambda: retention.purge(dry_run=True)


def timed_with_plans(name: str, fn: Any, n: int) -> dict[str, Any]:
    """Once with the event-table statements recorded, once more, then n timed calls; and the
    EXPLAIN ANALYZE of the three slowest statements recorded."""
    with event_queries() as seen:
        fn()
    fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    plans = [explain(sql, params) for sql, params in seen]
    plans.sort(key=lambda p: p["ms"] or 0, reverse=True)
    result = {**stats(times), "event_queries": len(seen), "plans": plans[:3]}
    print(f"[bench:scale] {name}: p95 {ms(result['p95_s'])}, {len(seen)} event queries", flush=True)
    return result


def measure(quick: bool, params: dict[str, Any]) -> dict[str, Any]:
    """In the child: fill, then measure the pages."""
    from django.db import connection

    events = int(params.get("events") or (QUICK_EVENTS if quick else FULL_EVENTS))
    size = sizes(events)
    t0 = time.perf_counter()
    filled = fill(size)
    org, user = filled.pop("org"), filled.pop("user")
    n = int(params.get("requests") or (5 if quick else REQUESTS))
    result = measure_pages(org, user, n)
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        version = cur.fetchone()[0]
        cur.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        db_size = cur.fetchone()[0]
    return {
        "size": size,
        "fill": filled,
        "postgres": version.split(" on ")[0],
        "database_size": db_size,
        "requests": n,
        **result,
        "child_s": time.perf_counter() - t0,
    }


# --- the parent ------------------------------------------------------------------------------


def run(quick: bool, events: int | None = None, url: str | None = None) -> dict[str, Any]:
    """Recreate the benchmark's database, fill and measure in a child process; the figures."""
    from bench.run import machine

    url = url or pg_url()
    n = events or (QUICK_EVENTS if quick else FULL_EVENTS)
    out: dict[str, Any] = {"quick": quick, "machine": machine(), "events_asked": n}
    t0 = time.perf_counter()
    recreate_database(url)
    tmp = Path(tempfile.mkdtemp(prefix="impactnum-bench-scale-"))
    result = tmp / "result.json"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        IMPACTNUM_VAR_DIR=str(tmp / "var"),
        DATABASE_URL=url,
        IMPACTNUM_PROFILE="local",
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )
    cmd = [sys.executable, "-m", "bench.scale", "--child", "--json", str(result)]
    cmd += ["--params", json.dumps({"events": n})]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
        if proc.returncode != 0 or not result.exists():
            raise RuntimeError(f"bench.scale child failed (exit {proc.returncode})")
        out.update(json.loads(result.read_text(encoding="utf-8")))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out["total_s"] = time.perf_counter() - t0
    out["figures"] = figures(out, judged=not quick and n == FULL_EVENTS)
    return out


def figures(r: dict[str, Any], judged: bool) -> list[dict[str, Any]]:
    rows = []
    for name, p in r["pages"].items():
        plans = p["plans"]
        used = sorted({i for pl in plans for i in pl["indexes"]})
        seq = sorted({t for pl in plans for t in pl["seq_scans"]})
        note = f"p50 {ms(p['p50_s'])}, {p['n']} {'requests' if p['url'] else 'runs'}"
        if p["event_queries"]:
            slowest = plans[0]["ms"] if plans else None
            n = p["event_queries"]
            note += f"; {n} event-table {'query' if n == 1 else 'queries'}"
            if slowest is not None:
                note += f", slowest {slowest:.1f} ms"
            if used:
                note += ", indexes " + ", ".join(f"`{i}`" for i in used)
            if seq:
                note += ", **sequential scan** of " + ", ".join(f"`{t}`" for t in seq)
        if p["statuses"] and set(p["statuses"]) != {"200"}:
            note += f"; statuses {p['statuses']}"
        rows.append(
            row(name, p["p95_s"], "{:.3f} s", P95_TARGET_S, judged=judged, note=note, key=name)
        )
    return rows


def section(r: dict[str, Any]) -> str:
    size, fill = r["size"], r["fill"]
    total = fill["events"]["total"]
    out = [
        f"## Scale: the main pages with {sum(total.values()):,} events in PostgreSQL\n",
        f"{r['postgres']}, the benchmark's own database (dropped, created and migrated by the "
        f"run; {r['database_size']} once filled). {size['organisations']} organisations; the "
        f"measured one has {fill['fleet']['assets']:,} fleet assets and a reuse workshop of "
        f"{fill['chain'].get('devices', 0):,} devices built in bulk by `bench/fleet.py` and "
        "`bench/reuse.py`, copied to the others with `INSERT … SELECT` "
        f"({r['fill']['assets']:,} assets and {r['fill']['devices']:,} devices in all). The event "
        "tables are then filled by PostgreSQL (`INSERT … SELECT … FROM generate_series`, spread "
        "over every asset, device and organisation, dated over five years): "
        f"{total['fleet_assetevent']:,} fleet asset events, {total['reuse_deviceevent']:,} "
        f"reuse device events and {total['core_auditevent']:,} audit events, followed by "
        "`VACUUM ANALYZE`. Fill: base data "
        f"{fill['base_s']:.0f} s, events {fill['events_s']:.0f} s, VACUUM ANALYZE "
        f"{fill['analyze_s']:.0f} s.",
        "",
        f"Each page is requested {r['requests']} times (after 2 warm-ups) through Django's "
        "test client as an administrator of the measured organisation (server time, no "
        "socket). The asset and the device pages show the one with the most history "
        f"({r['history']['asset_events']:,} and {r['history']['device_events']:,} events). "
        "The retention job (`core/retention.py`) is timed in a dry run, which counts what it "
        "would delete. Every statement that reads an event table is run again under `EXPLAIN "
        "(ANALYZE, BUFFERS)`; the note names the indexes the slowest three used.",
        "",
        "Indexes made for this path: `deviceevent_history` (reuse device events: device, at, "
        "type, to_status, id, in place of device and at; a device's history, and the period "
        "report counts one organisation's events device by device from the index alone), "
        "`assetevent_left_retired` (fleet asset events, partial: the status changes out of "
        "`retired` the quotas look up per asset) and "
        "`audit_action_at` (audit events: action, at; the retention job's rules). The others "
        "(`at`, the foreign keys, asset and at, object type and id) were there before.",
        "",
        machine_md(r["machine"], r.get("total_s")),
        "",
        *table_md(r["figures"]),
    ]
    if not r["figures"] or r["events_asked"] != FULL_EVENTS or r.get("quick"):
        out.append(
            f"\nA run with {r['events_asked']:,} events, not {FULL_EVENTS:,}: targets are not "
            "judged."
        )
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    child_main(measure, __doc__ or "")
