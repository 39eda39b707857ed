"""Shared set-up for the fleet hand-over and scenario tests (pages and API).

tests/web is on sys.path because its conftest.py lives there, so both test folders import this.
"""

import datetime as dt

import pytest

from impactnum.web.core.choices import Role
from impactnum.web.fleet import services
from impactnum.web.fleet.choices import AssetStatus
from impactnum.web.reuse import services as reuse
from impactnum.web.reuse.models import Party

TODAY = dt.date.today()
EDITORS = {Role.ADMINISTRATOR, Role.MANAGER, Role.TECHNICIAN}


def years_ago(n: float) -> dt.date:
    return TODAY - dt.timedelta(days=round(n * 365.25))


@pytest.fixture
def admin(city, make_user):
    return make_user("administrator", city, username="admin-city")


def retired_asset(admin, org, serial="PF-OLD"):
    services.set_lifespan_policy(admin, org, "laptop", 5)
    asset = services.create_asset(
        admin,
        org,
        kind="laptop",
        manufacturer="Lenovo",
        model="ThinkPad T14",
        serial_number=serial,
        purchase_date=years_ago(6),
        price_excl_vat=900,
    )
    return services.change_status(admin, asset, AssetStatus.RETIRED)


def new_lot(admin, org, reference="L-001"):
    donor = Party.objects.create(organisation=org, kind="city_service", name="DSI de la Ville")
    return reuse.receive_lot(
        admin, org, reference=reference, donor=donor, received_on=TODAY, weight_kg=5
    )


@pytest.fixture
def retired(admin, city):
    return retired_asset(admin, city)


@pytest.fixture
def lot(admin, city):
    return new_lot(admin, city)
