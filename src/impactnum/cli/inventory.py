"""`impactnum inventory …`: impacts of a fleet read from an inventory file.

Never imports Django or the web app (a test checks it): the file is read by `impactnum.io`
and computed by `impactnum.engine`.
"""

from __future__ import annotations

from pathlib import Path

import click

from impactnum.cli.errors import input_errors
from impactnum.cli.render import render_csv, render_table, status, to_json

DEFAULT_INVENTORY_FACTORS = "ademe-2022"
"""The French default; servers and IoT devices are borrowed from boavizta-2.5 (see its SOURCE)."""

BIG_FILE_BYTES = 2_000_000


@click.group()
def inventory() -> None:
    """Inventories of equipment (the fleet): NumEcoEval or impactnum CSV files."""


@inventory.command("calc")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--factors",
    "factor_spec",
    default=DEFAULT_INVENTORY_FACTORS,
    show_default=True,
    metavar="SET[@VERSION]",
    help="Factor set (see `impactnum factors list`).",
)
@click.option(
    "--draws",
    type=click.IntRange(min=2),
    default=None,
    help="Monte Carlo draws for low/high (default: analytic bounds).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the draws.")
@click.option(
    "--by",
    default="kind",
    show_default=True,
    metavar="kind|entity|LABEL",
    help="Breakdown: kind, or a label column (entity, model, datacenter, country…).",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option(
    "--lifespan-mode",
    type=click.Choice(["fixed", "real"]),
    default="fixed",
    show_default=True,
    help="real: a device still in service counts today − purchase date (NumEcoEval REEL).",
)
@click.option(
    "--type-map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Extra `type,kind` CSV mapping your equipment types to kinds.",
)
@click.option(
    "--overrides",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV of factor overrides (family,key,phase,criterion,value,low,high,…).",
)
@click.option(
    "--input-format",
    type=click.Choice(["auto", "numecoeval", "impactnum"]),
    default="auto",
    show_default=True,
    help="auto: a `kind` column means impactnum's CSV, else NumEcoEval's.",
)
def calc(
    file: Path,
    factor_spec: str,
    draws: int | None,
    seed: int,
    by: str,
    output: str,
    lifespan_mode: str,
    type_map: Path | None,
    overrides: Path | None,
    input_format: str,
) -> None:
    """Annual impacts of the equipment listed in FILE (CSV, `;` or `,`, UTF-8 or Windows-1252)."""
    from impactnum.engine import FactorOverride, compute_annual, load_factor_set
    from impactnum.io import ReadOptions, read_inventory

    big = file.stat().st_size > BIG_FILE_BYTES
    with input_errors():
        extra = FactorOverride.read_csv(overrides) if overrides else []
        fs = load_factor_set(factor_spec, overrides=extra)
        options = ReadOptions(
            pue_default=fs.pue_default,
            lifespan_mode="real" if lifespan_mode == "real" else "fixed",
            type_map_file=type_map,
        )
        with status(f"Reading {file.name}…", big=big):
            inv = read_inventory(file, input_format=input_format, options=options)  # type: ignore[arg-type]
        with status(f"Computing {len(inv.lines)} lines…", big=big):
            result = compute_annual(inv.lines, fs, by=by or None, draws=draws, seed=seed)
    for warning in inv.warnings:
        click.echo(f"warning: {warning}", err=True)
    data = result.to_dict()
    by_keys = ["by_kind"] if by in ("kind", "") else ["by_kind", f"by_{by}"]
    if output == "json":
        click.echo(to_json(data))
        return
    if output == "csv":
        click.echo(render_csv(data, by_keys[-1:]), nl=False)
    else:
        render_table(data, by_keys[-1:])
    for warning in data.get("warnings", []):
        click.echo(f"warning: {warning}", err=True)
