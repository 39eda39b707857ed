"""From the calculation's JSON result to what the results and snapshot pages show.

Pure functions over the dict returned by `services.calculate` (the same JSON as `impactnum
calc`): criteria and phases with labels in the current language, per-year series over the
horizon, the provenance of every factor (with the source of borrowed rows looked up in the set
they come from), and the charts. No database access, no calculation.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _

from impactnum.calculation import json_ready
from impactnum.engine import CRITERIA, PHASES, FactorSetError, load_factor_set

from . import charts
from .templatetags.impactnum_format import label


def criteria_rows(result: dict[str, Any]) -> list[dict[str, str]]:
    info = result.get("criteria", {})
    return [
        {"code": c.code, "label": label(c), "unit": info.get(c.code, {}).get("unit", c.unit)}
        for c in CRITERIA
        if c.code in info or not info
    ]


def phase_rows() -> list[dict[str, str]]:
    return [{"code": p.code, "label": label(p)} for p in PHASES]


def origin_kind(origin: str, factor_set: str) -> str:
    """'override', 'borrowed' or 'set' (the row comes from the project's own set)."""
    if origin == "override":
        return "override"
    if origin.startswith("borrowed"):
        return "borrowed"
    return "set"


def _source_for(row: dict[str, Any]) -> dict[str, Any]:
    """The row's source; for a borrowed row whose source is not described in the project's
    set, the description from the set it was borrowed from."""
    source = dict(row.get("source") or {})
    origin = str(row.get("origin", ""))
    if not source.get("title") and origin.startswith("borrowed from "):
        ref = origin.removeprefix("borrowed from ").strip()
        try:
            borrowed = load_factor_set(ref).source(str(source.get("id", "")))
            source = {**borrowed, **{k: v for k, v in source.items() if v}}
        except FactorSetError:
            pass
    return source


def provenance_rows(scenario: dict[str, Any], factor_set: str) -> list[dict[str, Any]]:
    rows = []
    for f in scenario.get("provenance", {}).get("factors", []):
        origin = str(f.get("origin", ""))
        rows.append(
            {
                **f,
                "source": _source_for(f),
                "origin_kind": origin_kind(origin, factor_set),
            }
        )
    return rows


def per_year(scenario: dict[str, Any], criteria: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Net impacts year by year over the horizon (annual view; a fractional last year pro
    rata), cumulated, with the economic cash flows of the same year."""
    horizon = float(scenario.get("horizon_years") or 0)
    econ = scenario.get("economic", {})
    years = [int(y) for y in econ.get("years", [])]
    flows = econ.get("cash_flows", {})
    cumulative: dict[str, float | None] = {c["code"]: 0.0 for c in criteria}
    out = []
    for year in range(1, math.ceil(horizon - 1e-9) + 1):
        share = min(1.0, horizon - (year - 1))
        cells = []
        for c in criteria:
            net = (scenario.get("net") or {}).get(c["code"])
            value = None if not net or net.get("value") is None else net["value"] * share
            prev = cumulative[c["code"]]
            cumulative[c["code"]] = None if value is None or prev is None else prev + value
            cells.append({"value": value, "cumulative": cumulative[c["code"]]})
        idx = years.index(year) if year in years else None

        def flow(name: str, idx: int | None = idx) -> float | None:
            values = (flows.get(name) or {}).get("value") or []
            return values[idx] if idx is not None and idx < len(values) else None

        out.append(
            {
                "year": year,
                "share": share,
                "cells": cells,
                "costs": flow("costs"),
                "savings": flow("savings"),
                "net_cash": flow("net"),
            }
        )
    return out


def scenario_view(
    scenario: dict[str, Any], criteria: list[dict[str, str]], factor_set: str
) -> dict[str, Any]:
    phases = phase_rows()
    return {
        **scenario,
        "phase_table": [
            {
                **p,
                "cells": [
                    ((scenario.get("by_phase") or {}).get(p["code"]) or {}).get(c["code"])
                    for c in criteria
                ],
            }
            for p in phases
        ],
        "criterion_rows": [
            {
                **c,
                "total": (scenario.get("totals") or {}).get(c["code"]),
                "avoided": (scenario.get("avoided") or {}).get(c["code"]),
                "net": (scenario.get("net") or {}).get(c["code"]),
                "horizon_net": ((scenario.get("horizon") or {}).get("net") or {}).get(c["code"]),
                "missing_phases": [
                    next((p["label"] for p in phases if p["code"] == m), m)
                    for m in ((scenario.get("totals") or {}).get(c["code"]) or {}).get(
                        "missing_phases", []
                    )
                ],
            }
            for c in criteria
        ],
        "line_rows": [
            {
                "line": line.get("line"),
                "label": line.get("label") or "",
                "impacts": [(line.get("impacts") or {}).get(c["code"]) for c in criteria],
                "avoided": [(line.get("avoided") or {}).get(c["code"]) for c in criteria],
            }
            for line in scenario.get("per_line", [])
        ],
        "years": per_year(scenario, criteria),
        "factors": provenance_rows(scenario, factor_set),
    }


def comparison_rows(result: dict[str, Any], criteria: list[dict[str, str]]) -> list[dict[str, Any]]:
    out = []
    for comp in result.get("comparison", []) or []:
        out.append(
            {
                "baseline": comp.get("baseline"),
                "variant": comp.get("variant"),
                "draws": comp.get("draws"),
                "economic_delta": comp.get("economic_delta", {}),
                "criteria": [
                    {**c, **((comp.get("criteria") or {}).get(c["code"]) or {})} for c in criteria
                ],
            }
        )
    return out


def build_charts(
    result: dict[str, Any], criteria: list[dict[str, str]], criterion: str
) -> list[charts.Chart]:
    """The charts of the results page for one criterion."""
    crit = next((c for c in criteria if c["code"] == criterion), criteria[0])
    phases = [(p["code"], p["label"]) for p in phase_rows()]
    scenarios = result.get("scenarios", [])
    stacked = charts.stacked_phase_bars(
        "chart-phases",
        crit["label"],
        crit["unit"],
        [
            (
                sc["name"],
                {
                    p: (((sc.get("by_phase") or {}).get(p) or {}).get(crit["code"]) or {}).get(
                        "value"
                    )
                    for p, _l in phases
                },
            )
            for sc in scenarios
        ],
        phases,
    )
    out = [stacked]
    for i, sc in enumerate(scenarios):
        out.append(
            charts.waterfall(
                f"chart-net-{i}",
                f"{crit['label']} — {sc['name']}",
                crit["unit"],
                (sc.get("totals") or {}).get(crit["code"]),
                (sc.get("avoided") or {}).get(crit["code"]),
                (sc.get("net") or {}).get(crit["code"]),
            )
        )
    out.append(
        charts.range_bars(
            "chart-scenarios",
            _("Bilan net par an par scénario — %(c)s (%(u)s)")
            % {"c": crit["label"], "u": crit["unit"]},
            crit["unit"],
            [(sc["name"], (sc.get("net") or {}).get(crit["code"])) for sc in scenarios],
        )
    )
    return out


def results_context(result: dict[str, Any], criterion: str = "gwp") -> dict[str, Any]:
    """Everything the results template needs, and the chart data for `json_script`."""
    result = json_ready(result)
    criteria = criteria_rows(result)
    if criterion not in {c["code"] for c in criteria}:
        criterion = criteria[0]["code"] if criteria else "gwp"
    chart_list = build_charts(result, criteria, criterion)
    return {
        "result": result,
        "criteria": criteria,
        "criterion": criterion,
        "phases": phase_rows(),
        "scenario_views": [
            scenario_view(sc, criteria, result.get("factor_set", ""))
            for sc in result.get("scenarios", [])
        ],
        "comparisons": comparison_rows(result, criteria),
        "charts": chart_list,
        "chart_data": {
            "factor_set": result.get("factor_set"),
            "criterion": criterion,
            "charts": {c.id: c.data for c in chart_list},
            "totals": {sc["name"]: sc.get("totals") for sc in result.get("scenarios", [])},
            "net": {sc["name"]: sc.get("net") for sc in result.get("scenarios", [])},
        },
    }


def deltas(
    old: dict[str, Any], new: dict[str, Any], criteria: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """Per scenario and criterion: net per year stored vs replayed, and the difference."""
    old, new = json_ready(old), json_ready(new)
    rows = []
    new_by_name = {sc["name"]: sc for sc in new.get("scenarios", [])}
    for sc in old.get("scenarios", []):
        other = new_by_name.get(sc["name"], {})
        for c in criteria:
            a = ((sc.get("net") or {}).get(c["code"]) or {}).get("value")
            b = ((other.get("net") or {}).get(c["code"]) or {}).get("value")
            diff = None if a is None or b is None else b - a
            rel = None if diff is None or not a else diff / abs(a)
            rows.append(
                {
                    "scenario": sc["name"],
                    **c,
                    "stored": a,
                    "replayed": b,
                    "difference": diff,
                    "relative": rel,
                }
            )
    return rows
