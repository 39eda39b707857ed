"""The responsible-digital strategy pages (read by every member, written by plan editors) and
the yearly report (page, PDF, DOCX). Views parse, call `plan.strategy` or
`plan.annual_report`, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation

from . import strategy as strategies
from .access import can_edit, chosen_organisation, raise_if_forbidden, require_edit, visible
from .annual_report import annual_report
from .annual_report.content import blocks, title
from .annual_report.pdf import report_pdf
from .annual_report.word import report_docx
from .forms import StrategyPartForm

DETAILS = "details"
EXPORTS = {
    "pdf": ("application/pdf", report_pdf),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        report_docx,
    ),
}


def _query(org: Organisation, **extra: Any) -> str:
    return "?" + urlencode({"organisation": org.slug, **extra})


def _displayed(part: dict[str, Any]) -> dict[str, Any]:
    """A live block with each figure's text in the active language (`shown`)."""
    return {**part, "facts": [{**f, "shown": strategies.shown(f)} for f in part["facts"]]}


def _year(request: HttpRequest, default: int) -> int:
    try:
        return int(request.GET.get("year") or default)
    except ValueError:
        return default


@login_required
def strategy_page(request: HttpRequest) -> HttpResponse:
    """A version of the strategy (`?year=`, default the latest): each legal part with its
    text and the live figures impactnum holds for it."""
    org = chosen_organisation(request)
    today = timezone.localdate()
    versions = strategies.versions(org)
    chosen = strategies.strategy_for(org, _year(request, 0) or None)
    live = strategies.live_data(request.user, org, today)  # type: ignore[arg-type]
    parts = [
        {
            "section": s,
            "text": getattr(chosen, s.code) if chosen else "",
            "live": _displayed(live[s.code]),
        }
        for s in strategies.SECTIONS
    ]
    return render(
        request,
        "plan/strategy.html",
        {
            "organisation": org,
            "organisations": visible(request),
            "strategy": chosen,
            "versions": versions,
            "parts": parts,
            "today": today,
            "edit_year": chosen.year if chosen else today.year,
            "legal_basis": strategies.LEGAL_BASIS,
            "annual_basis": strategies.ANNUAL_BASIS,
            "can_edit": can_edit(request, org),
            "q": _query(org),
            "section": "strategy",
        },
    )


def _part(code: str) -> tuple[str, Any, Any]:
    """(code, label, legal help) of `?section=`; unknown: 404."""
    if code == DETAILS:
        return code, _("Intitulé et adoption"), ""
    try:
        s = strategies.section(code)
    except DomainError as exc:
        raise Http404 from exc
    return s.code, s.title, s.legal


@login_required
@require_http_methods(["GET", "POST"])
def strategy_edit(request: HttpRequest) -> HttpResponse:
    """Write one part of a version (`?section=<code>|details&year=`); `?prefill=1` adds the
    text proposed from the live figures below the current text, to edit before saving."""
    org = chosen_organisation(request)
    require_edit(request, org)
    today = timezone.localdate()
    code, label, legal = _part(request.GET.get("section") or strategies.SECTION_CODES[0])
    latest = strategies.strategy_for(org)
    year = _year(request, latest.year if latest else today.year)
    current = strategies.strategy_for(org, year)
    status = 200
    if request.method == "POST":
        form = StrategyPartForm(request.POST, part=code, label=label, help_text=legal)
        status = 400
        if form.is_valid():
            try:
                strategies.update_strategy(
                    request.user,  # type: ignore[arg-type]
                    org,
                    form.cleaned_data["year"],
                    **form.service_fields(),
                )
            except DomainError as exc:
                raise_if_forbidden(exc)
                field = "text" if exc.field == code else exc.field
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Stratégie enregistrée."))
                year = form.cleaned_data["year"]
                anchor = "" if code == DETAILS else f"#part-{code}"
                return redirect(reverse("plan:strategy") + _query(org, year=year) + anchor)
    live = None  # computed once the form is shown, not on a successful save
    if code != DETAILS:
        live = _displayed(strategies.live_data(request.user, org, today)[code])  # type: ignore[arg-type]
    if request.method != "POST":
        initial: dict[str, Any] = {"year": year}
        if code == DETAILS:
            initial["title"] = current.title if current else "Stratégie numérique responsable"
            initial["adopted_on"] = current.adopted_on if current else None
        else:
            text = getattr(current, code) if current else ""
            if request.GET.get("prefill") and live is not None:
                proposed = strategies.proposal(code, live, today)
                text = f"{text}\n\n{proposed}".strip() if proposed else text
            initial["text"] = text
        form = StrategyPartForm(initial=initial, part=code, label=label, help_text=legal)
    return render(
        request,
        "plan/strategy_edit.html",
        {
            "organisation": org,
            "form": form,
            "code": code,
            "label": label,
            "legal": legal,
            "live": live,
            "year": year,
            "today": today,
            "prefill_url": reverse("plan:strategy-edit")
            + _query(org, section=code, year=year, prefill=1),
            "q": _query(org),
            "section": "strategy",
        },
        status=status,
    )


def _report(request: HttpRequest, org: Organisation) -> tuple[int, dict[str, Any] | None, str]:
    """(year, data, error): the year's report, or the reason the year was refused."""
    today = timezone.localdate()
    raw = request.GET.get("year") or str(today.year)
    try:
        data = annual_report(request.user, org, raw, today=today)  # type: ignore[arg-type]
    except DomainError as exc:
        return today.year, None, exc.message
    return data["year"], data, ""


@login_required
def annual_report_page(request: HttpRequest) -> HttpResponse:
    """The yearly report of `?year=` (default this year) as a page, with its downloads."""
    org = chosen_organisation(request)
    year, data, error = _report(request, org)
    this = timezone.localdate().year
    return render(
        request,
        "plan/annual_report.html",
        {
            "organisation": org,
            "organisations": visible(request),
            "year": year,
            "years": list(range(this, this - 10, -1)),
            "data": data,
            "title": title(data) if data else "",
            "blocks": blocks(data) if data else [],
            "error": error,
            "exports": [
                (fmt, reverse("plan:annual-report-export", args=[fmt]) + _query(org, year=year))
                for fmt in EXPORTS
            ],
            "section": "annual_report",
        },
        status=400 if error else 200,
    )


@login_required
def annual_report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORTS:
        raise Http404
    org = chosen_organisation(request)
    data, error = _report(request, org)[1:]
    if data is None:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    content_type, build = EXPORTS[fmt]
    response = HttpResponse(build(data), content_type=content_type)
    name = f"bilan-annuel-{org.slug}-{data['year']}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
