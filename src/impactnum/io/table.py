"""Reading a CSV file into a table of text cells, as spreadsheets export them.

Handles `;`, `,` or tab separators (sniffed from the header line), UTF-8 with or without BOM,
UTF-16 with BOM (or without, when every other byte of the start is NUL), and Windows-1252 (tried
when the bytes are not UTF-8: Polars rejects invalid UTF-8, so a UTF-8 file is neither decoded in
Python nor copied). What is not text is refused before parsing: a ZIP/XLSX file, a NUL byte
(with its line); a header naming a column twice is an error when that column is looked up.
Every cell is read as text by Polars' multithreaded reader and kept as read in `Table.df`;
`Table.raw` gives a column with empty cells (a quoted `""` too) as null, `Table.text` trimmed,
`Table.factor` as codes into its distinct trimmed values. Blank lines are dropped, and a
`__line` column keeps each row's line number in the file (header = line 1) for error messages.

The typed parsers (`numbers`, `dates`, `booleans`, `lookup`) work on whole columns. Each first
tries one vectorised cast of the cells as read; only when that leaves a non-empty cell
unparsed does the careful path run (trimming, French thousands, other date formats) and the
error messages get written, so a valid file never pays for them. Text columns (types,
countries, labels) are mapped through their *distinct* values only, never row by row.

The number of fields of every line is checked without splitting lines in Python (`_structure`):
Polars' strict read rejects a line with too many fields; a line lacking one leaves its last
cell missing, so a last column without missing cells proves the file regular. Otherwise, if no
cell holds the separator, separators adding up to (fields − 1) × lines prove it; failing that,
each line's separators are counted by Polars, less those inside its cells; and if a quoted
field spans lines, the csv module counts the records.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import polars as pl

from impactnum.engine.inputs import Categorical
from impactnum.io.errors import ErrorCollector, InputError, InputFileError
from impactnum.io.lookups import Lookup, normalize, normalize_expr

LINE = "__line"
SEPARATORS = (";", ",", "\t")
_BOM = b"\xef\xbb\xbf"


class Factor(NamedTuple):
    """A text column as `codes` (int32, -1 = empty) into `categories` (distinct, trimmed,
    non-empty values in order of first appearance)."""

    codes: np.ndarray
    categories: pl.Series

    def categorical(self) -> Categorical:
        return Categorical(self.codes, tuple(self.categories.to_list()))


@dataclass(frozen=True)
class Table:
    """A CSV file as text cells: `df` has the file's columns (String, as read: not trimmed, an
    unquoted empty cell null, a quoted `""` empty) and `__line` (Int64)."""

    path: str
    df: pl.DataFrame
    columns: tuple[str, ...]
    separator: str
    encoding: str
    errors: ErrorCollector  # structural errors found while reading; readers add theirs
    _cache: dict[tuple[str, str], object] = field(default_factory=dict, repr=False, compare=False)
    duplicates: frozenset[str] = frozenset()  # normalised names the header holds more than once

    def find(self, name: str) -> str | None:
        """The file's column whose normalised name is `name`'s, if any. A name the header holds
        twice is an error (once): which of the two columns is meant cannot be guessed."""
        key = normalize(name)
        if key in self.duplicates and ("duplicate", key) not in self._cache:
            self._cache[("duplicate", key)] = True
            self.errors.add(1, name, "this column appears more than once in the header: keep one")
        for col in self.columns:
            if normalize(col) == key:
                return col
        return None

    def require(self, names: Iterable[str], errors: ErrorCollector) -> dict[str, str]:
        """Map each required name to the file's column; record the missing ones (line 1)."""
        found: dict[str, str] = {}
        for name in names:
            col = self.find(name)
            if col is None:
                # One column whose name holds a `|`, `:`…: most often a wrong separator.
                hint = ""
                if len(self.columns) == 1 and re.search(r"[|:!^~#/\\]", self.columns[0]):
                    hint = " (the header has one column: use ; , or tab as separator)"
                errors.add(1, name, f"missing required column {name!r}{hint}")
            else:
                found[name] = col
        return found

    @property
    def height(self) -> int:
        return self.df.height

    def raw(self, name: str) -> pl.Series | None:
        """The column's cells as read (not trimmed; null where empty), or None if absent."""
        col = self.find(name)
        if col is None:
            return None
        key = ("raw", col)
        if key not in self._cache:  # a quoted "" is read as an empty string
            cells = self.df.get_column(col)
            self._cache[key] = pl.select(pl.when(cells.str.len_bytes() > 0).then(cells)).to_series()
        out = self._cache[key]
        assert isinstance(out, pl.Series)
        return out.alias(col)

    def text(self, name: str) -> pl.Series:
        """The column's cells, trimmed (null where empty or where the column is absent)."""
        col = self.find(name)
        if col is None:
            return pl.Series(name, [None] * self.df.height, dtype=pl.String)
        key = ("text", col)
        if key not in self._cache:
            self._cache[key] = _clean(self.df.get_column(col))
        out = self._cache[key]
        assert isinstance(out, pl.Series)
        return out.alias(name)

    def factor(self, name: str) -> Factor:
        """The column's trimmed cells as codes into their distinct values (absent: all -1)."""
        col = self.find(name)
        if col is None:
            return Factor(np.full(self.df.height, -1, np.int32), pl.Series(name, [], pl.String))
        self.prefetch([col])
        out = self._cache[("factor", col)]
        assert isinstance(out, Factor)
        return out

    def prefetch(self, names: Iterable[str]) -> None:
        """Factor several text columns at once: Polars works on the columns in parallel, and on
        the cells as read (a quoted "" and padded values are sorted out on distinct values)."""
        cols = [c for c in dict.fromkeys(self.find(n) for n in names) if c is not None]
        cols = [c for c in cols if ("factor", c) not in self._cache]
        if not cols:
            return
        df = self.df
        height = df.height
        filled = df.select(
            pl.col(c).str.len_bytes().fill_null(0).gt(0).sum().alias(c) for c in cols
        ).row(0)
        live = []
        for col, count in zip(cols, filled, strict=True):
            if count:
                live.append(col)
            else:  # nothing in the column
                empty = Factor(np.full(height, -1, np.int32), pl.Series(col, [], pl.String))
                self._cache[("factor", col)] = empty
        if not live:
            return
        firsts = df.select(
            pl.col(c).unique(maintain_order=True).drop_nulls().implode() for c in live
        )
        found: dict[str, tuple[np.ndarray, pl.Series]] = {}
        exprs: list[pl.Expr] = []
        uniqs: dict[str, pl.Series] = {}
        for col, count in zip(cols, filled, strict=True):
            if not count:
                continue
            uniqs[col] = uniq = firsts.get_column(col)[0]
            non_empty = uniq.filter(uniq != "")
            if len(non_empty) == count:  # every non-empty cell distinct (names, serial numbers)
                found[col] = _distinct_codes(self.raw(col), non_empty)
            else:
                exprs.append(_codes_expr(pl.col(col), uniq).alias(col))
        coded = df.select(exprs) if exprs else pl.DataFrame()
        for col in coded.columns:
            codes = coded.get_column(col).to_numpy().astype(np.int32, copy=False)
            found[col] = (codes, uniqs[col])
        for col, (codes, uniq) in found.items():
            self._cache[("factor", col)] = _finish(codes, uniq, col, clean=True)

    def present(self, name: str) -> np.ndarray:
        """True where the column has a non-empty cell."""
        return self.factor(name).codes >= 0

    @property
    def lines(self) -> np.ndarray:
        return self.df.get_column(LINE).to_numpy()


# --- text columns ----------------------------------------------------------------------------


def _clean(s: pl.Series) -> pl.Series:
    """Trimmed, and null where that leaves nothing."""
    stripped = s.str.strip_chars()
    return pl.select(pl.when(stripped.str.len_bytes() > 0).then(stripped)).to_series().alias(s.name)


_ENUM_MAX = 100_000  # beyond, an Enum cast is slower than a hash lookup


def _codes_expr(col: pl.Expr, uniq: pl.Series) -> pl.Expr:
    """Codes of a column into `uniq` (its distinct non-null values); -1 where null."""
    if len(uniq) <= _ENUM_MAX:
        codes = col.cast(pl.Enum(uniq)).to_physical().cast(pl.Int32)
    else:  # Enum casts slow down with many categories; a hash join does not
        codes = col.replace_strict(
            uniq, pl.Series(np.arange(len(uniq), dtype=np.int32)), default=-1, return_dtype=pl.Int32
        )
    return codes.fill_null(-1)


def _first_appearance_codes(s: pl.Series, uniq: pl.Series) -> np.ndarray:
    codes = pl.DataFrame({"s": s}).select(_codes_expr(pl.col("s"), uniq)).to_series()
    return codes.to_numpy().astype(np.int32, copy=False)


def _distinct_codes(s: pl.Series, uniq: pl.Series) -> tuple[np.ndarray, pl.Series]:
    """Codes when every non-null cell of `s` is distinct (`uniq`): no hashing back."""
    if not s.null_count():
        return np.arange(len(s), dtype=np.int32), s
    valid = s.is_not_null().to_numpy()
    return np.where(valid, np.cumsum(valid) - 1, -1).astype(np.int32), s.drop_nulls()


def _finish(codes: np.ndarray, uniq: pl.Series, name: str, *, clean: bool) -> Factor:
    """With `clean`, trim the distinct values, drop the empty ones and merge the duplicates."""
    if clean:
        stripped = uniq.str.strip_chars()
        lengths = stripped.str.len_bytes()
        if (lengths != uniq.str.len_bytes()).any() or (lengths == 0).any():
            cleaned = pl.select(pl.when(lengths > 0).then(stripped)).to_series()
            kept = cleaned.drop_nulls().unique(maintain_order=True)
            remap = _first_appearance_codes(cleaned, kept)
            codes = np.append(remap, np.int32(-1))[codes]  # code -1 picks the appended -1
            uniq = kept
    return Factor(codes, uniq.alias(name))


def _factorize(s: pl.Series, *, clean: bool) -> Factor:
    """Codes and distinct values of a String column; with `clean`, values are trimmed first
    (on the distinct values only) and empty ones count as missing."""
    if s.null_count() == len(s):
        return Factor(np.full(len(s), -1, np.int32), pl.Series(s.name, [], pl.String))
    uniq = s.unique(maintain_order=True).drop_nulls()
    if len(uniq) == len(s) - s.null_count():
        codes, uniq = _distinct_codes(s, uniq)
    else:
        codes = _first_appearance_codes(s, uniq)
    return _finish(codes, uniq, s.name, clean=clean)


def categorical(values: pl.Series) -> Categorical:
    """A String series (nulls allowed) as the engine's Categorical, without a Python loop."""
    return _factorize(values, clean=False).categorical()


def labels_from(table: Table, mapping: Mapping[str, str]) -> dict[str, Categorical]:
    """Grouping labels: label name → Categorical of the file's column (absent columns skipped)."""
    out: dict[str, Categorical] = {}
    for label, column in mapping.items():
        if table.find(column) is not None:
            out[label] = table.factor(column).categorical()
    return out


# --- reading ---------------------------------------------------------------------------------


def decode(raw: bytes) -> tuple[str, str]:
    """Text and encoding name: BOM first, then UTF-8, else Windows-1252 (Latin-1 as last resort)."""
    if raw.startswith(_BOM):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    bomless = _utf16_without_bom(raw)
    if bomless:
        return raw.decode(bomless, errors="replace"), bomless
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _utf16_without_bom(raw: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` when the start looks like UTF-16 text without its BOM: a NUL
    byte after (or before) nearly every character, as in a Latin-script text saved so."""
    head = raw[:2000]
    pairs = len(head) // 2
    if pairs < 2 or b"\x00" not in head:
        return None
    odd_nul = head[1 : 2 * pairs : 2].count(0)
    even_nul = head[0 : 2 * pairs : 2].count(0)
    if odd_nul >= 0.9 * pairs and even_nul == 0:
        return "utf-16-le"
    if even_nul >= 0.9 * pairs and odd_nul == 0:
        return "utf-16-be"
    return None


def _refuse_binary(name: str, raw: bytes) -> None:
    """Refuse what is not CSV text, before any parsing: a spreadsheet or any ZIP (save it as
    CSV), and NUL bytes (binary data; no database text column may hold one). The message
    names the first line holding a NUL."""
    if raw.startswith(b"PK\x03\x04"):
        reason = "this is a ZIP or XLSX file, not CSV text: save the sheet as CSV (UTF-8)"
        raise InputFileError(name, [InputError(0, "", reason, name)])
    at = raw.find(b"\x00")
    if at >= 0:
        line = raw.count(b"\n", 0, at) + 1
        reason = (
            "a NUL byte: binary data, not CSV text (a UTF-16 file needs its BOM; "
            "save the file as CSV UTF-8)"
        )
        raise InputFileError(name, [InputError(line, "", reason, name)])


class _NotUtf8(Exception):
    """The bytes taken for UTF-8 are not: decode them as Windows-1252 and read again."""


def _as_utf8(raw: bytes) -> tuple[bytes, str, bool, bool]:
    """The file's bytes as UTF-8 (a UTF-8 file is not copied), its encoding, whether invalid
    bytes are replaced (after a UTF-8 BOM, as `decode` does), and whether the bytes are still
    to be checked: Polars rejects invalid UTF-8 in cells, so a valid file is not decoded twice.
    """
    if raw.startswith(_BOM):
        return raw[3:], "utf-8-sig", True, False
    if _utf16_without_bom(raw):
        text, encoding = decode(raw)
        return text.encode("utf-8"), encoding, False, False
    if raw.isascii():
        return raw, "utf-8", False, False
    if not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw, "utf-8", False, True
    text, encoding = decode(raw)
    return text.lstrip("\ufeff").encode("utf-8"), encoding, False, False


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _outside_quotes(line: str) -> str:
    return "".join(line.split('"')[::2])


def sniff_separator(header: str) -> str:
    """The separator the header line uses most (outside quotes); `,` if it has none."""
    bare = _outside_quotes(header)
    counts = {sep: bare.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


_LEADING_NEWLINES = re.compile(rb"[\r\n]*")
_NOT_SPACE = re.compile(rb"\S")


def _read_cells(data: bytes, sep: str, lossy: bool, *, strict: bool) -> pl.DataFrame:
    return pl.read_csv(
        data,
        separator=sep,
        infer_schema=False,
        has_header=True,
        truncate_ragged_lines=not strict,
        raise_if_empty=False,
        encoding="utf8-lossy" if lossy else "utf8",
    )


class _Structure(NamedTuple):
    """Per data row of the Polars frame: its first line in the file and its number of fields."""

    lines: np.ndarray
    counts: np.ndarray
    expected: int  # the header's number of fields


def _structure(
    data: bytes, sep: str, lossy: bool, df: pl.DataFrame, strict: bool
) -> _Structure | None:
    """Field counts of the frame's rows, one row a line; None if a quoted field spans lines.

    Cells are as Polars parsed them (quotes honoured); a `strict` read has no line with more
    fields than the header. Then a last column without missing cells means no line lacks one;
    or, when no cell holds the separator or a line break (always so without quotes),
    separators adding up to (fields − 1) × lines mean every line has the header's count.
    Otherwise the separators of every line are counted (Polars string kernels), less those
    inside its cells.
    """
    width, height = df.width, df.height
    rows = np.arange(2, height + 2, dtype=np.int64)
    if strict and df.get_column(df.columns[-1]).null_count() == 0:
        # Every line has its last field (a missing one is null, a quoted "" is not), none has
        # more: all have the header's count, if no quoted field spans lines.
        n_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        if n_lines == height + 1:
            return _Structure(rows, np.full(height, width, dtype=np.int64), width)
    in_cells = False
    if b'"' in data:
        pattern = f"[{re.escape(sep)}\n]"
        hits = df.select(pl.all().str.contains(pattern).fill_null(False).any()).row(0)
        in_cells = any(hits)
    if strict and not in_cells and data.count(sep.encode()) == (width - 1) * (height + 1):
        return _Structure(rows, np.full(height, width, dtype=np.int64), width)
    if b"\x00" in data:
        return None
    try:
        lines = pl.read_csv(
            data,
            separator="\x00",
            quote_char=None,
            has_header=False,
            new_columns=["l"],
            infer_schema=False,
            raise_if_empty=False,
            encoding="utf8-lossy" if lossy else "utf8",
        ).get_column("l")
    except pl.exceptions.PolarsError:  # pragma: no cover - the cells were read already
        return None
    if len(lines) != height + 1:  # a quoted line break
        return None
    counts = lines.str.count_matches(sep, literal=True).fill_null(0).to_numpy()[1:]
    counts = counts.astype(np.int64) + 1
    if in_cells:
        inside = pl.sum_horizontal(pl.all().str.count_matches(sep, literal=True).fill_null(0))
        counts -= df.select(inside).to_series().to_numpy().astype(np.int64)
    return _Structure(rows, counts, width)


def _csv_structure(data: bytes, sep: str) -> _Structure:
    """First line and field count of every record, with the csv module (quoted line breaks)."""
    text = data.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    starts: list[int] = []
    counts: list[int] = []
    previous_end = 0
    for record in reader:
        starts.append(previous_end + 1)
        counts.append(len(record))
        previous_end = reader.line_num
    return _Structure(np.asarray(starts[1:], dtype=np.int64), np.asarray(counts[1:]), counts[0])


def _blank_rows(df: pl.DataFrame) -> np.ndarray:
    """Rows whose cells are all empty once trimmed (blank lines, `;;;` lines)."""
    first = df.get_column(df.columns[0])
    candidates = first.is_null() | first.str.contains(r"^(\s|$)").fill_null(False)
    blank = np.zeros(df.height, dtype=np.bool_)
    if not candidates.any():
        return blank
    rows = candidates.arg_true()
    empty = pl.all().str.strip_chars().str.len_bytes().fill_null(0) == 0
    blank[rows.to_numpy()] = df[rows].select(pl.all_horizontal(empty)).to_series().to_numpy()
    return blank


def read_table(path: str | Path, *, display_name: str | None = None) -> Table:
    """Read a CSV file into a `Table`; raise InputFileError for an empty or ragged file."""
    name = display_name or str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputFileError(
            name, [InputError(0, "", f"cannot read file: {exc.strerror}", name)]
        ) from None
    data, encoding, lossy, unchecked = _as_utf8(raw)
    _refuse_binary(name, data)
    try:
        return _read_table(name, data, encoding, lossy, unchecked)
    except _NotUtf8:
        text, encoding = decode(raw)
        return _read_table(name, text.encode("utf-8"), encoding, False, False)


def _read_table(name: str, data: bytes, encoding: str, lossy: bool, unchecked: bool) -> Table:
    start = _LEADING_NEWLINES.match(data).end()  # type: ignore[union-attr]
    if _NOT_SPACE.search(data, start) is None:
        raise InputFileError(name, [InputError(0, "", "empty file", name)])
    first_line = data.count(b"\n", 0, start)  # blank lines before the header
    if start:
        data = data[start:]
    end = data.find(b"\n")
    header_bytes = data[: end if end >= 0 else len(data)]
    if unchecked and not _is_utf8(header_bytes):  # Polars decodes the header leniently
        raise _NotUtf8
    sep = sniff_separator(header_bytes.decode("utf-8", errors="replace").rstrip("\r"))
    errors = ErrorCollector(name)

    strict = True
    try:
        df = _read_cells(data, sep, lossy, strict=True)
    except pl.exceptions.PolarsError:  # a line with too many fields, or not UTF-8
        if unchecked and not _is_utf8(data):
            raise _NotUtf8 from None
        strict = False
        try:
            df = _read_cells(data, sep, lossy, strict=False)
        except pl.exceptions.PolarsError as exc:  # an unclosed quote, binary data
            detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            errors.add(0, "", f"not a readable CSV file (an unclosed quote?): {detail}")
            errors.raise_if_any()
            raise
    structure = _structure(data, sep, lossy, df, strict) or _csv_structure(data, sep)
    if len(structure.lines) != df.height:  # pragma: no cover - defensive
        errors.add(0, "", "could not align the rows with the file's lines")
        errors.raise_if_any()
    line_numbers = structure.lines + first_line
    counts, expected = structure.counts, structure.expected

    blank = _blank_rows(df)
    # A line with fewer fields than the header is fine if it holds nothing (blank lines).
    ragged = (counts != expected) & ~(blank & (counts < expected))
    bad = np.flatnonzero(ragged)
    errors.add_many(
        len(bad),
        [
            (
                int(line_numbers[i]),
                "",
                f"wrong number of fields: {counts[i]} instead of {expected} (as in the header)",
            )
            for i in bad[: errors.limit]
        ],
    )
    # Keep the errors, go on checking the other rows so the report is complete.
    keep = ~(blank | ragged)
    if not keep.all():
        df = df.filter(pl.Series(keep))
        line_numbers = line_numbers[keep]
    columns = tuple(df.columns)
    df = df.with_columns(pl.Series(LINE, line_numbers, dtype=pl.Int64))
    return Table(name, df, columns, sep, encoding, errors, duplicates=duplicate_names(columns))


_RENAMED = re.compile(r"^(.*)_duplicated_\d+$")


def duplicate_names(columns: Iterable[str]) -> frozenset[str]:
    """Normalised names given to more than one column (Polars renames a repeated header
    `x` to `x_duplicated_0`; `Kind` and `kind` are the same name once normalised)."""
    names = list(columns)
    present = set(names)
    seen: set[str] = set()
    twice: set[str] = set()
    for col in names:
        match = _RENAMED.match(col)
        key = normalize(match.group(1) if match and match.group(1) in present else col)
        (twice if key in seen else seen).add(key)
    return frozenset(twice)


# --- typed columns ---------------------------------------------------------------------------


def _bad_rows(
    errors: ErrorCollector, lines: pl.Series, mask: pl.Series, column: str, reasons: pl.Series
) -> None:
    """Record one error per row where `mask` is true (messages built for the first ones)."""
    mask = mask.fill_null(False)
    count = int(mask.sum())
    if not count:
        return
    bad_lines = lines.filter(mask).head(errors.limit).to_list()
    bad_reasons = reasons.filter(mask).head(errors.limit).to_list()
    errors.add_many(count, [(ln, column, r) for ln, r in zip(bad_lines, bad_reasons, strict=True)])


def _bad_cells(
    table: Table,
    errors: ErrorCollector,
    mask: np.ndarray,
    column: str,
    cells: pl.Series,
    reason: str,
) -> None:
    """One error per row where `mask` is true; `reason` is formatted with the (trimmed) cell."""
    rows = np.flatnonzero(mask)
    if not len(rows):
        return
    first = rows[: errors.limit]
    texts = cells.gather(first).str.strip_chars().to_list()
    lines = table.lines[first].tolist()
    errors.add_many(
        len(rows),
        [(ln, column, reason.format(t)) for ln, t in zip(lines, texts, strict=True)],
    )


def _number_expr(raw: pl.Expr) -> pl.Expr:
    s = raw.str.replace_all(r"[\s\u00a0\u202f]", "")
    eu_thousands = s.str.contains(r"^[+-]?\d{1,3}(\.\d{3})+,\d*$")
    us_thousands = s.str.contains(r"^[+-]?\d{1,3}(,\d{3})+\.\d*$")
    s = (
        pl.when(eu_thousands)
        .then(s.str.replace_all(".", "", literal=True))
        .when(us_thousands)
        .then(s.str.replace_all(",", "", literal=True))
        .otherwise(s)
    )
    return s.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)


def _quick_numbers(raw: pl.Series) -> np.ndarray | None:
    """One cast (a decimal comma read as a point); None if a cell does not parse so."""
    cells = raw
    if raw.str.contains(",", literal=True).any():
        cells = raw.str.replace(",", ".", literal=True)
    parsed = cells.cast(pl.Float64, strict=False)
    if (raw.is_not_null() & ~parsed.is_finite().fill_null(False)).any():
        return None
    return parsed.to_numpy().astype(np.float64, copy=False)


def _careful_numbers(table: Table, name: str, label: str, errors: ErrorCollector) -> np.ndarray:
    """Trimmed cells, spaces and thousands separators removed; unparsable cells recorded."""
    raw = table.text(name)
    frame = pl.DataFrame({"raw": raw, LINE: table.df.get_column(LINE)})
    parsed = frame.select(_number_expr(pl.col("raw")).alias("v")).to_series()
    finite = parsed.is_finite().fill_null(False)
    unparsable = raw.is_not_null() & ~finite
    reasons = frame.select(pl.format("not a number: '{}'", pl.col("raw"))).to_series()
    _bad_rows(errors, frame[LINE], unparsable, label, reasons)
    values = parsed.to_numpy().astype(np.float64)
    values[~finite.to_numpy()] = np.nan
    return values


def numbers(
    table: Table,
    name: str,
    errors: ErrorCollector,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    positive: bool = False,
    column_label: str | None = None,
) -> np.ndarray:
    """A numeric column as float64 (NaN where empty); decimal comma or point, spaces as
    thousands separators. Records unparsable and out-of-range values."""
    label = column_label or table.find(name) or name
    raw = table.raw(name)
    if raw is None or raw.null_count() == len(raw):
        return np.full(table.height, np.nan)
    values = _quick_numbers(raw)
    if values is None:
        values = _careful_numbers(table, name, label, errors)
    checks: list[tuple[np.ndarray, str]] = []
    if positive:
        checks.append((values <= 0, "must be greater than 0"))
    if minimum is not None:
        word = "negative" if minimum == 0 else f"less than {minimum:g}"
        checks.append((values < minimum, f"{word} value not allowed"))
    if maximum is not None:
        checks.append((values > maximum, f"greater than {maximum:g}"))
    for mask, reason in checks:  # NaN compares false: empty cells are never out of range
        _bad_cells(table, errors, mask, label, raw, reason + ": {}")
    return values


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y", "%d.%m.%Y")


def _careful_dates(table: Table, name: str, label: str, errors: ErrorCollector) -> pl.Series:
    """Trimmed cells, time part dropped, every accepted format tried; bad cells recorded."""
    raw = table.text(name)
    day = pl.col("raw").str.replace(
        r"[T ]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$", ""
    )
    frame = pl.DataFrame({"raw": raw})
    parsed = frame.select(
        pl.coalesce([day.str.to_date(f, strict=False) for f in _DATE_FORMATS])
    ).to_series()
    bad = raw.is_not_null() & parsed.is_null()
    reasons = frame.select(
        pl.format("not a date: '{}' (expected YYYY-MM-DD or DD/MM/YYYY)", "raw")
    ).to_series()
    _bad_rows(errors, table.df.get_column(LINE), bad, label, reasons)
    return parsed


def dates(table: Table, name: str, errors: ErrorCollector) -> np.ndarray:
    """A date column as datetime64[D] (NaT where empty). Accepts ISO `2021-03-31` and French
    `31/03/2021` (also `-` or `.` separated), with or without a time part."""
    label = table.find(name) or name
    raw = table.raw(name)
    if raw is None or raw.null_count() == len(raw):
        return np.full(table.height, np.datetime64("NaT"), dtype="datetime64[D]")
    parsed = raw.str.to_date(_DATE_FORMATS[0], strict=False)
    if (raw.is_not_null() & parsed.is_null()).any():
        parsed = _careful_dates(table, name, label, errors)
    year = parsed.dt.year()
    implausible = ((year < 1970) | (year > 2100)).fill_null(False)
    if implausible.any():
        mask = implausible.to_numpy()
        _bad_cells(table, errors, mask, label, raw, "implausible date: '{}'")
        parsed = pl.select(pl.when(implausible).then(None).otherwise(parsed)).to_series()
    return parsed.to_numpy().astype("datetime64[D]")


_TRUE = ("1", "true", "vrai", "yes", "oui", "y", "o", "x")
_FALSE = ("0", "false", "faux", "no", "non", "n")


def booleans(table: Table, name: str, errors: ErrorCollector) -> np.ndarray:
    """A yes/no column (oui/non, true/false, vrai/faux, 1/0, x); empty = no."""
    label = table.find(name) or name
    codes, values = table.factor(name)
    key = pl.DataFrame({"v": values}).select(normalize_expr(pl.col("v"))).to_series()
    true = np.append(key.is_in(list(_TRUE)).fill_null(False).to_numpy(), False)
    false = np.append(key.is_in(list(_FALSE)).fill_null(False).to_numpy(), False)
    bad = ~true & ~false
    bad[-1] = False  # empty cells
    if bad[codes].any():
        cells = values.gather(np.maximum(codes, 0))  # only the bad rows' cells are shown
        reason = "not a yes/no value: '{}' (use oui/non, yes/no, 1/0)"
        _bad_cells(table, errors, bad[codes], label, cells, reason)
    return true[codes]


def lookup(
    table: Table, name: str, table_lookup: Lookup, errors: ErrorCollector, *, what: str
) -> Categorical:
    """Map a text column through a lookup (case/accent-insensitive); empty stays missing.
    Unknown values are errors with the closest known spelling as a suggestion. Only the
    column's distinct values are looked up."""
    label = table.find(name) or name
    codes, values = table.factor(name)
    keys = pl.DataFrame({"key": values}).select(normalize_expr(pl.col("key")).alias("key"))
    mapped = keys.join(
        table_lookup.frame("key", "value"), on="key", how="left", maintain_order="left"
    ).get_column("value")
    index: dict[str, int] = {}
    remap = np.full(len(mapped) + 1, -1, dtype=np.int32)  # the last slot: empty cells
    for i, value in enumerate(mapped.to_list()):
        if value is not None:
            remap[i] = index.setdefault(value, len(index))
    unknown = np.append(mapped.is_null().to_numpy(), False)
    bad = unknown[codes]
    if bad.any():
        rows = np.flatnonzero(bad)
        first = rows[: errors.limit]
        texts = values.gather(codes[first]).to_list()
        hints: dict[str, str] = {}
        for text in dict.fromkeys(texts):
            hint = table_lookup.suggest(text)
            hints[text] = f" (did you mean {hint!r}?)" if hint else ""
        items = [
            (ln, label, f"unknown {what} '{t}'{hints[t]}")
            for ln, t in zip(table.lines[first].tolist(), texts, strict=True)
        ]
        errors.add_many(len(rows), items)
    return Categorical(remap[codes], tuple(index))
