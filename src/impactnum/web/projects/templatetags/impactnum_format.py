"""Numbers, ranges and labels formatted for the current language (French: 1 234,5).

`format_number` picks a precision from the magnitude (about three significant digits, never
scientific notation), then lets Django place the decimal and thousand separators of the
active language. A missing value (None, NaN) is "non disponible", never 0.
"""

import math
from typing import Any

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def _missing(value: Any) -> bool:
    if value is None or value == "":
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def auto_digits(value: float) -> int:
    """Decimals giving about three significant digits (0 for values ≥ 100)."""
    a = abs(value)
    if a == 0 or a >= 100:
        return 0
    if a >= 10:
        return 1
    if a >= 1:
        return 2
    return min(8, 2 - math.floor(math.log10(a)))


def format_number(value: Any, digits: int | None = None) -> str:
    """`value` with the language's separators; "—" when missing. Without `digits`, about
    three significant digits and no trailing zeros."""
    if _missing(value):
        return "—"
    v = float(value)
    if digits is None:
        d = auto_digits(v)
        while d > 0 and round(v, d - 1) == round(v, d):  # no trailing zeros: 5, not 5,00
            d -= 1
    else:
        d = digits
    v = round(v, d)
    if v == 0:
        v = 0.0  # no "-0"
    return formats.number_format(v, decimal_pos=d, use_l10n=True, force_grouping=True)


def is_french() -> bool:
    return (get_language() or "fr").startswith("fr")


def label(obj: Any) -> str:
    """The French or English label of a registry entry (object or dict with label_fr/label_en)."""
    if isinstance(obj, dict):
        return str(obj.get("label_fr" if is_french() else "label_en") or obj.get("label", ""))
    return str(getattr(obj, "label_fr" if is_french() else "label_en", obj))


@register.filter
def num(value: Any, digits: Any = None) -> str:
    """{{ x|num }} or {{ x|num:2 }}."""
    return format_number(value, None if digits in (None, "") else int(digits))


@register.filter
def pct(value: Any, digits: int = 0) -> str:
    """A share (0.97) as a percentage ("97 %")."""
    if _missing(value):
        return "—"
    return f"{format_number(float(value) * 100, int(digits))}\u00a0%"


@register.filter
def localized_label(obj: Any) -> str:
    return label(obj)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """{{ dict|get_item:key }}; None when absent."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.simple_tag
def estimate(e: Any, unit: str = "") -> str:
    """An estimate {value, low, high}: "1 234 kgCO2e (1 000–1 500)", or "non disponible"."""
    if not isinstance(e, dict) or _missing(e.get("value")):
        return format_html('<span class="na">{}</span>', _("non disponible"))
    value, low, high = e.get("value"), e.get("low"), e.get("high")
    main = format_number(value)
    if unit:
        main = f"{main}\u00a0{unit}"
    if _missing(low) or _missing(high) or (low == value == high):
        return format_html("{}", main)
    return format_html(
        '{} <span class="range">({}–{})</span>', main, format_number(low), format_number(high)
    )
