"""impactnum's own pages against its eco-design statement (docs/ecodesign.md): the transfer size
of a few main pages on the demo data, within a budget, and no request to a third party.

Run with `-s` to print the table quoted in docs/ecodesign.md. Everything is measured as the
application sends it, uncompressed (it compresses neither pages nor static files: WhiteNoise
serves the static folders through its finders, without precompressed copies), and gzipped, as a
reverse proxy that compresses would send it.
"""

import datetime as dt
import gzip
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

import impactnum.web
from impactnum.web.core import services as core_services
from impactnum.web.core.models import Organisation
from impactnum.web.ecodesign import services
from impactnum.web.projects.models import Project

STATIC = Path(impactnum.web.__file__).parent / "static" / "impactnum"
ASSETS = ["app.css", "app.js", "htmx.min.js"]
PAGE_BUDGET = 120 * 1024  # bytes of HTML, uncompressed, per page
ASSETS_BUDGET = 64 * 1024  # bytes of CSS + JS, uncompressed, loaded by every first visit
OUTSIDE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""")


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def _full_size_assessment(user, organisation):
    """An assessment against 79 invented criteria (the size of RGESN v1), half answered."""
    families = [("Stratégie", 12), ("Spécifications", 5), ("Architecture", 6), ("UX/UI", 19)]
    families += [("Contenus", 9), ("Frontend", 11), ("Backend", 5), ("Hébergement", 12)]
    items = [
        {
            "id": f"{f}.{n}",
            "critere": f"Question inventée numéro {n} de la famille {name}, de longueur usuelle ?",
            "thematique": name,
            "url": f"https://referentiel.example/critere/{f}.{n}/",
        }
        for f, (name, count) in enumerate(families, start=1)
        for n in range(1, count + 1)
    ]
    data = json.dumps({"version": "essai", "criteres": items}).encode()
    ref, _ = services.import_referential(
        user, organisation, name="RGESN", file_name="r.json", data=data
    )
    assessment = services.create_assessment(
        user, organisation, referential=ref, service_name="Site", assessed_on=dt.date(2026, 1, 1)
    )
    for i, criterion in enumerate(ref.criteria.all()[:40]):
        status = "compliant" if i % 2 else "non_compliant"
        services.answer_criterion(user, assessment, criterion, status=status)
    return assessment


@pytest.mark.slow
def test_main_pages_stay_light_and_call_no_third_party(client, make_user):
    from impactnum.web.demo import build_demo

    build_demo()
    user = make_user(username="weigher")
    for org in Organisation.objects.all():
        core_services.set_membership(None, user, org, "administrator")
    client.force_login(user)
    project = Project.objects.order_by("pk").first()
    assessment = _full_size_assessment(user, project.organisation)
    pages = {
        "Accueil": reverse("home"),
        "Tableau de bord": reverse("territory:dashboard"),
        "Projets": reverse("projects:list"),
        "Résultats d'un projet": reverse("projects:results", args=[project.pk]),
        "Parc": reverse("fleet:list"),
        "Réemploi": reverse("reuse:workbench"),
        "Engagements": reverse("plan:commitments"),
        "Écoconception": reverse("ecodesign:assessments"),
        "Évaluation RGESN (79 critères)": assessment.get_absolute_url(),
        "Déclaration d'écoconception": reverse("ecodesign:statement", args=[assessment.pk]),
    }
    rows = []
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content
        assert not OUTSIDE.search(html.decode()), f"{name} loads a third-party resource"
        assert len(html) < PAGE_BUDGET, f"{name}: {len(html)} bytes"
        rows.append((name, len(html), _gz(html)))
    assets = {a: (STATIC / a).read_bytes() for a in ASSETS}
    assert sum(len(b) for b in assets.values()) < ASSETS_BUDGET
    print("\n| Page | HTML (octets) | HTML gzip (octets) |\n|---|---|---|")
    for name, raw, packed in rows:
        print(f"| {name} | {raw} | {packed} |")
    for a, b in assets.items():
        print(f"| {a} | {len(b)} | {_gz(b)} |")
