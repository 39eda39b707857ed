"""Fuzzing the JSON API from its own OpenAPI description (Schemathesis + Hypothesis).

Every operation of /api/openapi.json is called with generated requests — valid ones and
invalid ones (wrong types, out-of-range values, unknown keys) — against the real Django app
through its WSGI handler and the real test database, and each answer must:

- never be a 5xx (`not_a_server_error`);
- have a status code the operation documents (`status_code_conformance`);
- have a content type the operation documents for that status (`content_type_conformance`);
- have a body matching the documented schema (`response_schema_conformance`).

The data is the demo (organisations, people, projects, fleet, reuse chain) with a smaller
fleet, plus an action plan, an override and an open-data publication, built once for the module
and rolled back after it; each test runs in a savepoint of it, each request in its own. Path
parameters and the ids, slugs and usernames in queries and bodies are real objects' about half
the time (so the fuzzer reaches the code behind the 404), the generated value otherwise. Two
passes: as the demo administrator (a token), and without any credentials (every secured
operation must answer its documented 401).

Reproducible: a fixed seed, no example database, no deadline. More examples locally:
`IMPACTNUM_FUZZ_EXAMPLES=100 pytest tests/web/api/test_api_fuzzing.py` (docs/api.md).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from impactnum.engine.social import SOCIAL_INDICATOR_CODES
from impactnum.web import demo

EXAMPLES = int(os.environ.get("IMPACTNUM_FUZZ_EXAMPLES", "4"))
"""Generated requests per operation for the administrator (about half valid, half invalid)."""
COVERAGE = os.environ.get("IMPACTNUM_FUZZ_COVERAGE", "") == "1"
"""Also Schemathesis's coverage phase: boundary values of every parameter (minutes, not CI)."""
SEED = 58000
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
SMALL_FLEET = {demo.CITY.slug: 60, demo.AGGLO.slug: 30}
"""Assets per organisation: enough for every status, repairs and hand-overs; fast to build."""


APP = WSGIHandler()
"""Django's own WSGI handler: every middleware, URL resolver and error view, as in production."""
CONFIG = schemathesis.Config.from_dict(
    {"seed": SEED, "phases": {"coverage": {"enabled": COVERAGE}}}
)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", APP, config=CONFIG)

# --- real values for ids, slugs and usernames ---------------------------------------------------

REAL_VALUES: dict[str, list[Any]] = {}
"""Parameter or body field → values of real objects; filled by the `admin_token` fixture."""

FIELD_ALIASES = {
    # query parameters and body fields that name an object, as the path parameter would
    "organisation": "slug",
    "lot": "lot_id",
    "device": "device_id",
    "a": "evaluation_id",
    "b": "evaluation_id",
    "owner": "username",
}


def _real_values() -> dict[str, list[Any]]:
    """The demo's objects, by path parameter name (`line_id:<type>` for lines); the
    administrator's organisations first, so that the first draws reach real code."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    from impactnum.web.fleet.models import Asset, Repair
    from impactnum.web.plan.models import Action, Commitment, Evaluation, Indicator
    from impactnum.web.projects.models import CalculationSnapshot, FactorOverride, Project, Scenario
    from impactnum.web.projects.services import LINE_MODELS
    from impactnum.web.reuse.models import Beneficiary, Device, Lot, StorageMedium, WeeeShipment

    def ids(model: Any) -> list[int]:
        return list(model.objects.order_by("pk").values_list("pk", flat=True)[:20])

    values: dict[str, list[Any]] = {
        "slug": [o.slug for o in demo.ORGANISATIONS],
        "username": ["admin", "manager", "elu"],
        "project_id": ids(Project),
        "scenario_id": ids(Scenario),
        "snapshot_id": ids(CalculationSnapshot),
        "asset_id": ids(Asset),
        "repair_id": ids(Repair),
        "device_id": ids(Device),
        "medium_id": ids(StorageMedium),
        "lot_id": ids(Lot),
        "shipment_id": ids(WeeeShipment),
        "beneficiary_id": ids(Beneficiary),
        "commitment_id": ids(Commitment),
        "action_id": ids(Action),
        "indicator_id": ids(Indicator),
        "evaluation_id": ids(Evaluation),
        "override_id": ids(FactorOverride),
        "ref": ["ademe-2022", "ademe-2022@1.0.0"],
        "code": list(SOCIAL_INDICATOR_CODES[:3]),
    }
    for line_type, model in LINE_MODELS.items():
        values[f"line_id:{line_type}"] = ids(model)
    with contextlib.suppress(LookupError):  # the eco-design app is new
        values["assessment_id"] = ids(apps.get_model("ecodesign", "Assessment"))
    assert get_user_model().objects.filter(username__in=values["username"]).count() == 3
    return {name: found for name, found in values.items() if found}


def _real_or_generated(key: str, generated: Any) -> st.SearchStrategy[Any]:
    """A real value (about half the draws) or the generated one. A generated value of another
    type than the real ones (a negative case: a string for an id) is kept as it is."""
    real = REAL_VALUES.get(key, [])
    if not real or not isinstance(generated, type(real[0])) or isinstance(generated, bool):
        return st.just(generated)
    return st.one_of(st.sampled_from(real), st.just(generated))


def _with_real_values(values: Any, key: Any) -> st.SearchStrategy[Any]:
    if not isinstance(values, dict) or not values:
        return st.just(values)
    return st.fixed_dictionaries(
        {name: _real_or_generated(key(name), generated) for name, generated in values.items()}
    )


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: Any) -> st.SearchStrategy[Any]:
    path = context.operation.path

    def key(name: str) -> str:
        if name == "line_id":  # /api/lines/<type>/{line_id}
            return f"line_id:{path.split('/lines/')[1].split('/')[0]}"
        return name

    return _with_real_values(path_parameters, key)


@schema.hook
def flatmap_query(context: Any, query: Any) -> st.SearchStrategy[Any]:
    return _with_real_values(query, lambda name: FIELD_ALIASES.get(name, ""))


@schema.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    return _with_real_values(body, lambda name: FIELD_ALIASES.get(name, ""))


# --- data and transport ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def admin_token(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The demo (smaller fleet) in a transaction rolled back after the module; the admin's token."""
    from impactnum.web.core import services as core_services

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr(demo.fleet, "FLEET_SIZES", SMALL_FLEET)
                demo.build_demo()
            from django.contrib.auth import get_user_model

            admin = get_user_model().objects.get(username="admin")
            _add_what_the_demo_lacks(admin)
            _token, raw = core_services.create_token(admin, "fuzzing")
            REAL_VALUES.update(_real_values())
            yield raw
        finally:
            REAL_VALUES.clear()
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _add_what_the_demo_lacks(admin: Any) -> None:
    """What the demo does not build: an action plan with an action, an indicator with a value
    and an evaluation; an organisation's own factor; the city's open-data publication."""
    import datetime as dt

    from impactnum.web.core.models import Organisation
    from impactnum.web.plan import services as plan_services
    from impactnum.web.projects import services as project_services
    from impactnum.web.territory.publication import set_publication

    city = Organisation.objects.get(slug=demo.CITY.slug)
    commitment = plan_services.create_commitment(
        admin,
        city,
        reference="E01",
        title="Allonger la durée de vie des PC à 7 ans",
        theme="lifecycle",
        source="audit_finding",
    )
    plan_services.add_action(admin, commitment, title="Politique de renouvellement", progress=50)
    indicator = plan_services.add_indicator(
        admin,
        commitment,
        name="PC de plus de 5 ans",
        kind="manual",
        unit="%",
        target_value=40,
        target_on=dt.date(2027, 10, 1),
    )
    plan_services.record_indicator_value(
        admin, indicator, on=dt.date(2026, 4, 1), value=12, evidence="GLPI"
    )
    plan_services.create_evaluation(admin, city, label="M18", on=dt.date(2026, 6, 1), month=18)
    project_services.set_override(
        admin,
        city,
        family="electricity",
        key="FRA",
        criterion="gwp",
        value=0.035,
        source="Contrat d'électricité verte",
    )
    set_publication(admin, city, enabled=True, publish_reuse=True)


@pytest.fixture
def same_connection(db: Any) -> Iterator[None]:
    """Requests run in the test's transaction: like Django's test client, the WSGI handler
    must not close the connection at the start and end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# --- the passes --------------------------------------------------------------------------------


@schema.parametrize()
@FUZZ_SETTINGS
@seed(SEED)
def test_api_as_administrator(case: Any, admin_token: str, same_connection: None) -> None:
    headers = {"Authorization": f"Bearer {admin_token}"}
    # One savepoint per request, as each request is its own transaction in production: a
    # statement the database refuses (answered 422) must not abort the following requests.
    with transaction.atomic():
        response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS, headers=headers)


@schema.parametrize()
@settings(FUZZ_SETTINGS, max_examples=1)
@seed(SEED)
def test_api_without_credentials(case: Any, admin_token: str, same_connection: None) -> None:
    # The same data (`admin_token` builds it), but no token: a secured operation answers 401.
    with transaction.atomic():
        response = case.call()
    case.validate_response(response, checks=CHECKS)
    if case.operation.definition.raw.get("security"):
        assert response.status_code == 401, case.as_curl_command()
