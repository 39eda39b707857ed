"""Small builders for the reuse tests, all through the services."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from impactnum.web.reuse import services
from impactnum.web.reuse.choices import DeviceStatus
from impactnum.web.reuse.models import Party, TestTemplate

_counter = iter(range(1, 1_000_000))


def template(org, kind="laptop"):
    return TestTemplate.objects.create(
        organisation=org, name=kind, kind=kind, items=[{"code": "boot", "label": "Boot"}]
    )


def wipe(tech, medium, result="success"):
    now = timezone.now()
    return services.record_sanitisation(
        tech,
        medium,
        level="purge",
        method="sanitize",
        tool="nwipe",
        result=result,
        started_at=now,
        ended_at=now,
    )


def new_lot(tech, org, *, donor_kind="city_service", weight=10, items=0, on=None):
    donor = Party.objects.create(organisation=org, kind=donor_kind, name=f"Donor {next(_counter)}")
    return services.receive_lot(
        tech,
        org,
        reference=f"L-{next(_counter)}",
        donor=donor,
        received_on=on or dt.date(2026, 1, 10),
        items_declared=items,
        weight_kg=weight,
    )


def device(tech, lot, kind="laptop", media=True, **fields):
    return services.register_device(
        tech,
        lot,
        asset_tag=f"R-{next(_counter)}",
        kind=kind,
        media=[{"type": "ssd", "serial_number": f"S{next(_counter)}"}] if media else [],
        **fields,
    )


def ready(tech, dev, tmpl):
    """Triage → diagnose → QA → wipe → release: the device ends READY."""
    services.triage(tech, dev, "reuse")
    services.diagnose(tech, dev, tmpl, {"boot": "pass"})
    services.change_status(tech, dev, DeviceStatus.QA)
    for m in dev.media.all():
        wipe(tech, m)
    services.release(tech, dev, checklist_passed=True, grade="B")
    dev.refresh_from_db()
    return dev


def provide(tech, dev, person, *, on, price="0", type_="donation"):
    return services.provide(
        tech,
        dev,
        type_=type_,
        beneficiary=person,
        price_eur=Decimal(price),
        on=on,
    )
