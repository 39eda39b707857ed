"""`impactnum backup` / `impactnum restore`: a round trip gives back the same data and files.

Each test runs the real commands in fresh interpreters on a database of its own (SQLite in a
temporary folder; PostgreSQL in a scratch database when the tests run on PostgreSQL and the
client tools are installed).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from tests.conftest import postgres_test_url

ROOT = Path(__file__).resolve().parents[2]
CODE = "import sys; from impactnum.cli import main; sys.exit(main())"

SEED = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from impactnum.web.core import services
org = services.create_organisation(None, slug="ville-test", name="Ville test", kind="commune")
user = services.create_user(None, username="agent", password="pw-Impactnum-1")
services.set_membership(None, user, org, "manager")
default_storage.save("reuse/wipes/rapport-effacement.pdf", ContentFile(bytes(range(256)) * 40))
default_storage.save("plan/evidence/2025/preuve.txt", ContentFile("preuve signée\\n".encode()))
"""

CHANGE = """
from impactnum.web.core import services
services.create_organisation(None, slug="apres", name="Créée après", kind="commune")
"""


class Cli:
    def __init__(self, tmp_path: Path, database_url: str) -> None:
        self.var = tmp_path / "var"
        self.env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        self.env.update(
            DATABASE_URL=database_url, IMPACTNUM_VAR_DIR=str(self.var), IMPACTNUM_PROFILE="local"
        )

    def __call__(self, *args: str, check: bool = True, stdin: str | None = None):
        proc = subprocess.run(
            [sys.executable, "-c", CODE, *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=self.env,
            input=stdin,
            timeout=300,
            check=False,
        )
        if check:
            assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    def table_dump(self) -> list:
        """Every row of every model (dumpdata, ordered by primary key)."""
        out = self("manage", "dumpdata", "--indent", "0").stdout
        return json.loads(out)

    def files(self) -> dict[str, str]:
        media = self.var / "media"
        return {
            p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(media.rglob("*"))
            if p.is_file()
        }


def _round_trip(cli: Cli, tmp_path: Path, wipe, raw_dump=lambda: None) -> None:
    """Seed, back up, lose everything, restore: the same rows, the same files."""
    cli("manage", "migrate", "--noinput")
    cli("manage", "shell", "-c", SEED)
    before_rows, before_files, before_raw = cli.table_dump(), cli.files(), raw_dump()
    assert len(before_files) == 2 and any(r["model"] == "core.organisation" for r in before_rows)

    archive = tmp_path / "backups" / "b.tar.gz"
    out = cli("backup", "--output", str(archive)).stdout
    assert "2 files" in out and archive.is_file()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert names[0] == "manifest.json"
    assert set(manifest["members"]) == set(names[1:])
    assert (
        manifest["members"]["media/reuse/wipes/rapport-effacement.pdf"]
        == (before_files["reuse/wipes/rapport-effacement.pdf"])
    )

    # Lose everything (and change what is left), then restore.
    cli("manage", "shell", "-c", CHANGE)
    wipe()
    shutil.rmtree(cli.var / "media")
    (cli.var / "media" / "reuse").mkdir(parents=True)
    (cli.var / "media" / "reuse" / "stray.txt").write_text("not in the backup")

    refused = cli("restore", str(archive), check=False, stdin="n\n")
    assert refused.returncode != 0  # asks first; "n" aborts

    cli("restore", str(archive), "--yes")
    assert raw_dump() == before_raw
    assert cli.table_dump() == before_rows
    assert cli.files() == before_files


def test_sqlite_round_trip_restores_identical_database_and_files(tmp_path):
    db = tmp_path / "db" / "impactnum.sqlite3"
    cli = Cli(tmp_path, f"sqlite:///{db}")

    def wipe() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)

    def every_table() -> list[str]:  # schema and rows, as SQL
        connection = sqlite3.connect(db)
        try:
            return list(connection.iterdump())
        finally:
            connection.close()

    _round_trip(cli, tmp_path, wipe, every_table)


def _tampered(archive: Path, target: Path, member: str, data: bytes) -> None:
    with tarfile.open(archive) as src, tarfile.open(target, "w:gz") as dst:
        for info in src.getmembers():
            content = src.extractfile(info).read()
            if info.name == member:
                content = data
                info.size = len(data)
            dst.addfile(info, io.BytesIO(content))


def test_restore_refuses_a_damaged_archive_and_changes_nothing(tmp_path):
    db = tmp_path / "db.sqlite3"
    cli = Cli(tmp_path, f"sqlite:///{db}")
    cli("manage", "migrate", "--noinput")
    cli("manage", "shell", "-c", SEED)
    archive = tmp_path / "b.tar.gz"
    cli("backup", "-o", str(archive))
    cli("manage", "shell", "-c", CHANGE)
    rows, files = cli.table_dump(), cli.files()

    bad = tmp_path / "bad.tar.gz"
    _tampered(archive, bad, "media/plan/evidence/2025/preuve.txt", b"forged proof\n")
    proc = cli("restore", str(bad), "--yes", check=False)
    assert proc.returncode == 2
    assert "checksum mismatch" in proc.stderr and "preuve.txt" in proc.stderr

    not_backup = tmp_path / "x.tar.gz"
    with tarfile.open(not_backup, "w:gz") as tar:
        tar.add(str(db), arcname="database.sqlite3")
    proc = cli("restore", str(not_backup), "--yes", check=False)
    assert proc.returncode == 2 and "not an impactnum backup" in proc.stderr

    assert cli.table_dump() == rows and cli.files() == files


def _postgres_unavailable() -> str | None:
    if not postgres_test_url():
        return "the tests run on SQLite (set IMPACTNUM_TEST_DATABASE_URL to a postgres:// URL)"
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


@pytest.mark.skipif(_postgres_unavailable() is not None, reason=str(_postgres_unavailable()))
def test_postgres_round_trip_restores_identical_database_and_files(tmp_path):
    import dj_database_url
    import psycopg

    url = postgres_test_url()
    assert url
    conf = dj_database_url.parse(url)
    name = f"impactnum_backup_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(
        dbname="postgres",
        user=conf["USER"] or None,
        password=conf["PASSWORD"] or None,
        host=conf["HOST"] or None,
        port=conf["PORT"] or None,
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    scratch = url.rsplit("/", 1)[0] + "/" + name
    cli = Cli(tmp_path, scratch)

    def wipe() -> None:
        cli("manage", "flush", "--noinput")

    try:
        _round_trip(cli, tmp_path, wipe)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
