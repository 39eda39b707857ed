"""The shipped deployment files (deploy/systemd, deploy/cron.example) stay true to the CLI.

Every ExecStart and every cron line must name an existing `impactnum` command (or Django
management command under `impactnum manage`) with options that command accepts, so a renamed
command or option breaks this test instead of a night's job. `systemd-analyze verify` checks
the units themselves when the binary is there.
"""

from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from django.core.management import CommandError

from impactnum.cli import main

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"
CRON = ROOT / "deploy" / "cron.example"
BINARY = "/opt/impactnum/venv/bin/impactnum"
ADMIN = "/usr/local/bin/impactnum-admin"
JOBS = {"impactnum-anonymise", "impactnum-reminders", "impactnum-retention"}


def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are cased
    unit.read(path)
    return unit


def check_command(args: list[str]) -> None:
    """Raise if `impactnum <args>` names no command or passes options it does not take."""
    if args and args[0] == "manage":
        from django.core.management import get_commands, load_command_class

        assert len(args) > 1, "manage without a command"
        app = get_commands().get(args[1])
        assert app is not None, f"no management command {args[1]!r}"
        django_command = load_command_class(app, args[1])
        django_command.create_parser("impactnum manage", args[1]).parse_args(args[2:])
        return
    command: click.Command = main
    rest = list(args)
    while isinstance(command, click.Group):
        assert rest, f"{command.name}: a sub-command is needed"
        name = rest.pop(0)
        sub = command.get_command(click.Context(command), name)
        assert sub is not None, f"no command {name!r} in {command.name!r}"
        command = sub
    command.make_context(command.name, rest)  # parses and checks options; runs nothing


def services() -> dict[str, configparser.ConfigParser]:
    return {p.stem: read_unit(p) for p in sorted(SYSTEMD.glob("*.service"))}


def timers() -> dict[str, configparser.ConfigParser]:
    return {p.stem: read_unit(p) for p in sorted(SYSTEMD.glob("*.timer"))}


def cron_commands() -> list[list[str]]:
    commands = []
    for line in CRON.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#") or "=" in line.split()[0]:
            continue
        fields = shlex.split(line)
        assert len(fields) > 7, f"cron line needs 5 time fields, a user and a command: {line}"
        assert fields[5] == "root" and fields[6] == ADMIN, line
        commands.append(fields[7:])
    return commands


def test_the_service_and_one_timer_per_job_are_shipped():
    assert set(services()) == {"impactnum", *JOBS}
    assert set(timers()) == JOBS


def test_every_exec_start_names_a_real_command(db):
    for name, unit in services().items():
        service = unit["Service"]
        assert service["User"] == "impactnum" and service["EnvironmentFile"] == "/etc/impactnum/env"
        argv = shlex.split(service["ExecStart"])
        assert argv[0] == BINARY, name
        check_command(argv[1:])
        assert service["Type"] == ("simple" if name == "impactnum" else "oneshot"), name


def test_every_timer_has_a_valid_calendar():
    analyze = shutil.which("systemd-analyze")
    for name, unit in timers().items():
        calendar = unit["Timer"]["OnCalendar"]
        assert unit["Timer"]["Persistent"] == "true", name  # catch up a run missed while off
        assert unit["Install"]["WantedBy"] == "timers.target", name
        if analyze:
            checked = subprocess.run(
                [analyze, "calendar", calendar], capture_output=True, text=True, check=False
            )
            assert checked.returncode == 0, f"{name}: {calendar}: {checked.stderr}"


def test_cron_example_runs_the_same_jobs(db):
    commands = cron_commands()
    for args in commands:
        check_command(args)
    in_units = {
        tuple(shlex.split(unit["Service"]["ExecStart"])[1:])
        for name, unit in services().items()
        if name in JOBS
    }
    assert {tuple(c) for c in commands} == in_units


@pytest.mark.parametrize(
    "args",
    [
        ["reuse", "anonymize"],  # misspelt sub-command
        ["reuse", "anonymise", "--days", "3"],  # an option it does not take
        ["manage", "send_reminder"],  # no such management command
        ["manage", "retention", "--purge-all"],
        ["wipe-everything"],
    ],
)
def test_the_check_catches_a_wrong_command(db, args):
    with pytest.raises((AssertionError, click.ClickException, CommandError)):
        check_command(args)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not here")
def test_systemd_analyze_verify(tmp_path):
    """The units as systemd reads them; ExecStart is pointed at this environment's binary, since
    verify checks that it exists."""
    here = str(Path(sys.executable).with_name("impactnum"))
    for path in SYSTEMD.iterdir():
        (tmp_path / path.name).write_text(path.read_text().replace(BINARY, here))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(map(str, tmp_path.iterdir()))],
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Unknown" not in output and "ignoring" not in output, output


def test_deployment_guide_names_every_unit():
    guide = (ROOT / "docs" / "deployment.md").read_text()
    for path in [*SYSTEMD.iterdir(), CRON]:
        assert path.name in guide, f"docs/deployment.md does not mention {path.name}"
