"""The reuse chain's period report (`report.reuse_report`) as a page with charts, CSV and XLSX
exports; a lot's balance (`report.lot_balance`); the ORDS export (`ords.ords_csv`).

The report carries counts only, never a person: anyone who may view the organisation may read it
(another organisation's slug is a 404). The CO2e method is the reader's choice — The Restart
Project's ORDS footprints or ADEME/Arcep 2022 — and is named wherever a CO2e figure appears.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from impactnum.io.cells import csv_writer, neutralise_workbook
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import organisations_for
from impactnum.web.fleet.choices import WeeeCategory
from impactnum.web.projects.charts import Chart, range_bars
from impactnum.web.projects.choices import KIND_CHOICES

from . import ords, report
from .forms_people import PeriodForm
from .models import Lot

KIND_LABELS = dict(KIND_CHOICES)
WEEE_LABELS = dict(WeeeCategory.choices)
METHOD_NAMES = {
    "restart": gettext_lazy("The Restart Project (empreintes des catégories ORDS)"),
    "ademe": gettext_lazy("ADEME/Arcep 2022 (fabrication + distribution)"),
}
MATERIAL_LABELS = {
    "gold": gettext_lazy("Or"),
    "silver": gettext_lazy("Argent"),
    "palladium": gettext_lazy("Palladium"),
    "copper": gettext_lazy("Cuivre"),
    "cobalt": gettext_lazy("Cobalt"),
    "neodymium": gettext_lazy("Néodyme"),
    "praseodymium": gettext_lazy("Praséodyme"),
    "rare_earths": gettext_lazy("Terres rares"),
}
BUCKET_LABELS = {
    "reused": gettext_lazy("Réemployé (remis)"),
    "parts": gettext_lazy("Pièces détachées"),
    "recycled": gettext_lazy("Recyclé (expédié)"),
    "lost": gettext_lazy("Perdu"),
    "in_stock": gettext_lazy("En stock"),
}

FIGURES: list[tuple[str, Any, str]] = [
    ("lots_collected", gettext_lazy("Lots collectés"), ""),
    ("devices_collected", gettext_lazy("Objets collectés"), ""),
    ("kg_collected", gettext_lazy("Poids collecté"), "kg"),
    ("devices_provided", gettext_lazy("Appareils remis"), ""),
    ("devices_first_provided", gettext_lazy("Appareils remis pour la première fois"), ""),
    ("reuse_rate", gettext_lazy("Taux de réemploi"), "%"),
    ("devices_dismantled", gettext_lazy("Appareils démantelés"), ""),
    ("parts_harvested", gettext_lazy("Pièces prélevées"), ""),
    ("devices_recycled", gettext_lazy("Appareils recyclés"), ""),
    ("kg_recycled", gettext_lazy("Poids recyclé"), "kg"),
    ("people_equipped", gettext_lazy("Personnes équipées"), ""),
    ("organisations_equipped", gettext_lazy("Organisations équipées"), ""),
    ("support_sessions", gettext_lazy("Séances d'accompagnement"), ""),
    ("support_hours", gettext_lazy("Heures d'accompagnement"), "h"),
    ("people_supported", gettext_lazy("Personnes accompagnées"), ""),
    ("co2e_avoided_kg", gettext_lazy("CO2e évité"), "kgCO2e"),
    ("co2e_avoided_low_kg", gettext_lazy("CO2e évité (bas)"), "kgCO2e"),
    ("co2e_avoided_high_kg", gettext_lazy("CO2e évité (haut)"), "kgCO2e"),
    ("ewaste_avoided_kg", gettext_lazy("Déchets électroniques évités"), "kg"),
    ("repairs", gettext_lazy("Réparations"), ""),
    ("repairs_fixed", gettext_lazy("Réparations réussies"), ""),
    ("work_hours", gettext_lazy("Heures de travail (réparations)"), "h"),
    ("money_saved_eur", gettext_lazy("Économies des ménages"), "€"),
    ("money_paid_eur", gettext_lazy("Payé par les ménages"), "€"),
    ("solidarity_sales_eur", gettext_lazy("Ventes solidaires"), "€"),
]


def _org(request: HttpRequest, slug: str | None) -> Organisation:
    """The organisation by slug among those the user may view (404 otherwise); the first one
    when no slug is given."""
    orgs = organisations_for(request.user)
    if slug:
        return get_object_or_404(orgs, slug=slug)
    first = orgs.order_by("name").first()
    if first is None:
        raise Http404(_("Aucune organisation."))
    return first


def _period(request: HttpRequest) -> tuple[PeriodForm, dict[str, Any] | None]:
    orgs = organisations_for(request.user).order_by("name")
    slug = request.GET.get("organisation")
    if slug:
        _org(request, slug)  # 404 for another organisation
    form = PeriodForm(request.GET, organisations=orgs, auto_id="period-%s")
    if not form.is_valid():
        return form, None
    return form, dict(form.cleaned_data)


def compute(period: dict[str, Any]) -> dict[str, Any]:
    return report.reuse_report(
        period["organisation"],
        period["date_from"],
        period["date_to"],
        method=period.get("method") or "restart",
    )


def charts(data: dict[str, Any], other: dict[str, Any]) -> list[Chart]:
    """Flows of devices, CO2e avoided per kind (chosen method), both methods side by side,
    and kg recycled per WEEE category."""
    method = data["impact"]["method"]
    out = [
        range_bars(
            "chart-flows",
            _("Devenir des appareils sur la période"),
            _("appareils"),
            [
                (_("Remis"), {"value": data["devices_provided"]}),
                (_("Démantelés"), {"value": data["devices_dismantled"]}),
                (_("Recyclés"), {"value": data["devices_recycled"]}),
            ],
        ),
        range_bars(
            "chart-co2e-kinds",
            _("CO2e évité par type — méthode %(m)s") % {"m": METHOD_NAMES[method]},
            "kgCO2e",
            [
                (str(KIND_LABELS.get(r["kind"], r["kind"])), r["co2e_avoided"])
                for r in data["impact"]["by_kind"]
            ],
        ),
        range_bars(
            "chart-co2e-methods",
            _("CO2e évité selon les deux méthodes"),
            "kgCO2e",
            [
                (str(METHOD_NAMES[d["method"]])[:24], d["co2e_avoided"])
                for d in sorted((data["impact"], other), key=lambda d: d["method"])
            ],
        ),
    ]
    if data["kg_recycled_by_weee_category"]:
        out.append(
            range_bars(
                "chart-weee",
                _("Poids recyclé par catégorie DEEE"),
                "kg",
                [
                    (str(WEEE_LABELS.get(cat, cat))[:24], {"value": kg})
                    for cat, kg in sorted(data["kg_recycled_by_weee_category"].items())
                ],
            )
        )
    return out


def figure_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for key, label, unit in FIGURES:
        value = data.get(key)
        if key == "reuse_rate" and value is not None:
            value = round(value * 100, 2)
        rows.append({"key": key, "label": str(label), "value": value, "unit": unit})
    return rows


def material_rows(materials: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {**m, "label": str(MATERIAL_LABELS.get(m["material"], m["material"]))}
        for m in materials["materials"]
    ]


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    """Every figure of the period, the CO2e method named with a switch, charts, exports."""
    form, period = _period(request)
    ctx: dict[str, Any] = {"form": form, "period": period}
    if period is None:
        return render(request, "reuse/report.html", ctx, status=400 if request.GET else 200)
    data = compute(period)
    other_method = "ademe" if data["impact"]["method"] == "restart" else "restart"
    other = report.impact_for(
        report.first_provisions(period["organisation"], period["date_from"], period["date_to"]),
        method=other_method,
    )
    org = period["organisation"]
    base = (
        f"organisation={org.slug}&from={period['date_from'].isoformat()}"
        f"&to={period['date_to'].isoformat()}"
    )
    ctx.update(
        {
            "data": data,
            "org": org,
            "figures": {r["key"]: r for r in figure_rows(data)},
            "method": data["impact"]["method"],
            "method_name": METHOD_NAMES[data["impact"]["method"]],
            "methods": [
                {"code": code, "name": name, "url": f"?{base}&method={code}"}
                for code, name in METHOD_NAMES.items()
            ],
            "other": {"method_name": METHOD_NAMES[other_method], **other},
            "query": f"{base}&method={data['impact']['method']}",
            "charts": charts(data, other),
            "kinds": [
                {**r, "label": KIND_LABELS.get(r["kind"], r["kind"])}
                for r in data["impact"]["by_kind"]
            ],
            "weee": [
                {"label": WEEE_LABELS.get(cat, cat), "kg": kg}
                for cat, kg in sorted(data["kg_recycled_by_weee_category"].items())
            ],
            "materials": material_rows(data["materials_recovered"]),
            "lots": Lot.objects.filter(
                organisation=org,
                received_on__gte=period["date_from"],
                received_on__lte=period["date_to"],
            ).order_by("-received_on", "-pk")[:100],
        }
    )
    return render(request, "reuse/report.html", ctx)


def _export_period(request: HttpRequest) -> dict[str, Any]:
    _form, period = _period(request)
    if period is None:
        raise Http404(_("Période invalide."))
    return period


def report_table(data: dict[str, Any]) -> list[list[Any]]:
    """The report as rows (section, indicator, value, unit): one export for CSV and XLSX."""
    method = str(METHOD_NAMES[data["impact"]["method"]])
    rows: list[list[Any]] = [
        [_("Période"), _("Organisation"), data["organisation"], ""],
        [_("Période"), _("Du"), data["date_from"], ""],
        [_("Période"), _("Au"), data["date_to"], ""],
        [_("Période"), _("Méthode CO2e"), method, ""],
    ]
    for r in figure_rows(data):
        rows.append([_("Indicateurs"), r["label"], r["value"], r["unit"]])
    for cat, kg in sorted(data["kg_recycled_by_weee_category"].items()):
        rows.append([_("Recyclé par catégorie DEEE"), str(WEEE_LABELS.get(cat, cat)), kg, "kg"])
    for r in data["impact"]["by_kind"]:
        label = str(KIND_LABELS.get(r["kind"], r["kind"]))
        rows.append([_("CO2e évité par type"), label, r["co2e_avoided"]["value"], "kgCO2e"])
    for m in material_rows(data["materials_recovered"]):
        rows.append([_("Matériaux récupérés (estimation)"), m["label"], m["grams_recovered"], "g"])
    return rows


@login_required
def report_csv(request: HttpRequest) -> HttpResponse:
    period = _export_period(request)
    data = compute(period)
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["section", "indicateur", "valeur", "unite"])
    for row in report_table(data):
        writer.writerow(["" if v is None else v for v in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="reemploi-{data["organisation"]}-{data["date_from"]}'
        f'-{data["date_to"]}.csv"'
    )
    return response


@login_required
def report_xlsx(request: HttpRequest) -> HttpResponse:
    period = _export_period(request)
    data = compute(period)
    wb = Workbook()
    ws = wb.active
    ws.title = _("Rapport")[:31]
    ws.append([_("Section"), _("Indicateur"), _("Valeur"), _("Unité")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in report_table(data):
        ws.append([_("non disponible") if v is None else v for v in row])
    for col, width in zip("ABCD", (32, 44, 18, 10), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    neutralise_workbook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="reemploi-{data["organisation"]}-{data["date_from"]}'
        f'-{data["date_to"]}.xlsx"'
    )
    return response


@login_required
def lot_balance(request: HttpRequest, pk: int) -> HttpResponse:
    """Where a lot's devices ended up, in items and kg, against what was declared."""
    lot = get_object_or_404(
        Lot.objects.filter(organisation__in=organisations_for(request.user)).select_related(
            "donor"
        ),
        pk=pk,
    )
    balance = report.lot_balance(lot)
    rows = [
        {
            "key": key,
            "label": BUCKET_LABELS[key],
            "items": balance["items"][key],
            "kg": balance["kg"][key],
        }
        for key in report.BUCKETS
    ]
    return render(
        request, "reuse/report_lot_balance.html", {"lot": lot, "b": balance, "rows": rows}
    )


@login_required
def ords_export(request: HttpRequest) -> HttpResponse:
    """The ORDS v0.3 CSV of the organisation's repairs (reuse chain and fleet); free texts
    scrubbed of personal data by `ords.scrubber`."""
    org = _org(request, request.GET.get("organisation"))
    response = HttpResponse(ords.ords_csv(org), content_type="text/csv; charset=utf-8")
    stamp = dt.date.today().isoformat()
    response["Content-Disposition"] = f'attachment; filename="ords-{org.slug}-{stamp}.csv"'
    return response
