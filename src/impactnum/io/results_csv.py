"""A project result as CSV: one row per scenario × section × indicator.

Columns `scenario,section,indicator,unit,value,low,high`; shared by `impactnum calc --format csv`
and the web reports, so both write the same file.
"""

import io
from collections.abc import Iterator
from typing import Any

from impactnum.engine import CRITERIA, CRITERION_CODES
from impactnum.io.cells import csv_writer


def _csv_rows(result: dict[str, Any]) -> Iterator[list[Any]]:
    units = {c.code: c.unit for c in CRITERIA}
    for sc in result["scenarios"]:
        name = sc["name"]
        for section in ("totals", "avoided", "net"):
            for code in CRITERION_CODES:
                v = sc[section].get(code)
                yield [name, section, code, f"{units[code]}/yr", *_triple(v)]
        e = sc["economic"]
        for key in ("tco", "total_avoided_costs", "pv_costs", "pv_savings", "npv"):
            yield [name, "economic", key, "EUR", *_triple(e[key])]
        yield [name, "economic", "payback_years", "yr", *_triple(e["payback_years"])]
        for code, v in sc["social"]["indicators"].items():
            yield [name, "social", code, v["unit"], v["value"], "", ""]
        if sc["social"]["sroi"]:
            s = sc["social"]["sroi"]
            yield [name, "sroi", "present_value", "EUR", s["total_present_value"], "", ""]
            yield [name, "sroi", "ratio", "ratio", s["ratio"], "", ""]
    for comp in result.get("comparison", []):
        for code, c in comp["criteria"].items():
            if c is not None:
                yield [
                    f"{comp['variant']} vs {comp['baseline']}",
                    "probability_variant_lower",
                    code,
                    "probability",
                    c["probability_variant_lower"],
                    "",
                    "",
                ]


def _triple(v: dict[str, Any] | None) -> list[Any]:
    if v is None:
        return ["", "", ""]
    return ["" if v[k] is None else v[k] for k in ("value", "low", "high")]


def render_csv(result: dict[str, Any]) -> str:
    """The result of `impactnum.calculation` as CSV text."""
    buf = io.StringIO()
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(["scenario", "section", "indicator", "unit", "value", "low", "high"])
    w.writerows(_csv_rows(result))
    return buf.getvalue()
