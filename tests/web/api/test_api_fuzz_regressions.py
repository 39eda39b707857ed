"""One test per problem the API fuzzing (test_api_fuzzing.py) found, so that each stays fixed
even when the fuzzer's draws change: the request it sent, and the documented answer."""

import datetime as dt

import pytest
from django.db import DataError

from impactnum.web.api.pagination import MAX_OFFSET
from impactnum.web.api.schemas import MAX_ID
from impactnum.web.plan import services as plan_services
from impactnum.web.reuse import services as reuse_services
from impactnum.web.reuse.models import Party


@pytest.fixture
def api(api_as, admin):
    return api_as(admin)


@pytest.fixture
def spec(client, db):
    return client.get("/api/openapi.json").json()


def _problem(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body


def test_an_offset_beyond_any_list_is_a_422_not_a_database_overflow(api, project):
    # The database's integer overflowed on OFFSET 10^35 (a 500).
    response = api("GET", "/api/projects", offset=25193956205933364014538949958565888)
    _problem(response, 422, "offset")
    assert api("GET", "/api/projects", offset=MAX_OFFSET).json() == {"count": 1, "items": []}


def test_id_filters_refuse_an_id_beyond_the_database_integer(api, city):
    # ?department=2^64-1 with past_lifespan, ?lot=2^64-1: the database driver overflowed (a 500).
    query = {"department": 2**64 - 1, "past_lifespan": "true"}
    _problem(api("GET", "/api/fleet/assets", **query), 422, "department")
    assert api("GET", "/api/fleet/assets", department=MAX_ID, past_lifespan="true").json() == {
        "count": 0,
        "items": [],
    }
    _problem(api("GET", "/api/reuse/devices", lot=2**64 - 1), 422, "lot")
    assert api("GET", "/api/reuse/devices", lot=MAX_ID).json()["count"] == 0


def test_an_override_with_an_unknown_criterion_names_the_field(api, city):
    # The engine looked the criterion's unit up before checking it: a KeyError (a 500).
    body = {"family": "electricity", "key": "FRA", "criterion": "ozone", "value": 5.0}
    response = api("POST", f"/api/organisations/{city.slug}/overrides", {**body, "source": "x"})
    problem = _problem(response, 400, "criterion")
    assert "ozone" in problem["detail"]


def test_null_on_a_text_that_may_be_empty_is_the_empty_text(api, admin, project):
    # The bodies document these texts as nullable; a null label reached the database's NOT NULL
    # (a 500). It is now the empty text; a null on a required number stays a 400.
    scenario = project.scenarios.first()
    body = {"flow": "petrol", "quantity_per_year": 10, "label": None}
    response = api("POST", f"/api/scenarios/{scenario.pk}/lines/avoided", body)
    assert response.status_code == 201, response.content
    line_id = response.json()["id"]
    assert api("PATCH", f"/api/lines/avoided/{line_id}", {"label": "Trajets"}).status_code == 200
    response = api("PATCH", f"/api/lines/avoided/{line_id}", {"label": None, "low": 2.0})
    assert response.status_code == 200, response.content
    assert (response.json()["label"], response.json()["low"]) == ("", 2.0)
    response = api("PATCH", f"/api/lines/avoided/{line_id}", {"quantity_per_year": None})
    _problem(response, 400, "quantity_per_year")


def test_null_on_a_plan_text_that_may_be_empty_is_the_empty_text(api, admin, city):
    # PATCH of a commitment, action, indicator or evaluation with a null description, unit or
    # comments: a NOT NULL error in the database (a 500).
    commitment = plan_services.create_commitment(
        admin,
        city,
        reference="E1",
        title="Durée de vie",
        theme="lifecycle",
        source="label",
        description="Texte",
        source_detail="n° 3",
    )
    action = plan_services.add_action(admin, commitment, title="Charte", description="Texte")
    indicator = plan_services.add_indicator(
        admin, commitment, name="PC de plus de 5 ans", kind="manual", unit="%"
    )
    evaluation = plan_services.create_evaluation(
        admin, city, label="M18", on=dt.date(2026, 1, 1), comments="Texte"
    )
    changes = [
        (f"/api/plan/commitments/{commitment.pk}", {"description": None, "source_detail": None}),
        (f"/api/plan/actions/{action.pk}", {"description": None}),
        (f"/api/plan/indicators/{indicator.pk}", {"unit": None}),
        (f"/api/plan/evaluations/{evaluation.pk}", {"comments": None}),
    ]
    for path, body in changes:
        response = api("PATCH", path, body)
        assert response.status_code == 200, (path, response.content)
        assert all(response.json()[name] == "" for name in body), path
    # A null on a text that must not be empty is still refused, naming the field.
    response = api("PATCH", f"/api/plan/commitments/{commitment.pk}", {"title": None})
    _problem(response, 400, "title")


def test_conflicts_are_documented_on_the_operations_that_change(api, admin, city, spec):
    # Freezing a frozen evaluation answered a 409 the OpenAPI did not list.
    evaluation = plan_services.create_evaluation(admin, city, label="M18", on=dt.date(2026, 1, 1))
    path = f"/api/plan/evaluations/{evaluation.pk}/freeze"
    assert api("POST", path).status_code == 200
    _problem(api("POST", path), 409)
    freeze = spec["paths"]["/api/plan/evaluations/{evaluation_id}/freeze"]["post"]
    assert "409" in freeze["responses"]
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            assert ("409" in operation["responses"]) == (method != "get"), (method, path)


def test_csv_answers_are_documented_as_csv(api, city, spec):
    # The CSV exports answered text/csv where the OpenAPI said application/json.
    response = api("GET", "/api/reuse/ords.csv", organisation=city.slug)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    csv_paths = [
        "/api/fleet/declaration",
        "/api/reuse/sessions.csv",
        "/api/reuse/ords.csv",
        "/api/open-data/{slug}.csv",
    ]
    for path in csv_paths:
        ok = spec["paths"][path]["get"]["responses"]["200"]
        assert set(ok["content"]) == {"text/csv"}, path


def test_a_value_the_database_refuses_is_a_422(api, admin, city, monkeypatch):
    # PostgreSQL refuses what SQLite stores (a NUL character in a text, an integer beyond its
    # column): psycopg's DataError reached the client as a 500. Raised here on any engine.
    commitment = plan_services.create_commitment(
        admin, city, reference="E1", title="Durée de vie", theme="lifecycle", source="label"
    )

    def refused(*args, **kwargs):
        raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")

    monkeypatch.setattr(plan_services, "add_action", refused)
    response = api("POST", f"/api/plan/commitments/{commitment.pk}/actions", {"title": "\x00"})
    problem = _problem(response, 422)
    assert "NUL" in problem["detail"]


def test_a_wipe_time_with_an_impossible_utc_offset_is_a_422(api, admin, city, client):
    # started_at "0051-07-31T12:25:28-20:08": PostgreSQL refused the offset (a 500).
    donor = Party.objects.create(organisation=city, kind="city_service", name="DSI")
    lot = reuse_services.receive_lot(
        admin, city, reference="L-1", donor=donor, received_on=dt.date(2026, 1, 10), weight_kg=4
    )
    device = reuse_services.register_device(
        admin, lot, asset_tag="R-1", kind="laptop", media=[{"type": "ssd", "serial_number": "S1"}]
    )
    wipe = {
        "level": "purge",
        "method": "ATA secure erase",
        "tool": "nwipe",
        "started_at": "0051-07-31T12:25:28-20:08",
        "ended_at": "2026-01-12T09:05:00+01:00",
        "result": "success",
    }
    path = f"/api/reuse/media/{device.media.get().pk}/sanitisations"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api.token}"}
    _problem(client.post(path, wipe, **auth), 422, "started_at")
    wipe["started_at"] = "2026-01-12T09:00:00+14:00"  # Kiribati: the largest real offset
    wipe["ended_at"] = "2026-01-12T09:05:00+14:00"
    assert client.post(path, wipe, **auth).status_code == 201
