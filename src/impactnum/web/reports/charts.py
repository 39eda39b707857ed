"""Charts drawn with reportlab.graphics (no OS package): used by the PDF, and as SVG by the
print page. Missing values (None) are not drawn and are named under the chart, never shown as 0.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from .content import criterion_label, criterion_unit, missing, number, phase_codes, phase_label

PHASE_COLOURS = ["#1f5f8b", "#58a4b0", "#f2a541", "#8c5e9e", "#7a7a7a"]
NET_COLOUR = "#2e7d4f"
FONT = "Helvetica"
WIDTH, HEIGHT = 250, 190
LEFT, RIGHT, TOP, BOTTOM = 52, 8, 22, 42


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (0 included)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi == lo:
        hi = lo + 1
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    t = start
    while t < hi + step * 0.999:
        ticks.append(round(t, 12))
        t += step
    return ticks


class _Frame:
    """A value axis on the left and category slots along the bottom."""

    def __init__(self, d: Drawing, lo: float, hi: float, categories: list[str]) -> None:
        self.d = d
        self.ticks = nice_ticks(lo, hi)
        self.vmin, self.vmax = self.ticks[0], self.ticks[-1]
        self.x0, self.x1 = LEFT, WIDTH - RIGHT
        self.y0, self.y1 = BOTTOM, HEIGHT - TOP
        self.categories = categories
        for t in self.ticks:
            y = self.y(t)
            d.add(Line(self.x0, y, self.x1, y, strokeColor=colors.HexColor("#dddddd")))
            d.add(
                String(
                    self.x0 - 3,
                    y - 3,
                    number(t, 6, trim=True),
                    fontName=FONT,
                    fontSize=6.5,
                    textAnchor="end",
                )
            )
        d.add(Line(self.x0, self.y(0), self.x1, self.y(0), strokeColor=colors.black))
        d.add(Line(self.x0, self.y0, self.x0, self.y1, strokeColor=colors.black))
        slot = self.slot
        for i, name in enumerate(categories):
            label = name if len(name) <= 18 else name[:17] + "…"
            d.add(
                String(
                    self.x0 + slot * (i + 0.5),
                    self.y0 - 10,
                    label,
                    fontName=FONT,
                    fontSize=6.5,
                    textAnchor="middle",
                )
            )

    @property
    def slot(self) -> float:
        return (self.x1 - self.x0) / max(1, len(self.categories))

    def y(self, v: float) -> float:
        return self.y0 + (v - self.vmin) / (self.vmax - self.vmin) * (self.y1 - self.y0)

    def bar(self, i: int, a: float, b: float, colour: str) -> None:
        w = self.slot * 0.5
        x = self.x0 + self.slot * (i + 0.25)
        ya, yb = self.y(a), self.y(b)
        self.d.add(
            Rect(
                x, min(ya, yb), w, abs(yb - ya), fillColor=colors.HexColor(colour), strokeColor=None
            )
        )


def _title(d: Drawing, label: str, unit: str) -> None:
    """« label (unit/an) », the label shortened with « … » to fit the width."""
    suffix = f" ({_('%(unit)s/an') % {'unit': unit}})"
    text = label + suffix
    while stringWidth(text, "Helvetica-Bold", 8) > WIDTH - 8 and len(label) > 8:
        label = label[:-2].rstrip()
        text = label + "…" + suffix
    d.add(String(4, HEIGHT - 12, text, fontName="Helvetica-Bold", fontSize=8))


def _note(d: Drawing, text: str, line: int = 0) -> None:
    d.add(
        String(
            4, 6 + 9 * line, text, fontName=FONT, fontSize=6.5, fillColor=colors.HexColor("#555555")
        )
    )


def stacked_phases(result: dict[str, Any], code: str) -> Drawing:
    """Impacts per year of one criterion, one bar per scenario stacked by phase."""
    d = Drawing(WIDTH, HEIGHT)
    _title(d, criterion_label(result, code), criterion_unit(result, code))
    phases = phase_codes(result)
    scenarios = result["scenarios"]
    highs, lows, absent = [0.0], [0.0], set()
    for sc in scenarios:
        pos = neg = 0.0
        for p in phases:
            v = (sc["by_phase"].get(p) or {}).get(code)
            if v is None or v.get("value") is None:
                absent.add(p)
                continue
            if v["value"] >= 0:
                pos += v["value"]
            else:
                neg += v["value"]
        highs.append(pos)
        lows.append(neg)
    frame = _Frame(d, min(lows), max(highs), [sc["name"] for sc in scenarios])
    for i, sc in enumerate(scenarios):
        pos = neg = 0.0
        for j, p in enumerate(phases):
            v = (sc["by_phase"].get(p) or {}).get(code)
            if v is None or v.get("value") is None or v["value"] == 0:
                continue
            colour = PHASE_COLOURS[j % len(PHASE_COLOURS)]
            if v["value"] > 0:
                frame.bar(i, pos, pos + v["value"], colour)
                pos += v["value"]
            else:
                frame.bar(i, neg, neg + v["value"], colour)
                neg += v["value"]
    x = 4.0
    for j, p in enumerate(phases):
        d.add(
            Rect(
                x,
                20,
                6,
                6,
                fillColor=colors.HexColor(PHASE_COLOURS[j % len(PHASE_COLOURS)]),
                strokeColor=None,
            )
        )
        label = phase_label(p)
        d.add(String(x + 8, 21, label, fontName=FONT, fontSize=6.5))
        x += 14 + 3.6 * len(label)
    if absent:
        _note(d, f"{missing()} : " + ", ".join(phase_label(p) for p in phases if p in absent))
    return d


def net_balance(result: dict[str, Any], code: str) -> Drawing:
    """Net balance per year (impacts − avoided) of one criterion per scenario, with its low–high
    range as whiskers."""
    d = Drawing(WIDTH, HEIGHT)
    _title(d, criterion_label(result, code), criterion_unit(result, code))
    scenarios = result["scenarios"]
    values = [sc["net"].get(code) for sc in scenarios]
    known = [v for v in values if v is not None and v.get("value") is not None]
    bounds = [b for v in known for b in (v["value"], v.get("low"), v.get("high")) if b is not None]
    frame = _Frame(
        d, min(bounds, default=0.0), max(bounds, default=1.0), [sc["name"] for sc in scenarios]
    )
    absent = []
    for i, (sc, v) in enumerate(zip(scenarios, values, strict=True)):
        if v is None or v.get("value") is None:
            absent.append(sc["name"])
            continue
        frame.bar(i, 0.0, v["value"], NET_COLOUR)
        if v.get("low") is not None and v.get("high") is not None:
            xc = frame.x0 + frame.slot * (i + 0.5)
            lo, hi = frame.y(v["low"]), frame.y(v["high"])
            d.add(Line(xc, lo, xc, hi, strokeColor=colors.black, strokeWidth=0.8))
            for y in (lo, hi):
                d.add(Line(xc - 4, y, xc + 4, y, strokeColor=colors.black, strokeWidth=0.8))
    _note(d, _("Barres : valeur centrale ; moustaches : basse – haute"), 1)
    if absent:
        _note(d, f"{missing()} : " + ", ".join(absent))
    return d


def to_svg(drawing: Drawing) -> str:
    """The drawing as an SVG document (for the print page, as a data: image)."""
    from reportlab.graphics import renderSVG

    return renderSVG.drawToString(drawing)
