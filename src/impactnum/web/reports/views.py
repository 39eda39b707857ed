"""Reports of a project's result: PDF, XLSX, CSV, JSON and a print-friendly page.

Each view only finds the project among the user's organisations (404 otherwise), calls
`projects.services.calculate` (permission-checked) and renders. A project whose inputs cannot
be computed sends the user back to its page with the errors.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import engines
from django.utils.http import content_disposition_header
from django.utils.timezone import localdate

from impactnum.calculation import json_ready
from impactnum.web.core.errors import DomainError
from impactnum.web.core.permissions import organisations_for
from impactnum.web.projects import services
from impactnum.web.projects.models import Project

from .content import filename

TEMPLATE = Path(__file__).resolve().parent / "templates" / "reports" / "print.html"


def _project(request: HttpRequest, pk: int) -> Project:
    visible = Project.objects.filter(organisation__in=organisations_for(request.user))
    return get_object_or_404(visible.select_related("organisation"), pk=pk)


def _result(request: HttpRequest, project: Project) -> dict[str, Any]:
    return json_ready(services.calculate(request.user, project))


def _download(content: bytes | str, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(True, name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _report(kind: str):  # type: ignore[no-untyped-def]
    """A view computing the project and handing the result to `render(project, result)`."""

    def decorator(render):  # type: ignore[no-untyped-def]
        @login_required
        def view(request: HttpRequest, pk: int) -> HttpResponse:
            project = _project(request, pk)
            try:
                result = _result(request, project)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect(project.get_absolute_url())
            return render(request, project, result)

        view.__name__ = view.__qualname__ = f"report_{kind}"
        view.__doc__ = render.__doc__
        return view

    return decorator


@_report("pdf")
def report_pdf(request: HttpRequest, project: Project, result: dict[str, Any]) -> HttpResponse:
    from .pdf import build_pdf

    data = build_pdf(result, organisation=project.organisation.name, today=localdate())
    return _download(data, "application/pdf", filename(project.name, "pdf"))


@_report("xlsx")
def report_xlsx(request: HttpRequest, project: Project, result: dict[str, Any]) -> HttpResponse:
    from .xlsx import build_xlsx

    return _download(
        build_xlsx(result),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename(project.name, "xlsx"),
    )


@_report("csv")
def report_csv(request: HttpRequest, project: Project, result: dict[str, Any]) -> HttpResponse:
    from .csv import build_csv

    return _download(
        build_csv(result).encode("utf-8"), "text/csv; charset=utf-8", filename(project.name, "csv")
    )


@_report("json")
def report_json(request: HttpRequest, project: Project, result: dict[str, Any]) -> HttpResponse:
    body = json.dumps(result, ensure_ascii=False, indent=2)
    return _download(body.encode("utf-8"), "application/json", filename(project.name, "json"))


def _print_template():  # type: ignore[no-untyped-def]
    """The page's template, read from this package: the reports package needs no entry in
    INSTALLED_APPS; `{% extends "base.html" %}` resolves through the usual loaders."""
    return engines["django"].from_string(TEMPLATE.read_text(encoding="utf-8"))


@_report("print")
def report_print(request: HttpRequest, project: Project, result: dict[str, Any]) -> HttpResponse:
    from django.utils.formats import date_format

    from .page import print_context

    context = {
        "project": project,
        "today": date_format(localdate() or date.today(), "DATE_FORMAT"),
        **print_context(result),
    }
    return HttpResponse(_print_template().render(context, request))
