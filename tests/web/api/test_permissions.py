"""Every endpoint, for every kind of caller: a table of endpoints, one generic test.

Rules: anonymous → 401; a person of another organisation → 404 (existence is not revealed);
a viewer reads (2xx) but cannot write (403); a manager edits projects but not the
organisation's factors (403); an administrator does everything.
"""

from dataclasses import dataclass
from typing import Any

import pytest

from impactnum.web.projects import services

VIEW, EDIT, MANAGE = "view", "edit", "manage"
ALLOWED = {
    "viewer": {VIEW},
    "manager": {VIEW, EDIT},
    "administrator": {VIEW, EDIT, MANAGE},
}


@dataclass
class World:
    project: int
    baseline: int
    variant: int
    line: int
    snapshot: int
    override: int
    org: str


@pytest.fixture
def world(project, city, make_user) -> World:
    admin = make_user("administrator", city, username="admin")
    baseline, variant = project.scenarios.all()
    snap = services.save_snapshot(admin, project, label="v1")
    override = services.set_override(
        admin, city, family="electricity", key="FRA", criterion="gwp", value=0.05, source="EDF"
    )
    return World(
        project=project.pk,
        baseline=baseline.pk,
        variant=variant.pk,
        line=baseline.equipment.first().pk,
        snapshot=snap.pk,
        override=override.pk,
        org=city.slug,
    )


LINE_BODIES = {
    "equipment": {"kind": "laptop", "quantity": 3},
    "network": {"kind": "mobile", "gb_per_year": 10},
    "avoided": {"flow": "drinking_water", "quantity_per_year": 100},
    "sroi": {"outcome": "autonomie numérique", "quantity": 10, "proxy_eur": 100},
}

# (capability, method, path with {fields of World}, body)
ENDPOINTS: list[tuple[str, str, str, Any]] = [
    (VIEW, "GET", "/api/organisations/{org}", None),
    (VIEW, "GET", "/api/organisations/{org}/overrides", None),
    (VIEW, "GET", "/api/projects/{project}", None),
    (VIEW, "GET", "/api/projects/{project}/scenarios", None),
    (VIEW, "GET", "/api/projects/{project}/results", None),
    (VIEW, "GET", "/api/projects/{project}/comparison", None),
    (VIEW, "GET", "/api/projects/{project}/document", None),
    (VIEW, "GET", "/api/projects/{project}/snapshots", None),
    (VIEW, "GET", "/api/snapshots/{snapshot}", None),
    (VIEW, "GET", "/api/snapshots/{snapshot}/replay", None),
    (VIEW, "GET", "/api/scenarios/{baseline}", None),
    (VIEW, "GET", "/api/scenarios/{baseline}/lines/equipment", None),
    (VIEW, "GET", "/api/lines/equipment/{line}", None),
    (EDIT, "PATCH", "/api/projects/{project}", {"status": "active"}),
    (EDIT, "DELETE", "/api/projects/{project}", None),
    (EDIT, "POST", "/api/projects/{project}/scenarios", {"name": "Autre"}),
    (EDIT, "POST", "/api/projects/{project}/snapshots", {"label": "v2"}),
    (EDIT, "PATCH", "/api/scenarios/{variant}", {"capex": 1000}),
    (EDIT, "DELETE", "/api/scenarios/{variant}", None),
    (EDIT, "PUT", "/api/scenarios/{baseline}/social/people_supported", {"value": 12}),
    *[
        (EDIT, "POST", f"/api/scenarios/{{baseline}}/lines/{t}", body)
        for t, body in LINE_BODIES.items()
    ],
    (EDIT, "PATCH", "/api/lines/equipment/{line}", {"quantity": 120}),
    (EDIT, "DELETE", "/api/lines/equipment/{line}", None),
    (
        MANAGE,
        "POST",
        "/api/organisations/{org}/overrides",
        {
            "family": "parameter",
            "key": "pue_default",
            "criterion": "value",
            "value": 1.4,
            "source": "mesure",
        },
    ),
    (MANAGE, "DELETE", "/api/organisations/{org}/overrides/{override}", None),
]
IDS = [f"{m} {p}" for _c, m, p, _b in ENDPOINTS]


def _path(template: str, world: World) -> str:
    return template.format(**world.__dict__)


@pytest.mark.parametrize(("capability", "method", "template", "body"), ENDPOINTS, ids=IDS)
@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_roles_of_the_organisation(
    capability, method, template, body, role, world, city, make_user, api_as
):
    response = api_as(make_user(role, city))(method, _path(template, world), body)
    if capability in ALLOWED[role]:
        assert 200 <= response.status_code < 300, response.content
    else:
        assert response.status_code == 403, response.content
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 403


@pytest.mark.parametrize(("capability", "method", "template", "body"), ENDPOINTS, ids=IDS)
def test_other_organisation_gets_404(
    capability, method, template, body, world, agglo, make_user, api_as
):
    outsider = make_user("administrator", agglo)
    response = api_as(outsider)(method, _path(template, world), body)
    assert response.status_code == 404, response.content
    assert response.json()["type"].endswith("/not-found")


@pytest.mark.parametrize(("capability", "method", "template", "body"), ENDPOINTS, ids=IDS)
def test_anonymous_gets_401(capability, method, template, body, world, api_as):
    response = api_as(None)(method, _path(template, world), body)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["title"] == "Unauthorized"


@pytest.mark.parametrize(
    "path",
    ["/api/organisations", "/api/projects", "/api/factor-sets", "/api/factor-sets/ademe-2022"],
)
def test_collections_need_authentication(path, api_as, city, make_user):
    assert api_as(None)("GET", path).status_code == 401
    assert api_as(make_user("viewer", city))("GET", path).status_code == 200


def test_revoked_or_unknown_token_is_401(api_as, city, make_user):
    from impactnum.web.core import services as core_services

    user = make_user("viewer", city)
    client = api_as(user)
    assert client("GET", "/api/projects").status_code == 200
    token = user.api_tokens.get()
    core_services.revoke_token(user, token.pk)
    assert client("GET", "/api/projects").status_code == 401
    client.token = "inum_not-a-token"
    assert client("GET", "/api/projects").status_code == 401


def test_session_works_and_unsafe_methods_need_csrf(city, make_user):
    from django.test import Client

    make_user("manager", city, username="lea")
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username="lea", password="pw-Impactnum-1")
    assert browser.get("/api/projects").status_code == 200
    body = '{"organisation": "ville-nevers", "name": "Sans CSRF"}'
    refused = browser.post("/api/projects", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    browser.get("/login/")  # sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    created = browser.post(
        "/api/projects", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert created.status_code == 201, created.content
