"""Reports of a project's result: PDF, XLSX, CSV, JSON and the print page, with permissions."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from impactnum.calculation import json_ready
from impactnum.web.projects import services
from impactnum.web.reports import content
from impactnum.web.reports.pdf import build_pdf

NAME = "Réemploi des PC"
FORMATS = ("pdf", "xlsx", "csv", "json", "print")


@pytest.fixture
def manager(city, make_user):
    return make_user("manager", city, username="camille")


@pytest.fixture
def project(city, manager):
    project = services.create_project(manager, city, name=NAME, horizon_years=5)
    baseline = project.scenarios.get()
    services.add_line(manager, baseline, "equipment", label="Portables", kind="laptop", quantity=10)
    services.add_line(manager, baseline, "network", kind="fixed", gb_per_year=1000)
    services.set_social_indicator(manager, baseline, "devices_provided", 10)
    services.update_scenario(manager, baseline, capex=1000, opex_per_year=200)
    variant = services.add_scenario(manager, project, "Sept ans", copy_from=baseline)
    line = variant.equipment.get()
    services.update_line(manager, "equipment", line, lifespan_years=7)
    services.add_line(
        manager,
        variant,
        "sroi",
        outcome="Personnes équipées",
        stakeholder="Habitants",
        quantity=10,
        proxy_eur=100,
        proxy_source="Hypothèse",
    )
    return project


@pytest.fixture
def result(project, manager):
    return json_ready(services.calculate(manager, project))


@pytest.fixture
def logged_in(client, manager):
    client.force_login(manager)
    return client


def _pdf_text(data: bytes) -> str:
    """The text of an uncompressed PDF's string literals (WinAnsi, octal escapes)."""
    chunks = re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data)
    out = []
    for c in chunks:
        raw = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m[1], 8)]), c)
        raw = re.sub(rb"\\(.)", rb"\1", raw)
        out.append(raw.decode("cp1252", errors="replace"))
    return " ".join(out)


def test_number_formatting_follows_the_language():
    with translation.override("fr"):
        assert content.number(40017.99) == "40\u202f018"
        assert content.number(2.0235) == "2,02"
        assert content.number(-1234.6) == "−1\u202f235"
        assert content.number(None) == "non disponible"
        assert content.percent(0.032) == "3,2\u202f%"
    with translation.override("en"):
        assert content.number(40017.99) == "40,018"
        assert content.number(2.0235) == "2.02"


def test_pdf_has_title_sections_and_french_text(result):
    with translation.override("fr"):
        data = build_pdf(result, organisation="Ville de Nevers", invariant=True, compress=False)
    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    for expected in (
        NAME,
        "Ville de Nevers",
        "ademe-2022@1.0.0",
        "Sources et hypothèses",
        "Bilan net",
        "Comparaison des scénarios",
        "non disponible",  # water and primary energy lack embedded phases in ademe-2022
        "€",
    ):
        assert expected in text, expected
    assert "Valeur actuelle nette (VAN)" in text
    # the same bytes for the same result (invariant), French thousands with a no-break space
    assert data == build_pdf(result, organisation="Ville de Nevers", invariant=True, compress=False)


def test_pdf_in_english(result):
    with translation.override("en"):
        text = _pdf_text(build_pdf(result, invariant=True, compress=False))
    assert "Sources and assumptions" in text and "not available" in text


def test_pdf_download(logged_in, project):
    response = logged_in.get(reverse("reports:pdf", args=[project.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="impactnum-reemploi-des-pc.pdf"' in response["Content-Disposition"]


def test_xlsx_summary_equals_totals(logged_in, project, result):
    response = logged_in.get(reverse("reports:xlsx", args=[project.pk]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert len(wb.sheetnames) == 7
    summary = wb.worksheets[0]
    header = [c.value for c in summary[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in summary.iter_rows(2)]
    assert len(rows) == len(result["scenarios"]) * len(result["criteria"])
    for row in rows:
        sc = next(s for s in result["scenarios"] if s["name"] == row["Scénario"])
        total, net = sc["totals"][row["Code"]], sc["net"][row["Code"]]
        if total is None:  # water: not in ademe-2022, shown as such, never 0
            assert row["Impacts"] == row["Bilan net – haute"] == "non disponible"
            continue
        assert row["Impacts"] == pytest.approx(total["value"])
        assert row["Impacts – basse"] == pytest.approx(total["low"])
        assert row["Bilan net – haute"] == pytest.approx(net["high"])
        assert row["Unité"].endswith("/an")
    assert summary["E2"].number_format != "General"
    by_phase = wb.worksheets[1]
    assert "non disponible" in [c.value for row in by_phase.iter_rows(2) for c in row]
    economic = wb.worksheets[4]
    tco = next(r for r in economic.iter_rows(2, values_only=True) if r[1].startswith("Coût total"))
    assert tco[3] == pytest.approx(result["scenarios"][0]["economic"]["tco"]["value"])


def test_csv_matches_the_result(logged_in, project, result):
    response = logged_in.get(reverse("reports:csv", args=[project.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert list(rows[0]) == ["scenario", "section", "indicator", "unit", "value", "low", "high"]
    gwp = next(
        r
        for r in rows
        if r["scenario"] == "Sept ans" and r["section"] == "net" and r["indicator"] == "gwp"
    )
    assert float(gwp["value"]) == pytest.approx(result["scenarios"][1]["net"]["gwp"]["value"])
    assert any(r["section"] == "probability_variant_lower" for r in rows)
    assert any(r["section"] == "sroi" for r in rows)


def test_json_equals_the_calculation(logged_in, project, manager):
    response = logged_in.get(reverse("reports:json", args=[project.pk]))
    assert response.status_code == 200
    assert json.loads(response.content) == json_ready(services.calculate(manager, project))


def test_print_page(logged_in, project):
    response = logged_in.get(reverse("reports:print", args=[project.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert NAME in page and "Sources et hypothèses" in page
    assert page.count("data:image/svg+xml;base64,") == 8
    assert reverse("reports:pdf", args=[project.pk]) in page


@pytest.mark.parametrize("fmt", FORMATS)
def test_other_organisation_gets_404(client, project, agglo, make_user, fmt):
    client.force_login(make_user("administrator", agglo))
    assert client.get(reverse(f"reports:{fmt}", args=[project.pk])).status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_anonymous_is_sent_to_login(client, project, fmt):
    response = client.get(reverse(f"reports:{fmt}", args=[project.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_uncomputable_project_goes_back_with_the_error(logged_in, city, manager):
    project = services.create_project(
        manager, city, name="Vide", factor_set="ademe-2022@1.0.0", horizon_years=1
    )
    baseline = project.scenarios.get()
    services.add_line(manager, baseline, "equipment", kind="laptop", quantity=1, country="ZZZ")
    response = logged_in.get(reverse("reports:pdf", args=[project.pk]))
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
