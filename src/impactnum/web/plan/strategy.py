"""The responsible-digital strategy (SNR): its five legal parts, the text an organisation writes
for each, and the live figures impactnum already holds for each part.

Legal basis (FACTS-rules-and-social.md §2): loi REEN n° 2021-1485 art. 35 and décret 2022-1084
(29 July 2022), codified in the CGCT: communes and EPCI à fiscalité propre of more than 50,000
inhabitants adopt a *stratégie numérique responsable* by 1 January 2025, holding (1) a bilan of
digital usages on the territory, (2) a bilan of the environmental impact of digital, (3) a
synthesis of the actions already under way, (4) reduction objectives with monitoring
indicators, and the measures and means to reach them — kept here as two parts (objectives,
means) so each can be written on its own.

Live figures are picked from each app's own function, through the territory dashboard's
sections (`territory.dashboard`) where it already gathers them, so the strategy, the dashboard
and the annual report show the same numbers; nothing is recomputed here. The reuse chain's
avoided CO2e is shown once, in the footprint part, next to (never subtracted from) the fleet's
gross footprint. A part with no data in impactnum says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import require
from impactnum.web.core.services import record_event, snapshot
from impactnum.web.projects.choices import KIND_CHOICES
from impactnum.web.projects.templatetags.impactnum_format import format_number

from .models import Strategy
from .services import EDIT_PLAN, _validate

LEGAL_BASIS = gettext_lazy(
    "Loi n° 2021-1485 du 15 novembre 2021 (REEN), art. 35, et décret n° 2022-1084 du 29 juillet "
    "2022 : les communes et les EPCI à fiscalité propre de plus de 50 000 habitants adoptent une "
    "stratégie numérique responsable au plus tard le 1er janvier 2025."
)
ANNUAL_BASIS = gettext_lazy(
    "Chaque année, un bilan de la stratégie figure dans le rapport sur la situation en matière "
    "de développement durable présenté avant le débat d'orientation budgétaire "
    "(CGCT art. L.2311-1-1)."
)


@dataclass(frozen=True)
class Section:
    """One part of the strategy: the model field holding its text, its title and the décret's
    wording it answers."""

    code: str
    title: Any
    legal: Any


SECTIONS: tuple[Section, ...] = (
    Section(
        "usages",
        gettext_lazy("Bilan des usages numériques"),
        gettext_lazy("Décret 2022-1084, 1° : un bilan des usages numériques sur le territoire."),
    ),
    Section(
        "footprint",
        gettext_lazy("Impact environnemental du numérique"),
        gettext_lazy(
            "Décret 2022-1084, 2° : un bilan de l'impact environnemental du numérique sur le "
            "territoire."
        ),
    ),
    Section(
        "actions",
        gettext_lazy("Actions déjà engagées"),
        gettext_lazy(
            "Décret 2022-1084, 3° : une synthèse des actions déjà engagées pour réduire cet impact."
        ),
    ),
    Section(
        "objectives",
        gettext_lazy("Objectifs et indicateurs de suivi"),
        gettext_lazy(
            "Décret 2022-1084, 4° : des objectifs de réduction, annuels ou pluriannuels, "
            "assortis d'indicateurs de suivi."
        ),
    ),
    Section(
        "means",
        gettext_lazy("Mesures et moyens"),
        gettext_lazy(
            "Décret 2022-1084, 4° (suite) : les mesures à mettre en œuvre et les moyens "
            "nécessaires pour atteindre ces objectifs."
        ),
    ),
)
SECTION_CODES = tuple(s.code for s in SECTIONS)
DETAIL_FIELDS = ("title", "adopted_on")
FIELDS = (*DETAIL_FIELDS, *SECTION_CODES)
MAX_TEXT = 20_000


def section(code: str) -> Section:
    for s in SECTIONS:
        if s.code == code:
            return s
    raise DomainError(
        _("Partie inconnue : %(c)s (attendu : %(k)s)") % {"c": code, "k": ", ".join(SECTION_CODES)},
        field="section",
    )


# --- reading -----------------------------------------------------------------------------------


def versions(organisation: Organisation) -> list[Strategy]:
    return list(Strategy.objects.filter(organisation=organisation).order_by("year"))


def strategy_for(organisation: Organisation, year: int | None = None) -> Strategy | None:
    """The version in force in `year` (the latest adopted on or before it), or the latest
    version when `year` is None; None when the organisation has written none."""
    qs = Strategy.objects.filter(organisation=organisation).select_related("updated_by")
    if year is not None:
        qs = qs.filter(year__lte=year)
    return qs.order_by("-year").first()


def strategy_dict(strategy: Strategy | None) -> dict[str, Any] | None:
    """A version as JSON-ready data (None stays None)."""
    if strategy is None:
        return None
    return {
        "year": strategy.year,
        "title": strategy.title,
        "adopted_on": strategy.adopted_on.isoformat() if strategy.adopted_on else None,
        "updated_at": strategy.updated_at.isoformat() if strategy.updated_at else None,
        "updated_by": strategy.updated_by.get_username() if strategy.updated_by else "",
        "sections": [
            {
                "code": s.code,
                "title": str(s.title),
                "legal": str(s.legal),
                "text": getattr(strategy, s.code),
            }
            for s in SECTIONS
        ],
    }


# --- changing ----------------------------------------------------------------------------------


@transaction.atomic
def update_strategy(
    actor: AbstractBaseUser, organisation: Organisation, year: int, **fields: Any
) -> Strategy:
    """Change the version `year` of the strategy (title, adoption date, any part's text).

    The first change of a year creates that version, starting from the texts of the latest
    earlier version (a new version is the previous one, revised). Only plan editors
    (`EDIT_PLAN`) may; unknown fields and over-long texts are refused with their field.
    """
    require(actor, organisation, EDIT_PLAN)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError(_("Champ inconnu : %(f)s") % {"f": name}, field=name)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(_("Une année entre 2000 et 2100."), field="year")
    current = (
        Strategy.objects.select_for_update().filter(organisation=organisation, year=year).first()
    )
    before = snapshot(current)
    strategy = current or _new_version(organisation, year)
    for name, value in fields.items():
        if name in SECTION_CODES:
            value = (value or "").replace("\r\n", "\n").strip()
            if len(value) > MAX_TEXT:
                raise DomainError(_("%(n)d caractères au plus.") % {"n": MAX_TEXT}, field=name)
        setattr(strategy, name, value)
    if not (strategy.title or "").strip():
        raise DomainError(_("Donnez un intitulé à la stratégie."), field="title")
    strategy.updated_by = actor
    _validate(strategy, exclude=["organisation", "updated_by"])
    strategy.save()
    record_event(
        actor,
        "strategy.updated" if current else "strategy.created",
        strategy,
        organisation=organisation,
        before=before,
        after=snapshot(strategy),
    )
    return strategy


def _new_version(organisation: Organisation, year: int) -> Strategy:
    previous = strategy_for(organisation, year)
    strategy = Strategy(organisation=organisation, year=year)
    if previous is not None:
        strategy.title = previous.title
        for code in SECTION_CODES:
            setattr(strategy, code, getattr(previous, code))
    return strategy


# --- live figures ------------------------------------------------------------------------------


def _fact(key: str, label: Any, value: Any, unit: str = "", **extra: Any) -> dict[str, Any]:
    return {"key": key, "label": str(label), "value": value, "unit": unit, **extra}


def _part(facts: list[dict[str, Any]], sources: list[str], empty: Any) -> dict[str, Any]:
    """A part's live block: its figures, where they come from, or why there are none."""
    return {
        "available": bool(facts),
        "facts": facts,
        "sources": sources,
        "empty": "" if facts else str(empty),
    }


def gather(actor: AbstractBaseUser, organisation: Organisation, on: dt.date) -> dict[str, Any]:
    """The figures the five parts draw on, each from its app's function (one call each)."""
    from impactnum.web.fleet.indicators import fleet_indicators
    from impactnum.web.territory import dashboard

    from .evaluations import build_snapshot

    date_from, date_to = dashboard.period(on.year, on)
    return {
        "on": on,
        "inventory": fleet_indicators(organisation, on),
        "fleet": dashboard.fleet_section(organisation),
        "quotas": dashboard.quotas_section(organisation, on.year),
        "reuse": dashboard.reuse_section(organisation, date_from, date_to),
        "plan": build_snapshot(organisation, on, actor=actor),
    }


def _usages(g: dict[str, Any]) -> dict[str, Any]:
    inv, reuse = g["inventory"], g["reuse"]
    facts = []
    if inv["held_total"]:
        facts.append(
            _fact("held_total", _("Équipements détenus par la collectivité"), inv["held_total"])
        )
        kinds = dict(KIND_CHOICES)
        for code, n in sorted(inv["held_by_kind"].items(), key=lambda kv: -kv[1]):
            facts.append(_fact(f"held.{code}", kinds.get(code, code), n))
        age = (inv["average_age_years"] or {}).get("value")
        if age is not None:
            facts.append(_fact("average_age", _("Âge moyen du parc"), age, "ans"))
    for key, label in (
        ("people_equipped", _("Personnes équipées par la filière de réemploi (année)")),
        ("people_supported", _("Personnes accompagnées au numérique (année)")),
    ):
        if reuse.get(key):
            facts.append(_fact(key, label, reuse[key]))
    return _part(
        facts,
        ["fleet.indicators.fleet_indicators", "reuse.report.reuse_report"],
        _(
            "Aucune donnée d'usage dans impactnum (ni parc, ni filière de réemploi) : "
            "cette partie est à rédiger."
        ),
    )


def _footprint(g: dict[str, Any]) -> dict[str, Any]:
    fleet, reuse = g["fleet"], g["reuse"]
    facts = []
    if fleet["assets_counted"] and fleet["gwp"]:
        gwp = fleet["gwp"]
        facts.append(
            _fact(
                "fleet_gwp",
                _("Empreinte annuelle du parc détenu (changement climatique)"),
                gwp.get("value"),
                "kgCO2e/an",
                low=gwp.get("low"),
                high=gwp.get("high"),
            )
        )
        facts.append(_fact("assets_counted", _("Équipements comptés"), fleet["assets_counted"]))
        facts.append(_fact("factor_set", _("Jeu de facteurs"), fleet["factor_set"]))
    if reuse.get("co2e_avoided_kg"):
        facts.append(
            _fact(
                "reuse_avoided",
                _("Émissions évitées par la filière de réemploi (année, comptées une fois)"),
                reuse["co2e_avoided_kg"],
                "kgCO2e",
                low=reuse.get("co2e_avoided_low_kg"),
                high=reuse.get("co2e_avoided_high_kg"),
            )
        )
    return _part(
        facts,
        ["fleet.footprint.fleet_footprint", "reuse.report.reuse_report"],
        _("Aucun équipement dans le parc : l'empreinte ne peut pas être calculée."),
    )


def _actions(g: dict[str, Any]) -> dict[str, Any]:
    summary, reuse, quotas = g["plan"]["summary"], g["reuse"], g["quotas"]
    facts = []
    if summary["commitments"]:
        facts += [
            _fact("commitments", _("Engagements du plan d'action"), summary["commitments"]),
            _fact("actions", _("Actions"), summary["actions"]),
            _fact("actions_done", _("Actions réalisées"), summary["actions_done"]),
            _fact("actions_late", _("Actions en retard"), summary["actions_late"]),
        ]
        if summary["mean_progress"] is not None:
            facts.append(
                _fact("mean_progress", _("Avancement moyen"), summary["mean_progress"], "%")
            )
    if reuse.get("devices_provided"):
        facts.append(
            _fact(
                "devices_provided",
                _("Équipements remis par la filière (année)"),
                reuse["devices_provided"],
            )
        )
    if quotas["agec"]["share"] is not None:
        facts.append(
            _fact(
                "agec_share",
                _("Part AGEC art. 58 des achats (année)"),
                100 * quotas["agec"]["share"],
                "%",
            )
        )
    if quotas["retired_reuse"]["share"] is not None:
        facts.append(
            _fact(
                "retired_reuse_share",
                _("Matériel réformé orienté vers le réemploi, décret 2023-266 (année)"),
                100 * quotas["retired_reuse"]["share"],
                "%",
            )
        )
    return _part(
        facts,
        ["plan.evaluations.build_snapshot", "reuse.report.reuse_report", "fleet.quotas"],
        _("Aucune action enregistrée dans impactnum (plan d'action, filière, achats)."),
    )


def _objectives(g: dict[str, Any]) -> dict[str, Any]:
    facts = []
    for c in g["plan"]["commitments"]:
        for i in c["indicators"]:
            facts.append(
                _fact(
                    f"indicator.{i['id']}",
                    f"{c['reference']} — {i['name']}",
                    i["value"],
                    i["unit"],
                    target=i["target"]["value"],
                    target_on=i["target"]["on"],
                    on_track=i["on_track"],
                )
            )
    return _part(
        facts,
        ["plan.evaluations.build_snapshot", "plan.indicators"],
        _("Aucun indicateur dans le plan d'action : ajoutez-en aux engagements."),
    )


def _means(g: dict[str, Any]) -> dict[str, Any]:
    return _part(
        [],
        [],
        _(
            "impactnum ne suit ni budget ni effectifs : les mesures et moyens sont à rédiger "
            "(budget, personnes, marchés, formations)."
        ),
    )


LIVE_PARTS = {
    "usages": _usages,
    "footprint": _footprint,
    "actions": _actions,
    "objectives": _objectives,
    "means": _means,
}


def live_data(
    actor: AbstractBaseUser, organisation: Organisation, on: dt.date | None = None
) -> dict[str, Any]:
    """Each part's live figures on `on` (default today), keyed by section code (JSON-ready)."""
    on = on or timezone.localdate()
    g = gather(actor, organisation, on)
    return {code: build(g) for code, build in LIVE_PARTS.items()}


# --- proposed text -----------------------------------------------------------------------------


def shown(fact: dict[str, Any]) -> str:
    """A figure as text, in the active language: value, unit and low–high band when known."""
    value = fact["value"]
    text = value if isinstance(value, str) else format_number(value)
    text = f"{text} {fact['unit']}".strip()
    if fact.get("low") is not None and fact.get("high") is not None:
        text += f" ({format_number(fact['low'])}–{format_number(fact['high'])})"
    return text


def proposal(code: str, part: dict[str, Any], on: dt.date) -> str:
    """A starting text for a part, from its live figures, for the user to edit."""
    section(code)
    if not part["available"]:
        return ""
    day = on.strftime("%d/%m/%Y")
    lines = [_("Données impactnum au %(d)s :") % {"d": day}]
    for fact in part["facts"]:
        line = f"- {fact['label']} : {shown(fact)}"
        if fact.get("target") is not None:
            line += " ; " + _("cible %(t)s au %(d)s") % {
                "t": format_number(fact["target"]),
                "d": fact.get("target_on") or "—",
            }
        lines.append(line)
    return "\n".join(lines)
