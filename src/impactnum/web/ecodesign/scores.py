"""The conformity rate of an assessment, per family, per priority and overall.

rate = conforme / (conforme + non conforme): criteria answered « non applicable » and those not
yet answered are left out of the rate and counted beside it (docs/methodology/rgesn.md). When the
referential carries the 2024 priorities, the rate is also given per priority level, and a
weighted rate counts a « prioritaire » criterion 3 times, « recommandé » 2 times, « modéré » once
(impactnum's convention, not the RGESN's: shown as indicative only).

Counted with one database aggregate over the referential's criteria grouped by family and
priority; the few groups are then added up here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Min, Q, QuerySet

from .choices import AnswerStatus, Priority
from .models import Assessment, Criterion

PRIORITY_WEIGHTS = {Priority.PRIORITY: 3, Priority.RECOMMENDED: 2, Priority.MODERATE: 1}


@dataclass
class Tally:
    """Counts of the answers of a group of criteria, and its rate."""

    label: str = ""
    compliant: int = 0
    non_compliant: int = 0
    not_applicable: int = 0
    unanswered: int = 0

    @property
    def total(self) -> int:
        return self.compliant + self.non_compliant + self.not_applicable + self.unanswered

    @property
    def answered(self) -> int:
        return self.compliant + self.non_compliant + self.not_applicable

    @property
    def assessed(self) -> int:
        """The criteria that count in the rate: conforme or non conforme."""
        return self.compliant + self.non_compliant

    @property
    def rate(self) -> float | None:
        """conforme / (conforme + non conforme), None when no criterion counts."""
        return self.compliant / self.assessed if self.assessed else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(100 * self.rate, 1)

    def add(self, other: Tally) -> None:
        self.compliant += other.compliant
        self.non_compliant += other.non_compliant
        self.not_applicable += other.not_applicable
        self.unanswered += other.unanswered

    def as_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "compliant": self.compliant,
            "non_compliant": self.non_compliant,
            "not_applicable": self.not_applicable,
            "unanswered": self.unanswered,
            "total": self.total,
            "rate": self.rate,
        }


@dataclass
class Scores:
    overall: Tally
    families: list[Tally]
    priorities: list[Tally] = field(default_factory=list)
    weighted_rate: float | None = None

    @property
    def complete(self) -> bool:
        return self.overall.unanswered == 0

    @property
    def weighted_percent(self) -> float | None:
        return None if self.weighted_rate is None else round(100 * self.weighted_rate, 1)

    def as_dict(self) -> dict[str, object]:
        return {
            "overall": self.overall.as_dict(),
            "families": [f.as_dict() for f in self.families],
            "priorities": [p.as_dict() for p in self.priorities],
            "weighted_rate": self.weighted_rate,
            "complete": self.complete,
        }


def scores(assessment: Assessment) -> Scores:
    mine = Q(answers__assessment=assessment)

    def answered(status: str) -> Count:
        return Count("answers", filter=mine & Q(answers__status=status))

    groups = (
        Criterion.objects.filter(referential_id=assessment.referential_id)
        .values("family", "priority")
        .annotate(
            first=Min("position"),
            n=Count("id", distinct=True),
            compliant=answered(AnswerStatus.COMPLIANT),
            non_compliant=answered(AnswerStatus.NON_COMPLIANT),
            not_applicable=answered(AnswerStatus.NOT_APPLICABLE),
        )
        .order_by("first")
    )
    overall = Tally(label="")
    families: dict[str, Tally] = {}
    priorities = {p: Tally(label=str(p.label)) for p in Priority}
    for g in groups:
        group = Tally(
            compliant=g["compliant"],
            non_compliant=g["non_compliant"],
            not_applicable=g["not_applicable"],
            unanswered=g["n"] - g["compliant"] - g["non_compliant"] - g["not_applicable"],
        )
        families.setdefault(g["family"], Tally(label=g["family"])).add(group)
        if g["priority"]:
            priorities[Priority(g["priority"])].add(group)
        overall.add(group)
    used = [priorities[p] for p in Priority if priorities[p].total]
    weighted = None
    if used:
        num = sum(PRIORITY_WEIGHTS[p] * priorities[p].compliant for p in Priority)
        den = sum(PRIORITY_WEIGHTS[p] * priorities[p].assessed for p in Priority)
        weighted = num / den if den else None
    return Scores(overall, list(families.values()), used, weighted)


def with_overall(assessments: QuerySet[Assessment]) -> list[tuple[Assessment, Tally]]:
    """Each assessment with its overall tally, counted in one query (for the lists)."""

    def answered(status: str) -> Count:
        return Count("answers", filter=Q(answers__status=status), distinct=True)

    rows = assessments.annotate(
        n_criteria=Count("referential__criteria", distinct=True),
        n_compliant=answered(AnswerStatus.COMPLIANT),
        n_non_compliant=answered(AnswerStatus.NON_COMPLIANT),
        n_not_applicable=answered(AnswerStatus.NOT_APPLICABLE),
    )
    out = []
    for a in rows:
        answered_n = a.n_compliant + a.n_non_compliant + a.n_not_applicable
        tally = Tally(
            compliant=a.n_compliant,
            non_compliant=a.n_non_compliant,
            not_applicable=a.n_not_applicable,
            unanswered=a.n_criteria - answered_n,
        )
        out.append((a, tally))
    return out
