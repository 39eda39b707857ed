"""The figures of the yearly report for one organisation and calendar year N, JSON-ready.

Each figure is picked from the function that already computes it, mostly through the territory
dashboard's sections (`territory.dashboard`), which apply the avoided-once rule:

- fleet: `fleet.footprint.footprint_trend` for year N alone — the assets held on 31 December N
  (today for the current year), value with its low–high band, the factor set and its source;
- quotas: `dashboard.quotas_section` (AGEC art. 58 and décret 2023-266 shares vs targets);
- reuse chain: `dashboard.reuse_section` over 1 January → 31 December N (cut at today);
- projects: `dashboard.projects_section` (each project's baseline net balance per year);
- commitments: the latest evaluation frozen in year N, else the live state on the period's
  last day (`plan.evaluations.build_snapshot`);
- objectives: the strategy version in force in year N and the plan's indicators.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from impactnum.engine import CRITERIA
from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation
from impactnum.web.fleet import footprint
from impactnum.web.territory import dashboard

from ..choices import EvaluationStatus
from ..evaluations import build_snapshot
from ..models import Evaluation
from ..strategy import ANNUAL_BASIS, LEGAL_BASIS, strategy_dict, strategy_for

FIRST_YEAR = 2000
REPORT_VERSION = 1


def check_year(year: Any, today: dt.date) -> int:
    """The report's year as an int, from 2000 to the current year; else a DomainError on
    `year`."""
    try:
        value = int(year)
    except (TypeError, ValueError) as exc:
        raise DomainError(_("L'année est un nombre, ex. 2025."), field="year") from exc
    if not FIRST_YEAR <= value <= today.year:
        raise DomainError(
            _("L'année doit être comprise entre %(a)d et %(b)d.")
            % {"a": FIRST_YEAR, "b": today.year},
            field="year",
        )
    return value


def fleet_part(organisation: Organisation, year: int, date_to: dt.date) -> dict[str, Any]:
    """The fleet held at the end of the year and its annual footprint, every criterion the
    factor set publishes (None where it does not)."""
    fs = footprint.factor_set_of(footprint.DEFAULT_FACTOR_SET)
    trend = footprint.footprint_trend(organisation, [year], factor_set=fs)
    point = trend["years"][0]
    totals = point["totals"] or {}
    criteria = []
    for c in CRITERIA:
        cell = totals.get(c.code)
        criteria.append(
            {
                "code": c.code,
                "label": c.label_fr,
                "unit": f"{c.unit}/an",
                "value": None if cell is None else cell.get("value"),
                "low": None if cell is None else cell.get("low"),
                "high": None if cell is None else cell.get("high"),
            }
        )
    return {
        "on": date_to.isoformat(),
        "assets": point["assets"],
        "gwp": totals.get("gwp"),
        "unit": "kgCO2e/an",
        "criteria": criteria,
        "factor_set": trend["factor_set"],
        "factor_set_title": str(fs.info.get("title", "")),
        "factor_set_publisher": str(fs.info.get("publisher", "")),
        "factor_set_url": str(fs.info.get("url", "")),
        "method": trend["method"],
        "not_covered": trend["not_covered"],
        "warnings": trend["warnings"],
    }


def frozen_evaluation(organisation: Organisation, year: int) -> Evaluation | None:
    """The latest evaluation frozen with a date in `year`."""
    return (
        Evaluation.objects.filter(
            organisation=organisation,
            status=EvaluationStatus.FROZEN,
            on__gte=dt.date(year, 1, 1),
            on__lte=dt.date(year, 12, 31),
        )
        .order_by("-on", "-pk")
        .first()
    )


def commitments_part(
    actor: AbstractBaseUser, organisation: Organisation, year: int, date_to: dt.date
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The plan's progress (from the year's latest frozen evaluation, else live on `date_to`)
    and its indicators, one row each."""
    evaluation = frozen_evaluation(organisation, year)
    if evaluation is not None and evaluation.snapshot:
        snap = evaluation.snapshot
        origin: dict[str, Any] = {
            "source": "evaluation",
            "evaluation": {"id": evaluation.pk, "label": evaluation.label, "on": snap["on"]},
        }
    else:
        snap = build_snapshot(organisation, date_to, actor=actor)
        origin = {"source": "live", "evaluation": None}
    commitments = {**origin, **dashboard.commitments_progress(snap)}
    indicators = [
        {
            "commitment": c["reference"],
            "name": i["name"],
            "unit": i["unit"],
            "value": i["value"],
            "value_on": i["value_on"],
            "baseline": i["baseline"]["value"],
            "target": i["target"]["value"],
            "target_on": i["target"]["on"],
            "on_track": i["on_track"],
            "target_met": i["target_met"],
        }
        for c in snap["commitments"]
        for i in c["indicators"]
    ]
    return commitments, indicators


def annual_report(
    actor: AbstractBaseUser,
    organisation: Organisation,
    year: Any,
    *,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Every figure of the yearly report of `organisation` for calendar `year` (JSON-ready).

    A year before 2000 or after the current one is a DomainError on `year`. The reuse chain's
    avoided CO2e appears in `reuse` only (`avoided_once` restates the rule); the fleet's
    footprint is gross.
    """
    from impactnum.calculation import json_ready

    today = today or timezone.localdate()
    year = check_year(year, today)
    date_from, date_to = dashboard.period(year, today)
    commitments, indicators = commitments_part(actor, organisation, year, date_to)
    strategy = strategy_dict(strategy_for(organisation, year))
    objectives = next(
        (s["text"] for s in (strategy or {}).get("sections", []) if s["code"] == "objectives"), ""
    )
    reuse = dashboard.reuse_section(organisation, date_from, date_to)
    return json_ready(
        {
            "version": REPORT_VERSION,
            "organisation": {
                "slug": organisation.slug,
                "name": organisation.name,
                "kind": organisation.kind,
            },
            "year": year,
            "date_from": date_from.isoformat(),
            "date_to": date_to.isoformat(),
            "generated_on": today.isoformat(),
            "legal_basis": [str(ANNUAL_BASIS), str(LEGAL_BASIS)],
            "fleet": fleet_part(organisation, year, date_to),
            "quotas": dashboard.quotas_section(organisation, year),
            "reuse": reuse,
            "avoided_once": {
                "co2e_avoided_kg": reuse["co2e_avoided_kg"],
                "counted_in": "reuse",
                "rule": dashboard.AVOIDED_ONCE,
            },
            "projects": dashboard.projects_section(actor, organisation),
            "commitments": commitments,
            "objectives": {
                "strategy": None
                if strategy is None
                else {k: strategy[k] for k in ("year", "title", "adopted_on")},
                "text": objectives,
                "indicators": indicators,
            },
        }
    )
