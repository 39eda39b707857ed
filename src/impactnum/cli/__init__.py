"""The `impactnum` command line: one module per command group, loaded only when used.

Commands are registered by dotted path in `COMMANDS`; a group is imported only when it is
invoked (or when `--help` lists them), so `impactnum inventory calc` never imports what other
commands need (the engine commands never import Django).
"""

from __future__ import annotations

import importlib

import click

from impactnum import __version__

COMMANDS: dict[str, str] = {
    "backup": "impactnum.cli.backup:backup",
    "calc": "impactnum.cli.calc:calc",
    "createuser": "impactnum.cli.web:createuser",
    "demo": "impactnum.cli.web:demo",
    "factors": "impactnum.cli.factors:factors",
    "fleet": "impactnum.cli.fleet:fleet",
    "inventory": "impactnum.cli.inventory:inventory",
    "manage": "impactnum.cli.web:manage",
    "orgs": "impactnum.cli.web:orgs",
    "restore": "impactnum.cli.backup:restore",
    "reuse": "impactnum.cli.reuse:reuse",
    "serve": "impactnum.cli.web:serve",
}


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx))
        names.update(n for n in COMMANDS if self._load(n) is not None)
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._load(cmd_name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, _, attr = target.partition(":")
        module = importlib.import_module(module_name)
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="impactnum")
def main() -> None:
    """impactnum: social, environmental and economic impacts of a local authority's digital
    activity."""
