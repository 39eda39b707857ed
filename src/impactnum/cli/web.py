"""Commands of the web application: serve, demo, createuser, orgs, manage.

Each command starts Django with `impactnum.web.config.setup()` (honouring DATABASE_URL and
IMPACTNUM_PROFILE) and calls a service; none of this is imported by the engine commands.
"""

from __future__ import annotations

import json
import os
import sys

import click

from impactnum.cli.errors import fail


def _django() -> None:
    from impactnum.web.config import setup

    setup()


@click.command(
    "manage",
    context_settings={
        "ignore_unknown_options": True,
        "allow_extra_args": True,
        "help_option_names": [],
    },
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Django's management commands, arguments passed unchanged (e.g. `migrate --noinput`)."""
    from django.core.management import execute_from_command_line

    _django()
    execute_from_command_line(["impactnum manage", *args])


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _database_is_empty() -> bool:
    from impactnum.web.core.models import Organisation

    return not Organisation.objects.exists()


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no organisation.")
def demo(if_empty: bool) -> None:
    """Load the deterministic demo data (Nevers, its agglomeration, a partner association)."""
    _django()
    _migrate()
    from django.conf import settings

    from impactnum.web.demo import DEMO_PASSWORD, build_demo

    if not settings.IMPACTNUM_DEMO_ACCOUNTS:
        fail(["demo: the demo accounts are disabled in this profile (production)"])
    if if_empty and not _database_is_empty():
        click.echo("The database already has data: demo not loaded.")
        return
    accounts = build_demo()
    click.echo(f"Demo data loaded. Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, description in accounts:
        click.echo(f"  {username:<14} {description}")


@click.command("serve")
@click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("PORT", "8000")),
    show_default="8000 or $PORT",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--workers", type=int, default=2, show_default=True)
@click.option("--demo-if-empty", is_flag=True, help="Load the demo data into an empty database.")
def serve(port: int, host: str, workers: int, demo_if_empty: bool) -> None:
    """Migrate, optionally load the demo, and serve with gunicorn (static files by WhiteNoise)."""
    _django()
    _migrate()
    from django.conf import settings

    if demo_if_empty and settings.IMPACTNUM_DEMO_ACCOUNTS and _database_is_empty():
        from impactnum.web.demo import build_demo

        build_demo()
    if getattr(settings, "IMPACTNUM_DEMO_ACCOUNTS", False):
        from impactnum.web.demo import DEMO_PASSWORD, demo_accounts

        accounts = demo_accounts()
        if accounts:
            click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for username, description in accounts:
                click.echo(f"  {username:<14} {description}")
    click.echo(f"impactnum is served at http://{host}:{port}/  (Ctrl+C to stop)", err=False)
    sys.stdout.flush()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", os.environ["DJANGO_SETTINGS_MODULE"])
    os.execv(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "impactnum.web.config.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ],
    )


@click.command("createuser")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--email", default="")
@click.option("--organisation", "org_slug", help="Slug of an organisation to join.")
@click.option(
    "--role",
    default="viewer",
    show_default=True,
    type=click.Choice(["administrator", "manager", "technician", "facilitator", "viewer"]),
)
@click.option("--superuser", is_flag=True, help="A Django superuser (first administrator).")
def createuser(
    username: str, password: str, email: str, org_slug: str | None, role: str, superuser: bool
) -> None:
    """Create a person, optionally with a role in an organisation."""
    _django()
    from django.db import transaction

    from impactnum.web.core import services
    from impactnum.web.core.errors import DomainError
    from impactnum.web.core.models import Organisation

    try:
        with transaction.atomic():
            user = services.create_user(None, username=username, password=password, email=email)
            if superuser:
                user.is_staff = user.is_superuser = True  # type: ignore[attr-defined]
                user.save()
            if org_slug:
                org = Organisation.objects.filter(slug=org_slug).first()
                if org is None:
                    raise DomainError(f"no organisation with slug {org_slug!r}")
                services.set_membership(None, user, org, role)
    except DomainError as exc:
        fail([f"createuser: {exc.message}"])
    click.echo(f"Created {username}" + (f" ({role} of {org_slug})" if org_slug else ""))


@click.group("orgs")
def orgs() -> None:
    """Organisations."""


@orgs.command("list")
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def orgs_list(output: str) -> None:
    """Every organisation: slug, name, kind, SIRET."""
    _django()
    from impactnum.web.core.models import Organisation

    rows = [
        {"slug": o.slug, "name": o.name, "kind": o.kind, "siret": o.siret}
        for o in Organisation.objects.order_by("slug")
    ]
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("slug", "name", "kind", "SIRET")
    for r in rows:
        table.add_row(r["slug"], r["name"], r["kind"], r["siret"])
    Console().print(table)
