"""Social side of a project: the one registry of social indicators, and SROI.

Indicators are counts a project reports (people equipped, training hours…), each with a unit
and French/English labels. SROI (Social Return on Investment) follows the UK Cabinet Office
guide (2009, revised 2012; French version ESSEC-IIES 2011): each outcome is valued with a
financial proxy, reduced by deadweight, attribution and displacement, declines each later year
by its drop-off, and is discounted. Formulas and sources: docs/methodology/social.md.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from impactnum.engine.economic import DEFAULT_DISCOUNT_RATE

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SocialIndicator:
    code: str
    unit: str
    label_fr: str
    label_en: str
    description: str


SOCIAL_INDICATORS: tuple[SocialIndicator, ...] = (
    SocialIndicator(
        "people_equipped",
        "persons",
        "Personnes équipées",
        "People equipped",
        "People who received a device (gift, loan or solidarity sale).",
    ),
    SocialIndicator(
        "devices_provided",
        "devices",
        "Équipements mis à disposition",
        "Devices provided",
        "Devices handed out, lent or sold at a solidarity price.",
    ),
    SocialIndicator(
        "people_supported",
        "persons",
        "Personnes accompagnées",
        "People supported",
        "Distinct people helped by digital mediation (conseillers numériques…).",
    ),
    SocialIndicator(
        "accompaniments",
        "sessions",
        "Accompagnements réalisés",
        "Accompaniments",
        "Support sessions, individual or collective (Coop de la médiation numérique).",
    ),
    SocialIndicator(
        "training_hours",
        "h",
        "Heures de formation",
        "Training hours",
        "Hours of training delivered (sum over trainees).",
    ),
    SocialIndicator(
        "aidants_trained",
        "persons",
        "Aidants habilités",
        "Trained aidants",
        "People trained and authorised to act on someone's behalf (Aidants Connect).",
    ),
    SocialIndicator(
        "procedures_under_mandate",
        "procedures",
        "Démarches sous mandat",
        "Procedures under mandate",
        "Administrative procedures done on someone's behalf (Aidants Connect).",
    ),
    SocialIndicator(
        "jobs_fte",
        "FTE",
        "Emplois (ETP)",
        "Jobs (FTE)",
        "Jobs created or kept, in full-time equivalents.",
    ),
    SocialIndicator(
        "integration_jobs_fte",
        "FTE",
        "Emplois en insertion (ETP)",
        "Work-integration jobs (FTE)",
        "Jobs in work-integration structures (insertion), in full-time equivalents.",
    ),
    SocialIndicator(
        "accessibility_conformity",
        "%",
        "Taux de conformité RGAA",
        "Accessibility conformity",
        "Share of RGAA accessibility criteria met by the service (0–100 %).",
    ),
    SocialIndicator(
        "ecodesign_conformity",
        "%",
        "Taux de conformité RGESN",
        "Ecodesign conformity",
        "Share of applicable RGESN criteria met (0–100 %).",
    ),
)

SOCIAL_INDICATOR_CODES: tuple[str, ...] = tuple(i.code for i in SOCIAL_INDICATORS)
_BY_CODE: dict[str, SocialIndicator] = {i.code: i for i in SOCIAL_INDICATORS}
PERCENT_INDICATORS: frozenset[str] = frozenset(i.code for i in SOCIAL_INDICATORS if i.unit == "%")


def social_indicator(code: str) -> SocialIndicator:
    """Return the indicator with this code, or raise KeyError naming the known ones."""
    try:
        return _BY_CODE[code]
    except KeyError:
        known = ", ".join(SOCIAL_INDICATOR_CODES)
        raise KeyError(f"unknown social indicator {code!r}; known: {known}") from None


def indicator_problem(code: str, value: float) -> str | None:
    """Why this (code, value) is not a valid indicator value, or None if it is."""
    if code not in _BY_CODE:
        return f"unknown social indicator {code!r}; known: {', '.join(SOCIAL_INDICATOR_CODES)}"
    if not math.isfinite(value) or value < 0:
        return f"must be a number ≥ 0, got {value!r}"
    if code in PERCENT_INDICATORS and value > 100:
        return f"is a percentage (0–100), got {value!r}"
    return None


RATE_FIELDS: tuple[str, ...] = ("deadweight", "attribution", "displacement", "drop_off")


@dataclass(frozen=True)
class Outcome:
    """One SROI outcome (a line of the impact map).

    quantity: how many times the outcome happens per year (in the indicator's unit).
    proxy_eur: financial proxy, € per unit of quantity, with `proxy_source`.
    deadweight, attribution, displacement, drop_off: shares in [0, 1].
    duration_years: how long the outcome lasts (a fractional last year counts pro rata).
    """

    outcome: str
    quantity: float
    proxy_eur: float
    duration_years: float = 1.0
    deadweight: float = 0.0
    attribution: float = 0.0
    displacement: float = 0.0
    drop_off: float = 0.0
    stakeholder: str = ""
    indicator: str = ""
    proxy_source: str = ""

    def __post_init__(self) -> None:
        for name in RATE_FIELDS:
            rate = getattr(self, name)
            if not (math.isfinite(rate) and 0.0 <= rate <= 1.0):
                raise ValueError(f"{name} must be a share in [0, 1], got {rate!r}")
        if not (math.isfinite(self.duration_years) and self.duration_years > 0):
            raise ValueError(f"duration_years must be > 0, got {self.duration_years!r}")
        if not (math.isfinite(self.quantity) and self.quantity >= 0):
            raise ValueError(f"quantity must be ≥ 0, got {self.quantity!r}")
        if not math.isfinite(self.proxy_eur):
            raise ValueError(f"proxy_eur must be finite, got {self.proxy_eur!r}")


@dataclass(frozen=True)
class SroiResult:
    """SROI of a set of outcomes.

    years: 1…N (N = longest duration). value_by_year: € per outcome and year, shape
    (n_outcomes, N), undiscounted. present_value: € per outcome. total_present_value: €.
    inputs_value: € invested. ratio = PV ÷ inputs; net_ratio = (PV − inputs) ÷ inputs (None
    when inputs are 0).
    """

    outcomes: tuple[Outcome, ...]
    discount_rate: float
    inputs_value: float
    years: FloatArray
    year1_value: FloatArray
    value_by_year: FloatArray
    present_value: FloatArray
    total_present_value: float
    ratio: float | None
    net_ratio: float | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (euros)."""
        return {
            "unit": "EUR",
            "discount_rate": self.discount_rate,
            "inputs_value": round(self.inputs_value, 6),
            "total_present_value": round(self.total_present_value, 6),
            "net_present_value": round(self.total_present_value - self.inputs_value, 6),
            "ratio": None if self.ratio is None else round(self.ratio, 6),
            "net_ratio": None if self.net_ratio is None else round(self.net_ratio, 6),
            "outcomes": [
                {
                    "stakeholder": o.stakeholder,
                    "outcome": o.outcome,
                    "indicator": o.indicator,
                    "quantity": o.quantity,
                    "proxy_eur": o.proxy_eur,
                    "proxy_source": o.proxy_source,
                    "deadweight": o.deadweight,
                    "attribution": o.attribution,
                    "displacement": o.displacement,
                    "drop_off": o.drop_off,
                    "duration_years": o.duration_years,
                    "year1_value": round(float(v1), 6),
                    "value_by_year": [round(float(x), 6) for x in row],
                    "present_value": round(float(pv), 6),
                }
                for o, v1, row, pv in zip(
                    self.outcomes,
                    self.year1_value,
                    self.value_by_year,
                    self.present_value,
                    strict=True,
                )
            ],
        }


def compute_sroi(
    outcomes: Sequence[Outcome],
    inputs_value: float,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> SroiResult:
    """SROI of `outcomes` against `inputs_value` (€), discounted at `discount_rate` per year.

    V1_i = quantity × proxy × (1 − deadweight) × (1 − attribution) × (1 − displacement);
    V_i,t = V1_i × (1 − drop_off)^(t − 1) × w_i,t for t = 1…⌈duration⌉ (w: share of year t
    inside the duration); PV = Σ_i Σ_t V_i,t ÷ (1 + r)^t; ratio = PV ÷ inputs.
    """
    if not (math.isfinite(inputs_value) and inputs_value >= 0):
        raise ValueError(f"inputs_value must be ≥ 0, got {inputs_value!r}")
    if not (math.isfinite(discount_rate) and discount_rate > -1):
        raise ValueError(f"discount_rate must be > -1, got {discount_rate!r}")
    outs = tuple(outcomes)

    def col(name: str) -> FloatArray:
        return np.array([float(getattr(o, name)) for o in outs], dtype=np.float64)

    duration = col("duration_years")
    n_years = math.ceil(float(duration.max()) - 1e-12) if outs else 0
    t = np.arange(1, n_years + 1, dtype=np.float64)  # (N,)
    year1 = (
        col("quantity")
        * col("proxy_eur")
        * (1.0 - col("deadweight"))
        * (1.0 - col("attribution"))
        * (1.0 - col("displacement"))
    )
    weights = np.clip(duration[:, None] - (t[None, :] - 1.0), 0.0, 1.0)  # (n, N)
    decline = (1.0 - col("drop_off"))[:, None] ** (t[None, :] - 1.0)
    values = year1[:, None] * decline * weights
    pv = (values * (1.0 + discount_rate) ** -t[None, :]).sum(axis=1)
    total = float(pv.sum())
    ratio = total / inputs_value if inputs_value > 0 else None
    return SroiResult(
        outcomes=outs,
        discount_rate=discount_rate,
        inputs_value=float(inputs_value),
        years=t,
        year1_value=year1,
        value_by_year=values.reshape(len(outs), n_years),
        present_value=pv,
        total_present_value=total,
        ratio=ratio,
        net_ratio=None if ratio is None else ratio - 1.0,
    )


@dataclass(frozen=True)
class SocialResult:
    """Indicator values reported by a project, with the SROI when outcomes are given."""

    indicators: Mapping[str, float] = field(default_factory=dict)
    sroi: SroiResult | None = None

    def to_dict(self) -> dict[str, Any]:
        """Indicators as {code: {value, unit, label_fr, label_en}}, in registry order, + SROI."""
        return {
            "indicators": {
                i.code: {
                    "value": self.indicators[i.code],
                    "unit": i.unit,
                    "label_fr": i.label_fr,
                    "label_en": i.label_en,
                }
                for i in SOCIAL_INDICATORS
                if i.code in self.indicators
            },
            "sroi": None if self.sroi is None else self.sroi.to_dict(),
        }


def compute_social(
    indicators: Mapping[str, float],
    outcomes: Sequence[Outcome] = (),
    inputs_value: float = 0.0,
    discount_rate: float = DEFAULT_DISCOUNT_RATE,
) -> SocialResult:
    """Check the indicator values and compute the SROI (if any outcome is given).

    Raises ValueError naming every bad indicator.
    """
    problems = [
        f"{code}: {p}"
        for code, v in indicators.items()
        if (p := indicator_problem(code, float(v))) is not None
    ]
    if problems:
        raise ValueError("; ".join(problems))
    sroi = compute_sroi(outcomes, inputs_value, discount_rate) if outcomes else None
    return SocialResult(indicators={k: float(v) for k, v in indicators.items()}, sroi=sroi)
