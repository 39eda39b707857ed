"""The open data of an organisation: aggregated figures of the sections it publishes, as rows
of one documented table (docs/open-data.md; Table Schema `data/open-data.schema.json`).

The same rows feed the public page, the JSON export and the CSV export. Only aggregates: no
person, no pseudonym, no user name, nothing per beneficiary; a per-commune count or a count
of people below `fragility.SMALL_COUNT` is suppressed (empty value, `suppressed` true).
Nothing here asks who is calling: the caller has checked that the organisation publishes
(`publication.published`), and only the sections of its `Publication` are built.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from functools import cache
from importlib import resources
from typing import Any

from django.utils import timezone

from impactnum.calculation import CalcInputError, json_ready, run_document
from impactnum.io.cells import csv_writer
from impactnum.web.core.models import Organisation
from impactnum.web.fleet import footprint, quotas
from impactnum.web.projects.models import Project
from impactnum.web.projects.services import organisation_overrides, project_document
from impactnum.web.reuse.report import reuse_report

from . import fragility
from .dashboard import period
from .models import LICENCE_URLS, Licence, Publication

FIELDS = (
    "organisation",
    "section",
    "indicator",
    "label",
    "period",
    "subject",
    "value",
    "unit",
    "low",
    "high",
    "suppressed",
)
SCHEMA_FILE = "data/open-data.schema.json"
FIRST_YEAR = 2015
PEOPLE_COUNTS = ("people_equipped", "people_supported")

REUSE_FIGURES = (
    ("devices_collected", "Appareils collectés", "appareils"),
    ("kg_collected", "Poids collecté", "kg"),
    ("devices_provided", "Appareils remis (dons, ventes solidaires, prêts)", "appareils"),
    ("people_equipped", "Personnes équipées", "personnes"),
    ("organisations_equipped", "Structures équipées", "structures"),
    ("reuse_rate", "Taux de réemploi (remis ÷ sortis)", "ratio"),
    ("kg_recycled", "Poids envoyé au recyclage (DEEE)", "kg"),
    ("support_sessions", "Séances d'accompagnement numérique", "séances"),
    ("support_hours", "Heures d'accompagnement numérique", "h"),
    ("people_supported", "Personnes accompagnées", "personnes"),
    ("ewaste_avoided_kg", "Déchets électroniques évités", "kg"),
)


@cache
def table_schema() -> dict[str, Any]:
    """The Table Schema (frictionless) of the CSV export, shipped with the app."""
    text = resources.files("impactnum.web.territory").joinpath(SCHEMA_FILE).read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def chosen_year(raw: str | None, today: dt.date | None = None) -> int:
    this = (today or timezone.localdate()).year
    try:
        year = int(raw or this)
    except ValueError:
        year = this
    return max(FIRST_YEAR, min(this, year))


def _row(
    org: Organisation,
    section: str,
    indicator: str,
    label: str,
    period_text: str,
    value: Any,
    unit: str,
    *,
    subject: str = "",
    low: Any = None,
    high: Any = None,
    suppressed: bool = False,
) -> dict[str, Any]:
    def num(x: Any) -> float | int | None:
        if x is None:
            return None
        return x if isinstance(x, int) and not isinstance(x, bool) else round(float(x), 6)

    return {
        "organisation": org.slug,
        "section": section,
        "indicator": indicator,
        "label": label,
        "period": period_text,
        "subject": subject,
        "value": None if suppressed else num(value),
        "unit": unit,
        "low": None if suppressed else num(low),
        "high": None if suppressed else num(high),
        "suppressed": suppressed,
    }


def _fleet(org: Organisation, today: dt.date) -> list[dict[str, Any]]:
    now = footprint.fleet_footprint(org)
    trend = footprint.footprint_trend(org)
    gwp = (now.get("totals") or {}).get("gwp") or {}
    rows = [
        _row(
            org,
            "fleet",
            "assets_held",
            "Équipements du parc comptés",
            today.isoformat(),
            now["assets_counted"],
            "équipements",
        ),
        _row(
            org,
            "fleet",
            "footprint_gwp",
            "Empreinte annuelle du parc (changement climatique)",
            today.isoformat(),
            gwp.get("value"),
            "kgCO2e/an",
            low=gwp.get("low"),
            high=gwp.get("high"),
        ),
    ]
    for y in trend["years"]:
        t = (y["totals"] or {}).get("gwp") or {}
        rows.append(
            _row(
                org,
                "fleet",
                "footprint_gwp_year_end",
                "Empreinte annuelle du parc détenu au 31 décembre",
                str(y["year"]),
                t.get("value"),
                "kgCO2e/an",
                low=t.get("low"),
                high=t.get("high"),
            )
        )
    return rows


def _quotas(org: Organisation, year: int) -> list[dict[str, Any]]:
    agec = quotas.agec_purchases(org, year)
    reuse = quotas.retired_reuse(org, year)
    y = str(year)
    return [
        _row(
            org,
            "quotas",
            "agec_share",
            "AGEC art. 58 : part réemploi/recyclé des achats informatiques",
            y,
            agec["shares"]["together"],
            "ratio",
        ),
        _row(
            org,
            "quotas",
            "agec_target",
            "AGEC art. 58 : cible",
            y,
            (agec["target"] or {}).get("target"),
            "ratio",
        ),
        _row(
            org,
            "quotas",
            "retired_reuse_share",
            "Décret 2023-266 : part du matériel réformé orientée vers le réemploi",
            y,
            reuse["share"],
            "ratio",
        ),
        _row(
            org,
            "quotas",
            "retired_reuse_target",
            "Décret 2023-266 : cible",
            y,
            (reuse["target"] or {}).get("target"),
            "ratio",
        ),
    ]


def _reuse(org: Organisation, date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    r = reuse_report(org, date_from, date_to)
    p = f"{date_from.isoformat()}/{date_to.isoformat()}"
    rows = [
        _row(
            org,
            "reuse",
            key,
            label,
            p,
            r[key],
            unit,
            suppressed=key in PEOPLE_COUNTS and 0 < r[key] < fragility.SMALL_COUNT,
        )
        for key, label, unit in REUSE_FIGURES
    ]
    rows.append(
        _row(
            org,
            "reuse",
            "co2e_avoided",
            "Émissions évitées par le réemploi (comptées une seule fois, à la première remise)",
            p,
            r["co2e_avoided_kg"],
            "kgCO2e",
            low=r["co2e_avoided_low_kg"],
            high=r["co2e_avoided_high_kg"],
        )
    )
    return rows


def project_result(project: Project) -> dict[str, Any] | None:
    """The project's calculation (as `projects.services.calculate`, without a person: the
    organisation has chosen to publish it); None when its inputs cannot be computed."""
    try:
        return run_document(
            project_document(project),
            source=f"project {project.pk}",
            extra_overrides=organisation_overrides(project.organisation),
        )
    except CalcInputError:
        return None


def _projects(org: Organisation, today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for project in Project.objects.filter(organisation=org).order_by("name"):
        result = project_result(project)
        net = ((result or {}).get("net") or {}).get("gwp") or {}
        rows.append(
            _row(
                org,
                "projects",
                "net_balance_gwp",
                "Bilan net annuel du projet (impacts − impacts évités)",
                today.isoformat(),
                net.get("value"),
                "kgCO2e/an",
                subject=project.name,
                low=net.get("low"),
                high=net.get("high"),
            )
        )
    return rows


def _commitments(org: Organisation, today: dt.date) -> list[dict[str, Any]]:
    try:
        from impactnum.web.plan.evaluations import build_snapshot
    except ImportError:
        return []
    snap = build_snapshot(org, today, actor=None)
    d = today.isoformat()
    s = snap["summary"]
    rows = [
        _row(org, "commitments", "commitments", "Engagements", d, s["commitments"], "engagements"),
        _row(
            org, "commitments", "actions_done", "Actions réalisées", d, s["actions_done"], "actions"
        ),
        _row(org, "commitments", "actions", "Actions prévues", d, s["actions"], "actions"),
        _row(
            org,
            "commitments",
            "mean_progress",
            "Avancement moyen des engagements",
            d,
            s["mean_progress"],
            "%",
        ),
    ]
    for c in snap["commitments"]:
        rows.append(
            _row(
                org,
                "commitments",
                "commitment_progress",
                "Avancement de l'engagement",
                d,
                c["progress"],
                "%",
                subject=f"{c['reference']} — {c['title']}",
            )
        )
    return rows


def _targeting(org: Organisation, date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    t = fragility.targeting(org, date_from, date_to, suppressed=True)
    p = f"{date_from.isoformat()}/{date_to.isoformat()}"
    rows = []
    for c in t["communes"]:
        subject = " ".join(x for x in (c["insee_code"], c["commune"]) if x)
        rows.append(
            _row(
                org,
                "targeting",
                "fragility_global_score",
                "Indice de fragilité numérique : score global",
                t["index"]["imported_at"][:10],
                c["global_score"],
                "score",
                subject=subject,
            )
        )
        for m, label, unit in (
            ("provisions", "Appareils remis à des habitants de la commune", "appareils"),
            (
                "sessions",
                "Séances d'accompagnement individuel d'habitants de la commune",
                "séances",
            ),
        ):
            rows.append(
                _row(
                    org,
                    "targeting",
                    m,
                    label,
                    p,
                    c[m],
                    unit,
                    subject=subject,
                    suppressed=c[f"{m}_suppressed"],
                )
            )
    return rows


def open_figures(
    org: Organisation, pub: Publication, year: int, *, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """The rows of every published section (none when the publication is not enabled)."""
    today = today or timezone.localdate()
    date_from, date_to = period(year, today)
    builders = {
        "fleet": lambda: _fleet(org, today),
        "quotas": lambda: _quotas(org, year),
        "reuse": lambda: _reuse(org, date_from, date_to),
        "projects": lambda: _projects(org, today),
        "commitments": lambda: _commitments(org, today),
        "targeting": lambda: _targeting(org, date_from, date_to),
    }
    rows: list[dict[str, Any]] = []
    for section in pub.sections():
        rows += builders[section]()
    return json_ready(rows)  # type: ignore[no-any-return]


def licence_of(pub: Publication) -> dict[str, str]:
    code = Licence(pub.licence)
    return {"id": code.value, "title": str(code.label), "url": LICENCE_URLS[code]}


def open_document(
    org: Organisation, pub: Publication, year: int, *, today: dt.date | None = None
) -> dict[str, Any]:
    """The JSON export: who publishes, under which licence, the schema, and the rows."""
    today = today or timezone.localdate()
    return {
        "organisation": {"slug": org.slug, "name": org.name},
        "licence": licence_of(pub),
        "contact": pub.contact,
        "year": year,
        "generated_on": today.isoformat(),
        "sections": pub.sections(),
        "schema": table_schema()["name"],
        "fields": list(FIELDS),
        "suppressed_below": fragility.SMALL_COUNT,
        "figures": open_figures(org, pub, year, today=today),
    }


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Comma-separated, UTF-8, header `FIELDS`; missing values empty, booleans true/false."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for r in rows:
        writer.writerow(
            [
                ("true" if r[f] else "false")
                if isinstance(r[f], bool)
                else ("" if r[f] is None else r[f])
                for f in FIELDS
            ]
        )
    return out.getvalue()
