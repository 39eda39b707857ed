"""Results, calculation snapshots and factor sets (with organisation overrides).

The results page shows `services.calculate` (the same JSON as `impactnum calc`) through
`presentation`; a snapshot is replayed with a newer factor set version when one exists.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from impactnum.engine import FactorSetError, available_sets, list_factor_sets, load_factor_set
from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.core.permissions import (
    EDIT_PROJECTS,
    MANAGE_ORGANISATION,
    can,
    organisations_for,
)

from . import presentation, services
from .forms import OverrideForm, add_domain_error
from .models import CalculationSnapshot, FactorOverride
from .views import get_project

MAX_DRAWS = 20_000
EXPORT_ROUTES = [
    # (URL name of the reports app, label)
    ("reports:pdf", "PDF"),
    ("reports:xlsx", "XLSX"),
    ("reports:csv", "CSV"),
    ("reports:json", "JSON"),
    ("reports:print", gettext_lazy("Version imprimable")),
]


def _draws(request: HttpRequest) -> int | None:
    """The Monte Carlo option: `mc=1` with `draws=N` (100 … 20 000, default 1 000)."""
    if not request.GET.get("mc"):
        return None
    try:
        n = int(request.GET.get("draws") or 1000)
    except ValueError:
        n = 1000
    return max(100, min(MAX_DRAWS, n))


def export_links(project: Any) -> list[dict[str, str]]:
    links = []
    for name, text in EXPORT_ROUTES:
        links.append({"url": reverse(name, args=[project.pk]), "label": text, "name": name})
    return links


@login_required
def project_results(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_project(request, pk)
    draws = _draws(request)
    criterion = request.GET.get("criterion", "gwp")
    ctx: dict[str, Any] = {
        "project": project,
        "draws": draws,
        "mc": bool(draws),
        "can_edit": can(request.user, project.organisation, EDIT_PROJECTS),
        "exports": export_links(project),
        "snapshots": project.snapshots.all()[:5],
    }
    try:
        result = services.calculate(request.user, project, draws=draws)
    except DomainError as exc:
        if isinstance(exc, NotAllowed):
            raise PermissionDenied(exc.message) from exc
        ctx["errors"] = exc.message.splitlines()
        return render(request, "projects/results.html", ctx)
    ctx.update(presentation.results_context(result, criterion))
    return render(request, "projects/results.html", ctx)


# --- snapshots ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def snapshot_list(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the project's saved results; POST: save the current result (label, draws)."""
    project = get_project(request, pk)
    if request.method == "POST":
        draws = None
        if request.POST.get("draws"):
            try:
                draws = max(100, min(MAX_DRAWS, int(request.POST["draws"])))
            except ValueError:
                draws = None
        try:
            snap = services.save_snapshot(
                request.user, project, label=request.POST.get("label", "")[:200], draws=draws
            )
        except DomainError as exc:
            if isinstance(exc, NotAllowed):
                raise PermissionDenied(exc.message) from exc
            messages.error(request, exc.message)
            return redirect("projects:results", pk=project.pk)
        messages.success(request, _("Résultat enregistré."))
        return redirect("projects:snapshot", pk=project.pk, snapshot_id=snap.pk)
    snaps = project.snapshots.select_related("created_by")
    return render(
        request,
        "projects/snapshots.html",
        {
            "project": project,
            "snapshots": snaps,
            "can_edit": can(request.user, project.organisation, EDIT_PROJECTS),
        },
    )


@login_required
def snapshot_detail(request: HttpRequest, pk: int, snapshot_id: int) -> HttpResponse:
    """A stored result; with a newer factor set version (or `?replay=SET@VERSION`), the
    per-criterion difference the other set would make."""
    project = get_project(request, pk)
    snap = get_object_or_404(CalculationSnapshot, pk=snapshot_id, project=project)
    ctx: dict[str, Any] = {"project": project, "snapshot": snap}
    ctx.update(presentation.results_context(snap.result, request.GET.get("criterion", "gwp")))
    newer = services.newer_factor_set(snap.factor_set)
    refs = [s["ref"] for s in list_factor_sets()]
    replay = request.GET.get("replay") or newer
    if replay and replay not in refs:
        replay = None
    ctx.update({"newer": newer, "replay": replay, "set_refs": refs})
    if replay:
        try:
            replayed = services.replay_snapshot(request.user, snap, factors=replay)
        except DomainError as exc:
            ctx["replay_errors"] = exc.message.splitlines()
        else:
            ctx["deltas"] = presentation.deltas(snap.result, replayed, ctx["criteria"])
    return render(request, "projects/snapshot.html", ctx)


# --- factor sets and overrides ----------------------------------------------------------------

FACTOR_PAGE_SIZE = 50


def _set_sources(fs: Any) -> list[dict[str, Any]]:
    return [fs.source(sid) for sid in fs.info.get("sources", {})]


@login_required
def factor_sets(request: HttpRequest) -> HttpResponse:
    sets = list_factor_sets()
    refs = [s["ref"] for s in sets]
    ref = request.GET.get("set") or (refs[0] if refs else "")
    if ref not in refs:
        # "name" alone means its latest version
        versions = available_sets().get(ref, [])
        ref = f"{ref}@{versions[-1]}" if versions else (refs[0] if refs else "")
    ctx: dict[str, Any] = {"sets": sets, "ref": ref}
    if ref:
        fs = load_factor_set(ref)
        family = request.GET.get("family", "")
        query = request.GET.get("q", "").strip().lower()
        rows = [
            r
            for r in fs.rows
            if (not family or r.family == family) and (not query or query in r.id.lower())
        ]
        page = Paginator(rows, FACTOR_PAGE_SIZE).get_page(request.GET.get("page"))
        ctx.update(
            {
                "fs": fs,
                "families": sorted({r.family for r in fs.rows}),
                "filters": {"family": family, "q": request.GET.get("q", "")},
                "page": page,
                "coverage": [
                    {"family": fam, "phases": [(ph, sorted(c)) for ph, c in sorted(phases.items())]}
                    for fam, phases in sorted(fs.coverage.items())
                ],
                "borrowings": fs.info.get("borrow", []),
                "sources": _set_sources(fs),
                "kind_defaults": sorted(fs.kind_defaults.values(), key=lambda k: k.kind),
                "params": sorted(fs.params.values(), key=lambda p: p.name),
            }
        )
    ctx.update(_overrides_context(request, ctx.get("fs")))
    return render(request, "projects/factor_sets.html", ctx)


def _base_value(fs: Any, o: FactorOverride) -> Any:
    """What the override replaces in the set shown: a factor row, a kind default or a
    parameter (None when it adds a new one)."""
    if fs is None:
        return None
    if o.family == "parameter":
        p = fs.params.get(o.key)
        return None if p is None else {"value": p.value, "unit": p.unit, "source": p.source}
    if o.family == "kind":
        kd = fs.kind_defaults.get(o.key)
        if kd is None:
            return None
        return {"value": getattr(kd, o.criterion, None), "unit": "", "source": kd.source}
    for r in fs.rows:
        if (r.family, r.key, r.criterion) == (o.family, o.key, o.criterion) and (
            not o.phase or r.phase == o.phase
        ):
            return {"value": r.value, "unit": r.unit, "source": r.source}
    return None


def _overrides_context(
    request: HttpRequest, fs: Any, form: OverrideForm | None = None
) -> dict[str, Any]:
    admin_orgs = organisations_for(request.user, MANAGE_ORGANISATION)
    overrides = FactorOverride.objects.filter(
        organisation__in=organisations_for(request.user)
    ).select_related("organisation")
    admin_ids = set(admin_orgs.values_list("pk", flat=True))
    return {
        "overrides": [
            {"o": o, "base": _base_value(fs, o), "can_delete": o.organisation_id in admin_ids}
            for o in overrides
        ],
        "override_form": form
        or (OverrideForm(organisations=admin_orgs, auto_id="override-%s") if admin_ids else None),
    }


@login_required
@require_POST
def override_add(request: HttpRequest) -> HttpResponse:
    admin_orgs = organisations_for(request.user, MANAGE_ORGANISATION)
    if not admin_orgs.exists():
        raise PermissionDenied(_("Seuls les administrateurs gèrent les facteurs propres."))
    form = OverrideForm(request.POST, organisations=admin_orgs, auto_id="override-%s")
    if form.is_valid():
        data = dict(form.cleaned_data)
        org = data.pop("organisation")
        try:
            services.set_override(request.user, org, **data)
        except DomainError as exc:
            if isinstance(exc, NotAllowed):
                raise PermissionDenied(exc.message) from exc
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Facteur propre enregistré."))
            return redirect(reverse("projects:factor-sets") + "#overrides")
    sets = list_factor_sets()
    ref = sets[0]["ref"] if sets else ""
    fs = None
    try:
        fs = load_factor_set(ref) if ref else None
    except FactorSetError:
        fs = None
    ctx: dict[str, Any] = {"sets": sets, "ref": ref, "form_only": True}
    ctx.update(_overrides_context(request, fs, form))
    return render(request, "projects/factor_sets.html", ctx, status=400)


@login_required
@require_POST
def override_delete(request: HttpRequest, override_id: int) -> HttpResponse:
    override = get_object_or_404(
        FactorOverride,
        pk=override_id,
        organisation__in=organisations_for(request.user),
    )
    try:
        services.delete_override(request.user, override)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, _("Facteur propre supprimé."))
    return redirect(reverse("projects:factor-sets") + "#overrides")
