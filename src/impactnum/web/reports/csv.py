"""The CSV export: one row per scenario × section × indicator, the same as `impactnum calc
--format csv` (columns scenario, section, indicator, unit, value, low, high; empty = missing)."""

from __future__ import annotations

from typing import Any

from impactnum.io.results_csv import render_csv


def build_csv(result: dict[str, Any]) -> str:
    """`result` is JSON-ready (NaN already None), so a missing value is an empty cell."""
    return render_csv(result)
