"""Device labels with a QR code, in pure Python: reportlab's QR encoder (no new dependency).

Each QR code encodes the device's workbench URL (`…/reuse/?tag=R-0001`): a phone camera opens
the device page, and a barcode scanner typing the URL into the workbench field finds the tag
(`views.parse_scan`). The HTML page draws the codes as inline SVG (no image request, nothing
inline the CSP would refuse); the PDF is an A4 sheet of 3 × 8 labels of 70 × 37 mm.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 4  # modules of white border (ISO/IEC 18004)
COLUMNS, ROWS = 3, 8
LABEL_W, LABEL_H = A4[0] / COLUMNS, A4[1] / ROWS  # 70 × 37.1 mm
QR_SIZE = 31 * mm


def qr_matrix(text: str, level: str = "M") -> list[list[bool]]:
    """The QR code of `text` as rows of dark (True) / light modules."""
    code = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    code.addData(text)
    code.make()
    n = code.getModuleCount()
    return [[bool(code.isDark(r, c)) for c in range(n)] for r in range(n)]


def qr_svg(text: str, *, title: str = "", css_class: str = "qr") -> SafeString:
    """An inline SVG of the QR code: one path, runs of dark modules merged per row."""
    matrix = qr_matrix(text)
    size = len(matrix) + 2 * QUIET_ZONE
    parts = []
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                parts.append(f"M{start + QUIET_ZONE} {r + QUIET_ZONE}h{c - start}v1h-{c - start}z")
            else:
                c += 1
    title_el = f"<title>{escape(title)}</title>" if title else ""
    aria = f' aria-label="{escape(title)}"' if title else ""
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(css_class)}" '
        f'viewBox="0 0 {size} {size}" role="img" shape-rendering="crispEdges"{aria}>'
        f'{title_el}<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path d="{"".join(parts)}" fill="#000"/></svg>'
    )


def label_lines(device: Any) -> list[str]:
    """The text printed next to the code: tag, kind and model, lot."""
    model = " ".join(x for x in (device.brand, device.model) if x)
    return [
        device.asset_tag,
        f"{device.get_kind_display()} {model}".strip(),
        f"{device.lot.reference} · {device.serial_number}".strip(" ·"),
    ]


def labels_pdf(
    devices: Iterable[Any], url_for: Callable[[Any], str], *, compress: bool = True
) -> bytes:
    """A4 sheets of 3 × 8 labels, one per device: the QR code and the label lines."""
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, pageCompression=int(compress), invariant=int(not compress))
    canvas.setTitle("Étiquettes")
    per_page = COLUMNS * ROWS
    for i, device in enumerate(devices):
        if i and i % per_page == 0:
            canvas.showPage()
        slot = i % per_page
        col, row = slot % COLUMNS, slot // COLUMNS
        x0 = col * LABEL_W
        y0 = A4[1] - (row + 1) * LABEL_H
        widget = QrCodeWidget(url_for(device), barLevel="M", barBorder=2)
        x1, y1, x2, y2 = widget.getBounds()
        w, h = x2 - x1, y2 - y1
        drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / w, 0, 0, QR_SIZE / h, 0, 0])
        drawing.add(widget)
        drawing.drawOn(canvas, x0 + 2 * mm, y0 + (LABEL_H - QR_SIZE) / 2)
        tx = x0 + 2 * mm + QR_SIZE + 2 * mm
        lines = label_lines(device)
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(tx, y0 + LABEL_H - 12 * mm, lines[0])
        canvas.setFont("Helvetica", 7)
        for k, line in enumerate(lines[1:]):
            canvas.drawString(tx, y0 + LABEL_H - (18 + 4 * k) * mm, line[:32])
    canvas.showPage()
    canvas.save()
    return buf.getvalue()
