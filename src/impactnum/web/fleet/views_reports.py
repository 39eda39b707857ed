"""Fleet indicators, footprint, quotas and the AGEC declaration download.

Each page shows one of the fleet's computation modules (`indicators`, `footprint`, `quotas`,
`declaration`) — the same functions as the API and the CLI — for one of the user's
organisations (`?organisation=slug`, default the first), never another's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _

from impactnum.engine import list_factor_sets
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import organisations_for
from impactnum.web.projects import charts
from impactnum.web.projects.choices import KIND_CHOICES
from impactnum.web.projects.presentation import criteria_rows, phase_rows

from . import declaration, footprint, indicators, quotas, scenarios
from .choices import AssetStatus
from .forms import ScenarioForm

FIRST_YEAR = 2021


def chosen_organisation(request: HttpRequest, *, allow_all: bool = False) -> Organisation | None:
    """The organisation of `?organisation=slug` among the user's; default the first (or None =
    all of them when `allow_all` and `organisation=all`). Another's slug: 404."""
    orgs = organisations_for(request.user)
    slug = request.GET.get("organisation", "")
    if allow_all and slug == "all":
        return None
    if slug:
        org = orgs.filter(slug=slug).first()
        if org is None:
            raise Http404
        return org
    org = orgs.order_by("name").first()
    if org is None:
        raise Http404
    return org


def chosen_year(request: HttpRequest) -> int:
    this = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this)
    except ValueError:
        year = this
    return max(FIRST_YEAR - 10, min(this + 1, year))


def _kind_label(code: str) -> str:
    return str(dict(KIND_CHOICES).get(code, code))


def _by_kind(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(code, _kind_label(code), n) for code, n in counts.items()]


@login_required
def fleet_indicators(request: HttpRequest) -> HttpResponse:
    org = chosen_organisation(request)
    data = indicators.fleet_indicators(org)  # type: ignore[arg-type]
    list_url = reverse("fleet:list")
    return render(
        request,
        "fleet/indicators.html",
        {
            "organisation": org,
            "organisations": organisations_for(request.user),
            "data": data,
            "day": dt.date.fromisoformat(data["date"]),
            "held_by_kind": _by_kind(data["held_by_kind"]),
            "by_status": [
                (code, str(dict(AssetStatus.choices).get(code, code)), n)
                for code, n in data["by_status"].items()
            ],
            "past_by_kind": _by_kind(data["past_lifespan"]["by_kind"]),
            "due_by_kind": _by_kind(data["renewals_due_12_months"]["by_kind"]),
            "past_url": f"{list_url}?{urlencode({'organisation': org.slug, 'past_lifespan': 1})}",  # type: ignore[union-attr]
        },
    )


def _estimate_rows(
    groups: dict[str, Any], criteria: list[dict[str, str]], names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    return [
        {
            "name": (names or {}).get(g, g) or _("(sans)"),
            "values": [by.get(c["code"]) for c in criteria],
        }
        for g, by in sorted(groups.items())
    ]


@login_required
def fleet_footprint(request: HttpRequest) -> HttpResponse:
    """Annual footprint of the assets held now, per criterion and phase, by kind and by
    department or organisation, with its trend per year; low–high are the factors' bounds."""
    org = chosen_organisation(request, allow_all=True)
    orgs = [org] if org else list(organisations_for(request.user))
    sets = [s["ref"] for s in list_factor_sets()]
    factor_set = request.GET.get("factor_set") or footprint.DEFAULT_FACTOR_SET
    if factor_set not in sets and not any(s.startswith(f"{factor_set}@") for s in sets):
        factor_set = footprint.DEFAULT_FACTOR_SET
    by = request.GET.get("by", "department")
    if by not in ("department", "organisation"):
        by = "department"
    ctx: dict[str, Any] = {
        "organisation": org,
        "organisations": organisations_for(request.user),
        "factor_sets": sets,
        "factor_set": factor_set,
        "by": by,
    }
    result = footprint.fleet_footprint(orgs, factor_set=factor_set, by=by)
    trend = footprint.footprint_trend(orgs, factor_set=factor_set)
    criteria = criteria_rows(result)
    codes = [c["code"] for c in criteria]
    criterion = request.GET.get("criterion", "gwp")
    if criterion not in codes:
        criterion = codes[0]
    crit = next(c for c in criteria if c["code"] == criterion)
    phases = phase_rows()
    by_phase = result.get("by_phase", {})
    phase_values = {
        p["code"]: ((by_phase.get(p["code"]) or {}).get(criterion) or {}).get("value")
        for p in phases
    }
    kinds = dict(KIND_CHOICES)
    ctx.update(
        {
            "result": result,
            "criteria": criteria,
            "criterion": criterion,
            "criterion_row": crit,
            "phases": phases,
            "phase_table": [
                {
                    "label": p["label"],
                    "values": [(by_phase.get(p["code"]) or {}).get(c) for c in codes],
                }
                for p in phases
            ],
            "kind_table": _estimate_rows(result.get("by_kind", {}), criteria, kinds),
            "group_table": _estimate_rows(result.get(f"by_{by}", {}), criteria),
            "trend": trend,
            "trend_rows": [
                {
                    "year": y["year"],
                    "assets": y["assets"],
                    "values": [(y["totals"] or {}).get(c) for c in codes],
                }
                for y in trend["years"]
            ],
            "charts": [
                charts.stacked_phase_bars(
                    "fleet-phases",
                    crit["label"],
                    crit["unit"],
                    [(_("Parc"), phase_values)],
                    [(p["code"], p["label"]) for p in phases],
                ),
                charts.range_bars(
                    "fleet-by-kind",
                    _("Par type — %(c)s (%(u)s/an)") % {"c": crit["label"], "u": crit["unit"]},
                    crit["unit"],
                    [
                        (kinds.get(k, k), v.get(criterion))
                        for k, v in sorted(result.get("by_kind", {}).items())
                    ],
                ),
                charts.range_bars(
                    "fleet-by-group",
                    (_("Par service") if by == "department" else _("Par organisation"))
                    + f" — {crit['label']} ({crit['unit']}/an)",
                    crit["unit"],
                    [
                        (g or _("(sans)"), v.get(criterion))
                        for g, v in sorted(result.get(f"by_{by}", {}).items())
                    ],
                ),
                charts.range_bars(
                    "fleet-trend",
                    _("Évolution par année (parc au 31 décembre) — %(c)s (%(u)s/an)")
                    % {"c": crit["label"], "u": crit["unit"]},
                    crit["unit"],
                    [(str(y["year"]), (y["totals"] or {}).get(criterion)) for y in trend["years"]],
                ),
            ],
        }
    )
    ctx.update(_scenario_context(request, orgs, factor_set, criteria))
    return render(request, "fleet/footprint.html", ctx)


SCENARIO_FIELDS = ("lifespan_years", "refurbished_share", "horizon_years")
SCENARIO_DRAWS = 1000


def _scenario_context(
    request: HttpRequest, orgs: list[Organisation], factor_set: str, criteria: list[dict[str, str]]
) -> dict[str, Any]:
    """The scenario form (`#scenario-form`) and, once sent, avoided impacts per criterion (per
    year and over the horizon, low–high, probability that the variant is lower) and savings."""
    sent = any(k in request.GET for k in SCENARIO_FIELDS)
    form = ScenarioForm(request.GET if sent else None)
    out: dict[str, Any] = {"scenario_form": form, "scenario": None, "scenario_rows": []}
    if not sent or not form.is_valid():
        return out
    data = form.cleaned_data
    result = scenarios.fleet_scenario(
        orgs,
        lifespan_years=data["lifespan_years"],
        refurbished_share=data["refurbished_share"] / 100,
        horizon_years=data["horizon_years"],
        factor_set=factor_set,
        draws=SCENARIO_DRAWS,
    )
    out["scenario"] = result
    out["scenario_rows"] = [
        {**c, "impact": result["impacts"].get(c["code"])}
        for c in criteria
        if c["code"] in result["impacts"]
    ]
    out["kinds_without_price"] = [_kind_label(k) for k in result["costs"]["kinds_without_price"]]
    return out


@login_required
def fleet_quotas(request: HttpRequest) -> HttpResponse:
    """AGEC art. 58 purchase shares and décret 2023-266 reuse of retired equipment for a year,
    each against its trajectory; the declaration's download."""
    org = chosen_organisation(request)
    year = chosen_year(request)
    this = timezone.localdate().year
    return render(
        request,
        "fleet/quotas.html",
        {
            "organisation": org,
            "organisations": organisations_for(request.user),
            "year": year,
            "years": list(range(this, FIRST_YEAR - 1, -1)),
            "agec": quotas.agec_purchases(org, year),  # type: ignore[arg-type]
            "reuse": quotas.retired_reuse(org, year),  # type: ignore[arg-type]
            "declaration_url": reverse("fleet:declaration")
            + "?"
            + urlencode({"organisation": org.slug, "year": year}),  # type: ignore[union-attr]
        },
    )


@login_required
def fleet_declaration(request: HttpRequest) -> HttpResponse:
    """The AGEC art. 58 declaration of a year as CSV (data.gouv.fr schema); without a SIRET,
    back to the quotas page with the reason."""
    org = chosen_organisation(request)
    year = chosen_year(request)
    try:
        text = declaration.declaration_csv(org, year)  # type: ignore[arg-type]
    except declaration.MissingSiret as exc:
        messages.error(request, exc.message)
        return redirect(
            reverse("fleet:quotas") + "?" + urlencode({"organisation": org.slug, "year": year})  # type: ignore[union-attr]
        )
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    name = f"declaration-agec-{org.slug}-{year}.csv"  # type: ignore[union-attr]
    response.headers["Content-Disposition"] = content_disposition_header(True, name)
    return response
