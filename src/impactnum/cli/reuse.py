"""`impactnum reuse …`: the reuse chain's period report, ORDS export and the scheduled
anonymisation of beneficiaries. Each command is a few lines over `impactnum.web.reuse`.

Commands run as the system (an operator's job on the server): they read one organisation's data
and print it; `anonymise` is meant for a daily scheduled job (cron, systemd timer).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from impactnum.cli.errors import fail

DATE = click.DateTime(["%Y-%m-%d"])


@click.group("reuse")
def reuse() -> None:
    """The reuse chain: period report, Open Repair Data export, anonymisation."""


def _organisation(slug: str) -> Any:
    from impactnum.web.config import setup

    setup()
    from impactnum.web.core.models import Organisation

    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        known = ", ".join(Organisation.objects.values_list("slug", flat=True)[:20]) or "none"
        fail([f"error: no organisation {slug!r} (known: {known})"])
    return org


def _table(report: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from impactnum.cli.render import stdout_console

    table = Table(title=f"{report['organisation']}: {report['date_from']} → {report['date_to']}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in report.items():
        if (isinstance(value, int | float) and not isinstance(value, bool)) or value is None:
            table.add_row(key, "n/a" if value is None else f"{value:,}".replace(",", " "))
    table.add_row("co2e_method", escape(report["co2e_method"]))
    table.add_row("co2e_factors", escape(report["co2e_factors"]))
    stdout_console().print(table)
    mats = report["materials_recovered"]["materials"]
    if mats:
        m = Table(title="materials recovered (estimate)")
        for col in ("material", "grams contained", "grams recovered", "to verify"):
            m.add_column(col)
        for row in mats:
            m.add_row(
                row["material"],
                f"{row['grams_contained']:.3f}",
                f"{row['grams_recovered']:.3f}",
                "yes" if row["to_verify"] else "",
            )
        stdout_console().print(m)


@reuse.command("report")
@click.option("--organisation", "slug", required=True, help="Organisation slug.")
@click.option("--from", "date_from", type=DATE, required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "date_to", type=DATE, required=True, help="Last day (YYYY-MM-DD).")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@click.option(
    "--method",
    type=click.Choice(["restart", "ademe"]),
    default="restart",
    show_default=True,
    help="Pre-use footprint: ORDS category (restart) or ADEME fabrication + distribution.",
)
def report(slug: str, date_from: dt.datetime, date_to: dt.datetime, fmt: str, method: str) -> None:
    """The period report: collected, provided, recycled, people equipped, support hours,
    greenhouse gases and e-waste avoided (method named), materials, money saved."""
    org = _organisation(slug)
    if date_to < date_from:
        fail(["error: --to is before --from"])
    from impactnum.cli.render import to_json
    from impactnum.web.reuse.report import reuse_report

    data = reuse_report(org, date_from.date(), date_to.date(), method=method)
    if fmt == "json":
        click.echo(to_json(data))
    else:
        _table(data)


@reuse.command("ords-export")
@click.option("--organisation", "slug", required=True, help="Organisation slug.")
@click.option("--no-fleet", is_flag=True, help="Only the reuse chain's repairs.")
@click.option("--country", default="FRA", show_default=True, help="ISO 3166-1 alpha-3.")
def ords_export(slug: str, no_fleet: bool, country: str) -> None:
    """Repairs as Open Repair Data Standard v0.3 CSV on stdout (no personal data)."""
    org = _organisation(slug)
    if len(country) != 3 or not country.isalpha():
        fail([f"error: --country {country!r}: expected an ISO 3166-1 alpha-3 code such as FRA"])
    from impactnum.web.reuse.ords import ords_csv

    click.echo(ords_csv(org, include_fleet=not no_fleet, country=country.upper()), nl=False)


@reuse.command("anonymise")
@click.option("--today", type=DATE, help="Reference day (default: today).")
@click.option("--organisation", "slug", help="Only this organisation (default: all).")
def anonymise(today: dt.datetime | None, slug: str | None) -> None:
    """Anonymise beneficiaries whose retention period has ended (idempotent; for a daily job)."""
    if slug:
        org = _organisation(slug)
    else:
        from impactnum.web.config import setup

        setup()
        org = None
    from impactnum.web.reuse.privacy import anonymise_due

    n = anonymise_due(today.date() if today else None, organisation=org)
    click.echo(f"{n} beneficiar{'y' if n == 1 else 'ies'} anonymised")
