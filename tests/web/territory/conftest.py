"""A small hand-made territory: the city's fleet, one reused laptop that came from the fleet,
one project, one commitment, beneficiaries in three communes; the agglo's private data."""

import datetime as dt

import pytest
from django.utils import timezone

from impactnum.web.fleet import services as fleet
from impactnum.web.fleet.choices import AssetStatus
from impactnum.web.plan import services as plan
from impactnum.web.projects import services as projects
from impactnum.web.reuse import services as reuse
from impactnum.web.reuse.models import Beneficiary, Device, Party, Provision

TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture
def admin(city, make_user):
    return make_user("administrator", city, username="admin-ville")


@pytest.fixture
def viewer(city, make_user):
    return make_user("viewer", city, username="elu-ville")


@pytest.fixture
def city_data(city, admin):
    """Two laptops in the fleet, one of them retired and handed to reuse, then provided to a
    person; one project; one commitment at 50 %."""
    fleet.create_asset(admin, city, kind="laptop", purchase_date=dt.date(YEAR - 2, 3, 1))
    old = fleet.create_asset(admin, city, kind="laptop", purchase_date=dt.date(YEAR - 9, 3, 1))
    fleet.change_status(admin, old, AssetStatus.RETIRED, reason="trop ancien")
    donor = Party.objects.create(organisation=city, kind="city_service", name="DSI")
    lot = reuse.receive_lot(
        admin, city, reference="L-1", donor=donor, received_on=TODAY, items_declared=1, weight_kg=2
    )
    device = reuse.hand_over_from_fleet(admin, old, lot, asset_tag="R-1")
    # the device's path to the beneficiary is not what is tested here: provide it directly
    Device.objects.filter(pk=device.pk).update(status="provided")
    person = Beneficiary.objects.create(
        organisation=city, pseudonym="ZX-SECRET-42", commune="58194"
    )
    Provision.objects.create(device=device, type="donation", beneficiary=person, provided_on=TODAY)
    p = projects.create_project(admin, city, name="Visioconférences")
    projects.add_line(admin, p.scenarios.get(), "equipment", kind="laptop", quantity=3)
    c = plan.create_commitment(
        admin, city, reference="E01", title="PC 7 ans", theme="lifecycle", source="audit_finding"
    )
    plan.add_action(admin, c, title="Politique de durée de vie", progress=50, status="in_progress")
    return {"device": device, "person": person, "project": p, "commitment": c}


@pytest.fixture
def agglo_secret(agglo, make_user):
    """The agglo's beneficiary and project, never published."""
    a = make_user("administrator", agglo, username="admin-agglo-secret")
    Beneficiary.objects.create(organisation=agglo, pseudonym="AGGLO-PSEUDO-7", commune="58086")
    projects.create_project(a, agglo, name="Projet confidentiel agglo")
    return a
