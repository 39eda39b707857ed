"""The fleet API: every endpoint for every kind of caller, filters and search, status changes
with and without the required reason, repairs, version conflicts (409), history, indicators,
footprint, quotas and the declaration."""

import csv
import datetime as dt
import io

import pytest

from impactnum.web.core.choices import Role
from impactnum.web.fleet import services
from impactnum.web.fleet.choices import AssetStatus
from impactnum.web.fleet.models import Asset

TODAY = dt.date.today()
EDITORS = {Role.ADMINISTRATOR, Role.MANAGER, Role.TECHNICIAN}


def years_ago(n: float) -> dt.date:
    return TODAY - dt.timedelta(days=round(n * 365.25))


@pytest.fixture
def admin(city, make_user):
    return make_user("administrator", city, username="admin-city")


@pytest.fixture
def fleet(city, admin):
    dsi = services.add_department(admin, city, "DSI")
    services.set_lifespan_policy(admin, city, "laptop", 5)
    old = services.create_asset(
        admin,
        city,
        kind="laptop",
        model="ThinkPad T14",
        serial_number="PF-OLD",
        inventory_number="INV-001",
        department=dsi,
        purchase_date=years_ago(6),
        price_excl_vat=900,
    )
    young = services.create_asset(
        admin,
        city,
        kind="laptop",
        model="Latitude",
        serial_number="DL-YOUNG",
        inventory_number="INV-002",
        purchase_date=years_ago(2),
        bought_refurbished=True,
    )
    screen = services.create_asset(admin, city, kind="monitor", inventory_number="INV-003")
    repair = services.open_repair(admin, screen, problem="Pixels morts")
    return {"old": old, "young": young, "screen": screen, "repair": repair, "dsi": dsi}


@pytest.fixture
def other_asset(agglo, make_user):
    owner = make_user("administrator", agglo, username="admin-agglo")
    asset = services.create_asset(owner, agglo, kind="laptop", serial_number="AGG1")
    services.open_repair(owner, asset, problem="x")
    return asset


# (needs edit?, method, path, body): {old}, {young}, {screen}, {repair} filled from the fleet
ENDPOINTS = [
    (False, "GET", "/api/fleet/assets", None),
    (False, "GET", "/api/fleet/assets/{old}", None),
    (False, "GET", "/api/fleet/assets/{old}/events", None),
    (False, "GET", "/api/fleet/assets/{screen}/repairs", None),
    (False, "GET", "/api/fleet/indicators?organisation=ville-nevers", None),
    (False, "GET", "/api/fleet/footprint?organisation=ville-nevers", None),
    (
        False,
        "GET",
        "/api/fleet/scenario?organisation=ville-nevers&lifespan_years=7&draws=100",
        None,
    ),
    (False, "GET", "/api/fleet/quotas?organisation=ville-nevers&year=2025", None),
    (False, "GET", "/api/fleet/declaration?organisation=ville-nevers&year=2025", None),
    (True, "POST", "/api/fleet/assets", {"organisation": "ville-nevers", "kind": "tablet"}),
    (True, "PATCH", "/api/fleet/assets/{old}", {"assigned_to": "B1"}),
    (True, "POST", "/api/fleet/assets/{old}/status", {"status": "spare"}),
    (True, "POST", "/api/fleet/assets/{old}/repairs", {"problem": "Clavier"}),
    (True, "POST", "/api/fleet/repairs/{repair}/close", {"outcome": "fixed"}),
]


def _path(path: str, fleet: dict) -> str:
    return path.format(**{k: v.pk for k, v in fleet.items()})


@pytest.mark.parametrize("role", list(Role.values))
def test_every_endpoint_per_role(api_as, make_user, city, fleet, role):
    api = api_as(make_user(role, city))
    for needs_edit, method, path, body in ENDPOINTS:
        response = api(method, _path(path, fleet), body)
        allowed = role in EDITORS or not needs_edit
        assert (200 <= response.status_code < 300) == allowed, (role, path, response.content)
        if not allowed:
            assert response.status_code == 403
            assert response["Content-Type"] == "application/problem+json"


def test_anonymous_gets_401(api_as, fleet):
    api = api_as(None)
    for _edit, method, path, body in ENDPOINTS:
        assert api(method, _path(path, fleet), body).status_code == 401, path


def test_another_organisation_is_not_found(api_as, admin, fleet, other_asset):
    api = api_as(admin)
    repair = other_asset.repairs.get()
    for method, path, body in [
        ("GET", f"/api/fleet/assets/{other_asset.pk}", None),
        ("GET", f"/api/fleet/assets/{other_asset.pk}/events", None),
        ("PATCH", f"/api/fleet/assets/{other_asset.pk}", {"model": "x"}),
        ("POST", f"/api/fleet/assets/{other_asset.pk}/status", {"status": "spare"}),
        ("POST", f"/api/fleet/assets/{other_asset.pk}/repairs", {"problem": "x"}),
        ("POST", f"/api/fleet/repairs/{repair.pk}/close", {"outcome": "fixed"}),
        ("GET", "/api/fleet/indicators?organisation=agglo-nevers", None),
        ("GET", "/api/fleet/quotas?organisation=agglo-nevers", None),
        ("GET", "/api/fleet/footprint?organisation=agglo-nevers", None),
        ("GET", "/api/fleet/scenario?organisation=agglo-nevers&lifespan_years=7", None),
        ("GET", "/api/fleet/declaration?organisation=agglo-nevers&year=2025", None),
    ]:
        assert api(method, path, body).status_code == 404, path
    listed = api("GET", "/api/fleet/assets").json()
    assert "AGG1" not in {a["serial_number"] for a in listed["items"]}
    other_asset.refresh_from_db()
    assert other_asset.status == AssetStatus.IN_REPAIR and other_asset.model == ""


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"INV-001", "INV-002", "INV-003"}),
        ({"kind": "laptop"}, {"INV-001", "INV-002"}),
        ({"status": "in_repair"}, {"INV-003"}),
        ({"refurbished": "true"}, {"INV-002"}),
        ({"past_lifespan": "true"}, {"INV-001"}),
        ({"q": "thinkpad"}, {"INV-001"}),
        ({"q": "dl-young"}, {"INV-002"}),
        ({"organisation": "agglo-nevers"}, set()),
    ],
)
def test_list_filters(api_as, admin, fleet, params, expected):
    body = api_as(admin)("GET", "/api/fleet/assets", None, **params).json()
    assert {a["inventory_number"] for a in body["items"]} == expected
    assert body["count"] == len(expected)


def test_list_by_department_sorted_and_paginated(api_as, admin, fleet):
    api = api_as(admin)
    body = api("GET", "/api/fleet/assets", None, department=fleet["dsi"].pk).json()
    assert [a["inventory_number"] for a in body["items"]] == ["INV-001"]
    body = api("GET", "/api/fleet/assets", None, sort="-inventory", limit=2).json()
    assert body["count"] == 3
    assert [a["inventory_number"] for a in body["items"]] == ["INV-003", "INV-002"]
    first = body["items"][1]
    assert first["lifespan_years"] == 5 and first["age_years"] == pytest.approx(2, abs=0.01)
    assert api("GET", "/api/fleet/assets", None, sort="nope").status_code == 422


def test_list_costs_a_fixed_number_of_queries(
    api_as, admin, city, fleet, django_assert_max_num_queries
):
    api = api_as(admin)
    for _i in range(30):
        services.create_asset(admin, city, kind="laptop", department=fleet["dsi"])
    with django_assert_max_num_queries(10):
        body = api("GET", "/api/fleet/assets", None, limit=100).json()
    assert body["count"] == 33 and all("lifespan_years" in a for a in body["items"])


def test_patch_with_a_stale_version_is_a_409(api_as, admin, fleet):
    api = api_as(admin)
    old = fleet["old"]
    response = api("PATCH", f"/api/fleet/assets/{old.pk}", {"model": "T15", "expected_version": 0})
    assert response.status_code == 200 and response.json()["version"] == 1
    response = api("PATCH", f"/api/fleet/assets/{old.pk}", {"model": "T16", "expected_version": 0})
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"].endswith("/conflict") and "rechargez" in problem["detail"]
    assert Asset.objects.get(pk=old.pk).model == "T15"
    response = api(
        "POST", f"/api/fleet/assets/{old.pk}/status", {"status": "spare", "expected_version": 0}
    )
    assert response.status_code == 409


def test_patch_refuses_unknown_fields_and_foreign_departments(api_as, admin, fleet, agglo):
    api = api_as(admin)
    old = fleet["old"]
    assert api("PATCH", f"/api/fleet/assets/{old.pk}", {"status": "retired"}).status_code == 422
    from impactnum.web.fleet.models import Department

    foreign = Department.objects.create(organisation=agglo, name="Ailleurs")
    response = api("PATCH", f"/api/fleet/assets/{old.pk}", {"department": foreign.pk})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "department"
    response = api("PATCH", f"/api/fleet/assets/{old.pk}", {"department": None})
    assert response.status_code == 200 and response.json()["department"] is None


def test_status_change_with_and_without_the_required_reason(api_as, admin, fleet):
    api = api_as(admin)
    young = fleet["young"]
    response = api("POST", f"/api/fleet/assets/{young.pk}/status", {"status": "retired"})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "reason", "message": response.json()["detail"]}]
    assert Asset.objects.get(pk=young.pk).status == AssetStatus.IN_SERVICE
    response = api(
        "POST",
        f"/api/fleet/assets/{young.pk}/status",
        {"status": "retired", "reason": "Écran cassé, pas de pièce"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "retired" and body["retirement_reason"] == "Écran cassé, pas de pièce"
    response = api("POST", f"/api/fleet/assets/{young.pk}/status", {"status": "in_service"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "status"


def test_repairs_and_history(api_as, admin, fleet):
    api = api_as(admin)
    old = fleet["old"]
    response = api("POST", f"/api/fleet/assets/{old.pk}/repairs", {"problem": "Batterie"})
    assert response.status_code == 201
    repair = response.json()
    assert api("GET", f"/api/fleet/assets/{old.pk}", None).json()["status"] == "in_repair"
    close = f"/api/fleet/repairs/{repair['id']}/close"
    response = api("POST", close, {"outcome": "end_of_life"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "barrier"
    response = api("POST", close, {"outcome": "end_of_life", "barrier": "item_too_worn_out"})
    assert response.status_code == 200 and response.json()["barrier"] == "item_too_worn_out"
    assert api("POST", close, {"outcome": "fixed"}).status_code == 409
    events = api("GET", f"/api/fleet/assets/{old.pk}/events", None).json()
    types = [e["type"] for e in events["items"]]
    assert types == ["created", "repair_opened", "status_changed", "repair_closed"]
    assert events["items"][0]["actor"] == "admin-city"
    assert events["items"][2]["from_status"] == "in_service"
    assert events["items"][2]["to_status"] == "in_repair"


def test_create_asset(api_as, admin, city, fleet):
    api = api_as(admin)
    response = api(
        "POST",
        "/api/fleet/assets",
        {
            "organisation": "ville-nevers",
            "kind": "smartphone",
            "serial_number": "FP5",
            "status": "in_stock",
            "department": fleet["dsi"].pk,
            "purchase_date": "2024-05-01",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "in_stock" and body["department_name"] == "DSI"
    duplicate = {"organisation": "ville-nevers", "kind": "smartphone", "serial_number": "FP5"}
    assert api("POST", "/api/fleet/assets", duplicate).status_code == 400
    bad_org = {"organisation": "agglo-nevers", "kind": "smartphone"}
    assert api("POST", "/api/fleet/assets", bad_org).status_code == 400


def test_indicators_footprint_quotas_and_declaration(api_as, admin, city, fleet):
    api = api_as(admin)
    ind = api("GET", "/api/fleet/indicators", None, organisation="ville-nevers").json()
    assert ind["held_by_kind"] == {"laptop": 2, "monitor": 1}
    assert ind["past_lifespan"]["total"] == 1
    fp = api("GET", "/api/fleet/footprint", None, by="department", trend="true").json()
    assert fp["assets_counted"] == 3 and "DSI" in fp["by_department"]
    assert fp["totals"]["gwp"]["low"] <= fp["totals"]["gwp"]["value"] <= fp["totals"]["gwp"]["high"]
    assert fp["trend"]["years"][-1]["year"] == TODAY.year
    q = api("GET", "/api/fleet/quotas", None, organisation="ville-nevers", year=2025).json()
    assert q["decret_2023_266_reuse"]["target"]["target"] == 0.5
    assert q["agec_art58_it"]["rule"] == "agec_art58_it"
    response = api(
        "GET", "/api/fleet/declaration", None, organisation="ville-nevers", year=TODAY.year
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["siret"] == city.siret and rows[0]["annee"] == str(TODAY.year)
    assert api("GET", "/api/fleet/indicators").status_code == 422  # organisation is required


def test_openapi_lists_the_fleet_endpoints(api_as, admin):
    paths = api_as(None)("GET", "/api/openapi.json").json()["paths"]
    for path in [
        "/api/fleet/assets",
        "/api/fleet/assets/{asset_id}",
        "/api/fleet/assets/{asset_id}/status",
        "/api/fleet/assets/{asset_id}/repairs",
        "/api/fleet/repairs/{repair_id}/close",
        "/api/fleet/assets/{asset_id}/events",
        "/api/fleet/indicators",
        "/api/fleet/footprint",
        "/api/fleet/quotas",
        "/api/fleet/declaration",
    ]:
        assert path in paths, path
