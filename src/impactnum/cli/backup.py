"""`impactnum backup` and `impactnum restore`: the database and the uploaded files in one archive.

Thin wrappers over `impactnum.web.core.backup` (format, checksums, how each database is copied).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from impactnum.cli.errors import fail


def _django() -> None:
    from impactnum.web.config import setup

    setup()


@click.command("backup")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Archive to write (default: impactnum-backup-YYYYMMDD-HHMMSS.tar.gz here).",
)
def backup(output: Path | None) -> None:
    """Back up the database and the uploaded files (with a manifest of SHA-256 checksums)."""
    _django()
    from impactnum.web.core.backup import BackupError, create_backup

    if output is None:
        output = Path(f"impactnum-backup-{dt.datetime.now():%Y%m%d-%H%M%S}.tar.gz")
    try:
        manifest = create_backup(output)
    except BackupError as exc:
        fail([f"backup: {exc}"])
    files = sum(1 for name in manifest.members if name.startswith("media/"))
    click.echo(f"Backup written to {output} ({manifest.database_vendor} database, {files} files).")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(archive: Path, yes: bool) -> None:
    """Replace the database and the uploaded files with a backup's (stop the service first)."""
    _django()
    from impactnum.web.core.backup import BackupError, restore_backup

    if not yes:
        click.confirm(
            f"Replace the current database and uploaded files with {archive}?", abort=True
        )
    try:
        manifest = restore_backup(archive)
    except BackupError as exc:
        fail([f"restore: {exc}"])
    click.echo(
        f"Restored {archive} (made {manifest.created_at} by impactnum "
        f"{manifest.impactnum_version}). Run `impactnum manage migrate` if this version is newer."
    )
