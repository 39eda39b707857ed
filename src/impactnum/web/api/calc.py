"""`POST /api/calc`: compute a project sent as JSON, store nothing.

The body has the structure of a project file (docs/project-file.md), checked by the same parser
as `impactnum calc`; the answer is the same JSON as `impactnum calc --format json`.
"""

import json
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from impactnum.calculation import CalcInputError, json_ready, run_document

from .projects import MAX_DRAWS
from .schemas import CalcResult

router = Router(tags=["calculation"])

SOURCE = "body"
"""Name of the document in the calculation's messages (stripped from the field paths)."""

REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "description": "A project in the project-file structure (docs/project-file.md)",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ProjectDocument"}}
        },
    }
}


class CalcOptions(Schema):
    draws: int | None = Field(
        None, ge=1, le=MAX_DRAWS, description="Monte Carlo draws: low/high become P5–P95"
    )
    seed: int = Field(0, ge=0, description="Random seed of the draws")
    factors: str | None = Field(
        None, description="Factor set replacing the project's (name[@version])"
    )


@router.post("/calc", response=CalcResult, exclude_unset=True, openapi_extra=REQUEST_BODY)
def calc(request: HttpRequest, options: Query[CalcOptions]) -> dict[str, Any]:
    """Compute a project given in the body, without storing anything. Every input problem
    is listed in a 422 problem, each with its field path (`scenarios[0].equipment[1].quantity`)."""
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise HttpError(400, "Cannot parse request body") from None
    if not isinstance(data, dict):
        raise CalcInputError(
            [f"{SOURCE}: the body must be a JSON object with `project` and `scenarios`"]
        )
    result = run_document(
        data,
        source=SOURCE,
        factors=options.factors,
        draws=options.draws,
        seed=options.seed,
    )
    return json_ready(result)  # type: ignore[no-any-return]
