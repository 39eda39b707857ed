"""The action plan in a browser, on the real server with the demo data (Debian's Chromium).

A manager writes a commitment through the pages (theme, description, owner, origin), gives it an
action (owner, due date, status, progress) and a manual indicator with its evidence; freezes an
evaluation at month 18 with a comment; moves the action on; freezes a second one at month 36.
The first evaluation keeps its values (no form, and a direct POST is refused with 409), and the
comparison shows both side by side with the change. An elected official (viewer) reads the plan
without the settings link, and gets 403 on the settings page.

The journey makes its own commitment (a unique reference) in the city, so it does not depend on
the other journeys; the evaluations cover the whole organisation, so the checks look only at
this commitment's section of each page.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is not installed")
from playwright.sync_api import expect

CITY = "ville-nevers"
OWNER = "Karim Benali"  # the demo manager, as the owner lists show people
OWNER_SHOWN = "manager"  # ... and as the commitment page shows an owner (the username)


def _accept_confirmations(page: Any) -> None:
    """Freezing asks for a confirmation (app.js, data-confirm): say yes."""
    page.on("dialog", lambda dialog: dialog.accept())


def create_commitment(page: Any, reference: str, title: str) -> str:
    page.goto(f"/plan/?organisation={CITY}")
    page.locator("#commitment-create").click()
    expect(page.get_by_role("heading", level=1, name="Nouvel engagement")).to_be_visible()
    form = page.locator("#commitment-form")
    form.get_by_label("Organisation").select_option(label="Ville de Nevers")
    form.get_by_label("Référence").fill(reference)
    form.get_by_label("Intitulé").fill(title)
    form.get_by_label("Thème").select_option(label="Cycle de vie des services numériques")
    form.locator("#id_source").select_option(label="Constat d'audit")  # "Origine" twice
    form.get_by_label("Précision sur l'origine").fill("constat n° 12")
    form.get_by_label("Responsable").select_option(label=OWNER)
    form.get_by_label("Description").fill("Moins d'impressions, recto verso par défaut.")
    page.locator("#commitment-submit").click()
    expect(page.get_by_role("heading", level=1, name=f"{reference} — {title}")).to_be_visible()
    return page.url


def add_action(page: Any, title: str, due: dt.date) -> None:
    form = page.locator("#action-form")
    form.get_by_label("Intitulé").fill(title)
    form.get_by_label("Responsable").select_option(label=OWNER)
    form.get_by_label("Échéance").fill(due.isoformat())
    form.get_by_label("Statut").select_option(label="En cours")
    form.get_by_label("Avancement (%)").fill("40")
    page.locator("#action-submit").click()
    expect(page.get_by_text("Action ajoutée.")).to_be_visible()


def add_manual_indicator(page: Any, name: str, today: dt.date) -> None:
    page.locator("#indicator-create").click()
    form = page.locator("#indicator-form")
    form.get_by_label("Nom").fill(name)
    form.get_by_label("Saisi à la main, avec sa preuve").check()
    form.get_by_label("Unité").fill("pages")
    form.get_by_label("Sens").select_option(label="À réduire")
    form.locator("#id_target_value").fill("5000")  # "Cible" is also in "Date de la cible"
    form.get_by_label("Date de la cible").fill(dt.date(today.year + 3, 12, 31).isoformat())
    page.locator("#indicator-submit").click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()
    values = page.locator("#value-form")
    values.get_by_label("Date de la mesure").fill(today.isoformat())
    values.get_by_label("Valeur").fill("12000")
    values.get_by_label("Preuve").fill("Compteurs des copieurs, relevé de la DSI")
    page.locator("#value-submit").click()
    expect(page.locator("#values-table")).to_contain_text("Compteurs des copieurs")
    expect(page.locator("#values-table")).to_contain_text(re.compile(r"12\s?000"))


def create_and_freeze_evaluation(page: Any, label: str, month: int, comment: str) -> str:
    page.goto(f"/plan/evaluations/?organisation={CITY}")
    form = page.locator("#evaluation-form")
    form.get_by_label("Organisation").select_option(label="Ville de Nevers")
    form.get_by_label("Intitulé").fill(label)
    form.get_by_label("Date de l'évaluation").fill(dt.date.today().isoformat())
    form.get_by_label("Mois du plan").fill(str(month))
    form.get_by_label("Commentaires").fill(comment)
    page.locator("#evaluation-submit").click()
    expect(page.get_by_role("heading", level=1, name=label)).to_be_visible()
    page.locator("#evaluation-freeze").click()
    expect(page.get_by_text("Évaluation figée : elle ne changera plus.")).to_be_visible()
    expect(page.locator("#evaluation-status")).to_contain_text("figée")
    return page.url


def action_row(page: Any, commitment_id: str, action: str) -> Any:
    section = page.locator(f"#ev-commitment-{commitment_id}")
    return section.locator("tr", has=page.get_by_role("rowheader", name=action))


def test_commitment_action_indicator_then_two_frozen_evaluations_compared(
    page: Any, login: Any, screenshot: Any
) -> None:
    _accept_confirmations(page)
    today = dt.date.today()
    tag = uuid.uuid4().hex[:5].upper()
    reference, title = f"E2E-{tag}", f"Sobriété des impressions {tag}"
    action, indicator = f"Recto verso par défaut {tag}", f"Pages imprimées {tag}"
    login("manager")

    # the commitment, its action and its indicator, through the pages
    commitment_url = create_commitment(page, reference, title)
    commitment_id = re.search(r"/(\d+)/?$", commitment_url.split("#")[0]).group(1)
    facts = page.locator("#commitment-facts")
    expect(facts).to_contain_text("Cycle de vie des services numériques")
    expect(facts).to_contain_text("Constat d'audit — constat n° 12")
    expect(facts).to_contain_text(re.compile(rf"Responsable\s*{OWNER_SHOWN}"))
    expect(page.locator("main")).to_contain_text("recto verso par défaut.")
    due = today + dt.timedelta(days=365)
    add_action(page, action, due)
    row = page.locator("#actions-table tbody tr", has_text=action)
    expect(row.locator("td").first).to_have_text(OWNER_SHOWN)
    expect(row).to_contain_text("En cours")
    expect(row).to_contain_text("40 %")
    expect(page.locator("#commitment-progress")).to_contain_text("40 %")
    add_manual_indicator(page, indicator, today)
    page.goto(commitment_url)
    expect(page.locator("#indicators-table")).to_contain_text(indicator)
    expect(page.locator("#indicators-table")).to_contain_text(re.compile(r"12\s?000"))
    screenshot(page, "plan-commitment", full_page=True)

    # month 18, frozen with a comment
    m18 = f"Évaluation M18 {tag}"
    m18_url = create_and_freeze_evaluation(page, m18, 18, f"Bilan à mi-parcours {tag}")
    expect(page.locator("#evaluation-comments")).to_contain_text(f"Bilan à mi-parcours {tag}")
    expect(action_row(page, commitment_id, action)).to_contain_text("40")

    # the action moves on, then month 36
    page.goto(commitment_url)
    page.get_by_role("link", name=f"Modifier l'action {action}").click()
    edit = page.locator("#action-edit-form")
    edit.get_by_label("Avancement (%)").fill("80")
    page.locator("#action-submit").click()
    expect(page.locator("#actions-table tbody tr", has_text=action)).to_contain_text("80 %")
    m36 = f"Évaluation M36 {tag}"
    create_and_freeze_evaluation(page, m36, 36, f"Fin du plan {tag}")
    expect(action_row(page, commitment_id, action)).to_contain_text("80")

    # the first evaluation has not moved, and offers nothing to change
    page.goto(m18_url)
    expect(action_row(page, commitment_id, action)).to_contain_text("40")
    expect(action_row(page, commitment_id, action)).not_to_contain_text("80")
    expect(page.locator("#evaluation-comments")).to_contain_text(f"Bilan à mi-parcours {tag}")
    for absent in ("#notes-form", "#evaluation-freeze", "#evaluation-delete"):
        expect(page.locator(absent)).to_have_count(0)
    screenshot(page, "plan-evaluation-frozen", full_page=True)

    # a direct POST, with the session and a valid CSRF token, is refused and changes nothing
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    m18_id = re.search(r"/(\d+)/?$", m18_url).group(1)
    refused = page.request.post(
        f"/plan/evaluations/{m18_id}/notes/",
        form={"comments": "réécrit après coup"},
        headers={"X-CSRFToken": csrf, "Referer": m18_url},
        max_redirects=0,
    )
    assert refused.status == 409, refused.status
    page.reload()
    expect(page.locator("#evaluation-comments")).not_to_contain_text("réécrit après coup")
    expect(page.locator("#evaluation-comments")).to_contain_text(f"Bilan à mi-parcours {tag}")

    # side by side: 40 % then 80 %, a change of 40 points on the commitment
    page.get_by_role("link", name="← Évaluations").click()
    compare = page.locator("#compare-form")
    first = compare.locator("#compare-a option", has_text=m18).get_attribute("value")
    second = compare.locator("#compare-b option", has_text=m36).get_attribute("value")
    compare.locator("#compare-a").select_option(first)
    compare.locator("#compare-b").select_option(second)
    page.locator("#compare-submit").click()
    expect(
        page.get_by_role("heading", level=1, name="Comparaison de deux évaluations")
    ).to_be_visible()
    section = page.locator(f"#compare-commitment-{commitment_id}")
    head = section.locator("thead")
    expect(head).to_contain_text(m18)
    expect(head).to_contain_text(m36)
    progress = section.locator("tr", has=page.get_by_role("rowheader", name="Avancement (%)"))
    expect(progress.locator("td")).to_have_text(["40", "80", re.compile(r"^\+?40$")])
    moved = section.locator("tr", has=page.get_by_role("rowheader", name=action))
    expect(moved.locator("td").nth(0)).to_have_text("40 %")
    expect(moved.locator("td").nth(1)).to_have_text("80 %")
    kept = section.locator("tr", has=page.get_by_role("rowheader", name=re.compile(indicator)))
    expect(kept.locator("td").nth(0)).to_have_text(re.compile(r"^12\s?000$"))
    expect(kept.locator("td").nth(1)).to_have_text(re.compile(r"^12\s?000$"))
    screenshot(page, "plan-compare", full_page=True)


def test_a_viewer_reads_the_plan_without_its_settings(page: Any, login: Any) -> None:
    login("elu")
    page.goto(f"/plan/?organisation={CITY}")
    nav = page.locator("nav.subnav")
    expect(nav.get_by_role("link", name="Évaluations")).to_be_visible()
    expect(page.locator("#nav-plan-settings")).to_have_count(0)
    expect(page.locator("#commitment-create")).to_have_count(0)
    response = page.goto(f"/plan/settings/?organisation={CITY}")
    assert response is not None and response.status == 403
