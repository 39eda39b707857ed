"""What a person does in a browser, on the real server with the demo data (Debian's Chromium).

Locators are by role and label, as a screen reader would find them; the demo projects are the
four examples/*.toml loaded by `impactnum serve --demo-if-empty`.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is not installed")
from playwright.sync_api import expect

WATER = re.compile("Détection de fuites")
LIFESPAN = re.compile("Durée de vie des PC")
LIGHTING = re.compile("Éclairage public")
REFURBISHED = re.compile("reconditionnés")


def open_projects(page: Any) -> None:
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Projets").click()
    expect(page.get_by_role("heading", level=1, name="Projets")).to_be_visible()


def open_results(page: Any, project: re.Pattern[str]) -> None:
    open_projects(page)
    page.get_by_role("link", name=project).first.click()
    expect(page.get_by_role("heading", level=1, name=project)).to_be_visible()
    page.get_by_role("link", name="Voir les résultats").click()
    expect(page.locator("main svg").first).to_be_visible()


def test_login(page: Any, login: Any, screenshot: Any) -> None:
    page.goto("/login/")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    screenshot(page, "login")
    page.get_by_label("Identifiant").fill("manager")
    page.get_by_label("Mot de passe").fill("not-the-password")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_be_visible()  # refused, with a message
    login("manager")
    expect(page.get_by_role("button", name=re.compile("Se déconnecter"))).to_be_visible()
    screenshot(page, "home")


def test_demo_project_results_with_chart(page: Any, login: Any, screenshot: Any) -> None:
    login("elu")  # an elected official reading results: viewer
    open_projects(page)
    table = page.locator("#project-table")
    for name in (WATER, LIFESPAN, LIGHTING, REFURBISHED):
        expect(table.get_by_role("link", name=name)).to_be_visible()
    screenshot(page, "projects")
    page.get_by_role("link", name=WATER).click()
    expect(page.get_by_role("heading", level=1, name=WATER)).to_be_visible()
    expect(page.get_by_text("Nevers Agglomération").first).to_be_visible()
    screenshot(page, "project-detail")
    page.get_by_role("link", name="Voir les résultats").click()
    chart = page.locator("main svg").first
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 100
    expect(page.locator("main")).to_contain_text("kg")  # kgCO2e somewhere in the results
    screenshot(page, "results")
    chart.scroll_into_view_if_needed()
    screenshot(page, "results-charts")


def test_compare_two_scenarios_shows_a_probability(page: Any, login: Any, screenshot: Any):
    login("manager")
    open_results(page, LIFESPAN)
    main = page.locator("main")
    expect(main).to_contain_text("5 years")
    expect(main).to_contain_text("7 years")
    expect(main).to_contain_text(re.compile("probabilit", re.IGNORECASE))
    expect(main).to_contain_text(re.compile(r"\d+(,\d+)?\s?%"))
    main.get_by_text(re.compile("probabilit", re.IGNORECASE)).first.scroll_into_view_if_needed()
    screenshot(page, "comparison")


def test_create_project_add_equipment_line_and_see_results(page: Any, login: Any) -> None:
    login("manager")
    open_projects(page)
    page.get_by_role("link", name="Nouveau projet").click()
    name = f"Tablettes des écoles {uuid.uuid4().hex[:6]}"
    page.get_by_label("Nom", exact=False).first.fill(name)
    page.get_by_label("Organisation").select_option(label="Ville de Nevers")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()

    page.locator("button.add-line[id^='add-equipment-']").first.click()
    form = page.locator("tr.line-form form").first
    expect(form).to_be_visible()
    form.get_by_label("Libellé").fill("Tablettes élèves")
    # choosing the type re-renders the row with that type's defaults (htmx): wait for it
    with page.expect_response(lambda r: "/equipment/new/" in r.url and r.request.method == "GET"):
        form.get_by_label("Type").select_option("tablet")
    form = page.locator("tr.line-form form").first
    form.get_by_label("Quantité").fill("120")
    form.get_by_role("button", name="Enregistrer la ligne").click()
    expect(page.locator("tbody[id^='lines-equipment-']").first).to_contain_text("Tablettes élèves")

    page.reload()  # the line is stored, not only shown
    expect(page.locator("tbody[id^='lines-equipment-']").first).to_contain_text("Tablettes élèves")
    page.get_by_role("link", name="Voir les résultats").click()
    expect(page.locator("main svg").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("kg")


def _download(page: Any, link_name: str, tmp_path: Path) -> bytes:
    link = page.get_by_role("link", name=re.compile(link_name)).first
    with page.expect_download() as info:
        link.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    return target.read_bytes()


def test_export_pdf_and_xlsx(page: Any, login: Any, tmp_path: Path) -> None:
    login("elu")
    open_results(page, LIGHTING)
    pdf = _download(page, "PDF", tmp_path)
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    xlsx = _download(page, "XLSX", tmp_path)
    assert xlsx.startswith(b"PK\x03\x04"), xlsx[:20]  # an OOXML (zip) workbook


def test_factor_sets_page(page: Any, login: Any, screenshot: Any) -> None:
    login("manager")
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Facteurs").click()
    expect(page.locator("main")).to_contain_text("ademe-2022")
    screenshot(page, "factor-sets")


def test_switch_language_to_english(page: Any, login: Any) -> None:
    login("elu")
    page.get_by_label("Langue").select_option("en")  # submits itself (app.js)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav = page.get_by_role("navigation", name="Main navigation")
    expect(nav.get_by_role("link", name="Projects")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Sign out|Log out"))).to_be_visible()
    open_projects_en = nav.get_by_role("link", name="Projects")
    open_projects_en.click()
    expect(page.get_by_role("heading", level=1, name="Projects")).to_be_visible()
