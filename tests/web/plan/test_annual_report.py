"""The yearly report: its numbers checked by hand on a small city, the same numbers in the page,
the PDF, the DOCX and the API, and who may read it.

Last year (N) in the city: a new laptop bought 1,000 € HT and a refurbished one bought 500 € HT
(ademe-2022, docs/methodology/annual-impacts.md: new 185.4 ÷ 5 + 1.7 = 38.78 kgCO2e/yr,
refurbished (0.2 × 170.3 + 12.3 + 2.8) ÷ 5 + 1.7 = 11.528 kgCO2e/yr); one reused laptop
provided to one person (Restart: 265.32 × 0.5 = 132.66 kgCO2e avoided); one project of three
new laptops; one commitment with two actions (50 % and done) and a manual indicator at 12 %.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from docx import Document

from impactnum.web.core.errors import DomainError
from impactnum.web.fleet import services as fleet
from impactnum.web.plan import services, strategy
from impactnum.web.plan.annual_report import annual_report
from impactnum.web.plan.annual_report.pdf import report_pdf
from impactnum.web.plan.annual_report.word import report_docx
from impactnum.web.projects import services as projects
from impactnum.web.reuse.models import Beneficiary, Device, Lot, Party, Provision

TODAY = timezone.localdate()
N = TODAY.year - 1
NEW = 185.4 / 5 + 1.7
REFURB = (0.2 * 170.3 + 12.3 + 2.8) / 5 + 1.7


@pytest.fixture
def city_year(city, admin, manager):
    fleet.create_asset(
        admin,
        city,
        kind="laptop",
        purchase_date=dt.date(N, 3, 1),
        price_excl_vat=Decimal("1000.00"),
    )
    fleet.create_asset(
        admin,
        city,
        kind="laptop",
        purchase_date=dt.date(N, 9, 1),
        price_excl_vat=Decimal("500.00"),
        bought_refurbished=True,
    )
    donor = Party.objects.create(organisation=city, kind="citizen", name="Donateur")
    lot = Lot.objects.create(
        organisation=city, reference="L-1", donor=donor, received_on=dt.date(N, 4, 1)
    )
    device = Device.objects.create(
        organisation=city, lot=lot, asset_tag="R-1", kind="laptop", status="provided"
    )
    person = Beneficiary.objects.create(organisation=city, pseudonym="P-1", commune="58194")
    Provision.objects.create(
        device=device, type="donation", beneficiary=person, provided_on=dt.date(N, 5, 2)
    )
    project = projects.create_project(admin, city, name="Visioconférences")
    projects.add_line(admin, project.scenarios.get(), "equipment", kind="laptop", quantity=3)
    c = services.create_commitment(
        manager, city, reference="E01", title="PC 7 ans", theme="lifecycle", source="label"
    )
    services.add_action(manager, c, title="Politique", progress=50)
    services.add_action(manager, c, title="Inventaire", status="done")
    indicator = services.add_indicator(
        manager,
        c,
        name="Part de PC reconditionnés",
        kind="manual",
        unit="%",
        target_value=40,
        target_on=dt.date(2030, 1, 1),
    )
    services.record_indicator_value(
        manager, indicator, on=dt.date(N, 6, 1), value=12, evidence="GLPI"
    )
    strategy.update_strategy(
        manager,
        city,
        N,
        adopted_on=dt.date(N, 1, 20),
        objectives="Porter à 40 % les achats reconditionnés d'ici 2030.",
    )
    return {"project": project, "commitment": c}


def test_report_numbers_checked_by_hand(city, admin, city_year):
    data = annual_report(admin, city, N)
    assert (data["year"], data["date_from"], data["date_to"]) == (N, f"{N}-01-01", f"{N}-12-31")
    fleet_ = data["fleet"]
    assert fleet_["assets"] == 2
    gwp = fleet_["gwp"]
    assert gwp["value"] == pytest.approx(NEW + REFURB, rel=1e-3)  # 50.308 kgCO2e/yr
    assert gwp["low"] < gwp["value"] < gwp["high"]
    assert fleet_["factor_set"] == "ademe-2022@1.0.0" and "ADEME" in fleet_["factor_set_publisher"]
    agec = data["quotas"]["agec"]
    assert agec["share"] == pytest.approx(500 / 1500)
    assert agec["acquisitions_eur"] == 1500
    assert agec["target"] == 0.20 and agec["met"] is True
    assert data["quotas"]["retired_reuse"]["b"] == 0
    assert data["quotas"]["retired_reuse"]["share"] is None
    reuse = data["reuse"]
    assert (reuse["devices_provided"], reuse["people_equipped"]) == (1, 1)
    assert reuse["co2e_avoided_kg"] == pytest.approx(132.66, abs=0.01)
    assert data["avoided_once"]["counted_in"] == "reuse"
    [row] = data["projects"]["projects"]
    assert row["name"] == "Visioconférences"
    assert row["net"]["value"] == pytest.approx(3 * NEW, rel=1e-3)
    commitments = data["commitments"]
    assert commitments["source"] == "live" and commitments["on"] == f"{N}-12-31"
    assert commitments["summary"]["mean_progress"] == 75
    assert commitments["summary"]["actions_done"] == 1
    [c] = commitments["commitments"]
    assert (c["reference"], c["progress"], c["actions"]) == ("E01", 75, 2)
    objectives = data["objectives"]
    assert objectives["strategy"] == {
        "year": N,
        "title": "Stratégie numérique responsable",
        "adopted_on": f"{N}-01-20",
    }
    assert objectives["text"].startswith("Porter à 40 %")
    [ind] = objectives["indicators"]
    assert (ind["value"], ind["target"], ind["target_on"]) == (12, 40, "2030-01-01")


def test_a_frozen_evaluation_of_the_year_is_used(city, admin, manager, city_year):
    evaluation = services.create_evaluation(
        manager, city, label="Mois 18", on=dt.date(N, 6, 30), month=18
    )
    services.freeze_evaluation(manager, evaluation)
    services.add_action(manager, city_year["commitment"], title="Plus tard", progress=0)
    data = annual_report(admin, city, N)
    c = data["commitments"]
    assert c["source"] == "evaluation" and c["evaluation"]["label"] == "Mois 18"
    assert c["on"] == f"{N}-06-30"
    assert c["summary"]["actions"] == 2  # the action added after freezing is not in it


def test_an_empty_year_says_so_and_bad_years_are_refused(city, admin):
    data = annual_report(admin, city, N)
    assert data["fleet"]["assets"] == 0 and data["fleet"]["gwp"] is None
    assert data["projects"]["projects"] == [] and data["objectives"]["strategy"] is None
    docx = Document(io.BytesIO(report_docx(data)))
    text = "\n".join(p.text for p in docx.paragraphs)
    assert "Aucun équipement détenu à cette date" in text
    assert "Aucune stratégie numérique responsable enregistrée" in text
    for bad in (TODAY.year + 1, 1999, "deux-mille"):
        with pytest.raises(DomainError) as exc:
            annual_report(admin, city, bad)
        assert exc.value.field == "year"


def test_docx_has_headings_tables_and_the_same_numbers(city, admin, city_year):
    data = annual_report(admin, city, N)
    doc = Document(io.BytesIO(report_docx(data)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert (
        headings[0] == f"Bilan annuel {N} de la stratégie numérique responsable — Ville de Nevers"
    )
    assert headings[1:] == [
        "1. Empreinte environnementale du parc informatique",
        f"2. Quotas légaux {N}",
        "3. Filière de réemploi",
        "4. Bilans nets des projets",
        "5. Avancement des engagements",
        "6. Objectifs de la stratégie et indicateurs de suivi",
    ]
    cells = {tuple(c.text for c in row.cells) for table in doc.tables for row in table.rows}
    gwp = next(r for r in cells if r[0] == "Changement climatique")
    assert gwp[1] == "50,3" and gwp[4] == "kgCO2e/an"
    agec = next(r for r in cells if r[0].startswith("AGEC art. 58"))
    assert agec[1:] == ("33,3\u00a0%", "20,0\u00a0%", "oui")
    assert ("Personnes équipées", "1") in cells
    assert any(r[0] == "Visioconférences" and r[2] == "116" for r in cells)
    assert ("E01", "PC 7 ans", "75", "1 / 2", "0") in cells
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Porter à 40 % les achats reconditionnés" in text
    assert "L.2311-1-1" in text and "2022-1084" in text
    assert doc.core_properties.title == headings[0]


def test_pdf_holds_the_report(city, admin, city_year):
    data = annual_report(admin, city, N)
    pdf = report_pdf(data, compress=False)
    assert pdf.startswith(b"%PDF")
    for text in (b"Ville de Nevers", b"Visioconf", b"50,3", b"116", b"ademe-2022@1.0.0"):
        assert text in pdf
    assert report_pdf(data).startswith(b"%PDF")  # compressed, as served


def test_page_and_downloads_for_a_viewer(client, city, viewer, city_year):
    client.force_login(viewer)
    r = client.get("/plan/annual-report/", {"year": N})
    assert r.status_code == 200
    html = r.content.decode()
    assert "1. Empreinte environnementale du parc informatique" in html and "50,3" in html
    assert 'id="export-pdf"' in html and 'id="export-docx"' in html
    r = client.get("/plan/annual-report/export.docx", {"organisation": "ville-nevers", "year": N})
    assert r.status_code == 200
    assert r["Content-Disposition"] == f'attachment; filename="bilan-annuel-ville-nevers-{N}.docx"'
    assert any(
        p.text == "3. Filière de réemploi" for p in Document(io.BytesIO(r.content)).paragraphs
    )
    r = client.get("/plan/annual-report/export.pdf", {"year": N})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert client.get("/plan/annual-report/export.odt").status_code == 404
    r = client.get("/plan/annual-report/", {"year": TODAY.year + 1})
    assert r.status_code == 400 and "annual-report-error" in r.content.decode()
    assert client.get("/plan/annual-report/export.pdf", {"year": 1990}).status_code == 400


def test_other_organisation_gets_404(client, city, agglo, make_user, city_year):
    client.force_login(make_user("administrator", agglo))
    assert client.get("/plan/annual-report/", {"organisation": "ville-nevers"}).status_code == 404
    url = "/plan/annual-report/export.docx"
    assert client.get(url, {"organisation": "ville-nevers"}).status_code == 404


def test_api_is_the_same_data(city, admin, viewer, api_as, city_year, make_user, agglo):
    api = api_as(viewer)
    r = api("GET", "/api/plan/annual-report", organisation="ville-nevers", year=N)
    assert r.status_code == 200
    assert r.json() == annual_report(admin, city, N)
    r = api("GET", "/api/plan/annual-report", organisation="ville-nevers", year=TODAY.year + 1)
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "year"
    r = api("GET", "/api/plan/annual-report", organisation="agglo-nevers")
    assert r.status_code == 404
