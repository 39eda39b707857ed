"""`impactnum calc PROJECT_FILE`: environmental, economic and social results of a project.

The command only parses its options, loads the project (impactnum.io.project_toml), calls
`calculate_project` and renders. Bad input: every error on stderr, exit status 2, nothing on
stdout. Format of the project file: docs/project-file.md.
"""

from __future__ import annotations

import json
import math
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from impactnum.calculation import CalcInputError, json_ready, run
from impactnum.cli.errors import fail
from impactnum.engine import CRITERIA, CRITERION_CODES
from impactnum.engine.social import social_indicator
from impactnum.io.results_csv import render_csv

# --- rendering -------------------------------------------------------------------------------


def _num(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    a = abs(x)
    if a == 0:
        return "0"
    if a >= 100:
        return f"{x:,.0f}".replace(",", " ")
    if a >= 1:
        return f"{x:.3g}" if a < 10 else f"{x:.1f}"
    return f"{x:.3g}"


def _cell(v: dict[str, Any] | None) -> str:
    if v is None:
        return "n/a"
    return f"{_num(v['value'])}  [{_num(v['low'])} – {_num(v['high'])}]"


def render_table(result: dict[str, Any], console: Console) -> None:
    """Human-readable tables: per scenario totals, avoided and net; economic; social."""
    units = {c.code: c.unit for c in CRITERIA}
    project = result["project"]
    console.print(
        f"[bold]{escape(project['name'])}[/bold] — factor set {result['factor_set']}, "
        f"engine {result['engine_version']}, horizon {project['horizon_years']:g} years, "
        f"discount rate {project['discount_rate']:.1%}"
    )
    for sc in result["scenarios"]:
        title = f"Scenario: {sc['name']}" + (" (baseline)" if sc is result["scenarios"][0] else "")
        t = Table(title=escape(title + " — per year, value [low – high]"), title_justify="left")
        for col in ("Criterion", "Unit", "Impacts", "Avoided", "Net"):
            t.add_column(col, justify="left" if col in ("Criterion", "Unit") else "right")
        for code in CRITERION_CODES:
            t.add_row(
                code,
                f"{units[code]}/yr",
                _cell(sc["totals"].get(code)),
                _cell(sc["avoided"].get(code)),
                _cell(sc["net"].get(code)),
            )
        console.print(t)
        e = sc["economic"]
        pb = e["payback_years"]
        payback = (
            "never"
            if pb["value"] is None
            else "nothing to pay back"
            if pb["value"] == 0
            else f"{pb['value']:.1f} years"
        )
        console.print(
            f"  Economic (€, {e['horizon_years']:g} years): TCO {_cell(e['tco'])}; "
            f"avoided costs {_cell(e['total_avoided_costs'])}; NPV {_cell(e['npv'])}; "
            f"payback {payback}"
        )
        social = sc["social"]
        if social["indicators"]:
            parts = [
                f"{social_indicator(code).label_en} {_num(v['value'])} {v['unit']}"
                for code, v in social["indicators"].items()
            ]
            console.print("  Social: " + "; ".join(parts))
        if social["sroi"]:
            s = social["sroi"]
            console.print(
                f"  SROI: present value {_num(s['total_present_value'])} € for inputs "
                f"{_num(s['inputs_value'])} € → ratio {_num(s['ratio'])}"
            )
        for w in sc["warnings"]:
            console.print(f"  [yellow]warning:[/yellow] {escape(w)}")
    for comp in result.get("comparison", []):
        t = Table(
            title=escape(
                f"{comp['variant']} vs {comp['baseline']} ({comp['draws']} draws, "
                f"seed {comp['seed']}) — net per year"
            ),
            title_justify="left",
        )
        for col in ("Criterion", "Difference", "P(variant lower)"):
            t.add_column(col, justify="left" if col == "Criterion" else "right")
        for code, c in comp["criteria"].items():
            if c is None:
                t.add_row(code, "n/a", "n/a")
            else:
                t.add_row(code, _cell(c["difference"]), f"{c['probability_variant_lower']:.0%}")
        console.print(t)
        d = comp["economic_delta"]
        console.print(
            f"  Economic difference (variant − baseline, €): TCO {_num(d['tco'])}; "
            f"NPV {_num(d['npv'])}"
        )


# --- the command -----------------------------------------------------------------------------


@click.command("calc")
@click.argument("project_file", type=click.Path(dir_okay=False))
@click.option(
    "--factors",
    metavar="SET[@VERSION]",
    default=None,
    help="Factor set to use instead of the project's (e.g. ademe-2022@1.0.0).",
)
@click.option(
    "--draws",
    type=click.IntRange(min=2),
    default=None,
    help="Monte Carlo draws for low/high (5th–95th percentiles) and comparisons.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the draws.")
@click.option(
    "--compare",
    "compare_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Another project file whose scenarios are compared with this one's baseline.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
def calc(
    project_file: str,
    factors: str | None,
    draws: int | None,
    seed: int,
    compare_file: str | None,
    fmt: str,
) -> None:
    """Environmental, economic and social results of the project in PROJECT_FILE (TOML).

    For each scenario: impacts per year, what it avoids and the net balance per criterion;
    TCO, NPV and payback; social indicators and SROI. With several scenarios (or --compare),
    the probability that each variant's net impact is lower than the baseline's.
    """
    try:
        result = run(
            project_file, factors=factors, draws=draws, seed=seed, compare_file=compare_file
        )
    except CalcInputError as exc:
        fail(exc.errors)
    if fmt == "json":
        click.echo(json.dumps(json_ready(result), ensure_ascii=False, indent=2, allow_nan=False))
    elif fmt == "csv":
        click.echo(render_csv(result), nl=False)
    else:
        render_table(result, Console(width=max(120, Console().width)))
