"""Project pages (placeholder list and detail; the full calculator pages build on services)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from impactnum.engine import list_factor_sets
from impactnum.web.core.permissions import organisations_for

from .models import Project


def visible_projects(request: HttpRequest):  # type: ignore[no-untyped-def]
    return Project.objects.filter(organisation__in=organisations_for(request.user))


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = visible_projects(request).select_related("organisation")
    return render(request, "projects/list.html", {"projects": projects})


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(visible_projects(request), pk=pk)
    return render(request, "projects/detail.html", {"project": project})


@login_required
def factor_sets(request: HttpRequest) -> HttpResponse:
    return render(request, "projects/factor_sets.html", {"sets": list_factor_sets()})
