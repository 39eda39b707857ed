"""The territory's API: the open data (public, no token: `/api/open-data/…`) and the members'
twins of the dashboard, social targeting and publication pages (`/api/territory/…`).

Open data answers only for an organisation that publishes, and only its published sections
(the same 404 for an unknown or unpublished organisation). Members' endpoints: any member
reads (another organisation: 404); targeting counts below 5 are suppressed unless the caller
may see beneficiaries; only an administrator changes the publication (403 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import VIEW_BENEFICIARIES, can, organisations_for
from impactnum.web.territory import fragility, opendata, publication
from impactnum.web.territory.dashboard import dashboard, period
from impactnum.web.territory.models import Licence

from .auth import actor
from .schemas import CSV_RESPONSE

router = Router(tags=["territory"])


class YearQuery(Schema):
    year: int | None = Field(None, description="Calendar year (default: the current year)")


class OrgYearQuery(Schema):
    organisation: str = Field(description="Organisation slug")
    year: int | None = Field(None, description="Calendar year (default: the current year)")


class OrgQuery(Schema):
    organisation: str = Field(description="Organisation slug")


class PublicationIn(Schema):
    organisation: str = Field(description="Organisation slug")
    enabled: bool | None = None
    licence: Licence | None = None
    contact: str | None = Field(None, max_length=200)
    publish_fleet: bool | None = None
    publish_quotas: bool | None = None
    publish_reuse: bool | None = None
    publish_projects: bool | None = None
    publish_commitments: bool | None = None
    publish_targeting: bool | None = None


def _org(request: HttpRequest, slug: str) -> Organisation:
    return get_object_or_404(organisations_for(actor(request)), slug=slug)


def _publication_out(pub: Any) -> dict[str, Any]:
    data = {f: getattr(pub, f) for f in publication.FIELDS}
    return {
        "organisation": pub.organisation.slug,
        **data,
        "sections": pub.sections(),
        "licence_detail": opendata.licence_of(pub),
        "updated_at": pub.updated_at,
    }


# --- open data (public) -------------------------------------------------------------------------


@router.get("/open-data/schema.json", response=dict[str, Any], auth=None)
def open_data_schema(request: HttpRequest) -> dict[str, Any]:
    """The Table Schema (frictionless) of the open-data rows (docs/open-data.md)."""
    return opendata.table_schema()


@router.get("/open-data/{slug}.json", response=dict[str, Any], auth=None)
def open_data_json(request: HttpRequest, slug: str, filters: Query[YearQuery]) -> dict[str, Any]:
    """The published figures of an organisation, with its licence: aggregates only."""
    org, pub = publication.published(slug)
    return opendata.open_document(org, pub, opendata.chosen_year(str(filters.year or "")))


@router.get("/open-data/{slug}.csv", openapi_extra=CSV_RESPONSE, auth=None)
def open_data_csv(request: HttpRequest, slug: str, filters: Query[YearQuery]) -> HttpResponse:
    """The same rows as CSV (UTF-8, comma, header = the schema's fields)."""
    org, pub = publication.published(slug)
    year = opendata.chosen_year(str(filters.year or ""))
    text = opendata.to_csv(opendata.open_figures(org, pub, year))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="impactnum-{org.slug}-{year}.csv"'
    response["Link"] = f'<{opendata.licence_of(pub)["url"]}>; rel="license"'
    return response


# --- members ------------------------------------------------------------------------------------


@router.get("/territory/dashboard", response=dict[str, Any])
def territory_dashboard(request: HttpRequest, filters: Query[OrgYearQuery]) -> dict[str, Any]:
    """The dashboard page's figures, each from its domain's function; the reuse chain's
    avoided impact counted once (`avoided_once`)."""
    org = _org(request, filters.organisation)
    return dashboard(actor(request), org, opendata.chosen_year(str(filters.year or "")))


@router.get("/territory/targeting", response=dict[str, Any])
def territory_targeting(request: HttpRequest, filters: Query[OrgYearQuery]) -> dict[str, Any]:
    """Provisions and individual support sessions per commune against the fragility index."""
    org = _org(request, filters.organisation)
    date_from, date_to = period(opendata.chosen_year(str(filters.year or "")))
    exact = can(actor(request), org, VIEW_BENEFICIARIES)
    return fragility.targeting(org, date_from, date_to, suppressed=not exact)


@router.get("/territory/publication", response=dict[str, Any])
def territory_publication(request: HttpRequest, filters: Query[OrgQuery]) -> dict[str, Any]:
    """What the organisation publishes."""
    return _publication_out(publication.publication_for(_org(request, filters.organisation)))


@router.put("/territory/publication", response=dict[str, Any])
def territory_publication_set(request: HttpRequest, payload: PublicationIn) -> dict[str, Any]:
    """Change what the organisation publishes (administrators; audited). Fields left out stay."""
    org = _org(request, payload.organisation)
    fields = payload.dict(exclude_unset=True, exclude={"organisation"})
    if "licence" in fields and fields["licence"] is not None:
        fields["licence"] = Licence(fields["licence"]).value
    fields = {k: v for k, v in fields.items() if v is not None}
    return _publication_out(publication.set_publication(actor(request), org, **fields))
