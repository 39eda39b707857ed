"""Reading a CSV file into a table of text cells, as spreadsheets export them.

Handles `;`, `,` or tab separators (sniffed from the header line), UTF-8 with or without BOM,
UTF-16 with BOM, and Windows-1252 (tried when the bytes are not UTF-8). Every cell is read as
text by Polars, trimmed, empty cells become null, blank lines are dropped, and a `__line`
column keeps each row's line number in the file (header = line 1) for error messages.

The typed parsers (`numbers`, `dates`, `booleans`, `lookup`) work on whole columns with Polars
expressions; they only loop in Python over the *bad* rows, to write the error messages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from impactnum.engine.inputs import Categorical
from impactnum.io.errors import ErrorCollector, InputError, InputFileError
from impactnum.io.lookups import Lookup, normalize, normalize_expr

LINE = "__line"
SEPARATORS = (";", ",", "\t")


@dataclass(frozen=True)
class Table:
    """A CSV file as text cells: `df` has the file's columns (String) and `__line` (Int64)."""

    path: str
    df: pl.DataFrame
    columns: tuple[str, ...]
    separator: str
    encoding: str
    errors: ErrorCollector  # structural errors found while reading; readers add theirs

    def find(self, name: str) -> str | None:
        """The file's column whose normalised name is `name`'s, if any."""
        key = normalize(name)
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
                errors.add(1, name, f"missing required column {name!r}")
            else:
                found[name] = col
        return found

    def text(self, name: str) -> pl.Series:
        """The column's cells (null where empty or where the column is absent)."""
        col = self.find(name)
        if col is None:
            return pl.Series(name, [None] * self.df.height, dtype=pl.String)
        return self.df.get_column(col).alias(name)

    @property
    def lines(self) -> np.ndarray:
        return self.df.get_column(LINE).to_numpy()


def decode(raw: bytes) -> tuple[str, str]:
    """Text and encoding name: BOM first, then UTF-8, else Windows-1252 (Latin-1 as last resort)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _outside_quotes(line: str) -> str:
    return "".join(line.split('"')[::2])


def sniff_separator(header: str) -> str:
    """The separator the header line uses most (outside quotes); `,` if it has none."""
    bare = _outside_quotes(header)
    counts = {sep: bare.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


def _field_counts_fast(text: str, sep: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Line numbers and field counts of the non-blank lines, or None if a quoted field spans
    lines (then the slower, exact csv-module scan is used)."""
    lines = pl.Series("l", text.split("\n"), dtype=pl.String).str.strip_chars_end("\r")
    frame = pl.DataFrame({"l": lines}).with_row_index("n", offset=1)
    frame = frame.filter(pl.col("l").str.strip_chars() != "")
    if '"' in text:
        if (frame["l"].str.count_matches('"', literal=True) % 2 == 1).any():
            return None
        bare = frame["l"].str.replace_all(r'"[^"]*"', "")
    else:
        bare = frame["l"]
    counts = bare.str.count_matches(sep, literal=True) + 1
    return frame["n"].to_numpy(), counts.to_numpy()


def _field_counts_slow(text: str, sep: str) -> tuple[np.ndarray, np.ndarray]:
    """Line numbers (first line of each record) and field counts, with the csv module."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    starts: list[int] = []
    counts: list[int] = []
    previous_end = 0
    for record in reader:
        if record and any(cell.strip() for cell in record):
            starts.append(previous_end + 1)
            counts.append(len(record))
        previous_end = reader.line_num
    return np.asarray(starts), np.asarray(counts)


def read_table(path: str | Path, *, display_name: str | None = None) -> Table:
    """Read a CSV file into a `Table`; raise InputFileError for an empty or ragged file."""
    name = display_name or str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputFileError(
            name, [InputError(0, "", f"cannot read file: {exc.strerror}", name)]
        ) from None
    text, encoding = decode(raw)
    text = text.lstrip("\ufeff")
    stripped = text.strip()
    if not stripped:
        raise InputFileError(name, [InputError(0, "", "empty file", name)])
    header_line = text.lstrip("\r\n").split("\n", 1)[0]
    sep = sniff_separator(header_line)

    structure = _field_counts_fast(text, sep) or _field_counts_slow(text, sep)
    line_numbers, counts = structure
    expected = counts[0]
    errors = ErrorCollector(name)
    ragged = np.nonzero(counts != expected)[0]
    errors.add_many(
        len(ragged),
        [
            (
                int(line_numbers[i]),
                "",
                f"wrong number of fields: {counts[i]} instead of {expected} (as in the header)",
            )
            for i in ragged[: errors.limit]
        ],
    )

    try:
        df = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            separator=sep,
            infer_schema=False,
            has_header=True,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as exc:  # pragma: no cover - structure was checked above
        errors.add(0, "", f"not a readable CSV file: {exc}")
        errors.raise_if_any()
        raise
    columns = tuple(df.columns)
    data_lines = line_numbers[1:]
    # Polars keeps a blank line as an all-null row; the scans above skip them. Re-align.
    df = df.with_columns(pl.col(pl.String).str.strip_chars())
    df = df.with_columns(
        [pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c) for c in columns]
    )
    blank = df.select(pl.all_horizontal([pl.col(c).is_null() for c in columns])).to_series()
    df = df.filter(~blank)
    if df.height != len(data_lines):  # pragma: no cover - defensive
        errors.add(0, "", "could not align the rows with the file's lines")
        errors.raise_if_any()
    df = df.with_columns(pl.Series(LINE, data_lines, dtype=pl.Int64))
    ragged_lines = line_numbers[ragged]
    if len(ragged):
        # Keep the errors, go on checking the other rows so the report is complete.
        df = df.filter(~pl.col(LINE).is_in(ragged_lines.tolist()))
    return Table(name, df, columns, sep, encoding, errors)


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
    raw = table.text(name)
    frame = pl.DataFrame({"raw": raw, LINE: table.df.get_column(LINE)})
    parsed = frame.select(_number_expr(pl.col("raw")).alias("v")).to_series()
    finite = parsed.is_finite().fill_null(False)
    unparsable = raw.is_not_null() & ~finite
    reasons = frame.select(pl.format("not a number: '{}'", pl.col("raw"))).to_series()
    _bad_rows(errors, frame[LINE], unparsable, label, reasons)
    values = parsed.to_numpy().astype(np.float64)
    values[~finite.to_numpy()] = np.nan
    checks: list[tuple[np.ndarray, str]] = []
    if positive:
        checks.append((values <= 0, "must be greater than 0"))
    if minimum is not None:
        word = "negative" if minimum == 0 else f"less than {minimum:g}"
        checks.append((values < minimum, f"{word} value not allowed"))
    if maximum is not None:
        checks.append((values > maximum, f"greater than {maximum:g}"))
    for mask, reason in checks:
        mask = np.where(np.isnan(values), False, mask)
        reasons = frame.select(pl.format(f"{reason}: {{}}", pl.col("raw"))).to_series()
        _bad_rows(errors, frame[LINE], pl.Series(mask), label, reasons)
    return values


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y", "%d.%m.%Y")


def dates(table: Table, name: str, errors: ErrorCollector) -> np.ndarray:
    """A date column as datetime64[D] (NaT where empty). Accepts ISO `2021-03-31` and French
    `31/03/2021` (also `-` or `.` separated), with or without a time part."""
    label = table.find(name) or name
    raw = table.text(name)
    day = pl.col("raw").str.replace(
        r"[T ]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$", ""
    )
    parsed = (
        pl.DataFrame({"raw": raw})
        .select(pl.coalesce([day.str.to_date(f, strict=False) for f in _DATE_FORMATS]))
        .to_series()
    )
    year = parsed.dt.year()
    bad = raw.is_not_null() & parsed.is_null()
    implausible = (year < 1970) | (year > 2100)
    lines = table.df.get_column(LINE)
    _bad_rows(
        errors,
        lines,
        bad,
        label,
        pl.DataFrame({"raw": raw})
        .select(pl.format("not a date: '{}' (expected YYYY-MM-DD or DD/MM/YYYY)", "raw"))
        .to_series(),
    )
    _bad_rows(
        errors,
        lines,
        implausible,
        label,
        pl.DataFrame({"raw": raw}).select(pl.format("implausible date: '{}'", "raw")).to_series(),
    )
    parsed = pl.when(implausible.fill_null(False)).then(None).otherwise(parsed)
    out = pl.select(parsed).to_series()
    return out.to_numpy().astype("datetime64[D]")


_TRUE = ("1", "true", "vrai", "yes", "oui", "y", "o", "x")
_FALSE = ("0", "false", "faux", "no", "non", "n")


def booleans(table: Table, name: str, errors: ErrorCollector) -> np.ndarray:
    """A yes/no column (oui/non, true/false, vrai/faux, 1/0, x); empty = no."""
    label = table.find(name) or name
    raw = table.text(name)
    key = pl.DataFrame({"raw": raw}).select(normalize_expr(pl.col("raw"))).to_series()
    true = key.is_in(list(_TRUE)).fill_null(False)
    false = key.is_in(list(_FALSE)).fill_null(False)
    bad = raw.is_not_null() & ~true & ~false
    reasons = (
        pl.DataFrame({"raw": raw})
        .select(pl.format("not a yes/no value: '{}' (use oui/non, yes/no, 1/0)", "raw"))
        .to_series()
    )
    _bad_rows(errors, table.df.get_column(LINE), bad, label, reasons)
    return true.to_numpy()


def lookup(
    table: Table, name: str, table_lookup: Lookup, errors: ErrorCollector, *, what: str
) -> pl.Series:
    """Map a text column through a lookup (case/accent-insensitive); null stays null.
    Unknown values are errors with the closest known spelling as a suggestion."""
    label = table.find(name) or name
    raw = table.text(name)
    frame = pl.DataFrame({"raw": raw, LINE: table.df.get_column(LINE)}).with_columns(
        normalize_expr(pl.col("raw")).alias("key")
    )
    mapped = frame.join(
        table_lookup.frame("key", "value"), on="key", how="left", maintain_order="left"
    )
    unknown = mapped["raw"].is_not_null() & mapped["value"].is_null()
    if unknown.any():
        hints: dict[str, str] = {}
        for value in mapped["raw"].filter(unknown).unique().head(errors.limit * 2).to_list():
            hint = table_lookup.suggest(value)
            hints[value] = f" (did you mean {hint!r}?)" if hint else ""
        reasons = mapped.select(
            pl.format(f"unknown {what} '{{}}'", "raw")
            + pl.col("raw").replace_strict(
                list(hints), list(hints.values()), default="", return_dtype=pl.String
            )
        ).to_series()
        _bad_rows(errors, mapped[LINE], unknown, label, reasons)
    return mapped["value"].alias(name)


def categorical(values: pl.Series) -> Categorical:
    """A String series (nulls allowed) as the engine's Categorical, without a Python loop."""
    uniq = values.drop_nulls().unique(maintain_order=True)
    codes = values.replace_strict(
        uniq, pl.Series(np.arange(len(uniq), dtype=np.int32)), default=-1, return_dtype=pl.Int32
    ).fill_null(-1)
    return Categorical(codes.to_numpy().astype(np.int32), tuple(uniq.to_list()))


def labels_from(table: Table, mapping: Mapping[str, str]) -> dict[str, Categorical]:
    """Grouping labels: label name → Categorical of the file's column (absent columns skipped)."""
    out: dict[str, Categorical] = {}
    for label, column in mapping.items():
        if table.find(column) is not None:
            out[label] = categorical(table.text(column))
    return out
