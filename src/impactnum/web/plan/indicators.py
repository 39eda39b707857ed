"""The one registry of live indicator sources: each a function of (organisation, date) giving a
value with its unit, computed from impactnum's own data by the modules that already compute it
(`fleet.indicators`, `fleet.quotas`, `reuse.report`, `projects.services.calculate`).

Periods: a "year" source covers the calendar year of the date (1 January → the date, or the
whole year for the AGEC and décret 2023-266 shares, which are yearly by law). Fleet sources read
today's records: a past date moves the window, it does not replay history — which is why an
evaluation freezes the values it saw. Definitions: docs/methodology/commitments.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation


@dataclass(frozen=True)
class Measure:
    """A computed value (None when it cannot be computed, e.g. no purchase that year), its unit
    and the figures it came from (JSON-ready)."""

    value: float | None
    unit: str
    detail: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        out = {"value": self.value, "unit": self.unit, "detail": self.detail}
        if self.error:
            out["error"] = self.error
        return out


@dataclass
class Context:
    """What a source is computed for; `cache` lets sources share one costly computation (the
    reuse report) within one page or one evaluation."""

    organisation: Organisation
    on: dt.date
    params: dict[str, Any] = field(default_factory=dict)
    actor: AbstractBaseUser | None = None
    cache: dict[Any, Any] = field(default_factory=dict)

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.on.year, 1, 1)


@dataclass(frozen=True)
class Source:
    code: str
    label: str | Promise
    unit: str
    definition: str
    compute: Callable[[Context], Measure]
    params: tuple[str, ...] = ()


SOURCES: dict[str, Source] = {}


def source(
    code: str, label: str | Promise, unit: str, params: tuple[str, ...] = ()
) -> Callable[[Callable[[Context], Measure]], Callable[[Context], Measure]]:
    """Register a source; its docstring is its definition."""

    def register(fn: Callable[[Context], Measure]) -> Callable[[Context], Measure]:
        SOURCES[code] = Source(code, label, unit, (fn.__doc__ or "").strip(), fn, params)
        return fn

    return register


def source_choices() -> list[tuple[str, str]]:
    return [(s.code, f"{s.label} ({s.unit})") for s in SOURCES.values()]


def compute(
    code: str,
    organisation: Organisation,
    on: dt.date,
    params: dict[str, Any] | None = None,
    *,
    actor: AbstractBaseUser | None = None,
    cache: dict[Any, Any] | None = None,
) -> Measure:
    """The value of source `code` for the organisation on `on`. An unknown source raises
    DomainError; a source that cannot be computed (a project with input errors, a missing
    parameter) returns a Measure with value None and the reason in `error`."""
    src = SOURCES.get(code)
    if src is None:
        raise DomainError(_("Source de calcul inconnue : %(c)s") % {"c": code}, field="source")
    ctx = Context(organisation, on, dict(params or {}), actor, cache if cache is not None else {})
    try:
        return src.compute(ctx)
    except DomainError as exc:
        return Measure(None, src.unit, error=exc.message)


def _pct(share: float | None) -> float | None:
    return None if share is None else 100 * share


# --- fleet -------------------------------------------------------------------------------------


@source("fleet.refurbished_share_count", _("Achats reconditionnés (en nombre)"), "%")
def refurbished_share_count(ctx: Context) -> Measure:
    """Share of the assets bought in the calendar year of the date (donations excluded) that
    were bought refurbished, by count (fleet.indicators.refurbished_purchase_share)."""
    from impactnum.web.fleet.indicators import refurbished_purchase_share

    r = refurbished_purchase_share(ctx.organisation, ctx.on.year)
    return Measure(_pct(r["share_by_count"]), "%", r)


@source("fleet.refurbished_share_spend", _("Achats reconditionnés (en dépense HT)"), "%")
def refurbished_share_spend(ctx: Context) -> Measure:
    """Same purchases, share of the spend excl. VAT bought refurbished."""
    from impactnum.web.fleet.indicators import refurbished_purchase_share

    r = refurbished_purchase_share(ctx.organisation, ctx.on.year)
    return Measure(_pct(r["share_by_spend"]), "%", r)


@source("fleet.average_age", _("Âge moyen du parc détenu"), "ans")
def average_age(ctx: Context) -> Measure:
    """Mean age on the date of the assets held (in stock, in service, in repair, spare) that
    have a purchase date, in years of 365.25 days (fleet.indicators.average_age_years)."""
    from impactnum.web.fleet.indicators import average_age_years

    r = average_age_years(ctx.organisation, ctx.on)
    return Measure(r["value"], "ans", r)


@source("fleet.agec_share", _("Part AGEC art. 58 (réemploi, dons et recyclé)"), "%")
def agec_share(ctx: Context) -> Measure:
    """AGEC art. 58, IT and telephony, for the calendar year of the date: (refurbished or
    recycled-content spend + donations) ÷ acquisitions HT (fleet.quotas.agec_purchases)."""
    from impactnum.web.fleet.quotas import agec_purchases

    r = agec_purchases(ctx.organisation, ctx.on.year)
    detail = {"amounts": r["amounts"], "target": r["target"], "warnings": r["warnings"]}
    return Measure(_pct(r["shares"]["together"]), "%", detail)


@source("fleet.retired_reuse_share", _("Part du matériel réformé envoyée au réemploi"), "%")
def retired_reuse_share(ctx: Context) -> Measure:
    """Décret 2023-266 for the calendar year of the date: A ÷ B × 100 (fleet.quotas
    .retired_reuse)."""
    from impactnum.web.fleet.quotas import retired_reuse

    r = retired_reuse(ctx.organisation, ctx.on.year)
    detail = {k: r[k] for k in ("a_sent_to_reuse", "b_retired_stock_on_1_january", "warnings")}
    return Measure(r["percent"], "%", detail)


@source("fleet.repair_success_rate", _("Taux de succès des réparations du parc"), "%")
def repair_success_rate(ctx: Context) -> Measure:
    """Repairs opened in the calendar year of the date: closed *fixed* ÷ closed with an
    outcome (fleet.indicators.repair_rates)."""
    from impactnum.web.fleet.indicators import repair_rates

    r = repair_rates(ctx.organisation, ctx.on.year)
    return Measure(_pct(r["repair_success_rate"]), "%", r)


# --- reuse -------------------------------------------------------------------------------------


def _reuse_report(ctx: Context) -> dict[str, Any]:
    from impactnum.web.reuse.report import reuse_report

    key = ("reuse_report", ctx.organisation.pk, ctx.year_start, ctx.on)
    if key not in ctx.cache:
        ctx.cache[key] = reuse_report(ctx.organisation, ctx.year_start, ctx.on)
    return ctx.cache[key]  # type: ignore[no-any-return]


def _report_figure(ctx: Context, key: str, unit: str) -> Measure:
    r = _reuse_report(ctx)
    window = {"date_from": r["date_from"], "date_to": r["date_to"]}
    return Measure(float(r[key]), unit, window)


@source("reuse.devices_provided", _("Équipements remis (réemploi)"), "équipements")
def devices_provided(ctx: Context) -> Measure:
    """Devices provided (donation, solidarity sale, loan) from 1 January to the date
    (reuse.report.reuse_report, `devices_provided`)."""
    return _report_figure(ctx, "devices_provided", "équipements")


@source("reuse.people_equipped", _("Personnes équipées"), "personnes")
def people_equipped(ctx: Context) -> Measure:
    """Distinct people who received a device from 1 January to the date (`people_equipped`)."""
    return _report_figure(ctx, "people_equipped", "personnes")


@source("reuse.people_supported", _("Personnes accompagnées"), "personnes")
def people_supported(ctx: Context) -> Measure:
    """Distinct people supported by digital facilitators from 1 January to the date
    (`people_supported`, from reuse.support.support_totals)."""
    return _report_figure(ctx, "people_supported", "personnes")


@source("reuse.co2e_avoided", _("Émissions évitées par le réemploi"), "kgCO2e")
def co2e_avoided(ctx: Context) -> Measure:
    """kg CO2e avoided by devices first provided from 1 January to the date, counted once
    (`co2e_avoided_kg`, engine reuse_impact)."""
    return _report_figure(ctx, "co2e_avoided_kg", "kgCO2e")


# --- projects ----------------------------------------------------------------------------------


@source(
    "projects.net_balance",
    _("Bilan net d'un projet (par an)"),
    "par an",
    params=("project", "scenario", "criterion"),
)
def project_net_balance(ctx: Context) -> Measure:
    """Net impact per year of a project's scenario (impacts minus avoided impacts) for one
    criterion, by the shared calculation (projects.services.calculate). Parameters: `project`
    (id, required, of the same organisation), `scenario` (name; default the baseline),
    `criterion` (code; default gwp). Negative = the project avoids more than it emits."""
    from impactnum.web.projects import services as project_services
    from impactnum.web.projects.models import Project

    project_id = ctx.params.get("project")
    project = Project.objects.filter(organisation=ctx.organisation, pk=project_id).first()
    if project is None:
        raise DomainError(_("Projet introuvable dans l'organisation."), field="params")
    if ctx.actor is None:
        raise DomainError(_("Le bilan d'un projet se calcule pour une personne."))
    key = ("project", project.pk)
    if key not in ctx.cache:
        ctx.cache[key] = project_services.calculate(ctx.actor, project)
    result = ctx.cache[key]
    criterion = ctx.params.get("criterion") or "gwp"
    name = ctx.params.get("scenario") or result.get("baseline")
    scenario = next((s for s in result["scenarios"] if s["name"] == name), None)
    if scenario is None:
        raise DomainError(_("Scénario introuvable : %(s)s") % {"s": name}, field="params")
    net = (scenario.get("net") or {}).get(criterion)
    unit = ((result.get("criteria") or {}).get(criterion) or {}).get("unit", "")
    detail = {"project": project.pk, "scenario": name, "criterion": criterion, "net": net}
    return Measure(None if not net else net["value"], f"{unit}/an".lstrip("/"), detail)
