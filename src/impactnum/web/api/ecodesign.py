"""The eco-design router of the JSON API (registered in `web/api/main.py`): the assessments of
digital services against the RGESN, read only (they are answered on the pages).

Reads are filtered by `organisations_for(caller)` (another organisation's assessment: 404).
Rates follow docs/methodology/rgesn.md: conforme / (conforme + non conforme), null when no
criterion counts.
"""

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from impactnum.web.api.auth import actor
from impactnum.web.api.pagination import Pagination
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import VIEW, organisations_for
from impactnum.web.ecodesign.models import Answer, Assessment, Criterion
from impactnum.web.ecodesign.scores import Tally, scores, with_overall

router = Router(tags=["ecodesign"])


def _orgs(request: HttpRequest) -> QuerySet[Organisation]:
    return organisations_for(actor(request), VIEW)


class OrgFilter(Schema):
    organisation: str | None = Field(None, description="Organisation slug; default: all yours")


class TallyOut(Schema):
    label: str = Field(description="Family or priority level ('' for the whole assessment)")
    compliant: int
    non_compliant: int
    not_applicable: int
    unanswered: int
    total: int
    rate: float | None = Field(description="compliant / (compliant + non_compliant), 0–1")


class AssessmentOut(Schema):
    id: int
    organisation: str
    service_name: str
    service_url: str
    assessed_on: dt.date
    contact: str
    referential: str = Field(description="Name and version, e.g. 'RGESN v1'")
    overall: TallyOut


class AnswerOut(Schema):
    code: str
    family: str
    priority: str
    status: str | None = Field(description="compliant, non_compliant, not_applicable or null")
    justification: str
    planned_action: str


class AssessmentDetail(AssessmentOut):
    families: list[TallyOut]
    priorities: list[TallyOut] = Field(description="Empty when the referential has none")
    weighted_rate: float | None = Field(
        description="Priority-weighted rate (3/2/1), indicative; null without priorities"
    )
    complete: bool
    answers: list[AnswerOut] = Field(description="Every criterion, in referential order")


def _out(assessment: Assessment, overall: Tally) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "organisation": assessment.organisation.slug,
        "service_name": assessment.service_name,
        "service_url": assessment.service_url,
        "assessed_on": assessment.assessed_on,
        "contact": assessment.contact,
        "referential": str(assessment.referential),
        "overall": overall.as_dict(),
    }


@router.get("/ecodesign/assessments", response=list[AssessmentOut])
@paginate(Pagination)
def list_ecodesign_assessments(
    request: HttpRequest, filters: Query[OrgFilter]
) -> list[dict[str, Any]]:
    qs = Assessment.objects.filter(organisation__in=_orgs(request))
    if filters.organisation:
        qs = qs.filter(organisation__slug=filters.organisation)
    qs = qs.select_related("organisation", "referential")
    return [_out(a, tally) for a, tally in with_overall(qs)]


@router.get("/ecodesign/assessments/{assessment_id}", response=AssessmentDetail)
def read_ecodesign_assessment(request: HttpRequest, assessment_id: int) -> dict[str, Any]:
    assessment = get_object_or_404(
        Assessment.objects.filter(organisation__in=_orgs(request)).select_related(
            "organisation", "referential"
        ),
        pk=assessment_id,
    )
    result = scores(assessment)
    answers = {a.criterion_id: a for a in Answer.objects.filter(assessment=assessment)}
    rows = []
    for c in Criterion.objects.filter(referential_id=assessment.referential_id):
        a = answers.get(c.pk)
        rows.append(
            {
                "code": c.code,
                "family": c.family,
                "priority": c.priority,
                "status": a.status if a else None,
                "justification": a.justification if a else "",
                "planned_action": a.planned_action if a else "",
            }
        )
    return {
        **_out(assessment, result.overall),
        "families": [f.as_dict() for f in result.families],
        "priorities": [p.as_dict() for p in result.priorities],
        "weighted_rate": result.weighted_rate,
        "complete": result.complete,
        "answers": rows,
    }
