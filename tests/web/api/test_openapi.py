"""The OpenAPI description: readable without logging in, complete, documenting errors."""

import re

import pytest

from impactnum.io import project_toml
from impactnum.web.api.document import document_keys

EXPECTED_PATHS = {
    "/api/ecodesign/assessments": {"get"},
    "/api/ecodesign/assessments/{assessment_id}": {"get"},
    "/api/reuse/devices": {"get"},
    "/api/reuse/devices/{device_id}": {"get"},
    "/api/reuse/devices/{device_id}/diagnostics": {"post"},
    "/api/reuse/devices/{device_id}/provision": {"post"},
    "/api/reuse/devices/{device_id}/release": {"post"},
    "/api/reuse/devices/{device_id}/repairs": {"post"},
    "/api/reuse/devices/{device_id}/status": {"post"},
    "/api/reuse/devices/{device_id}/triage": {"post"},
    "/api/reuse/lots": {"get", "post"},
    "/api/reuse/lots/{lot_id}": {"get"},
    "/api/reuse/lots/{lot_id}/devices": {"post"},
    "/api/reuse/media/{medium_id}/sanitisations": {"post"},
    "/api/reuse/shipments": {"get", "post"},
    "/api/reuse/shipments/{shipment_id}": {"get"},
    "/api/reuse/shipments/{shipment_id}/devices": {"post"},
    "/api/reuse/shipments/{shipment_id}/ship": {"post"},
    "/api/reuse/beneficiaries": {"get", "post"},
    "/api/reuse/beneficiaries/{beneficiary_id}": {"get", "patch"},
    "/api/reuse/beneficiaries/{beneficiary_id}/access-request": {"get"},
    "/api/reuse/beneficiaries/{beneficiary_id}/erasure-request": {"post"},
    "/api/reuse/sessions": {"get", "post"},
    "/api/reuse/sessions.csv": {"get"},
    "/api/reuse/report": {"get"},
    "/api/reuse/ords.csv": {"get"},
    "/api/organisations": {"get"},
    "/api/organisations/{slug}": {"get"},
    "/api/organisations/{slug}/overrides": {"get", "post"},
    "/api/organisations/{slug}/overrides/{override_id}": {"delete"},
    "/api/projects": {"get", "post"},
    "/api/projects/{project_id}": {"get", "patch", "delete"},
    "/api/projects/{project_id}/scenarios": {"get", "post"},
    "/api/projects/{project_id}/results": {"get"},
    "/api/projects/{project_id}/comparison": {"get"},
    "/api/projects/{project_id}/document": {"get"},
    "/api/projects/{project_id}/snapshots": {"get", "post"},
    "/api/snapshots/{snapshot_id}": {"get"},
    "/api/snapshots/{snapshot_id}/replay": {"get"},
    "/api/scenarios/{scenario_id}": {"get", "patch", "delete"},
    "/api/scenarios/{scenario_id}/social/{code}": {"put"},
    **{
        f"/api/scenarios/{{scenario_id}}/lines/{t}": {"get", "post"}
        for t in ("equipment", "network", "avoided", "sroi")
    },
    **{
        f"/api/lines/{t}/{{line_id}}": {"get", "patch", "delete"}
        for t in ("equipment", "network", "avoided", "sroi")
    },
    "/api/factor-sets": {"get"},
    "/api/factor-sets/{ref}": {"get"},
    "/api/calc": {"post"},
    "/api/fleet/assets": {"get", "post"},
    "/api/fleet/assets/{asset_id}": {"get", "patch"},
    "/api/fleet/assets/{asset_id}/status": {"post"},
    "/api/fleet/assets/{asset_id}/handover": {"post"},
    "/api/fleet/assets/{asset_id}/events": {"get"},
    "/api/fleet/assets/{asset_id}/repairs": {"get", "post"},
    "/api/fleet/repairs/{repair_id}/close": {"post"},
    "/api/fleet/indicators": {"get"},
    "/api/fleet/footprint": {"get"},
    "/api/fleet/scenario": {"get"},
    "/api/fleet/quotas": {"get"},
    "/api/fleet/declaration": {"get"},
    "/api/plan/commitments": {"get", "post"},
    "/api/plan/commitments/{commitment_id}": {"get", "patch", "delete"},
    "/api/plan/commitments/{commitment_id}/actions": {"get", "post"},
    "/api/plan/commitments/{commitment_id}/indicators": {"post"},
    "/api/plan/actions/{action_id}": {"patch", "delete"},
    "/api/plan/sources": {"get"},
    "/api/plan/indicators/{indicator_id}": {"get", "patch", "delete"},
    "/api/plan/indicators/{indicator_id}/values": {"get", "post"},
    "/api/plan/evaluations": {"get", "post"},
    "/api/plan/evaluations/compare": {"get"},
    "/api/plan/evaluations/{evaluation_id}": {"get", "patch", "delete"},
    "/api/plan/evaluations/{evaluation_id}/freeze": {"post"},
    "/api/plan/deadlines": {"get"},
    "/api/plan/strategy": {"get"},
    "/api/plan/annual-report": {"get"},
    "/api/open-data/schema.json": {"get"},
    "/api/open-data/{slug}.json": {"get"},
    "/api/open-data/{slug}.csv": {"get"},
    "/api/territory/dashboard": {"get"},
    "/api/territory/targeting": {"get"},
    "/api/territory/publication": {"get", "put"},
}
PUBLIC_PREFIXES = ("/api/open-data/",)
"""Open data: readable without a token (documented without security and without 401)."""


@pytest.fixture
def spec(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_is_public_and_lists_every_endpoint(spec):
    assert spec["openapi"].startswith("3.")
    paths = {p: set(methods) for p, methods in spec["paths"].items()}
    assert paths == EXPECTED_PATHS


def test_every_operation_documents_auth_and_problem_details(spec):
    operation_ids = []
    for path, methods in spec["paths"].items():
        for op in methods.values():
            operation_ids.append(op["operationId"])
            public = path.startswith(PUBLIC_PREFIXES)
            assert bool(op.get("security")) != public, op["operationId"]
            for status in ("404", "422") if public else ("401", "404", "422"):
                content = op["responses"][status]["content"]
                assert content["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    assert len(operation_ids) == len(set(operation_ids))
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_bodies_are_documented(spec):
    schemas = spec["components"]["schemas"]
    create = spec["paths"]["/api/projects"]["post"]["requestBody"]["content"]["application/json"]
    assert create["schema"]["$ref"].endswith("/ProjectIn")
    assert "organisation" in schemas["ProjectIn"]["required"]
    kind = schemas["EquipmentLineIn"]["properties"]["kind"]
    assert "laptop" in str(kind)  # the codes are listed
    calc = spec["paths"]["/api/calc"]["post"]
    assert calc["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ProjectDocument"
    )
    assert {"project", "scenarios"} <= set(schemas["ProjectDocument"]["properties"])
    results = spec["paths"]["/api/projects/{project_id}/results"]["get"]["responses"]["200"]
    assert results["content"]["application/json"]["schema"]["$ref"].endswith("/CalcResult")
    assert {"net", "scenarios", "comparison"} <= set(schemas["CalcResult"]["properties"])


def test_interactive_docs_are_public(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
    assert b"cdn." not in response.content  # Swagger UI comes from this server (offline use)


def test_document_description_has_the_parser_keys():
    """The OpenAPI description of a project document has exactly the keys the parser accepts."""
    keys = document_keys()
    assert keys["top"] == set(project_toml.TOP_KEYS)
    assert keys["project"] == set(project_toml.PROJECT_KEYS)
    assert keys["scenario"] == set(project_toml.SCENARIO_KEYS)
    assert keys["equipment"] == set(project_toml.EQUIPMENT_KEYS)
    assert keys["network"] == set(project_toml.NETWORK_KEYS)
    assert keys["avoided"] == set(project_toml.AVOIDED_KEYS)
    assert keys["costs"] == set(project_toml.COST_KEYS)
    assert keys["sroi"] == set(project_toml.SROI_KEYS)
    assert keys["override"] == set(project_toml.OVERRIDE_KEYS)


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_openapi_is_consistent(spec):
    """Without a validator package: every $ref resolves, every path parameter is declared,
    every operation has responses."""
    schemas = spec["components"]["schemas"]
    for ref in set(_refs(spec)):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schemas, ref
    for path, methods in spec["paths"].items():
        declared_in_path = set(re.findall(r"\{(\w+)\}", path))  # also /{slug}.json
        for op in methods.values():
            params = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert params == declared_in_path, (path, op["operationId"])
            assert op["responses"]
