"""POST /api/calc: a project document in, the engine's JSON out, nothing stored."""

import tomllib
from pathlib import Path

import pytest

from impactnum.calculation import json_ready, run_document
from impactnum.web.projects.models import Project

EXAMPLES = sorted(Path(__file__).parents[3].joinpath("examples").glob("*.toml"))


@pytest.fixture
def caller(api_as, city, make_user):
    return api_as(make_user("viewer", city))


def test_there_are_examples():
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_each_example_gives_the_cli_result(path, caller):
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    expected = json_ready(run_document(data, source="body"))
    response = caller("POST", "/api/calc", data)
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["net"] == expected["net"]
    assert result["factor_set"] == expected["factor_set"]
    assert set(result) == set(expected)  # the same contract: no key added or missing
    assert [s["net"] for s in result["scenarios"]] == [s["net"] for s in expected["scenarios"]]
    assert "NaN" not in response.content.decode()
    assert Project.objects.count() == 0  # nothing stored


def test_draws_seed_and_factors_options(caller):
    data = tomllib.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    expected = json_ready(run_document(data, source="body", draws=200, seed=3))
    result = caller("POST", "/api/calc", data, draws=200, seed=3).json()
    assert result["net"] == expected["net"] and result["draws"] == 200
    other = caller("POST", "/api/calc", data, factors="boavizta-2.5")
    assert other.status_code in (200, 422)  # a set may not cover every kind: then a clear 422
    if other.status_code == 200:
        assert other.json()["factor_set"].startswith("boavizta-2.5@")
    bad = caller("POST", "/api/calc", data, draws=0)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "draws"


def test_malformed_project_lists_every_field(caller):
    document = {
        "project": {"name": "x", "colour": "blue"},
        "scenarios": [
            {
                "name": "a",
                "equipment": [
                    {"kind": "laptop", "quantity": 1},
                    {"kind": "laptop", "quantity": -2},
                    {"kind": "spaceship", "quantity": 1},
                ],
            }
        ],
    }
    response = caller("POST", "/api/calc", document)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/validation-error") and problem["instance"] == "/api/calc"
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert set(fields) == {
        "project.colour",
        "scenarios[0].equipment[1].quantity",
        "scenarios[0].equipment[2].kind",
    }
    assert "≥ 0" in fields["scenarios[0].equipment[1].quantity"]


def test_uncovered_country_and_unknown_set_are_422(caller):
    doc = {
        "project": {"name": "x"},
        "scenarios": [
            {"name": "a", "equipment": [{"kind": "laptop", "quantity": 1, "country": "ZZZ"}]}
        ],
    }
    errors = caller("POST", "/api/calc", doc).json()["errors"]
    assert errors[0]["field"] == "scenarios[0].equipment[0].country"
    doc["project"]["factors"] = "nope"
    response = caller("POST", "/api/calc", doc)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == ""
    assert "unknown factor set" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "status"),
    [("{not json", 400), ("[1, 2]", 422), ("", 422), ('"text"', 422), ("{}", 422)],
)
def test_bodies_that_are_not_projects(body, status, caller):
    response = caller("POST", "/api/calc", body)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"]


def test_calc_needs_authentication(api_as, db):
    assert api_as(None)("POST", "/api/calc", {"project": {"name": "x"}}).status_code == 401
