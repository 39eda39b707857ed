"""The direction's dashboard: one organisation's figures from each domain's own function.

Nothing is recomputed here: the fleet's footprint and trend (`fleet.footprint`), the legal
quotas (`fleet.quotas`), the reuse chain's period report (`reuse.report.reuse_report`), each
project's net balance (`projects.services.calculate`) and the plan's summary
(`plan.evaluations.build_snapshot`) are called as they are and their figures picked.

Avoided impact is counted once (docs/methodology/reuse-impact.md): the reuse chain's avoided
CO2e belongs to the reuse section only. The fleet section shows the fleet's gross footprint,
never reduced by what the reuse chain avoided — even for devices that came from the fleet —
and no total adds the reuse chain's avoided impact to anything else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation
from impactnum.web.fleet import footprint, quotas
from impactnum.web.projects import services as project_services
from impactnum.web.projects.models import Project
from impactnum.web.reuse.report import reuse_report

CRITERION = "gwp"
UNIT = "kgCO2e"
AVOIDED_ONCE = (
    "L'impact évité par le réemploi est compté une seule fois, dans la filière de réemploi "
    "(à la première remise d'un appareil) ; l'empreinte du parc n'en est pas diminuée."
)


def _value(estimate: dict[str, Any] | None) -> float | None:
    if not isinstance(estimate, dict):
        return None
    v = estimate.get("value")
    return None if v is None else float(v)


def period(year: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """1 January to 31 December of `year`, cut at today for the current year."""
    today = today or timezone.localdate()
    end = dt.date(year, 12, 31)
    return dt.date(year, 1, 1), min(end, today) if year == today.year else end


def fleet_section(org: Organisation) -> dict[str, Any]:
    """Annual footprint of the fleet held now and its trend per year (gwp, kgCO2e/yr)."""
    now = footprint.fleet_footprint(org)
    trend = footprint.footprint_trend(org)
    totals = now.get("totals") or {}
    return {
        "assets_counted": now["assets_counted"],
        "gwp": totals.get(CRITERION),
        "unit": f"{UNIT}/an",
        "trend": [
            {
                "year": y["year"],
                "assets": y["assets"],
                "gwp": (y["totals"] or {}).get(CRITERION),
            }
            for y in trend["years"]
        ],
        "factor_set": trend["factor_set"],
        "warnings": now["warnings"],
    }


def quotas_section(org: Organisation, year: int) -> dict[str, Any]:
    agec = quotas.agec_purchases(org, year)
    reuse = quotas.retired_reuse(org, year)
    return {
        "year": year,
        "agec": {
            "share": agec["shares"]["together"],
            "target": (agec["target"] or {}).get("target"),
            "met": agec["met"],
            "acquisitions_eur": agec["acquisitions"],
        },
        "retired_reuse": {
            "share": reuse["share"],
            "target": (reuse["target"] or {}).get("target"),
            "met": reuse["met"],
            "a": reuse["a_sent_to_reuse"],
            "b": reuse["b_retired_stock_on_1_january"],
        },
        "warnings": agec["warnings"] + reuse["warnings"],
    }


REUSE_KEYS = (
    "devices_collected",
    "kg_collected",
    "devices_provided",
    "devices_first_provided",
    "people_equipped",
    "organisations_equipped",
    "reuse_rate",
    "kg_recycled",
    "support_sessions",
    "support_hours",
    "people_supported",
    "co2e_avoided_kg",
    "co2e_avoided_low_kg",
    "co2e_avoided_high_kg",
    "ewaste_avoided_kg",
)


def reuse_section(org: Organisation, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    report = reuse_report(org, date_from, date_to)
    return {
        "date_from": report["date_from"],
        "date_to": report["date_to"],
        **{k: report[k] for k in REUSE_KEYS},
        "co2e_method": report["co2e_method"],
    }


def projects_section(actor: AbstractBaseUser, org: Organisation) -> dict[str, Any]:
    """Each project's baseline net balance per year (impacts − avoided, gwp); a project that
    cannot be computed says why."""
    rows = []
    for project in Project.objects.filter(organisation=org).order_by("name"):
        row: dict[str, Any] = {"id": project.pk, "name": project.name, "status": project.status}
        try:
            result = project_services.calculate(actor, project)
        except DomainError as exc:
            row.update(net=None, error=exc.message)
        else:
            row.update(
                net=(result.get("net") or {}).get(CRITERION),
                baseline=result.get("baseline"),
                error="",
            )
        rows.append(row)
    return {"unit": f"{UNIT}/an", "projects": rows}


def commitments_section(actor: AbstractBaseUser, org: Organisation, on: dt.date) -> dict[str, Any]:
    """The plan's summary at `on` (`plan.evaluations.build_snapshot`), and each commitment's
    progress."""
    from impactnum.web.plan.evaluations import build_snapshot  # plan is above territory

    return {"available": True, **commitments_progress(build_snapshot(org, on, actor=actor))}


def commitments_progress(snap: dict[str, Any]) -> dict[str, Any]:
    """A plan snapshot (live or a frozen evaluation's) reduced to its summary and each
    commitment's progress: what the dashboard and the yearly report show."""
    return {
        "on": snap["on"],
        "summary": snap["summary"],
        "commitments": [
            {
                "id": c["id"],
                "reference": c["reference"],
                "title": c["title"],
                "progress": c["progress"],
                "actions": len(c["actions"]),
                "actions_done": c["actions_done"],
                "actions_late": c["actions_late"],
            }
            for c in snap["commitments"]
        ],
    }


def dashboard(
    actor: AbstractBaseUser, org: Organisation, year: int, *, today: dt.date | None = None
) -> dict[str, Any]:
    """Every section of the dashboard for `org` and calendar `year` (JSON-ready).

    `avoided_once` restates the rule and gives the one avoided figure of the page: the reuse
    chain's (kgCO2e over the period)."""
    today = today or timezone.localdate()
    date_from, date_to = period(year, today)
    reuse = reuse_section(org, date_from, date_to)
    return {
        "organisation": org.slug,
        "year": year,
        "fleet": fleet_section(org),
        "quotas": quotas_section(org, year),
        "reuse": reuse,
        "projects": projects_section(actor, org),
        "commitments": commitments_section(actor, org, today),
        "avoided_once": {
            "co2e_avoided_kg": reuse["co2e_avoided_kg"],
            "counted_in": "reuse",
            "rule": AVOIDED_ONCE,
        },
    }


def net_value(row: dict[str, Any]) -> float | None:
    return _value(row.get("net"))
