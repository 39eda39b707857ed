"""`make bench`: impactnum on a 1,000,000-line NumEcoEval inventory, and BoaviztAPI side by side;
the web application (results page, `POST /api/calc` beside BoaviztAPI's HTTP API), the fleet at
100,000 assets and the reuse chain at 100,000 devices and 1,000,000 events; 50 Locust users for
5 minutes against `make run`'s server (bench/load/) and the main pages with 10,000,000 events in
PostgreSQL (bench/scale.py, only when IMPACTNUM_BENCH_PG_URL's server answers).

    .venv/bin/python bench/run.py                 # every section, full size; rewrites the page
    .venv/bin/python bench/run.py --quick         # smaller sizes, fewer runs; docs left alone
    .venv/bin/python bench/run.py --only web --only fleet     # those sections only
    .venv/bin/python bench/run.py --size 200000 --docs /tmp/bench.md   # the inventory only
    .venv/bin/python bench/run.py --only load --load-duration 60 --no-docs  # a short load

Prints a table per section, writes the raw figures to bench/out/results.json (the inventory)
and bench/out/results-<section>.json, and (full runs) rewrites docs/benchmarks.md: only the
sections measured are replaced, the others keep their latest figures. When a target is missed at
full size, the stage is profiled with cProfile and the functions where the time goes are
written to the page too. The sections are in bench/inventory.py (with generate.py and
boavizta.py), bench/web.py, bench/fleet.py and bench/reuse.py.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import re
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import boavizta, generate, inventory  # noqa: E402
from bench import fleet as fleet_bench  # noqa: E402
from bench import reuse as reuse_bench  # noqa: E402
from bench import scale as scale_bench  # noqa: E402
from bench import web as web_bench  # noqa: E402
from bench.load import measure as load_bench  # noqa: E402

FULL_SIZE = 1_000_000
DOCS = ROOT / "docs" / "benchmarks.md"
SECTIONS = ("inventory", "web", "fleet", "reuse", "load", "scale")
"""Sections of the page, in its order; `--only NAME` measures and rewrites only those."""
APP_SECTIONS = {
    "web": web_bench,
    "fleet": fleet_bench,
    "reuse": reuse_bench,
    "load": load_bench,
    "scale": scale_bench,
}

# Targets, for FULL_SIZE lines on the 2-core machine.
TARGETS = {
    "e2e_wall_s": 3.0,
    "e2e_peak_bytes": 1.5e9,
    "compute_s": 0.3,
    "monte_carlo_s": 5.0,
    "ratio_compute": 1000.0,
    "ratio_e2e": 50.0,
}


# --- machine ---------------------------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def machine() -> dict[str, Any]:
    import numpy
    import polars

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": usable,
        "ram_bytes": _ram_bytes(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "polars": polars.__version__,
        "impactnum": metadata.version("impactnum"),
        "boaviztapi": _version("boaviztapi"),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


# --- running ---------------------------------------------------------------------------------


def run_all(
    size: int,
    *,
    quick: bool,
    boavizta_size: int,
    draws: int,
    repeats: int,
    e2e_repeats: int,
    out_dir: Path = generate.OUT,
) -> dict[str, Any]:
    out: dict[str, Any] = {"size": size, "quick": quick, "machine": machine()}
    t0 = time.perf_counter()
    print(f"[bench] generating {size:,} NumEcoEval lines…", flush=True)
    out["generate"] = generate.run(size, out=out_dir / f"numecoeval-{size}.csv")
    print(f"[bench] impactnum ({repeats} compute runs, {draws:,} draws, end to end)…", flush=True)
    out["impactnum"] = inventory.run(
        size,
        draws=draws,
        repeats=repeats,
        e2e_repeats=e2e_repeats,
        path=Path(out["generate"]["path"]),
    )
    print(
        f"[bench] BoaviztAPI {out['machine']['boaviztapi']} on {boavizta_size:,} devices…",
        flush=True,
    )
    try:
        out["boavizta"] = boavizta.run(boavizta_size)
    except ImportError as exc:
        out["boavizta"] = {
            "skipped": f"boaviztapi not installed ({exc}); pip install -e '.[crosscheck]'"
        }
    out["figures"] = figures(out)
    out["total_s"] = time.perf_counter() - t0
    return out


def figures(r: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of the results table: name, measured value (text), target (text), met (bool|None)."""
    full = r["size"] == FULL_SIZE
    im, bz = r["impactnum"], r["boavizta"]
    rows: list[dict[str, Any]] = []

    def add(
        name: str,
        value: float | None,
        fmt: str,
        target: float | None = None,
        cmp: str = "<=",
        note: str = "",
    ) -> None:
        met = None
        if value is not None and target is not None and full:
            met = value <= target if cmp == "<=" else value >= target
        rows.append(
            {
                "figure": name,
                "value": value,
                "measured": "not run" if value is None else fmt.format(value),
                "target": ""
                if target is None
                else f"{cmp.replace('<=', '≤').replace('>=', '≥')} " + fmt.format(target),
                "met": met,
                "note": note,
            }
        )

    e2e = im.get("end_to_end", {})
    e2e_ok = "wall" in e2e
    add(
        "End to end: `impactnum inventory calc` wall time (median)",
        e2e["wall"]["median_s"] if e2e_ok else None,
        "{:.2f} s",
        TARGETS["e2e_wall_s"],
        note="" if e2e_ok else e2e.get("skipped", ""),
    )
    add(
        "End to end: peak memory (max RSS of the process)",
        e2e["peak_rss_bytes"] / 1e9 if e2e_ok else None,
        "{:.2f} GB",
        TARGETS["e2e_peak_bytes"] / 1e9,
    )
    rd = im.get("reader", {})
    add(
        "Reader alone: `read_inventory` (in-process)",
        rd.get("median_s"),
        "{:.2f} s",
        note=rd.get("skipped", ""),
    )
    add(
        "Compute alone on the lines read",
        im.get("compute_read_lines", {}).get("median_s"),
        "{:.3f} s",
    )
    if e2e_ok and "median_s" in rd and "compute_read_lines" in im:
        add(
            "End to end minus reader and compute (start-up, factor set, JSON output)",
            e2e["wall"]["median_s"] - rd["median_s"] - im["compute_read_lines"]["median_s"],
            "{:.2f} s",
        )
    add(
        "Compute alone: `compute_annual` on arrays (median)",
        im["compute"]["median_s"],
        "{:.3f} s",
        TARGETS["compute_s"],
    )
    add(
        f"Monte Carlo: {im['draws']:,} draws (median)",
        im["monte_carlo"]["median_s"],
        "{:.2f} s",
        TARGETS["monte_carlo_s"],
    )
    add("impactnum compute: devices per second", im["compute"]["devices_per_s"], "{:,.0f} /s")
    add("impactnum end to end: devices per second", e2e.get("devices_per_s"), "{:,.0f} /s")
    if "compute_only" in bz:
        verbose = bz["route_default"]["devices_per_s"]
        bare = bz["compute_only"]["devices_per_s"]
        add("BoaviztAPI, route defaults (verbose): devices per second", verbose, "{:,.0f} /s")
        add("BoaviztAPI, computation only: devices per second", bare, "{:,.0f} /s")
        # Conservative: divide by the faster of the two (they are close; noise can swap them).
        fast, slow = max(bare, verbose), min(bare, verbose)
        add(
            "Ratio, computation: impactnum compute ÷ BoaviztAPI (faster variant)",
            im["compute"]["devices_per_s"] / fast,
            "{:,.0f}×",
            TARGETS["ratio_compute"],
            ">=",
            note=f"{im['compute']['devices_per_s'] / slow:,.0f}× against the slower variant",
        )
        e2e_rate = e2e.get("devices_per_s")
        add(
            "Ratio, end to end: impactnum CLI ÷ BoaviztAPI (faster variant)",
            e2e_rate / fast if e2e_rate else None,
            "{:,.0f}×",
            TARGETS["ratio_e2e"],
            ">=",
            note=f"{e2e_rate / slow:,.0f}× against the slower variant" if e2e_rate else "",
        )
    else:
        add("BoaviztAPI", None, "", note=bz.get("skipped", ""))
    return rows


# --- profiling (targets missed) --------------------------------------------------------------


def _profile(fn: Any, top: int = 12) -> list[dict[str, Any]]:
    """Run fn under cProfile; the impactnum functions with the most cumulative time."""
    prof = cProfile.Profile()
    prof.runcall(fn)
    stats = pstats.Stats(prof, stream=io.StringIO())
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if "/impactnum/" not in file:
            continue
        rel = file[file.index("/impactnum/") + 1 :]
        rows.append(
            {
                "where": f"src/{rel}:{line} {func}",
                "calls": nc,
                "cum_s": ct,
                "own_s": tt,
                "share": ct / total,
            }
        )
    rows.sort(key=lambda r: r["cum_s"], reverse=True)
    return [{"total_s": total}, *rows[:top]]


def profile_missed(r: dict[str, Any], draws: int) -> dict[str, Any]:
    from impactnum.engine import compute_annual, load_factor_set

    missed = {row["figure"] for row in r["figures"] if row["met"] is False}
    out: dict[str, Any] = {}
    fs = load_factor_set(inventory.FACTOR_SET)
    path = Path(r["generate"]["path"])
    if any(name.startswith(("End to end", "Ratio, end")) for name in missed):
        from impactnum.io import read_inventory

        print("[bench] profiling the reader…", flush=True)
        out["reader: read_inventory(FILE)"] = _profile(lambda: read_inventory(path))
    lines = inventory.lines_from_arrays(r["size"])
    if any(name.startswith(("Compute alone", "Ratio, computation")) for name in missed):
        print("[bench] profiling compute…", flush=True)
        out["compute: compute_annual(lines)"] = _profile(lambda: compute_annual(lines, fs))
    if any(name.startswith("Monte Carlo") for name in missed):
        print("[bench] profiling Monte Carlo…", flush=True)
        out[f"Monte Carlo: compute_annual(lines, draws={draws})"] = _profile(
            lambda: compute_annual(lines, fs, draws=draws)
        )
    return out


# --- output ----------------------------------------------------------------------------------


def _met(m: bool | None) -> str:
    return {True: "yes", False: "**no**", None: ""}[m]


def table(rows: list[dict[str, Any]]) -> str:
    w = max(len(r["figure"]) for r in rows)
    lines = [f"{'figure':<{w}}  {'measured':>14}  {'target':>10}  met"]
    for r in rows:
        met = {True: "yes", False: "NO", None: ""}[r["met"]]
        lines.append(f"{r['figure']:<{w}}  {r['measured']:>14}  {r['target']:>10}  {met}")
    return "\n".join(lines)


PAGE_HEADER = """\
# Benchmarks

What `make bench` measured. The figures below are written by `bench/run.py` (run through
`make bench`) and by nothing else: do not edit them by hand, run `make bench` again. The
benchmark is not part of CI. `bench/run.py --quick` (smaller sizes) and `--size N` (the
inventory's lines) are for trying the scripts; they leave this page alone unless `--docs PATH`
is given. `bench/run.py --only NAME` (inventory, web, fleet, reuse, load, scale; repeatable)
measures only those sections and replaces only theirs here: the others keep their latest
figures, each section says when and on which machine it was measured. The scale section runs
only when the PostgreSQL server of `IMPACTNUM_BENCH_PG_URL` (default
`postgres://postgres@127.0.0.1:5432/impactnum_scale`, a database the run drops and creates)
answers.

Sections: [inventory and BoaviztAPI in-process](#inventory), [web: results page and `POST
/api/calc` beside BoaviztAPI's HTTP API](#web), [fleet at 100,000 assets](#fleet), [reuse chain
at 100,000 devices and 1,000,000 events](#reuse), [load: 50 users for 5 minutes against `make
run`](#load), [scale: the main pages with 10,000,000 events in PostgreSQL](#scale).
"""

INTRO = """\
## Inventory: {size_words} NumEcoEval file, BoaviztAPI in-process

The run generates a seeded {size_words} NumEcoEval physical-equipment CSV (`;`-separated,
French type names such as "Ordinateur portable", "Ecran", "Smartphone", "Serveur", 16
entities, data-centre servers, empty optional cells, decimal commas) under `bench/out/`
(git-ignored) with `bench/generate.py`, then measures, in the same run:

- **end to end**, as a user runs it: `impactnum inventory calc FILE --factors boavizta-2.5
  --format json` in a subprocess (wall time, median of {e2e_repeats}; peak memory = the
  process's maximum RSS from `os.wait4`), plus the reader alone and the compute alone
  in-process;
- **compute alone**: `compute_annual` on `EquipmentLines` built from NumPy arrays already in
  memory (median of {repeats} runs after a warm-up);
- **Monte Carlo**: the same with `draws={draws:,}`;
- **BoaviztAPI {boavizta} in-process** on {bz_size:,} terminals (laptop, desktop, monitor,
  smartphone, tablet) at FRA: each device's JSON body is validated into the route's pydantic
  DTO and the route's coroutine `boaviztapi.routers.terminal_router.user_terminal_impact` is
  awaited, as `POST /v1/terminal/{{kind}}` and `/v1/peripheral/monitor` do, without HTTP.
  "Computation only" is `verbose=False` with the four criteria impactnum computes (gwp, adp,
  pe, wu); "route defaults" is `verbose=True` with BoaviztAPI's default criteria. Both use a
  one-year duration.

A *device* is one inventory line (one BoaviztAPI call); lines with a quantity above 1 are not
counted more than once, which favours BoaviztAPI. The ratios divide impactnum's devices per
second by the faster of BoaviztAPI's two variants (they are close, and noise can swap them).
"""


def markdown(r: dict[str, Any], profiles: dict[str, Any]) -> str:
    m = r["machine"]
    im = r["impactnum"]
    ram = f"{m['ram_bytes'] / 2**30:.1f} GiB" if m["ram_bytes"] else "unknown"
    load = ", ".join(f"{x:.2f}" for x in m["load_average_at_start"] or ())
    out = [
        INTRO.format(
            size_words=f"{r['size']:,}-line",
            e2e_repeats=len(im.get("end_to_end", {}).get("wall", {}).get("runs", [])) or "n",
            repeats=len(im["compute"]["runs"]),
            draws=im["draws"],
            boavizta=m["boaviztapi"] or "(not installed)",
            bz_size=r["boavizta"].get("compute_only", {}).get("devices", 0),
        ),
        "### Machine and run\n",
        "| | |\n|---|---|",
        f"| Date | {m['date']} |",
        f"| CPU | {m['cpu']} |",
        f"| Cores usable | {m['cores']} |",
        f"| RAM | {ram} |",
        f"| OS | {m['os']} |",
        f"| Python / NumPy / Polars | {m['python']} / {m['numpy']} / {m['polars']} |",
        f"| impactnum / boaviztapi | {m['impactnum']} / {m['boaviztapi']} |",
        f"| Load average at start (1, 5, 15 min) | {load} (the machine is shared) |",
        f"| Inventory | {r['size']:,} lines, {r['generate']['bytes'] / 1e6:.0f} MB, "
        f"generated in {r['generate']['generate_s']:.1f} s |",
        f"| Whole bench run | {r['total_s']:.0f} s |",
        "",
        "### Results\n",
        "| Figure | Measured | Target | Met | Note |",
        "|---|---:|---:|:---:|---|",
    ]
    for row in r["figures"]:
        out.append(
            f"| {row['figure']} | {row['measured']} | {row['target']} | "
            f"{_met(row['met'])} | {row['note']} |"
        )
    if r["size"] != FULL_SIZE:
        out.append(
            f"\nTargets are set for {FULL_SIZE:,} lines; at {r['size']:,} lines they are "
            "not judged."
        )
    runs = [
        ("compute on arrays", im["compute"]["runs"]),
        ("Monte Carlo", im["monte_carlo"]["runs"]),
    ]
    if "wall" in im.get("end_to_end", {}):
        runs.insert(0, ("end to end", im["end_to_end"]["wall"]["runs"]))
    out += [
        "",
        "Every run, in seconds: "
        + "; ".join(f"{name}: " + ", ".join(f"{t:.3f}" for t in ts) for name, ts in runs)
        + ".",
    ]
    if profiles:
        out += [
            "",
            "### Where the time goes (targets missed)\n",
            "cProfile of each stage whose target was missed, impactnum functions by "
            "cumulative time (they include the library calls they make):",
        ]
        for stage, rows in profiles.items():
            total = rows[0]["total_s"]
            out += [
                "",
                f"**{stage}** — {total:.2f} s under the profiler\n",
                "| Function | Calls | Cumulative | Share | Own |",
                "|---|---:|---:|---:|---:|",
            ]
            for p in rows[1:]:
                out.append(
                    f"| `{p['where']}` | {p['calls']} | {p['cum_s']:.2f} s | "
                    f"{p['share']:.0%} | {p['own_s']:.2f} s |"
                )
    return "\n".join(out) + "\n"


# --- the page: sections between markers, merged --------------------------------------------

_BLOCK = re.compile(r"<!-- bench:(\w+) -->\n(.*?)\n?<!-- /bench:\1 -->", re.DOTALL)


def read_sections(text: str) -> dict[str, str]:
    """The sections of a page written by `compose` (a page from before the sections: all of it
    below the title and first paragraph is the inventory's, its headings one level down)."""
    found = {
        m.group(1): m.group(2).removeprefix(f'<a id="{m.group(1)}"></a>').strip("\n") + "\n"
        for m in _BLOCK.finditer(text)
    }
    if found or not text.startswith("# Benchmarks"):
        return found
    body = text.split("\n\nThe run generates", 1)
    if len(body) != 2:
        return {}
    legacy = "The run generates" + body[1]
    legacy = re.sub(r"^## ", "### ", legacy, flags=re.MULTILINE)
    size = re.search(r"\| Inventory \| ([\d,]+) lines", legacy)
    words = f"{size.group(1)}-line" if size else "large"
    return {
        "inventory": f"## Inventory: {words} NumEcoEval file, BoaviztAPI in-process\n\n{legacy}"
    }


def compose(sections: dict[str, str]) -> str:
    """The page: the header, then each section present, in SECTIONS order, between markers."""
    out = [PAGE_HEADER]
    for name in SECTIONS:
        if name in sections:
            out.append(
                f'<!-- bench:{name} -->\n<a id="{name}"></a>\n\n'
                + sections[name].strip("\n").removeprefix(f'<a id="{name}"></a>').strip("\n")
                + f"\n<!-- /bench:{name} -->\n"
            )
    return "\n".join(out)


def write_page(path: Path, new: dict[str, str]) -> None:
    """Replace the sections measured in this run; keep the others as the page has them."""
    old = read_sections(path.read_text(encoding="utf-8")) if path.exists() else {}
    path.write_text(compose({**old, **new}), encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    p = argparse.ArgumentParser(description="impactnum benchmarks (make bench)")
    p.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        metavar="NAME",
        help=f"measure only this section ({', '.join(SECTIONS)}; repeatable); default: all, "
        "or only the inventory when --size is given",
    )
    p.add_argument("--size", type=int, default=None, help=f"lines (default {FULL_SIZE:,})")
    p.add_argument("--quick", action="store_true", help="smaller sizes, fewer runs, no docs")
    p.add_argument("--docs", type=Path, default=None, help=f"page to write (default {DOCS})")
    p.add_argument("--no-docs", action="store_true", help="do not write the page")
    p.add_argument(
        "--no-profile", action="store_true", help="do not profile missed targets (inventory)"
    )
    p.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws (default 10,000)")
    p.add_argument("--boavizta-size", type=int, default=None, help="devices (default 2,000)")
    p.add_argument("--out", type=Path, default=generate.OUT, help="work directory (bench/out)")
    p.add_argument(
        "--load-duration", type=int, default=None, help="load: seconds (default 300; a trial)"
    )
    p.add_argument(
        "--scale-events", type=int, default=None, help="scale: events (default 10,000,000)"
    )
    args = p.parse_args(argv)
    only = args.only or (["inventory"] if args.size else list(SECTIONS))
    if "scale" in only and not args.only and not scale_bench.pg_available():
        print(f"[bench] no PostgreSQL at {scale_bench.pg_url()}: scale section skipped", flush=True)
        only = [name for name in only if name != "scale"]
    options = {"load": {"duration": args.load_duration}, "scale": {"events": args.scale_events}}

    results: dict[str, Any] = {}
    pages: dict[str, str] = {}
    failed: list[str] = []
    args.out.mkdir(parents=True, exist_ok=True)
    if "inventory" in only:
        size = args.size or (20_000 if args.quick else FULL_SIZE)
        results = run_all(
            size,
            quick=args.quick,
            boavizta_size=args.boavizta_size or (200 if args.quick else 2_000),
            draws=args.draws,
            repeats=3 if args.quick else 7,
            e2e_repeats=1 if args.quick else 3,
            out_dir=args.out,
        )
        print()
        print(table(results["figures"]))
        profiles = {} if args.no_profile else profile_missed(results, args.draws)
        results["profiles"] = profiles
        raw = args.out / "results.json"
        raw.write_text(json.dumps(results, indent=2, default=str))
        print(f"[bench] raw figures in {raw}")
        pages["inventory"] = markdown(results, profiles)
    results["sections"] = {}
    for name in SECTIONS[1:]:
        if name not in only:
            continue
        print(f"[bench] section {name}…", flush=True)
        module = APP_SECTIONS[name]
        try:
            r = module.run(args.quick, **options.get(name, {}))
        except Exception as exc:  # a section that fails leaves its figures on the page alone
            print(f"[bench] section {name} FAILED: {exc}", flush=True)
            failed.append(name)
            continue
        results["sections"][name] = r
        print()
        print(table(r["figures"]))
        raw = args.out / f"results-{name}.json"
        raw.write_text(json.dumps(r, indent=2, default=str))
        print(f"[bench] raw figures in {raw}")
        pages[name] = module.section(r)
    docs = args.docs or (None if (args.quick or args.no_docs) else DOCS)
    if docs is not None and not args.no_docs and pages:
        write_page(docs, pages)
        print(f"\n[bench] wrote {docs} (sections: {', '.join(pages)})")
    if failed:
        raise SystemExit(f"[bench] failed sections: {', '.join(failed)}")
    return results


if __name__ == "__main__":
    main()
