"""The reuse workbench: scan or type a tag, see the device, do its next steps.

Views parse input, call `services` and render. The device page is one panel (`#device-panel`)
that every step form replaces through htmx (a message goes to the `aria-live` region); without
JavaScript the same forms post and redirect. A refusal (`DomainError`) comes back next to its
field with nothing written (400; a version conflict 409), `NotAllowed` is 403, another
organisation's device 404. Lots, parties, parts, shipments and checklists are in
`views_lots.py`; labels and PDF documents in `views_documents.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import EDIT_REUSE, can, organisations_for
from impactnum.web.fleet.choices import RepairBarrier, RepairOutcome

from . import services
from .choices import FINAL, TRANSITIONS, DeviceEventType, DeviceStatus, TriageOutcome
from .forms import (
    DiagnosticForm,
    HarvestForm,
    LostForm,
    ProvisionForm,
    ReleaseForm,
    RepairForm,
    SanitisationForm,
    ScanForm,
    ShipmentAddForm,
    StatusForm,
    TriageForm,
    add_domain_error,
    beneficiary_choices,
    recipient_choices,
)
from .models import Device, DeviceEvent, Part, StorageMedium, TestTemplate, WeeeShipment

S = DeviceStatus

# --- access ------------------------------------------------------------------------------------


def visible_devices(request: HttpRequest) -> QuerySet[Device]:
    return Device.objects.filter(organisation__in=organisations_for(request.user))


def get_device(request: HttpRequest, pk: int) -> Device:
    """The device if one of the user's memberships lets them see it, else 404."""
    return get_object_or_404(
        visible_devices(request).select_related("organisation", "lot__donor"), pk=pk
    )


def can_edit(request: HttpRequest, organisation: Organisation) -> bool:
    return can(request.user, organisation, EDIT_REUSE)


def require_edit(request: HttpRequest, organisation: Organisation) -> None:
    if not can_edit(request, organisation):
        raise PermissionDenied(_("Votre rôle ne permet pas d'agir sur le réemploi."))


def raise_if_forbidden(exc: DomainError) -> None:
    if isinstance(exc, NotAllowed):
        raise PermissionDenied(exc.message) from exc


def error_status(exc: DomainError) -> int:
    return 409 if exc.status == 409 else 400


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- the scan ----------------------------------------------------------------------------------

_DEVICE_PATH = re.compile(r"/reuse/devices/(\d+)/?$")


def parse_scan(text: str) -> tuple[str, int | None]:
    """What a scanner typed: a tag, or a label's URL (`…/reuse/?tag=R-1`, `…/devices/12/`)."""
    text = text.strip()
    if "://" in text or text.startswith("/reuse/"):
        url = urlparse(text)
        tag = (parse_qs(url.query).get("tag") or [""])[0].strip()
        if tag:
            return tag, None
        m = _DEVICE_PATH.search(url.path)
        if m:
            return "", int(m.group(1))
    return text, None


def find_devices(request: HttpRequest, text: str) -> list[Device]:
    """Exact tag, else exact serial number, else tags containing the text (at most 20)."""
    tag, pk = parse_scan(text)
    qs = visible_devices(request).select_related("organisation")
    if pk is not None:
        return list(qs.filter(pk=pk))
    if not tag:
        return []
    # Exact lookups first: they use the (organisation, asset_tag) index; iexact does not.
    lookups = (
        {"asset_tag": tag},
        {"asset_tag": tag.upper()},
        {"asset_tag__iexact": tag},
        {"serial_number__iexact": tag},
    )
    for lookup in lookups:
        found = list(qs.filter(**lookup)[:20])
        if found:
            return found
    return list(qs.filter(asset_tag__icontains=tag)[:20])


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """The big search field; one match opens the device, several are listed."""
    form = ScanForm(request.GET or None, auto_id="scan-%s")
    matches: list[Device] = []
    searched = False
    if form.is_valid():
        searched = True
        matches = find_devices(request, form.cleaned_data["q"])
        if len(matches) == 1:
            return redirect(matches[0])
    orgs = organisations_for(request.user)
    counts = dict(visible_devices(request).values_list("status").annotate(n=Count("pk")).order_by())
    queue = [
        {"status": s, "label": s.label, "n": counts.get(s.value, 0)}
        for s in DeviceStatus
        if counts.get(s.value)
    ]
    return render(
        request,
        "reuse/workbench.html",
        {
            "form": form,
            "matches": matches,
            "searched": searched,
            "queue": queue,
            "can_edit": organisations_for(request.user, EDIT_REUSE).exists(),
            "organisations": orgs,
        },
        status=404 if searched and not matches else 200,
    )


@login_required
def device_list(request: HttpRequest) -> HttpResponse:
    qs = visible_devices(request).select_related("lot", "organisation")
    status = request.GET.get("status", "")
    lot = request.GET.get("lot", "")
    q = request.GET.get("q", "").strip()
    if status in DeviceStatus.values:
        qs = qs.filter(status=status)
    if lot.isdigit():
        qs = qs.filter(lot_id=int(lot))
    if q:
        qs = qs.filter(
            Q(asset_tag__icontains=q)
            | Q(serial_number__icontains=q)
            | Q(model__icontains=q)
            | Q(brand__icontains=q)
        )
    page = Paginator(qs.order_by("asset_tag", "pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reuse/devices.html",
        {
            "page": page,
            "devices": page.object_list,
            "statuses": DeviceStatus.choices,
            "filters": {"status": status, "lot": lot, "q": q},
        },
    )


# --- next steps --------------------------------------------------------------------------------

DEDICATED = frozenset({S.PROVIDED, S.IN_SHIPMENT, S.SHIPPED, S.DIAGNOSED, S.LOST})
"""Statuses reached through their own step (provide, shipment, diagnose, lost), not the select."""


def status_moves(device: Device) -> list[str]:
    """Statuses the 'change status' step offers: the allowed moves without a dedicated step."""
    if device.status in (S.RECEIVED, S.RETURNED):
        return []  # triage sets the path
    moves = set(TRANSITIONS[device.status]) - DEDICATED
    if device.status == S.QA:
        moves.discard(S.READY)  # through the quality release
    return [s for s in DeviceStatus.values if s in moves]


def next_steps(device: Device) -> list[str]:
    """The steps the services allow from the device's status, in the order they are done."""
    st = device.status
    steps: list[str] = []
    if st in (S.RECEIVED, S.RETURNED):
        steps.append("triage")
    if st in (S.TO_REFURBISH, S.DIAGNOSED):
        steps.append("diagnose")
    if st == S.QA:
        steps.append("release")
    if st in (S.DIAGNOSED, S.IN_REPAIR, S.QA):
        steps.append("repair")
    if st in (S.READY, S.RESERVED):
        steps.append("provide")
    if st == S.TO_HARVEST:
        steps.append("harvest")
    if st == S.TO_RECYCLE:
        steps.append("shipment")
    if status_moves(device):
        steps.append("status")
    if st not in FINAL:
        steps.append("lost")
    return steps


def media_rows(device: Device, editable: bool) -> list[dict[str, Any]]:
    """Held and removed media, each with its last record and whether it is wiped."""
    rows = []
    held = list(device.media.prefetch_related("sanitisations__operator"))
    removed = list(device.removed_media.prefetch_related("sanitisations__operator"))
    for medium, is_held in [(m, True) for m in held] + [(m, False) for m in removed]:
        records = list(medium.sanitisations.all())
        ok = next((r for r in records if r.result == "success"), None)
        rows.append(
            {
                "medium": medium,
                "held": is_held,
                "records": records,
                "success": ok,
                "can_sanitise": editable and not medium.left_custody,
                "can_remove": editable and is_held and device.status not in FINAL | {S.PROVIDED},
            }
        )
    return rows


# --- the forms of each step --------------------------------------------------------------------


def _templates(device: Device) -> list[TestTemplate]:
    return list(
        TestTemplate.objects.filter(organisation=device.organisation, kind=device.kind).order_by(
            "name", "pk"
        )
    )


def _parts(device: Device) -> QuerySet[Part]:
    return Part.objects.filter(organisation=device.organisation, in_stock=True).order_by(
        "description"
    )


def _open_shipments(device: Device) -> QuerySet[WeeeShipment]:
    return WeeeShipment.objects.filter(
        organisation=device.organisation, shipped_on__isnull=True
    ).select_related("recycler")


def build_form(
    step: str, device: Device, data: Any = None, files: Any = None
) -> forms.Form | list[DiagnosticForm]:
    """The (unbound or bound) form of a step, with unique ids (`<step>-<field>`)."""
    version = {"expected_version": device.version}
    kw: dict[str, Any] = {"auto_id": f"{step}-%s"}
    if step == "triage":
        return TriageForm(data, initial=version, **kw)
    if step == "status":
        return StatusForm(data, initial=version, moves=status_moves(device), **kw)
    if step == "lost":
        return LostForm(data, initial=version, **kw)
    if step == "repair":
        return RepairForm(data, parts=_parts(device), **kw)
    if step == "release":
        initial = {"battery_health_pct": device.battery_health_pct, "checklist_passed": True}
        last = device.diagnostics.order_by("-at", "-pk").first()
        if last is not None and not last.passed:
            initial["checklist_passed"] = False
        return ReleaseForm(data, initial=initial, **kw)
    if step == "provide":
        return ProvisionForm(
            data,
            initial=version,
            beneficiaries=beneficiary_choices(device.organisation),
            recipients=recipient_choices(device.organisation),
            **kw,
        )
    if step == "harvest":
        return HarvestForm(data, **kw)
    if step == "shipment":
        return ShipmentAddForm(data, shipments=_open_shipments(device), **kw)
    if step == "diagnose":
        return [DiagnosticForm(template=t) for t in _templates(device)]
    raise Http404


STEP_TITLES = {
    "triage": gettext_lazy("Trier"),
    "diagnose": gettext_lazy("Diagnostiquer"),
    "repair": gettext_lazy("Enregistrer une réparation"),
    "release": gettext_lazy("Contrôle qualité"),
    "provide": gettext_lazy("Remettre"),
    "harvest": gettext_lazy("Prélever une pièce"),
    "shipment": gettext_lazy("Ajouter à un envoi DEEE"),
    "status": gettext_lazy("Changer le statut"),
    "lost": gettext_lazy("Déclarer perdu"),
}
MULTIPART = {"sanitise"}


def history(device: Device) -> list[dict[str, Any]]:
    labels = dict(DeviceEventType.choices)
    statuses = dict(DeviceStatus.choices)
    outcome_labels = {
        **dict(TriageOutcome.choices),
        **dict(RepairOutcome.choices),
        **dict(RepairBarrier.choices),
    }
    rows = []
    for e in DeviceEvent.objects.filter(device=device).select_related("actor"):
        data = e.data or {}
        details = []
        for key, text in (
            ("outcome", _("Résultat")),
            ("reason", _("Motif")),
            ("barrier", _("Obstacle")),
            ("level", _("Niveau")),
            ("result", _("Résultat")),
            ("grade", _("Grade")),
            ("type", _("Type")),
            ("price", _("Prix (€)")),
            ("lot", _("Lot")),
            ("part", _("Pièce")),
            ("tracking", _("Référence de suivi")),
            ("template", _("Liste")),
        ):
            if data.get(key) not in (None, ""):
                value = data[key]
                details.append((text, str(outcome_labels.get(value, value))))
        if "passed" in data:
            details.append((_("Réussi"), _("oui") if data["passed"] else _("non")))
        rows.append(
            {
                "event": e,
                "type": labels.get(e.type, e.type),
                "actor": e.actor.get_username() if e.actor else _("système"),
                "from": statuses.get(e.from_status, ""),
                "to": statuses.get(e.to_status, ""),
                "details": details,
            }
        )
    return rows


def device_context(
    request: HttpRequest,
    device: Device,
    bound: dict[str, Any] | None = None,
    message: str = "",
    error: str = "",
) -> dict[str, Any]:
    bound = bound or {}
    editable = can_edit(request, device.organisation)
    steps = []
    if editable:
        for step in next_steps(device):
            form = bound.get(step) or build_form(step, device)
            if step == "diagnose" and "diagnose" in bound:
                form = [
                    bound["diagnose"] if f.template.pk == bound["diagnose"].template.pk else f
                    for f in build_form("diagnose", device)  # type: ignore[union-attr]
                ]
            steps.append(
                {
                    "key": step,
                    "title": STEP_TITLES[step],
                    "form": form,
                    "action": reverse("reuse:step", args=[device.pk, step]),
                    "open": step in bound or (step not in ("lost", "status") and not bound),
                }
            )
    media = media_rows(device, editable)
    for row in media:
        key = f"sanitise-{row['medium'].pk}"
        row["key"] = key
        if row["can_sanitise"]:
            row["form"] = bound.get(key) or SanitisationForm(auto_id=f"{key}-%s")
            row["open"] = key in bound
    provisions = list(device.provisions.select_related("beneficiary", "recipient"))
    return {
        "device": device,
        "steps": steps,
        "media": media,
        "unwiped": [r for r in media if r["held"] and not r["success"]],
        "released": services.is_released(device),
        "diagnostics": list(device.diagnostics.select_related("template", "by").order_by("-at")),
        "repairs": list(device.repairs.select_related("technician").prefetch_related("parts_used")),
        "releases": list(device.releases.select_related("released_by").order_by("-at")),
        "provisions": provisions,
        "shipments": list(device.shipments.select_related("recycler")),
        "harvested": list(device.harvested_parts.all()),
        "history": history(device),
        "can_edit": editable,
        "live_message": message,
        "live_error": error,
        "documents": document_links(device, provisions),
    }


def document_links(device: Device, provisions: list[Any]) -> list[tuple[str, str, str]]:
    links = [
        (
            "doc-wipe",
            _("Certificat d'effacement (PDF)"),
            reverse("reuse:wipe-certificate", args=[device.pk]),
        ),
        (
            "doc-label",
            _("Étiquette QR"),
            reverse("reuse:labels") + f"?device={device.pk}",
        ),
    ]
    for p in provisions:
        links.append(
            (
                f"doc-agreement-{p.pk}",
                _("Convention de remise du %(d)s (PDF)")
                % {"d": p.provided_on.strftime("%d/%m/%Y")},
                reverse("reuse:agreement", args=[p.pk]),
            )
        )
    return links


def render_device(
    request: HttpRequest,
    device: Device,
    *,
    bound: dict[str, Any] | None = None,
    message: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    device = Device.objects.select_related("organisation", "lot__donor").get(pk=device.pk)
    ctx = device_context(request, device, bound, message, error)
    if is_htmx(request):
        return render(request, "reuse/_device_panel.html", ctx, status=status)
    scan = ScanForm(auto_id="scan-%s")
    scan.fields["q"].widget.attrs.pop("autofocus", None)  # the steps keep the focus here
    ctx["scan_form"] = scan
    return render(request, "reuse/device.html", ctx, status=status)


@login_required
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_device(request, get_device(request, pk))


# --- doing a step ------------------------------------------------------------------------------


def _triage(request: HttpRequest, device: Device, form: TriageForm) -> str:
    d = form.cleaned_data
    services.triage(
        request.user,
        device,
        d["outcome"],
        d["reason"],
        expected_version=d["expected_version"],
    )
    return _("Trié : %(o)s.") % {"o": TriageOutcome(d["outcome"]).label}


def _status(request: HttpRequest, device: Device, form: StatusForm | LostForm) -> str:
    d = form.cleaned_data
    d.setdefault("status", DeviceStatus.LOST)  # the 'lost' step's form has no status field
    services.change_status(
        request.user,
        device,
        d["status"],
        reason=d["reason"],
        expected_version=d["expected_version"],
    )
    return _("Statut : %(s)s.") % {"s": DeviceStatus(d["status"]).label}


def _repair(request: HttpRequest, device: Device, form: RepairForm) -> str:
    d = form.cleaned_data
    services.record_repair(
        request.user,
        device,
        problem=d["problem"],
        outcome=d["outcome"],
        actions=d["actions"],
        barrier=d["barrier"],
        minutes_spent=d["minutes_spent"] or 0,
        parts=list(d.get("parts") or []),
    )
    return _("Réparation enregistrée.")


def _release(request: HttpRequest, device: Device, form: ReleaseForm) -> str:
    d = form.cleaned_data
    qr = services.release(
        request.user,
        device,
        checklist_passed=d["checklist_passed"],
        grade=d["grade"],
        battery_health_pct=d["battery_health_pct"],
    )
    return (
        _("Contrôle qualité réussi : appareil prêt.")
        if qr.checklist_passed
        else _("Contrôle qualité enregistré (non réussi).")
    )


def _provide(request: HttpRequest, device: Device, form: ProvisionForm) -> str:
    d = form.cleaned_data
    services.provide(
        request.user,
        device,
        type_=d["type"],
        beneficiary=d["beneficiary"],
        recipient=d["recipient"],
        price_eur=d["price_eur"] or 0,
        unit_value_eur=d["unit_value_eur"],
        on=d["provided_on"],
        expected_version=d["expected_version"],
    )
    return _("Appareil remis.")


def _harvest(request: HttpRequest, device: Device, form: HarvestForm) -> str:
    part = services.harvest_part(request.user, device, form.cleaned_data["description"])
    return _("Pièce « %(p)s » mise en stock.") % {"p": part.description}


def _shipment(request: HttpRequest, device: Device, form: ShipmentAddForm) -> str:
    shipment = form.cleaned_data["shipment"]
    services.add_to_shipment(request.user, shipment, device)
    return _("Ajouté à l'envoi n° %(n)s.") % {"n": shipment.pk}


STEPS: dict[str, Callable[[HttpRequest, Device, Any], str]] = {
    "triage": _triage,
    "status": _status,
    "lost": _status,
    "repair": _repair,
    "release": _release,
    "provide": _provide,
    "harvest": _harvest,
    "shipment": _shipment,
}


def _diagnose_form(request: HttpRequest, device: Device) -> DiagnosticForm:
    raw = request.POST.get("template", "")
    template = get_object_or_404(
        TestTemplate,
        pk=int(raw) if raw.isdigit() else 0,
        organisation=device.organisation,
    )
    return DiagnosticForm(request.POST, template=template)


def _done(request: HttpRequest, device: Device, message: str) -> HttpResponse:
    if is_htmx(request):
        return render_device(request, device, message=message)
    messages.success(request, message)
    return redirect(device)


@login_required
@require_POST
def device_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Do one step; refused: the page again with the message next to its field."""
    device = get_device(request, pk)
    require_edit(request, device.organisation)
    if step != "diagnose" and step not in STEPS:
        raise Http404
    if step == "diagnose":
        form: Any = _diagnose_form(request, device)
    else:
        form = build_form(step, device, request.POST, request.FILES)
    if form.is_valid():
        try:
            if step == "diagnose":
                diag = services.diagnose(request.user, device, form.checklist, form.results())
                message = (
                    _("Diagnostic enregistré : tout est OK.")
                    if diag.passed
                    else _("Diagnostic enregistré : des points sont en échec.")
                )
            else:
                message = STEPS[step](request, device, form)
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
            return render_device(
                request, device, bound={step: form}, error=exc.message, status=error_status(exc)
            )
        return _done(request, device, message)
    return render_device(
        request, device, bound={step: form}, error=_("Vérifiez le formulaire."), status=400
    )


def _get_medium(request: HttpRequest, device: Device, medium_id: int) -> StorageMedium:
    return get_object_or_404(
        StorageMedium.objects.filter(Q(device=device) | Q(removed_from=device)), pk=medium_id
    )


@login_required
@require_POST
def medium_sanitise(request: HttpRequest, pk: int, medium_id: int) -> HttpResponse:
    """Record one wipe of one medium, with the tool's report (its SHA-256 is kept)."""
    device = get_device(request, pk)
    require_edit(request, device.organisation)
    medium = _get_medium(request, device, medium_id)
    key = f"sanitise-{medium.pk}"
    form = SanitisationForm(request.POST, request.FILES, auto_id=f"{key}-%s")
    if form.is_valid():
        d = form.cleaned_data
        try:
            record = services.record_sanitisation(
                request.user,
                medium,
                level=d["level"],
                method=d["method"],
                tool=d["tool"],
                tool_version=d["tool_version"],
                verification=d["verification"],
                result=d["result"],
                started_at=d["started_at"],
                ended_at=d["ended_at"],
                report=d["report"],
            )
        except DomainError as exc:
            raise_if_forbidden(exc)
            add_domain_error(form, exc)
            return render_device(
                request, device, bound={key: form}, error=exc.message, status=error_status(exc)
            )
        text = (
            _("Effacement de %(m)s enregistré : réussi.")
            if record.result == "success"
            else _("Effacement de %(m)s enregistré : échec, le support reste non effacé.")
        )
        return _done(request, device, text % {"m": medium})
    return render_device(
        request, device, bound={key: form}, error=_("Vérifiez le formulaire."), status=400
    )


@login_required
@require_POST
def medium_remove(request: HttpRequest, pk: int, medium_id: int) -> HttpResponse:
    device = get_device(request, pk)
    require_edit(request, device.organisation)
    medium = _get_medium(request, device, medium_id)
    try:
        services.remove_medium(request.user, medium)
    except DomainError as exc:
        raise_if_forbidden(exc)
        return render_device(request, device, error=exc.message, status=error_status(exc))
    return _done(request, device, _("%(m)s retiré : il est suivi à part.") % {"m": medium})
