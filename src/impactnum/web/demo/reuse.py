"""The demo reuse workshop of the city: lots, devices at every stage, wipes, provisions,
beneficiaries, support sessions and WEEE shipments, all through the reuse services."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from impactnum.web.core.models import Organisation

from .fleet import SEED, WEEE, AssetPlan, aware
from .people import CITY

# --- the reuse chain ----------------------------------------------------------------------------
#
# The city runs the reuse workshop (its technicians and managers act on it, its facilitator
# sees the beneficiaries). Lots come from the city's retired fleet (linked both ways to the
# assets), from a company and from citizens; devices are at every stage, with repairs (some
# fixed, some end of life with their barrier), wipes, provisions, support sessions and WEEE
# shipments. Everything goes through `reuse.services` (and `reuse.actions`, `reuse.checklists`).

COMMUNES = (
    "Nevers",
    "Nevers",
    "Nevers",
    "Varennes-Vauzelles",
    "Fourchambault",
    "Coulanges-lès-Nevers",
    "Saint-Éloi",
    "Marzy",
    "Garchizy",
    "Challuy",
)
MASS_KG = {
    "laptop": "2.1",
    "desktop": "6.5",
    "monitor": "4.8",
    "smartphone": "0.19",
    "tablet": "0.5",
    "printer": "9.0",
}
MEDIUM = {"laptop": "ssd", "desktop": "ssd", "smartphone": "flash", "tablet": "flash"}
WIPE = {
    # medium type -> (NIST level, method, tool, version)
    "ssd": ("purge", "ATA Secure Erase", "hdparm", "9.65"),
    "hdd": ("clear", "Écrasement 1 passe + vérification", "nwipe", "0.35"),
    "nvme": ("purge", "NVMe Sanitize (crypto)", "nvme-cli", "2.8"),
    "flash": ("purge", "Réinitialisation usine (effacement cryptographique)", "MDM", "2024.1"),
}
# Where the devices of the lots end up (the lot received today stays at reception).
STAGES = (
    ["provided"] * 26
    + ["shipped"] * 8
    + ["ready"] * 5
    + ["dismantled"] * 3
    + ["in_shipment"] * 3
    + ["to_recycle"] * 3
    + ["to_refurbish"] * 3
    + ["diagnosed"] * 3
    + ["in_repair"] * 3
    + ["qa"] * 3
    + ["reserved"] * 2
    + ["returned"] * 2
    + ["waiting_parts"] * 2
    + ["to_harvest"] * 2
    + ["eol_recycle"] * 2
    + ["lost"]
)
COMPANY_DEVICES = [("laptop", "Dell", "Latitude 7490", 2018)] * 10 + [
    ("monitor", "Dell", "P2419H", 2019)
] * 6
CITIZEN_DEVICES = [
    ("smartphone", "Samsung", "Galaxy S9", 2018),
    ("smartphone", "Apple", "iPhone 8", 2017),
    ("smartphone", "Xiaomi", "Redmi Note 8", 2019),
    ("laptop", "Asus", "VivoBook 15", 2017),
    ("laptop", "Acer", "Aspire 5", 2019),
    ("laptop", "HP", "Pavilion 15", 2016),
    ("tablet", "Samsung", "Galaxy Tab A", 2018),
    ("tablet", "Apple", "iPad 6", 2018),
    ("printer", "Epson", "XP-2100", 2019),
    ("desktop", "Lenovo", "IdeaCentre 310", 2017),
]


@dataclass
class _Chain:
    """The reuse chain being built: who acts, the parties, templates, shipments, tags."""

    rng: random.Random
    today: dt.date
    org: Organisation
    tech: Any
    manager: Any
    facilitator: Any
    parties: dict[str, Any]
    templates: dict[str, Any]
    beneficiaries: list[Any]
    tag: int = 0
    fleet_lots: int = 0

    def next_tag(self) -> str:
        self.tag += 1
        return f"R-{self.tag:04d}"

    def fleet_lot_reference(self, day: dt.date) -> str:
        self.fleet_lots += 1
        return f"PARC-{day:%Y}-{self.fleet_lots:02d}"


def build_reuse(
    users: dict[str, Any],
    orgs: dict[str, Organisation],
    today: dt.date,
    fleets: dict[str, list[tuple[Any, AssetPlan]]],
) -> None:
    from impactnum.web.reuse import actions, checklists
    from impactnum.web.reuse import services as reuse
    from impactnum.web.reuse.choices import PartyKind

    org = orgs[CITY.slug]
    tech, manager, facilitator = users["technicien"], users["manager"], users["mediatrice"]
    rng = random.Random(SEED + 1)

    def party(key: str, kind: str, name: str, **kw: Any) -> tuple[str, Any]:
        return key, actions.create_party(tech, org, kind=kind, name=name, **kw)

    parties = dict(
        [
            party("dsi", PartyKind.CITY_SERVICE, "Ville de Nevers — parc informatique (DTNR)"),
            party(
                "company",
                PartyKind.COMPANY,
                "Mutuelle nivernaise (entreprise fictive)",
                siret="81234567800021",
                receipt_contact="Service achats, 58000 Nevers",
            ),
            party(
                "citizens",
                PartyKind.CITIZEN,
                "Apports de particuliers (déchèterie)",
                receipt_contact="Reçu remis sur place",
            ),
            party(
                "citizen",
                PartyKind.CITIZEN,
                "Particulier (dépôt à la médiathèque)",
                receipt_contact="M. D., Nevers",
            ),
            party("ccas", PartyKind.PUBLIC_BODY, "CCAS de Nevers"),
            party("insertion", PartyKind.ASSOCIATION, "Association d'insertion (fictive)"),
            party("school", PartyKind.SCHOOL, "École élémentaire du Banlay (fictive)"),
            party("recycler", PartyKind.RECYCLER, "Recycleur DEEE agréé (fictif)"),
            party("eco", PartyKind.ECO_ORGANISATION, "ecosystem (éco-organisme)"),
        ]
    )
    templates = {t.kind: t for t in checklists.create_default_templates(tech, org)}
    beneficiaries = [
        reuse.create_beneficiary(
            facilitator,
            org,
            pseudonym=f"B-{n + 1:04d}",
            referring_party=parties[rng.choice(("ccas", "insertion"))],
            eligibility_basis=rng.choice(
                ("social_worker", "minima_sociaux", "jobseeker", "student", "senior")
            ),
            age_bracket=rng.choice(("18_25", "26_39", "40_59", "60_69", "70_plus")),
            commune=rng.choice(COMMUNES),
            consent_follow_up=rng.random() < 0.6,
            last_contact_on=today - dt.timedelta(days=rng.randint(30, 330)),
        )
        for n in range(30)
    ]
    chain = _Chain(rng, today, org, tech, manager, facilitator, parties, templates, beneficiaries)

    # the lots, oldest first, each with its devices: (lot, [device])
    lots = []
    city_fleet = fleets[CITY.slug]
    handed = sorted(
        ((a, p) for a, p in city_fleet if p.fate == "handed"), key=lambda ap: ap[1].fate_on
    )
    last_year = [ap for ap in handed if ap[1].fate_on.year < today.year]
    this_year = [ap for ap in handed if ap[1].fate_on.year == today.year]
    latest = this_year[-8:]  # handed over today, still at reception
    this_year = this_year[: len(this_year) - len(latest)]
    for group in (last_year, this_year):
        if group:
            lots.append(_fleet_lot(chain, group))
    lots.append(
        _lot_of(
            chain, "ENT", "company", "Entreprise", today - dt.timedelta(days=120), COMPANY_DEVICES
        )
    )
    lots.append(
        _lot_of(
            chain,
            "DEC",
            "citizens",
            "Déchèterie",
            today - dt.timedelta(days=75),
            CITIZEN_DEVICES,
            origin="reutilisation",
        )
    )
    lots.append(
        _lot_of(
            chain,
            "MED",
            "citizen",
            "Médiathèque",
            today - dt.timedelta(days=20),
            CITIZEN_DEVICES[:4],
        )
    )

    devices = [(lot, d) for lot, group in lots for d in group]
    stages = list(STAGES)
    while len(stages) < len(devices):
        stages.append(rng.choice(("provided", "provided", "shipped", "ready")))
    rng.shuffle(stages)
    shipped = actions.create_shipment(
        tech, org, recycler=parties["eco"], weee_category="6", weight_kg=Decimal(0)
    )
    open_shipment = actions.create_shipment(
        tech, org, recycler=parties["recycler"], weee_category="6", weight_kg=Decimal(0)
    )
    for (lot, device), stage in zip(devices, stages, strict=False):
        _advance(chain, lot, device, stage, shipped, open_shipment)
    if shipped.devices.exists():
        masses = sum((d.mass_kg or 0 for d in shipped.devices.all()), Decimal(0))
        actions.ship_with_certificate(
            tech,
            shipped,
            tracking_reference=f"BSD-{today:%Y%m%d}-0042",
            weight_kg=masses.quantize(Decimal("0.01")),
            on=today - dt.timedelta(days=5),
        )

    # the last hand-over: a lot from the city's fleet received today, still to triage
    if latest:
        lot = reuse.receive_lot(
            tech,
            org,
            reference=chain.fleet_lot_reference(today),
            donor=parties["dsi"],
            received_on=today,
            site="Centre technique municipal",
            items_declared=len(latest),
            weight_kg=_lot_weight(a.kind for a, _p in latest),
        )
        for asset, _plan in latest:
            reuse.hand_over_from_fleet(
                tech,
                asset,
                lot,
                asset_tag=chain.next_tag(),
                media=_media(chain, asset.kind),
                reuse_proof=f"Bon d'enlèvement {lot.reference}",
            )
    _support_sessions(chain)


def _lot_weight(kinds: Any) -> Decimal:
    return sum((Decimal(MASS_KG.get(k, "3")) for k in kinds), Decimal(0)) + Decimal("4.00")


def _media(chain: _Chain, kind: str) -> list[dict[str, Any]]:
    medium = MEDIUM.get(kind)
    if medium is None:
        return []
    capacity = {"ssd": 256, "flash": 64}[medium]
    return [
        {
            "type": medium,
            "serial_number": f"M{chain.rng.randrange(16**8):08X}",
            "capacity_gb": capacity,
        }
    ]


def _fleet_lot(chain: _Chain, group: list[tuple[Any, AssetPlan]]) -> tuple[Any, list[Any]]:
    """Retired city assets handed to the workshop on the day of their move (the same writes
    as `reuse.services.hand_over_from_fleet`, dated that day: the asset's move with its proof,
    then the device in the lot, linked to the asset)."""
    from impactnum.web.fleet import services as fleet
    from impactnum.web.fleet.choices import AssetStatus
    from impactnum.web.reuse import services as reuse

    day = group[-1][1].fate_on
    lot = reuse.receive_lot(
        chain.tech,
        chain.org,
        reference=chain.fleet_lot_reference(day),
        donor=chain.parties["dsi"],
        received_on=day,
        site="Centre technique municipal",
        items_declared=len(group),
        weight_kg=_lot_weight(a.kind for a, _p in group),
    )
    devices = []
    for asset, plan in group:
        fleet.change_status(
            chain.tech,
            asset,
            AssetStatus.HANDED_TO_REUSE,
            on=plan.fate_on,
            reuse_proof=f"Bon d'enlèvement {lot.reference}",
        )
        devices.append(
            reuse.register_device(
                chain.tech,
                lot,
                asset_tag=chain.next_tag(),
                media=_media(chain, asset.kind),
                fleet_asset=asset,
                kind=asset.kind,
                brand=asset.manufacturer,
                model=asset.model,
                serial_number=asset.serial_number,
                year=asset.purchase_date.year,
                mass_kg=Decimal(MASS_KG.get(asset.kind, "3")),
                weee_category=asset.weee_category,
            )
        )
    return lot, devices


def _lot_of(
    chain: _Chain,
    code: str,
    donor: str,
    site: str,
    day: dt.date,
    specs: list[tuple[str, str, str, int]],
    origin: str = "reemploi",
) -> tuple[Any, list[Any]]:
    from impactnum.web.reuse import services as reuse

    lot = reuse.receive_lot(
        chain.tech,
        chain.org,
        reference=f"{code}-{day:%Y%m%d}",
        donor=chain.parties[donor],
        received_on=day,
        site=site,
        items_declared=len(specs),
        weight_kg=_lot_weight(k for k, *_rest in specs),
        origin=origin,
    )
    devices = []
    for kind, brand, model, year in specs:
        devices.append(
            reuse.register_device(
                chain.tech,
                lot,
                asset_tag=chain.next_tag(),
                media=_media(chain, kind),
                kind=kind,
                brand=brand,
                model=model,
                year=year,
                serial_number=f"{brand[:2].upper()}{chain.rng.randrange(16**7):07X}",
                mass_kg=Decimal(MASS_KG[kind]),
                weee_category=WEEE.get(kind, "6"),
                battery_health_pct=chain.rng.randint(60, 95)
                if kind in ("laptop", "smartphone", "tablet")
                else None,
            )
        )
    return lot, devices


PRICES = {
    "laptop": 120,
    "desktop": 90,
    "tablet": 60,
    "smartphone": 60,
    "monitor": 20,
    "printer": 20,
}
"""Solidarity prices (TTC €) of the demo, under the caps of devices a public body gave away."""
THEMES = (
    "equipement-informatique",
    "navigation-internet",
    "email",
    "demarches-en-ligne",
    "securite-numerique",
    "bureautique",
    "sante",
    "insertion-professionnelle",
)


def _wipe(chain: _Chain, device: Any, on: dt.date, *, destroy: bool = False) -> None:
    """A successful sanitisation of every medium the device holds or held."""
    from impactnum.web.reuse import services as reuse
    from impactnum.web.reuse.models import StorageMedium

    started = aware(on, 9 + chain.rng.randint(0, 7), chain.rng.choice((0, 15, 30, 45)))
    for medium in StorageMedium.objects.filter(device=device) | StorageMedium.objects.filter(
        removed_from=device
    ):
        if destroy:
            level, method, tool, version = "destroy", "Broyage", "Broyeur du recycleur", ""
        else:
            level, method, tool, version = WIPE[medium.type]
        reuse.record_sanitisation(
            chain.tech,
            medium,
            level=level,
            method=method,
            tool=tool,
            tool_version=version,
            verification="complète" if level != "destroy" else "visuelle",
            result="success",
            started_at=started,
            ended_at=started + dt.timedelta(minutes=chain.rng.randint(10, 70)),
        )


def _advance(
    chain: _Chain, lot: Any, device: Any, stage: str, shipped: Any, open_shipment: Any
) -> None:
    """Take one device of a lot through the services to `stage` (a status, or `eol_recycle`:
    a repair that ended in end of life, then recycling)."""
    from impactnum.web.fleet.choices import RepairBarrier
    from impactnum.web.reuse import services as reuse
    from impactnum.web.reuse.models import Part, StorageMedium

    rng, tech = chain.rng, chain.tech

    def day(low: int, high: int) -> dt.date:
        return min(lot.received_on + dt.timedelta(days=rng.randint(low, high)), chain.today)

    if stage in ("to_harvest", "dismantled"):
        reuse.triage(tech, device, "parts", "Carte mère hors service : pièces détachées")
        for medium in StorageMedium.objects.filter(device=device):
            reuse.remove_medium(tech, medium)
        _wipe(chain, device, day(3, 10), destroy=True)
        reuse.harvest_part(tech, device, f"Barrette mémoire 8 Go ({device.asset_tag})")
        if stage == "dismantled":
            reuse.harvest_part(tech, device, f"Bloc d'alimentation ({device.asset_tag})")
            reuse.change_status(tech, device, "dismantled")
        return
    if stage in ("to_recycle", "in_shipment", "shipped"):
        reuse.triage(tech, device, "recycling", f"Trop ancien pour le réemploi ({device.year})")
        if stage != "to_recycle":
            _wipe(chain, device, day(3, 10), destroy=True)
            reuse.add_to_shipment(tech, shipped if stage == "shipped" else open_shipment, device)
        return
    reuse.triage(tech, device, "reuse")
    if stage == "to_refurbish":
        return
    if stage == "lost":
        reuse.change_status(tech, device, "lost", reason="Introuvable à l'inventaire de l'atelier")
        return
    template = chain.templates[device.kind]
    codes = [item["code"] for item in template.items]
    broken = stage in ("in_repair", "waiting_parts", "eol_recycle") or rng.random() < 0.3
    failing = rng.choice([c for c in codes if c not in ("power", "boot")] or codes)
    reuse.diagnose(
        tech, device, template, {c: "fail" if broken and c == failing else "pass" for c in codes}
    )
    if stage == "diagnosed":
        return
    if broken:
        reuse.change_status(tech, device, "in_repair")
        if stage == "in_repair":
            return
        if stage == "waiting_parts":
            reuse.change_status(tech, device, "waiting_parts", reason="Pièce commandée")
            return
        if stage == "eol_recycle":
            barrier = rng.choice(list(RepairBarrier))
            reuse.record_repair(
                tech,
                device,
                problem=f"Échec au diagnostic : {failing}",
                outcome="end_of_life",
                barrier=barrier,
                actions="Démontage, recherche de pièce",
                minutes_spent=rng.choice((30, 45, 60)),
                on=day(5, 20),
            )
            reuse.change_status(
                tech, device, "to_recycle", reason=f"Réparation impossible : {barrier.label}"
            )
            _wipe(chain, device, day(20, 25), destroy=True)
            reuse.add_to_shipment(tech, shipped, device)
            return
        part = Part.objects.filter(organisation=chain.org, in_stock=True).first()
        reuse.record_repair(
            tech,
            device,
            problem=f"Échec au diagnostic : {failing}",
            outcome="fixed",
            actions="Pièce remplacée" if part else "Nettoyage et remise en état",
            minutes_spent=rng.choice((20, 40, 60, 90)),
            parts=[part] if part and rng.random() < 0.5 else [],
            on=day(5, 20),
        )
    reuse.change_status(tech, device, "qa")
    if stage == "qa":
        return
    _wipe(chain, device, day(6, 25))
    reuse.release(
        tech,
        device,
        checklist_passed=True,
        grade=rng.choice("AABBC"),
        battery_health_pct=device.battery_health_pct,
    )
    if stage == "ready":
        return
    if stage == "reserved":
        reuse.change_status(tech, device, "reserved")
        return
    on = day(25, 60)
    roll = rng.random()
    if stage == "returned":
        reuse.provide(
            tech, device, type_="loan", beneficiary=rng.choice(chain.beneficiaries), on=on
        )
        reuse.change_status(tech, device, "returned", reason="Fin du prêt")
    elif roll < 0.55:
        reuse.provide(
            tech,
            device,
            type_="solidarity_sale",
            beneficiary=rng.choice(chain.beneficiaries),
            price_eur=Decimal(PRICES.get(device.kind, 20)),
            on=on,
        )
    elif roll < 0.8:
        reuse.provide(
            tech,
            device,
            type_="donation",
            beneficiary=rng.choice(chain.beneficiaries),
            unit_value_eur=Decimal(150),
            on=on,
        )
    else:
        reuse.provide(
            tech,
            device,
            type_="donation",
            recipient=chain.parties[rng.choice(("school", "insertion"))],
            unit_value_eur=Decimal(150),
            on=on,
        )


def _support_sessions(chain: _Chain) -> None:
    from impactnum.web.reuse import services as reuse

    rng = chain.rng
    for n in range(48):
        on = chain.today - dt.timedelta(days=rng.randint(0, 330))
        themes = ",".join(sorted(rng.sample(THEMES, rng.randint(1, 3))))
        if n % 6 == 5:
            reuse.record_support_session(
                chain.facilitator,
                chain.org,
                group_label="Atelier collectif à la médiathèque",
                group_size=rng.randint(5, 10),
                date=on,
                minutes=120,
                themes=themes,
            )
        else:
            reuse.record_support_session(
                chain.facilitator,
                chain.org,
                beneficiary=rng.choice(chain.beneficiaries),
                date=on,
                minutes=rng.choice((30, 45, 60, 90)),
                themes=themes,
                autonomy=rng.choice(("beginner", "guided", "autonomous")),
            )
