"""Fixtures of the project pages: a city project with a baseline and a variant."""

import pytest

from impactnum.web.projects import services


@pytest.fixture
def admin(city, make_user):
    return make_user("administrator", city, username="admin-city")


@pytest.fixture
def project(city, admin):
    """Baseline: 10 laptops (lifespan default); variant: same, lifespan 7 years, + water saved."""
    p = services.create_project(admin, city, name="Parc de PC", horizon_years=5)
    base = p.scenarios.get()
    services.add_line(admin, base, "equipment", label="Portables", kind="laptop", quantity=10)
    variant = services.add_scenario(admin, p, "7 ans", copy_from=base)
    line = variant.equipment.get()
    services.update_line(admin, "equipment", line, lifespan_years=7)
    services.add_line(
        admin, variant, "avoided", label="Eau", flow="drinking_water", quantity_per_year=1000
    )
    return p


@pytest.fixture
def other_project(agglo, make_user):
    owner = make_user("administrator", agglo, username="admin-agglo")
    return services.create_project(owner, agglo, name="Projet de l'agglo")
