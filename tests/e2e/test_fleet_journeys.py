"""The fleet in a browser, on the real server with the demo data (Debian's Chromium).

A technician imports a GLPI export (upload → preview → confirm), records a repair and retires a
device; an elected official reads the indicators and the quotas and downloads the declaration.
Each journey picks its own assets (different kinds), so the journeys do not depend on each
other's order. Locators are by role, label or the ids listed in the fleet's templates.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is not installed")
from playwright.sync_api import expect

GLPI_FILE = Path(__file__).parent / "data" / "glpi_computers.csv"
DECLARATION_HEADER = (
    "annee,siret,raison_sociale,type_produit_acquis,montant_total,"
    "montant_reemploi_et_reutilisation,montant_produits_issus_don,montant_produits_recycles,"
    "commentaires"
)


def open_fleet(page: Any) -> None:
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Parc").click()
    expect(page.get_by_role("heading", level=1, name="Parc informatique")).to_be_visible()


def open_first_asset(page: Any, **filters: str) -> str:
    """Open the first asset of the list filtered by `filters`; returns its page's path."""
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    page.goto(f"/fleet/?{query}")
    link = page.locator("#asset-table tbody tr a").first
    link.click()
    expect(page.locator("#asset-title")).to_be_visible()
    return page.url


def test_import_a_glpi_export_with_preview(page: Any, login: Any, screenshot: Any) -> None:
    login("technicien")
    open_fleet(page)
    screenshot(page, "fleet-list")
    page.locator("#import-assets").click()
    expect(page.get_by_role("heading", level=1, name="Importer des équipements")).to_be_visible()
    page.get_by_label("Organisation").select_option(label="Ville de Nevers")
    page.get_by_label("Fichier").set_input_files(GLPI_FILE)
    page.get_by_role("button", name="Prévisualiser").click()

    preview = page.locator("#import-preview")
    expect(preview).to_be_visible()
    summary = preview.locator("ul.summary")
    expect(summary).to_contain_text(re.compile(r"À créer\s*:\s*3"))
    expect(summary).to_contain_text(re.compile(r"À mettre à jour\s*:\s*1"))
    expect(summary).to_contain_text(re.compile(r"Refusés\s*:\s*2"))
    expect(preview).to_contain_text("même numéro de série")  # the duplicate line, and why
    expect(preview).to_contain_text("ni numéro de série ni numéro d'inventaire")
    # VN-00042, a desktop of the demo: only its user and location change
    update = preview.locator("table", has_text="Changements").locator("tbody tr")
    expect(update).to_have_count(1)
    expect(update).to_contain_text("agent-e2e")
    expect(update).to_contain_text("Salle du conseil")
    expect(update).not_to_contain_text("kind")
    screenshot(page, "fleet-import-preview", full_page=True)

    page.locator("#import-confirm").get_by_role("button", name="Importer").click()
    expect(
        page.get_by_text(re.compile(r"Import terminé : 3 créés, 1 mis à jour, 2 refusés"))
    ).to_be_visible()
    page.goto("/fleet/?q=GLPI-E2E")
    expect(page.locator("#asset-table tbody tr")).to_have_count(3)
    page.goto("/fleet/?q=VN-00042")
    page.locator("#asset-table tbody tr a").first.click()
    expect(page.locator("main")).to_contain_text("Salle du conseil")
    expect(page.locator("#asset-fields")).to_contain_text("agent-e2e")


def test_record_a_repair_then_close_it(page: Any, login: Any, screenshot: Any) -> None:
    login("technicien")
    open_first_asset(page, organisation="ville-nevers", kind="laptop", status="in_service")
    expect(page.locator("#asset-status")).to_have_text("En service")
    form = page.locator("#repair-form")
    form.get_by_label("Problème").fill("Écran qui scintille")
    form.get_by_role("button", name="Ouvrir la réparation").click()
    expect(page.locator("#asset-status")).to_have_text("En réparation")
    row = page.locator("#repair-table tbody tr", has_text="Écran qui scintille").first
    expect(row).to_be_visible()

    close = page.locator("form[id^='close-form-']").first
    close.get_by_label("Résultat (ORDS)").select_option("fixed")
    close.get_by_label("Actions").fill("Nappe d'écran remplacée")
    close.get_by_label("Pièces", exact=True).fill("Nappe LVDS")
    close.get_by_label("Coût des pièces (€)").fill("18.50")
    close.get_by_label("Temps passé (minutes)").fill("45")
    screenshot(page, "fleet-asset-repair")
    close.get_by_role("button", name="Clore la réparation").click()
    expect(page.locator("#asset-status")).to_have_text("En service")
    row = page.locator("#repair-table tbody tr", has_text="Écran qui scintille").first
    expect(row).to_contain_text("Réparé")
    expect(row).to_contain_text("45")
    expect(page.locator("#history")).to_contain_text("Réparation close")


def test_retire_a_young_device_needs_a_reason(page: Any, login: Any, screenshot: Any) -> None:
    login("technicien")
    # the most recently bought desktop in service: younger than the 7-year policy
    open_first_asset(
        page, organisation="ville-nevers", kind="desktop", status="in_service", sort="-purchase"
    )
    form = page.locator("#status-form")
    form.get_by_label("Nouveau statut").select_option("retired")
    form.get_by_role("button", name="Changer le statut").click()
    error = page.locator("#status-reason-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("durée de vie attendue")
    expect(page.locator("#asset-status")).to_have_text("En service")  # nothing written
    screenshot(page, "fleet-retire-refused")

    form = page.locator("#status-form")
    form.get_by_label("Nouveau statut").select_option("retired")
    form.get_by_label("Motif").fill("Carte mère grillée après un orage, réparation refusée")
    form.get_by_role("button", name="Changer le statut").click()
    expect(page.locator("#asset-status")).to_have_text("Réformé")
    expect(page.locator("#history")).to_contain_text("Carte mère grillée")


def test_indicators_quotas_and_declaration(
    page: Any, login: Any, screenshot: Any, tmp_path: Path
) -> None:
    login("elu")  # an elected official: reads, never writes
    open_fleet(page)
    fleet_nav = page.get_by_role("navigation", name="Parc informatique")
    fleet_nav.get_by_role("link", name="Indicateurs").click()
    expect(page.get_by_role("heading", level=1, name="Indicateurs du parc")).to_be_visible()
    page.get_by_label("Organisation").select_option(label="Ville de Nevers")
    held = page.locator("#ind-held")
    expect(held).to_have_text(re.compile(r"^\s*[1-9][\d\s\u202f\u00a0]*$"))
    expect(page.locator("#ind-average-age")).to_contain_text("ans")
    expect(page.locator("#ind-repair-success")).to_contain_text("%")
    expect(page.locator("#ind-refurbished")).to_contain_text("%")
    expect(page.locator("#held-by-kind tbody tr")).not_to_have_count(0)
    screenshot(page, "fleet-indicators", full_page=True)
    page.get_by_role("navigation", name="Parc informatique").get_by_role(
        "link", name="Empreinte"
    ).click()
    expect(page.locator("#footprint-by-kind tbody tr")).not_to_have_count(0)
    screenshot(page, "fleet-footprint", full_page=True)

    page.get_by_role("navigation", name="Parc informatique").get_by_role(
        "link", name="Quotas et déclaration"
    ).click()
    last_year = dt.date.today().year - 1
    page.get_by_label("Organisation").select_option(label="Ville de Nevers")
    page.get_by_label("Année").select_option(str(last_year))
    page.locator("#quotas-submit").click()
    expect(page.locator("#agec-acquisitions")).to_contain_text("€")
    expect(page.locator("#agec-together")).to_contain_text("%")
    expect(page.locator("#agec-met")).not_to_contain_text("non évaluable")
    expect(page.locator("#reuse-b")).not_to_have_text("0")
    expect(page.locator("#reuse-share")).to_contain_text("%")
    screenshot(page, "fleet-quotas", full_page=True)

    with page.expect_download() as info:
        page.locator("#declaration-download").click()
    download = info.value
    assert download.suggested_filename == f"declaration-agec-ville-nevers-{last_year}.csv"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == DECLARATION_HEADER
    assert lines[1].startswith(f"{last_year},21580194300014,Ville de Nevers,")
    assert len(lines) >= 3  # IT and at least one other category of purchases
