"""Beneficiaries' personal data: retention, anonymisation, access and erasure, who sees what."""

import csv
import datetime as dt
import io
import json

import pytest
from reuse_helpers import device, new_lot, provide, ready, template

from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.core.models import AuditEvent
from impactnum.web.reuse import privacy, services, support
from impactnum.web.reuse.models import Beneficiary, DeviceEvent, PrivacyLog, Provision

D = dt.date


@pytest.fixture
def facilitator(city, make_user):
    return make_user("facilitator", city)


@pytest.fixture
def person(facilitator, city):
    return services.create_beneficiary(
        facilitator,
        city,
        pseudonym="B-17",
        eligibility_basis="jobseeker",
        age_bracket="26_39",
        commune="58194",
        consent_follow_up=True,
        last_contact_on=D(2024, 1, 15),
    )


def _equip(tech, city, person, *, on, sale=False):
    lot = new_lot(tech, city, donor_kind="association")
    dev = ready(tech, device(tech, lot), template(city))
    if sale:
        return provide(tech, dev, person, on=on, price="100", type_="solidarity_sale")
    return provide(tech, dev, person, on=on)


def test_creation_day_starts_the_retention_period(facilitator, city):
    p = services.create_beneficiary(facilitator, city, pseudonym="B-1")
    assert p.last_contact_on is not None
    assert privacy.retention_end(p) > p.last_contact_on


def test_retention_end_is_the_later_of_last_contact_and_guarantee(tech, city, person):
    assert privacy.retention_end(person) == D(2025, 1, 15)
    _equip(tech, city, person, on=D(2024, 3, 1), sale=True)  # guarantee until 2026-03-01
    person.refresh_from_db()
    assert privacy.retention_end(person) == D(2026, 3, 1)


def test_a_donation_has_no_guarantee_so_one_year_after_contact(tech, city, person):
    _equip(tech, city, person, on=D(2024, 3, 1))
    person.refresh_from_db()
    assert privacy.retention_end(person) == D(2025, 3, 1)


def test_anonymise_due_clears_personal_fields_keeps_counts_and_logs(
    tech, city, person, facilitator
):
    prov = _equip(tech, city, person, on=D(2024, 2, 1))
    services.record_support_session(
        facilitator, city, beneficiary=person, date=D(2024, 2, 2), minutes=60, themes="mail"
    )
    assert privacy.anonymise_due(D(2025, 2, 2)) == 0  # retention ends on 2025-02-02
    assert privacy.anonymise_due(D(2025, 2, 3)) == 1
    person.refresh_from_db()
    assert person.pseudonym == f"anon-{person.pk}"
    assert (person.commune, person.age_bracket, person.eligibility_basis) == ("", "", "")
    assert person.referring_party is None and not person.consent_follow_up
    assert person.anonymised_at is not None
    assert Provision.objects.get(pk=prov.pk).beneficiary_id == person.pk  # counts stay
    assert person.sessions.count() == 1
    log = PrivacyLog.objects.get(action="anonymised")
    assert log.pseudonym == "B-17" and "58194" not in log.detail and log.actor is None
    assert privacy.anonymise_due(D(2025, 2, 3)) == 0  # idempotent
    assert PrivacyLog.objects.filter(action="anonymised").count() == 1


def test_running_guarantee_keeps_the_person(tech, city, person):
    _equip(tech, city, person, on=D(2024, 3, 1), sale=True)
    assert privacy.anonymise_due(D(2025, 6, 1)) == 0
    assert privacy.anonymise_due(D(2026, 3, 2)) == 1


def test_retention_is_configurable(city, person, settings):
    settings.IMPACTNUM_BENEFICIARY_RETENTION_MONTHS = 24
    assert privacy.retention_end(person) == D(2026, 1, 15)
    assert privacy.anonymise_due(D(2025, 6, 1)) == 0


def test_anonymise_due_by_organisation(city, agglo, make_user, person):
    other = services.create_beneficiary(
        make_user("manager", agglo), agglo, pseudonym="X-1", last_contact_on=D(2020, 1, 1)
    )
    assert privacy.anonymise_due(D(2025, 6, 1), organisation=agglo) == 1
    person.refresh_from_db()
    other.refresh_from_db()
    assert person.anonymised_at is None and other.anonymised_at is not None


def test_access_request_returns_everything_and_is_logged(tech, city, person, facilitator):
    _equip(tech, city, person, on=D(2024, 2, 1), sale=True)
    services.record_support_session(
        facilitator, city, beneficiary=person, date=D(2024, 2, 2), minutes=45, themes="mail"
    )
    data = privacy.access_request(facilitator, person)
    json.dumps(data)  # JSON-ready
    assert data["pseudonym"] == "B-17" and data["commune"] == "58194"
    assert data["age_bracket"] == "26_39" and data["eligibility_basis"] == "jobseeker"
    assert len(data["provisions"]) == 1 and data["provisions"][0]["price_eur"] == "100.00"
    assert data["support_sessions"][0]["minutes"] == 45
    assert data["retention_end"] == "2026-02-01"
    log = PrivacyLog.objects.get(action="access_request")
    assert log.pseudonym == "B-17" and log.actor == facilitator


def test_erasure_request_anonymises_now_and_logs(city, person, make_user):
    manager = make_user("manager", city)
    privacy.erasure_request(manager, person)
    person.refresh_from_db()
    assert person.pseudonym.startswith("anon-") and person.commune == ""
    assert PrivacyLog.objects.filter(action="erasure_request", pseudonym="B-17").count() == 1
    with pytest.raises(DomainError, match="déjà"):
        privacy.erasure_request(manager, person)


@pytest.mark.parametrize("role", ["technician", "viewer"])
def test_other_roles_cannot_see_or_erase(city, person, make_user, role):
    user = make_user(role, city)
    with pytest.raises(NotAllowed):
        privacy.access_request(user, person)
    with pytest.raises(NotAllowed):
        privacy.erasure_request(user, person)
    with pytest.raises(NotAllowed):
        privacy.beneficiaries_for(user, city)
    with pytest.raises(NotAllowed):
        support.export_csv(user, city)
    assert not privacy.visible_beneficiaries(user).exists()


@pytest.mark.parametrize("role", ["facilitator", "manager", "administrator"])
def test_people_of_another_organisation_see_nothing(city, agglo, person, make_user, role):
    outsider = make_user(role, agglo)
    with pytest.raises(NotAllowed):
        privacy.access_request(outsider, person)
    with pytest.raises(NotAllowed):
        privacy.beneficiaries_for(outsider, city)
    assert not privacy.visible_beneficiaries(outsider).filter(pk=person.pk).exists()
    mine = make_user(role, city)
    assert privacy.visible_beneficiaries(mine).filter(pk=person.pk).exists()


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_support_export_has_no_names_and_facilitators_see_their_own(
    city, agglo, person, facilitator, make_user
):
    colleague = make_user("facilitator", city)
    services.record_support_session(
        facilitator,
        city,
        beneficiary=person,
        date=D(2026, 1, 5),
        minutes=60,
        themes="mail, démarches",
        autonomy="guided",
    )
    services.record_support_session(
        facilitator, city, beneficiary=person, date=D(2026, 1, 12), minutes=30
    )
    services.record_support_session(
        colleague,
        city,
        group_label="Atelier seniors",
        group_size=8,
        date=D(2026, 1, 6),
        minutes=120,
    )
    rows = _rows(support.export_csv(facilitator, city))
    assert [r["date"] for r in rows] == ["2026-01-05", "2026-01-12"]
    first = rows[0]
    assert tuple(first) == support.COOP_COLUMNS
    assert first["type_accompagnement"] == "individuel" and first["duree_minutes"] == "60"
    assert first["thematiques"] == "mail;démarches"
    assert first["autonomie"] == "partiellement-autonome"
    assert (first["commune"], first["tranche_age"]) == ("58194", "26_39")
    assert [r["premier_accompagnement"] for r in rows] == ["oui", "non"]
    text = support.export_csv(facilitator, city)
    assert "B-17" not in text
    manager = make_user("manager", city)
    everyone = _rows(support.export_csv(manager, city, everyone=True))
    assert len(everyone) == 3
    group = next(r for r in everyone if r["type_accompagnement"] == "collectif")
    assert group["nombre_participants"] == "8" and group["commune"] == ""
    # a facilitator asking for everyone's still gets only their own
    assert len(_rows(support.export_csv(facilitator, city, everyone=True))) == 2
    # another organisation's export holds none of it
    outsider = make_user("manager", agglo)
    assert _rows(support.export_csv(outsider, agglo, everyone=True)) == []


def test_logs_carry_no_commune_or_age(tech, city, person, facilitator):
    _equip(tech, city, person, on=D(2024, 2, 1))
    privacy.access_request(facilitator, person)
    privacy.erasure_request(facilitator, person)
    blobs = [
        json.dumps(list(PrivacyLog.objects.values("action", "pseudonym", "detail"))),
        json.dumps(list(DeviceEvent.objects.values("data")), default=str),
        json.dumps(list(AuditEvent.objects.values("before", "after")), default=str),
    ]
    for blob in blobs:
        assert "58194" not in blob and "26_39" not in blob and "jobseeker" not in blob
    assert Beneficiary.objects.filter(commune="58194").count() == 0
