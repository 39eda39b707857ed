"""The demo agglomeration's responsible-digital strategy (illustrative texts)."""

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
