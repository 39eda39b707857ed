"""The environmental criteria impactnum computes: the one list of them.

Order matters: every array the engine builds has its criterion axis in this order.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Criterion:
    code: str
    unit: str
    label_fr: str
    label_en: str
    description: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "gwp",
        "kgCO2e",
        "Changement climatique",
        "Climate change",
        "Greenhouse gas emissions, in kilograms of CO2 equivalent (GWP100).",
    ),
    Criterion(
        "adpe",
        "kgSbeq",
        "Épuisement des ressources abiotiques (minéraux et métaux)",
        "Abiotic resource depletion (minerals and metals)",
        "Use of mineral and metal resources, in kilograms of antimony equivalent.",
    ),
    Criterion(
        "pe",
        "MJ",
        "Énergie primaire",
        "Primary energy",
        "Primary energy consumed over the life cycle, in megajoules.",
    ),
    Criterion(
        "water",
        "m3",
        "Eau",
        "Water use",
        "Water use, in cubic metres (method varies by source: see the provenance).",
    ),
)

CRITERION_CODES: tuple[str, ...] = tuple(c.code for c in CRITERIA)
CRITERION_INDEX: dict[str, int] = {code: i for i, code in enumerate(CRITERION_CODES)}


def criterion(code: str) -> Criterion:
    """Return the criterion with this code, or raise KeyError naming the known ones."""
    try:
        return CRITERIA[CRITERION_INDEX[code]]
    except KeyError:
        raise KeyError(f"unknown criterion {code!r}; known: {', '.join(CRITERION_CODES)}") from None
