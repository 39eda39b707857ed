"""Projects through the API: lists, filters, pagination, changes, results equal to services."""

import pytest

from impactnum.calculation import json_ready
from impactnum.web.core import services as core_services
from impactnum.web.projects import services
from impactnum.web.projects.models import Project


@pytest.fixture
def manager(city, make_user):
    return make_user("manager", city, username="marie")


@pytest.fixture
def api(api_as, manager):
    return api_as(manager)


def test_create_project_build_it_and_results_equal_the_service(api, manager, city):
    created = api(
        "POST",
        "/api/projects",
        {"organisation": city.slug, "name": "Tablettes", "horizon_years": 4},
    )
    assert created.status_code == 201, created.content
    project = created.json()
    assert project["organisation"] == city.slug and project["scenarios"] == 1
    assert project["owner"] == "marie" and project["status"] == "draft"
    pid = project["id"]
    baseline = api("GET", f"/api/projects/{pid}/scenarios").json()["items"][0]
    assert baseline["is_baseline"] and baseline["name"]
    line = api(
        "POST",
        f"/api/scenarios/{baseline['id']}/lines/equipment",
        {"kind": "tablet", "quantity": 30, "lifespan_years": 4},
    )
    assert line.status_code == 201
    api(
        "POST",
        f"/api/scenarios/{baseline['id']}/lines/network",
        {"kind": "mobile", "gb_per_year": 120},
    )
    variant = api(
        "POST",
        f"/api/projects/{pid}/scenarios",
        {"name": "Reconditionnées", "copy_from": baseline["id"]},
    ).json()
    assert len(variant["equipment"]) == 1 and len(variant["network"]) == 1
    line_id = variant["equipment"][0]["id"]
    changed = api("PATCH", f"/api/lines/equipment/{line_id}", {"refurbished": True})
    assert changed.json()["refurbished"] is True and changed.json()["quantity"] == 30
    api("PATCH", f"/api/scenarios/{variant['id']}", {"capex": 4000, "opex_per_year": 100})
    social = api("PUT", f"/api/scenarios/{variant['id']}/social/people_supported", {"value": 30})
    assert social.json()["social"] == {"people_supported": 30.0}

    result = api("GET", f"/api/projects/{pid}/results")
    assert result.status_code == 200
    expected = json_ready(services.calculate(manager, Project.objects.get(pk=pid)))
    assert result.json() == expected
    comparison = api("GET", f"/api/projects/{pid}/comparison", draws=200).json()
    assert comparison["baseline"] == baseline["name"]
    assert len(comparison["comparison"]) == 1
    assert "economic_delta" in comparison["comparison"][0]

    # the document is the project file: POST /api/calc gives the same numbers
    document = api("GET", f"/api/projects/{pid}/document").json()
    assert document["project"]["horizon_years"] == 4
    again = api("POST", "/api/calc", document).json()
    assert again["net"] == expected["net"]


def test_results_with_draws_and_seed(api, manager, project, city, make_user):
    viewer = make_user("viewer", city)
    response = api("GET", f"/api/projects/{project.pk}/results", draws=100, seed=7)
    expected = json_ready(services.calculate(viewer, project, draws=100, seed=7))
    assert response.json()["net"] == expected["net"] and response.json()["draws"] == 100
    assert api("GET", f"/api/projects/{project.pk}/results", draws=-1).status_code == 422


def test_pagination_and_filters(api, manager, city, agglo, make_user):
    for i in range(5):
        services.create_project(manager, city, name=f"Projet {i}", description="écoles")
    services.create_project(manager, city, name="Éclairage public", status="active")
    core_services.set_membership(None, manager, agglo, "viewer")
    other = make_user("manager", agglo)
    services.create_project(other, agglo, name="Eau potable")

    everything = api("GET", "/api/projects").json()
    assert everything["count"] == 7
    page = api("GET", "/api/projects", limit=2, offset=2).json()
    assert page["count"] == 7
    assert [p["name"] for p in page["items"]] == [p["name"] for p in everything["items"][2:4]]
    assert api("GET", "/api/projects", organisation=agglo.slug).json()["count"] == 1
    assert api("GET", "/api/projects", status="active").json()["items"][0]["name"] == (
        "Éclairage public"
    )
    assert api("GET", "/api/projects", q="écoles projet").json()["count"] == 5
    assert api("GET", "/api/projects", q="PROJET 3").json()["count"] == 1
    bad = api("GET", "/api/projects", status="lost")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
    too_big = api("GET", "/api/projects", limit=10_000)
    assert too_big.status_code == 422 and too_big.json()["errors"][0]["field"] == "limit"


def test_organisations_list_with_roles(api, manager, city, agglo):
    core_services.set_membership(None, manager, agglo, "viewer")
    orgs = api("GET", "/api/organisations").json()
    assert orgs["count"] == 2
    assert {(o["slug"], o["role"]) for o in orgs["items"]} == {
        (city.slug, "manager"),
        (agglo.slug, "viewer"),
    }
    assert api("GET", f"/api/organisations/{city.slug}").json()["siret"] == city.siret
    assert api("GET", "/api/organisations/nowhere").status_code == 404


def test_domain_refusals_are_problems_with_the_field(api, project, city):
    bad = api("PATCH", f"/api/projects/{project.pk}", {"factor_set": "nope@9"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "factor_set"
    baseline = project.scenarios.first()
    refused = api("DELETE", f"/api/scenarios/{baseline.pk}")
    assert refused.status_code == 400 and "référence" in refused.json()["detail"]
    negative = api(
        "POST", f"/api/scenarios/{baseline.pk}/lines/equipment", {"kind": "laptop", "quantity": -3}
    )
    assert negative.status_code == 400
    assert negative.json()["errors"] == [
        {"field": "quantity", "message": negative.json()["detail"]}
    ]
    unknown = api("PATCH", f"/api/projects/{project.pk}", {"colour": "blue"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "colour"
    wrong_org = api("POST", "/api/projects", {"organisation": "agglo-nevers", "name": "x"})
    assert wrong_org.status_code == 400
    assert wrong_org.json()["errors"][0]["field"] == "organisation"
    indicator = api("PUT", f"/api/scenarios/{baseline.pk}/social/happiness", {"value": 1})
    assert indicator.status_code == 400 and indicator.json()["errors"][0]["field"] == "code"
    copy = api(
        "POST", f"/api/projects/{project.pk}/scenarios", {"name": "Copie", "copy_from": 999999}
    )
    assert copy.status_code == 400 and copy.json()["errors"][0]["field"] == "copy_from"


def test_snapshots_round_trip(api, project):
    saved = api("POST", f"/api/projects/{project.pk}/snapshots", {"label": "Conseil municipal"})
    assert saved.status_code == 201
    snap = saved.json()
    assert snap["factor_set"] == project.factor_set and snap["created_by"] == "marie"
    listed = api("GET", f"/api/projects/{project.pk}/snapshots").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == snap["id"]
    detail = api("GET", f"/api/snapshots/{snap['id']}").json()
    assert detail["inputs"]["document"]["project"]["name"] == project.name
    replay = api("GET", f"/api/snapshots/{snap['id']}/replay").json()
    assert replay["net"] == detail["result"]["net"]


def test_delete_project(api, project):
    assert api("DELETE", f"/api/projects/{project.pk}").status_code == 204
    assert api("GET", f"/api/projects/{project.pk}").status_code == 404


def test_lines_of_each_type(api, project):
    baseline = project.scenarios.first()
    for line_type, body, field in [
        ("network", {"kind": "fixed", "gb_per_year": 5}, "gb_per_year"),
        (
            "avoided",
            {"flow": "drinking_water", "quantity_per_year": 50, "low": 40, "high": 60},
            "quantity_per_year",
        ),
        (
            "sroi",
            {"outcome": "autonomie", "quantity": 4, "proxy_eur": 80, "deadweight": 0.2},
            "quantity",
        ),
    ]:
        created = api("POST", f"/api/scenarios/{baseline.pk}/lines/{line_type}", body)
        assert created.status_code == 201, created.content
        line_id = created.json()["id"]
        listed = api("GET", f"/api/scenarios/{baseline.pk}/lines/{line_type}").json()
        assert line_id in [item["id"] for item in listed["items"]]
        patched = api("PATCH", f"/api/lines/{line_type}/{line_id}", {field: 7})
        assert patched.json()[field] == 7
        assert api("DELETE", f"/api/lines/{line_type}/{line_id}").status_code == 204
        assert api("GET", f"/api/lines/{line_type}/{line_id}").status_code == 404
    assert api("GET", f"/api/scenarios/{baseline.pk}/lines/printer").status_code == 404


def test_overrides_change_the_results(api_as, city, make_user, project):
    admin = api_as(make_user("administrator", city))
    before = admin("GET", f"/api/projects/{project.pk}/results").json()
    created = admin(
        "POST",
        f"/api/organisations/{city.slug}/overrides",
        {
            "family": "device",
            "key": "laptop",
            "phase": "manufacture",
            "criterion": "gwp",
            "value": 1000,
            "source": "fiche fabricant",
        },
    )
    assert created.status_code == 201, created.content
    listed = admin("GET", f"/api/organisations/{city.slug}/overrides").json()
    assert listed["count"] == 1 and listed["items"][0]["value"] == 1000
    after = admin("GET", f"/api/projects/{project.pk}/results").json()
    assert after["net"]["gwp"]["value"] > before["net"]["gwp"]["value"]
    bad = admin(
        "POST",
        f"/api/organisations/{city.slug}/overrides",
        {
            "family": "device",
            "key": "spaceship",
            "phase": "manufacture",
            "criterion": "gwp",
            "value": 1,
            "source": "x",
        },
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "family"
    oid = created.json()["id"]
    assert admin("DELETE", f"/api/organisations/{city.slug}/overrides/{oid}").status_code == 204
    assert admin("DELETE", f"/api/organisations/{city.slug}/overrides/{oid}").status_code == 404
