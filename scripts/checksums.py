"""Recompute the `[checksums]` table of one factor-set folder.

Usage:
    python scripts/checksums.py src/impactnum/factors/<name>/<version>          # print the table
    python scripts/checksums.py src/impactnum/factors/<name>/<version> --write  # rewrite the file
    python scripts/checksums.py src/impactnum/factors/<name>/<version> --check  # exit 1 if stale

The table holds the SHA-256 of each CSV file of the folder (factors.csv, kinds.csv,
parameters.csv), as described in docs/methodology/factor-sets.md. `--write` replaces the
existing `[checksums]` table (from its header to the next table header or the end of the file)
and leaves every other line of SOURCE.toml untouched; if there is no such table it is appended.
Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tomllib
from pathlib import Path

CSV_FILES: tuple[str, ...] = ("factors.csv", "kinds.csv", "parameters.csv")
_TABLE_HEADER = re.compile(r"^\s*\[")


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compute(folder: Path) -> dict[str, str]:
    """SHA-256 of each CSV file present in the folder, in the documented order."""
    missing = [name for name in CSV_FILES if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{folder}: missing {', '.join(missing)}")
    return {name: sha256_of(folder / name) for name in CSV_FILES}


def render(checksums: dict[str, str]) -> str:
    """The `[checksums]` TOML table, ending with a newline."""
    lines = ["[checksums]"]
    lines += [f'"{name}" = "{digest}"' for name, digest in checksums.items()]
    return "\n".join(lines) + "\n"


def replace_table(source_text: str, table: str) -> str:
    """Return SOURCE.toml text with its `[checksums]` table replaced (or appended)."""
    lines = source_text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == "[checksums]"), None)
    if start is None:
        sep = "" if source_text.endswith("\n") or not source_text else "\n"
        return source_text + sep + "\n" + table
    end = len(lines)
    for i in range(start + 1, len(lines)):
        if _TABLE_HEADER.match(lines[i]):
            end = i
            break
    # Keep blank lines and comments that precede the next table with that table.
    while end > start + 1 and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + table + ("\n" + tail.lstrip("\n") if tail.strip() else "")


def stored(folder: Path) -> dict[str, str]:
    """The checksums currently written in SOURCE.toml (empty if none)."""
    with open(folder / "SOURCE.toml", "rb") as f:
        data = tomllib.load(f)
    table = data.get("checksums", {})
    return {str(k): str(v) for k, v in table.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a factor-set version folder")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite SOURCE.toml in place")
    mode.add_argument("--check", action="store_true", help="exit 1 if SOURCE.toml is stale")
    args = parser.parse_args(argv)

    folder: Path = args.folder
    source = folder / "SOURCE.toml"
    if not source.is_file():
        print(f"{source}: not found", file=sys.stderr)
        return 2
    checksums = compute(folder)

    if args.check:
        current = stored(folder)
        stale = [name for name, digest in checksums.items() if current.get(name) != digest]
        for name in stale:
            print(f"{folder / name}: checksum in SOURCE.toml is stale", file=sys.stderr)
        return 1 if stale else 0

    table = render(checksums)
    if not args.write:
        print(table, end="")
        return 0

    new_text = replace_table(source.read_text(encoding="utf-8"), table)
    tomllib.loads(new_text)  # refuse to write a file that no longer parses
    source.write_text(new_text, encoding="utf-8")
    if stored(folder) != checksums:
        print(f"{source}: rewrite did not take", file=sys.stderr)
        return 1
    print(f"{source}: checksums updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
