"""The yearly report as an editable Word document (python-docx): real headings, paragraphs and
tables, so it can be pasted into the rapport développement durable and rewritten there."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.shared import Pt, RGBColor

from . import content

MUTED = RGBColor(0x55, 0x55, 0x55)


def report_docx(data: dict[str, Any]) -> bytes:
    """The DOCX of `annual_report`'s data."""
    doc = Document()
    title = content.title(data)
    doc.core_properties.title = title
    doc.core_properties.author = "impactnum"
    doc.add_heading(title, level=0)
    for block in content.blocks(data):
        if isinstance(block, content.Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, content.Para):
            paragraph = doc.add_paragraph()
            run = paragraph.add_run(block.text)
            if block.muted:
                run.font.size = Pt(9)
                run.font.color.rgb = MUTED
        else:
            table = doc.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
            doc.add_paragraph()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
