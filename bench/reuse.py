"""The reuse chain at 100,000 devices and 1,000,000 events: the workbench scan, one transition,
and the period report.

    .venv/bin/python bench/run.py --only reuse        # full size; rewrites the reuse section
    .venv/bin/python bench/reuse.py --quick           # prints the figures as JSON

In a child process with a temporary SQLite database (see `bench/web.py`), the rows are written
in bulk, not through the services (`executemany` for devices, events, media, provisions; Django's
`bulk_create` for the small tables): 1,000 lots from 300 donors over three years, 100,000
devices in every status of the chain, 10 events each (1,000,000), storage media with their wipe
records, provisions to 10,000 pseudonymous beneficiaries and partner organisations, repairs,
WEEE shipments and support sessions. Then, through Django's test client (server time):

- **scan to page**: `GET /reuse/?q=<tag>` (the workbench finds the one device and redirects)
  followed by `GET` of the device page it redirects to;
- **one transition**: the triage step `POST /reuse/devices/<id>/steps/triage/` as the workbench
  sends it (htmx: the answer is the re-rendered device panel), on a device just received;
- **the period report**: `reuse.report.reuse_report(org, from, to)` over the last 365 days.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.web import (
    child_main,
    in_child,
    logged_in_client,
    machine_line,
    machine_md,
    ms,
    profile,
    profiles_md,
    row,
    stats,
    table_md,
)

TARGETS = {"page_p95_s": 0.100, "report_s": 1.0}
SEED = 20240601
EVENTS_PER_DEVICE = 10

STATUS_MIX = (
    ("received", 0.08),
    ("to_refurbish", 0.07),
    ("diagnosed", 0.04),
    ("in_repair", 0.03),
    ("waiting_parts", 0.01),
    ("qa", 0.02),
    ("ready", 0.05),
    ("reserved", 0.01),
    ("provided", 0.36),
    ("returned", 0.01),
    ("to_harvest", 0.03),
    ("dismantled", 0.08),
    ("to_recycle", 0.04),
    ("in_shipment", 0.01),
    ("shipped", 0.15),
    ("lost", 0.01),
)
# The way each status is reached from `received` (the events it leaves behind).
PATHS: dict[str, tuple[str, ...]] = {
    "received": (),
    "to_refurbish": ("to_refurbish",),
    "diagnosed": ("to_refurbish", "diagnosed"),
    "in_repair": ("to_refurbish", "diagnosed", "in_repair"),
    "waiting_parts": ("to_refurbish", "diagnosed", "in_repair", "waiting_parts"),
    "qa": ("to_refurbish", "diagnosed", "qa"),
    "ready": ("to_refurbish", "diagnosed", "qa", "ready"),
    "reserved": ("to_refurbish", "diagnosed", "qa", "ready", "reserved"),
    "provided": ("to_refurbish", "diagnosed", "qa", "ready", "provided"),
    "returned": ("to_refurbish", "diagnosed", "qa", "ready", "provided", "returned"),
    "to_harvest": ("to_harvest",),
    "dismantled": ("to_harvest", "dismantled"),
    "to_recycle": ("to_recycle",),
    "in_shipment": ("to_recycle", "in_shipment"),
    "shipped": ("to_recycle", "in_shipment", "shipped"),
    "lost": ("to_refurbish", "lost"),
}
TRIAGE = {"to_refurbish": "reuse", "to_harvest": "parts", "to_recycle": "recycling"}
EVENT_TYPE = {
    "to_refurbish": "triaged",
    "to_harvest": "triaged",
    "to_recycle": "triaged",
    "diagnosed": "diagnosed",
    "qa": "repaired",
    "ready": "released",
    "provided": "provided",
    "shipped": "shipped",
}
KINDS = (
    ("laptop", 0.40, ("Lenovo", "ThinkPad T480"), Decimal("1.800")),
    ("desktop", 0.20, ("Dell", "OptiPlex 7050"), Decimal("6.500")),
    ("monitor", 0.15, ("Dell", "P2219H"), Decimal("4.200")),
    ("smartphone", 0.15, ("Samsung", "Galaxy S9"), Decimal("0.170")),
    ("tablet", 0.07, ("Apple", "iPad 6"), Decimal("0.470")),
    ("printer", 0.03, ("HP", "LaserJet P2055"), None),
)
WITH_MEDIA = {"laptop": "ssd", "desktop": "hdd", "smartphone": "flash", "tablet": "flash"}
PAST_WIPE = {
    "qa",
    "ready",
    "reserved",
    "provided",
    "returned",
    "shipped",
    "in_shipment",
    "dismantled",
}


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """One `executemany` of rows (dicts of attnames; missing ones take the field's default)."""
    from impactnum.web.fleet.imports.bulk import _insert as insert_rows

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields}
    insert_rows(
        model, fields, [[r.get(f.attname, defaults[f.attname]) for f in fields] for r in rows]
    )


def build_chain(org: Any, user: Any, devices: int, seed: int = SEED) -> dict[str, Any]:
    """Lots, devices in every status, EVENTS_PER_DEVICE events each, media and wipes,
    beneficiaries and provisions, repairs, shipments and support sessions — in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from impactnum.web.reuse.models import (
        Beneficiary,
        Device,
        DeviceEvent,
        DeviceRepair,
        Lot,
        Party,
        Provision,
        SanitisationRecord,
        StorageMedium,
        SupportSession,
        WeeeShipment,
    )

    rng = random.Random(seed)
    t0 = time.perf_counter()
    now = timezone.now()
    today = timezone.localdate()
    start = today - dt.timedelta(days=3 * 365)
    n_lots = max(1, devices // 100)
    with transaction.atomic():
        kinds = ("city_service", "public_body", "company", "citizen", "association", "school")
        Party.objects.bulk_create(
            [
                Party(organisation=org, kind=kinds[i % len(kinds)], name=f"Donateur {i:03d}")
                for i in range(300)
            ]
            + [
                Party(organisation=org, kind="association", name=f"Partenaire {i:02d}")
                for i in range(20)
            ]
            + [Party(organisation=org, kind="recycler", name=f"Recycleur {i}") for i in range(3)]
        )
        donors = list(
            Party.objects.filter(organisation=org, name__startswith="Donateur").values_list(
                "pk", flat=True
            )
        )
        partners = list(
            Party.objects.filter(organisation=org, name__startswith="Partenaire").values_list(
                "pk", flat=True
            )
        )
        recyclers = list(
            Party.objects.filter(organisation=org, kind="recycler").values_list("pk", flat=True)
        )
        lot_days = sorted(
            start + dt.timedelta(days=rng.randrange(3 * 365 - 30)) for _ in range(n_lots)
        )
        Lot.objects.bulk_create(
            [
                Lot(
                    organisation=org,
                    reference=f"L-{i:05d}",
                    donor_id=donors[i % len(donors)],
                    received_on=day,
                    site=f"Déchèterie {i % 7}",
                    items_declared=100,
                    weight_kg=Decimal(300 + i % 200),
                    origin="reemploi" if i % 5 else "reutilisation",
                )
                for i, day in enumerate(lot_days)
            ],
            batch_size=500,
        )
        lots = list(
            Lot.objects.filter(organisation=org)
            .order_by("reference")
            .values_list("pk", "received_on")
        )

        statuses = rng.choices(
            [s for s, _ in STATUS_MIX], weights=[w for _, w in STATUS_MIX], k=devices
        )
        kind_idx = rng.choices(range(len(KINDS)), weights=[k[1] for k in KINDS], k=devices)
        dev_rows = []
        for i in range(devices):
            kind, _w, (brand, model), mass = KINDS[kind_idx[i]]
            status = statuses[i]
            path = PATHS[status]
            lot_pk, _day = lots[i * len(lots) // devices]
            dev_rows.append(
                {
                    "organisation_id": org.pk,
                    "lot_id": lot_pk,
                    "asset_tag": f"R-{i:06d}",
                    "kind": kind,
                    "brand": brand,
                    "model": model,
                    "serial_number": f"RS{seed % 997:03d}{i:07d}",
                    "year": 2014 + i % 9,
                    "mass_kg": mass,
                    "ram_gb": 8 if kind in ("laptop", "desktop") else None,
                    "battery_health_pct": 70 + i % 30
                    if kind in ("laptop", "smartphone", "tablet")
                    else None,
                    "weee_category": "3" if kind == "monitor" else "6",
                    "status": status,
                    "triage_outcome": TRIAGE.get(path[0], "") if path else "",
                    "triage_reason": "" if not path or path[0] == "to_refurbish" else "obsolète",
                    "version": len(path),
                    "created_at": now,
                }
            )
        _insert(Device, dev_rows)
        ids = list(
            Device.objects.filter(organisation=org).order_by("pk").values_list("pk", flat=True)
        )

        # events: the path's status changes, then other events up to EVENTS_PER_DEVICE
        events: list[dict[str, Any]] = []
        media: list[dict[str, Any]] = []
        provided_on: dict[int, dt.date] = {}
        for i, pk in enumerate(ids):
            _lot, day = lots[i * len(lots) // devices]
            at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC) + dt.timedelta(minutes=i % 600)
            horizon = max(1, (today - day).days)
            step = dt.timedelta(days=horizon / (EVENTS_PER_DEVICE + 1))
            events.append(
                {
                    "device_id": pk,
                    "at": at,
                    "type": "received",
                    "to_status": "received",
                    "data": {"lot": f"L-{_lot}"},
                }
            )
            previous = "received"
            for to in PATHS[statuses[i]]:
                at += step
                events.append(
                    {
                        "device_id": pk,
                        "at": at,
                        "actor_id": user.pk,
                        "type": EVENT_TYPE.get(to, "status_changed"),
                        "from_status": previous,
                        "to_status": to,
                        "data": {"outcome": TRIAGE[to]} if to in TRIAGE else {},
                    }
                )
                if to == "provided":
                    provided_on[pk] = min(today, at.date())
                previous = to
            while len(events) % EVENTS_PER_DEVICE:
                at += step / 4
                events.append(
                    {
                        "device_id": pk,
                        "at": at,
                        "actor_id": user.pk,
                        "type": "updated",
                        "data": {"fields": ["model"]},
                    }
                )
            kind = dev_rows[i]["kind"]
            if kind in WITH_MEDIA:
                media.append(
                    {
                        "organisation_id": org.pk,
                        "device_id": pk,
                        "type": WITH_MEDIA[kind],
                        "serial_number": f"M{pk}",
                        "capacity_gb": 256,
                    }
                )
        _insert(DeviceEvent, events)
        n_events = len(events)
        del events
        _insert(StorageMedium, media)
        status_of = dict(zip(ids, statuses, strict=True))
        wipes = [
            {
                "medium_id": m_pk,
                "level": "purge",
                "method": "ATA Secure Erase",
                "tool": "nwipe",
                "tool_version": "0.34",
                "operator_id": user.pk,
                "started_at": now - dt.timedelta(days=30),
                "ended_at": now - dt.timedelta(days=30) + dt.timedelta(hours=1),
                "result": "success",
            }
            for m_pk, d_pk in StorageMedium.objects.filter(organisation=org).values_list(
                "pk", "device_id"
            )
            if status_of[d_pk] in PAST_WIPE
        ]
        _insert(SanitisationRecord, wipes)

        people = [
            Beneficiary(
                organisation=org,
                pseudonym=f"B-{i:05d}",
                referring_party_id=partners[i % len(partners)],
                eligibility_basis=(
                    "social_worker",
                    "minima_sociaux",
                    "jobseeker",
                    "student",
                    "senior",
                )[i % 5],
                age_bracket=("18_25", "26_39", "40_59", "60_69", "70_plus")[i % 5],
                commune="Nevers",
            )
            for i in range(10_000)
        ]
        Beneficiary.objects.bulk_create(people, batch_size=500)
        people_ids = list(Beneficiary.objects.filter(organisation=org).values_list("pk", flat=True))
        provisions = []
        for j, (pk, day) in enumerate(provided_on.items()):
            to_person = j % 4 != 0
            kind = ("donation", "solidarity_sale", "loan")[j % 3] if to_person else "donation"
            provisions.append(
                {
                    "device_id": pk,
                    "type": kind,
                    "beneficiary_id": people_ids[j % len(people_ids)] if to_person else None,
                    "recipient_id": None if to_person else partners[j % len(partners)],
                    "price_eur": Decimal("50.00") if kind == "solidarity_sale" else Decimal("0.00"),
                    "provided_on": day,
                    "guarantee_until": day + dt.timedelta(days=365),
                }
            )
        _insert(Provision, provisions)
        repairs = [
            {
                "device_id": pk,
                "event_date": today - dt.timedelta(days=rng.randrange(3 * 365)),
                "problem": "Batterie HS",
                "actions": "Remplacement",
                "outcome": ("fixed", "repairable", "end_of_life")[k % 3],
                "minutes_spent": 20 + k % 60,
                "technician_id": user.pk,
            }
            for k, pk in enumerate(ids[::6])
        ]
        _insert(DeviceRepair, repairs)
        shipped = [pk for pk in ids if status_of[pk] in ("shipped", "in_shipment")]
        n_ship = max(1, len(shipped) // 150)
        WeeeShipment.objects.bulk_create(
            [
                WeeeShipment(
                    organisation=org,
                    recycler_id=recyclers[s % len(recyclers)],
                    weee_category=("6", "3", "5")[s % 3],
                    shipped_on=start + dt.timedelta(days=(s * 3 * 365) // n_ship),
                    weight_kg=Decimal(400 + s % 300),
                    tracking_reference=f"BSD-{s:05d}",
                )
                for s in range(n_ship)
            ]
        )
        ship_ids = list(
            WeeeShipment.objects.filter(organisation=org)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        through = WeeeShipment.devices.through
        through.objects.bulk_create(
            [
                through(weeeshipment_id=ship_ids[k % len(ship_ids)], device_id=pk)
                for k, pk in enumerate(shipped)
            ],
            batch_size=900,
        )
        SupportSession.objects.bulk_create(
            [
                SupportSession(
                    organisation=org,
                    facilitator=user,
                    beneficiary_id=people_ids[k % len(people_ids)] if k % 5 else None,
                    group_label="" if k % 5 else "Atelier",
                    group_size=1 if k % 5 else 8,
                    date=today - dt.timedelta(days=k % (3 * 365)),
                    minutes=60,
                    themes="Démarches en ligne",
                    autonomy=("beginner", "guided", "autonomous")[k % 3],
                )
                for k in range(5_000)
            ],
            batch_size=500,
        )
    return {
        "devices": devices,
        "events": n_events,
        "lots": len(lots),
        "media": len(media),
        "wipes": len(wipes),
        "provisions": len(provisions),
        "repairs": len(repairs),
        "shipments": n_ship,
        "build_s": time.perf_counter() - t0,
    }


def measure(quick: bool, params: dict[str, Any]) -> dict[str, Any]:
    from django.utils import timezone

    from bench.web import people
    from impactnum.web.reuse.models import Device
    from impactnum.web.reuse.report import reuse_report

    t_start = time.perf_counter()
    size = int(params.get("devices", 20_000 if quick else 100_000))
    n = int(params.get("requests", 20 if quick else 50))
    repeats = int(params.get("report_repeats", 3 if quick else 5))
    judged = not quick and not params
    out: dict[str, Any] = {"machine": machine_line(), "quick": quick, "params": params}

    org, user = people()
    print(
        f"[bench:reuse] writing {size:,} devices and {size * EVENTS_PER_DEVICE:,} events…",
        flush=True,
    )
    out["chain"] = build_chain(org, user, size)
    client = logged_in_client(user)
    rng = random.Random(7)
    tags = [f"R-{rng.randrange(size):06d}" for _ in range(n + 3)]

    scan_times, page_times, pair_times = [], [], []
    for k, tag in enumerate(tags):
        t0 = time.perf_counter()
        r = client.get("/reuse/", {"q": tag})
        t1 = time.perf_counter()
        assert r.status_code == 302, (tag, r.status_code)
        page = client.get(r["Location"])
        t2 = time.perf_counter()
        assert page.status_code == 200, (r["Location"], page.status_code)
        if k >= 3:
            scan_times.append(t1 - t0)
            page_times.append(t2 - t1)
            pair_times.append(t2 - t0)
    out["scan"] = stats(scan_times)
    out["device_page"] = stats(page_times)
    out["scan_to_page"] = stats(pair_times)
    print(f"[bench:reuse] scan to page: p95 {ms(out['scan_to_page']['p95_s'])}", flush=True)

    received = list(
        Device.objects.filter(organisation=org, status="received")
        .order_by("pk")
        .values_list("pk", "version")[: 2 * (n + 3) + 20]
    )
    assert len(received) >= 2 * (n + 3), "not enough received devices"

    def triage(pk: int, version: int) -> None:
        r = client.post(
            f"/reuse/devices/{pk}/steps/triage/",
            {"outcome": "reuse", "reason": "", "expected_version": version},
            HTTP_HX_REQUEST="true",
        )
        assert r.status_code == 200, (pk, r.status_code, r.content[:300])

    times = []
    for k, (pk, version) in enumerate(received[: n + 3]):
        t0 = time.perf_counter()
        triage(pk, version)
        if k >= 3:
            times.append(time.perf_counter() - t0)
    out["triage"] = stats(times)
    print(f"[bench:reuse] triage POST: p95 {ms(out['triage']['p95_s'])}", flush=True)

    today = timezone.localdate()
    date_from, date_to = today - dt.timedelta(days=364), today
    reuse_report(org, date_from, date_to)
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        report = reuse_report(org, date_from, date_to)
        runs.append(time.perf_counter() - t0)
    out["report"] = {
        "median_s": statistics.median(runs),
        "max_s": max(runs),
        "runs": runs,
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "devices_provided": report["devices_provided"],
        "devices_collected": report["devices_collected"],
    }
    print(f"[bench:reuse] report: median {out['report']['median_s']:.3f} s", flush=True)

    out["figures"] = figures(out, judged)
    missed = {r["key"] for r in out["figures"] if r["met"] is False}
    out["profiles"] = {}
    if "scan_to_page" in missed:

        def scans() -> None:
            for tag in tags[:10]:
                r = client.get("/reuse/", {"q": tag})
                client.get(r["Location"])

        out["profiles"]["scan to page × 10 (test client)"] = profile(scans)
    if "triage" in missed:
        spare = received[n + 3 : n + 13]
        out["profiles"]["triage POST × 10 (test client, htmx)"] = profile(
            lambda: [triage(pk, v) for pk, v in spare]
        )
    if "report" in missed:
        out["profiles"]["reuse_report(org, last 365 days)"] = profile(
            lambda: reuse_report(org, date_from, date_to)
        )
    out["total_s"] = time.perf_counter() - t_start
    return out


def figures(r: dict[str, Any], judged: bool) -> list[dict[str, Any]]:
    c = r["chain"]
    sp, tr, rep = r["scan_to_page"], r["triage"], r["report"]
    return [
        row(
            f"Workbench scan to device page ({c['devices']:,} devices, {c['events']:,} events): "
            "server time p95",
            sp["p95_s"],
            "{:.3f} s",
            TARGETS["page_p95_s"],
            judged=judged,
            note=f"p50 {ms(sp['p50_s'])}; scan alone p95 {ms(r['scan']['p95_s'])}, device page "
            f"alone p95 {ms(r['device_page']['p95_s'])}; {sp['n']} scans",
            key="scan_to_page",
        ),
        row(
            "One transition (triage POST, htmx panel): server time p95",
            tr["p95_s"],
            "{:.3f} s",
            TARGETS["page_p95_s"],
            judged=judged,
            note=f"p50 {ms(tr['p50_s'])}, {tr['n']} devices",
            key="triage",
        ),
        row(
            "Period report `reuse_report(org, from, to)`, last 365 days (median)",
            rep["median_s"],
            "{:.2f} s",
            TARGETS["report_s"],
            judged=judged,
            note=f"max {rep['max_s']:.2f} s of {len(rep['runs'])}; {rep['devices_collected']:,} "
            f"devices collected, {rep['devices_provided']:,} provided in the period",
            key="report",
        ),
    ]


def run(quick: bool, **params: Any) -> dict[str, Any]:
    """Measure in a child process; the figures (and profiles of missed targets)."""
    return in_child("reuse", quick, params)


def section(r: dict[str, Any]) -> str:
    c = r["chain"]
    out = [
        f"## Reuse chain: {c['devices']:,} devices, {c['events']:,} events\n",
        f"Written in bulk in a temporary SQLite database ({c['build_s']:.0f} s; `executemany` "
        f"and `bulk_create`, not the services): {c['lots']:,} lots over three years, "
        f"{c['devices']:,} devices in every status of the chain (36 % provided, 15 % shipped "
        f"to recycling, 8 % just received …), {EVENTS_PER_DEVICE} events each, {c['media']:,} "
        f"storage media with {c['wipes']:,} wipe records, {c['provisions']:,} provisions to "
        f"10,000 beneficiaries and 20 partners, {c['repairs']:,} repairs, {c['shipments']:,} "
        "WEEE shipments, 5,000 support sessions. Through Django's test client in the "
        "benchmark's process (server time; 3 warm-ups first), as the organisation's "
        "administrator: a scan is `GET /reuse/?q=<tag>` of a random tag (one match: a redirect) "
        "then the device page it redirects to; the transition is the triage step posted as the "
        "workbench does it (htmx; the answer is the device panel) on a device just received. "
        "The report is `reuse.report.reuse_report` over the last 365 days.",
        "",
        machine_md(r["machine"], r.get("total_s")),
        "",
        *table_md(r["figures"]),
    ]
    if r.get("quick") or r.get("params"):
        out.append("\nA trial run (`--quick` or custom sizes): targets are not judged.")
    out += profiles_md(r.get("profiles", {}))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    child_main(measure, __doc__ or "")
