"""The reuse chain through its services: the whole path and every guard."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.reuse import services
from impactnum.web.reuse.choices import DeviceStatus
from impactnum.web.reuse.models import Beneficiary, Party, WeeeShipment


def wipe(tech, medium, result="success", report=b"nwipe report"):
    now = timezone.now()
    return services.record_sanitisation(
        tech,
        medium,
        level="purge",
        method="NVMe sanitize crypto",
        tool="nwipe",
        tool_version="0.37",
        result=result,
        started_at=now,
        ended_at=now,
        report=SimpleUploadedFile("report.json", report),
    )


def to_qa(tech, device, template):
    services.triage(tech, device, "reuse")
    services.diagnose(tech, device, template, {"boot": "pass", "screen": "fail"})
    services.record_repair(
        tech,
        device,
        problem="dead pixels",
        outcome="fixed",
        actions="screen replaced",
        minutes_spent=30,
    )
    services.change_status(tech, device, DeviceStatus.IN_REPAIR)
    services.change_status(tech, device, DeviceStatus.QA)


def test_whole_path_to_provision(tech, city, device, laptop_template):
    to_qa(tech, device, laptop_template)
    with pytest.raises(DomainError, match="non effacé"):
        services.release(tech, device, checklist_passed=True, grade="B")
    device.refresh_from_db()
    assert device.status == DeviceStatus.QA  # refused release wrote nothing
    record = wipe(tech, device.media.get())
    assert len(record.report_sha256) == 64
    services.release(tech, device, checklist_passed=True, grade="B", battery_health_pct=82)
    device.refresh_from_db()
    assert device.status == DeviceStatus.READY
    person = services.create_beneficiary(
        _facilitator(city),
        city,
        pseudonym="B-17",
        eligibility_basis="jobseeker",
        age_bracket="26_39",
    )
    provision = services.provide(
        tech,
        device,
        type_="solidarity_sale",
        beneficiary=person,
        price_eur=Decimal("150"),
        on=dt.date(2026, 3, 31),
    )
    assert provision.guarantee_until == dt.date(2028, 3, 31)
    assert provision.presumption_until == dt.date(2027, 3, 31)
    device.refresh_from_db()
    assert device.status == DeviceStatus.PROVIDED
    with pytest.raises(DomainError):  # never provided twice
        services.provide(tech, device, type_="donation", beneficiary=person)
    types = list(device.events.values_list("type", flat=True))
    assert types[0] == "received" and "sanitised" in types and types[-1] == "provided"
    assert provision.returned_on is None
    services.change_status(tech, device, DeviceStatus.RETURNED, reason="rendu après un an")
    provision.refresh_from_db()
    assert provision.returned_on == timezone.localdate()  # the return closes the provision


def _facilitator(city):
    from impactnum.web.core.services import create_user, set_membership

    user = create_user(None, username="mediatrice", password="x-Impactnum-1")
    set_membership(None, user, city, "facilitator")
    return user


def test_caps_for_devices_a_public_body_gave(tech, city, device, laptop_template):
    to_qa(tech, device, laptop_template)
    wipe(tech, device.media.get())
    services.release(tech, device, checklist_passed=True, grade="A")
    school = Party.objects.create(organisation=city, kind="association", name="Asso")
    with pytest.raises(DomainError, match="180") as exc:
        services.provide(
            tech, device, type_="solidarity_sale", recipient=school, price_eur=Decimal("181")
        )
    assert exc.value.field == "price_eur"
    with pytest.raises(DomainError, match="300"):
        services.provide(
            tech, device, type_="donation", recipient=school, unit_value_eur=Decimal("301")
        )
    services.provide(
        tech, device, type_="solidarity_sale", recipient=school, price_eur=Decimal("180")
    )


def test_a_failed_wipe_does_not_release(tech, device):
    wipe(tech, device.media.get(), result="failure")
    assert not services.is_released(device)


def test_removed_medium_is_tracked_and_device_released(tech, device):
    medium = services.remove_medium(tech, device.media.get())
    assert medium.device is None and medium.removed_from == device
    assert services.is_released(device)
    assert not medium.sanitised  # it still needs its own record before it leaves


def test_recycling_needs_a_reason_and_shipment_needs_wiped_media(tech, city, device):
    with pytest.raises(DomainError, match="raison"):
        services.triage(tech, device, "recycling")
    services.triage(tech, device, "recycling", reason="chassis cracked, too worn")
    recycler = Party.objects.create(organisation=city, kind="recycler", name="Recycleur")
    shipment = WeeeShipment.objects.create(organisation=city, recycler=recycler, weee_category="2")
    services.add_to_shipment(tech, shipment, device)
    with pytest.raises(DomainError, match="non effacé"):
        services.ship(tech, shipment, tracking_reference="BSD-1")
    device.refresh_from_db()
    assert device.status == DeviceStatus.IN_SHIPMENT
    wipe(tech, device.media.get())
    services.ship(tech, shipment, tracking_reference="BSD-1")
    device.refresh_from_db()
    assert device.status == DeviceStatus.SHIPPED


def test_only_reuse_roles_act_and_beneficiaries_need_facilitator_or_manager(
    city, make_user, device
):
    viewer = make_user("viewer", city)
    with pytest.raises(NotAllowed):
        services.triage(viewer, device, "reuse")
    tech_user = make_user("technician", city)
    with pytest.raises(NotAllowed):
        services.create_beneficiary(tech_user, city, pseudonym="B-1")
    assert not Beneficiary.objects.exists()


def test_hand_over_from_fleet_links_both_ways(city, make_user, lot):
    from impactnum.web.fleet import services as fleet
    from impactnum.web.fleet.choices import AssetStatus

    manager = make_user("manager", city)
    asset = fleet.create_asset(
        manager,
        city,
        kind="laptop",
        manufacturer="HP",
        model="EliteBook",
        serial_number="HP1",
        purchase_date=dt.date(2015, 1, 1),
    )
    fleet.change_status(manager, asset, AssetStatus.RETIRED, reason="11 years old")
    device = services.hand_over_from_fleet(manager, asset, lot, asset_tag="R-0100")
    asset.refresh_from_db()
    assert asset.status == AssetStatus.HANDED_TO_REUSE
    assert asset.reuse_device == device and device.fleet_asset == asset
    assert device.serial_number == "HP1" and device.year == 2015
