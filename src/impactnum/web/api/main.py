"""The JSON API: one NinjaAPI, one router per domain, one error format, one renderer.

Every endpoint needs a token or a session (`auth.AUTH`), except the OpenAPI description
(/api/openapi.json) and the interactive docs (/api/docs). Docs: docs/api.md.
"""

import json
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from impactnum.calculation import json_ready
from impactnum.engine import ENGINE_VERSION

from . import calc, factors, fleet, organisations, plan, projects, reuse, scenarios
from .auth import AUTH
from .document import ProjectDocument
from .errors import PROBLEM_MEDIA_TYPE, install_handlers

DESCRIPTION = """\
The data of every impactnum page, for scripts and other systems.

**Authentication**: `Authorization: Bearer <token>` (create tokens on the /tokens/ page), or
the logged-in session with the `X-CSRFToken` header on unsafe methods.
**Errors**: RFC 9457 problem details (`application/problem+json`), with `errors: [{field,
message}]` for invalid input. **Lists**: `?limit=&offset=`, answering `{count, items}`.
Guide with examples: docs/api.md.
"""

ERROR_RESPONSES = {
    "400": "Refused by a rule (problem details)",
    "401": "No valid token or session",
    "403": "Your role does not allow this",
    "404": "Not found, or not in your organisations",
    "422": "Invalid input: `errors` lists each field",
}
CHANGE_ERROR_RESPONSES = {
    "409": "Conflict: changed by someone else meanwhile, or its state forbids this change",
}
"""Documented on the operations that change something (POST, PUT, PATCH, DELETE) only."""


class NoNaNRenderer(JSONRenderer):
    """JSON without NaN or infinities (they become null): JSON has no NaN."""

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        # Most answers have no NaN: encoded as they are (the same text `json_ready` would
        # give); only when the encoder refuses a value (NaN, infinity, a NumPy scalar) is the
        # data copied through `json_ready`.
        try:
            return json.dumps(data, cls=NinjaJSONEncoder, allow_nan=False)
        except (ValueError, TypeError):
            return json.dumps(json_ready(data), cls=NinjaJSONEncoder, allow_nan=False)


class ImpactnumAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        """Ninja's schema plus the problem-details body on the error responses of every
        operation, and the project document (the body of POST /api/calc)."""
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = PROBLEM_SCHEMA
        doc = ProjectDocument.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(doc.pop("$defs", {}))
        components.setdefault("ProjectDocument", doc)
        problem_ref = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for _path, methods in schema["paths"].items():
            for method, operation in methods.items():
                responses = operation.setdefault("responses", {})
                errors = dict(ERROR_RESPONSES)
                if method.lower() != "get":
                    errors.update(CHANGE_ERROR_RESPONSES)
                for status, text in errors.items():
                    if status == "401" and not operation.get("security"):
                        continue
                    responses.setdefault(status, {"description": text, "content": problem_ref})
        return schema


PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "The request path"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {
                        "type": "string",
                        "description": "Dotted path, 0-based indices; '' = the whole body",
                    },
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def build_api() -> NinjaAPI:
    api = ImpactnumAPI(
        title="impactnum API",
        version=f"1 (engine {ENGINE_VERSION})",
        description=DESCRIPTION,
        urls_namespace="api",
        auth=AUTH,
        renderer=NoNaNRenderer(),
    )
    install_handlers(api)
    api.add_router("", organisations.router)
    api.add_router("", projects.router)
    api.add_router("", scenarios.router)
    api.add_router("", factors.router)
    api.add_router("", calc.router)
    api.add_router("", fleet.router)
    api.add_router("", reuse.router)
    api.add_router("", plan.router)
    api.add_router("", "impactnum.web.api.reuse_people.router")
    api.add_router("", "impactnum.web.api.territory.router")
    api.add_router("", "impactnum.web.api.ecodesign.router")
    return api


api = build_api()
