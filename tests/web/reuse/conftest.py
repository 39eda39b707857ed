import datetime as dt

import pytest

from impactnum.web.reuse import services
from impactnum.web.reuse.models import Party, TestTemplate


@pytest.fixture
def tech(city, make_user):
    return make_user("technician", city)


@pytest.fixture
def city_service(city):
    return Party.objects.create(organisation=city, kind="city_service", name="DSI de la Ville")


@pytest.fixture
def lot(tech, city, city_service):
    return services.receive_lot(
        tech,
        city,
        reference="L-001",
        donor=city_service,
        received_on=dt.date.today(),
        items_declared=2,
        weight_kg=5,
        origin="reemploi",
    )


@pytest.fixture
def laptop_template(city):
    return TestTemplate.objects.create(
        organisation=city,
        name="Portable",
        kind="laptop",
        items=[{"code": "boot", "label": "Démarrage"}, {"code": "screen", "label": "Écran"}],
    )


@pytest.fixture
def device(tech, lot):
    return services.register_device(
        tech,
        lot,
        asset_tag="R-0001",
        kind="laptop",
        brand="Dell",
        model="Latitude",
        media=[{"type": "ssd", "serial_number": "SSD1", "capacity_gb": 256}],
    )
