"""The eco-design statement (déclaration d'écoconception) of an assessment: one context for the
page and the two downloads (Markdown, standalone HTML), so the three say the same thing."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.template.loader import render_to_string

from .choices import AnswerStatus
from .models import Assessment, Criterion
from .scores import scores


def statement_context(assessment: Assessment) -> dict[str, Any]:
    answers = {
        a.criterion_id: a
        for a in assessment.answers.select_related("criterion").order_by("criterion__position")
    }
    criteria = list(Criterion.objects.filter(referential_id=assessment.referential_id))
    non_compliant = [
        (c, answers[c.pk])
        for c in criteria
        if c.pk in answers and answers[c.pk].status == AnswerStatus.NON_COMPLIANT
    ]
    not_applicable = [
        (c, answers[c.pk])
        for c in criteria
        if c.pk in answers and answers[c.pk].status == AnswerStatus.NOT_APPLICABLE
    ]
    unanswered = [c for c in criteria if c.pk not in answers]
    return {
        "assessment": assessment,
        "organisation": assessment.organisation,
        "referential": assessment.referential,
        "scores": scores(assessment),
        "non_compliant": non_compliant,
        "not_applicable": not_applicable,
        "unanswered": unanswered,
    }


def statement_markdown(assessment: Assessment) -> str:
    context = statement_context(assessment)
    for key in ("non_compliant", "not_applicable"):  # texts stay inside their list item
        context[key] = [
            (
                c,
                SimpleNamespace(
                    planned_action=_item(a.planned_action), justification=_item(a.justification)
                ),
            )
            for c, a in context[key]
        ]
    return render_to_string("ecodesign/statement.md", context)


def _item(text: str) -> str:
    """A multi-line text as the continuation of a Markdown list item (indented lines)."""
    return "\n  ".join(line for line in text.splitlines() if line.strip())


def statement_html(assessment: Assessment) -> str:
    """A standalone page (styles inline, no outside resource) to publish as it is."""
    return render_to_string("ecodesign/statement_download.html", statement_context(assessment))
