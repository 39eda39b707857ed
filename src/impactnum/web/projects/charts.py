"""Server-rendered inline SVG charts: stacked phase bars, net-balance waterfall, range bars.

No JavaScript and no inline style (the Content-Security-Policy forbids both): colours come from
CSS classes of app.css (`bar-manufacture`, `bar-avoided`, `bar-net`, `whisker`, `axis`).
Every chart is `<svg role="img" aria-labelledby="…">` with a `<title>` and a `<desc>`, and
carries its data as rows for the table shown under it (the accessible fallback).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .templatetags.impactnum_format import format_number

WIDTH = 640
PLOT_LEFT = 160  # room for category labels (horizontal charts) or the axis (vertical)
PLOT_RIGHT = 24
ROW = 34


@dataclass
class Chart:
    """One chart: the SVG, its text alternative and its data table."""

    id: str
    title: str
    desc: str
    svg: SafeString
    columns: list[str]
    rows: list[list[str]]
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, label)
    data: dict[str, Any] = field(default_factory=dict)  # plain numbers, for json_script


def _ok(x: Any) -> bool:
    return x is not None and isinstance(x, int | float) and math.isfinite(x)


def _v(e: dict[str, Any] | None, key: str = "value") -> float | None:
    if not isinstance(e, dict):
        return None
    x = e.get(key)
    return float(x) if _ok(x) else None


def _nice_max(x: float) -> float:
    """A round upper bound for an axis (1, 2, 2.5, 5 × 10^n)."""
    if x <= 0:
        return 1.0
    exp = math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * 10**exp >= x:
            return m * 10**exp
    return 10 ** (exp + 1)


def _open(chart_id: str, title: str, desc: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _rect(x: float, y: float, w: float, h: float, css: str, tip: str) -> str:
    if w < 0:
        x, w = x + w, -w
    if h < 0:
        y, h = y + h, -h
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{max(h, 0.5):.1f}" '
        f'class="{css}"><title>{escape(tip)}</title></rect>'
    )


def _text(x: float, y: float, s: str, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(s)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, css: str) -> str:
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="{css}"/>'


class _Scale:
    """Linear map from [lo, hi] to [left, right] pixels."""

    def __init__(self, lo: float, hi: float, left: float, right: float) -> None:
        self.lo, self.hi, self.left, self.right = lo, hi, left, right

    def __call__(self, x: float) -> float:
        span = (self.hi - self.lo) or 1.0
        return self.left + (x - self.lo) / span * (self.right - self.left)


def _axis_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    step = (hi - lo) / n
    return [lo + i * step for i in range(n + 1)]


def _value_axis(parts: list[str], scale: _Scale, y_top: float, y_bottom: float) -> None:
    for t in _axis_ticks(scale.lo, scale.hi):
        x = scale(t)
        parts.append(_line(x, y_top, x, y_bottom, "axis grid"))
        parts.append(_text(x, y_bottom + 14, format_number(t), "middle"))


def stacked_phase_bars(
    chart_id: str,
    criterion_label: str,
    unit: str,
    scenarios: Sequence[tuple[str, dict[str, float | None]]],
    phases: Sequence[tuple[str, str]],
) -> Chart:
    """Horizontal bars, one per scenario, stacked by life-cycle phase (impacts per year)."""
    rows_px = max(1, len(scenarios))
    height = 40 + rows_px * ROW + 30
    totals = [sum(v for v in by.values() if _ok(v) and v > 0) for _n, by in scenarios]
    scale = _Scale(0, _nice_max(max(totals, default=0)), PLOT_LEFT, WIDTH - PLOT_RIGHT)
    title = _("Impacts par an et par phase — %(c)s (%(u)s)") % {"c": criterion_label, "u": unit}
    missing = sorted(
        {label for _n, by in scenarios for code, label in phases if not _ok(by.get(code))}
    )
    desc = "; ".join(
        f"{name} : {format_number(total)} {unit}"
        for (name, _by), total in zip(scenarios, totals, strict=True)
    )
    if missing:
        desc += ". " + _("Non disponible pour : %(p)s") % {"p": ", ".join(missing)}
    parts = _open(chart_id, title, desc, height)
    top = 20
    _value_axis(parts, scale, top, top + rows_px * ROW)
    table: list[list[str]] = []
    for i, (name, by) in enumerate(scenarios):
        y = top + i * ROW + 6
        parts.append(_text(PLOT_LEFT - 8, y + 15, name[:24], "end"))
        x0 = 0.0
        row = [name]
        for code, label in phases:
            v = by.get(code)
            row.append(format_number(v) if _ok(v) else _("non disponible"))
            if _ok(v) and v > 0:
                tip = f"{name} — {label} : {format_number(v)} {unit}"
                parts.append(
                    _rect(scale(x0), y, scale(x0 + v) - scale(x0), ROW - 12, f"bar-{code}", tip)
                )
                x0 += v
        row.append(format_number(x0))
        table.append(row)
    parts.append(_line(PLOT_LEFT, top, PLOT_LEFT, top + rows_px * ROW, "axis"))
    parts.append("</svg>")
    return Chart(
        chart_id,
        title,
        desc,
        mark_safe("".join(parts)),  # every text above is escaped
        [_("Scénario"), *[label for _c, label in phases], _("Total")],
        table,
        legend=[(f"swatch-{code}", label) for code, label in phases],
        data={
            "kind": "stacked_phase_bars",
            "unit": unit,
            "series": [{"name": n, "phases": dict(by)} for n, by in scenarios],
        },
    )


def waterfall(
    chart_id: str,
    criterion_label: str,
    unit: str,
    impacts: dict[str, Any] | None,
    avoided: dict[str, Any] | None,
    net: dict[str, Any] | None,
) -> Chart:
    """Net balance: impacts (up), avoided (down), net = impacts − avoided, with low–high."""
    iv, av, nv = _v(impacts) or 0.0, _v(avoided) or 0.0, _v(net)
    if nv is None:
        nv = iv - av
    highs = [x for x in (_v(impacts, "high"), _v(net, "high"), iv, 0.0) if x is not None]
    lows = [x for x in (_v(net, "low"), nv, iv - av, 0.0) if x is not None]
    lo, hi = min(lows), max(highs)
    lo = -_nice_max(-lo) if lo < 0 else 0.0
    hi = _nice_max(hi) if hi > 0 else 0.0
    if hi == lo:
        hi = lo + 1
    steps = [
        (_("Impacts"), 0.0, iv, "bar-use", impacts),
        (_("Évités"), iv, iv - av, "bar-avoided", avoided),
        (_("Bilan net"), 0.0, nv, "bar-net", net),
    ]
    height = 40 + len(steps) * ROW + 30
    scale = _Scale(lo, hi, PLOT_LEFT, WIDTH - PLOT_RIGHT)
    title = _("Bilan net par an — %(c)s (%(u)s)") % {"c": criterion_label, "u": unit}
    desc = _("Impacts %(i)s, évités %(a)s, bilan net %(n)s %(u)s") % {
        "i": format_number(iv),
        "a": format_number(av),
        "n": format_number(nv),
        "u": unit,
    }
    parts = _open(chart_id, title, desc, height)
    top = 20
    _value_axis(parts, scale, top, top + len(steps) * ROW)
    table = []
    for i, (name, start, end, css, est) in enumerate(steps):
        y = top + i * ROW + 6
        h = ROW - 12
        parts.append(_text(PLOT_LEFT - 8, y + 15, name, "end"))
        tip = f"{name} : {format_number(av if i == 1 else end)} {unit}"
        parts.append(_rect(scale(start), y, scale(end) - scale(start), h, css, tip))
        low, high = _v(est, "low"), _v(est, "high")
        if low is not None and high is not None and low != high:
            base = start if i != 1 else 0.0
            sign = -1 if i == 1 else 1
            if i == 1:  # the avoided bar runs down from the impacts
                wl, wh = iv - high, iv - low
            else:
                wl, wh = base + sign * low, base + sign * high
            cy = y + h / 2
            parts.append(_line(scale(wl), cy, scale(wh), cy, "whisker"))
            parts.append(_line(scale(wl), cy - 5, scale(wl), cy + 5, "whisker"))
            parts.append(_line(scale(wh), cy - 5, scale(wh), cy + 5, "whisker"))
        table.append(
            [
                name,
                format_number(_v(est)) if _v(est) is not None else _("non disponible"),
                format_number(low),
                format_number(high),
            ]
        )
    zero = scale(0)
    parts.append(_line(zero, top, zero, top + len(steps) * ROW, "axis"))
    parts.append("</svg>")
    return Chart(
        chart_id,
        title,
        desc,
        mark_safe("".join(parts)),  # every text above is escaped
        [_("Étape"), _("Valeur"), _("Basse"), _("Haute")],
        table,
        legend=[
            ("swatch-use", _("Impacts")),
            ("swatch-avoided", _("Évités")),
            ("swatch-net", _("Bilan net")),
        ],
        data={
            "kind": "waterfall",
            "unit": unit,
            "impacts": impacts,
            "avoided": avoided,
            "net": net,
        },
    )


def range_bars(
    chart_id: str,
    title: str,
    unit: str,
    items: Sequence[tuple[str, dict[str, Any] | None]],
) -> Chart:
    """One horizontal bar per item (value) with a low–high whisker; missing values say so."""
    values = [(name, _v(e), _v(e, "low"), _v(e, "high")) for name, e in items]
    nums = [x for _n, v, lo, hi in values for x in (v, lo, hi) if x is not None]
    lo_ax = min([0.0, *nums])
    hi_ax = max([0.0, *nums])
    lo_ax = -_nice_max(-lo_ax) if lo_ax < 0 else 0.0
    hi_ax = _nice_max(hi_ax) if hi_ax > 0 else 0.0
    if lo_ax == hi_ax:
        hi_ax = 1.0
    scale = _Scale(lo_ax, hi_ax, PLOT_LEFT, WIDTH - PLOT_RIGHT)
    n = max(1, len(values))
    height = 40 + n * ROW + 30
    desc = "; ".join(
        f"{name} : {format_number(v)} {unit}"
        if v is not None
        else f"{name} : {_('non disponible')}"
        for name, v, _lo, _hi in values
    )
    parts = _open(chart_id, title, desc, height)
    top = 20
    _value_axis(parts, scale, top, top + n * ROW)
    table = []
    for i, (name, v, low, high) in enumerate(values):
        y = top + i * ROW + 6
        h = ROW - 12
        parts.append(_text(PLOT_LEFT - 8, y + 15, name[:24], "end"))
        if v is None:
            parts.append(_text(scale(0) + 4, y + 15, _("non disponible")))
        else:
            css = "bar-avoided" if v < 0 else "bar-net"
            parts.append(
                _rect(
                    scale(0), y, scale(v) - scale(0), h, css, f"{name} : {format_number(v)} {unit}"
                )
            )
            if low is not None and high is not None and low != high:
                cy = y + h / 2
                parts.append(_line(scale(low), cy, scale(high), cy, "whisker"))
                parts.append(_line(scale(low), cy - 5, scale(low), cy + 5, "whisker"))
                parts.append(_line(scale(high), cy - 5, scale(high), cy + 5, "whisker"))
        table.append(
            [
                name,
                format_number(v) if v is not None else _("non disponible"),
                format_number(low),
                format_number(high),
            ]
        )
    zero = scale(0)
    parts.append(_line(zero, top, zero, top + n * ROW, "axis"))
    parts.append("</svg>")
    return Chart(
        chart_id,
        title,
        desc,
        mark_safe("".join(parts)),  # every text above is escaped
        [_("Élément"), _("Valeur (%(u)s)") % {"u": unit}, _("Basse"), _("Haute")],
        table,
        data={
            "kind": "range_bars",
            "unit": unit,
            "items": [{"name": nm, "value": v, "low": lo, "high": hi} for nm, v, lo, hi in values],
        },
    )
