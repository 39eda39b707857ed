"""The print-friendly HTML report: the result turned into ready-to-show rows and SVG charts."""

from __future__ import annotations

import base64
from typing import Any

from . import charts
from .content import (
    MONEY_KEYS,
    PAYBACK_KEYS,
    criteria_codes,
    criterion_label,
    criterion_unit,
    economic_labels,
    estimate,
    factor_sets_used,
    factors_used,
    indicator_label,
    missing,
    number,
    payback,
    per_year,
    percent,
    phase_codes,
    phase_label,
    warnings,
)


def _svg(drawing: Any) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(charts.to_svg(drawing).encode()).decode(
        "ascii"
    )


def print_context(result: dict[str, Any]) -> dict[str, Any]:
    r = result
    codes = criteria_codes(r)
    phases = phase_codes(r)
    econ_labels = economic_labels()
    scenarios = []
    for sc in r["scenarios"]:
        e = sc["economic"]
        soc = sc["social"]
        s = soc.get("sroi")
        scenarios.append(
            {
                "name": sc["name"],
                "description": sc.get("description") or "",
                "totals": [
                    {
                        "label": criterion_label(r, c),
                        "unit": per_year(criterion_unit(r, c)),
                        "impacts": estimate(sc["totals"].get(c)),
                        "avoided": estimate(sc["avoided"].get(c)),
                        "net": estimate(sc["net"].get(c)),
                        "horizon": estimate(sc.get("horizon", {}).get("net", {}).get(c)),
                    }
                    for c in codes
                ],
                "phases": [
                    {
                        "label": criterion_label(r, c),
                        "unit": per_year(criterion_unit(r, c)),
                        "cells": [
                            missing()
                            if (v := (sc["by_phase"].get(p) or {}).get(c)) is None
                            else number(v.get("value"))
                            for p in phases
                        ],
                    }
                    for c in codes
                ],
                "economic": [
                    {
                        "label": econ_labels[k],
                        "unit": "€",
                        "values": [number(e[k].get(b)) for b in ("value", "low", "high")],
                    }
                    for k in MONEY_KEYS
                ]
                + [
                    {
                        "label": econ_labels[k],
                        "unit": "",
                        "values": [payback(e[k].get(b)) for b in ("value", "low", "high")],
                    }
                    for k in PAYBACK_KEYS
                ],
                "indicators": [
                    {
                        "label": indicator_label(v, code),
                        "value": number(v["value"]),
                        "unit": v["unit"],
                    }
                    for code, v in soc["indicators"].items()
                ],
                "sroi": None
                if not s
                else {
                    "inputs": number(s["inputs_value"]),
                    "present_value": number(s["total_present_value"]),
                    "net_present_value": number(s["net_present_value"]),
                    "ratio": number(s["ratio"]),
                    "net_ratio": number(s["net_ratio"]),
                    "outcomes": [
                        {
                            "stakeholder": o.get("stakeholder", ""),
                            "outcome": o["outcome"],
                            "quantity": number(o["quantity"]),
                            "proxy": number(o["proxy_eur"]),
                            "source": o.get("proxy_source") or missing(),
                            "present_value": number(o["present_value"]),
                        }
                        for o in s["outcomes"]
                    ],
                },
            }
        )
    comparisons = [
        {
            "variant": comp["variant"],
            "baseline": comp["baseline"],
            "draws": comp["draws"],
            "rows": [
                {
                    "label": criterion_label(r, code),
                    "unit": per_year(criterion_unit(r, code)),
                    "difference": missing() if c is None else estimate(c["difference"]),
                    "probability": missing()
                    if c is None
                    else percent(c["probability_variant_lower"]),
                }
                for code, c in comp["criteria"].items()
            ],
            "economic": [
                {"label": econ_labels[k], "value": number(v)}
                for k, v in (comp.get("economic_delta") or {}).items()
                if k in econ_labels
            ],
        }
        for comp in r.get("comparison", [])
    ]
    factors = []
    for use in factors_used(r):
        f = use.row
        src = f.get("source") or {}
        factors.append(
            {
                "id": f.get("id", ""),
                "value": f"{number(f.get('value'))} [{number(f.get('low'))} – "
                f"{number(f.get('high'))}]",
                "unit": f.get("unit", ""),
                "source_id": src.get("id", ""),
                "title": src.get("title") or missing(),
                "url": src.get("url") or "",
                "status": src.get("status") or missing(),
            }
        )
    return {
        "result": r,
        "horizon": number(r["project"]["horizon_years"], 2, trim=True),
        "discount_rate": percent(r["project"]["discount_rate"]),
        "phase_labels": [phase_label(p) for p in phases],
        "scenarios": scenarios,
        "comparisons": comparisons,
        "phase_charts": [_svg(charts.stacked_phases(r, c)) for c in codes],
        "net_charts": [_svg(charts.net_balance(r, c)) for c in codes],
        "factor_sets": factor_sets_used(r),
        "factors": factors,
        "warnings": warnings(r),
    }
