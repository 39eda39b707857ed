"""The XLSX workbook of a project's result (openpyxl): one sheet per part of the result.

Numbers stay numbers (with a number format); units are in the headers; a missing value is the
text « non disponible », never 0. Sheet order: summary, by phase, lines, net balance per year,
economic, social, sources.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from impactnum.io.cells import neutralise_workbook

from .content import (
    MONEY_KEYS,
    PAYBACK_KEYS,
    criteria_codes,
    criterion_label,
    criterion_unit,
    economic_labels,
    env_year_rows,
    factor_sets_used,
    factors_used,
    indicator_label,
    missing,
    per_year,
    phase_codes,
    phase_label,
    section_labels,
    warnings,
)

NUMBER = "#,##0.###"
EUR = '#,##0 "€"'
PERCENT = "0.0%"
HEAD_FILL = PatternFill("solid", fgColor="E8EEF3")


def _v(x: Any) -> Any:
    """A cell value: numbers as they are, None as « non disponible »."""
    return missing() if x is None else x


class _Sheet:
    def __init__(self, wb: Workbook, title: str, header: list[str], first: bool = False) -> None:
        self.ws: Worksheet = wb.active if first else wb.create_sheet()
        self.ws.title = title[:31]
        self.ws.append(header)
        for cell in self.ws[1]:
            cell.font = Font(bold=True)
            cell.fill = HEAD_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        self.ws.freeze_panes = "A2"
        self.widths = [max(10, min(40, len(h) + 2)) for h in header]

    def row(self, values: list[Any], formats: dict[int, str] | None = None) -> None:
        self.ws.append([_v(v) for v in values])
        r = self.ws.max_row
        for i, v in enumerate(values):
            cell = self.ws.cell(row=r, column=i + 1)
            if isinstance(v, int | float) and not isinstance(v, bool):
                cell.number_format = (formats or {}).get(i, NUMBER)
            elif isinstance(v, str) and i < len(self.widths):
                self.widths[i] = max(self.widths[i], min(60, len(v) + 2))

    def finish(self) -> None:
        for i, w in enumerate(self.widths):
            self.ws.column_dimensions[get_column_letter(i + 1)].width = w


def _triple(v: dict[str, Any] | None) -> list[Any]:
    if v is None:
        return [None, None, None]
    return [v.get("value"), v.get("low"), v.get("high")]


def _summary(wb: Workbook, r: dict[str, Any]) -> None:
    labels = section_labels()
    header = [_("Scénario"), _("Critère"), _("Code"), _("Unité")]
    for sec in ("totals", "avoided", "net"):
        header += [labels[sec], f"{labels[sec]} – {_('basse')}", f"{labels[sec]} – {_('haute')}"]
    header += [_("Phases non disponibles")]
    sh = _Sheet(wb, _("Synthèse"), header, first=True)
    for sc in r["scenarios"]:
        for code in criteria_codes(r):
            total = sc["totals"].get(code)
            miss = ", ".join(phase_label(p) for p in (total or {}).get("missing_phases", []))
            sh.row(
                [
                    sc["name"],
                    criterion_label(r, code),
                    code,
                    per_year(criterion_unit(r, code)),
                    *_triple(total),
                    *_triple(sc["avoided"].get(code)),
                    *_triple(sc["net"].get(code)),
                    miss,
                ]
            )
    sh.finish()


def _by_phase(wb: Workbook, r: dict[str, Any]) -> None:
    phases = phase_codes(r)
    header = [_("Scénario"), _("Critère"), _("Unité")]
    for p in phases:
        label = phase_label(p)
        header += [label, f"{label} – {_('basse')}", f"{label} – {_('haute')}"]
    sh = _Sheet(wb, _("Par phase"), header)
    for sc in r["scenarios"]:
        for code in criteria_codes(r):
            cells: list[Any] = []
            for p in phases:
                cells += _triple((sc["by_phase"].get(p) or {}).get(code))
            sh.row(
                [sc["name"], criterion_label(r, code), per_year(criterion_unit(r, code)), *cells]
            )
    sh.finish()


def _lines(wb: Workbook, r: dict[str, Any]) -> None:
    codes = criteria_codes(r)
    header = [_("Scénario"), _("Ligne"), _("Libellé")]
    for code in codes:
        unit = per_year(criterion_unit(r, code))
        header += [
            f"{criterion_label(r, code)} ({unit})",
            f"{_('Évités')} – {criterion_label(r, code)} ({unit})",
        ]
    sh = _Sheet(wb, _("Lignes"), header)
    for sc in r["scenarios"]:
        for line in sc.get("per_line", []):
            cells: list[Any] = []
            for code in codes:
                cells += [
                    _triple((line.get("impacts") or {}).get(code))[0],
                    _triple((line.get("avoided") or {}).get(code))[0],
                ]
            sh.row([sc["name"], line.get("line"), line.get("label") or "", *cells])
    sh.finish()


def _flow(flows: dict[str, Any], name: str, i: int) -> float | None:
    """Central cash flow `name` (costs, savings, net) of year index i."""
    values = (flows.get(name) or {}).get("value") or []
    return values[i] if i < len(values) else None


def _net_per_year(wb: Workbook, r: dict[str, Any]) -> None:
    codes = criteria_codes(r)
    header = [_("Scénario"), _("Année")]
    for code in codes:
        unit = criterion_unit(r, code)
        header += [
            f"{_('Bilan net')} – {criterion_label(r, code)} ({per_year(unit)})",
            f"{_('Bilan net cumulé')} – {criterion_label(r, code)} ({unit})",
        ]
    header += [_("Coûts (€)"), _("Économies (€)"), _("Flux net (€)"), _("Flux net cumulé (€)")]
    sh = _Sheet(wb, _("Bilan net par année"), header)
    for sc in r["scenarios"]:
        env = dict(env_year_rows(sc))
        e = sc["economic"]
        flows = e.get("cash_flows", {})
        years = e.get("years") or sorted(env)
        cumulative: dict[str, float | None] = dict.fromkeys(codes, 0.0)
        cash = 0.0
        for i, year in enumerate(years):
            y = int(year) if float(year).is_integer() else year
            cells: list[Any] = []
            net = env.get(y) if isinstance(y, int) else None
            for code in codes:
                if net is None:  # year 0: the investment, no year of use yet
                    cells += ["", ""]
                    continue
                v = net.get(code)
                c = cumulative[code]
                cumulative[code] = None if v is None or c is None else c + v
                cells += [v, cumulative[code]]

            costs, savings, net_cash = (
                _flow(flows, name, i) for name in ("costs", "savings", "net")
            )
            cash = cash + (net_cash or 0.0)
            sh.row(
                [sc["name"], y, *cells, costs, savings, net_cash, cash],
                formats={len(cells) + k: EUR for k in range(2, 6)},
            )
    sh.finish()


def _economic(wb: Workbook, r: dict[str, Any]) -> None:
    labels = economic_labels()
    sh = _Sheet(
        wb,
        _("Économique"),
        [_("Scénario"), _("Indicateur"), _("Unité"), _("Valeur"), _("Basse"), _("Haute")],
    )
    for sc in r["scenarios"]:
        e = sc["economic"]
        for key in MONEY_KEYS:
            sh.row([sc["name"], labels[key], "€", *_triple(e.get(key))], {3: EUR, 4: EUR, 5: EUR})
        for key in PAYBACK_KEYS:
            v = e.get(key) or {}
            sh.row(
                [
                    sc["name"],
                    labels[key],
                    _("années"),
                    *(
                        _("jamais sur la période") if v.get(b) is None else v[b]
                        for b in ("value", "low", "high")
                    ),
                ]
            )
        sh.row([sc["name"], _("Taux d'actualisation"), "%", e.get("discount_rate")], {3: PERCENT})
        sh.row([sc["name"], _("Horizon"), _("années"), e.get("horizon_years")])
        for f in e.get("avoided_flows") or []:
            sh.row(
                [
                    sc["name"],
                    _("Flux évité : %(flow)s") % {"flow": f.get("label") or f["flow"]},
                    _("€/an"),
                    *_triple(f.get("eur_per_year")),
                ],
                {3: EUR, 4: EUR, 5: EUR},
            )
    for comp in r.get("comparison", []):
        name = f"{comp['variant']} − {comp['baseline']}"
        for key, value in (comp.get("economic_delta") or {}).items():
            sh.row([name, labels.get(key, key), "€", value], {3: EUR})
    sh.finish()


def _social(wb: Workbook, r: dict[str, Any]) -> None:
    sh = _Sheet(
        wb,
        _("Social"),
        [_("Scénario"), _("Indicateur"), _("Code"), _("Unité"), _("Valeur"), _("Source")],
    )
    for sc in r["scenarios"]:
        soc = sc["social"]
        for code, v in soc["indicators"].items():
            sh.row([sc["name"], indicator_label(v, code), code, v["unit"], v["value"], ""])
        s = soc.get("sroi")
        if not s:
            continue
        for label, key, fmt in (
            (_("Valeur des contributions"), "inputs_value", EUR),
            (_("Valeur actuelle des résultats"), "total_present_value", EUR),
            (_("Valeur actuelle nette"), "net_present_value", EUR),
            (_("Ratio SROI"), "ratio", NUMBER),
            (_("SROI net"), "net_ratio", NUMBER),
        ):
            sh.row(
                [sc["name"], label, f"sroi.{key}", "€" if fmt == EUR else "", s.get(key), ""],
                {4: fmt},
            )
        for o in s.get("outcomes", []):
            sh.row(
                [
                    sc["name"],
                    f"{o.get('stakeholder', '')} : {o['outcome']}".strip(" :"),
                    o.get("indicator") or "sroi.outcome",
                    _("€ (valeur actuelle)"),
                    o.get("present_value"),
                    o.get("proxy_source") or "",
                ],
                {4: EUR},
            )
    sh.finish()


def _sources(wb: Workbook, r: dict[str, Any]) -> None:
    sh = _Sheet(
        wb,
        _("Sources"),
        [
            _("Facteur"),
            _("Valeur"),
            _("Basse"),
            _("Haute"),
            _("Unité"),
            _("Plage"),
            _("Source"),
            _("Titre"),
            _("Adresse"),
            _("Statut"),
            _("Origine"),
            _("Scénarios"),
        ],
    )
    for use in factors_used(r):
        f = use.row
        src = f.get("source") or {}
        sh.row(
            [
                f.get("id", ""),
                f.get("value"),
                f.get("low"),
                f.get("high"),
                f.get("unit", ""),
                f.get("range", ""),
                src.get("id", ""),
                src.get("title"),
                src.get("url"),
                src.get("status"),
                f.get("origin", ""),
                ", ".join(use.scenarios),
            ]
        )
    sh.ws.append([])
    for fs in factor_sets_used(r):
        sh.ws.append([_("Jeu de facteurs"), fs.get("ref"), fs.get("title"), fs.get("url")])
        sh.ws.append([_("Licence"), fs.get("licence")])
    sh.ws.append([])
    for name, text in warnings(r):
        sh.ws.append([_("Avertissement"), name, text])
    sh.finish()


def build_xlsx(result: dict[str, Any]) -> bytes:
    wb = Workbook()
    _summary(wb, result)
    _by_phase(wb, result)
    _lines(wb, result)
    _net_per_year(wb, result)
    _economic(wb, result)
    _social(wb, result)
    _sources(wb, result)
    wb.properties.title = result["project"]["name"]
    wb.properties.creator = "impactnum"
    neutralise_workbook(wb)  # imported text never runs as a formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
