"""The plan API: reads for everyone in the organisation, writes for managers, problem details,
frozen evaluations refused (409), another organisation 404."""

import pytest

from impactnum.web.plan import services


def test_manager_builds_freezes_and_compares(api_as, manager, city):
    api = api_as(manager)
    r = api(
        "POST",
        "/api/plan/commitments",
        {
            "organisation": city.slug,
            "reference": "E01",
            "title": "Allonger la durée de vie",
            "theme": "lifecycle",
            "source": "audit_finding",
            "owner": manager.username,
        },
    )
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    r = api("POST", f"/api/plan/commitments/{cid}/actions", {"title": "Charte", "progress": 30})
    assert r.status_code == 201 and r.json()["status"] == "in_progress"
    aid = r.json()["id"]
    r = api(
        "POST",
        f"/api/plan/commitments/{cid}/indicators",
        {
            "name": "Âge moyen",
            "kind": "computed",
            "source": "fleet.average_age",
            "target_value": 5,
            "target_on": "2027-01-01",
            "direction": "increase",
        },
    )
    assert r.status_code == 201 and r.json()["unit"] == "ans"
    r = api(
        "POST",
        f"/api/plan/commitments/{cid}/indicators",
        {"name": "Agents formés", "kind": "manual", "unit": "agents"},
    )
    iid = r.json()["id"]
    r = api(
        "POST",
        f"/api/plan/indicators/{iid}/values",
        {"on": "2026-01-15", "value": 12, "evidence": "feuille d'émargement"},
    )
    assert r.status_code == 201 and r.json()["value"] == 12
    assert api("GET", f"/api/plan/indicators/{iid}", on="2026-02-01").json()["value"] == 12

    r = api(
        "POST",
        "/api/plan/evaluations",
        {"organisation": city.slug, "label": "M18", "on": "2026-02-01"},
    )
    first = r.json()["id"]
    r = api("POST", f"/api/plan/evaluations/{first}/freeze")
    assert r.status_code == 200 and r.json()["status"] == "frozen"
    assert r.json()["snapshot"]["commitments"][0]["reference"] == "E01"
    r = api("PATCH", f"/api/plan/evaluations/{first}", {"comments": "trop tard"})
    assert r.status_code == 409
    assert r["Content-Type"] == "application/problem+json"
    assert api("DELETE", f"/api/plan/evaluations/{first}").status_code == 409

    assert api("PATCH", f"/api/plan/actions/{aid}", {"status": "done"}).json()["progress"] == 100
    second = api(
        "POST",
        "/api/plan/evaluations",
        {"organisation": city.slug, "label": "M36", "on": "2026-03-01"},
    ).json()["id"]
    api("POST", f"/api/plan/evaluations/{second}/freeze")
    cmp = api("GET", "/api/plan/evaluations/compare", a=second, b=first).json()
    assert cmp["first"]["id"] == first and cmp["commitments"][0]["progress"] == [30, 100]

    listed = api("GET", "/api/plan/commitments").json()
    assert listed["count"] == 1 and listed["items"][0]["owner"] == manager.username
    assert api("GET", "/api/plan/evaluations", organisation=city.slug).json()["count"] == 2
    deadlines = api(
        "GET",
        "/api/plan/deadlines",
        organisation=city.slug,
        date_from="2026-01-01",
        date_to="2026-12-31",
    ).json()
    assert [d["kind"] for d in deadlines][:1] == ["declaration"]
    assert any(s["code"] == "projects.net_balance" for s in api("GET", "/api/plan/sources").json())


def test_field_errors_are_problem_details(api_as, manager, city, commitment):
    api = api_as(manager)
    r = api(
        "POST",
        "/api/plan/commitments",
        {
            "organisation": city.slug,
            "reference": "E01",
            "title": "Doublon",
            "theme": "support",
            "source": "label",
        },
    )
    assert r.status_code == 400
    assert r.json()["errors"] == [{"field": "reference", "message": r.json()["detail"]}]
    r = api(
        "POST", f"/api/plan/commitments/{commitment.pk}/actions", {"title": "X", "progress": 120}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "progress"
    r = api(
        "POST", f"/api/plan/commitments/{commitment.pk}/actions", {"title": "X", "owner": "nobody"}
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "owner"


@pytest.mark.parametrize("role", ["technician", "facilitator", "viewer"])
def test_readers_read_but_do_not_write(api_as, make_user, city, commitment, role):
    api = api_as(make_user(role, city))
    assert api("GET", f"/api/plan/commitments/{commitment.pk}").status_code == 200
    assert api("GET", "/api/plan/commitments").json()["count"] == 1
    r = api("PATCH", f"/api/plan/commitments/{commitment.pk}", {"title": "Non"})
    assert r.status_code == 403 and r["Content-Type"] == "application/problem+json"
    r = api(
        "POST",
        "/api/plan/evaluations",
        {"organisation": city.slug, "label": "X", "on": "2026-01-01"},
    )
    assert r.status_code == 403


def test_another_organisation_sees_nothing(api_as, make_user, agglo, manager, city, commitment):
    e = services.create_evaluation(manager, city, label="M18", on="2026-01-01")
    api = api_as(make_user("administrator", agglo))
    assert api("GET", "/api/plan/commitments").json()["count"] == 0
    assert api("GET", f"/api/plan/commitments/{commitment.pk}").status_code == 404
    assert api("GET", f"/api/plan/evaluations/{e.pk}").status_code == 404
    assert api("POST", f"/api/plan/evaluations/{e.pk}/freeze").status_code == 404
    assert api("GET", "/api/plan/deadlines", organisation=city.slug).status_code == 404
