"""The responsible-digital strategy and its yearly report in a browser, on the real server with
the demo data (Debian's Chromium).

A manager of Nevers Agglomération rewrites one part of the demo strategy, then opens the yearly
report and downloads its editable DOCX, read back with python-docx.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the playwright package is not installed")
from docx import Document
from playwright.sync_api import expect

AGGLO = "nevers-agglomeration"


def test_write_a_strategy_part_then_download_the_yearly_report(
    page: Any, login: Any, tmp_path: Path, screenshot: Any
) -> None:
    login("manager")
    page.goto(f"/plan/strategy/?organisation={AGGLO}")
    expect(
        page.get_by_role("heading", level=1, name="Stratégie numérique responsable")
    ).to_be_visible()
    expect(page.locator("#strategy-legal")).to_contain_text("2022-1084")
    expect(page.locator("#live-means-empty")).to_be_visible()  # no data: said so
    screenshot(page, "plan-strategy")

    page.locator("#edit-usages").click()
    expect(page.get_by_role("heading", level=1, name="Bilan des usages numériques")).to_be_visible()
    text = f"Usages relus en séance ({uuid.uuid4().hex[:8]})."
    page.get_by_label("Bilan des usages numériques").fill(text)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#text-usages")).to_contain_text(text)

    page.locator("#nav-plan-annual-report").click()
    year = dt.date.today().year
    expect(page.get_by_role("heading", level=1, name=f"Bilan annuel {year}")).to_be_visible()
    report = page.locator("#annual-report")
    expect(report).to_contain_text("Empreinte environnementale du parc informatique")
    expect(report).to_contain_text("ademe-2022")
    screenshot(page, "plan-annual-report")

    with page.expect_download() as info:
        page.locator("#export-docx").click()
    download = info.value
    assert download.suggested_filename == f"bilan-annuel-{AGGLO}-{year}.docx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    doc = Document(io.BytesIO(target.read_bytes()))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == (
        f"Bilan annuel {year} de la stratégie numérique responsable — Nevers Agglomération"
    )
    assert "6. Objectifs de la stratégie et indicateurs de suivi" in headings
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Allonger la durée de vie des équipements" in body  # the demo strategy's objectives
    assert doc.tables, "the figures are Word tables, editable"
    first_column = {row.cells[0].text for table in doc.tables for row in table.rows}
    assert "Changement climatique" in first_column
