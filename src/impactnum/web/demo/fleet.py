"""The demo fleet: about 1,500 assets of the city and the agglomeration over twelve years, with
repairs, retirements, recycling, hand-overs to the reuse chain and other AGEC purchases."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from impactnum.web.core.models import Organisation

from .people import AGGLO, CITY

# --- the fleet ----------------------------------------------------------------------------------
#
# About 1,500 assets bought over the last twelve years by the city and the agglomeration. The
# plain ones (in service, in stock, spare, ordered, and those retired and gone before last year)
# are written in one go by the imports' bulk path (`fleet.imports.bulk`: the same rows and one
# `imported` event each, as an import of the city's GLPI history would); everything that happens
# from the year before last on (retirements, hand-overs to the reuse chain, recycling, repairs,
# losses) goes through `fleet.services`, so every guard and event is the services'. One seeded
# `random.Random`: the same demo every time, its dates relative to the day it is loaded.

SEED = 58000  # Nevers' postcode
FLEET_SIZES = {CITY.slug: 1000, AGGLO.slug: 500}
FLEET_PREFIX = {CITY.slug: "VN", AGGLO.slug: "NA"}
HISTORY_YEARS = 12

LIFESPAN_POLICIES = {
    # Nevers extended the lifespan of its PCs from 5 to 7 years (the project
    # examples/pc-lifespan-5-to-7-years.toml); the other kinds are demo assumptions.
    "laptop": 7,
    "desktop": 7,
    "monitor": 8,
    "smartphone": 4,
    "tablet": 5,
    "printer": 6,
    "server": 7,
    "network_equipment": 8,
}

DEPARTMENTS = {
    CITY.slug: (
        "Direction générale des services",
        "État civil et citoyenneté",
        "Éducation et écoles",
        "Police municipale",
        "Services techniques",
        "Culture et médiathèque",
        "Sports et vie associative",
        "Direction du Territoire numérique responsable",
    ),
    AGGLO.slug: (
        "Eau et assainissement",
        "Collecte et valorisation des déchets",
        "Développement économique",
        "Mobilités",
        "Finances et ressources humaines",
        "Direction du Territoire numérique responsable",
    ),
}
LOCATIONS = {
    CITY.slug: (
        "Hôtel de ville",
        "Centre technique municipal",
        "Médiathèque",
        "Groupes scolaires",
        "Poste de police municipale",
        "Maison des sports",
    ),
    AGGLO.slug: (
        "Siège de l'agglomération",
        "Usine de traitement des eaux",
        "Déchèterie",
        "Centre d'exploitation",
    ),
}

# kind -> (weight in the fleet, [(manufacturer, model, price new excl. VAT €, storage)])
CATALOGUE: dict[str, tuple[float, list[tuple[str, str, int, str]]]] = {
    "laptop": (
        34,
        [
            ("Lenovo", "ThinkPad T14", 950, "SSD 512 Go"),
            ("Dell", "Latitude 5440", 900, "SSD 256 Go"),
            ("HP", "EliteBook 840", 1000, "SSD 512 Go"),
        ],
    ),
    "desktop": (
        24,
        [
            ("Dell", "OptiPlex 7010", 700, "SSD 256 Go"),
            ("Lenovo", "ThinkCentre M70q", 650, "SSD 256 Go"),
            ("HP", "ProDesk 400", 620, "HDD 500 Go"),
        ],
    ),
    "monitor": (
        22,
        [
            ("Dell", "P2422H", 180, ""),
            ("Iiyama", "ProLite XU2493", 150, ""),
            ("Philips", "242B1", 170, ""),
        ],
    ),
    "smartphone": (
        10,
        [
            ("Samsung", "Galaxy A54", 330, "Flash 128 Go"),
            ("Apple", "iPhone SE", 450, "Flash 64 Go"),
            ("Fairphone", "Fairphone 5", 600, "Flash 256 Go"),
        ],
    ),
    "tablet": (
        4,
        [
            ("Samsung", "Galaxy Tab A8", 220, "Flash 64 Go"),
            ("Apple", "iPad 10", 480, "Flash 64 Go"),
        ],
    ),
    "printer": (4, [("Brother", "HL-L5100DN", 350, ""), ("HP", "LaserJet Pro 4002", 330, "")]),
    "network_equipment": (
        1.5,
        [("Cisco", "Catalyst 9200", 2400, ""), ("HPE Aruba", "2930F", 1900, "")],
    ),
    "server": (0.5, [("Dell", "PowerEdge R650", 6500, "SSD 4 × 960 Go")]),
}
WEEE = {"monitor": "2", "server": "4"}  # every other kind: 6° small IT
SUPPLIERS = ("UGAP", "Centrale d'achat régionale (fictive)", "Distributeur informatique (fictif)")
REFURBISHER = "Reconditionneur de l'ESS (fictif)"
DONORS = ("Don d'une entreprise nivernaise (fictive)", "Don de la Banque alimentaire (fictif)")
REPAIR_PROBLEMS = (
    ("Batterie qui ne tient plus la charge", "Batterie remplacée", "Batterie", 65),
    ("Écran fissuré", "Dalle remplacée", "Dalle 14 pouces", 90),
    ("Clavier : touches inopérantes", "Clavier remplacé", "Clavier", 45),
    ("Ne démarre plus", "Alimentation remplacée", "Bloc d'alimentation", 35),
    ("Lenteurs, disque en fin de vie", "Disque remplacé par un SSD, système réinstallé", "SSD", 40),
    ("Connecteur de charge cassé", "Connecteur ressoudé", "", 0),
)
RETIREMENT_REASONS = (
    "Réparation plus chère que la valeur résiduelle",
    "Ne supporte plus le système à jour",
    "Casse non réparable (chute)",
)


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A day from `first` to `last` included (`first` when the range is empty)."""
    return first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _years_after(day: dt.date, years: float) -> dt.date:
    return day + dt.timedelta(days=round(years * 365.25))


def aware(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass
class AssetPlan:
    """What happens to one generated asset (decided before anything is written)."""

    item: dict[str, Any]
    retire_on: dt.date | None = None
    fate: str = ""  # "", "handed", "recycled": what follows the retirement
    fate_on: dt.date | None = None
    repair: bool = False


def _generate_fleet(
    org: Organisation,
    today: dt.date,
    departments: list[Any],
    locations: list[Any],
) -> list[AssetPlan]:
    """The assets of one organisation and their fate, deterministic for a given `today`."""
    from impactnum.web.fleet.choices import AssetStatus

    y0 = today.year
    jan1_before_last = dt.date(y0 - 2, 1, 1)
    kinds = list(CATALOGUE)
    weights = [CATALOGUE[k][0] for k in kinds]
    # purchases per year of age: fewer long ago, the current year only partly elapsed
    year_weights = [5, 6, 7, 8, 9, 9, 10, 10, 11, 11, 12, 6]
    prefix = FLEET_PREFIX[org.slug]
    police = next((d for d in departments if d.name == "Police municipale"), None)
    plans = []
    for n in range(FLEET_SIZES[org.slug]):
        # one generator per asset: its kind, model and identifiers do not depend on the day
        rng = random.Random(f"{SEED}:{org.slug}:{n}")
        kind = rng.choices(kinds, weights)[0]
        manufacturer, model, price_new, storage = rng.choice(CATALOGUE[kind][1])
        age = rng.choices(range(HISTORY_YEARS), year_weights)[0]  # 0 = bought this year
        year = y0 - (HISTORY_YEARS - 1) + age
        bought = _between(rng, dt.date(year, 1, 1), min(dt.date(year, 12, 31), today))
        recent = year >= y0 - 1
        refurb_rate = 0.3 if recent else (0.12 if year >= y0 - 5 else 0.0)
        refurbished = kind in ("laptop", "desktop", "smartphone", "monitor") and (
            rng.random() < refurb_rate
        )
        donation = recent and kind in ("laptop", "desktop") and rng.random() < 0.03
        recycled = not refurbished and kind in ("monitor", "printer") and rng.random() < 0.25
        price = price_new * (0.55 if refurbished else 1.0) * rng.uniform(0.9, 1.1)
        department = rng.choice(departments)
        item: dict[str, Any] = {
            "kind": kind,
            "manufacturer": manufacturer,
            "model": model,
            "serial_number": f"{manufacturer[:2].upper()}{prefix}{n:05d}{rng.randrange(4096):03X}",
            "inventory_number": f"{prefix}-{n:05d}",
            "department_id": department.pk,
            "location_id": rng.choice(locations).pk,
            "assigned_to": f"agent-{rng.randint(100, 999)}" if kind == "laptop" else "",
            "purchase_date": bought,
            "price_excl_vat": None if donation else _money(price),
            "price_incl_vat": None if donation else _money(price * 1.2),
            "supplier": rng.choice(DONORS)
            if donation
            else (REFURBISHER if refurbished else rng.choice(SUPPLIERS)),
            "order_reference": "" if donation else f"BC-{year}-{rng.randint(1, 400):04d}",
            "warranty_end": _years_after(bought, 1 if refurbished or donation else 3),
            "bought_refurbished": refurbished,
            "recycled_material": recycled,
            "received_as_donation": donation,
            "donation_value": _money(rng.choice((150, 200, 250))) if donation else None,
            "storage_media": storage,
            "weee_category": WEEE.get(kind, "6"),
            "classified": kind in ("server", "network_equipment")
            or (kind == "laptop" and department == police),
            "status": AssetStatus.IN_SERVICE,
        }
        plan = AssetPlan(item)
        life = LIFESPAN_POLICIES[kind]
        # kept a little less or (often) longer than the policy: some pass ten years
        retire = _years_after(bought, life + rng.choice((-1, 0, 0.5, 1, 1.5, 2, 3, 4)))
        if today < retire <= today + dt.timedelta(days=180) and rng.random() < 0.3:
            retire = _between(rng, dt.date(y0, 1, 1), today)  # a little early, this year
        if age == HISTORY_YEARS - 1 and n % 9 == 0:
            retire = today + dt.timedelta(days=400)  # a few very old devices still in service
        if retire < jan1_before_last:  # retired and gone before the year before last
            fate = rng.choices(("handed", "recycled", "keep"), (55, 35, 10))[0]
            if fate != "keep":
                left = min(
                    retire + dt.timedelta(days=rng.randint(20, 150)),
                    jan1_before_last - dt.timedelta(days=1),
                )
                handed = fate == "handed"
                item.update(
                    status=AssetStatus.HANDED_TO_REUSE if handed else AssetStatus.RECYCLED,
                    retired_on=retire,
                    retirement_reason="Fin de vie",
                    reuse_proof=f"Convention de don n° {left.year}-{n % 40 + 1:02d}"
                    if handed
                    else "",
                    status_changed_at=aware(left),
                )
        elif retire <= today:
            plan.retire_on = max(retire, bought + dt.timedelta(days=1))
        elif rng.random() < 0.07 and bought < today - dt.timedelta(days=120):
            plan.repair = True
        elif year == y0 and rng.random() < 0.15:
            item["status"] = AssetStatus.IN_STOCK
        elif rng.random() < 0.02:
            item["status"] = AssetStatus.SPARE
        plans.append(plan)
    for n in range(3):  # ordered, not delivered yet
        manufacturer, model, price_new, storage = CATALOGUE["laptop"][1][n]
        plans.append(
            AssetPlan(
                {
                    "kind": "laptop",
                    "manufacturer": manufacturer,
                    "model": model,
                    "inventory_number": f"{prefix}-CMD-{n + 1:03d}",
                    "price_excl_vat": _money(price_new),
                    "price_incl_vat": _money(price_new * 1.2),
                    "supplier": SUPPLIERS[0],
                    "order_reference": f"BC-{y0}-{900 + n}",
                    "storage_media": storage,
                    "weee_category": "6",
                    "status": AssetStatus.ORDERED,
                }
            )
        )
    return plans


def _decide_fates(rng: random.Random, plans: list[AssetPlan], today: dt.date) -> None:
    """Décret 2023-266 needs retired stock on 1 January and hand-overs in the year: of the
    devices retired before a year, about half are handed to reuse during it, some recycled."""
    y0 = today.year
    for p in plans:
        if p.retire_on is None or p.retire_on.year >= y0:
            continue
        in_scope = not p.item["classified"] and p.item["weee_category"] in ("2", "6")
        next_year = p.retire_on.year + 1
        first = dt.date(next_year, 1, 1)
        last = min(dt.date(next_year, 12, 31), today)
        roll = rng.random()
        if in_scope and roll < 0.5:
            p.fate, p.fate_on = "handed", _between(rng, first, last)
        elif roll < 0.7:
            p.fate, p.fate_on = "recycled", _between(rng, first, last)


def build_fleet(
    users: dict[str, Any], orgs: dict[str, Organisation], today: dt.date
) -> dict[str, list[tuple[Any, AssetPlan]]]:
    """Policies, departments, locations, the assets and their history, purchases of other
    categories; returns each organisation's (asset, plan) pairs for the reuse chain."""
    from impactnum.web.fleet import services as fleet
    from impactnum.web.fleet.imports import bulk
    from impactnum.web.fleet.models import Asset

    admin, tech = users["admin"], users["technicien"]
    rng = random.Random(SEED)
    out: dict[str, list[tuple[Any, AssetPlan]]] = {}
    for slug in (CITY.slug, AGGLO.slug):
        org = orgs[slug]
        for kind, years in LIFESPAN_POLICIES.items():
            fleet.set_lifespan_policy(admin, org, kind, years)
        departments = [fleet.add_department(admin, org, name) for name in DEPARTMENTS[slug]]
        locations = [fleet.add_location(admin, org, name) for name in LOCATIONS[slug]]
        plans = _generate_fleet(org, today, departments, locations)
        _decide_fates(rng, plans, today)
        bulk.create_assets(org.pk, [p.item for p in plans], actor_id=tech.pk, now=timezone.now())
        by_inventory = {a.inventory_number: a for a in Asset.objects.filter(organisation=org)}
        pairs = [(by_inventory[p.item["inventory_number"]], p) for p in plans]
        _fleet_history(rng, tech, pairs, today, reuse_chain=slug == CITY.slug)
        _purchases(org, today)
        out[slug] = pairs
    return out


def _fleet_history(
    rng: random.Random,
    tech: Any,
    pairs: list[tuple[Any, AssetPlan]],
    today: dt.date,
    *,
    reuse_chain: bool,
) -> None:
    """Retirements, recycling, repairs and losses through the services. With `reuse_chain`
    (the city runs the reuse workshop), hand-overs are left to `build_reuse`, which registers
    each device in a lot; otherwise they are recorded with their proof only."""
    from impactnum.web.fleet import services as fleet
    from impactnum.web.fleet.choices import AssetStatus, RepairBarrier, RepairOutcome

    for asset, p in pairs:
        if p.retire_on is not None:
            life = LIFESPAN_POLICIES[asset.kind]
            young = (p.retire_on - asset.purchase_date).days < life * 365.25
            reason = rng.choice(RETIREMENT_REASONS) if young else ""
            fleet.change_status(tech, asset, AssetStatus.RETIRED, reason=reason, on=p.retire_on)
            if p.fate == "recycled":
                fleet.change_status(tech, asset, AssetStatus.RECYCLED, on=p.fate_on)
            elif p.fate == "handed" and not reuse_chain:  # proof only: no device registered
                fleet.change_status(
                    tech,
                    asset,
                    AssetStatus.HANDED_TO_REUSE,
                    on=p.fate_on,
                    reuse_proof=f"Bon d'enlèvement de l'atelier de réemploi n° {p.fate_on:%Y%m%d}",
                )
        elif p.repair:
            opened = _between(
                rng,
                max(asset.purchase_date + dt.timedelta(days=60), today - dt.timedelta(days=600)),
                today - dt.timedelta(days=2),
            )
            if rng.random() < 0.25:  # a share in the current year
                opened = _between(rng, max(dt.date(today.year, 1, 1), opened), today)
            problem, actions, parts, cost = rng.choice(REPAIR_PROBLEMS)
            repair = fleet.open_repair(tech, asset, problem=problem, opened_on=opened)
            closed = min(opened + dt.timedelta(days=rng.randint(1, 15)), today)
            roll = rng.random()
            if roll < 0.08 or closed == opened == today:
                continue  # still open: the asset is in repair
            if roll < 0.75:
                fleet.close_repair(
                    tech,
                    repair,
                    outcome=RepairOutcome.FIXED,
                    actions=actions,
                    parts=parts,
                    parts_cost=_money(cost * rng.uniform(0.8, 1.3)) if cost else Decimal(0),
                    minutes_spent=rng.choice((30, 45, 60, 90, 120)),
                    closed_on=closed,
                )
            else:
                barrier = rng.choice(list(RepairBarrier))
                fleet.close_repair(
                    tech,
                    repair,
                    outcome=RepairOutcome.END_OF_LIFE,
                    barrier=barrier,
                    actions="Diagnostic",
                    minutes_spent=30,
                    closed_on=closed,
                )
                fleet.change_status(
                    tech,
                    asset,
                    AssetStatus.RETIRED,
                    reason=f"Réparation impossible : {barrier.label}",
                    on=closed,
                )
    phones = [
        a
        for a, p in pairs
        if a.kind == "smartphone" and p.retire_on is None and not p.repair
        if p.item["status"] == AssetStatus.IN_SERVICE
    ]
    for asset in phones[:2]:
        fleet.change_status(
            tech,
            asset,
            AssetStatus.LOST_STOLEN,
            reason="Vol déclaré (dépôt de plainte)",
            on=today - dt.timedelta(days=40),
        )


# Other AGEC art. 58 categories (no service writes them: the model is validated, then saved).
# (category, total excl. VAT €, of which reuse, donations, recycled, comment) per year; the
# agglomeration buys about half as much.
PURCHASES = (
    ("print_consumables", 18400, 2600, 0, 0, "Cartouches remanufacturées pour une part"),
    ("reprography", 32000, 6400, 0, 3100, "Copieurs multifonctions"),
    ("furniture", 45000, 9000, 1500, 4200, "Mobilier de bureau, dont mobilier de réemploi"),
)


def _purchases(org: Organisation, today: dt.date) -> None:
    from impactnum.web.fleet.models import Purchase

    scale = 1.0 if org.slug == CITY.slug else 0.5
    for year, factor in ((today.year - 1, 1.0), (today.year, 0.6)):
        for category, total, reuse, donations, recycled, comment in PURCHASES:
            row = Purchase(
                organisation=org,
                year=year,
                category=category,
                amount_total=_money(total * scale * factor),
                amount_reuse=_money(reuse * scale * factor),
                amount_donations=_money(donations * scale * factor),
                amount_recycled=_money(recycled * scale * factor),
                comment=comment,
            )
            row.full_clean()
            row.save()
