"""Rendering results on the terminal (Rich tables), as JSON or as CSV.

All renderers take the engine result's `to_dict()` so that the three formats show the same
numbers; JSON is that dict as is (NaN written as null).
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.table import Table

from impactnum.engine import CRITERIA, PHASE_CODES, PHASES
from impactnum.io.cells import csv_writer


def stdout_console() -> Console:
    """A console on stdout; wide and colourless when piped, so tables are not cut."""
    if sys.stdout.isatty():
        return Console()
    return Console(width=200, color_system=None, soft_wrap=False)


def stderr_console() -> Console:
    return Console(stderr=True)


@contextmanager
def status(message: str, *, big: bool) -> Iterator[None]:
    """A spinner on stderr while something long runs, only on a terminal and for big inputs."""
    console = stderr_console()
    if big and console.is_terminal:
        with console.status(message):
            yield
    else:
        yield


def _clean(obj: Any) -> Any:
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, Mapping):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        items = sorted(obj) if isinstance(obj, set | frozenset) else obj
        return [_clean(v) for v in items]
    return obj


def to_json(data: Any) -> str:
    """Strict JSON (no NaN), UTF-8 text, indented."""
    return json.dumps(_clean(data), ensure_ascii=False, indent=2, allow_nan=False)


def fmt(value: float | None) -> str:
    """A number for people: 3 significant digits, thousands separated by a space."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}".replace(",", " ")
    return f"{value:.3g}"


def fmt_cell(cell: Mapping[str, float] | None, *, with_range: bool = True) -> str:
    if cell is None:
        return "n/a"
    text = fmt(cell["value"])
    if with_range and cell.get("low") is not None and cell.get("high") is not None:
        text += f"  ({fmt(cell['low'])}–{fmt(cell['high'])})"
    return text


def result_tables(result: Mapping[str, Any], by_keys: list[str]) -> list[Table]:
    """Tables: criteria × phases with totals, then one table per breakdown (`by_<name>`)."""
    criteria = [
        c for c in CRITERIA if c.code in result.get("criteria", {c.code: 0 for c in CRITERIA})
    ]
    main = Table(title=f"Annual impacts — {result.get('factor_set', '')}", title_justify="left")
    main.add_column("Criterion")
    main.add_column("Unit")
    by_phase = result.get("by_phase", {})
    phases = [p for p in PHASES if p.code in by_phase]
    for p in phases:
        main.add_column(p.label_en, justify="right")
    main.add_column("Total (low–high)", justify="right", style="bold")
    totals = result.get("totals", {})
    for c in criteria:
        main.add_row(
            c.label_en,
            c.unit,
            *[fmt_cell(by_phase[p.code].get(c.code), with_range=False) for p in phases],
            fmt_cell(totals.get(c.code)),
        )
    tables = [main]
    for key in by_keys:
        groups = result.get(key)
        if not groups:
            continue
        name = key.removeprefix("by_")
        t = Table(title=f"By {name}", title_justify="left")
        t.add_column(name.capitalize())
        for c in criteria:
            t.add_column(f"{c.code} ({c.unit})", justify="right")
        for group, cells in groups.items():
            t.add_row(str(group), *[fmt_cell(cells.get(c.code)) for c in criteria])
        tables.append(t)
    return tables


def render_table(result: Mapping[str, Any], by_keys: list[str]) -> None:
    console = stdout_console()
    for table in result_tables(result, by_keys):
        console.print(table)
    lines = result.get("lines")
    draws = result.get("draws")
    how = f"Monte Carlo, {draws} draws, seed {result.get('seed')}" if draws else "analytic bounds"
    console.print(
        f"{lines} line(s); engine {result.get('engine_version')}; low–high: {how}; "
        "n/a: not covered by the factor set."
    )


CSV_HEADER = ["group_by", "group", "criterion", "unit", "value", "low", "high"]


def _num(x: Any) -> Any:
    return "" if x is None else repr(float(x))


def render_csv(result: Mapping[str, Any], by_keys: list[str]) -> str:
    """One row per group × criterion: value, low, high (totals of the counted phases), then
    `<phase>_value/low/high` — per phase for the whole inventory (group_by = total); empty for
    the groups, whose phase split the result does not carry."""
    units = {c.code: c.unit for c in CRITERIA}
    phase_cols = [f"{p}_{b}" for p in PHASE_CODES for b in ("value", "low", "high")]
    out = io.StringIO()
    w = csv_writer(out, lineterminator="\n")
    w.writerow(CSV_HEADER + phase_cols)
    by_phase = result.get("by_phase", {})
    for code, cell in result.get("totals", {}).items():
        phase_cells = []
        for p in PHASE_CODES:
            pc = by_phase.get(p, {}).get(code)
            phase_cells += [
                _num(pc and pc["value"]),
                _num(pc and pc["low"]),
                _num(pc and pc["high"]),
            ]
        w.writerow(
            [
                "total",
                "total",
                code,
                units.get(code, ""),
                _num(cell and cell["value"]),
                _num(cell and cell["low"]),
                _num(cell and cell["high"]),
                *phase_cells,
            ]
        )
    for key in by_keys:
        for group, cells in (result.get(key) or {}).items():
            for code, cell in cells.items():
                w.writerow(
                    [
                        key.removeprefix("by_"),
                        group,
                        code,
                        units.get(code, ""),
                        _num(cell and cell["value"]),
                        _num(cell and cell["low"]),
                        _num(cell and cell["high"]),
                        *([""] * len(phase_cols)),
                    ]
                )
    return out.getvalue()
