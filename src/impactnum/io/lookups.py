"""Text normalisation and the built-in lookup tables (equipment types, countries).

Matching is case- and accent-insensitive: "Écran", "ecran" and " ECRAN " are the same key;
hyphens, underscores, dots, apostrophes, commas and brackets count as spaces. The same rule is
written twice, once for Python strings (`normalize`) and once as a Polars expression
(`normalize_expr`), and a test checks they agree.
"""

from __future__ import annotations

import csv
import difflib
import io
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import polars as pl

from impactnum.engine.kinds import KIND_CODES, KINDS

_PUNCT = "-_.'’,()"
_PUNCT_RE = r"[\s\-_.'’,()]+"


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation as single spaces, trimmed."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    for ch in _PUNCT:
        text = text.replace(ch, " ")
    return " ".join(text.split())


def normalize_expr(expr: pl.Expr) -> pl.Expr:
    """`normalize` as a vectorised Polars expression over a String column."""
    return (
        expr.str.normalize("NFKD")
        .str.replace_all(r"\p{Mn}", "")
        .str.to_lowercase()
        .str.replace_all(_PUNCT_RE, " ")
        .str.strip_chars()
    )


@dataclass(frozen=True)
class Lookup:
    """A normalised-key → value table, with the spellings shown in suggestions."""

    name: str
    keys: tuple[str, ...]  # normalised
    values: tuple[str, ...]
    spellings: dict[str, str]  # normalised key -> a readable spelling

    def frame(self, key_col: str, value_col: str) -> pl.DataFrame:
        return pl.DataFrame(
            {key_col: list(self.keys), value_col: list(self.values)},
            schema={key_col: pl.String, value_col: pl.String},
        )

    def suggest(self, raw: str) -> str | None:
        """The closest known spelling to `raw`, if any is close enough."""
        key = normalize(raw)
        match = difflib.get_close_matches(key, self.keys, n=1, cutoff=0.6)
        if not match:
            return None
        return self.spellings[match[0]]


def _data_file(name: str) -> str:
    return resources.files("impactnum.io").joinpath("data", name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def countries() -> Lookup:
    """Countries: ISO alpha-2, alpha-3, English and French names and aliases → alpha-3."""
    table: dict[str, str] = {}
    spellings: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(_data_file("countries.csv"))):
        names = [row["name_fr"], row["name_en"], row["alpha3"], row["alpha2"]]
        names += [a for a in row["aliases"].split("|") if a]
        for name in names:
            key = normalize(name)
            table.setdefault(key, row["alpha3"])
            spellings.setdefault(key, name)
    return Lookup("country", tuple(table), tuple(table.values()), spellings)


def _builtin_types() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for kind in KINDS:
        pairs += [(kind.code, kind.code), (kind.label_fr, kind.code), (kind.label_en, kind.code)]
    rows = csv.DictReader(io.StringIO(_data_file("type_map.csv")))
    pairs += [(r["type"], r["kind"]) for r in rows]
    return pairs


@lru_cache(maxsize=1)
def _builtin_type_lookup() -> Lookup:
    return _make_type_lookup(_builtin_types())


def _make_type_lookup(pairs: list[tuple[str, str]]) -> Lookup:
    table: dict[str, str] = {}
    spellings: dict[str, str] = {}
    for raw, kind in pairs:
        key = normalize(raw)
        table[key] = kind  # later entries (a user's map) win
        spellings.setdefault(key, raw)
    return Lookup("type", tuple(table), tuple(table.values()), spellings)


def type_map(extra: str | Path | None = None) -> Lookup:
    """The built-in type → kind table, extended (and overridden) by a `type,kind` CSV file."""
    if extra is None:
        return _builtin_type_lookup()
    pairs = _builtin_types() + read_type_map_file(extra)
    return _make_type_lookup(pairs)


def read_type_map_file(path: str | Path) -> list[tuple[str, str]]:
    """Read a user's `type,kind` CSV (`,` or `;`); raise InputFileError listing bad rows."""
    from impactnum.io.table import read_table

    table = read_table(path)
    errors = table.errors
    cols = table.require(["type", "kind"], errors)
    errors.raise_if_any()
    df = pl.DataFrame(
        [table.text(cols["type"]).alias("type"), table.text(cols["kind"]).alias("kind")]
    ).with_columns(table.df.get_column("__line"))
    known = set(KIND_CODES)
    bad = df.filter(pl.col("type").is_null() | ~pl.col("kind").is_in(list(known)))
    items = []
    for t, k, line in bad.head(errors.limit).iter_rows():
        if not t:
            items.append((line, "type", "empty type"))
        else:
            hint = difflib.get_close_matches(k or "", KIND_CODES, n=1)
            did = f" (did you mean {hint[0]!r}?)" if hint else ""
            items.append((line, "kind", f"unknown kind {k!r}{did}; known: {', '.join(KIND_CODES)}"))
    errors.add_many(bad.height, items)
    errors.raise_if_any()
    return list(zip(df["type"].to_list(), df["kind"].to_list(), strict=True))
