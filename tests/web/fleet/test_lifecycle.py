"""Asset lifecycle through services: allowed moves, repair first, history, conflicts."""

import datetime as dt

import pytest

from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.fleet import services
from impactnum.web.fleet.choices import AssetEventType, AssetStatus, RepairOutcome
from impactnum.web.fleet.models import AssetEvent


@pytest.fixture
def tech(city, make_user):
    return make_user("technician", city)


@pytest.fixture
def laptop(city, tech):
    return services.create_asset(
        tech,
        city,
        kind="laptop",
        model="X1",
        serial_number="SN1",
        purchase_date=dt.date.today() - dt.timedelta(days=365 * 2),
    )


def test_lifecycle_path_and_history(tech, laptop):
    services.change_status(tech, laptop, AssetStatus.SPARE)
    services.change_status(tech, laptop, AssetStatus.IN_SERVICE)
    services.change_status(tech, laptop, AssetStatus.RETIRED, reason="screen broken, no parts")
    services.change_status(tech, laptop, AssetStatus.HANDED_TO_REUSE, reuse_proof="receipt 12")
    laptop.refresh_from_db()
    assert laptop.status == AssetStatus.HANDED_TO_REUSE and laptop.reuse_proof == "receipt 12"
    moves = [(e.from_status, e.to_status) for e in laptop.events.filter(type="status_changed")]
    assert moves == [
        ("in_service", "spare"),
        ("spare", "in_service"),
        ("in_service", "retired"),
        ("retired", "handed_to_reuse"),
    ]
    with pytest.raises(DomainError, match="impossible"):
        services.change_status(tech, laptop, AssetStatus.IN_SERVICE)


def test_retiring_early_needs_a_reason(city, tech, laptop):
    admin = tech.__class__.objects.create_user("adm", password="x")
    from impactnum.web.core.services import set_membership

    set_membership(None, admin, city, "administrator")
    services.set_lifespan_policy(admin, city, "laptop", 7)
    with pytest.raises(DomainError, match=r"2\.0 ans") as exc:
        services.change_status(tech, laptop, AssetStatus.RETIRED)
    assert exc.value.field == "reason"
    laptop.refresh_from_db()
    assert laptop.status == AssetStatus.IN_SERVICE  # nothing written


def test_lost_from_any_non_final_status(tech, laptop):
    services.change_status(tech, laptop, AssetStatus.LOST_STOLEN)
    with pytest.raises(DomainError):
        services.change_status(tech, laptop, AssetStatus.LOST_STOLEN)


def test_repair_fixed_returns_to_service_end_of_life_needs_barrier(tech, laptop):
    repair = services.open_repair(tech, laptop, problem="does not boot")
    laptop.refresh_from_db()
    assert laptop.status == AssetStatus.IN_REPAIR
    with pytest.raises(DomainError) as exc:
        services.close_repair(tech, repair, outcome=RepairOutcome.END_OF_LIFE)
    assert exc.value.field == "barrier"
    services.close_repair(
        tech,
        repair,
        outcome=RepairOutcome.FIXED,
        actions="new SSD",
        parts="SSD 256 GB",
        parts_cost=35,
        minutes_spent=40,
    )
    laptop.refresh_from_db()
    assert laptop.status == AssetStatus.IN_SERVICE
    types = list(laptop.events.values_list("type", flat=True))
    assert AssetEventType.REPAIR_OPENED in types and AssetEventType.REPAIR_CLOSED in types


def test_stale_version_is_a_conflict(tech, laptop):
    seen = laptop.version
    services.update_asset(tech, laptop, expected_version=seen, assigned_to="agent 42")
    with pytest.raises(DomainError, match="quelqu'un d'autre"):
        services.update_asset(tech, laptop, expected_version=seen, assigned_to="agent 7")


def test_viewer_cannot_change_and_events_are_append_only(city, make_user, laptop):
    viewer = make_user("viewer", city)
    with pytest.raises(NotAllowed):
        services.change_status(viewer, laptop, AssetStatus.SPARE)
    event = AssetEvent.objects.filter(asset=laptop).first()
    with pytest.raises(ValueError):
        event.save()


def test_unique_serial_per_organisation(city, tech, laptop):
    with pytest.raises(DomainError, match="serial"):
        services.create_asset(tech, city, kind="laptop", serial_number="SN1")
