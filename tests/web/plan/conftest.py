"""Fixtures of the plan tests: people with each role in the city, a commitment, an API caller."""

import json
from typing import Any

import pytest

from impactnum.web.core import services as core_services
from impactnum.web.plan import services


@pytest.fixture
def admin(city, make_user):
    return make_user("administrator", city, username="admin-city")


@pytest.fixture
def manager(city, make_user):
    user = make_user("manager", city, username="manager-city")
    user.email = "manager@nevers.example"
    user.save()
    return user


@pytest.fixture
def viewer(city, make_user):
    return make_user("viewer", city, username="viewer-city")


@pytest.fixture
def tech(city, make_user):
    return make_user("technician", city, username="tech-city")


@pytest.fixture
def commitment(manager, city):
    return services.create_commitment(
        manager,
        city,
        reference="E01",
        title="Allonger la durée de vie des PC à 7 ans",
        theme="lifecycle",
        source="audit_finding",
        source_detail="constat n° 3",
        owner=manager,
    )


class Api:
    """JSON calls with a personal token."""

    def __init__(self, client: Any, user: Any) -> None:
        self.client = client
        _token, raw = core_services.create_token(user, "tests")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def __call__(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        send = getattr(self.client, method.lower())
        if method.upper() in ("GET", "DELETE"):
            return send(path, params or None, **self.headers)
        return send(path, json.dumps(body or {}), content_type="application/json", **self.headers)


@pytest.fixture
def api_as(client):
    return lambda user: Api(client, user)
