"""An evaluation (its snapshot) as XLSX (openpyxl) and PDF (reportlab, built-in Helvetica).

XLSX sheets: Synthèse, Engagements, Actions, Indicateurs. Numbers stay numbers; a missing value
is the text « non disponible », never 0. The PDF lists the summary, then each commitment with its
comment, actions and indicators.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from impactnum.io.cells import neutralise_workbook
from impactnum.web.projects.templatetags.impactnum_format import format_number

from .choices import ActionStatus, CommitmentSource, CommitmentTheme
from .models import Evaluation

HEAD_FILL = PatternFill("solid", fgColor="E8EEF3")


def _missing() -> str:
    return _("non disponible")


def _label(choices: Any, code: str) -> str:
    return str(dict(choices.choices).get(code, code))


def _day(iso: str | None) -> str:
    return date_format(dt.date.fromisoformat(iso), "SHORT_DATE_FORMAT") if iso else ""


def _yes_no(v: bool | None) -> str:
    return _missing() if v is None else (_("oui") if v else _("non"))


def _summary_rows(evaluation: Evaluation, snap: dict[str, Any]) -> list[tuple[str, Any]]:
    s = snap.get("summary", {})
    return [
        (_("Organisation"), evaluation.organisation.name),
        (_("Évaluation"), evaluation.label),
        (_("Date"), _day(snap.get("on"))),
        (_("Mois du plan"), evaluation.month if evaluation.month is not None else ""),
        (_("Engagements"), s.get("commitments", 0)),
        (_("Actions"), s.get("actions", 0)),
        (_("Actions réalisées"), s.get("actions_done", 0)),
        (_("Actions en retard"), s.get("actions_late", 0)),
        (_("Avancement moyen (%)"), s.get("mean_progress")),
        (_("Indicateurs"), s.get("indicators", 0)),
        (_("Indicateurs dans la trajectoire"), s.get("indicators_on_track", 0)),
        (_("Cibles atteintes"), s.get("targets_met", 0)),
        (_("Commentaires"), evaluation.comments),
    ]


# --- XLSX --------------------------------------------------------------------------------------


def _sheet(wb: Workbook, title: str, header: list[str], first: bool = False) -> Any:
    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    for i, h in enumerate(header):
        ws.column_dimensions[chr(65 + i)].width = max(12, min(45, len(h) + 4))
    return ws


def _cell(v: Any) -> Any:
    return _missing() if v is None else v


def evaluation_xlsx(evaluation: Evaluation, snap: dict[str, Any]) -> bytes:
    wb = Workbook()
    ws = _sheet(wb, _("Synthèse"), [_("Élément"), _("Valeur")], first=True)
    for k, v in _summary_rows(evaluation, snap):
        ws.append([k, _cell(v)])
    ws = _sheet(
        wb,
        _("Engagements"),
        [
            _("Référence"),
            _("Intitulé"),
            _("Thème"),
            _("Origine"),
            _("Responsable"),
            _("Avancement (%)"),
            _("Actions réalisées"),
            _("Actions en retard"),
            _("Commentaire"),
        ],
    )
    for c in snap.get("commitments", []):
        ws.append(
            [
                c["reference"],
                c["title"],
                _label(CommitmentTheme, c["theme"]),
                _label(CommitmentSource, c["source"]),
                c["owner"],
                _cell(c["progress"]),
                c["actions_done"],
                c["actions_late"],
                c.get("note", ""),
            ]
        )
    ws = _sheet(
        wb,
        _("Actions"),
        [
            _("Engagement"),
            _("Action"),
            _("Responsable"),
            _("Échéance"),
            _("Statut"),
            _("Avancement (%)"),
            _("En retard"),
        ],
    )
    for c in snap.get("commitments", []):
        for a in c["actions"]:
            due = dt.date.fromisoformat(a["due_on"]) if a["due_on"] else None
            ws.append(
                [
                    c["reference"],
                    a["title"],
                    a["owner"],
                    _cell(due),
                    _label(ActionStatus, a["status"]),
                    a["progress"],
                    _yes_no(a["late"]),
                ]
            )
    ws = _sheet(
        wb,
        _("Indicateurs"),
        [
            _("Engagement"),
            _("Indicateur"),
            _("Unité"),
            _("Valeur"),
            _("Date de la valeur"),
            _("Attendu (trajectoire)"),
            _("Cible"),
            _("Date de la cible"),
            _("Dans la trajectoire"),
            _("Cible atteinte"),
            _("Source ou preuve"),
        ],
    )
    for c in snap.get("commitments", []):
        for i in c["indicators"]:
            ws.append(
                [
                    c["reference"],
                    i["name"],
                    i["unit"],
                    _cell(i["value"]),
                    i["value_on"] or "",
                    _cell(i["expected"]),
                    _cell(i["target"]["value"]),
                    i["target"]["on"] or "",
                    _yes_no(i["on_track"]),
                    _yes_no(i["target_met"]),
                    i.get("source_label") or i["evidence"],
                ]
            )
    neutralise_workbook(wb)  # imported text never runs as a formula
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------------


def _p(text: Any, style: Any) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\u202f", "\u00a0").replace("−", "-"), style)


def _num(v: Any) -> str:
    return _missing() if v is None else format_number(v).replace("\u202f", "\u00a0")


TABLE_STYLE = TableStyle(
    [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF3")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def evaluation_pdf(evaluation: Evaluation, snap: dict[str, Any], *, compress: bool = True) -> bytes:
    """The PDF; `compress=False` keeps the text readable in the bytes (tests)."""
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        pageCompression=int(compress),
        title=f"{evaluation.label} — {evaluation.organisation.name}",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    )
    story: list[Any] = [
        _p(f"{evaluation.label} — {evaluation.organisation.name}", styles["Title"]),
        _p(
            _("Plan d'action numérique responsable, état au %(d)s") % {"d": _day(snap.get("on"))},
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [
        [_p(k, small), _p(_num(v) if isinstance(v, float) else v, small)]
        for k, v in _summary_rows(evaluation, snap)
    ]
    table = Table(rows, colWidths=[60 * mm, 115 * mm])
    table.setStyle(TABLE_STYLE)
    story += [table, Spacer(1, 6 * mm)]
    for c in snap.get("commitments", []):
        story.append(_p(f"{c['reference']} — {c['title']}", styles["Heading3"]))
        story.append(
            _p(
                _("Thème : %(t)s · origine : %(s)s · responsable : %(o)s · avancement : %(p)s %%")
                % {
                    "t": _label(CommitmentTheme, c["theme"]),
                    "s": _label(CommitmentSource, c["source"]),
                    "o": c["owner"] or "—",
                    "p": _num(c["progress"]),
                },
                small,
            )
        )
        if c.get("note"):
            story.append(_p(_("Commentaire : %(n)s") % {"n": c["note"]}, small))
        if c["actions"]:
            head = [_("Action"), _("Responsable"), _("Échéance"), _("Statut"), _("%")]
            data = [[_p(h, small) for h in head]] + [
                [
                    _p(a["title"], small),
                    _p(a["owner"], small),
                    _p(_day(a["due_on"]), small),
                    _p(
                        _label(ActionStatus, a["status"])
                        + (" · " + _("en retard") if a["late"] else ""),
                        small,
                    ),
                    _p(a["progress"], small),
                ]
                for a in c["actions"]
            ]
            t = Table(data, colWidths=[70 * mm, 30 * mm, 22 * mm, 38 * mm, 15 * mm], repeatRows=1)
            t.setStyle(TABLE_STYLE)
            story += [Spacer(1, 2 * mm), t]
        if c["indicators"]:
            head = [_("Indicateur"), _("Valeur"), _("Attendu"), _("Cible"), _("Cible atteinte")]
            data = [[_p(h, small) for h in head]] + [
                [
                    _p(i["name"], small),
                    _p(f"{_num(i['value'])} {i['unit']}", small),
                    _p(_num(i["expected"]), small),
                    _p(
                        f"{_num(i['target']['value'])} ({_day(i['target']['on'])})"
                        if i["target"]["value"] is not None
                        else "—",
                        small,
                    ),
                    _p(_yes_no(i["target_met"]), small),
                ]
                for i in c["indicators"]
            ]
            t = Table(data, colWidths=[65 * mm, 35 * mm, 22 * mm, 33 * mm, 20 * mm], repeatRows=1)
            t.setStyle(TABLE_STYLE)
            story += [Spacer(1, 2 * mm), t]
        story.append(Spacer(1, 4 * mm))
    if not snap.get("commitments"):
        story.append(_p(_("Aucun engagement."), body))
    doc.build(story)
    return out.getvalue()
