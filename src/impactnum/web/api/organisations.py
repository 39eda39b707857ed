"""Organisations the caller belongs to, and their own factors (overrides)."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from impactnum.web.core.models import Membership, Organisation
from impactnum.web.core.permissions import VIEW, organisations_for
from impactnum.web.projects import services
from impactnum.web.projects.models import FactorOverride

from .auth import actor
from .pagination import Pagination
from .schemas import OrganisationOut, OverrideIn, OverrideOut

router = Router(tags=["organisations"])


def visible_organisation(request: HttpRequest, slug: str) -> Organisation:
    """The organisation if the caller belongs to it, else 404 (existence is not revealed)."""
    return get_object_or_404(organisations_for(actor(request), VIEW), slug=slug)


def _with_role(request: HttpRequest, orgs: QuerySet[Organisation]) -> list[dict[str, object]]:
    roles = dict(
        Membership.objects.filter(user=actor(request), organisation__in=orgs).values_list(
            "organisation_id", "role"
        )
    )
    return [
        {"slug": o.slug, "name": o.name, "kind": o.kind, "siret": o.siret, "role": roles[o.pk]}
        for o in orgs
    ]


@router.get("/organisations", response=list[OrganisationOut])
@paginate(Pagination)
def list_organisations(request: HttpRequest) -> list[dict[str, object]]:
    """Organisations where the caller holds a role, with that role."""
    return _with_role(request, organisations_for(actor(request), VIEW))


@router.get("/organisations/{slug}", response=OrganisationOut)
def get_organisation(request: HttpRequest, slug: str) -> dict[str, object]:
    org = visible_organisation(request, slug)
    return _with_role(request, Organisation.objects.filter(pk=org.pk))[0]


@router.get("/organisations/{slug}/overrides", response=list[OverrideOut])
@paginate(Pagination)
def list_overrides(request: HttpRequest, slug: str) -> QuerySet[FactorOverride]:
    """The organisation's own factors, applied to every project of the organisation."""
    org = visible_organisation(request, slug)
    return org.factor_overrides.select_related("organisation")


@router.post("/organisations/{slug}/overrides", response={201: OverrideOut})
def set_override(request: HttpRequest, slug: str, payload: OverrideIn) -> Status:  # type: ignore[valid-type]
    """Create or replace one factor (same family, key, phase, criterion); administrators only."""
    org = visible_organisation(request, slug)
    override = services.set_override(actor(request), org, **payload.dict(exclude_unset=True))  # type: ignore[attr-defined]
    return Status(201, override)


@router.delete("/organisations/{slug}/overrides/{override_id}", response={204: None})
def delete_override(request: HttpRequest, slug: str, override_id: int) -> HttpResponse:
    org = visible_organisation(request, slug)
    override = FactorOverride.objects.filter(organisation=org, pk=override_id).first()
    if override is None:
        raise Http404
    services.delete_override(actor(request), override)
    return HttpResponse(status=204)
