"""Fleet commands over `fleet.indicators` and `fleet.declaration`: `indicators` and
`declaration`, to attach to the `fleet` group (`fleet.add_command(indicators)`).

Each starts Django, finds the organisation by slug and calls one function; errors go to stderr
with exit code 2 and nothing on stdout.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from impactnum.cli.errors import fail
from impactnum.cli.render import stdout_console, to_json


def _organisation(slug: str) -> Any:
    from impactnum.web.config import setup

    setup()
    from impactnum.web.core.models import Organisation

    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        known = ", ".join(Organisation.objects.values_list("slug", flat=True)[:20]) or "none"
        fail([f"error: no organisation {slug!r} (known: {known})"])
    return org


def _rows(data: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out += _rows(value, name + ".") if value else [(name, "—")]
        elif isinstance(value, float):
            out.append((name, f"{value:.3g}" if abs(value) < 1 else f"{value:,.2f}"))
        elif isinstance(value, list):
            out.append((name, ", ".join(map(str, value))))
        else:
            out.append((name, "—" if value is None else str(value)))
    return out


@click.command("indicators")
@click.option("--organisation", "slug", required=True, help="Organisation slug.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="Date (default today).")
def indicators(slug: str, fmt: str, day: dt.datetime | None) -> None:
    """Indicators of an organisation's fleet: size, ages, repairs, refurbished purchases,
    devices past their lifespan, renewals due in 12 months."""
    org = _organisation(slug)
    from impactnum.web.fleet.indicators import fleet_indicators

    data = fleet_indicators(org, day.date() if day else None)
    if fmt == "json":
        click.echo(to_json(data))
        return
    from rich.table import Table

    table = Table(title=f"Fleet indicators — {org.name} ({data['date']})")
    table.add_column("indicator")
    table.add_column("value", justify="right")
    for name, value in _rows(data):
        table.add_row(name, value)
    stdout_console().print(table)


@click.command("declaration")
@click.option("--organisation", "slug", required=True, help="Organisation slug.")
@click.option("--year", type=int, required=True, help="Calendar year of the spend.")
def declaration(slug: str, year: int) -> None:
    """AGEC art. 58 declaration for data.gouv.fr (schema
    schema-declaration-biens-reemploi-reutilisation-recycle), CSV on standard output."""
    org = _organisation(slug)
    from impactnum.web.core.errors import DomainError
    from impactnum.web.fleet.declaration import declaration_csv

    try:
        text = declaration_csv(org, year)
    except DomainError as exc:
        fail([f"error: {exc.message}"])
    sys.stdout.write(text)
