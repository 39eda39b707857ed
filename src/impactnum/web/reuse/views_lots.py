"""Reuse pages around the workbench: lots (with bulk intake and triage, all or nothing),
parties, the parts stock, WEEE shipments and diagnostic checklists."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from impactnum.web.core.errors import DomainError
from impactnum.web.core.permissions import EDIT_REUSE, organisations_for

from . import actions, checklists, services
from .choices import DeviceStatus, PartyKind
from .forms import (
    BulkTriageForm,
    LotForm,
    PartyForm,
    RegisterForm,
    ShipForm,
    ShipmentDeviceForm,
    ShipmentForm,
    TemplateForm,
    add_domain_error,
)
from .models import Device, Lot, Part, Party, TestTemplate, WeeeShipment
from .views import can_edit, error_status, find_devices, raise_if_forbidden, require_edit

S = DeviceStatus


def _edit_orgs(request: HttpRequest) -> QuerySet:
    return organisations_for(request.user, EDIT_REUSE)


def _require_any_edit(request: HttpRequest) -> QuerySet:
    orgs = _edit_orgs(request)
    if not orgs.exists():
        raise PermissionDenied(_("Votre rôle ne permet pas d'agir sur le réemploi."))
    return orgs


def _visible(request: HttpRequest, model: Any) -> QuerySet:
    return model.objects.filter(organisation__in=organisations_for(request.user))


# --- lots --------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def lot_list(request: HttpRequest) -> HttpResponse:
    """The lots, newest first, and (for technicians and managers) the form to receive one."""
    edit_orgs = _edit_orgs(request)
    donors = Party.objects.filter(organisation__in=edit_orgs).exclude(
        kind__in=[PartyKind.RECYCLER, PartyKind.ECO_ORGANISATION]
    )
    form = LotForm(
        request.POST or None,
        request.FILES or None,
        organisations=edit_orgs,
        donors=donors,
        auto_id="lot-%s",
    )
    status = 200
    if request.method == "POST":
        _require_any_edit(request)
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            org = data.pop("organisation")
            if not data.get("receipt"):
                data.pop("receipt", None)
            try:
                lot = services.receive_lot(request.user, org, **data)
            except DomainError as exc:
                raise_if_forbidden(exc)
                add_domain_error(form, exc)
                status = error_status(exc)
            else:
                messages.success(request, _("Lot %(r)s reçu.") % {"r": lot.reference})
                return redirect("reuse:lot", lot.pk)
    lots = _visible(request, Lot).select_related("donor", "organisation")
    page = Paginator(lots, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reuse/lots.html",
        {"page": page, "lots": page.object_list, "form": form if edit_orgs.exists() else None},
        status=status,
    )


WEIGHT_GROUPS = [
    ("reused", gettext_lazy("Réemployé (remis)"), {S.PROVIDED}),
    ("parts", gettext_lazy("Pièces détachées"), {S.TO_HARVEST, S.DISMANTLED}),
    ("recycled", gettext_lazy("Recyclage"), {S.TO_RECYCLE, S.IN_SHIPMENT, S.SHIPPED}),
    ("lost", gettext_lazy("Perdu"), {S.LOST}),
]


def lot_weights(lot: Lot, devices: list[Device]) -> dict[str, Any]:
    """The lot's weight accounted for by outcome; the rest of the devices is 'in stock'
    (received, being refurbished, ready, returned), and what no device mass covers is shown."""
    groups = {key: {"label": label, "kg": Decimal(0), "n": 0} for key, label, _s in WEIGHT_GROUPS}
    groups["stock"] = {"label": _("En stock (en cours, prêt)"), "kg": Decimal(0), "n": 0}
    unknown = 0
    for d in devices:
        key = next((k for k, _l, sts in WEIGHT_GROUPS if d.status in sts), "stock")
        groups[key]["n"] += 1
        if d.mass_kg is None:
            unknown += 1
        else:
            groups[key]["kg"] += d.mass_kg
    counted = sum((g["kg"] for g in groups.values()), Decimal(0))
    return {
        "groups": [{"key": k, **v} for k, v in groups.items()],
        "counted_kg": counted,
        "declared_kg": lot.weight_kg,
        "unaccounted_kg": max(lot.weight_kg - counted, Decimal(0)),
        "unknown_mass": unknown,
    }


def _lot_context(request: HttpRequest, lot: Lot) -> dict[str, Any]:
    devices = list(lot.devices.all())
    editable = can_edit(request, lot.organisation)
    prefix = "R-"
    return {
        "lot": lot,
        "devices": devices,
        "weights": lot_weights(lot, devices),
        "can_edit": editable,
        "register_form": RegisterForm(
            auto_id="register-%s",
            initial={"prefix": prefix, "kind": "laptop"},
        )
        if editable
        else None,
        "next_number": actions.next_tag_number(lot.organisation, prefix) if editable else None,
        "triage_form": BulkTriageForm(auto_id="bulk-%s") if editable else None,
        "selected": set(),
        "refusals": [],
    }


@login_required
def lot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lot = get_object_or_404(_visible(request, Lot).select_related("donor", "organisation"), pk=pk)
    return render(request, "reuse/lot.html", _lot_context(request, lot))


@login_required
@require_POST
def lot_register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register N devices in the lot: scanned tags or a prefix and a count, all or nothing."""
    lot = get_object_or_404(_visible(request, Lot).select_related("donor", "organisation"), pk=pk)
    require_edit(request, lot.organisation)
    form = RegisterForm(request.POST, auto_id="register-%s")
    ctx = _lot_context(request, lot)
    if form.is_valid():
        d = form.cleaned_data
        try:
            tags = d["tag_list"] or actions.tag_range(
                d["prefix"] or "",
                actions.next_tag_number(lot.organisation, d["prefix"] or ""),
                d["count"],
            )
            done = actions.register_devices(
                request.user, lot, tags, media_type=d["media_type"], **form.device_fields()
            )
        except actions.BulkRefused as exc:
            form.add_error(None, exc.message)
            ctx["register_refusals"] = exc.refusals
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(n)d appareil(s) enregistré(s).") % {"n": len(done)})
            return redirect("reuse:lot", lot.pk)
    ctx["register_form"] = form
    return render(request, "reuse/lot.html", ctx, status=400)


@login_required
@require_POST
def lot_triage(request: HttpRequest, pk: int) -> HttpResponse:
    """Triage the selected devices of the lot: all or nothing, with each refusal and why."""
    lot = get_object_or_404(_visible(request, Lot).select_related("donor", "organisation"), pk=pk)
    require_edit(request, lot.organisation)
    form = BulkTriageForm(request.POST, auto_id="bulk-%s")
    ids = {int(x) for x in request.POST.getlist("device") if x.isdigit()}
    devices = list(lot.devices.filter(pk__in=ids).order_by("asset_tag"))
    ctx = _lot_context(request, lot)
    ctx["selected"] = ids
    if form.is_valid():
        try:
            done = actions.bulk_triage(
                request.user, devices, form.cleaned_data["outcome"], form.cleaned_data["reason"]
            )
        except actions.BulkRefused as exc:
            form.add_error(None, exc.message)
            ctx["refusals"] = exc.refusals
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(n)d appareil(s) trié(s).") % {"n": len(done)})
            return redirect("reuse:lot", lot.pk)
    ctx["triage_form"] = form
    return render(request, "reuse/lot.html", ctx, status=400)


# --- parties and parts -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def party_list(request: HttpRequest) -> HttpResponse:
    edit_orgs = _edit_orgs(request)
    form = PartyForm(request.POST or None, organisations=edit_orgs, auto_id="party-%s")
    status = 200
    if request.method == "POST":
        _require_any_edit(request)
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            org = data.pop("organisation")
            try:
                party = actions.create_party(request.user, org, **data)
            except DomainError as exc:
                raise_if_forbidden(exc)
                add_domain_error(form, exc)
            else:
                messages.success(request, _("« %(n)s » ajouté.") % {"n": party.name})
                return redirect("reuse:parties")
    parties = _visible(request, Party).select_related("organisation").order_by("kind", "name")
    return render(
        request,
        "reuse/parties.html",
        {
            "parties": parties,
            "form": form if edit_orgs.exists() else None,
            # a citizen's receipt contact is shown only to those who issue receipts
            "show_contact": {o.pk for o in edit_orgs},
        },
        status=status,
    )


@login_required
def part_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "stock")
    parts = _visible(request, Part).select_related("source_device", "used_in__device")
    if show == "stock":
        parts = parts.filter(in_stock=True)
    return render(
        request,
        "reuse/parts.html",
        {"parts": parts.order_by("description", "pk"), "show": show},
    )


# --- WEEE shipments ----------------------------------------------------------------------------


def _recyclers(orgs: QuerySet) -> QuerySet[Party]:
    return Party.objects.filter(
        organisation__in=orgs, kind__in=[PartyKind.RECYCLER, PartyKind.ECO_ORGANISATION]
    )


@login_required
@require_http_methods(["GET", "POST"])
def shipment_list(request: HttpRequest) -> HttpResponse:
    edit_orgs = _edit_orgs(request)
    form = ShipmentForm(request.POST or None, recyclers=_recyclers(edit_orgs), auto_id="ship-%s")
    status = 200
    if request.method == "POST":
        _require_any_edit(request)
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            recycler = d["recycler"]
            try:
                shipment = actions.create_shipment(
                    request.user,
                    recycler.organisation,
                    recycler=recycler,
                    weee_category=d["weee_category"],
                    weight_kg=d["weight_kg"] or Decimal(0),
                )
            except DomainError as exc:
                raise_if_forbidden(exc)
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Envoi n° %(n)s ouvert.") % {"n": shipment.pk})
                return redirect("reuse:shipment", shipment.pk)
    shipments = (
        _visible(request, WeeeShipment).select_related("recycler").order_by("shipped_on", "-pk")
    )
    return render(
        request,
        "reuse/shipments.html",
        {"shipments": shipments, "form": form if edit_orgs.exists() else None},
        status=status,
    )


def _shipment_context(request: HttpRequest, shipment: WeeeShipment) -> dict[str, Any]:
    editable = can_edit(request, shipment.organisation) and shipment.shipped_on is None
    devices = list(shipment.devices.prefetch_related("media__sanitisations"))
    return {
        "shipment": shipment,
        "devices": [{"device": d, "released": services.is_released(d)} for d in devices],
        "mass_kg": sum((d.mass_kg or 0 for d in devices), Decimal(0)),
        "can_edit": editable,
        "can_attach": can_edit(request, shipment.organisation),
        "add_form": ShipmentDeviceForm(auto_id="add-%s") if editable else None,
        "ship_form": ShipForm(auto_id="send-%s") if editable else None,
        "candidates": Device.objects.filter(
            organisation=shipment.organisation, status=S.TO_RECYCLE
        )[:100]
        if editable
        else [],
    }


def _get_shipment(request: HttpRequest, pk: int) -> WeeeShipment:
    return get_object_or_404(
        _visible(request, WeeeShipment).select_related("recycler", "organisation"), pk=pk
    )


@login_required
def shipment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(
        request, "reuse/shipment.html", _shipment_context(request, _get_shipment(request, pk))
    )


@login_required
@require_POST
def shipment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a device (scanned tag or picked from the 'to recycle' list) to the shipment."""
    shipment = _get_shipment(request, pk)
    require_edit(request, shipment.organisation)
    form = ShipmentDeviceForm(request.POST, auto_id="add-%s")
    ctx = _shipment_context(request, shipment)
    if form.is_valid():
        found = [
            d
            for d in find_devices(request, form.cleaned_data["tag"])
            if d.organisation_id == shipment.organisation_id
        ]
        if len(found) != 1:
            form.add_error("tag", _("Aucun appareil (ou plusieurs) pour cette étiquette."))
        else:
            try:
                services.add_to_shipment(request.user, shipment, found[0])
            except DomainError as exc:
                raise_if_forbidden(exc)
                form.add_error("tag", exc.message)
            else:
                messages.success(request, _("%(t)s ajouté.") % {"t": found[0].asset_tag})
                return redirect("reuse:shipment", shipment.pk)
    ctx["add_form"] = form
    return render(request, "reuse/shipment.html", ctx, status=400)


@login_required
@require_POST
def shipment_ship(request: HttpRequest, pk: int) -> HttpResponse:
    """The recycler takes it: every device must be released; tracking ref and certificate."""
    shipment = _get_shipment(request, pk)
    require_edit(request, shipment.organisation)
    ctx = _shipment_context(request, shipment)
    form = ShipForm(request.POST, request.FILES, auto_id="send-%s")
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            if shipment.shipped_on is None:
                actions.ship_with_certificate(
                    request.user,
                    shipment,
                    tracking_reference=d["tracking_reference"],
                    weight_kg=d["weight_kg"],
                    certificate=d["certificate"],
                    on=d["on"],
                )
            else:  # already gone: only the certificate and weight may follow
                actions.attach_certificate(
                    request.user, shipment, certificate=d["certificate"], weight_kg=d["weight_kg"]
                )
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
            status = error_status(exc)
        else:
            messages.success(request, _("Envoi n° %(n)s enregistré.") % {"n": shipment.pk})
            return redirect("reuse:shipment", shipment.pk)
    ctx["ship_form"] = form
    return render(request, "reuse/shipment.html", ctx, status=status)


# --- checklists --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def template_list(request: HttpRequest) -> HttpResponse:
    edit_orgs = _edit_orgs(request)
    form = TemplateForm(request.POST or None, organisations=edit_orgs, auto_id="tpl-%s")
    status = 200
    if request.method == "POST":
        _require_any_edit(request)
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            try:
                items = checklists.parse_items(d["items"])
                checklists.create_template(
                    request.user, d["organisation"], name=d["name"], kind=d["kind"], items=items
                )
            except DomainError as exc:
                raise_if_forbidden(exc)
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Liste de contrôle créée."))
                return redirect("reuse:templates")
    templates = (
        _visible(request, TestTemplate).select_related("organisation").order_by("kind", "name")
    )
    return render(
        request,
        "reuse/templates.html",
        {
            "templates": templates,
            "form": form if edit_orgs.exists() else None,
            "edit_orgs": edit_orgs,
        },
        status=status,
    )


@login_required
@require_POST
def template_defaults(request: HttpRequest) -> HttpResponse:
    """Create the default checklist of every kind the organisation has none for."""
    orgs = _require_any_edit(request)
    raw = request.POST.get("organisation", "")
    org = get_object_or_404(orgs, pk=int(raw) if raw.isdigit() else 0)
    created = checklists.create_default_templates(request.user, org)
    messages.success(request, _("%(n)d liste(s) par défaut créée(s).") % {"n": len(created)})
    return redirect(reverse("reuse:templates"))
