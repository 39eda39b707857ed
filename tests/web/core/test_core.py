"""Organisations, memberships, permissions, audit events and API tokens."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from impactnum.web.core import permissions, services
from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import AuditEvent, validate_siret


def test_siret_checksum():
    validate_siret("21580194300014")  # a Luhn-valid 14-digit number
    with pytest.raises(ValidationError, match="14"):
        validate_siret("123")
    with pytest.raises(ValidationError, match="clé de contrôle"):
        validate_siret("21580194300011")


def test_create_organisation_is_audited(db):
    org = services.create_organisation(None, slug="x", name="X", kind="association")
    event = AuditEvent.objects.get(action="organisation.created")
    assert event.object_id == str(org.pk) and event.after["name"] == "X"
    with pytest.raises(DomainError, match="kind"):
        services.create_organisation(None, slug="y", name="Y", kind="planet")


def test_audit_events_are_append_only(city):
    event = AuditEvent.objects.first()
    event.action = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_permissions_follow_roles_and_organisations(city, agglo, make_user):
    manager = make_user("manager", city)
    viewer = make_user("viewer", city)
    assert permissions.can(manager, city, permissions.EDIT_PROJECTS)
    assert not permissions.can(viewer, city, permissions.EDIT_PROJECTS)
    assert permissions.can(viewer, city, permissions.VIEW)
    assert not permissions.can(manager, agglo, permissions.VIEW)
    services.set_membership(None, manager, agglo, "viewer")  # one person, two organisations
    assert set(permissions.organisations_for(manager)) == {city, agglo}
    assert list(permissions.organisations_for(manager, permissions.EDIT_PROJECTS)) == [city]


def test_api_token_round_trip(make_user):
    user = make_user()
    token, raw = services.create_token(user, "script")
    assert raw.startswith("inum_") and raw not in token.key_hash
    assert services.user_for_token(raw) == user
    services.revoke_token(user, token.pk)
    assert services.user_for_token(raw) is None


def test_login_page_and_home_require_login(client, city, make_user):
    assert client.get(reverse("home")).status_code == 302
    page = client.get(reverse("login"))
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    user = make_user("viewer", city, username="lea")
    assert (
        client.post(reverse("login"), {"username": "lea", "password": "pw-Impactnum-1"}).status_code
        == 302
    )
    home = client.get(reverse("home"))
    assert home.status_code == 200 and "Ville de Nevers" in home.content.decode()
    assert user.is_authenticated
