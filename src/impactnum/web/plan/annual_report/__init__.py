"""The yearly report of the responsible-digital strategy (the *bilan annuel* that goes into the
rapport développement durable, CGCT L.2311-1-1): one data function, `annual_report`, read by
the page, the PDF, the DOCX and `GET /api/plan/annual-report`, so every output shows the same
numbers.

`content.blocks` turns the data into headings, paragraphs and tables; `pdf.report_pdf` and
`word.report_docx` render those blocks. Definitions and sources: docs/methodology/annual-report.md.
"""

from .data import annual_report

__all__ = ["annual_report"]
