"""The public page and the open-data exports: readable without login, only what is published,
aggregates only (no pseudonym, no user name, small commune counts suppressed), nothing of an
organisation that does not publish; the publication set by an administrator, audited."""

import csv
import io
import json

import pytest
from territory_helpers import INDEX_CSV, add_activity

from impactnum.web.core.errors import NotAllowed
from impactnum.web.core.models import AuditEvent
from impactnum.web.territory import fragility, opendata
from impactnum.web.territory.publication import set_publication

ALL = {f"publish_{s}": True for s in ("fleet", "quotas", "reuse", "projects", "commitments")}
SECRETS = (
    "ZX-SECRET-42",
    "AGGLO-PSEUDO-7",
    "admin-ville",
    "elu-ville",
    "admin-agglo-secret",
    "Projet confidentiel agglo",
    "Donateur",
    "P-58",
)


@pytest.fixture
def published(city, admin, city_data, agglo_secret):
    fragility.import_index(admin, city, INDEX_CSV, file_name="indice.csv")
    add_activity(city, "58194", provisions=6, sessions=7)  # + the fleet laptop's person: 7 / 7
    add_activity(city, "58086", provisions=2, sessions=0)  # small: suppressed
    add_activity(city, "58303", provisions=9, sessions=5)
    return set_publication(
        admin, city, enabled=True, licence="etalab-2.0", publish_targeting=True, **ALL
    )


def _everything(client, slug="ville-nevers"):
    page = client.get(f"/public/{slug}/")
    js = client.get(f"/api/open-data/{slug}.json")
    cs = client.get(f"/api/open-data/{slug}.csv")
    return page, js, cs


def test_readable_without_login_and_without_personal_data(client, published, city_data):
    page, js, cs = _everything(client)
    assert (page.status_code, js.status_code, cs.status_code) == (200, 200, 200)
    assert cs["Content-Type"].startswith("text/csv")
    for body in (page.content.decode(), js.content.decode(), cs.content.decode()):
        for secret in SECRETS:
            assert secret not in body, secret
    doc = js.json()
    assert doc["licence"]["id"] == "etalab-2.0" and "etalab" in doc["licence"]["url"]
    assert set(doc["sections"]) == {
        "fleet",
        "quotas",
        "reuse",
        "projects",
        "commitments",
        "targeting",
    }
    assert "Licence Ouverte" in page.content.decode()


def test_small_commune_counts_are_suppressed(client, published):
    rows = list(
        csv.DictReader(io.StringIO(client.get("/api/open-data/ville-nevers.csv").content.decode()))
    )
    assert list(rows[0]) == list(opendata.FIELDS)
    targeting = {(r["subject"], r["indicator"]): r for r in rows if r["section"] == "targeting"}
    assert targeting[("58303 Varennes-Vauzelles", "provisions")]["value"] == "9"
    small = targeting[("58086 Fourchambault", "provisions")]
    assert small["value"] == "" and small["suppressed"] == "true"
    # one small cell only: the next smallest (Nevers, 7) is suppressed too, so that no total
    # gives the small one away by difference
    assert targeting[("58194 Nevers", "provisions")]["suppressed"] == "true"
    assert targeting[("58194 Nevers", "sessions")]["value"] == "7"
    assert targeting[("58086 Fourchambault", "sessions")]["value"] == "0"
    for r in rows:
        if (
            r["section"] == "targeting"
            and r["indicator"] in ("provisions", "sessions")
            and r["value"]
        ):
            assert int(r["value"]) == 0 or int(r["value"]) >= fragility.SMALL_COUNT
    people = {r["indicator"]: r for r in rows if r["indicator"] in opendata.PEOPLE_COUNTS}
    assert people["people_equipped"]["value"] == "18"  # 1 + 6 + 2 + 9 people, each equipped


def test_small_counts_of_people_are_suppressed(client, city, admin, city_data):
    set_publication(admin, city, enabled=True, publish_reuse=True)
    doc = client.get("/api/open-data/ville-nevers.json").json()
    people = {r["indicator"]: r for r in doc["figures"] if r["indicator"] == "people_equipped"}
    assert people["people_equipped"]["value"] is None  # one person: hidden
    assert people["people_equipped"]["suppressed"] is True


def test_only_published_sections(client, city, admin, published):
    set_publication(
        admin, city, publish_projects=False, publish_targeting=False, publish_fleet=False
    )
    page, js, cs = _everything(client)
    doc = js.json()
    assert set(doc["sections"]) == {"quotas", "reuse", "commitments"}
    assert {r["section"] for r in doc["figures"]} == {"quotas", "reuse", "commitments"}
    assert "Visioconférences" not in page.content.decode() + cs.content.decode()
    assert "Fourchambault" not in cs.content.decode()


def test_unpublished_and_unknown_organisations_answer_404(client, city, admin, published, agglo):
    for slug in ("agglo-nevers", "inconnue"):
        page, js, cs = _everything(client, slug)
        assert (page.status_code, js.status_code, cs.status_code) == (404, 404, 404)
    assert "Nevers Agglomération" not in client.get("/public/").content.decode()
    assert "Ville de Nevers" in client.get("/public/").content.decode()
    set_publication(admin, city, enabled=False)
    assert client.get("/api/open-data/ville-nevers.json").status_code == 404
    assert client.get("/public/ville-nevers/").status_code == 404


def test_schema_is_public_and_matches_the_rows(client, published):
    schema = client.get("/api/open-data/schema.json").json()
    assert [f["name"] for f in schema["fields"]] == list(opendata.FIELDS)
    doc = client.get("/api/open-data/ville-nevers.json").json()
    assert all(list(r) == list(opendata.FIELDS) for r in doc["figures"])
    json.dumps(doc, allow_nan=False)


def test_publication_only_by_an_administrator_and_audited(client, city, admin, viewer, make_user):
    manager = make_user("manager", city)
    with pytest.raises(NotAllowed):
        set_publication(manager, city, enabled=True)
    pub = set_publication(admin, city, enabled=True, publish_reuse=True, licence="odbl-1.0")
    event = AuditEvent.objects.filter(action="publication.set").get()
    assert event.actor == admin and event.after["licence"] == "odbl-1.0"
    assert pub.sections() == ["reuse"]
    client.force_login(viewer)
    assert client.post("/territory/publication/", {"enabled": "on"}).status_code == 403
    client.force_login(admin)
    r = client.post(
        "/territory/publication/", {"enabled": "on", "licence": "etalab-2.0", "publish_fleet": "on"}
    )
    assert r.status_code == 302
    pub.refresh_from_db()
    assert pub.sections() == ["fleet"] and pub.licence == "etalab-2.0"


def test_publication_api(client, city, admin, viewer):
    from impactnum.web.core.services import create_token

    def call(user, method, **body):
        _t, raw = create_token(user, "t")
        h = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        if method == "get":
            return client.get("/api/territory/publication", {"organisation": "ville-nevers"}, **h)
        return client.put(
            "/api/territory/publication", json.dumps(body), content_type="application/json", **h
        )

    assert call(viewer, "get").json()["enabled"] is False
    assert call(viewer, "put", organisation="ville-nevers", enabled=True).status_code == 403
    r = call(admin, "put", organisation="ville-nevers", enabled=True, publish_quotas=True)
    assert r.status_code == 200 and r.json()["sections"] == ["quotas"]
    r = call(admin, "put", organisation="ville-nevers", licence="proprietary")
    assert r.status_code == 422


@pytest.mark.parametrize("role", ["manager", "technician", "facilitator", "viewer"])
def test_publication_page_only_for_administrators(client, city, admin, make_user, role):
    """Other members get 403 and no link to it (what is published is on the public page)."""
    client.force_login(make_user(role, city))
    assert client.get("/territory/publication/").status_code == 403
    assert client.get("/territory/publication/", {"organisation": city.slug}).status_code == 403
    dashboard = client.get("/territory/").content.decode()
    assert "/territory/publication/" not in dashboard
    client.force_login(admin)
    html = client.get("/territory/publication/").content.decode()
    assert 'id="publication-form"' in html and "Licence Ouverte" in html
    dashboard = client.get("/territory/").content.decode()
    assert 'id="nav-territory-publication"' in dashboard


def test_publication_page_of_an_organisation_only_read_is_403(client, city, agglo, make_user):
    """Administrator of the city, viewer of the agglomeration (first by name)."""
    from impactnum.web.core.services import set_membership

    user = make_user("administrator", city)
    set_membership(None, user, agglo, "viewer")
    client.force_login(user)
    assert client.get("/territory/publication/", {"organisation": agglo.slug}).status_code == 403
    r = client.post("/territory/publication/", {"organisation": agglo.slug, "enabled": "on"})
    assert r.status_code == 403
    assert client.get("/territory/publication/", {"organisation": "nulle"}).status_code == 404
    page = client.get("/territory/publication/")
    assert page.status_code == 200 and page.context["organisation"] == city
