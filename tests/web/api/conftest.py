"""API test helpers: a token per person, and `call` to send JSON with it."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from impactnum.web.core import services as core_services
from impactnum.web.projects import services as project_services


class ApiClient:
    """Django's test client speaking JSON with `Authorization: Bearer <token>`."""

    def __init__(self, client: Client, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def __call__(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        send = getattr(self.client, method.lower())
        if method.upper() in ("GET", "DELETE") and body is None:
            return send(path, params or None, **headers)
        if params:
            path += "?" + "&".join(f"{k}={v}" for k, v in params.items())
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return send(path, data, content_type="application/json", **headers)


@pytest.fixture
def api_as(client: Client) -> Callable[[Any], ApiClient]:
    """`api_as(user)` → an ApiClient with a fresh token of that user; `api_as(None)`: anonymous."""

    def make(user: Any) -> ApiClient:
        if user is None:
            return ApiClient(client)
        _token, raw = core_services.create_token(user, "tests")
        return ApiClient(client, raw)

    return make


@pytest.fixture
def project(city, make_user):
    """A project of the city: a baseline with two lines and one variant with a network line."""
    manager = make_user("manager", city, username="builder")
    p = project_services.create_project(manager, city, name="Parc de PC", horizon_years=7)
    base = p.scenarios.get()
    project_services.add_line(manager, base, "equipment", kind="laptop", quantity=100)
    project_services.add_line(manager, base, "equipment", kind="monitor", quantity=50)
    variant = project_services.add_scenario(manager, p, "Allongement", copy_from=base)
    project_services.add_line(manager, variant, "network", kind="fixed", gb_per_year=1000)
    return p
