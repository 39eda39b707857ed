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
beneficiaries, support sessions, WEEE shipments): see `build_fleet` and `build_reuse`. One
seeded `random.Random` per purpose: the same demo for the same day; every date is relative to
the day the demo is loaded, so that each indicator, quota, declaration and report has figures.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from impactnum.web.core import services as core_services
from impactnum.web.core.errors import DomainError

from .fleet import FLEET_SIZES, build_fleet
from .people import (
    ACTOR,
    AGGLO,
    ASSOCIATION,
    CITY,
    DEMO_PASSWORD,
    ORGANISATIONS,
    PEOPLE,
    demo_accounts,
    demo_loaded,
    demo_org_slugs,
)
from .plan import build_action_plan, build_strategy
from .projects import PROJECTS, build_project
from .reuse import build_reuse

__all__ = [
    "AGGLO",
    "ASSOCIATION",
    "CITY",
    "DEMO_PASSWORD",
    "FLEET_SIZES",
    "ORGANISATIONS",
    "PROJECTS",
    "build_demo",
    "demo_accounts",
    "demo_loaded",
    "demo_org_slugs",
]


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
        project = build_project(actor, orgs[spec.organisation], spec)
        project_services.save_snapshot(actor, project, label=label)
    assets = build_fleet(users, orgs, today)
    build_reuse(users, orgs, today, assets)
    build_strategy(users[ACTOR], orgs[AGGLO.slug])
    build_action_plan(users[ACTOR], orgs[CITY.slug], today)
    return demo_accounts()
