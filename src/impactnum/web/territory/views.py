"""Territory pages: the direction's dashboard, social targeting against the fragility index,
the publication setting (namespace `territory`), and the public read-only page (namespace
`public`, no login).

Views parse input, call `dashboard`, `fragility`, `publication` or `opendata`, and render.
Members of an organisation (any role, viewers and elected officials included) read its
dashboard and targeting; another organisation's slug is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from impactnum.web.core.errors import DomainError, NotAllowed, NotFound
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import VIEW_BENEFICIARIES, can, organisations_for
from impactnum.web.projects import charts

from . import fragility, opendata, publication
from .dashboard import AVOIDED_ONCE, dashboard, period
from .forms import FragilityImportForm, PublicationForm
from .models import SECTIONS

SECTION_LABELS = {
    "fleet": _("Empreinte du parc"),
    "quotas": _("Quotas légaux"),
    "reuse": _("Filière de réemploi"),
    "projects": _("Bilans nets des projets"),
    "commitments": _("Engagements"),
    "targeting": _("Ciblage social par commune"),
}


def chosen_organisation(request: HttpRequest) -> Organisation:
    """`?organisation=slug` among the user's organisations (another's: 404); default the
    first by name."""
    orgs = organisations_for(request.user)
    slug = request.GET.get("organisation") or request.POST.get("organisation") or ""
    org = orgs.filter(slug=slug).first() if slug else orgs.order_by("name").first()
    if org is None:
        raise Http404
    return org


def _query(org: Organisation, **extra: Any) -> str:
    return "?" + urlencode({"organisation": org.slug, **extra})


def _base(request: HttpRequest, org: Organisation, year: int) -> dict[str, Any]:
    this = timezone.localdate().year
    return {
        "organisation": org,
        "organisations": organisations_for(request.user).order_by("name"),
        "year": year,
        "years": list(range(this, opendata.FIRST_YEAR - 1, -1)),
        "q": _query(org),
        "q_year": _query(org, year=year),
    }


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """Fleet footprint and trend, quotas, reuse outputs, projects' net balances and the
    commitments' progress of one organisation, each linked to its detail page."""
    org = chosen_organisation(request)
    year = opendata.chosen_year(request.GET.get("year"))
    data = dashboard(request.user, org, year)  # type: ignore[arg-type]
    fleet = data["fleet"]
    trend_chart = charts.range_bars(
        "territory-fleet-trend",
        _("Empreinte du parc détenu au 31 décembre (kgCO2e/an)"),
        "kgCO2e/an",
        [(str(y["year"]), y["gwp"]) for y in fleet["trend"]],
    )
    project_chart = charts.range_bars(
        "territory-projects",
        _("Bilan net annuel des projets (kgCO2e/an)"),
        "kgCO2e/an",
        [(p["name"], p["net"]) for p in data["projects"]["projects"]],
    )
    return render(
        request,
        "territory/dashboard.html",
        {
            **_base(request, org, year),
            "data": data,
            "trend_chart": trend_chart,
            "project_chart": project_chart,
            "avoided_once": AVOIDED_ONCE,
            "publication": publication.publication_for(org),
        },
    )


@login_required
def targeting_page(request: HttpRequest) -> HttpResponse:
    """Provisions and support sessions per commune against the fragility index; counts below
    the threshold are hidden unless the person may see beneficiaries."""
    org = chosen_organisation(request)
    year = opendata.chosen_year(request.GET.get("year"))
    date_from, date_to = period(year)
    exact = can(request.user, org, VIEW_BENEFICIARIES)
    return render(
        request,
        "territory/targeting.html",
        {
            **_base(request, org, year),
            "t": fragility.targeting(org, date_from, date_to, suppressed=not exact),
            "exact": exact,
            "form": FragilityImportForm(),
            "can_import": can(request.user, org, fragility.IMPORT_INDEX),
            "small": fragility.SMALL_COUNT,
        },
    )


@login_required
@require_POST
def fragility_import(request: HttpRequest) -> HttpResponse:
    """Import an index file: all rows or none; every error with its line number."""
    org = chosen_organisation(request)
    if not can(request.user, org, fragility.IMPORT_INDEX):
        raise PermissionDenied(_("Votre rôle ne permet pas d'importer un indice."))
    form = FragilityImportForm(request.POST, request.FILES)
    errors: list[str] = []
    if form.is_valid():
        f = form.cleaned_data["file"]
        try:
            index = fragility.import_index(
                request.user,  # type: ignore[arg-type]
                org,
                f.read(),
                file_name=f.name,
                source=form.cleaned_data["source"],
            )
        except fragility.FragilityImportError as exc:
            errors = exc.errors
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        else:
            messages.success(
                request,
                _("Indice importé : %(n)s communes.") % {"n": index.rows.count()},
            )
            return redirect(reverse("territory:targeting") + _query(org))
    year = opendata.chosen_year(None)
    date_from, date_to = period(year)
    exact = can(request.user, org, VIEW_BENEFICIARIES)
    return render(
        request,
        "territory/targeting.html",
        {
            **_base(request, org, year),
            "t": fragility.targeting(org, date_from, date_to, suppressed=not exact),
            "exact": exact,
            "form": form,
            "import_errors": errors,
            "can_import": True,
            "small": fragility.SMALL_COUNT,
        },
        status=400,
    )


def _publishing_organisation(request: HttpRequest) -> Organisation:
    """`?organisation=slug`: one the person belongs to (else 404) and may publish for (else
    403); by default the first by name they may publish for (none: 403)."""
    if request.GET.get("organisation") or request.POST.get("organisation"):
        org = chosen_organisation(request)
    else:
        org = organisations_for(request.user, publication.PUBLISH).order_by("name").first()
    if org is None or not can(request.user, org, publication.PUBLISH):
        raise PermissionDenied(_("Seul un administrateur choisit ce qui est publié."))
    return org


@login_required
@require_http_methods(["GET", "POST"])
def publication_page(request: HttpRequest) -> HttpResponse:
    """What the organisation publishes, for its administrators (PUBLISH) only: another member
    gets 403 (what is published is on the public page, linked from the dashboard)."""
    org = _publishing_organisation(request)
    pub = publication.publication_for(org)
    form = PublicationForm(request.POST or None, instance=pub)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                publication.set_publication(
                    request.user,  # type: ignore[arg-type]
                    org,
                    **{f: form.cleaned_data[f] for f in publication.FIELDS},
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Publication enregistrée."))
                return redirect(reverse("territory:publication") + _query(org))
    year = timezone.localdate().year
    return render(
        request,
        "territory/publication.html",
        {
            **_base(request, org, year),
            "organisations": organisations_for(request.user, publication.PUBLISH).order_by("name"),
            "form": form,
            "publication": pub,
            "section_fields": [form[f"publish_{s}"] for s in SECTIONS],
        },
        status=status,
    )


# --- public, no login -------------------------------------------------------------------------


def public_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "territory/public_index.html",
        {"organisations": publication.published_organisations()},
    )


def public_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's published figures, grouped by section; 404 when it publishes
    nothing (the same answer as for an unknown slug)."""
    try:
        org, pub = publication.published(slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    year = opendata.chosen_year(request.GET.get("year"))
    doc = opendata.open_document(org, pub, year)
    sections = [
        {
            "code": s,
            "label": SECTION_LABELS[s],
            "rows": [r for r in doc["figures"] if r["section"] == s],
        }
        for s in doc["sections"]
    ]
    this = timezone.localdate().year
    return render(
        request,
        "territory/public.html",
        {
            "org": org,
            "doc": doc,
            "sections": sections,
            "year": year,
            "years": list(range(this, opendata.FIRST_YEAR - 1, -1)),
            "avoided_once": AVOIDED_ONCE,
        },
    )
