"""Fleet pages: the assets list (filters, search, sorting, bulk actions, CSV/XLSX export), the
asset page (fields, age and lifespan, history, repairs, status change) and the asset form.

Views parse input, call `services` and render; a `DomainError` goes back next to its field
(400; a version conflict 409), `NotAllowed` becomes 403, another organisation's asset 404.
Settings (lifespan policies, departments, locations) are in `views_settings.py`; indicators,
footprint, quotas and the declaration in `views_reports.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.core.permissions import EDIT_FLEET, MANAGE_ORGANISATION, can, organisations_for
from impactnum.web.projects.choices import KIND_CHOICES

from . import handover, services
from .choices import HELD_STATUSES, AssetEventType, AssetStatus, RepairBarrier, RepairOutcome
from .export import EXPORT_FORMATS, export_response
from .filters import SORT_LABELS, AssetFilters, policies_by_org
from .forms import (
    AssetForm,
    BulkForm,
    HandoverForm,
    RepairCloseForm,
    RepairOpenForm,
    StatusForm,
    add_domain_error,
    allowed_statuses,
)
from .models import Asset, AssetEvent, Department, Location, Repair

PAGE_SIZE = 50
MAX_BULK = 500


# --- access -------------------------------------------------------------------------------------


def visible_assets(request: HttpRequest) -> QuerySet[Asset]:
    return Asset.objects.filter(organisation__in=organisations_for(request.user))


def get_asset(request: HttpRequest, pk: int) -> Asset:
    """The asset if one of the user's memberships lets them see it, else 404."""
    return get_object_or_404(
        visible_assets(request).select_related("organisation", "department", "location"), pk=pk
    )


def can_edit(request: HttpRequest, asset: Asset) -> bool:
    return can(request.user, asset.organisation, EDIT_FLEET)


def require_edit(request: HttpRequest, asset: Asset) -> None:
    if not can_edit(request, asset):
        raise PermissionDenied(_("Votre rôle ne permet pas de modifier cet équipement."))


def raise_if_forbidden(exc: DomainError) -> None:
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message) from exc


def url_or_none(name: str) -> str | None:
    """The URL of a route another part of the app may provide (the fleet import page)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def error_status(exc: DomainError) -> int:
    return 409 if exc.status == 409 else 400


# --- the list -----------------------------------------------------------------------------------


def row_facts(
    assets: list[Asset], policies: dict[tuple[int, str], float], today: dt.date
) -> list[dict[str, Any]]:
    """Each asset with its age and lifespan (own, else policy), computed without a query."""
    rows = []
    for a in assets:
        age = (today - a.purchase_date).days / 365.25 if a.purchase_date else None
        life = a.expected_lifespan_years or policies.get((a.organisation_id, a.kind))
        past = age is not None and life is not None and age > life and a.status in HELD_STATUSES
        rows.append({"asset": a, "age": age, "lifespan": life, "past": past})
    return rows


def _list_context(
    request: HttpRequest, filters: AssetFilters, page_number: str | None = None
) -> dict[str, Any]:
    orgs = organisations_for(request.user)
    qs = filters.apply(
        visible_assets(request).select_related("organisation", "department", "location")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(page_number)
    edit_orgs = organisations_for(request.user, EDIT_FLEET)
    query = filters.as_query()
    return {
        "page": page,
        "rows": row_facts(list(page.object_list), policies_by_org(orgs), timezone.localdate()),
        "filters": filters,
        "query": urlencode(query),
        "query_items": list(query.items()),
        "selected": set(),
        "organisations": orgs,
        "kinds": KIND_CHOICES,
        "statuses": AssetStatus.choices,
        "departments": Department.objects.filter(organisation__in=orgs).select_related(
            "organisation"
        ),
        "locations": Location.objects.filter(organisation__in=orgs).select_related("organisation"),
        "sorts": SORT_LABELS,
        "can_edit": edit_orgs.exists(),
        "can_manage": organisations_for(request.user, MANAGE_ORGANISATION).exists(),
        "bulk_form": BulkForm(organisations=edit_orgs),
        "exports": [
            (fmt, reverse("fleet:export", args=[fmt]) + (f"?{urlencode(query)}" if query else ""))
            for fmt in EXPORT_FORMATS
        ],
        "import_url": url_or_none("fleet:import"),
    }


@login_required
def asset_list(request: HttpRequest) -> HttpResponse:
    filters = AssetFilters.parse(request.GET)
    return render(
        request, "fleet/list.html", _list_context(request, filters, request.GET.get("page"))
    )


@login_required
def asset_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered list (every page) as CSV or XLSX."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    filters = AssetFilters.parse(request.GET)
    qs = filters.apply(visible_assets(request))
    return export_response(qs, organisations_for(request.user), fmt)


@login_required
@require_POST
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Change the status and/or department/location of the selected assets: all or nothing.
    Refused: the list again (400) with each refused asset and why."""
    edit_orgs = organisations_for(request.user, EDIT_FLEET)
    if not edit_orgs.exists():
        raise PermissionDenied(_("Votre rôle ne permet pas de modifier le parc."))
    filters = AssetFilters.parse(request.POST)
    form = BulkForm(request.POST, organisations=edit_orgs)
    ids = [int(x) for x in request.POST.getlist("asset") if x.isdigit()][: MAX_BULK + 1]
    assets = list(
        visible_assets(request).filter(pk__in=ids).select_related("organisation").order_by("pk")
    )
    refusals: list[tuple[Asset, str]] = []
    error = ""
    if not ids:
        error = _("Sélectionnez au moins un équipement.")
    elif len(ids) > MAX_BULK:
        error = _("Au plus %(n)d équipements à la fois.") % {"n": MAX_BULK}
    elif len(assets) != len(set(ids)):
        raise Http404
    elif form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in ("department", "location") if data.get(k)}
        try:
            n = services.bulk_change(
                request.user,
                assets,
                to_status=data.get("status") or "",
                reason=data.get("reason") or "",
                **fields,
            )
        except services.BulkRefused as exc:
            error, refusals = exc.message, exc.refusals
        except DomainError as exc:
            raise_if_forbidden(exc)
            error = exc.message
        else:
            messages.success(request, _("%(n)d équipement(s) modifié(s).") % {"n": n})
            query = filters.as_query()
            return redirect(reverse("fleet:list") + (f"?{urlencode(query)}" if query else ""))
    else:
        error = " ".join(" ".join(e) for e in form.errors.values())
    ctx = _list_context(request, filters, request.POST.get("page"))  # the list as it was
    ctx.update({"bulk_form": form, "bulk_error": error, "refusals": refusals, "selected": set(ids)})
    return render(request, "fleet/list.html", ctx, status=400)


# --- the asset page -----------------------------------------------------------------------------


def _label(choices: Any, value: str) -> str:
    return str(dict(choices).get(value, value or "—"))


def _field_label(name: str) -> str:
    try:
        return str(Asset._meta.get_field(name).verbose_name)
    except Exception:  # a field of an older version of the model
        return name


def history(asset: Asset) -> list[dict[str, Any]]:
    """The asset's events, oldest first, ready to show: who, when, what, before → after."""
    events = list(AssetEvent.objects.filter(asset=asset).select_related("actor"))
    names: dict[str, dict[Any, str]] = {"department": {}, "location": {}}
    ids: dict[str, set[int]] = {"department": set(), "location": set()}
    for e in events:
        for name in ids:
            for v in (e.data.get("changed") or {}).get(name, []):
                if isinstance(v, int):
                    ids[name].add(v)
    names["department"] = dict(
        Department.objects.filter(pk__in=ids["department"]).values_list("pk", "name")
    )
    names["location"] = dict(
        Location.objects.filter(pk__in=ids["location"]).values_list("pk", "name")
    )

    def shown(name: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if name in names:
            return names[name].get(value, f"#{value}")
        if isinstance(value, bool):
            return _("oui") if value else _("non")
        return str(value)

    rows = []
    for e in events:
        details: list[tuple[str, str]] = []
        data = e.data or {}
        if e.type == AssetEventType.STATUS_CHANGED:
            for key, text in (
                ("reason", _("Motif")),
                ("on", _("Date")),
                ("reuse_proof", _("Preuve de réemploi")),
            ):
                if data.get(key):
                    details.append((text, str(data[key])))
        elif e.type in (AssetEventType.REPAIR_OPENED, AssetEventType.REPAIR_CLOSED):
            if data.get("problem"):
                details.append((_("Problème"), data["problem"]))
            if data.get("outcome"):
                details.append((_("Résultat"), _label(RepairOutcome.choices, data["outcome"])))
            if data.get("barrier"):
                details.append((_("Obstacle"), _label(RepairBarrier.choices, data["barrier"])))
        changes = [
            (_field_label(k), shown(k, before), shown(k, after))
            for k, (before, after) in (data.get("changed") or {}).items()
        ]
        rows.append(
            {
                "event": e,
                "type": _label(AssetEventType.choices, e.type),
                "actor": e.actor.get_username() if e.actor else _("système"),
                "from": _label(AssetStatus.choices, e.from_status) if e.from_status else "",
                "to": _label(AssetStatus.choices, e.to_status) if e.to_status else "",
                "changes": changes,
                "details": details,
                "fields_count": len(data.get("fields") or {}),
            }
        )
    return rows


DETAIL_FIELDS = [
    f for f in services.ASSET_FIELDS if f not in ("department", "location", "kind")
] + ["retired_on", "retirement_reason", "reuse_proof"]


def _fields(asset: Asset) -> list[tuple[str, Any, str]]:
    """(label, value, type) of every descriptive field, for the definition list."""
    out = []
    for name in DETAIL_FIELDS:
        field = Asset._meta.get_field(name)
        value = getattr(asset, name)
        if field.choices and value:
            value = getattr(asset, f"get_{name}_display")()
        kind = "bool" if isinstance(value, bool) else "date" if isinstance(value, dt.date) else ""
        if kind == "" and name in ("price_excl_vat", "price_incl_vat", "donation_value"):
            kind = "money"
        elif kind == "" and isinstance(value, float):
            kind = "number"
        out.append((str(field.verbose_name), value, kind))
    return out


def render_asset(
    request: HttpRequest,
    asset: Asset,
    *,
    status_form: StatusForm | None = None,
    repair_form: RepairOpenForm | None = None,
    close_forms: dict[int, RepairCloseForm] | None = None,
    handover_form: HandoverForm | None = None,
    status: int = 200,
) -> HttpResponse:
    editable = can_edit(request, asset)
    repairs = list(asset.repairs.select_related("technician"))
    close_forms = close_forms or {}
    for r in repairs:
        if r.closed_on is None and editable and r.pk not in close_forms:
            close_forms[r.pk] = RepairCloseForm(repair_id=r.pk)
    age = services.age_years(asset)
    life = services.policy_lifespan(asset)
    return render(
        request,
        "fleet/asset.html",
        {
            "asset": asset,
            "fields": _fields(asset),
            "age": age,
            "lifespan": life,
            "lifespan_source": _("propre à l'équipement")
            if asset.expected_lifespan_years
            else _("politique de l'organisation"),
            "past_lifespan": age is not None and life is not None and age > life,
            "history": history(asset),
            "repairs": [{"repair": r, "close_form": close_forms.get(r.pk)} for r in repairs],
            "can_edit": editable,
            "status_form": (status_form or StatusForm(asset=asset))
            if editable and allowed_statuses(asset.status)
            else None,
            "repair_form": (repair_form or RepairOpenForm()) if editable else None,
            "handover_form": (handover_form or HandoverForm(asset=asset))
            if editable and asset.status == AssetStatus.RETIRED
            else None,
            "reuse": handover.reuse_summary(asset),
        },
        status=status,
    )


@login_required
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_asset(request, get_asset(request, pk))


@login_required
@require_POST
def asset_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the asset to another status; a refusal comes back next to its field."""
    asset = get_asset(request, pk)
    require_edit(request, asset)
    form = StatusForm(request.POST, asset=asset)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.change_status(
                request.user,
                asset,
                data["status"],
                reason=data["reason"],
                on=data["on"],
                reuse_proof=data["reuse_proof"],
                expected_version=data["expected_version"],
            )
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
            return render_asset(request, asset, status_form=form, status=error_status(exc))
        messages.success(
            request,
            _("Statut changé : %(s)s.") % {"s": AssetStatus(data["status"]).label},
        )
        return redirect(asset)
    return render_asset(request, asset, status_form=form, status=400)


@login_required
@require_POST
def asset_handover(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand the retired asset to the reuse chain: a device in the chosen lot, linked both ways.
    A refusal comes back next to its field and nothing is written."""
    asset = get_asset(request, pk)
    require_edit(request, asset)
    form = HandoverForm(request.POST, asset=asset)
    if form.is_valid():
        data = form.cleaned_data
        try:
            device = handover.hand_over(
                request.user,
                asset,
                data["lot"],
                asset_tag=data["asset_tag"],
                media=[{"type": data["media_type"]}] if data["media_type"] else None,
            )
        except DomainError as exc:
            raise_if_forbidden(exc)
            if exc.field == "media":
                exc.field = "media_type"
            add_domain_error(form, exc)
            asset = get_asset(request, pk)
            return render_asset(request, asset, handover_form=form, status=error_status(exc))
        messages.success(
            request,
            _("Confié à la filière de réemploi : appareil %(tag)s du lot %(lot)s.")
            % {"tag": device.asset_tag, "lot": data["lot"].reference},
        )
        return redirect(reverse("fleet:asset", args=[asset.pk]) + "#reuse")
    return render_asset(request, asset, handover_form=form, status=400)


@login_required
@require_POST
def repair_open(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_asset(request, pk)
    require_edit(request, asset)
    form = RepairOpenForm(request.POST)
    if form.is_valid():
        try:
            services.open_repair(
                request.user,
                asset,
                problem=form.cleaned_data["problem"],
                opened_on=form.cleaned_data["opened_on"],
            )
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
            return render_asset(request, asset, repair_form=form, status=error_status(exc))
        messages.success(request, _("Réparation enregistrée."))
        return redirect(reverse("fleet:asset", args=[asset.pk]) + "#repairs")
    return render_asset(request, asset, repair_form=form, status=400)


@login_required
@require_POST
def repair_close(request: HttpRequest, pk: int, repair_id: int) -> HttpResponse:
    asset = get_asset(request, pk)
    require_edit(request, asset)
    repair = get_object_or_404(Repair, pk=repair_id, asset=asset)
    form = RepairCloseForm(request.POST, repair_id=repair.pk)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.close_repair(
                request.user,
                repair,
                outcome=data["outcome"],
                barrier=data["barrier"],
                actions=data["actions"],
                parts=data["parts"],
                parts_cost=data["parts_cost"] or 0,
                minutes_spent=data["minutes_spent"] or 0,
                closed_on=data["closed_on"],
            )
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
            return render_asset(
                request, asset, close_forms={repair.pk: form}, status=error_status(exc)
            )
        messages.success(request, _("Réparation close."))
        return redirect(reverse("fleet:asset", args=[asset.pk]) + "#repairs")
    return render_asset(request, asset, close_forms={repair.pk: form}, status=400)


# --- create and edit ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def asset_create(request: HttpRequest) -> HttpResponse:
    orgs = organisations_for(request.user, EDIT_FLEET)
    if not orgs.exists():
        raise PermissionDenied(_("Votre rôle ne permet pas d'ajouter un équipement."))
    form = AssetForm(request.POST or None, organisations=orgs)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                asset = services.create_asset(
                    request.user, form.cleaned_data["organisation"], **form.service_fields()
                )
            except DomainError as exc:
                raise_if_forbidden(exc)
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Équipement ajouté."))
                return redirect(asset)
    return render(request, "fleet/asset_form.html", {"form": form, "asset": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def asset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_asset(request, pk)
    require_edit(request, asset)
    form = AssetForm(request.POST or None, instance=Asset.objects.get(pk=asset.pk))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.update_asset(
                    request.user,
                    asset,
                    expected_version=form.cleaned_data.get("expected_version"),
                    **form.service_fields(),
                )
            except DomainError as exc:
                raise_if_forbidden(exc)
                add_domain_error(form, exc)
                status = error_status(exc)
            else:
                messages.success(request, _("Équipement enregistré."))
                return redirect(asset)
    return render(request, "fleet/asset_form.html", {"form": form, "asset": asset}, status=status)
