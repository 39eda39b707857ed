"""Fixtures for the web tests: organisations and people with each role, built by services."""

import pytest
from django.utils import translation

from impactnum.web.core import services
from impactnum.web.core.choices import Role


@pytest.fixture(autouse=True)
def _french_by_default():
    """Each test starts in French, the default language: a page rendered in English by an
    earlier test (LocaleMiddleware leaves its language active in the thread) must not leak."""
    translation.activate("fr")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_result_from_an_earlier_test():
    """Each test computes its projects afresh: a test may patch the engine or a factor set,
    which a running server never does (projects/result_cache.py)."""
    from impactnum.web.projects import result_cache

    result_cache.clear()


@pytest.fixture
def make_user(db):
    counter = iter(range(10_000))

    def make(role: str | None = None, organisation=None, username: str | None = None):
        user = services.create_user(
            None, username=username or f"user{next(counter)}", password="pw-Impactnum-1"
        )
        if role and organisation is not None:
            services.set_membership(None, user, organisation, role)
        return user

    return make


@pytest.fixture
def city(db):
    return services.create_organisation(
        None, slug="ville-nevers", name="Ville de Nevers", kind="commune", siret="21580194300014"
    )


@pytest.fixture
def agglo(db):
    return services.create_organisation(
        None,
        slug="agglo-nevers",
        name="Nevers Agglomération",
        kind="epci",
        siret="20004089100018",
    )


@pytest.fixture
def roles():
    return list(Role.values)


# Fixtures of the fleet hand-over tests (pages and API); a closer conftest may override them.
from handover_helpers import admin, lot, retired  # noqa: E402, F401
