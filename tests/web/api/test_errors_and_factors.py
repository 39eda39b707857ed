"""One error format everywhere (RFC 9457), and the factor-set endpoints."""

import pytest

from impactnum.engine import list_factor_sets, load_factor_set
from impactnum.web.api.errors import calc_errors, field_path

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


@pytest.fixture
def viewer_api(api_as, city, make_user):
    return api_as(make_user("viewer", city))


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    assert body["instance"] == response.wsgi_request.path
    return body


def test_problem_shapes(viewer_api, api_as, project):
    assert_problem(api_as(None)("GET", "/api/projects"), 401)
    assert_problem(viewer_api("DELETE", f"/api/projects/{project.pk}"), 403)
    assert_problem(viewer_api("GET", "/api/projects/999999"), 404)
    assert_problem(viewer_api("GET", "/api/no/such/thing"), 404)
    body = assert_problem(viewer_api("PUT", f"/api/projects/{project.pk}", {}), 405)
    assert "PATCH" in body["detail"]
    body = assert_problem(viewer_api("GET", "/api/projects/not-a-number"), 422)
    assert body["errors"][0]["field"] == "project_id"
    body = assert_problem(viewer_api("GET", "/api/projects", limit="many"), 422)
    assert body["errors"] == [{"field": "limit", "message": body["errors"][0]["message"]}]
    body = assert_problem(viewer_api("POST", "/api/projects", "{broken"), 400)
    assert "JSON" in body["detail"]


def test_nested_validation_paths(api_as, city, make_user, project):
    manager = api_as(make_user("manager", city))
    body = assert_problem(manager("POST", "/api/projects", {"name": 3, "horizon_years": "x"}), 422)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"organisation", "name", "horizon_years"}


def test_unexpected_errors_are_500_problems_without_traceback(viewer_api, monkeypatch):
    from impactnum.web.api import factors

    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(factors, "list_factor_sets", boom)
    body = assert_problem(viewer_api("GET", "/api/factor-sets"), 500)
    assert "secret" not in str(body) and "Traceback" not in str(body)


def test_field_path_and_calc_error_lines():
    assert field_path(("body", "payload", "scenarios", 0, "name")) == "scenarios[0].name"
    assert field_path(("query", "limit")) == "limit"
    assert calc_errors(["body: scenarios[1].equipment[3].quantity: must be ≥ 0, got -2"]) == [
        {"field": "scenarios[1].equipment[3].quantity", "message": "must be ≥ 0, got -2"}
    ]
    assert calc_errors(["body: factors / overrides: unknown"]) == [
        {"field": "", "message": "factors / overrides: unknown"}
    ]


def test_factor_sets(viewer_api):
    listed = viewer_api("GET", "/api/factor-sets").json()
    assert listed["count"] == len(list_factor_sets())
    refs = {s["ref"] for s in listed["items"]}
    assert "ademe-2022@1.0.0" in refs
    detail = viewer_api("GET", "/api/factor-sets/ademe-2022@1.0.0")
    assert detail.status_code == 200 and "NaN" not in detail.content.decode()
    data = detail.json()
    fs = load_factor_set("ademe-2022@1.0.0")
    assert len(data["factors"]) == len(fs.rows)
    assert set(data["kind_defaults"]) == set(fs.kind_defaults)
    assert set(data["parameters"]) == set(fs.params)
    assert data["coverage"]["device"]["manufacture"]
    assert {"borrow", "sources", "licence", "default_country"} <= set(data)
    latest = viewer_api("GET", "/api/factor-sets/ademe-2022").json()
    assert latest["ref"] == data["ref"]
    only = viewer_api("GET", "/api/factor-sets/ademe-2022", family="device", key="laptop").json()
    assert only["factors"] and {(f["family"], f["key"]) for f in only["factors"]} == {
        ("device", "laptop")
    }
    missing = assert_problem(viewer_api("GET", "/api/factor-sets/nope"), 404)
    assert "unknown factor set" in missing["detail"]
