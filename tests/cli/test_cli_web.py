"""Web commands of the CLI (demo, orgs, manage, createuser) in subprocesses on a fresh SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(tmp_path):
    """Run `impactnum ARGS` in a fresh interpreter on a database file of its own."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        IMPACTNUM_VAR_DIR=str(tmp_path / "var"),
        IMPACTNUM_PROFILE="local",
    )
    code = "import sys; from impactnum.cli import main; sys.exit(main())"

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=300,
            check=False,
        )
        if check:
            assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc

    return run


def test_demo_then_orgs_list_json(cli):
    out = cli("demo").stdout
    assert "demo-impactnum" in out and "admin" in out and "elu" in out
    orgs = json.loads(cli("orgs", "list", "--format", "json").stdout)
    assert isinstance(orgs, list)
    by_slug = {o["slug"]: o for o in orgs}
    assert by_slug["ville-nevers"]["kind"] == "commune"
    assert by_slug["nevers-agglomeration"]["kind"] == "epci"
    assert all({"slug", "name", "kind"} <= set(o) for o in orgs)
    again = cli("demo", "--if-empty").stdout
    assert "not loaded" in again
    assert json.loads(cli("orgs", "list", "--format", "json").stdout) == orgs


def test_manage_migrate_and_createuser(cli):
    cli("manage", "migrate", "--noinput")
    assert json.loads(cli("orgs", "list", "--format", "json").stdout) == []
    out = cli("createuser", "alice", "--password", "Un-mot-de-passe-long-1").stdout
    assert "Created alice" in out
    duplicate = cli("createuser", "alice", "--password", "x", check=False)
    assert duplicate.returncode != 0
    assert "alice" in duplicate.stdout + duplicate.stderr
    shell = cli(
        "manage",
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model as g; "
        "u = g().objects.get(username='alice'); print(u.check_password('Un-mot-de-passe-long-1'))",
    )
    assert shell.stdout.strip().splitlines()[-1] == "True"
