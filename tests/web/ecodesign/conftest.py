"""Fixtures of the eco-design tests: people with each role in the city, another organisation's
administrator, an imported referential and an assessment."""

import datetime as dt

import pytest
from ecodesign_helpers import Api, referential_bytes

from impactnum.web.ecodesign import services


@pytest.fixture
def admin(city, make_user):
    return make_user("administrator", city, username="admin-city")


@pytest.fixture
def manager(city, make_user):
    return make_user("manager", city, username="manager-city")


@pytest.fixture
def viewer(city, make_user):
    return make_user("viewer", city, username="viewer-city")


@pytest.fixture
def tech(city, make_user):
    return make_user("technician", city, username="tech-city")


@pytest.fixture
def outsider(agglo, make_user):
    return make_user("administrator", agglo, username="admin-agglo")


@pytest.fixture
def referential(manager, city):
    ref, _created = services.import_referential(
        manager, city, name="RGESN", file_name="v1.json", data=referential_bytes()
    )
    return ref


@pytest.fixture
def assessment(manager, city, referential):
    return services.create_assessment(
        manager,
        city,
        referential=referential,
        service_name="Portail famille",
        service_url="https://famille.nevers.example",
        assessed_on=dt.date(2026, 3, 15),
        contact="numerique@nevers.example",
    )


@pytest.fixture
def api_as(client):
    return lambda user: Api(client, user)
