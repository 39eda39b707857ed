"""Deterministic demo data modelled on Nevers: the city, its agglomeration, a partner association.

The city (commune) and Nevers Agglomération (EPCI) share one digital direction (the DTNR,
*Direction mutualisée du Territoire numérique responsable*, nevers-article-2022-fr.txt): the same
people are members of both. A partner association refurbishes equipment (a fictitious one: its
name and SIRET are invented). One person per role logs in with `DEMO_PASSWORD`.

The four projects are the project files in `examples/*.toml` (figures and sources are there),
read with `tomllib`, checked with `impactnum.io.project_toml.load_project`, and written through
the services only, like a person would through the pages. `DEMO_ADDITIONS` adds what the files
do not carry (one SROI outcome, clearly marked as an illustrative assumption). Each project gets
one saved snapshot. Dates (snapshot labels) are relative to the day the demo is loaded.

The city and the agglomeration also get a fleet (about 1,500 assets bought over twelve years,
new, refurbished or donated, with repairs, retirements, recycling and hand-overs to the reuse
chain, and purchases of other AGEC categories), and the city runs a reuse workshop (lots from
its retired fleet, a company and citizens; devices at every stage; wipes, provisions,
beneficiaries, support sessions, WEEE shipments): see `_build_fleet` and `_build_reuse`. One
seeded `random.Random` per purpose: the same demo for the same day; every date is relative to
the day the demo is loaded, so that each indicator, quota, declaration and report has figures.
"""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from impactnum.io.project_toml import load_project
from impactnum.web.core import services as core_services
from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation

DEMO_PASSWORD = "demo-impactnum"
"""The password of every demo account (the local profile only; production shows none)."""

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "examples"


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    kind: str
    siret: str


CITY = DemoOrganisation("ville-nevers", "Ville de Nevers", "commune", "21580194300014")
AGGLO = DemoOrganisation("nevers-agglomeration", "Nevers Agglomération", "epci", "20004089100018")
ASSOCIATION = DemoOrganisation(
    "atelier-reemploi-nivernais",
    "Atelier du réemploi nivernais (association fictive)",
    "association",
    "81234567800013",  # invented, Luhn-valid
)
ORGANISATIONS = (CITY, AGGLO, ASSOCIATION)


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    title: str
    roles: dict[str, str] = field(default_factory=dict)  # organisation slug -> role

    def description(self) -> str:
        """E.g. 'Directrice DTNR — administrator: Ville de Nevers + Nevers Agglomération'."""
        names = {o.slug: o.name for o in ORGANISATIONS}
        by_role: dict[str, list[str]] = {}
        for slug, role in self.roles.items():
            by_role.setdefault(role, []).append(names[slug])
        where = "; ".join(f"{role}: {' + '.join(orgs)}" for role, orgs in by_role.items())
        return f"{self.title} — {where}"


def _shared(role: str) -> dict[str, str]:
    """The same role in the city and the agglomeration (the shared digital direction)."""
    return {CITY.slug: role, AGGLO.slug: role}


PEOPLE = (
    DemoPerson("admin", "Claire", "Martin", "Directrice DTNR", _shared("administrator")),
    DemoPerson("manager", "Karim", "Benali", "Chef de projet numérique", _shared("manager")),
    DemoPerson(
        "technicien", "Julien", "Moreau", "Technicien parc informatique", _shared("technician")
    ),
    DemoPerson("mediatrice", "Sophie", "Lambert", "Conseillère numérique", _shared("facilitator")),
    DemoPerson("elu", "Bernard", "Dupuis", "Élu, lit les rapports", _shared("viewer")),
    DemoPerson(
        "reemploi",
        "Nadia",
        "Roussel",
        "Coordinatrice de l'atelier de réemploi",
        {ASSOCIATION.slug: "manager"},
    ),
)
ACTOR = "manager"
"""The person who creates the demo projects (a manager of both public organisations)."""


@dataclass(frozen=True)
class DemoProject:
    file: str
    organisation: str  # slug
    status: str = "active"


PROJECTS = (
    DemoProject("leak-detection-dataloggers.toml", AGGLO.slug),
    DemoProject("dimmable-public-lighting.toml", CITY.slug),
    DemoProject("pc-lifespan-5-to-7-years.toml", CITY.slug),
    DemoProject("refurbished-purchases.toml", CITY.slug),
)

DEMO_ADDITIONS: dict[str, dict[str, dict[str, Any]]] = {
    # file -> scenario name -> {"social": {...}, "sroi": [...]}
    "refurbished-purchases.toml": {
        "refurbished": {
            "social": {"people_equipped": 40},
            "sroi": [
                {
                    "outcome": "Foyers équipés d'un PC portable reconditionné (prix solidaire)",
                    "stakeholder": "Foyers en précarité numérique",
                    "indicator": "people_equipped",
                    # ASSUMPTION (demo): the 40 laptops the city retires each year go to the
                    # partner association, which refurbishes them and sells them at a solidarity
                    # price (REEN art. 16; CGPPP L.3212-2 3°).
                    "quantity": 40,
                    "proxy_eur": 180,
                    "proxy_source": (
                        "Plafond du prix solidaire d'un PC portable, 180 € TTC (décret du "
                        "7 nov. 2022), FACTS-rules-and-social.md §4 — hypothèse de démonstration"
                    ),
                    "deadweight": 0.1,
                    "attribution": 0.5,
                    "displacement": 0.0,
                    "drop_off": 0.33,
                    "duration_years": 3,
                }
            ],
        }
    },
}

_EQUIPMENT_KEYS = (
    "label",
    "kind",
    "quantity",
    "lifespan_years",
    "refurbished",
    "kwh_per_year",
    "active_w",
    "idle_w",
    "hours_per_day",
    "days_per_year",
    "country",
    "in_datacenter",
    "pue",
)
_NETWORK_KEYS = ("label", "kind", "gb_per_year")
_AVOIDED_KEYS = ("label", "flow", "quantity_per_year", "low", "high")
_COST_KEYS = ("capex", "opex_per_year", "avoided_costs_per_year")
# What the project files hold and the database does not (yet): sources, descriptions of
# scenarios, the country of an avoided flow and cost ranges. The calculation then uses the
# factor set's defaults for them (central costs, the set's default electricity country).


def _pick(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: row[k] for k in keys if k in row}


def demo_org_slugs() -> list[str]:
    return [o.slug for o in ORGANISATIONS]


def demo_accounts() -> list[tuple[str, str]]:
    """(username, description) of the demo people present in the database."""
    present = set(
        get_user_model()
        .objects.filter(username__in=[p.username for p in PEOPLE])
        .values_list("username", flat=True)
    )
    return [(p.username, p.description()) for p in PEOPLE if p.username in present]


def demo_loaded() -> bool:
    return Organisation.objects.filter(slug__in=demo_org_slugs()).exists()


def _read_example(name: str) -> dict[str, Any]:
    path = EXAMPLES_DIR / name
    if not path.is_file():
        raise DomainError(f"demo: project file not found: {path} (run from a source checkout)")
    load_project(path)  # validates the file; raises ProjectFileError listing every problem
    with path.open("rb") as f:
        return tomllib.load(f)


def _build_project(actor: Any, org: Organisation, spec: DemoProject) -> Any:
    from impactnum.web.projects import services as project_services

    data = _read_example(spec.file)
    head = data["project"]
    project = project_services.create_project(
        actor,
        org,
        name=head["name"],
        description=head.get("description", ""),
        status=spec.status,
        horizon_years=int(head.get("horizon_years", 5)),
        factor_set=head.get("factors", "ademe-2022@1.0.0"),
        discount_rate=head.get("discount_rate", 0.032),
    )
    additions = DEMO_ADDITIONS.get(spec.file, {})
    baseline = project.scenarios.get()
    for i, sc in enumerate(data.get("scenarios", [])):
        if i == 0:
            scenario = project_services.update_scenario(actor, baseline, name=sc["name"])
        else:
            scenario = project_services.add_scenario(actor, project, sc["name"])
        costs = _pick(sc.get("costs", {}), _COST_KEYS)
        if costs:
            project_services.update_scenario(actor, scenario, **costs)
        for row in sc.get("equipment", []):
            project_services.add_line(actor, scenario, "equipment", **_pick(row, _EQUIPMENT_KEYS))
        for row in sc.get("network", []):
            project_services.add_line(actor, scenario, "network", **_pick(row, _NETWORK_KEYS))
        for row in sc.get("avoided", []):
            project_services.add_line(actor, scenario, "avoided", **_pick(row, _AVOIDED_KEYS))
        extra = additions.get(sc["name"], {})
        social = {**sc.get("social", {}), **extra.get("social", {})}
        for code, value in social.items():
            project_services.set_social_indicator(actor, scenario, code, float(value))
        for row in [*sc.get("sroi", []), *extra.get("sroi", [])]:
            project_services.add_line(actor, scenario, "sroi", **row)
    return project


@transaction.atomic
def build_demo(today: dt.date | None = None) -> list[tuple[str, str]]:
    """Create the demo organisations, people, projects and snapshots; return the logins.

    A no-op returning the demo logins when a demo organisation already exists; refused
    (DomainError) when a demo username is already taken by someone else.
    """
    from impactnum.web.projects import services as project_services

    if demo_loaded():
        return demo_accounts()
    user_model = get_user_model()
    taken = user_model.objects.filter(username__in=[p.username for p in PEOPLE])
    if taken.exists():
        names = ", ".join(sorted(taken.values_list("username", flat=True)))
        raise DomainError(f"demo: these usernames already exist: {names}")
    today = today or dt.date.today()

    orgs = {
        o.slug: core_services.create_organisation(
            None, slug=o.slug, name=o.name, kind=o.kind, siret=o.siret
        )
        for o in ORGANISATIONS
    }
    users = {}
    for person in PEOPLE:
        user = core_services.create_user(
            None,
            username=person.username,
            password=DEMO_PASSWORD,
            email=f"{person.username}@demo.impactnum.invalid",
            first_name=person.first_name,
            last_name=person.last_name,
        )
        for slug, role in person.roles.items():
            core_services.set_membership(None, user, orgs[slug], role)
        users[person.username] = user

    actor = users[ACTOR]
    label = f"Bilan de démonstration du {today:%d/%m/%Y}"
    for spec in PROJECTS:
        project = _build_project(actor, orgs[spec.organisation], spec)
        project_services.save_snapshot(actor, project, label=label)
    assets = _build_fleet(users, orgs, today)
    _build_reuse(users, orgs, today, assets)
    _build_strategy(users[ACTOR], orgs[AGGLO.slug])
    return demo_accounts()


# --- the responsible-digital strategy ---------------------------------------------------------

DEMO_STRATEGY = {
    "title": "Stratégie numérique responsable de Nevers Agglomération (démonstration)",
    "adopted_on": dt.date(2024, 12, 12),  # illustrative date, before the 1 January 2025 deadline
    "usages": (
        "La direction du numérique, commune à la ville et à l'agglomération, gère le parc des "
        "agents (postes, écrans, téléphones, imprimantes) et les services en ligne. Les chiffres "
        "du parc et de la filière de réemploi sont rappelés ci-dessous par impactnum."
    ),
    "footprint": (
        "L'empreinte annuelle du parc est calculée avec les facteurs ADEME–Arcep 2022 ; la "
        "fabrication des équipements en représente l'essentiel."
    ),
    "actions": (
        "Label Numérique Responsable niveau 2 (ville de Nevers, octobre 2022) ; durée de vie des "
        "PC portée de 5 à 7 ans ; atelier de réemploi avec une association partenaire."
    ),
    "objectives": (
        "Allonger la durée de vie des équipements ; atteindre les parts d'achats issus du "
        "réemploi de la loi AGEC (art. 58) ; orienter vers le réemploi au moins 50 % du matériel "
        "réformé (décret 2023-266). Les indicateurs sont suivis dans le plan d'action."
    ),
    "means": "Budget du plan : 250 k€ sur 3 ans (ville de Nevers). Texte de démonstration.",
}


def _build_strategy(actor: Any, agglo: Organisation) -> None:
    """A short strategy for the agglomeration (an EPCI of more than 50,000 inhabitants, subject
    to loi REEN art. 35), version 2024, written through `plan.strategy` like a person would."""
    from impactnum.web.plan.strategy import update_strategy

    update_strategy(actor, agglo, 2024, **DEMO_STRATEGY)


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


def _aware(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass
class _Plan:
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
) -> list[_Plan]:
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
        plan = _Plan(item)
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
                    status_changed_at=_aware(left),
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
            _Plan(
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


def _decide_fates(rng: random.Random, plans: list[_Plan], today: dt.date) -> None:
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


def _build_fleet(
    users: dict[str, Any], orgs: dict[str, Organisation], today: dt.date
) -> dict[str, list[tuple[Any, _Plan]]]:
    """Policies, departments, locations, the assets and their history, purchases of other
    categories; returns each organisation's (asset, plan) pairs for the reuse chain."""
    from impactnum.web.fleet import services as fleet
    from impactnum.web.fleet.imports import bulk
    from impactnum.web.fleet.models import Asset

    admin, tech = users["admin"], users["technicien"]
    rng = random.Random(SEED)
    out: dict[str, list[tuple[Any, _Plan]]] = {}
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
    pairs: list[tuple[Any, _Plan]],
    today: dt.date,
    *,
    reuse_chain: bool,
) -> None:
    """Retirements, recycling, repairs and losses through the services. With `reuse_chain`
    (the city runs the reuse workshop), hand-overs are left to `_build_reuse`, which registers
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


def _build_reuse(
    users: dict[str, Any],
    orgs: dict[str, Organisation],
    today: dt.date,
    fleets: dict[str, list[tuple[Any, _Plan]]],
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


def _fleet_lot(chain: _Chain, group: list[tuple[Any, _Plan]]) -> tuple[Any, list[Any]]:
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

    started = _aware(on, 9 + chain.rng.randint(0, 7), chain.rng.choice((0, 15, 30, 45)))
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
