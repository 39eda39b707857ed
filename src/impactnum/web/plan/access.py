"""Who sees and changes what in the plan: everyone in the organisation reads (404 for another
organisation's objects), managers and administrators change (`services.EDIT_PLAN`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import can, organisations_for
from impactnum.web.projects.forms import add_domain_error

from .models import Action, Commitment, Evaluation, Indicator, IndicatorValue
from .services import EDIT_PLAN


def visible(request: HttpRequest) -> QuerySet[Organisation]:
    return organisations_for(request.user)


def editable(request: HttpRequest) -> QuerySet[Organisation]:
    return organisations_for(request.user, EDIT_PLAN)


def can_edit(request: HttpRequest, organisation: Organisation) -> bool:
    return can(request.user, organisation, EDIT_PLAN)


def require_edit(request: HttpRequest, organisation: Organisation) -> None:
    if not can_edit(request, organisation):
        raise PermissionDenied(_("Votre rôle ne permet pas de modifier le plan d'action."))


def raise_if_forbidden(exc: DomainError) -> None:
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message) from exc


def chosen_organisation(request: HttpRequest) -> Organisation:
    """`?organisation=slug` among the user's (another's: 404); default the first by name."""
    orgs = visible(request)
    slug = request.GET.get("organisation", "")
    org = orgs.filter(slug=slug).first() if slug else orgs.order_by("name").first()
    if org is None:
        raise Http404
    return org


def get_commitment(request: HttpRequest, pk: int) -> Commitment:
    return get_object_or_404(
        Commitment.objects.filter(organisation__in=visible(request)).select_related(
            "organisation", "owner"
        ),
        pk=pk,
    )


def get_action(request: HttpRequest, pk: int) -> Action:
    return get_object_or_404(
        Action.objects.filter(commitment__organisation__in=visible(request)).select_related(
            "commitment__organisation"
        ),
        pk=pk,
    )


def get_indicator(request: HttpRequest, pk: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.filter(commitment__organisation__in=visible(request)).select_related(
            "commitment__organisation"
        ),
        pk=pk,
    )


def get_value(request: HttpRequest, pk: int) -> IndicatorValue:
    return get_object_or_404(
        IndicatorValue.objects.filter(
            indicator__commitment__organisation__in=visible(request)
        ).select_related("indicator"),
        pk=pk,
    )


def get_evaluation(request: HttpRequest, pk: int) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.filter(organisation__in=visible(request)).select_related(
            "organisation", "frozen_by"
        ),
        pk=pk,
    )


def submit(
    request: HttpRequest, form: Any, call: Callable[[], Any], success: str
) -> tuple[bool, Any, int]:
    """Run a form's service call on POST: the one place forms meet services in this app.

    Returns (done, result, status): on GET (False, None, 200); invalid or refused — the
    service's DomainError attached to its field, a NotAllowed turned into 403 — (False, None,
    400); done, with `success` queued as a message, (True, result, 200).
    """
    if request.method != "POST":
        return False, None, 200
    if not form.is_valid():
        return False, None, 400
    try:
        result = call()
    except DomainError as exc:
        raise_if_forbidden(exc)
        add_domain_error(form, exc)
        return False, None, 400
    messages.success(request, success)
    return True, result, 200
