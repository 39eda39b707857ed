"""The yearly report as PDF (reportlab, built-in Helvetica), from `content.blocks`."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import content

WIDTH = 180 * mm
TABLE_STYLE = TableStyle(
    [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF3")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _text(value: Any) -> str:
    # Helvetica (WinAnsi) has no narrow no-break space, minus sign, ≤ or ≥: plain equivalents
    text = escape(str(value)).replace("\u202f", "\u00a0").replace("−", "-")
    return text.replace("≤", "&lt;=").replace("≥", "&gt;=")


def report_pdf(data: dict[str, Any], *, compress: bool = True) -> bytes:
    """The PDF of `annual_report`'s data; `compress=False` keeps the text readable in the
    bytes (tests)."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    muted = body.clone("muted", fontSize=8, leading=10, textColor=colors.HexColor("#555555"))
    small = body.clone("small", fontSize=8, leading=10)
    heading = {1: styles["Heading2"], 2: styles["Heading3"]}
    title = content.title(data)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        pageCompression=int(compress),
        title=title,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    story: list[Any] = [Paragraph(_text(title), styles["Title"])]
    for block in content.blocks(data):
        if isinstance(block, content.Heading):
            story.append(Paragraph(_text(block.text), heading.get(block.level, heading[2])))
        elif isinstance(block, content.Para):
            story.append(Paragraph(_text(block.text), muted if block.muted else body))
        else:
            widths = block.widths or [1.0] * len(block.header)
            scale = WIDTH / sum(widths)
            rows = [[Paragraph(_text(c), small) for c in block.header]] + [
                [Paragraph(_text(c), small) for c in row] for row in block.rows
            ]
            table = Table(rows, colWidths=[w * scale for w in widths], repeatRows=1)
            table.setStyle(TABLE_STYLE)
            story += [Spacer(1, 2 * mm), table, Spacer(1, 2 * mm)]
    doc.build(story)
    return out.getvalue()
