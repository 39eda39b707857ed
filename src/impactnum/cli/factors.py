"""`impactnum factors …`: the factor sets shipped, their sources, licences and coverage."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from impactnum.cli.errors import input_errors
from impactnum.cli.render import stdout_console, to_json


@click.group()
def factors() -> None:
    """Factor sets: list them, show one."""


@factors.command("list")
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def list_sets(output: str) -> None:
    """Every factor set and version shipped, with publisher, licence and date."""
    from impactnum.engine import list_factor_sets

    sets = list_factor_sets()
    if output == "json":
        click.echo(to_json(sets))
        return
    table = Table(title="Factor sets", title_justify="left")
    for col in ("Set", "Title", "Publisher", "Date", "Licence"):
        table.add_column(col, overflow="fold")
    for s in sets:
        table.add_row(s["ref"], s["title"], s["publisher"], str(s["date"]), s["licence"])
    stdout_console().print(table)


def describe(spec: str) -> dict[str, Any]:
    """Everything `factors show` prints, as a plain dict (also the JSON output)."""
    from impactnum.engine import load_factor_set

    fs = load_factor_set(spec)
    info = fs.info
    return {
        "ref": fs.ref,
        "name": fs.name,
        "version": fs.version,
        **{k: info.get(k, "") for k in ("title", "publisher", "url", "licence", "date")},
        "default_country": fs.default_country,
        "description": info.get("description", ""),
        "coverage": {
            family: {phase: sorted(crits) for phase, crits in phases.items()}
            for family, phases in fs.coverage.items()
        },
        "kinds": sorted(fs.kind_defaults),
        "pue_default": fs.pue_default,
        "borrow": list(info.get("borrow", [])),
        "phase_mapping": dict(info.get("phase_mapping", {})),
        "sources": dict(info.get("sources", {})),
        "parameters": {
            name: {"value": p.value, "low": p.low, "high": p.high, "unit": p.unit}
            for name, p in sorted(fs.params.items())
        },
    }


@factors.command("show")
@click.argument("spec", metavar="SET[@VERSION]")
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def show(spec: str, output: str) -> None:
    """One factor set: source, licence, coverage, borrowings, sources."""
    with input_errors():
        data = describe(spec)
    if output == "json":
        click.echo(to_json(data))
        return
    console = stdout_console()
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column(overflow="fold")
    for key in (
        "ref",
        "title",
        "publisher",
        "url",
        "licence",
        "date",
        "default_country",
        "pue_default",
    ):
        head.add_row(key, str(data[key]))
    head.add_row("kinds", ", ".join(data["kinds"]))
    console.print(head)
    if data["description"]:
        console.print(data["description"], markup=False)

    cov = Table(title="Coverage (family × phase → criteria)", title_justify="left")
    for col in ("Family", "Phase", "Criteria"):
        cov.add_column(col)
    for family, phases in data["coverage"].items():
        for phase, crits in phases.items():
            cov.add_row(family, phase, ", ".join(crits))
    console.print(cov)

    if data["borrow"]:
        bor = Table(title="Borrowed from other sets", title_justify="left")
        for col in ("From", "Family", "Phase", "Criterion"):
            bor.add_column(col)
        for b in data["borrow"]:
            bor.add_row(*(str(b.get(k, "")) for k in ("from", "family", "phase", "criterion")))
        console.print(bor)

    src = Table(title="Sources", title_justify="left")
    for col in ("Id", "Title", "Status", "Licence", "URL"):
        src.add_column(col, overflow="fold")
    for sid, s in data["sources"].items():
        src.add_row(
            sid,
            str(s.get("title", "")),
            str(s.get("status", "")),
            str(s.get("licence", "")),
            str(s.get("url", "")),
        )
    console.print(src)
