"""impactnum on a large NumEcoEval inventory: end to end, reader alone, compute alone, Monte Carlo.

- end to end: `impactnum inventory calc FILE --factors boavizta-2.5 --format json` in a
  subprocess, as a user runs it; wall time and the child's peak RSS (from `os.wait4`);
- reader alone: `impactnum.io.read_inventory(FILE)` in this process;
- compute alone: `compute_annual` on `EquipmentLines` built directly from NumPy arrays (no file),
  median of several runs; also on the lines the reader returned;
- Monte Carlo: `compute_annual(..., draws=10_000)` on the same lines.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from impactnum.engine import (
    Categorical,
    EquipmentLines,
    FactorSet,
    compute_annual,
    load_factor_set,
)

FACTOR_SET = "boavizta-2.5"
CLI = Path(sys.executable).with_name("impactnum")

# kind code, share of lines, kWh/yr typical (as bench/generate.py; lifespans left to defaults)
KIND_MIX = (
    ("laptop", 0.27, 30.0),
    ("desktop", 0.12, 120.0),
    ("monitor", 0.25, 40.0),
    ("smartphone", 0.18, 3.0),
    ("tablet", 0.08, 10.0),
    ("television", 0.02, 250.0),
    ("box", 0.03, 90.0),
    ("server", 0.05, 2500.0),
)


def lines_from_arrays(size: int, seed: int = 7) -> EquipmentLines:
    """`size` equipment lines built from NumPy arrays, mixed like the generated CSV:
    30 % without consumption, 45 % without lifespan, 5 % with no country, data-centre PUE."""
    rng = np.random.default_rng(seed)
    shares = np.array([k[1] for k in KIND_MIX])
    kind = rng.choice(len(KIND_MIX), size, p=shares / shares.sum()).astype(np.int32)
    kwh = np.array([k[2] for k in KIND_MIX])[kind] * rng.lognormal(0.0, 0.3, size)
    kwh[rng.random(size) < 0.30] = np.nan
    life = rng.uniform(2.0, 8.0, size)
    life[rng.random(size) < 0.45] = np.nan
    country = rng.choice(4, size, p=[0.8, 0.1, 0.05, 0.05]).astype(np.int32) - 1  # -1: default
    in_dc = (kind == 7) & (rng.random(size) < 0.8)
    entity = Categorical(
        rng.integers(0, 16, size).astype(np.int32), tuple(f"entity-{i}" for i in range(16))
    )
    return EquipmentLines.from_columns(
        kind=Categorical(kind, tuple(k[0] for k in KIND_MIX)),
        quantity=np.where(rng.random(size) < 0.97, 1.0, rng.integers(2, 50, size).astype(float)),
        lifespan_years=life,
        kwh_per_year=kwh,
        country=Categorical(country, ("FRA", "DEU", "CHN")),
        pue=np.where(in_dc, 1.75, 1.0),
        labels={"entity": entity},
    )


def _timed(fn: Any, repeats: int) -> tuple[list[float], Any]:
    times, out = [], None
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def _summary(times: list[float]) -> dict[str, Any]:
    return {"median_s": statistics.median(times), "min_s": min(times), "runs": times}


def cli_available() -> bool:
    """Whether `impactnum inventory calc` exists in this environment."""
    if not CLI.exists():
        return False
    proc = subprocess.run(
        [str(CLI), "inventory", "calc", "--help"], capture_output=True, text=True, check=False
    )
    return proc.returncode == 0


# A small launcher runs the command and reports its wall time and peak RSS. Measuring from this
# (large) process would be wrong: Linux carries the forked child's pre-exec peak RSS (a copy of
# ours) into its ru_maxrss.
_LAUNCHER = """
import json, os, subprocess, sys, time
cmd, out, err = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(out, "wb") as o, open(err, "wb") as e:
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=o, stderr=e)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
print(json.dumps({"wall": wall, "maxrss_kb": usage.ru_maxrss,
                  "code": os.waitstatus_to_exitcode(status)}))
"""


def end_to_end(path: Path, repeats: int = 3) -> dict[str, Any]:
    """Wall time and peak RSS of `impactnum inventory calc FILE --factors … --format json`."""
    cmd = [str(CLI), "inventory", "calc", str(path), "--factors", FACTOR_SET, "--format", "json"]
    walls, peaks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out_path = Path(tmp) / "out.json"
        err_path = Path(tmp) / "err.txt"
        for _ in range(repeats):
            launched = subprocess.run(
                [sys.executable, "-c", _LAUNCHER, json.dumps(cmd), str(out_path), str(err_path)],
                capture_output=True,
                text=True,
                check=True,
            )
            m = json.loads(launched.stdout)
            if m["code"] != 0:
                raise RuntimeError(
                    f"{' '.join(cmd)} exited with {m['code']}: "
                    f"{err_path.read_text(errors='replace')[-2000:]}"
                )
            walls.append(m["wall"])
            peaks.append(m["maxrss_kb"] * 1024)  # Linux reports kilobytes
        output = json.loads(out_path.read_text())
    return {
        "command": " ".join(["impactnum", *cmd[1:]]),
        "wall": _summary(walls),
        "peak_rss_bytes": max(peaks),
        "output_lines": output.get("lines"),
        "gwp_kg": output.get("totals", {}).get("gwp", {}).get("value"),
    }


def run(
    size: int = 1_000_000,
    *,
    draws: int = 10_000,
    repeats: int = 5,
    e2e_repeats: int = 3,
    path: Path | None = None,
    factor_set: FactorSet | None = None,
) -> dict[str, Any]:
    """All impactnum figures on a `size`-line inventory (CSV generated if needed)."""
    from bench import generate

    fs = factor_set or load_factor_set(FACTOR_SET)
    result: dict[str, Any] = {"lines": size, "draws": draws, "factor_set": FACTOR_SET}

    t0 = time.perf_counter()
    csv_path = generate.write(size, path)
    result["csv"] = {
        "path": str(csv_path),
        "bytes": csv_path.stat().st_size,
        "prepare_s": time.perf_counter() - t0,
    }

    arrays_lines = lines_from_arrays(size)
    compute_annual(arrays_lines, fs)  # warm-up (factor arrays, imports)
    times, res = _timed(lambda: compute_annual(arrays_lines, fs), repeats)
    result["compute"] = {
        **_summary(times),
        "devices_per_s": size / statistics.median(times),
        "gwp_kg": res.to_dict()["totals"]["gwp"]["value"],
    }

    times, res = _timed(lambda: compute_annual(arrays_lines, fs, draws=draws), max(1, repeats // 2))
    result["monte_carlo"] = _summary(times)
    del res

    try:
        from impactnum.io import read_inventory
    except ImportError as exc:  # the reader is not written yet
        result["reader"] = {"skipped": f"impactnum.io.read_inventory unavailable: {exc}"}
    else:
        times, inv = _timed(lambda: read_inventory(csv_path), 1)
        result["reader"] = _summary(times)
        times, _ = _timed(lambda: compute_annual(inv.lines, fs), repeats)
        result["compute_read_lines"] = _summary(times)
        del inv
        gc.collect()

    if cli_available():
        e2e = end_to_end(csv_path, e2e_repeats)
        e2e["devices_per_s"] = size / e2e["wall"]["median_s"]
        result["end_to_end"] = e2e
    else:
        result["end_to_end"] = {"skipped": "`impactnum inventory calc` is not available yet"}
    return result


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), indent=2))
