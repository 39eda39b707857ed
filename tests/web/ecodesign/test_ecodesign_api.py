"""The read-only eco-design API: list and detail of assessments, scoped to the caller's
organisations, with the same rates as the pages."""

import pytest
from ecodesign_helpers import Api, criterion

from impactnum.web.ecodesign import services


@pytest.fixture
def answered(manager, assessment):
    ref = assessment.referential
    for code, status, just in [
        ("1.1", "compliant", ""),
        ("1.2", "non_compliant", ""),
        ("6.2", "not_applicable", "Pas de ressource"),
        ("6.3", "compliant", ""),
    ]:
        services.answer_criterion(
            manager, assessment, criterion(ref, code), status=status, justification=just
        )
    return assessment


def test_list_and_detail(client, viewer, answered, city):
    api = Api(client, viewer)
    listing = api.get("/api/ecodesign/assessments").json()
    assert listing["count"] == 1
    [item] = listing["items"]
    assert item["service_name"] == "Portail famille" and item["referential"] == "RGESN v1"
    assert item["organisation"] == city.slug
    assert item["overall"]["rate"] == pytest.approx(2 / 3)
    assert (item["overall"]["not_applicable"], item["overall"]["unanswered"]) == (1, 2)
    detail = api.get(f"/api/ecodesign/assessments/{answered.pk}").json()
    assert [f["label"] for f in detail["families"]] == ["Stratégie", "Frontend", "Hébergement"]
    assert detail["families"][1]["rate"] == pytest.approx(1.0)
    assert detail["complete"] is False and detail["priorities"] == []
    assert [a["code"] for a in detail["answers"]] == ["1.1", "1.2", "6.1", "6.2", "6.3", "8.1"]
    assert detail["answers"][3]["justification"] == "Pas de ressource"
    assert detail["answers"][5]["status"] is None


def test_other_organisation_and_anonymous(client, outsider, answered, agglo):
    api = Api(client, outsider)
    assert api.get("/api/ecodesign/assessments").json()["count"] == 0
    missing = api.get(f"/api/ecodesign/assessments/{answered.pk}")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    filtered = api.get("/api/ecodesign/assessments", organisation="ville-nevers").json()
    assert filtered["count"] == 0
    assert client.get("/api/ecodesign/assessments").status_code == 401


def test_read_only(client, manager, answered):
    api = Api(client, manager)
    response = client.post(f"/api/ecodesign/assessments/{answered.pk}", {}, **api.headers)
    assert response.status_code == 405
