"""`impactnum fleet …`: the organisation's IT fleet. `fleet import` reads a GLPI, NumEcoEval or
impactnum file and writes it all or nothing (for scheduled jobs).

The command runs as the system (no person: `check_permission=False`), since it is an operator's
job on the server. A file with errors prints every error on stderr, writes nothing and exits 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from impactnum.cli.errors import fail
from impactnum.cli.fleet_quotas import declaration, indicators


@click.group("fleet")
def fleet() -> None:
    """The IT fleet of an organisation: imports, indicators, declarations."""


def _organisation(slug: str) -> Any:
    from impactnum.web.config import setup

    setup()
    from impactnum.web.core.models import Organisation

    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        known = ", ".join(Organisation.objects.values_list("slug", flat=True)[:20]) or "none"
        fail([f"error: no organisation {slug!r} (known: {known})"])
    return org


@fleet.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--organisation", "slug", required=True, help="Slug of the organisation.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "glpi", "numecoeval", "impactnum"]),
    default="auto",
    show_default=True,
    help="auto: from the header (GLPI's French headers, NumEcoEval's, or impactnum's `kind`).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be done; write nothing.")
@click.option(
    "--strict", is_flag=True, help="Treat refused lines as errors: write nothing, exit 2."
)
@click.option("--verbose", "-v", is_flag=True, help="List every created and updated line.")
def import_(file: Path, slug: str, fmt: str, dry_run: bool, strict: bool, verbose: bool) -> None:
    """Import the assets of FILE into the organisation (GLPI computer export, NumEcoEval
    physical equipment, impactnum CSV or XLSX template). Matching assets (same serial, else
    same inventory number) are updated, never duplicated."""
    org = _organisation(slug)
    from impactnum.web.core.errors import DomainError
    from impactnum.web.fleet.imports import apply, build_plan, read_import_file

    parsed = read_import_file(file, fmt=fmt, display_name=str(file))
    if not parsed.ok:
        fail(
            [
                f"error: {file}: {parsed.error_total} error"
                f"{'s' if parsed.error_total > 1 else ''}; nothing imported",
                *parsed.error_lines(),
            ]
        )
    try:
        plan = build_plan(org, parsed)
    except DomainError as exc:
        fail([f"error: {exc.message}"])
    for warning in plan.warnings:
        click.echo(f"warning: {warning}", err=True)
    if strict and plan.refused:
        fail(
            [f"error: {len(plan.refused)} refused line(s) (--strict); nothing imported"]
            + [f"{parsed.name}:{r.line}: refused: {r.reason}" for r in plan.refused]
        )
    verb = "would be" if dry_run else ""
    if not dry_run:
        try:
            apply(None, plan, check_permission=False)
        except DomainError as exc:
            fail([f"error: {exc.message}", "nothing imported"])
    _report(plan, verb, verbose)


def _report(plan: Any, verb: str, verbose: bool) -> None:
    def say(n: int, what: str) -> str:
        return f"{n} {what}" + (f" ({verb})" if verb else "")

    head = "Dry run: nothing written." if verb else "Imported."
    click.echo(
        f"{head} {plan.file} ({plan.format}) into {plan.organisation.slug}: "
        f"{say(len(plan.to_create), 'created')}, {say(len(plan.to_update), 'updated')}, "
        f"{len(plan.unchanged)} unchanged, {len(plan.refused)} refused."
    )
    if plan.status_changes:
        click.echo(f"  status changes: {plan.status_changes}")
    if plan.new_locations:
        click.echo(f"  new locations: {', '.join(plan.new_locations)}")
    if plan.new_departments:
        click.echo(f"  new departments: {', '.join(plan.new_departments)}")
    if verbose:
        for c in plan.to_create:
            click.echo(f"  line {c.line}: create {c.fields.get('kind')} {c.identifier}")
        for u in plan.to_update:
            fields = ", ".join(sorted(u.changes))
            status = (
                f" status {u.status_change[0]} → {u.status_change[1]}" if u.status_change else ""
            )
            click.echo(f"  line {u.line}: update {u.identifier}: {fields}{status}")
    for r in plan.refused:
        click.echo(f"  line {r.line}: refused {r.identifier}: {r.reason}")


# The indicators and declaration commands live in their own module (one per concern).
fleet.add_command(indicators)
fleet.add_command(declaration)
