"""Core pages: home, API tokens. Login, logout and password reset are Django's views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .errors import DomainError
from .models import ApiToken, Membership
from .permissions import organisations_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from impactnum.web.projects.models import Project

    orgs = organisations_for(request.user)
    memberships = Membership.objects.filter(user=request.user).select_related("organisation")
    projects = (
        Project.objects.filter(organisation__in=orgs)
        .select_related("organisation")
        .order_by("-updated_at")[:10]
    )
    return render(request, "core/home.html", {"memberships": memberships, "projects": projects})


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    new_token = None
    if request.method == "POST":
        try:
            _token, new_token = services.create_token(request.user, request.POST.get("name", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "core/tokens.html",
        {
            "tokens": ApiToken.objects.filter(user=request.user, revoked=False),
            "new_token": new_token,
        },
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.revoke_token(request.user, token_id)
        messages.success(request, _("Jeton révoqué."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("tokens")
