"""The facilitator's pages: beneficiaries, sessions and their CSV, access and erasure requests,
the privacy log — each per role and for another organisation; and the beneficiaries' data
absent from public pages, other exports and logs."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.urls import reverse

from impactnum.web.core.choices import Role
from impactnum.web.core.models import AuditEvent
from impactnum.web.reuse import services
from impactnum.web.reuse.models import Beneficiary, Party, PrivacyLog, SupportSession

D = dt.date
PEOPLE_ROLES = (Role.ADMINISTRATOR, Role.MANAGER, Role.FACILITATOR)
OTHER_ROLES = (Role.TECHNICIAN, Role.VIEWER)


@pytest.fixture
def facilitator(city, make_user):
    return make_user("facilitator", city, username="fac")


@pytest.fixture
def referrer(city):
    return Party.objects.create(organisation=city, kind="association", name="CCAS de Nevers")


@pytest.fixture
def person(facilitator, city, referrer):
    return services.create_beneficiary(
        facilitator,
        city,
        pseudonym="ZEBULON-17",
        referring_party=referrer,
        eligibility_basis="jobseeker",
        age_bracket="26_39",
        commune="58194",
        consent_follow_up=True,
    )


@pytest.fixture
def as_role(client, city, make_user):
    def login(role, organisation=None):
        user = make_user(role, organisation or city)
        client.force_login(user)
        return user

    return login


def _labelled(html: str) -> None:
    """Every visible input, select and textarea has a <label for> (or sits in one)."""
    for m in re.finditer(r"<(input|select|textarea)\b([^>]*)>", html):
        attrs = m.group(2)
        if re.search(r'type="(hidden|submit)"', attrs):
            continue
        ident = re.search(r'id="([^"]+)"', attrs)
        assert ident, m.group(0)
        assert f'for="{ident.group(1)}"' in html, m.group(0)


# --- beneficiaries: who sees them -------------------------------------------------------------


@pytest.mark.parametrize("role", PEOPLE_ROLES)
def test_people_roles_see_the_list_and_the_page(client, as_role, person, role):
    as_role(role)
    r = client.get(reverse("reuse:beneficiaries"))
    assert r.status_code == 200
    assert b"ZEBULON-17" in r.content and b"58194" in r.content
    assert b'id="beneficiary-table"' in r.content
    page = client.get(reverse("reuse:beneficiary", args=[person.pk]))
    assert page.status_code == 200
    assert b'id="beneficiary-retention"' in page.content


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_technicians_and_viewers_never_see_them(client, as_role, person, role):
    as_role(role)
    for name, args in (
        ("reuse:beneficiaries", []),
        ("reuse:beneficiary", [person.pk]),
        ("reuse:beneficiary-access", [person.pk]),
        ("reuse:beneficiary-erase", [person.pk]),
        ("reuse:sessions", []),
        ("reuse:sessions-csv", []),
        ("reuse:privacy-log", []),
    ):
        r = client.get(reverse(name, args=args))
        assert r.status_code == 403, name
        assert b"ZEBULON-17" not in r.content
    nav = client.get(reverse("reuse:workbench")).content
    assert b"nav-beneficiaries" not in nav and b"nav-privacy-log" not in nav


@pytest.mark.parametrize("role", [*PEOPLE_ROLES, *OTHER_ROLES])
def test_another_organisation_gets_404(client, as_role, agglo, person, role):
    as_role(role, agglo)
    for name in (
        "reuse:beneficiary",
        "reuse:beneficiary-access",
        "reuse:beneficiary-erase",
    ):
        assert client.get(reverse(name, args=[person.pk])).status_code == 404, name
        assert client.post(reverse(name, args=[person.pk]), {"confirm": "on"}).status_code == 404
    if role in PEOPLE_ROLES:
        listing = client.get(reverse("reuse:beneficiaries"))
        assert listing.status_code == 200 and b"ZEBULON-17" not in listing.content
        r = client.get(reverse("reuse:sessions-csv"), {"organisation": "ville-nevers"})
        assert r.status_code == 404
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_anonymous_is_sent_to_login(client, person):
    for name, args in (("reuse:beneficiaries", []), ("reuse:beneficiary", [person.pk])):
        r = client.get(reverse(name, args=args))
        assert r.status_code == 302 and "login" in r["Location"]


# --- beneficiaries: create and edit -----------------------------------------------------------


def test_facilitator_adds_a_beneficiary_without_any_document(client, facilitator, referrer):
    client.force_login(facilitator)
    page = client.get(reverse("reuse:beneficiaries"))
    html = page.content.decode()
    assert 'type="file"' not in html and "enctype" not in html
    _labelled(html)
    r = client.post(
        reverse("reuse:beneficiaries"),
        {
            "organisation": referrer.organisation_id,
            "pseudonym": "B-42",
            "referring_party": referrer.pk,
            "eligibility_basis": "minima_sociaux",
            "age_bracket": "60_69",
            "commune": "58194",
            "consent_follow_up": "on",
        },
    )
    person = Beneficiary.objects.get(pseudonym="B-42")
    assert r.status_code == 302 and r["Location"] == reverse("reuse:beneficiary", args=[person.pk])
    assert person.eligibility_basis == "minima_sociaux" and person.consent_follow_up
    assert person.last_contact_on == dt.date.today()  # retention runs from creation
    page = client.get(r["Location"]).content.decode()
    assert "B-42" in page and "60–69 ans" in page


def test_an_address_is_not_a_commune_code(client, city, facilitator):
    client.force_login(facilitator)
    r = client.post(
        reverse("reuse:beneficiaries"),
        {"organisation": city.pk, "pseudonym": "B-9", "commune": "12 rue de Nevers"},
    )
    assert r.status_code == 400
    assert b'id="ben-commune-error"' in r.content
    assert not Beneficiary.objects.filter(pseudonym="B-9").exists()


def test_edit_and_anonymised_person_cannot_be_edited(client, facilitator, person):
    client.force_login(facilitator)
    url = reverse("reuse:beneficiary", args=[person.pk])
    r = client.post(url, {"pseudonym": "ZEBULON-18", "age_bracket": "40_59", "commune": "58194"})
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.pseudonym == "ZEBULON-18" and person.age_bracket == "40_59"
    assert person.referring_party is None and not person.consent_follow_up
    client.post(reverse("reuse:beneficiary-erase", args=[person.pk]), {"confirm": "on"})
    page = client.get(url)
    assert b'id="beneficiary-edit-form"' not in page.content
    r = client.post(url, {"pseudonym": "back"})
    assert r.status_code == 400
    person.refresh_from_db()
    assert person.pseudonym == f"anon-{person.pk}"


# --- sessions ---------------------------------------------------------------------------------


def test_record_a_session_and_see_only_ones_own(client, city, make_user, facilitator, person):
    client.force_login(facilitator)
    page = client.get(reverse("reuse:sessions"))
    assert page.status_code == 200
    _labelled(page.content.decode())
    r = client.post(
        reverse("reuse:sessions"),
        {
            "organisation": city.pk,
            "beneficiary": person.pk,
            "group_size": 1,
            "date": "2026-03-05",
            "minutes": 90,
            "themes": ["email", "demarches-en-ligne"],
            "autonomy": "guided",
        },
    )
    assert r.status_code == 302
    s = SupportSession.objects.get()
    assert s.facilitator == facilitator and s.themes == "email,demarches-en-ligne"
    person.refresh_from_db()
    assert person.last_contact_on == D(2026, 3, 5)
    colleague = make_user("facilitator", city)
    services.record_support_session(
        colleague, city, group_label="Atelier seniors", group_size=6, date=D(2026, 3, 6), minutes=60
    )
    mine = client.get(reverse("reuse:sessions")).content.decode()
    assert "Démarches en ligne" in mine and "Atelier seniors" not in mine
    client.force_login(make_user("manager", city))
    everyone = client.get(reverse("reuse:sessions")).content.decode()
    assert "Atelier seniors" in everyone and "ZEBULON-17" in everyone


def test_a_session_is_individual_or_collective(client, city, facilitator, person):
    client.force_login(facilitator)
    base = {"organisation": city.pk, "group_size": 1, "date": "2026-03-05", "minutes": 30}
    r = client.post(reverse("reuse:sessions"), base)
    assert r.status_code == 400 and b'id="session-beneficiary-error"' in r.content
    r = client.post(
        reverse("reuse:sessions"), {**base, "beneficiary": person.pk, "group_label": "Groupe"}
    )
    assert r.status_code == 400
    assert not SupportSession.objects.exists()


def test_sessions_csv_has_no_name_and_only_own_sessions(
    client, city, make_user, facilitator, person
):
    services.record_support_session(
        facilitator, city, beneficiary=person, date=D(2026, 3, 5), minutes=60, themes="email"
    )
    colleague = make_user("facilitator", city)
    services.record_support_session(
        colleague, city, group_label="Groupe B", group_size=4, date=D(2026, 3, 6), minutes=45
    )
    client.force_login(facilitator)
    r = client.get(reverse("reuse:sessions-csv"), {"organisation": "ville-nevers", "everyone": "1"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = r.content.decode()
    assert "ZEBULON-17" not in text and "Groupe B" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1 and rows[0]["commune"] == "58194"
    client.force_login(make_user("manager", city))
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("reuse:sessions-csv"), {"organisation": "ville-nevers", "everyone": "1"}
                ).content.decode()
            )
        )
    )
    assert len(rows) == 2


# --- access and erasure -----------------------------------------------------------------------


def test_access_request_shows_and_downloads_everything_and_is_logged(client, facilitator, person):
    client.force_login(facilitator)
    url = reverse("reuse:beneficiary-access", args=[person.pk])
    assert client.get(url).status_code == 200
    assert not PrivacyLog.objects.exists()  # reading the explanation is not a request
    shown = client.post(url, {"format": "html"})
    assert shown.status_code == 200 and b'id="access-json"' in shown.content
    assert b"CCAS de Nevers" in shown.content and b"58194" in shown.content
    download = client.post(url, {"format": "json"})
    assert download["Content-Type"].startswith("application/json")
    assert "attachment" in download["Content-Disposition"]
    data = json.loads(download.content)
    assert data["pseudonym"] == "ZEBULON-17" and data["age_bracket"] == "26_39"
    assert data["retention_end"]
    assert list(PrivacyLog.objects.values_list("action", flat=True)) == ["access_request"] * 2


def test_erasure_needs_confirmation_then_anonymises_and_logs(client, facilitator, person):
    client.force_login(facilitator)
    url = reverse("reuse:beneficiary-erase", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    _labelled(page.content.decode())
    r = client.post(url, {})
    assert r.status_code == 400
    person.refresh_from_db()
    assert person.anonymised_at is None and not PrivacyLog.objects.exists()
    r = client.post(url, {"confirm": "on"})
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.anonymised_at is not None and person.commune == "" and person.age_bracket == ""
    log = PrivacyLog.objects.get()
    assert log.action == "erasure_request" and log.pseudonym == "ZEBULON-17"
    assert client.post(url, {"confirm": "on"}).status_code == 400  # already anonymised


# --- privacy log ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.MANAGER])
def test_privacy_log_for_managers(client, as_role, facilitator, person, agglo, make_user, role):
    from impactnum.web.reuse import privacy

    privacy.erasure_request(facilitator, person)
    as_role(role)
    r = client.get(reverse("reuse:privacy-log"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "ZEBULON-17" in html and "Demande d&#x27;effacement" in html
    assert "58194" not in html and "26_39" not in html and "CCAS" not in html
    client.force_login(make_user(role, agglo))
    assert "ZEBULON-17" not in client.get(reverse("reuse:privacy-log")).content.decode()


def test_privacy_log_not_for_facilitators(client, facilitator):
    client.force_login(facilitator)
    assert client.get(reverse("reuse:privacy-log")).status_code == 403


# --- beneficiaries' data absent elsewhere -----------------------------------------------------


def test_no_beneficiary_data_in_public_pages_or_the_audit_log(
    client, city, facilitator, person, make_user
):
    from impactnum.web.reuse import privacy

    services.record_support_session(
        facilitator, city, beneficiary=person, date=D(2026, 3, 5), minutes=60
    )
    privacy.access_request(facilitator, person)

    def absent(path: str) -> None:
        body = client.get(path).content.decode()
        found = [m.group(0) for m in re.finditer(r".{0,60}\b(?:ZEBULON-17|58194)\b.{0,60}", body)]
        assert found == [], (path, found)

    for path in ("/", "/api/openapi.json", reverse("reuse:workbench")):
        absent(path)
    client.force_login(make_user("viewer", city))
    for path in (reverse("reuse:workbench"), reverse("reuse:report"), reverse("reuse:devices")):
        absent(path)
    dump = json.dumps(list(AuditEvent.objects.values("before", "after", "object_id")))
    assert "ZEBULON-17" not in dump and "58194" not in dump and "26_39" not in dump
    for row in PrivacyLog.objects.all():
        assert "58194" not in row.detail and "26_39" not in row.detail
