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
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

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
    return demo_accounts()
