"""Turning expected errors (bad input file, unknown factor set or kind) into exit code 2.

Every message goes to stderr, nothing to stdout: a command that fails prints no partial result.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click

from impactnum.engine import EngineInputError, FactorSetError
from impactnum.io.errors import InputFileError

EXIT_INPUT = 2


def fail(lines: list[str]) -> NoReturn:
    """Print each line on stderr and exit with code 2."""
    for line in lines:
        click.echo(line, err=True)
    raise click.exceptions.Exit(EXIT_INPUT)


@contextmanager
def input_errors() -> Iterator[None]:
    """Inside this block, input and engine errors end the command with exit code 2."""
    try:
        yield
    except InputFileError as exc:
        fail(exc.message().splitlines())
    except (EngineInputError, FactorSetError) as exc:
        fail([f"error: {line}" if i == 0 else line for i, line in enumerate(str(exc).splitlines())])
