"""The demo's plan app: the agglomeration's responsible-digital strategy and the city's action
plan (illustrative texts and figures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from impactnum.web.core.models import Organisation

DEMO_STRATEGY = {
    "title": "Stratégie numérique responsable de Nevers Agglomération (démonstration)",
    "adopted_on": dt.date(2024, 12, 12),  # illustrative date, before the 1 January 2025 deadline
    "usages": (
        "La direction du numérique, commune à la ville et à l'agglomération, gère le parc des "
        "agents (postes, écrans, téléphones, imprimantes) et les services en ligne. Les chiffres "
        "du parc et de la filière de réemploi sont rappelés ci-dessous par impactnum."
    ),
    "footprint": (
        "L'empreinte annuelle du parc est calculée avec les facteurs ADEME–Arcep 2022 ; la "
        "fabrication des équipements en représente l'essentiel."
    ),
    "actions": (
        "Label Numérique Responsable niveau 2 (ville de Nevers, octobre 2022) ; durée de vie des "
        "PC portée de 5 à 7 ans ; atelier de réemploi avec une association partenaire."
    ),
    "objectives": (
        "Allonger la durée de vie des équipements ; atteindre les parts d'achats issus du "
        "réemploi de la loi AGEC (art. 58) ; orienter vers le réemploi au moins 50 % du matériel "
        "réformé (décret 2023-266). Les indicateurs sont suivis dans le plan d'action."
    ),
    "means": "Budget du plan : 250 k€ sur 3 ans (ville de Nevers). Texte de démonstration.",
}


def build_strategy(actor: Any, agglo: Organisation) -> None:
    """A short strategy for the agglomeration (an EPCI of more than 50,000 inhabitants, subject
    to loi REEN art. 35), version 2024, written through `plan.strategy` like a person would."""
    from impactnum.web.plan.strategy import update_strategy

    update_strategy(actor, agglo, 2024, **DEMO_STRATEGY)


# --- the city's action plan (the label's commitments) -------------------------------------------
#
# The city's label came with about thirty commitments (nevers-article-2022-fr.txt names two:
# awareness of the public, and a local reuse and recycling chain). The demo carries a few of
# them, illustrative, with dates relative to the day the demo is loaded: the plan started 20
# months ago, so the 18-month evaluation is frozen and the 36-month one is ahead.

PLAN_STARTED_MONTHS_AGO = 20

COMMITMENTS = (
    {
        "reference": "NR-01",
        "title": "Allonger la durée de vie des postes de travail",
        "theme": "lifecycle",
        "source": "label",
        "actions": (("Porter la durée de vie des PC de 5 à 7 ans", -300, "done", 100),),
        "computed": (("Âge moyen du parc détenu", "fleet.average_age", "increase", 6.0),),
    },
    {
        "reference": "NR-02",
        "title": "Acheter du matériel reconditionné",
        "theme": "lifecycle",
        "source": "label",
        "actions": (("Ajouter un lot reconditionné au marché de postes", 120, "in_progress", 60),),
        "computed": (
            (
                "Achats reconditionnés (en nombre)",
                "fleet.refurbished_share_count",
                "increase",
                20.0,
            ),
        ),
    },
    {
        "reference": "NR-03",
        "title": "Structurer une filière locale de réemploi et de recyclage",
        "theme": "external_levers",
        "source": "label",
        "actions": (
            ("Ouvrir l'atelier de réemploi avec l'association partenaire", -200, "done", 100),
            ("Conventionner avec un éco-organisme pour les DEEE", -30, "in_progress", 50),
        ),
        "computed": (
            ("Équipements remis (réemploi)", "reuse.devices_provided", "increase", 100.0),
            ("Personnes accompagnées", "reuse.people_supported", "increase", 80.0),
        ),
    },
    {
        "reference": "NR-04",
        "title": "Sensibiliser les agents et le grand public",
        "theme": "support",
        "source": "label",
        "actions": (("Former les agents au numérique responsable", 60, "in_progress", 40),),
        "manual": ("Agents formés", "agents", 120.0, 45.0, "Feuilles d'émargement des sessions"),
    },
)


def build_action_plan(actor: Any, city: Organisation, today: dt.date) -> None:
    """The city's plan: settings, the commitments above with their actions and indicators, and
    the 18-month evaluation, frozen — all through `plan.services`."""
    from impactnum.web.plan import services

    started = _months_before(today, PLAN_STARTED_MONTHS_AGO)
    services.update_plan_settings(
        actor, city, name="Plan d'action NR", started_on=started, evaluation_months=[18, 36]
    )
    target_on = _months_before(today, PLAN_STARTED_MONTHS_AGO - 36)
    for spec in COMMITMENTS:
        commitment = services.create_commitment(
            actor,
            city,
            reference=spec["reference"],
            title=spec["title"],
            theme=spec["theme"],
            source=spec["source"],
            source_detail="Label Numérique Responsable niveau 2 (INR), octobre 2022",
        )
        for title, due_in_days, status, progress in spec["actions"]:
            services.add_action(
                actor,
                commitment,
                title=title,
                due_on=today + dt.timedelta(days=due_in_days),
                status=status,
                progress=progress,
            )
        for name, code, direction, target in spec.get("computed", ()):
            services.add_indicator(
                actor,
                commitment,
                name=name,
                kind="computed",
                source=code,
                direction=direction,
                target_value=target,
                target_on=target_on,
            )
        if "manual" in spec:
            name, unit, target, value, evidence = spec["manual"]
            indicator = services.add_indicator(
                actor,
                commitment,
                name=name,
                kind="manual",
                unit=unit,
                direction="increase",
                baseline_value=0.0,
                baseline_on=started,
                target_value=target,
                target_on=target_on,
            )
            services.record_indicator_value(
                actor, indicator, on=today - dt.timedelta(days=30), value=value, evidence=evidence
            )
    evaluation = services.create_evaluation(
        actor,
        city,
        label="Évaluation à 18 mois",
        on=_months_before(today, PLAN_STARTED_MONTHS_AGO - 18),
        month=18,
        comments="Évaluation de démonstration, figée.",
    )
    services.freeze_evaluation(actor, evaluation)


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier (later when negative), the 28th at the latest."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, min(day.day, 28))
