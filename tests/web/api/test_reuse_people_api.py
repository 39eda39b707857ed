"""The facilitator's API and the report: beneficiaries, access and erasure requests, sessions
and their CSV, the period report and the ORDS export — per role, another organisation (404),
problem details naming the field."""

import csv
import datetime as dt
import io

import pytest

from impactnum.web.core.choices import Role
from impactnum.web.reuse import services
from impactnum.web.reuse.models import Beneficiary, Party, PrivacyLog, SupportSession

D = dt.date
PEOPLE_ROLES = (Role.ADMINISTRATOR, Role.MANAGER, Role.FACILITATOR)
OTHER_ROLES = (Role.TECHNICIAN, Role.VIEWER)
PROBLEM = "application/problem+json"


@pytest.fixture
def facilitator(city, make_user):
    return make_user("facilitator", city, username="fac-api")


@pytest.fixture
def referrer(city):
    return Party.objects.create(organisation=city, kind="association", name="CCAS")


@pytest.fixture
def person(facilitator, city, referrer):
    return services.create_beneficiary(
        facilitator,
        city,
        pseudonym="QUOKKA-3",
        referring_party=referrer,
        eligibility_basis="student",
        age_bracket="18_25",
        commune="58194",
    )


@pytest.mark.parametrize("role", PEOPLE_ROLES)
def test_people_roles_list_read_and_patch(api_as, city, make_user, person, role):
    api = api_as(make_user(role, city))
    page = api("GET", "/api/reuse/beneficiaries").json()
    assert page["count"] == 1
    item = page["items"][0]
    assert item["pseudonym"] == "QUOKKA-3" and item["commune"] == "58194"
    assert item["retention_end"] and item["referring_party_name"] == "CCAS"
    r = api("PATCH", f"/api/reuse/beneficiaries/{person.pk}", {"age_bracket": "26_39"})
    assert r.status_code == 200 and r.json()["age_bracket"] == "26_39"
    assert r.json()["commune"] == "58194"  # untouched


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_technicians_and_viewers_get_403(api_as, city, make_user, person, role):
    api = api_as(make_user(role, city))
    pid = person.pk
    for method, path, body in (
        ("GET", "/api/reuse/beneficiaries", None),
        ("GET", f"/api/reuse/beneficiaries/{pid}", None),
        ("PATCH", f"/api/reuse/beneficiaries/{pid}", {"commune": "58000"}),
        ("GET", f"/api/reuse/beneficiaries/{pid}/access-request", None),
        ("POST", f"/api/reuse/beneficiaries/{pid}/erasure-request", {}),
        ("POST", "/api/reuse/beneficiaries", {"organisation": "ville-nevers", "pseudonym": "X"}),
        ("GET", "/api/reuse/sessions", None),
        ("GET", "/api/reuse/sessions.csv?organisation=ville-nevers", None),
    ):
        r = api(method, path, body)
        assert r.status_code == 403, (method, path)
        assert r["Content-Type"] == PROBLEM and b"QUOKKA" not in r.content
    person.refresh_from_db()
    assert person.commune == "58194" and person.anonymised_at is None
    assert not PrivacyLog.objects.exists()


@pytest.mark.parametrize("role", [*PEOPLE_ROLES, *OTHER_ROLES])
def test_another_organisation_gets_404(api_as, agglo, make_user, person, role):
    api = api_as(make_user(role, agglo))
    pid = person.pk
    for method, path, body in (
        ("GET", f"/api/reuse/beneficiaries/{pid}", None),
        ("PATCH", f"/api/reuse/beneficiaries/{pid}", {"commune": "58000"}),
        ("GET", f"/api/reuse/beneficiaries/{pid}/access-request", None),
        ("POST", f"/api/reuse/beneficiaries/{pid}/erasure-request", {}),
        ("POST", "/api/reuse/beneficiaries", {"organisation": "ville-nevers", "pseudonym": "X"}),
        ("GET", "/api/reuse/sessions.csv?organisation=ville-nevers", None),
        ("GET", "/api/reuse/report?organisation=ville-nevers&from=2026-01-01&to=2026-12-31", None),
        ("GET", "/api/reuse/ords.csv?organisation=ville-nevers", None),
    ):
        r = api(method, path, body)
        assert r.status_code == 404, (method, path)
        assert r["Content-Type"] == PROBLEM
    if role in PEOPLE_ROLES:
        assert api("GET", "/api/reuse/beneficiaries").json()["count"] == 0
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_anonymous_gets_401(api_as, person):
    r = api_as(None)("GET", "/api/reuse/beneficiaries")
    assert r.status_code == 401 and r["Content-Type"] == PROBLEM


def test_create_names_the_field_on_refusal(api_as, facilitator, referrer, agglo):
    api = api_as(facilitator)
    ok = api(
        "POST",
        "/api/reuse/beneficiaries",
        {
            "organisation": "ville-nevers",
            "pseudonym": "B-1",
            "referring_party": referrer.pk,
            "eligibility_basis": "social_worker",
            "commune": "58194",
        },
    )
    assert ok.status_code == 201 and ok.json()["last_contact_on"] == dt.date.today().isoformat()
    address = api(
        "POST",
        "/api/reuse/beneficiaries",
        {"organisation": "ville-nevers", "pseudonym": "B-2", "commune": "3 rue Haute"},
    )
    assert address.status_code == 422 and address.json()["errors"][0]["field"] == "commune"
    document = api(
        "POST",
        "/api/reuse/beneficiaries",
        {"organisation": "ville-nevers", "pseudonym": "B-3", "document": "scan.pdf"},
    )
    assert document.status_code == 422  # no such field: never a document
    foreign = Party.objects.create(organisation=agglo, kind="association", name="Autre")
    wrong = api(
        "POST",
        "/api/reuse/beneficiaries",
        {"organisation": "ville-nevers", "pseudonym": "B-4", "referring_party": foreign.pk},
    )
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "referring_party"
    twice = api(
        "POST", "/api/reuse/beneficiaries", {"organisation": "ville-nevers", "pseudonym": "B-1"}
    )
    assert twice.status_code == 400
    assert Beneficiary.objects.count() == 1


def test_access_and_erasure_requests(api_as, facilitator, person):
    api = api_as(facilitator)
    data = api("GET", f"/api/reuse/beneficiaries/{person.pk}/access-request").json()
    assert data["pseudonym"] == "QUOKKA-3" and data["commune"] == "58194"
    assert data["referring_partner"] == "CCAS" and data["retention_end"]
    gone = api("POST", f"/api/reuse/beneficiaries/{person.pk}/erasure-request", {})
    assert gone.status_code == 200
    body = gone.json()
    assert body["anonymised"] and body["pseudonym"] == f"anon-{person.pk}" and body["commune"] == ""
    assert body["retention_end"] is None
    again = api("POST", f"/api/reuse/beneficiaries/{person.pk}/erasure-request", {})
    assert again.status_code == 400 and again["Content-Type"] == PROBLEM
    patch = api("PATCH", f"/api/reuse/beneficiaries/{person.pk}", {"pseudonym": "back"})
    assert patch.status_code == 400
    assert list(PrivacyLog.objects.order_by("pk").values_list("action", "pseudonym")) == [
        ("access_request", "QUOKKA-3"),
        ("erasure_request", "QUOKKA-3"),
    ]


def test_sessions_own_and_everyones(api_as, city, make_user, facilitator, person):
    api = api_as(facilitator)
    r = api(
        "POST",
        "/api/reuse/sessions",
        {
            "organisation": "ville-nevers",
            "beneficiary": person.pk,
            "date": "2026-03-05",
            "minutes": 60,
            "themes": ["email", "sante"],
            "autonomy": "beginner",
        },
    )
    assert r.status_code == 201
    assert r.json()["themes"] == ["email", "sante"] and r.json()["facilitator"] == "fac-api"
    colleague = make_user("facilitator", city)
    api_as(colleague)(
        "POST",
        "/api/reuse/sessions",
        {"organisation": "ville-nevers", "group_label": "Club", "group_size": 5,
         "date": "2026-03-06", "minutes": 90},
    )  # fmt: skip
    assert api("GET", "/api/reuse/sessions").json()["count"] == 1
    manager = api_as(make_user("manager", city))
    assert manager("GET", "/api/reuse/sessions").json()["count"] == 2
    assert manager("GET", "/api/reuse/sessions", **{"from": "2026-03-06"}).json()["count"] == 1
    neither = api(
        "POST",
        "/api/reuse/sessions",
        {"organisation": "ville-nevers", "date": "2026-03-07", "minutes": 30},
    )
    assert neither.status_code == 400 and neither.json()["errors"][0]["field"] == "beneficiary"
    assert SupportSession.objects.count() == 2


def test_sessions_csv_has_no_pseudonym(api_as, city, make_user, facilitator, person):
    services.record_support_session(
        facilitator, city, beneficiary=person, date=D(2026, 3, 5), minutes=60
    )
    services.record_support_session(
        make_user("facilitator", city), city, group_label="G", group_size=3, date=D(2026, 3, 6),
        minutes=30,
    )  # fmt: skip
    r = api_as(facilitator)("GET", "/api/reuse/sessions.csv", organisation="ville-nevers")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert len(rows) == 1 and "QUOKKA" not in r.content.decode()
    mgr = api_as(make_user("manager", city))
    everyone = mgr("GET", "/api/reuse/sessions.csv", organisation="ville-nevers", everyone="true")
    assert len(list(csv.DictReader(io.StringIO(everyone.content.decode())))) == 2


@pytest.mark.parametrize("role", [*PEOPLE_ROLES, *OTHER_ROLES])
def test_report_and_ords_for_every_member(api_as, city, make_user, facilitator, person, role):
    services.record_support_session(
        facilitator, city, beneficiary=person, date=D(2026, 3, 5), minutes=90
    )
    api = api_as(make_user(role, city))
    q = {"organisation": "ville-nevers", "from": "2026-01-01", "to": "2026-12-31"}
    restart = api("GET", "/api/reuse/report", **q)
    assert restart.status_code == 200
    body = restart.json()
    assert body["support_hours"] == 1.5 and "Restart" in body["co2e_method"]
    query = "&".join(f"{k}={v}" for k, v in q.items())
    ademe = api("GET", f"/api/reuse/report?{query}&method=ademe").json()
    assert ademe["impact"]["method"] == "ademe"
    assert "QUOKKA" not in restart.content.decode() and "58194" not in restart.content.decode()
    ords = api("GET", "/api/reuse/ords.csv", organisation="ville-nevers")
    assert ords.status_code == 200 and ords.content.decode().startswith("id,data_provider")


def test_report_validation(api_as, city, make_user):
    api = api_as(make_user("viewer", city))
    bad = api(
        "GET",
        "/api/reuse/report?organisation=ville-nevers&method=guess&from=2026-01-01&to=2026-12-31",
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "method"
    missing = api("GET", "/api/reuse/report", organisation="ville-nevers")
    assert missing.status_code == 422
    reversed_ = api("GET", "/api/reuse/report", organisation="ville-nevers",
                    **{"from": "2026-12-31", "to": "2026-01-01"})  # fmt: skip
    assert reversed_.status_code == 400 and reversed_.json()["errors"][0]["field"] == "to"
