"""The reuse chain's period report and a lot's weight balance.

Every figure is a database aggregate (COUNT, SUM, GROUP BY kind): no Python loop over devices
or events, so a report over 100,000 devices and 1,000,000 events stays under a second.

Avoided impact is computed by the engine (`impactnum.engine.reuse_impact`) on the devices
*first* provided in the period — counted once, here; the fleet and the dashboards must not add it
again. Docs: docs/methodology/reuse-impact.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from impactnum.engine.reuse_impact import load_reuse_table, reuse_impact
from impactnum.web.core.models import Organisation

from .choices import DeviceEventType, DeviceStatus, ProvisionType
from .materials import shipments_materials
from .models import Device, DeviceEvent, DeviceRepair, Lot, Provision, WeeeShipment
from .support import support_totals

NEW_PRICES_FILE = Path(__file__).with_name("data") / "new_prices.csv"
HOUSEHOLD_TYPES = (ProvisionType.DONATION, ProvisionType.SOLIDARITY_SALE)
"""Provisions counted in money saved by households (a loan is not a purchase avoided)."""

BALANCE_BUCKETS: dict[str, str] = {
    DeviceStatus.PROVIDED: "reused",
    DeviceStatus.DISMANTLED: "parts",
    DeviceStatus.SHIPPED: "recycled",
    DeviceStatus.LOST: "lost",
}
"""Where a lot's devices ended up; every other status is 'in_stock'."""
BUCKETS = ("reused", "parts", "recycled", "lost", "in_stock")


@functools.cache
def new_prices() -> dict[str, tuple[Decimal, str, str]]:
    """Kind → (price of an equivalent new device in €, source, status); editable data."""
    with open(NEW_PRICES_FILE, encoding="utf-8", newline="") as f:
        return {
            r["kind"]: (Decimal(r["price_eur"]), r["source"], r["status"])
            for r in csv.DictReader(f)
            if (r.get("price_eur") or "").strip()
        }


def _day_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def first_provisions(
    organisation: Organisation, date_from: dt.date, date_to: dt.date
) -> QuerySet[Provision]:
    """Provisions in the period that are their device's first: a device returned and given
    again is not counted twice."""
    earlier = Provision.objects.filter(device=OuterRef("device"), pk__lt=OuterRef("pk"))
    return Provision.objects.filter(
        device__organisation=organisation, provided_on__gte=date_from, provided_on__lte=date_to
    ).exclude(Exists(earlier))


def impact_for(
    provisions: QuerySet[Provision],
    *,
    method: str = "restart",
    overrides: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The engine's avoided impact for devices grouped by kind (one row per kind)."""
    rows = list(
        provisions.values("device__kind").annotate(n=Count("pk"), kg=Sum("device__mass_kg"))
    )
    result = reuse_impact(
        [r["device__kind"] for r in rows],
        [r["n"] for r in rows],
        masses_kg=[float(r["kg"] or 0) for r in rows],
        method=method,
        overrides=overrides,
    )
    return result.as_dict()


def _money_saved(
    organisation: Organisation, date_from: dt.date, date_to: dt.date
) -> dict[str, Any]:
    rows = (
        Provision.objects.filter(
            device__organisation=organisation,
            provided_on__gte=date_from,
            provided_on__lte=date_to,
            beneficiary__isnull=False,
            type__in=HOUSEHOLD_TYPES,
        )
        .values("device__kind")
        .annotate(n=Count("pk"), paid=Sum("price_eur"))
    )
    prices = new_prices()
    saved = Decimal(0)
    paid_total = Decimal(0)
    without: dict[str, int] = {}
    for r in rows:
        kind, n, paid = r["device__kind"], r["n"], r["paid"] or Decimal(0)
        paid_total += paid
        if kind in prices:
            saved += prices[kind][0] * n - paid
        else:
            without[kind] = without.get(kind, 0) + n
    return {
        "money_saved_eur": float(saved),
        "money_paid_eur": float(paid_total),
        "money_saved_method": (
            "price of an equivalent new device (data/new_prices.csv, to verify) minus the "
            "solidarity price paid, for donations and solidarity sales to people"
        ),
        "money_saved_kinds_without_price": without,
    }


def reuse_report(
    organisation: Organisation,
    date_from: dt.date,
    date_to: dt.date,
    *,
    method: str = "restart",
    overrides: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The period report: every figure a top-level number (JSON-ready), plus details."""
    org = organisation
    start, end = _day_bounds(date_from, date_to)
    lots = Lot.objects.filter(
        organisation=org, received_on__gte=date_from, received_on__lte=date_to
    )
    lot_agg = lots.aggregate(n=Count("pk"), kg=Sum("weight_kg"))
    devices_collected = Device.objects.filter(
        organisation=org, lot__received_on__gte=date_from, lot__received_on__lte=date_to
    ).count()

    provisions = Provision.objects.filter(
        device__organisation=org, provided_on__gte=date_from, provided_on__lte=date_to
    )
    prov = provisions.aggregate(
        n=Count("pk"),
        people=Count("beneficiary", distinct=True),
        orgs=Count("recipient", distinct=True),
        revenue=Sum("price_eur", filter=Q(type=ProvisionType.SOLIDARITY_SALE)),
    )
    shipped = WeeeShipment.objects.filter(
        organisation=org, shipped_on__gte=date_from, shipped_on__lte=date_to
    )
    ship_agg = {
        "kg": shipped.aggregate(kg=Sum("weight_kg"))["kg"],  # apart: a join would repeat it
        "devices": WeeeShipment.devices.through.objects.filter(weeeshipment__in=shipped).count(),
    }
    by_cat = {
        r["weee_category"]: float(r["kg"] or 0)
        for r in shipped.values("weee_category").annotate(kg=Sum("weight_kg")).order_by()
    }
    events = DeviceEvent.objects.filter(device__organisation=org, at__gte=start, at__lt=end)
    ev = events.aggregate(
        dismantled=Count("pk", filter=Q(to_status=DeviceStatus.DISMANTLED)),
        parts=Count("pk", filter=Q(type=DeviceEventType.PART_HARVESTED)),
    )
    repairs = DeviceRepair.objects.filter(
        device__organisation=org, event_date__gte=date_from, event_date__lte=date_to
    ).aggregate(
        n=Count("pk"), minutes=Sum("minutes_spent"), fixed=Count("pk", filter=Q(outcome="fixed"))
    )

    provided = prov["n"] or 0
    recycled_devices = ship_agg["devices"] or 0
    out_flow = provided + recycled_devices + (ev["dismantled"] or 0)
    impact = impact_for(
        first_provisions(org, date_from, date_to), method=method, overrides=overrides
    )
    support = support_totals(org, date_from, date_to)
    report: dict[str, Any] = {
        "organisation": org.slug,
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "lots_collected": lot_agg["n"] or 0,
        "devices_collected": devices_collected,
        "kg_collected": float(lot_agg["kg"] or 0),
        "devices_provided": provided,
        "devices_first_provided": impact["devices"],
        "people_equipped": prov["people"] or 0,
        "organisations_equipped": prov["orgs"] or 0,
        "solidarity_sales_eur": float(prov["revenue"] or 0),
        "reuse_rate": round(provided / out_flow, 4) if out_flow else None,
        "devices_dismantled": ev["dismantled"] or 0,
        "parts_harvested": ev["parts"] or 0,
        "devices_recycled": recycled_devices,
        "kg_recycled": float(ship_agg["kg"] or 0),
        "kg_recycled_by_weee_category": by_cat,
        "repairs": repairs["n"] or 0,
        "repairs_fixed": repairs["fixed"] or 0,
        "work_hours": round((repairs["minutes"] or 0) / 60, 2),
        **support,
        "co2e_avoided_kg": round(impact["co2e_avoided"]["value"], 3),
        "co2e_avoided_low_kg": round(impact["co2e_avoided"]["low"], 3),
        "co2e_avoided_high_kg": round(impact["co2e_avoided"]["high"], 3),
        "co2e_method": impact["method_label"],
        "co2e_factors": impact["factor_set"] or impact["table"],
        "ewaste_avoided_kg": round(impact["waste_avoided"]["value"], 3),
        **_money_saved(org, date_from, date_to),
        "impact": impact,
        "materials_recovered": shipments_materials(shipped),
        "definitions": {
            "reuse_rate": "devices provided ÷ (provided + shipped to recycling + dismantled)",
            "co2e_avoided_kg": "counted once, when a device is first provided; the fleet and "
            "dashboards must not add it again",
        },
    }
    return report


def _fallback_kg(kind: str) -> float:
    """Mass of a device of unknown mass: its ORDS category weight (0 for Misc)."""
    return load_reuse_table().category_of(kind).weight_kg


def lot_balance(lot: Lot) -> dict[str, Any]:
    """Where a lot's devices are, in items and kg: reused, parts, recycled, lost, in stock, and
    what is unaccounted for against the lot's declared items and weight. A device of unknown
    mass counts its ORDS category weight (`estimated_kg` says how much of the total that is)."""
    rows = (
        Device.objects.filter(lot=lot)
        .values("status", "kind")
        .annotate(n=Count("pk"), kg=Sum("mass_kg"), unknown=Count("pk", filter=Q(mass_kg=None)))
        .order_by()
    )
    items = dict.fromkeys(BUCKETS, 0)
    kg = dict.fromkeys(BUCKETS, 0.0)
    estimated = 0.0
    for r in rows:
        bucket = BALANCE_BUCKETS.get(r["status"], "in_stock")
        guess = _fallback_kg(r["kind"]) * r["unknown"]
        items[bucket] += r["n"]
        kg[bucket] += float(r["kg"] or 0) + guess
        estimated += guess
    total_items = sum(items.values())
    total_kg = sum(kg.values())
    return {
        "lot": lot.reference,
        "items": {**items, "total": total_items},
        "kg": {k: round(v, 3) for k, v in kg.items()} | {"total": round(total_kg, 3)},
        "items_declared": lot.items_declared,
        "items_unaccounted": max(lot.items_declared - total_items, 0),
        "kg_declared": float(lot.weight_kg),
        "kg_unaccounted": round(float(lot.weight_kg) - total_kg, 3),
        "estimated_kg": round(estimated, 3),
    }
