"""What every report format shares: the active language, number formatting, labels of the
result's codes and the tables (rows) built from a calculation result.

A result here is `json_ready(services.calculate(...))`: NaN has become None, and None means
"not available" — shown as « non disponible », never as 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from impactnum.engine import PHASES

NNBSP = "\u202f"  # narrow no-break space: French thousands separator (and before « : » etc.)


def is_french() -> bool:
    return (get_language() or "fr").lower().startswith("fr")


def missing() -> str:
    return _("non disponible")


def _decimals(x: float) -> int:
    """Digits after the point: whole numbers from 100, three significant digits below."""
    a = abs(x)
    if a == 0 or a >= 100:
        return 0
    if a >= 10:
        return 1
    return max(0, 2 - math.floor(math.log10(a)))


def number(
    x: float | None, decimals: int | None = None, french: bool | None = None, trim: bool = False
) -> str:
    """A number for people: 40 018 · 2,02 · 0,00433 in French; 40,018 · 2.02 in English.
    `trim` drops trailing zeros of the decimals (7 rather than 7,00)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return missing()
    french = is_french() if french is None else french
    text = f"{x:,.{_decimals(x) if decimals is None else decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("-"):
        text = "−" + text[1:]  # minus sign, not a hyphen
    if french:
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def percent(x: float | None, french: bool | None = None) -> str:
    if x is None:
        return missing()
    french = is_french() if french is None else french
    return number(100 * x, 0 if abs(x) >= 0.1 or x == 0 else 1, french) + (
        f"{NNBSP}%" if french else "%"
    )


def estimate(v: dict[str, Any] | None) -> str:
    """« value [low – high] »."""
    if v is None or v.get("value") is None:
        return missing()
    return f"{number(v['value'])} [{number(v.get('low'))} – {number(v.get('high'))}]"


# --- labels of the result's codes -------------------------------------------------------------


def criterion_label(result: dict[str, Any], code: str) -> str:
    c = result["criteria"].get(code, {})
    return str(c.get("label_fr" if is_french() else "label_en") or c.get("label") or code)


def criterion_unit(result: dict[str, Any], code: str) -> str:
    return str(result["criteria"].get(code, {}).get("unit", ""))


def per_year(unit: str) -> str:
    return _("%(unit)s/an") % {"unit": unit}


def phase_label(code: str) -> str:
    for p in PHASES:
        if p.code == code:
            return p.label_fr if is_french() else p.label_en
    return code


def indicator_label(v: dict[str, Any], code: str) -> str:
    return str(v.get("label_fr" if is_french() else "label_en") or code)


def section_labels() -> dict[str, str]:
    return {"totals": _("Impacts"), "avoided": _("Évités"), "net": _("Bilan net")}


def economic_labels() -> dict[str, str]:
    return {
        "tco": _("Coût total de possession (TCO)"),
        "total_avoided_costs": _("Coûts évités sur la période"),
        "pv_costs": _("Valeur actuelle des coûts"),
        "pv_savings": _("Valeur actuelle des économies"),
        "npv": _("Valeur actuelle nette (VAN)"),
        "payback_years": _("Délai de retour (années)"),
        "discounted_payback_years": _("Délai de retour actualisé (années)"),
    }


MONEY_KEYS = ("tco", "total_avoided_costs", "pv_costs", "pv_savings", "npv")
PAYBACK_KEYS = ("payback_years", "discounted_payback_years")


def payback(v: float | None) -> str:
    """None: the flows never pay back within the horizon; 0: nothing to pay back."""
    if v is None:
        return _("jamais sur la période")
    if v == 0:
        return _("rien à rembourser")
    return number(v, 1)


# --- tables built from the result -------------------------------------------------------------


def criteria_codes(result: dict[str, Any]) -> list[str]:
    return list(result["criteria"])


def phase_codes(result: dict[str, Any]) -> list[str]:
    known = [p.code for p in PHASES]
    seen = list(result["scenarios"][0]["by_phase"]) if result["scenarios"] else []
    return [c for c in known if c in seen] + [c for c in seen if c not in known]


@dataclass(frozen=True)
class FactorUse:
    """One factor of the provenance, with the scenarios that used it."""

    row: dict[str, Any]
    scenarios: tuple[str, ...]


def factors_used(result: dict[str, Any]) -> list[FactorUse]:
    """Every factor of every scenario's provenance, once (by id and origin), in order."""
    seen: dict[tuple[str, str], tuple[dict[str, Any], list[str]]] = {}
    for sc in result["scenarios"]:
        for row in sc.get("provenance", {}).get("factors", []):
            key = (str(row.get("id")), str(row.get("origin", "")))
            if key not in seen:
                seen[key] = (row, [])
            seen[key][1].append(sc["name"])
    return [FactorUse(row, tuple(names)) for row, names in seen.values()]


def factor_sets_used(result: dict[str, Any]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for sc in result["scenarios"]:
        fs = sc.get("provenance", {}).get("factor_set")
        if fs:
            out.setdefault(str(fs.get("ref")), fs)
    return list(out.values())


def warnings(result: dict[str, Any]) -> list[tuple[str, str]]:
    """(scenario, message) for every warning, plus one line per criterion with missing phases."""
    out: list[tuple[str, str]] = []
    for sc in result["scenarios"]:
        for code, total in sc["totals"].items():
            if total is None or total.get("value") is None:
                out.append(
                    (
                        sc["name"],
                        _("%(criterion)s : non disponible avec ce jeu de facteurs")
                        % {"criterion": criterion_label(result, code)},
                    )
                )
            elif total.get("missing_phases"):
                out.append(
                    (
                        sc["name"],
                        _("%(criterion)s : phases non disponibles (%(phases)s), exclues du total")
                        % {
                            "criterion": criterion_label(result, code),
                            "phases": ", ".join(phase_label(p) for p in total["missing_phases"]),
                        },
                    )
                )
        out += [(sc["name"], str(w)) for w in sc.get("warnings", [])]
    return out


def env_year_rows(sc: dict[str, Any]) -> list[tuple[int, dict[str, float | None]]]:
    """(year, {criterion: net per year}) for years 1 … ⌈horizon⌉ (the annual view)."""
    years = math.ceil(float(sc.get("horizon_years") or 0))
    net = {c: (None if v is None else v.get("value")) for c, v in sc["net"].items()}
    return [(y, net) for y in range(1, years + 1)]


def filename(project_name: str, ext: str) -> str:
    """A safe ASCII file name: impactnum-<slug>.<ext>."""
    from django.utils.text import slugify

    slug = slugify(project_name)[:60].strip("-") or "projet"
    return f"impactnum-{slug}.{ext}"
