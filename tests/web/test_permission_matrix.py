"""The permission matrix: every page and API endpoint, as every role, checked against one table.

Routes come from the URL configuration (`get_resolver()`) and the OpenAPI schema, so a new route
fails `test_every_page_is_in_the_table` / `test_every_api_path_is_in_the_table` until it is given
an expected access below. Path arguments are filled with the ids of the demo data (organisation A:
the three demo organisations) plus a few objects the demo does not build.

Who calls: anonymous; one person per role, holding that role in every demo organisation; and the
administrator of another organisation (B), who has every capability but none of A's objects.

Expected (pages, GET): anonymous -> redirect to the login page; a role without the capability ->
403; another organisation -> 404 on A's objects (its own empty list on object-less pages);
allowed -> `ok` (200, or 405 for a POST-only route, or 302 for a redirecting page).
API (GET): the same with 401 for anonymous. Unsafe methods are checked by the app tests.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from impactnum.web.core import services as core_services
from impactnum.web.core.choices import Role
from impactnum.web.core.permissions import (
    EDIT_FLEET,
    EDIT_PROJECTS,
    EDIT_REUSE,
    MANAGE_ORGANISATION,
    VIEW,
    VIEW_BENEFICIARIES,
    roles_with,
)
from impactnum.web.projects.choices import FLOW_CHOICES

ANONYMOUS = "anonymous"
OTHER = "other-organisation"
ROLES = list(Role.values)
CALLERS = [ANONYMOUS, *ROLES, OTHER]
LOGIN = "login"  # expected answer: a redirect to the login page


PUBLIC = "public"


@dataclass(frozen=True)
class Access:
    """Expected answers of one route to a GET.

    `capability`: the one the role needs (VIEW by default); None: any signed-in person; PUBLIC:
    anyone. `roles`: the roles allowed, when no single capability says it.
    `scoped`: the route names an object of organisation A (another organisation gets 404);
    otherwise it shows the caller's own organisations (another organisation gets `ok`).
    `ok`: the answer when allowed; `other`: overrides the answer for another organisation.
    """

    capability: str | None = VIEW
    roles: tuple[str, ...] | None = None
    scoped: bool = True
    ok: int = 200
    other: int | None = None

    def expected(self, caller: str, api: bool = False) -> int | str:
        if self.capability == PUBLIC:
            return self.ok
        if caller == ANONYMOUS:
            return 401 if api else LOGIN
        if self.capability is None:
            return self.ok
        if caller == OTHER:  # administrator of B: every capability, none of A's objects
            if self.other is not None:
                return self.other
            return 404 if self.scoped else self.ok
        allowed = self.roles if self.roles is not None else roles_with(self.capability)
        return self.ok if caller in allowed else 403


def view(**kw: Any) -> Access:
    return Access(VIEW, **kw)


POST_ONLY = 405
"""A GET on a route that only accepts POST: refused by method once signed in (require_POST)."""

# --- the table -----------------------------------------------------------------------------------

L = view(scoped=False)
"""A page listing the caller's own organisations' data (another organisation sees its own)."""
V = view()
"""A page of one object of organisation A."""
POST = Access(VIEW, ok=POST_ONLY, other=POST_ONLY)
"""A POST-only route: a GET is refused by method (405) before any object is looked up."""
ISSUER = Access(roles=(*roles_with(EDIT_REUSE), *roles_with(VIEW_BENEFICIARIES)))
"""Donation receipts and provision agreements name people: those who act on the chain or see
beneficiaries (reuse.views_documents)."""
PEOPLE = Access(VIEW_BENEFICIARIES)


def create(capability: str) -> Access:
    """A creation form: refused without the capability; another organisation creates in its own."""
    return Access(capability, scoped=False)


PAGE_DEFAULTS: list[tuple[str, Access]] = [
    # Every export of a project (PDF, XLSX, CSV, JSON, print) is a read of that project.
    (r"^reports:", V),
    # Open-data pages: anyone.
    (r"^public:", Access(PUBLIC)),
]

PAGES: dict[str, Access] = {
    # core
    "home": L,
    "login": Access(PUBLIC),
    "logout": Access(PUBLIC, ok=POST_ONLY),
    "password_reset": Access(PUBLIC),
    "password_reset_done": Access(PUBLIC),
    "password_reset_confirm": Access(PUBLIC),
    "password_reset_complete": Access(PUBLIC),
    "set_language": Access(PUBLIC, ok=302),
    "tokens": Access(None),
    "revoke-token": Access(None, ok=POST_ONLY),
    # OpenID Connect sign-in (core/oidc.py): off in the test settings, so absent for everyone
    "oidc:authenticate": Access(PUBLIC, ok=404),
    "oidc:callback": Access(PUBLIC, ok=404),
    "oidc:logout-done": Access(PUBLIC, ok=404),
    # projects
    "projects:list": L,
    "projects:create": create(EDIT_PROJECTS),
    "projects:detail": V,
    "projects:edit": Access(EDIT_PROJECTS),
    "projects:delete": Access(EDIT_PROJECTS),
    "projects:scenario-add": POST,
    "projects:scenario-edit": POST,
    "projects:scenario-delete": POST,
    "projects:scenario-social": POST,
    "projects:line-new": Access(EDIT_PROJECTS),
    "projects:line-row": V,
    "projects:line-edit": Access(EDIT_PROJECTS),
    "projects:line-delete": POST,
    "projects:results": V,
    "projects:snapshots": V,
    "projects:snapshot": V,
    "projects:factor-sets": L,
    "projects:override-add": POST,
    "projects:override-delete": POST,
    # fleet
    "fleet:list": L,
    "fleet:export": L,
    "fleet:bulk": POST,
    "fleet:create": create(EDIT_FLEET),
    "fleet:asset": V,
    "fleet:edit": Access(EDIT_FLEET),
    "fleet:status": POST,
    "fleet:repair-open": POST,
    "fleet:repair-close": POST,
    "fleet:handover": POST,
    "fleet:settings": Access(MANAGE_ORGANISATION, scoped=False),  # its forms post below
    "fleet:policy-set": POST,
    "fleet:department-add": POST,
    "fleet:location-add": POST,
    "fleet:indicators": L,
    "fleet:footprint": L,
    "fleet:quotas": L,
    # another organisation without assets is sent back to the fleet page with a message
    "fleet:declaration": view(scoped=False, other=302),
    "fleet:import": Access(EDIT_FLEET, scoped=False),  # into the organisations they may change
    "fleet:import-template": L,
    # reuse
    "reuse:workbench": L,
    "reuse:devices": L,
    "reuse:device": V,
    "reuse:step": POST,
    "reuse:sanitise": POST,
    "reuse:remove-medium": POST,
    "reuse:wipe-certificate": V,
    "reuse:agreement": ISSUER,
    "reuse:lots": L,
    "reuse:lot": V,
    "reuse:lot-register": POST,
    "reuse:lot-triage": POST,
    "reuse:receipt": ISSUER,
    "reuse:parties": L,
    "reuse:parts": L,
    "reuse:shipments": L,
    "reuse:shipment": V,
    "reuse:shipment-add": POST,
    "reuse:shipment-ship": POST,
    "reuse:templates": L,
    "reuse:template-defaults": POST,
    "reuse:labels": L,
    "reuse:labels-pdf": L,
    "reuse:beneficiaries": Access(VIEW_BENEFICIARIES, scoped=False),
    "reuse:beneficiary": PEOPLE,
    "reuse:beneficiary-access": PEOPLE,
    "reuse:beneficiary-erase": PEOPLE,  # the confirmation page; erasing is checked on POST
    "reuse:sessions": Access(VIEW_BENEFICIARIES, scoped=False),
    "reuse:sessions-csv": Access(VIEW_BENEFICIARIES, scoped=False),
    "reuse:privacy-log": Access(roles=(Role.ADMINISTRATOR, Role.MANAGER), scoped=False),
    "reuse:report": L,
    "reuse:report-csv": L,
    "reuse:report-xlsx": L,
    "reuse:lot-balance": V,
    "reuse:ords-csv": L,
    # plan (EDIT_PLAN is EDIT_PROJECTS)
    "plan:commitments": L,
    "plan:commitment-create": create(EDIT_PROJECTS),
    "plan:commitment": V,
    "plan:commitment-edit": Access(EDIT_PROJECTS),
    "plan:commitment-delete": POST,
    "plan:action-add": POST,
    "plan:indicator-create": Access(EDIT_PROJECTS),
    "plan:action-edit": Access(EDIT_PROJECTS),
    "plan:action-delete": POST,
    "plan:indicator": V,
    "plan:indicator-edit": Access(EDIT_PROJECTS),
    "plan:indicator-delete": POST,
    "plan:indicator-value-add": POST,
    "plan:evidence": V,
    "plan:evaluations": L,
    "plan:evaluation-create": POST,
    "plan:compare": V,
    "plan:evaluation": V,
    "plan:evaluation-notes": POST,
    "plan:evaluation-freeze": POST,
    "plan:evaluation-delete": POST,
    "plan:evaluation-export": V,
    "plan:calendar": L,
    "plan:settings": Access(EDIT_PROJECTS, scoped=False),  # EDIT_PLAN; ?organisation= 403/404
    "plan:strategy": L,  # read by all; its parts are written on plan:strategy-edit
    "plan:strategy-edit": Access(EDIT_PROJECTS, scoped=False),  # EDIT_PLAN
    "plan:annual-report": L,
    "plan:annual-report-export": L,
    # territory
    "territory:dashboard": L,
    "territory:targeting": L,
    "territory:fragility-import": POST,
    "territory:publication": Access(MANAGE_ORGANISATION, scoped=False),  # publication.PUBLISH
    # ecodesign (EDIT_ECODESIGN is EDIT_PROJECTS)
    "ecodesign:assessments": L,
    "ecodesign:assessment-create": POST,
    "ecodesign:assessment": V,
    "ecodesign:assessment-edit": POST,
    "ecodesign:assessment-delete": POST,
    "ecodesign:answer": POST,
    "ecodesign:statement": V,
    "ecodesign:statement-export": V,
    "ecodesign:referentials": L,
    "ecodesign:referential-import": POST,
    "ecodesign:referential": V,
    "ecodesign:referential-delete": POST,
}

NO_GET = Access(PUBLIC, ok=405)
"""An API path without GET (ninja answers 405 to anyone, before authentication)."""

API_DEFAULTS: list[tuple[str, Access]] = [
    # Open data: anyone, no token.
    (r"^/api/open-data/", Access(PUBLIC)),
]

API: dict[str, Access] = {
    "/api/organisations": L,
    "/api/organisations/{slug}": V,
    "/api/organisations/{slug}/overrides": V,
    "/api/projects": L,
    "/api/projects/{project_id}": V,
    "/api/projects/{project_id}/results": V,
    "/api/projects/{project_id}/comparison": V,
    "/api/projects/{project_id}/document": V,
    "/api/projects/{project_id}/snapshots": V,
    "/api/snapshots/{snapshot_id}": V,
    "/api/snapshots/{snapshot_id}/replay": V,
    "/api/projects/{project_id}/scenarios": V,
    "/api/scenarios/{scenario_id}": V,
    "/api/scenarios/{scenario_id}/lines/equipment": V,
    "/api/lines/equipment/{line_id}": V,
    "/api/scenarios/{scenario_id}/lines/network": V,
    "/api/lines/network/{line_id}": V,
    "/api/scenarios/{scenario_id}/lines/avoided": V,
    "/api/lines/avoided/{line_id}": V,
    "/api/scenarios/{scenario_id}/lines/sroi": V,
    "/api/lines/sroi/{line_id}": V,
    "/api/factor-sets": L,
    "/api/factor-sets/{ref}": L,
    "/api/fleet/assets": L,
    "/api/fleet/assets/{asset_id}": V,
    "/api/fleet/assets/{asset_id}/events": V,
    "/api/fleet/assets/{asset_id}/repairs": V,
    "/api/fleet/indicators": V,  # ?organisation=<A>: another organisation gets 404
    "/api/fleet/footprint": L,
    "/api/fleet/scenario": L,  # ?organisation= optional: default all the caller's own
    "/api/fleet/quotas": V,
    "/api/fleet/declaration": V,
    "/api/reuse/devices": L,
    "/api/reuse/devices/{device_id}": V,
    "/api/reuse/lots": L,
    "/api/reuse/lots/{lot_id}": V,
    "/api/reuse/shipments": L,
    "/api/reuse/shipments/{shipment_id}": V,
    "/api/plan/commitments": L,
    "/api/plan/commitments/{commitment_id}": V,
    "/api/plan/commitments/{commitment_id}/actions": V,
    "/api/plan/sources": L,
    "/api/plan/indicators/{indicator_id}": V,
    "/api/plan/indicators/{indicator_id}/values": V,
    "/api/plan/evaluations": L,
    "/api/plan/evaluations/compare": V,
    "/api/plan/evaluations/{evaluation_id}": V,
    "/api/plan/deadlines": V,
    "/api/plan/strategy": V,
    "/api/plan/annual-report": V,
    "/api/reuse/beneficiaries": Access(VIEW_BENEFICIARIES, scoped=False),
    "/api/reuse/beneficiaries/{beneficiary_id}": PEOPLE,
    "/api/reuse/beneficiaries/{beneficiary_id}/access-request": PEOPLE,
    "/api/reuse/sessions": Access(VIEW_BENEFICIARIES, scoped=False),
    "/api/reuse/sessions.csv": PEOPLE,
    "/api/reuse/report": V,
    "/api/reuse/ords.csv": V,
    "/api/territory/dashboard": V,
    "/api/territory/targeting": V,
    "/api/territory/publication": V,
    "/api/ecodesign/assessments": L,
    "/api/ecodesign/assessments/{assessment_id}": V,
    # No GET: a GET is refused by method before authentication; the unsafe methods of these
    # paths are checked, per role, by the tests of their app (tests/web/api, tests/web/*).
    "/api/organisations/{slug}/overrides/{override_id}": NO_GET,
    "/api/scenarios/{scenario_id}/social/{code}": NO_GET,
    "/api/calc": NO_GET,
    "/api/fleet/assets/{asset_id}/status": NO_GET,
    "/api/fleet/repairs/{repair_id}/close": NO_GET,
    "/api/fleet/assets/{asset_id}/handover": NO_GET,
    "/api/reuse/devices/{device_id}/triage": NO_GET,
    "/api/reuse/devices/{device_id}/status": NO_GET,
    "/api/reuse/devices/{device_id}/diagnostics": NO_GET,
    "/api/reuse/devices/{device_id}/repairs": NO_GET,
    "/api/reuse/devices/{device_id}/release": NO_GET,
    "/api/reuse/devices/{device_id}/provision": NO_GET,
    "/api/reuse/media/{medium_id}/sanitisations": NO_GET,
    "/api/reuse/lots/{lot_id}/devices": NO_GET,
    "/api/reuse/shipments/{shipment_id}/devices": NO_GET,
    "/api/reuse/shipments/{shipment_id}/ship": NO_GET,
    "/api/plan/actions/{action_id}": NO_GET,
    "/api/plan/commitments/{commitment_id}/indicators": NO_GET,
    "/api/plan/evaluations/{evaluation_id}/freeze": NO_GET,
    "/api/reuse/beneficiaries/{beneficiary_id}/erasure-request": NO_GET,
}


def _lookup(
    table: dict[str, Access], defaults: list[tuple[str, Access]], key: str
) -> Access | None:
    if key in table:
        return table[key]
    for pattern, access in defaults:
        if re.search(pattern, key):
            return access
    return None


def page_access(name: str) -> Access | None:
    return _lookup(PAGES, PAGE_DEFAULTS, name)


def api_access(path: str) -> Access | None:
    return _lookup(API, API_DEFAULTS, path)


# --- the routes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name
    pattern: str
    kwargs: tuple[str, ...]


def page_routes() -> list[Route]:
    """Every named page outside /api/ (the API is walked through its OpenAPI schema)."""
    out: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "api":
                    continue
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                out.append(
                    Route(namespace + p.name, prefix + str(p.pattern), tuple(p.pattern.converters))
                )

    walk(get_resolver().url_patterns, "", "")
    return out


def api_paths() -> list[tuple[str, list[str]]]:
    from impactnum.web.api.main import api

    schema = api.get_openapi_schema()
    return [(path, sorted(methods)) for path, methods in schema["paths"].items()]


# --- the data of organisation A and the callers --------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]  # caller -> user (None for anonymous)
    page_kwargs: dict[str, dict[str, Any]]  # route name -> path arguments
    page_query: dict[str, dict[str, Any]]  # route name -> query string
    api_ids: dict[str, Any]  # OpenAPI path parameter -> value
    api_query: dict[str, dict[str, Any]]  # OpenAPI path -> query string


def build_world(make_user: Callable[..., Any]) -> World:
    """The demo (organisations A), a person per role in each, and organisation B's admin."""
    from impactnum.web.demo import build_demo
    from impactnum.web.ecodesign import services as ecodesign_services
    from impactnum.web.fleet.models import Asset, Repair
    from impactnum.web.plan import services as plan_services
    from impactnum.web.projects import services as project_services
    from impactnum.web.projects.models import CalculationSnapshot
    from impactnum.web.reuse.models import (
        Beneficiary,
        Device,
        Lot,
        Provision,
        StorageMedium,
        WeeeShipment,
    )
    from impactnum.web.territory import publication

    build_demo()
    from impactnum.web.core.models import Organisation

    orgs = list(Organisation.objects.all())
    users: dict[str, Any] = {ANONYMOUS: None}
    for role in ROLES:
        users[role] = make_user(username=f"matrix-{role}")
        for org in orgs:
            core_services.set_membership(None, users[role], org, role)
    other = core_services.create_organisation(
        None, slug="autre-ville", name="Autre ville", kind="commune"
    )
    users[OTHER] = make_user("administrator", other, username="matrix-other")

    admin = users[Role.ADMINISTRATOR]
    snapshot = CalculationSnapshot.objects.select_related("project").first()
    project = snapshot.project
    org = project.organisation
    scenario = project.scenarios.first()
    override = project_services.set_override(
        admin, org, family="electricity", key="FRA", criterion="gwp", value=0.05, source="EDF"
    )
    asset = Repair.objects.select_related("asset").first().asset
    repair = asset.repairs.first()
    medium = StorageMedium.objects.filter(device__isnull=False).select_related("device").first()
    device = medium.device
    provision = Provision.objects.first()
    lot = Lot.objects.first()
    shipment = WeeeShipment.objects.first()
    beneficiary = Beneficiary.objects.first()
    commitment = plan_services.create_commitment(
        admin, org, reference="M01", title="Matrice", theme="lifecycle", source="audit_finding"
    )
    action = plan_services.add_action(admin, commitment, title="Action", progress=10)
    indicator = plan_services.add_indicator(
        admin,
        commitment,
        name="Indicateur",
        kind="manual",
        unit="%",
        target_value=40,
        target_on=dt.date(2030, 1, 1),
    )
    value = plan_services.record_indicator_value(
        admin,
        indicator,
        on=dt.date(2024, 1, 1),
        value=12,
        evidence="GLPI",
        evidence_file=SimpleUploadedFile("preuve.txt", b"preuve"),
    )
    evaluation = plan_services.create_evaluation(
        admin, org, label="Évaluation", on=dt.date(2024, 6, 30), month=6
    )
    later = plan_services.create_evaluation(
        admin, org, label="Évaluation 2", on=dt.date(2025, 6, 30), month=18
    )
    lines = {
        kind: project_services.add_line(admin, scenario, kind, **fields).pk
        for kind, fields in LINES.items()
    }
    publication.set_publication(admin, org, enabled=True)
    referential, _created = ecodesign_services.import_referential(
        admin, org, name="RGESN", file_name="r.csv", data=ECODESIGN_CSV, version="essai"
    )
    eco_assessment = ecodesign_services.create_assessment(
        admin, org, referential=referential, service_name="Site", assessed_on=dt.date(2026, 1, 1)
    )
    token, _raw = core_services.create_token(admin, "matrix")
    assert Asset.objects.filter(pk=asset.pk).exists() and Device.objects.filter(pk=device.pk)

    by_namespace_pk = {
        "projects": project.pk,
        "reports": project.pk,
        "fleet": asset.pk,
        "ecodesign": eco_assessment.pk,
    }
    by_route_pk = {
        "ecodesign:referential": referential.pk,
        "ecodesign:referential-delete": referential.pk,
        "reuse:device": device.pk,
        "reuse:step": device.pk,
        "reuse:sanitise": device.pk,
        "reuse:remove-medium": device.pk,
        "reuse:wipe-certificate": device.pk,
        "reuse:agreement": provision.pk,
        "reuse:lot": lot.pk,
        "reuse:lot-register": lot.pk,
        "reuse:lot-triage": lot.pk,
        "reuse:receipt": lot.pk,
        "reuse:lot-balance": lot.pk,
        "reuse:shipment": shipment.pk,
        "reuse:shipment-add": shipment.pk,
        "reuse:shipment-ship": shipment.pk,
        "reuse:beneficiary": beneficiary.pk,
        "reuse:beneficiary-access": beneficiary.pk,
        "reuse:beneficiary-erase": beneficiary.pk,
    }
    plan_models = {
        "commitment": commitment,
        "action": action,
        "indicator": indicator,
        "values": value,
        "evidence": value,
        "evaluation": evaluation,
    }
    shared = {
        "scenario_id": scenario.pk,
        "line_type": "equipment",
        "line_id": lines["equipment"],
        "snapshot_id": snapshot.pk,
        "override_id": override.pk,
        "repair_id": repair.pk,
        "medium_id": medium.pk,
        "step": "triage",
        "token_id": token.pk,
        "uidb64": "MQ",
        "token": "set-password",
        "slug": org.slug,
    }
    formats = {
        "fleet:export": "csv",
        "plan:evaluation-export": "xlsx",
        "ecodesign:statement-export": "md",
        "plan:annual-report-export": "docx",
        "fleet:import-template": "csv",
    }
    page_kwargs: dict[str, dict[str, Any]] = {}
    for route in page_routes():
        kwargs: dict[str, Any] = {}
        for arg in route.kwargs:
            if arg == "pk":
                ns, _sep, short = route.name.rpartition(":")
                if route.name in by_route_pk:
                    kwargs[arg] = by_route_pk[route.name]
                elif ns == "plan":
                    kind = "indicator" if short.startswith("indicator") else short.split("-")[0]
                    if short == "indicator-value-add":
                        kind = "indicator"
                    if short in (
                        "commitment-edit",
                        "commitment-delete",
                        "action-add",
                        "indicator-create",
                    ):
                        kind = "commitment"
                    kwargs[arg] = plan_models[kind].pk
                else:
                    kwargs[arg] = by_namespace_pk[ns]
            elif arg in ("fmt", "kind"):
                kwargs[arg] = formats[route.name]
            else:
                kwargs[arg] = shared[arg]
        page_kwargs[route.name] = kwargs
    api_ids = {
        "slug": org.slug,
        "override_id": override.pk,
        "project_id": project.pk,
        "snapshot_id": snapshot.pk,
        "scenario_id": scenario.pk,
        "code": "S1",
        "ref": "ademe-2022",
        "asset_id": asset.pk,
        "repair_id": repair.pk,
        "device_id": device.pk,
        "medium_id": medium.pk,
        "lot_id": lot.pk,
        "shipment_id": shipment.pk,
        "commitment_id": commitment.pk,
        "action_id": action.pk,
        "indicator_id": indicator.pk,
        "evaluation_id": evaluation.pk,
        "assessment_id": eco_assessment.pk,
        "beneficiary_id": beneficiary.pk,
    }
    compare = {"a": evaluation.pk, "b": later.pk}
    page_query = {"plan:compare": compare}
    period = {"organisation": org.slug, "from": "2020-01-01", "to": "2030-12-31"}
    api_query: dict[str, dict[str, Any]] = {
        "/api/plan/evaluations/compare": compare,
        "/api/reuse/report": period,
        "/api/reuse/sessions.csv": period,
        "/api/fleet/scenario": {"lifespan_years": 7},
    }
    for path, access in API.items():  # an organisation's figures: ?organisation=<A>
        if access is V and "{" not in path and path not in api_query:
            api_query[path] = {"organisation": org.slug}
    for kind, pk in lines.items():
        api_query[f"/api/lines/{kind}/{{line_id}}"] = {}
        api_ids[f"line_id:{kind}"] = pk
    return World(users, page_kwargs, page_query, api_ids, api_query)


ECODESIGN_CSV = "id;critere;thematique\n1.1;Une question inventée ?;Stratégie\n".encode()
"""A one-criterion referential (invented text) for the eco-design routes."""

LINES: dict[str, dict[str, Any]] = {
    "equipment": {"kind": "laptop", "quantity": 3},
    "network": {"kind": "fixed", "gb_per_year": 100},
    "avoided": {"flow": FLOW_CHOICES[0][0], "quantity_per_year": 10},
    "sroi": {"outcome": "Matrice", "quantity": 1, "proxy_eur": 10},
}


def answer(response: Any) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    return response.status_code


def page_results(world: World) -> Iterator[tuple[Route, str, int | str]]:
    for caller in CALLERS:
        client = Client()
        if world.users[caller] is not None:
            client.force_login(world.users[caller])
        for route in page_routes():
            url = reverse(route.name, kwargs=world.page_kwargs[route.name])
            yield route, caller, answer(client.get(url, world.page_query.get(route.name)))


def api_results(world: World) -> Iterator[tuple[str, str, int]]:
    tokens = {c: core_services.create_token(u, "matrix")[1] for c, u in world.users.items() if u}
    for caller in CALLERS:
        client = Client()
        headers = {"HTTP_AUTHORIZATION": f"Bearer {tokens[caller]}"} if caller in tokens else {}
        for path, _methods in api_paths():
            line = re.match(r"^/api/lines/(\w+)/", path)
            ids = dict(world.api_ids)
            if line:
                ids["line_id"] = ids[f"line_id:{line.group(1)}"]
            url = re.sub(r"\{(\w+)\}", lambda m, ids=ids: str(ids[m.group(1)]), path)
            response = client.get(url, world.api_query.get(path), **headers)
            yield path, caller, response.status_code


def test_every_page_is_in_the_table() -> None:
    missing = [f"{r.name} ({r.pattern})" for r in page_routes() if page_access(r.name) is None]
    assert not missing, "routes without an expected access in PAGES:\n  " + "\n  ".join(missing)


def test_every_api_path_is_in_the_table() -> None:
    missing = [path for path, _methods in api_paths() if api_access(path) is None]
    assert not missing, "API paths without an expected access in API:\n  " + "\n  ".join(missing)


def test_the_table_names_no_route_that_is_gone() -> None:
    names = {r.name for r in page_routes()}
    paths = {path for path, _methods in api_paths()}
    assert sorted(set(PAGES) - names) == []
    assert sorted(set(API) - paths) == []


@pytest.mark.django_db
def test_every_route_answers_every_caller_as_the_table_says(make_user) -> None:
    """One pass over every page and every GET endpoint (~1,300 requests on the demo data)."""
    world = build_world(make_user)
    wrong: list[str] = []
    for route, caller, got in page_results(world):
        access = page_access(route.name)
        assert access is not None
        want = access.expected(caller)
        if got != want:
            wrong.append(f"page {route.name} as {caller}: got {got}, expected {want}")
    for path, caller, status in api_results(world):
        access = api_access(path)
        assert access is not None
        want = access.expected(caller, api=True)
        if status != want:
            wrong.append(f"GET {path} as {caller}: got {status}, expected {want}")
    assert not wrong, f"{len(wrong)} answers differ from the table:\n  " + "\n  ".join(wrong)
