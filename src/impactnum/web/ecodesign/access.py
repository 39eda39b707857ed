"""Who sees and changes what in the eco-design app: everyone in the organisation reads (404 for
another organisation's objects), managers and administrators change (`EDIT_ECODESIGN`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import can, organisations_for

from .models import Assessment, Referential
from .services import EDIT_ECODESIGN


def visible(request: HttpRequest) -> QuerySet[Organisation]:
    return organisations_for(request.user)


def can_edit(request: HttpRequest, organisation: Organisation) -> bool:
    return can(request.user, organisation, EDIT_ECODESIGN)


def require_edit(request: HttpRequest, organisation: Organisation) -> None:
    if not can_edit(request, organisation):
        raise PermissionDenied(_("Votre rôle ne permet pas de modifier les évaluations RGESN."))


def raise_if_forbidden(exc: DomainError) -> None:
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message) from exc


def chosen_organisation(request: HttpRequest) -> Organisation:
    """`?organisation=slug` among the user's (another's: 404); default the first by name."""
    orgs = visible(request)
    slug = request.GET.get("organisation", "") or request.POST.get("organisation", "")
    org = orgs.filter(slug=slug).first() if slug else orgs.order_by("name").first()
    if org is None:
        raise Http404
    return org


def get_assessment(request: HttpRequest, pk: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.filter(organisation__in=visible(request)).select_related(
            "organisation", "referential"
        ),
        pk=pk,
    )


def get_referential(request: HttpRequest, pk: int) -> Referential:
    return get_object_or_404(
        Referential.objects.filter(organisation__in=visible(request)).select_related(
            "organisation"
        ),
        pk=pk,
    )
