"""Labels (an A4 sheet with a QR code per device, HTML and PDF) and the PDF documents: wipe
certificate (anyone who sees the device), donation receipt and provision agreement (those who
act on the chain, or who see beneficiaries)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import EDIT_REUSE, VIEW_BENEFICIARIES, can, organisations_for

from . import documents, labels
from .choices import DeviceStatus
from .models import Device, Lot, Provision
from .views import get_device, visible_devices

MAX_LABELS = 240  # ten sheets


def _compress() -> bool:
    return bool(getattr(settings, "IMPACTNUM_PDF_COMPRESS", True))


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _require_issuer(request: HttpRequest, organisation: Organisation) -> None:
    if not (
        can(request.user, organisation, EDIT_REUSE)
        or can(request.user, organisation, VIEW_BENEFICIARIES)
    ):
        raise PermissionDenied(_("Votre rôle ne permet pas d'éditer ce document."))


def workbench_url(request: HttpRequest, device: Device) -> str:
    """What the QR code of a device encodes: the workbench with its tag."""
    return request.build_absolute_uri(
        reverse("reuse:workbench") + "?" + urlencode({"tag": device.asset_tag})
    )


def label_devices(request: HttpRequest) -> tuple[QuerySet[Device], dict[str, str]]:
    """The devices chosen by `?device=<id>` (repeatable), `?lot=<id>` or `?status=`."""
    qs = visible_devices(request).select_related("lot")
    ids = [int(x) for x in request.GET.getlist("device") if x.isdigit()]
    lot = request.GET.get("lot", "")
    status = request.GET.get("status", "")
    chosen: dict[str, str] = {}
    if ids:
        qs = qs.filter(pk__in=ids)
        chosen["device"] = ",".join(map(str, ids))
    if lot.isdigit():
        qs = qs.filter(lot_id=int(lot))
        chosen["lot"] = lot
    if status in DeviceStatus.values:
        qs = qs.filter(status=status)
        chosen["status"] = status
    if not chosen:
        qs = qs.none()
    return qs.order_by("asset_tag", "pk")[:MAX_LABELS], chosen


@login_required
def label_sheet(request: HttpRequest) -> HttpResponse:
    """A printable A4 sheet: one label per device, its QR code encoding the workbench URL."""
    devices, chosen = label_devices(request)
    items = [
        {
            "device": d,
            "url": workbench_url(request, d),
            "svg": labels.qr_svg(workbench_url(request, d), title=d.asset_tag),
            "lines": labels.label_lines(d),
        }
        for d in devices
    ]
    return render(
        request,
        "reuse/labels.html",
        {
            "items": items,
            "chosen": chosen,
            "pdf_url": reverse("reuse:labels-pdf") + "?" + request.GET.urlencode(),
            "lots": Lot.objects.filter(organisation__in=organisations_for(request.user))[:200],
        },
    )


@login_required
def label_pdf(request: HttpRequest) -> HttpResponse:
    devices, _chosen = label_devices(request)
    data = labels.labels_pdf(
        list(devices), lambda d: workbench_url(request, d), compress=_compress()
    )
    return _pdf(data, "etiquettes.pdf")


@login_required
def wipe_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_device(request, pk)
    data = documents.wipe_certificate(device, compress=_compress())
    return _pdf(data, f"certificat-effacement-{device.asset_tag}.pdf")


@login_required
def donation_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    lot = get_object_or_404(
        Lot.objects.filter(organisation__in=organisations_for(request.user)).select_related(
            "donor", "organisation"
        ),
        pk=pk,
    )
    _require_issuer(request, lot.organisation)
    return _pdf(documents.donation_receipt(lot, compress=_compress()), f"recu-{lot.reference}.pdf")


@login_required
def provision_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    provision = get_object_or_404(
        Provision.objects.filter(
            device__organisation__in=organisations_for(request.user)
        ).select_related("device__organisation", "beneficiary", "recipient"),
        pk=pk,
    )
    _require_issuer(request, provision.device.organisation)
    data = documents.provision_agreement(provision, compress=_compress())
    return _pdf(data, f"convention-{provision.device.asset_tag}.pdf")
