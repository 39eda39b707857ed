"""The demo organisations and people: one person per role, shared by the city and the
agglomeration (their common digital direction), and a partner association."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from impactnum.web.core.models import Organisation

DEMO_PASSWORD = "demo-impactnum"
"""The password of every demo account (the local profile only; production shows none)."""


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
