"""The PDF report of a project's result, built with reportlab only (no OS package).

Fonts: reportlab's built-in Helvetica (WinAnsi encoding: « é », « € », « – » are in it). The
narrow no-break space of French numbers is not, so the PDF uses the ordinary no-break space;
other characters outside WinAnsi (→, −, ≥) are drawn by reportlab from its Symbol font.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Group, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from . import charts
from .content import (
    MONEY_KEYS,
    NNBSP,
    PAYBACK_KEYS,
    criteria_codes,
    criterion_label,
    criterion_unit,
    economic_labels,
    estimate,
    factor_sets_used,
    factors_used,
    indicator_label,
    missing,
    number,
    payback,
    per_year,
    percent,
    phase_codes,
    phase_label,
    section_labels,
    warnings,
)


def pdf_text(text: str) -> str:
    """Text Helvetica shows well: the narrow no-break space becomes a no-break space, the
    minus sign a hyphen-minus."""
    return text.replace(NNBSP, "\u00a0").replace("−", "-")


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(pdf_text(str(text))), style)


def _sanitize(node: Any) -> Any:
    if isinstance(node, String):
        node.text = pdf_text(node.text)
    elif isinstance(node, Drawing | Group):
        for child in node.contents:
            _sanitize(child)
    return node


class _Styles:
    def __init__(self) -> None:
        base = getSampleStyleSheet()
        self.title = ParagraphStyle("t", parent=base["Title"], fontName="Helvetica-Bold")
        self.h1 = ParagraphStyle("h1", parent=base["Heading1"], fontSize=15, spaceBefore=6)
        self.h2 = ParagraphStyle("h2", parent=base["Heading2"], fontSize=12)
        self.body = ParagraphStyle("b", parent=base["BodyText"], fontSize=9, leading=11.5)
        self.small = ParagraphStyle("s", parent=self.body, fontSize=7.5, leading=9.5)
        self.cell = ParagraphStyle("c", parent=self.body, fontSize=7.5, leading=9)
        self.num = ParagraphStyle("n", parent=self.cell, alignment=2)
        self.head = ParagraphStyle("h", parent=self.cell, fontName="Helvetica-Bold")


TABLE_STYLE = TableStyle(
    [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef3")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9aa7b1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)


class _Builder:
    def __init__(self, result: dict[str, Any], meta: dict[str, str]) -> None:
        self.r = result
        self.meta = meta
        self.s = _Styles()
        self.story: list[Any] = []

    # helpers
    def para(self, text: str, style: ParagraphStyle | None = None) -> None:
        self.story.append(_p(text, style or self.s.body))

    def table(
        self, header: list[str], rows: list[list[Any]], widths: list[float], numeric_from: int = 1
    ) -> None:
        data = [[_p(h, self.s.head) for h in header]]
        for row in rows:
            data.append(
                [
                    c
                    if isinstance(c, Paragraph)
                    else _p(c, self.s.num if i >= numeric_from else self.s.cell)
                    for i, c in enumerate(row)
                ]
            )
        t = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
        t.setStyle(TABLE_STYLE)
        self.story += [t, Spacer(1, 4 * mm)]

    def charts(self, drawings: list[Drawing]) -> None:
        drawings = [_sanitize(d) for d in drawings]
        rows = [drawings[i : i + 2] for i in range(0, len(drawings), 2)]
        if rows and len(rows[-1]) == 1:
            rows[-1].append("")
        t = Table(rows, colWidths=[88 * mm, 88 * mm])
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        self.story += [t, Spacer(1, 4 * mm)]

    # sections
    def title_page(self) -> None:
        r, s = self.r, self.s
        project = r["project"]
        self.story += [Spacer(1, 40 * mm), _p(project["name"], s.title), Spacer(1, 6 * mm)]
        self.para(_("Rapport d'impacts social, environnemental et économique"), s.h2)
        self.story.append(Spacer(1, 10 * mm))
        lines = [
            (_("Organisation"), self.meta.get("organisation") or project.get("organisation", "")),
            (_("Date"), self.meta.get("date", "")),
            (_("Jeu de facteurs"), r["factor_set"]),
            (_("Version du moteur"), r["engine_version"]),
            (_("Horizon"), _("%(n)s ans") % {"n": number(project["horizon_years"], 2, trim=True)}),
            (_("Taux d'actualisation"), percent(project["discount_rate"])),
            (_("Scénario de référence"), r["baseline"]),
            (_("Scénarios"), ", ".join(sc["name"] for sc in r["scenarios"])),
        ]
        if r.get("draws"):
            lines.append((_("Tirages Monte-Carlo"), f"{r['draws']} (seed {r.get('seed', 0)})"))
        t = Table([[_p(k, s.head), _p(v, s.cell)] for k, v in lines], colWidths=[45 * mm, 120 * mm])
        t.setStyle(TABLE_STYLE)
        self.story.append(t)
        if project.get("description"):
            self.story.append(Spacer(1, 6 * mm))
            self.para(project["description"])
        self.story.append(Spacer(1, 8 * mm))
        self.para(
            _(
                "Les valeurs environnementales sont annuelles (vue annuelle : impacts "
                "embarqués répartis sur la durée de vie, plus une année d'utilisation). "
                "Entre crochets : valeurs basse et haute. Une valeur absente est indiquée "
                "« non disponible », jamais 0."
            ),
            s.small,
        )
        self.story.append(PageBreak())

    def totals(self) -> None:
        r = self.r
        labels = section_labels()
        self.para(_("Impacts environnementaux par an"), self.s.h1)
        for sc in r["scenarios"]:
            self.para(sc["name"], self.s.h2)
            rows = [
                [
                    criterion_label(r, code),
                    per_year(criterion_unit(r, code)),
                    *(estimate(sc[sec].get(code)) for sec in ("totals", "avoided", "net")),
                ]
                for code in criteria_codes(r)
            ]
            self.table(
                [_("Critère"), _("Unité"), labels["totals"], labels["avoided"], labels["net"]],
                rows,
                [44, 22, 37, 37, 37],
                numeric_from=2,
            )

    def by_phase(self) -> None:
        r = self.r
        self.para(_("Impacts par phase du cycle de vie (par an)"), self.s.h1)
        phases = phase_codes(r)
        for sc in r["scenarios"]:
            self.para(sc["name"], self.s.h2)
            rows = []
            for code in criteria_codes(r):
                cells = []
                for p in phases:
                    v = (sc["by_phase"].get(p) or {}).get(code)
                    cells.append(missing() if v is None else number(v.get("value")))
                rows.append([criterion_label(r, code), per_year(criterion_unit(r, code)), *cells])
            w = 111 / max(1, len(phases))
            self.table(
                [_("Critère"), _("Unité"), *(phase_label(p) for p in phases)],
                rows,
                [44, 22, *([w] * len(phases))],
                numeric_from=2,
            )
        self.para(_("Impacts par an, par phase et par scénario"), self.s.h2)
        self.charts([charts.stacked_phases(r, c) for c in criteria_codes(r)])

    def net(self) -> None:
        r = self.r
        self.story.append(
            KeepTogether(
                [
                    _p(_("Bilan net (impacts − évités) par an"), self.s.h1),
                    _p(
                        _(
                            "Bilan net = impacts − impacts évités. Sur l'horizon du projet, "
                            "les valeurs annuelles sont multipliées par le nombre d'années."
                        ),
                        self.s.small,
                    ),
                ]
            )
        )
        rows = []
        for sc in r["scenarios"]:
            for code in criteria_codes(r):
                rows.append(
                    [
                        sc["name"],
                        criterion_label(r, code),
                        estimate(sc["net"].get(code)),
                        criterion_unit(r, code),
                        estimate(sc.get("horizon", {}).get("net", {}).get(code)),
                    ]
                )
        self.table(
            [
                _("Scénario"),
                _("Critère"),
                _("Bilan net par an"),
                _("Unité"),
                _("Bilan net sur l'horizon"),
            ],
            rows,
            [32, 40, 40, 22, 43],
            numeric_from=2,
        )
        self.charts([charts.net_balance(r, c) for c in criteria_codes(r)])

    def comparison(self) -> None:
        r = self.r
        if not r.get("comparison"):
            return
        self.para(_("Comparaison des scénarios"), self.s.h1)
        self.para(
            _(
                "Probabilité que le bilan net par an de la variante soit inférieur à celui de "
                "la référence, sur les mêmes tirages Monte-Carlo."
            ),
            self.s.small,
        )
        for comp in r["comparison"]:
            self.para(
                _("%(variant)s comparé à %(baseline)s (%(draws)s tirages)")
                % {
                    "variant": comp["variant"],
                    "baseline": comp["baseline"],
                    "draws": comp["draws"],
                },
                self.s.h2,
            )
            rows = []
            for code, c in comp["criteria"].items():
                unit = per_year(criterion_unit(r, code))
                if c is None:
                    rows.append([criterion_label(r, code), unit, missing(), missing()])
                else:
                    rows.append(
                        [
                            criterion_label(r, code),
                            unit,
                            estimate(c["difference"]),
                            percent(c["probability_variant_lower"]),
                        ]
                    )
            self.table(
                [
                    _("Critère"),
                    _("Unité"),
                    _("Différence (variante − référence)"),
                    _("Probabilité variante inférieure"),
                ],
                rows,
                [44, 25, 62, 46],
                numeric_from=2,
            )
            d = comp.get("economic_delta") or {}
            labels = economic_labels()
            self.table(
                [_("Différence économique (variante − référence)"), _("€")],
                [[labels[k], number(d.get(k))] for k in ("tco", "total_avoided_costs", "npv")],
                [120, 57],
            )

    def economic(self) -> None:
        r = self.r
        labels = economic_labels()
        self.para(_("Impacts économiques"), self.s.h1)
        for sc in r["scenarios"]:
            e = sc["economic"]
            self.para(
                _("%(name)s — sur %(years)s ans, taux d'actualisation %(rate)s")
                % {
                    "name": sc["name"],
                    "years": number(e["horizon_years"], 2, trim=True),
                    "rate": percent(e["discount_rate"]),
                },
                self.s.h2,
            )
            rows = [
                [labels[k], "€", *(number(e[k].get(b)) for b in ("value", "low", "high"))]
                for k in MONEY_KEYS
            ]
            rows += [
                [labels[k], _("années"), *(payback(e[k].get(b)) for b in ("value", "low", "high"))]
                for k in PAYBACK_KEYS
            ]
            self.table(
                [_("Indicateur"), _("Unité"), _("Valeur"), _("Basse"), _("Haute")],
                rows,
                [70, 17, 30, 30, 30],
                numeric_from=2,
            )
            flows = e.get("avoided_flows") or []
            if flows:
                self.table(
                    [_("Flux évité"), _("Quantité par an"), _("Prix"), _("€ par an")],
                    [
                        [
                            f.get("label") or f["flow"],
                            number(f["quantity_per_year"]),
                            f"{number(f['price']['value'])} {f['price'].get('unit', '')}",
                            estimate(f.get("eur_per_year")),
                        ]
                        for f in flows
                    ],
                    [50, 30, 45, 52],
                )

    def social(self) -> None:
        r = self.r
        self.para(_("Impacts sociaux"), self.s.h1)
        for sc in r["scenarios"]:
            soc = sc["social"]
            self.para(sc["name"], self.s.h2)
            if not soc["indicators"] and not soc["sroi"]:
                self.para(_("Aucun indicateur social renseigné."))
                continue
            if soc["indicators"]:
                self.table(
                    [_("Indicateur"), _("Valeur"), _("Unité")],
                    [
                        [indicator_label(v, code), number(v["value"]), v["unit"]]
                        for code, v in soc["indicators"].items()
                    ],
                    [100, 40, 37],
                )
            s = soc["sroi"]
            if s:
                self.table(
                    [_("Retour social sur investissement (SROI)"), _("Valeur")],
                    [
                        [_("Valeur des contributions (€)"), number(s["inputs_value"])],
                        [_("Valeur actuelle des résultats (€)"), number(s["total_present_value"])],
                        [_("Valeur actuelle nette (€)"), number(s["net_present_value"])],
                        [_("Ratio SROI"), number(s["ratio"])],
                        [_("SROI net"), number(s["net_ratio"])],
                    ],
                    [120, 57],
                )
                self.table(
                    [
                        _("Partie prenante"),
                        _("Résultat"),
                        _("Quantité par an"),
                        _("Valeur unitaire (€)"),
                        _("Source de la valeur"),
                        _("Valeur actuelle (€)"),
                    ],
                    [
                        [
                            o.get("stakeholder", ""),
                            o["outcome"],
                            number(o["quantity"]),
                            number(o["proxy_eur"]),
                            _p(o.get("proxy_source") or missing(), self.s.cell),
                            number(o["present_value"]),
                        ]
                        for o in s["outcomes"]
                    ],
                    [28, 40, 22, 24, 40, 23],
                    numeric_from=2,
                )

    def sources(self) -> None:
        r = self.r
        self.story.append(PageBreak())
        self.para(_("Sources et hypothèses"), self.s.h1)
        for fs in factor_sets_used(r):
            self.para(_("Jeu de facteurs %(ref)s") % {"ref": fs.get("ref", "")}, self.s.h2)
            for key, label in (
                ("title", _("Titre")),
                ("publisher", _("Éditeur")),
                ("date", _("Date")),
                ("licence", _("Licence")),
                ("url", _("Adresse")),
            ):
                if fs.get(key):
                    self.para(f"{label} : {fs[key]}", self.s.small)
            if fs.get("overridden"):
                self.para(
                    _("Des facteurs propres à l'organisation remplacent certains facteurs."),
                    self.s.small,
                )
        self.para(_("Facteurs utilisés"), self.s.h2)
        rows, sources = [], {}
        for use in factors_used(r):
            f = use.row
            src = f.get("source") or {}
            sid = str(src.get("id") or src.get("title") or "")
            if sid:
                sources.setdefault(sid, src)
            rows.append(
                [
                    _p(f.get("id", ""), self.s.cell),
                    f"{number(f.get('value'))} [{number(f.get('low'))} – {number(f.get('high'))}]",
                    f.get("unit", ""),
                    _p(sid or missing(), self.s.cell),
                    src.get("status", ""),
                ]
            )
        self.table(
            [_("Facteur"), _("Valeur [basse – haute]"), _("Unité"), _("Source"), _("Statut")],
            rows,
            [50, 34, 26, 47, 20],
            numeric_from=1,
        )
        self.para(_("Sources des facteurs"), self.s.h2)
        self.table(
            [_("Source"), _("Titre"), _("Adresse"), _("Statut")],
            [
                [
                    _p(sid, self.s.cell),
                    _p(src.get("title") or missing(), self.s.cell),
                    _p(src.get("url") or missing(), self.s.cell),
                    _p(src.get("status") or missing(), self.s.cell),
                ]
                for sid, src in sources.items()
            ],
            [30, 65, 62, 20],
            numeric_from=99,
        )
        self.para(_("Données saisies et valeurs par défaut"), self.s.h2)
        for sc in r["scenarios"]:
            inputs = sc.get("provenance", {}).get("inputs", {})
            parts = [
                f"{name} : " + ", ".join(f"{k} {v}" for k, v in counts.items())
                for name, counts in inputs.items()
                if counts
            ]
            if parts:
                self.para(f"{sc['name']} — " + " ; ".join(parts), self.s.small)
        method = next((sc.get("provenance", {}).get("method") for sc in r["scenarios"]), None)
        if method:
            self.para(_("Méthode : %(m)s") % {"m": method}, self.s.small)
        self.para(_("Avertissements"), self.s.h2)
        ws = warnings(r)
        if not ws:
            self.para(_("Aucun avertissement."), self.s.small)
        for name, text in ws:
            self.para(f"{name} : {text}", self.s.small)

    def build(self) -> list[Any]:
        self.title_page()
        self.totals()
        self.by_phase()
        self.net()
        self.comparison()
        self.economic()
        self.social()
        self.sources()
        return self.story


def build_pdf(
    result: dict[str, Any],
    *,
    organisation: str = "",
    today: date | None = None,
    invariant: bool = False,
    compress: bool = True,
) -> bytes:
    """The report as PDF bytes. `invariant` and `compress=False` give reproducible, readable
    bytes (tests)."""
    meta = {
        "organisation": organisation,
        "date": date_format(today or date.today(), "DATE_FORMAT"),
    }
    buf = io.BytesIO()
    name = result["project"]["name"]
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=name,
        author="impactnum",
        subject=_("Rapport d'impacts"),
        invariant=int(invariant),
        pageCompression=int(compress),
    )

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(16 * mm, 9 * mm, pdf_text(f"impactnum — {name}"))
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, pdf_text(_("page %(n)s") % {"n": doc.page}))
        canvas.restoreState()

    doc.build(_Builder(result, meta).build(), onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()
