"""Errors in an input file: every problem found, each with file, line, column and reason.

A reader collects all the problems of a file (up to `MAX_REPORTED`, then counts the rest) and
raises one `InputFileError`: nothing partial is ever returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_REPORTED = 50
MAX_REASON = 300
"""Longest reason kept: a reason quoting a huge cell (a 1 MB field) is cut, not echoed whole."""


def shorten(text: str, limit: int = MAX_REASON) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, order=True)
class InputError:
    """One problem: `line` is 1-based with the header as line 1 (0: the file as a whole)."""

    line: int
    column: str
    reason: str
    file: str = field(default="", compare=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        col = f" column {self.column!r}:" if self.column else ""
        return f"{where}:{col} {self.reason}"


class InputFileError(Exception):
    """An input file that cannot be read; `errors` lists the problems, `total` counts them all."""

    def __init__(self, file: str, errors: list[InputError], total: int | None = None) -> None:
        self.file = file
        self.errors = sorted(
            e
            if len(e.reason) <= MAX_REASON and len(e.column) <= 100
            else InputError(e.line, shorten(e.column, 100), shorten(e.reason), e.file)
            for e in errors
        )
        self.total = max(total if total is not None else len(errors), len(errors))
        super().__init__(self.message())

    @property
    def more(self) -> int:
        return self.total - len(self.errors)

    def lines(self) -> list[str]:
        out = [str(e) for e in self.errors]
        if self.more:
            out.append(f"… and {self.more} more error{'s' if self.more > 1 else ''}")
        return out

    def message(self) -> str:
        n = self.total
        head = f"{self.file}: {n} error{'s' if n > 1 else ''}"
        return "\n".join([head, *self.lines()])


class ErrorCollector:
    """Gathers errors for one file; keeps the first `limit` by line and counts all of them."""

    def __init__(self, file: str, limit: int = MAX_REPORTED) -> None:
        self.file = file
        self.limit = limit
        self._errors: list[InputError] = []
        self.total = 0

    def add(self, line: int, column: str, reason: str) -> None:
        self.total += 1
        self._errors.append(InputError(line, shorten(column, 100), shorten(reason), self.file))
        if len(self._errors) > 4 * self.limit:
            self._errors = sorted(self._errors)[: self.limit]

    def add_many(self, count: int, items: list[tuple[int, str, str]]) -> None:
        """Record `count` errors of which `items` (line, column, reason) are the first ones."""
        for line, column, reason in items:
            self.add(line, column, reason)
        self.total += count - len(items)

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if self.total:
            raise InputFileError(self.file, sorted(self._errors)[: self.limit], self.total)
