"""The fleet at 100,000 assets: list and indicators pages, a 100,000-line GLPI import, and the
footprint recomputation.

    .venv/bin/python bench/run.py --only fleet        # full size; rewrites the fleet section
    .venv/bin/python bench/fleet.py --quick           # prints the figures as JSON

In a child process with a temporary SQLite database (see `bench/web.py`):

- 100,000 assets of one organisation are written in bulk (one `executemany` for the assets and
  one for their `imported` events, through `fleet.imports.bulk.create_assets`, as an import
  does), with departments, locations, lifespan policies and 5,000 repairs;
- `/fleet/` (first page, and a filtered search) and `/fleet/indicators/` are requested through
  Django's test client (server time, p50/p95);
- a seeded 100,000-line GLPI computer export (`;`, every value quoted, UTF-8 BOM, French headers,
  as tests/web/fleet/data/glpi_computers.csv) is imported into another organisation:
  `read_import_file` + `build_plan` + `apply`, each timed;
- `fleet_footprint(org)` on the 100,000 assets (median of 5 after a warm-up).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.web import (
    child_main,
    in_child,
    logged_in_client,
    machine_line,
    machine_md,
    ms,
    profile,
    profiles_md,
    row,
    table_md,
    timed,
)

TARGETS = {"page_p95_s": 0.300, "import_s": 30.0, "footprint_s": 2.0}
SEED = 20240601

# kind, share, models (manufacturer, model)
KINDS: tuple[tuple[str, float, tuple[tuple[str, str], ...]], ...] = (
    ("laptop", 0.30, (("Dell", "Latitude 5440"), ("HP", "EliteBook 840 G9"), ("Lenovo", "T14"))),
    ("desktop", 0.20, (("Dell", "OptiPlex 7010"), ("HP", "ProDesk 400 G9"))),
    ("monitor", 0.25, (("Dell", "P2422H"), ("Iiyama", "ProLite XU2493HS"))),
    ("smartphone", 0.12, (("Samsung", "Galaxy A54"), ("Crosscall", "Core-Z5"))),
    ("tablet", 0.06, (("Apple", "iPad 10.2"), ("Samsung", "Galaxy Tab A8"))),
    ("printer", 0.04, (("HP", "LaserJet M404"), ("Brother", "HL-L5100"))),
    ("server", 0.02, (("Dell", "PowerEdge R650"), ("HPE", "ProLiant DL360"))),
    ("network_equipment", 0.01, (("Cisco", "Catalyst 9200"),)),
)
STATUSES = (
    ("in_service", 0.78),
    ("in_stock", 0.04),
    ("in_repair", 0.02),
    ("spare", 0.03),
    ("retired", 0.08),
    ("handed_to_reuse", 0.03),
    ("recycled", 0.015),
    ("lost_stolen", 0.005),
)
LEFT = {"retired", "handed_to_reuse", "recycled", "lost_stolen"}

# GLPI export
GLPI_HEADER = [
    "Nom",
    "Entité",
    "Statut",
    "Fabricant",
    "Type",
    "Modèle",
    "Numéro de série",
    "Numéro d'inventaire",
    "Lieu",
    "Utilisateur",
    "Groupe",
    "Dernière modification",
    "Informations financières et administratives - Date d'achat",
    "Informations financières et administratives - Fournisseur",
]
GLPI_TYPES = (
    ("Portable", 0.40),
    ("Ordinateur de bureau", 0.25),
    ("Tour", 0.10),
    ("Mini-tour", 0.08),
    ("Tablette", 0.07),
    ("Notebook", 0.04),
    ("Serveur", 0.03),
    ("All in One", 0.03),
)
GLPI_STATUSES = (
    ("En service", 0.80),
    ("En stock", 0.08),
    ("En réparation", 0.04),
    ("Rebut", 0.05),
    ("Hors service", 0.03),
)
GLPI_MAKERS = (
    ("LENOVO", "ThinkPad T14 Gen 2"),
    ("Dell Inc.", "OptiPlex 7090"),
    ("HP", "ProDesk 400 G7"),
    ("LENOVO", "ThinkCentre M70t"),
    ("Fujitsu", "ESPRIMO P757"),
    ("Samsung", "Galaxy Tab A8"),
)
GLPI_ENTITIES = (
    "Entité racine > Ville de Nevers",
    "Entité racine > Ville de Nevers > Écoles",
    "Entité racine > Ville de Nevers > CCAS",
)
GLPI_SUPPLIERS = ("UGAP", "Bechtle", "Inmac Wstore", "")


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...] | Any, n: int) -> list[Any]:
    return rng.choices([t[0] for t in table], weights=[t[1] for t in table], k=n)


def _glpi_date(rng: random.Random, day: dt.date) -> str:
    form = rng.randrange(4)
    if form == 0:
        return f"{day.isoformat()} 00:00"
    if form == 1:
        return f"{day:%d/%m/%Y} 10:30"
    if form == 2:
        return day.isoformat()
    return f"{day:%d-%m-%Y}"


def write_glpi(path: Path, size: int, seed: int = SEED) -> Path:
    """A seeded GLPI computer export of `size` lines (BOM, `;`, every value quoted)."""
    rng = random.Random(seed)
    types = _pick(rng, GLPI_TYPES, size)
    statuses = _pick(rng, GLPI_STATUSES, size)
    first = dt.date(2012, 1, 1)
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(GLPI_HEADER)
        for i in range(size):
            maker, model = GLPI_MAKERS[i % len(GLPI_MAKERS)]
            bought = first + dt.timedelta(days=rng.randrange(4700))
            w.writerow(
                [
                    f"PC-{i:06d}",
                    GLPI_ENTITIES[i % len(GLPI_ENTITIES)],
                    statuses[i],
                    maker,
                    types[i],
                    model,
                    f"SN{seed % 1000:03d}{i:07d}",
                    f"INV-{2012 + i % 13}-{i:06d}" if rng.random() < 0.9 else "",
                    f"Site {i % 60} > Étage {i % 4}" if rng.random() < 0.95 else "",
                    f"agent{rng.randrange(30_000)}" if rng.random() < 0.7 else "",
                    f"Direction {i % 25}" if rng.random() < 0.8 else "",
                    f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 09:12",
                    _glpi_date(rng, bought) if rng.random() < 0.9 else "",
                    GLPI_SUPPLIERS[i % len(GLPI_SUPPLIERS)],
                ]
            )
    return path


def build_fleet(org: Any, size: int, seed: int = SEED) -> dict[str, Any]:
    """`size` assets (and their `imported` events) written in bulk, with departments, locations,
    lifespan policies and repairs."""
    from django.db import transaction
    from django.utils import timezone

    from impactnum.web.fleet.imports.bulk import create_assets
    from impactnum.web.fleet.models import Asset, Department, LifespanPolicy, Location, Repair

    rng = random.Random(seed)
    t0 = time.perf_counter()
    Department.objects.bulk_create(
        [Department(organisation=org, name=f"Direction {i:02d}") for i in range(40)]
    )
    Location.objects.bulk_create(
        [Location(organisation=org, name=f"Site {i:03d}") for i in range(150)]
    )
    dept_ids = list(Department.objects.filter(organisation=org).values_list("pk", flat=True))
    loc_ids = list(Location.objects.filter(organisation=org).values_list("pk", flat=True))
    LifespanPolicy.objects.bulk_create(
        [
            LifespanPolicy(organisation=org, kind=k, years=y)
            for k, y in (("laptop", 7), ("desktop", 7), ("monitor", 8), ("smartphone", 4))
        ]
    )
    kinds = rng.choices(range(len(KINDS)), weights=[k[1] for k in KINDS], k=size)
    statuses = _pick(rng, STATUSES, size)
    first = dt.date(2012, 1, 1)
    today = timezone.localdate()
    now = timezone.now()
    items = []
    for i in range(size):
        kind, _share, models = KINDS[kinds[i]]
        maker, model = models[i % len(models)]
        bought = first + dt.timedelta(days=rng.randrange((today - first).days))
        status = statuses[i]
        item = {
            "kind": kind,
            "manufacturer": maker,
            "model": model,
            "serial_number": f"FS{i:08d}",
            "inventory_number": f"INV-{bought.year}-{i:06d}",
            "department_id": dept_ids[i % len(dept_ids)],
            "location_id": loc_ids[rng.randrange(len(loc_ids))],
            "assigned_to": f"agent{rng.randrange(40_000)}"
            if kind in ("laptop", "smartphone")
            else "",
            "purchase_date": bought if rng.random() < 0.93 else None,
            "price_excl_vat": Decimal(200 + rng.randrange(1500)) if rng.random() < 0.6 else None,
            "supplier": "UGAP" if i % 3 else "Bechtle",
            "bought_refurbished": rng.random() < 0.07,
            "expected_lifespan_years": 6.0 if rng.random() < 0.05 else None,
            "kwh_per_year": round(20 + rng.random() * 100, 1) if rng.random() < 0.2 else None,
            "country": "FRA",
            "status": status,
        }
        if status in LEFT:
            item["retired_on"] = min(today, bought + dt.timedelta(days=365 * rng.randint(3, 9)))
        items.append(item)
    with transaction.atomic():
        create_assets(org.pk, items, actor_id=None, now=now)
    ids = list(Asset.objects.filter(organisation=org).values_list("pk", flat=True)[:5000])
    Repair.objects.bulk_create(
        [
            Repair(
                asset_id=pk,
                opened_on=today - dt.timedelta(days=rng.randrange(1500)),
                closed_on=today - dt.timedelta(days=rng.randrange(10)) if i % 4 else None,
                problem="Écran cassé" if i % 2 else "Batterie",
                outcome=("fixed", "repairable", "end_of_life", "")[i % 4],
                minutes_spent=30 + i % 90,
            )
            for i, pk in enumerate(ids)
        ],
        batch_size=500,
    )
    return {"assets": size, "repairs": len(ids), "build_s": time.perf_counter() - t0}


def measure(quick: bool, params: dict[str, Any]) -> dict[str, Any]:
    from bench.web import people
    from impactnum.web.fleet.footprint import fleet_footprint
    from impactnum.web.fleet.imports import apply, build_plan, read_import_file

    t_start = time.perf_counter()
    size = int(params.get("assets", 20_000 if quick else 100_000))
    lines = int(params.get("import_lines", 20_000 if quick else 100_000))
    n = int(params.get("requests", 10 if quick else 50))
    repeats = int(params.get("footprint_repeats", 3 if quick else 5))
    judged = not quick and not params
    out: dict[str, Any] = {"machine": machine_line(), "quick": quick, "params": params}

    org, user = people()
    print(f"[bench:fleet] writing {size:,} assets…", flush=True)
    out["fleet"] = build_fleet(org, size)
    client = logged_in_client(user)
    pages = {
        "list": "/fleet/",
        "list_search": "/fleet/?kind=laptop&status=in_service&q=Latitude&sort=purchase",
        "indicators": "/fleet/indicators/",
    }

    def getter(url: str) -> Any:
        def get() -> None:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)

        return get

    out["pages"] = {}
    for key, url in pages.items():
        print(f"[bench:fleet] {url}, {n} requests…", flush=True)
        out["pages"][key] = {"url": url, **timed(getter(url), n)}

    from impactnum.web.core import services as core

    imp_org = core.create_organisation(None, slug="bench-import", name="Import", kind="commune")
    core.set_membership(None, user, imp_org, "administrator")
    var = Path(__import__("os").environ["IMPACTNUM_VAR_DIR"])
    t0 = time.perf_counter()
    path = write_glpi(var / f"glpi-{lines}.csv", lines)
    out["glpi_file"] = {
        "lines": lines,
        "bytes": path.stat().st_size,
        "generate_s": time.perf_counter() - t0,
    }
    print(f"[bench:fleet] importing {lines:,} GLPI lines…", flush=True)
    t0 = time.perf_counter()
    parsed = read_import_file(path)
    t1 = time.perf_counter()
    assert parsed.ok, parsed.error_lines()[:5]
    plan = build_plan(imp_org, parsed)
    t2 = time.perf_counter()
    result = apply(user, plan)
    t3 = time.perf_counter()
    out["import"] = {
        "parse_s": t1 - t0,
        "plan_s": t2 - t1,
        "apply_s": t3 - t2,
        "total_s": t3 - t0,
        "created": result.created,
        "refused": result.refused,
        "warnings": len(parsed.warnings),
    }

    print(f"[bench:fleet] fleet_footprint on {size:,} assets ×{repeats}…", flush=True)
    fleet_footprint(org)
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fp = fleet_footprint(org)
        runs.append(time.perf_counter() - t0)
    out["footprint"] = {
        "median_s": statistics.median(runs),
        "max_s": max(runs),
        "runs": runs,
        "assets_counted": fp["assets_counted"],
    }

    out["figures"] = figures(out, judged)
    missed = {r["key"] for r in out["figures"] if r["met"] is False}
    out["profiles"] = {}
    for key, url in pages.items():
        if key in missed:
            print(f"[bench:fleet] profiling {url}…", flush=True)
            get = getter(url)
            out["profiles"][f"GET {url} × 10 (test client)"] = profile(
                lambda get=get: [get() for _ in range(10)]
            )
    if "import" in missed:
        print("[bench:fleet] profiling the import…", flush=True)
        other = core.create_organisation(None, slug="bench-import-2", name="Import 2", kind="epci")
        core.set_membership(None, user, other, "administrator")

        def again() -> None:
            apply(user, build_plan(other, read_import_file(path)))

        out["profiles"][f"import of {lines:,} GLPI lines (parse + plan + apply)"] = profile(again)
    if "footprint" in missed:
        print("[bench:fleet] profiling the footprint…", flush=True)
        out["profiles"][f"fleet_footprint(org), {size:,} assets"] = profile(
            lambda: fleet_footprint(org)
        )
    out["total_s"] = time.perf_counter() - t_start
    return out


def figures(r: dict[str, Any], judged: bool) -> list[dict[str, Any]]:
    size = r["fleet"]["assets"]
    rows = []
    names = {
        "list": f"`/fleet/` (first page of {size:,} assets): server time p95",
        "list_search": "`/fleet/` filtered, searched and sorted: server time p95",
        "indicators": f"`/fleet/indicators/` ({size:,} assets): server time p95",
    }
    for key, name in names.items():
        p = r["pages"][key]
        rows.append(
            row(
                name,
                p["p95_s"],
                "{:.3f} s",
                TARGETS["page_p95_s"],
                judged=judged,
                note=f"p50 {ms(p['p50_s'])}, {p['n']} requests",
                key=key,
            )
        )
    imp = r["import"]
    rows.append(
        row(
            f"GLPI import of {r['glpi_file']['lines']:,} lines: parse + plan + apply",
            imp["total_s"],
            "{:.1f} s",
            TARGETS["import_s"],
            judged=judged,
            note=f"parse {imp['parse_s']:.1f} s, plan {imp['plan_s']:.1f} s, apply "
            f"{imp['apply_s']:.1f} s; {imp['created']:,} created, {imp['refused']} refused",
            key="import",
        )
    )
    fp = r["footprint"]
    rows.append(
        row(
            f"`fleet_footprint(org)`, {size:,} assets (median)",
            fp["median_s"],
            "{:.2f} s",
            TARGETS["footprint_s"],
            judged=judged,
            note=f"max {fp['max_s']:.2f} s of {len(fp['runs'])}; "
            f"{fp['assets_counted']:,} assets held counted",
            key="footprint",
        )
    )
    return rows


def run(quick: bool, **params: Any) -> dict[str, Any]:
    """Measure in a child process; the figures (and profiles of missed targets)."""
    return in_child("fleet", quick, params)


def section(r: dict[str, Any]) -> str:
    f, g = r["fleet"], r["glpi_file"]
    out = [
        f"## Fleet: {f['assets']:,} assets\n",
        f"{f['assets']:,} assets of one organisation (laptops, desktops, monitors, phones, "
        "tablets, printers, servers; 78 % in service, the rest in stock, repair, spare, retired, "
        "handed to reuse, recycled or lost; 40 departments, 150 locations, lifespan policies) are "
        "written in a temporary SQLite database with their `imported` events by "
        f"`fleet.imports.bulk.create_assets` ({f['build_s']:.0f} s), plus {f['repairs']:,} "
        "repairs. The pages are requested through Django's test client in the benchmark's "
        "process (server time; 3 warm-ups first) by the organisation's administrator. The GLPI "
        f"file is a seeded {g['lines']:,}-line computer export ({g['bytes'] / 1e6:.0f} MB; BOM, "
        "`;`, every value quoted, French headers and statuses, dates in four formats, "
        "hierarchical locations) imported into another, empty organisation of the same "
        "database: `read_import_file`, `build_plan`, `apply` (bulk path), as the import page "
        "does. The footprint is `fleet.footprint.fleet_footprint(org)` with the default factor "
        "set.",
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
