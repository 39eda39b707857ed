"""Translations: French by default, English available; the committed catalogue is complete and
its compiled .mo up to date (scripts/compile_translations.py --check)."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "src/impactnum/web/locale/en/LC_MESSAGES/django.po"


def test_login_page_is_french_by_default_and_english_on_request(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Mot de passe oublié ?" in page and '<html lang="fr">' in page
    response = client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    page = client.get(reverse("login")).content.decode()
    assert "Forgotten your password?" in page and "Mot de passe oublié" not in page
    assert '<html lang="en">' in page


def test_every_message_has_a_translation():
    with PO.open("rb") as f:
        catalog = read_po(f)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100
    empty = [m.id for m in messages if m.fuzzy or not m.string or not all(m.string)]
    assert empty == []


def test_catalogue_and_mo_are_up_to_date():
    """Every string of the sources is in the .po, translated, and the .mo is its compilation."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts/compile_translations.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
