"""Reuse workbench pages: the scan and the next steps, refusals that write nothing, roles and
organisations, lots with bulk intake and all-or-nothing triage, shipments, checklists, labels
and the PDF documents."""

import datetime as dt
import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from impactnum.web.core import services as core_services
from impactnum.web.core.choices import Role
from impactnum.web.reuse import checklists, services
from impactnum.web.reuse.choices import DeviceStatus
from impactnum.web.reuse.models import Device, DeviceEvent, Lot, Party, WeeeShipment

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _media_and_pdf(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPACTNUM_PDF_COMPRESS = False


@pytest.fixture
def as_tech(client, tech):
    client.force_login(tech)
    return client


def _pdf_text(data: bytes) -> str:
    """The text of an uncompressed PDF's string literals (WinAnsi, octal escapes)."""
    chunks = re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data)
    out = []
    for c in chunks:
        raw = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m[1], 8)]), c)
        raw = re.sub(rb"\\(.)", rb"\1", raw)
        out.append(raw.decode("cp1252", errors="replace"))
    return " ".join(out)


def step(client, device, name, data, **extra):
    return client.post(reverse("reuse:step", args=[device.pk, name]), data, **extra)


def wipe_form(**over):
    now = timezone.localtime().replace(second=0, microsecond=0)
    data = {
        "level": "purge",
        "method": "NVMe Sanitize crypto",
        "tool": "nwipe",
        "tool_version": "0.37",
        "verification": "complète",
        "started_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ended_at": now.strftime("%Y-%m-%dT%H:%M"),
        "result": "success",
        "report": SimpleUploadedFile("nwipe.json", b'{"status": "ERASED"}'),
    }
    data.update(over)
    return data


# --- the scan and the device page ------------------------------------------------------------


def test_scan_opens_the_device_with_its_next_steps(as_tech, device):
    response = as_tech.get(reverse("reuse:workbench"), {"q": "r-0001"})
    assert response.status_code == 302 and response.url == reverse("reuse:device", args=[device.pk])
    page = as_tech.get(response.url).content.decode()
    assert 'id="step-triage"' in page
    assert 'id="step-provide"' not in page and 'id="step-release"' not in page
    assert 'id="medium-' in page and "non effacé" in page
    assert 'aria-live="polite"' in page


def test_scan_accepts_a_label_url_and_a_serial_and_says_when_nothing_matches(as_tech, device):
    url = "http://testserver/reuse/?tag=R-0001"
    assert as_tech.get(reverse("reuse:workbench"), {"q": url}).status_code == 302
    Device.objects.filter(pk=device.pk).update(serial_number="SN-XYZ")
    assert as_tech.get(reverse("reuse:workbench"), {"q": "sn-xyz"}).status_code == 302
    response = as_tech.get(reverse("reuse:workbench"), {"q": "NOPE"})
    assert response.status_code == 404 and 'id="scan-none"' in response.content.decode()
    page = as_tech.get(reverse("reuse:workbench")).content.decode()
    assert "autofocus" in page and 'id="scan-q"' in page


def test_a_refused_step_shows_its_message_next_to_the_field_and_writes_nothing(as_tech, device):
    events = DeviceEvent.objects.count()
    response = step(
        as_tech, device, "triage", {"outcome": "recycling", "expected_version": 0}, **HTMX
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="device-panel"' in body and "<html" not in body  # the panel only (htmx)
    assert 'id="triage-reason-error"' in body and "raison" in body
    assert 'hx-swap-oob="innerHTML"' in body  # announced in the live region
    device.refresh_from_db()
    assert device.status == DeviceStatus.RECEIVED and DeviceEvent.objects.count() == events


def test_lost_is_a_step_of_its_own(as_tech, device):
    r = step(as_tech, device, "lost", {"status": "provided", "expected_version": 0})
    assert r.status_code == 400  # the circumstances are required
    r = step(
        as_tech, device, "lost", {"status": "provided", "reason": "volé", "expected_version": 0}
    )
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.status == DeviceStatus.LOST  # never another status through this step
    page = as_tech.get(reverse("reuse:device", args=[device.pk])).content.decode()
    assert 'id="step-' not in page  # final: no next step


def test_a_stale_version_is_a_conflict(as_tech, tech, device):
    services.triage(tech, device, "reuse")
    response = step(as_tech, device, "status", {"status": "to_harvest", "expected_version": 0})
    assert response.status_code == 409
    device.refresh_from_db()
    assert device.status == DeviceStatus.TO_REFURBISH


def test_whole_path_through_the_pages(as_tech, tech, city, device, laptop_template):
    # triage
    r = step(as_tech, device, "triage", {"outcome": "reuse", "expected_version": 0}, **HTMX)
    assert r.status_code == 200 and 'data-status="to_refurbish"' in r.content.decode()
    assert 'id="step-diagnose"' in r.content.decode()
    # diagnose against the checklist: one radio group per item
    page = as_tech.get(reverse("reuse:device", args=[device.pk])).content.decode()
    assert f'id="diagnose-{laptop_template.pk}-form"' in page
    assert f'id="diag{laptop_template.pk}-item_boot_0"' in page
    r = step(
        as_tech,
        device,
        "diagnose",
        {"template": laptop_template.pk, "item_boot": "pass", "item_screen": "fail"},
    )
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.status == DeviceStatus.DIAGNOSED
    # repair with a part from the stock, then QA
    donor = services.register_device(tech, device.lot, asset_tag="R-0009", kind="laptop")
    services.triage(tech, donor, "parts", reason="carte mère HS")
    part = services.harvest_part(tech, donor, "Écran 14 pouces")
    r = step(
        as_tech,
        device,
        "repair",
        {"problem": "pixels morts", "outcome": "fixed", "minutes_spent": 20, "parts": [part.pk]},
    )
    assert r.status_code == 302
    part.refresh_from_db()
    assert not part.in_stock
    for to in ("in_repair", "qa"):
        device.refresh_from_db()
        r = step(as_tech, device, "status", {"status": to, "expected_version": device.version})
        assert r.status_code == 302, r.content
    # the release is refused while the SSD is not wiped: nothing written
    r = step(as_tech, device, "release", {"checklist_passed": "on", "grade": "B"}, **HTMX)
    assert r.status_code == 400 and "non effacé" in r.content.decode()
    assert not device.releases.exists()
    # wipe the medium with the tool's report: its SHA-256 is shown
    medium = device.media.get()
    report = b'{"status": "ERASED"}'
    r = as_tech.post(reverse("reuse:sanitise", args=[device.pk, medium.pk]), wipe_form(), **HTMX)
    assert r.status_code == 200
    body = r.content.decode()
    assert hashlib.sha256(report).hexdigest() in body and f'id="medium-{medium.pk}-sha"' in body
    # release, then provide: a price above the cap is refused next to the field
    r = step(
        as_tech,
        device,
        "release",
        {"checklist_passed": "on", "grade": "B", "battery_health_pct": 81},
    )
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.status == DeviceStatus.READY
    facilitator = _user(city, Role.FACILITATOR)
    person = services.create_beneficiary(
        facilitator, city, pseudonym="B-17", age_bracket="26_39", commune="Varennes-Vauzelles"
    )
    page = as_tech.get(reverse("reuse:device", args=[device.pk])).content.decode()
    assert "B-17" in page and "Varennes" not in page  # the pseudonym, never the details
    data = {
        "type": "solidarity_sale",
        "beneficiary": person.pk,
        "price_eur": "250",
        "provided_on": "2026-03-31",
        "expected_version": device.version,
    }
    r = step(as_tech, device, "provide", data, **HTMX)
    assert r.status_code == 400
    assert 'id="provide-price_eur-error"' in r.content.decode()
    device.refresh_from_db()
    assert device.status == DeviceStatus.READY and not device.provisions.exists()
    r = step(as_tech, device, "provide", {**data, "price_eur": "150"})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.status == DeviceStatus.PROVIDED
    provision = device.provisions.get()
    # the agreement: guarantees with their dates, the pseudonym, nothing else about the person
    pdf = as_tech.get(reverse("reuse:agreement", args=[provision.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert "B-17" in text and "31/03/2028" in text and "31/03/2027" in text
    assert "Varennes" not in text and "26" not in text.split("B-17")[0][-5:]
    # the wipe certificate: NIST fields of each medium
    text = _pdf_text(as_tech.get(reverse("reuse:wipe-certificate", args=[device.pk])).content)
    for expected in ("R-0001", "Latitude", "SSD1", "NVMe Sanitize crypto", "nwipe 0.37", "Purge"):
        assert expected in text, expected
    digest = hashlib.sha256(report).hexdigest()
    assert all(digest[i : i + 16] in text for i in range(0, 64, 16))
    # return: back to triage
    r = step(as_tech, device, "status", {"status": "returned", "expected_version": device.version})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.status == DeviceStatus.RETURNED


def _user(org, role):
    user = core_services.create_user(None, username=f"{role}-x", password="pw-Impactnum-1")
    core_services.set_membership(None, user, org, role)
    return user


# --- roles and organisations -----------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role.values))
def test_who_reads_and_who_acts(client, city, device, role):
    user = _user(city, role)
    client.force_login(user)
    page = client.get(reverse("reuse:device", args=[device.pk]))
    assert page.status_code == 200
    acts = role in (Role.ADMINISTRATOR, Role.MANAGER, Role.TECHNICIAN)
    assert ('id="step-triage"' in page.content.decode()) == acts
    r = step(client, device, "triage", {"outcome": "reuse", "expected_version": 0})
    assert r.status_code == (302 if acts else 403)
    receipt = client.get(reverse("reuse:receipt", args=[device.lot.pk]))
    assert receipt.status_code == (200 if acts or role == Role.FACILITATOR else 403)
    for name in ("workbench", "devices", "lots", "parties", "parts", "shipments", "templates"):
        assert client.get(reverse(f"reuse:{name}")).status_code == 200, name
    r = client.post(
        reverse("reuse:parties"), {"organisation": city.pk, "kind": "recycler", "name": "X"}
    )
    assert r.status_code == (302 if acts else 403)


def test_another_organisation_sees_nothing(client, agglo, device):
    stranger = _user(agglo, Role.ADMINISTRATOR)
    client.force_login(stranger)
    for url in (
        reverse("reuse:device", args=[device.pk]),
        reverse("reuse:lot", args=[device.lot.pk]),
        reverse("reuse:wipe-certificate", args=[device.pk]),
        reverse("reuse:receipt", args=[device.lot.pk]),
    ):
        assert client.get(url).status_code == 404, url
    r = step(client, device, "triage", {"outcome": "reuse", "expected_version": 0})
    assert r.status_code == 404
    assert client.get(reverse("reuse:workbench"), {"q": "R-0001"}).status_code == 404


def test_anonymous_goes_to_login(client, device):
    response = client.get(reverse("reuse:device", args=[device.pk]))
    assert response.status_code == 302 and "login" in response.url


# --- lots and bulk actions -------------------------------------------------------------------


def test_receive_a_lot_register_devices_and_triage_all_or_nothing(
    as_tech, tech, city, city_service
):
    r = as_tech.post(
        reverse("reuse:lots"),
        {
            "organisation": city.pk,
            "reference": "L-042",
            "donor": city_service.pk,
            "received_on": "2026-02-01",
            "site": "Hôtel de ville",
            "items_declared": 3,
            "weight_kg": "12.5",
            "origin": "reemploi",
            "receipt": SimpleUploadedFile("bon.pdf", b"%PDF-1.4 bon"),
        },
    )
    assert r.status_code == 302
    lot = Lot.objects.get(reference="L-042")
    assert lot.receipt.name.endswith(".pdf")
    r = as_tech.post(
        reverse("reuse:lot-register", args=[lot.pk]),
        {"prefix": "R-", "count": 3, "kind": "laptop", "mass_kg": "2", "media_type": "ssd"},
    )
    assert r.status_code == 302
    tags = list(lot.devices.values_list("asset_tag", flat=True))
    assert tags == ["R-0001", "R-0002", "R-0003"]
    assert all(d.media.count() == 1 for d in lot.devices.all())
    # scanned tags: one already exists -> nothing registered, the refusal says which
    r = as_tech.post(
        reverse("reuse:lot-register", args=[lot.pk]),
        {"tags": "R-0100\nR-0002", "kind": "laptop"},
    )
    assert r.status_code == 400 and 'id="register-refusals"' in r.content.decode()
    assert lot.devices.count() == 3
    # bulk triage: one is already on the reuse path -> all refused, nothing written
    d1, d2, d3 = lot.devices.order_by("asset_tag")
    services.triage(tech, d1, "reuse")
    events = DeviceEvent.objects.count()
    ids = [d1.pk, d2.pk, d3.pk]
    r = as_tech.post(
        reverse("reuse:lot-triage", args=[lot.pk]), {"device": ids, "outcome": "reuse"}
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert 'id="bulk-refusals"' in body and "R-0001" in body
    assert set(lot.devices.values_list("status", flat=True)) == {"to_refurbish", "received"}
    assert DeviceEvent.objects.count() == events
    r = as_tech.post(
        reverse("reuse:lot-triage", args=[lot.pk]),
        {"device": [d2.pk, d3.pk], "outcome": "recycling", "reason": "trop ancien"},
    )
    assert r.status_code == 302
    assert lot.devices.filter(status="to_recycle").count() == 2
    # the lot's weight accounted for by outcome
    page = as_tech.get(reverse("reuse:lot", args=[lot.pk])).content.decode()
    assert 'id="weight-recycled"' in page
    row = re.search(r'id="weight-recycled">(.*?)</tr>', page, re.S).group(1)
    assert ">2<" in row and ">4<" in row
    assert re.search(r'id="weight-unaccounted">6,5<', page)


def test_donation_receipt_of_a_citizen_shows_only_what_a_receipt_needs(as_tech, city, tech):
    citizen = Party.objects.create(
        organisation=city, kind="citizen", name="M. Dupont", receipt_contact="06 00 00 00 00"
    )
    lot = services.receive_lot(
        tech, city, reference="L-C1", donor=citizen, received_on=dt.date(2026, 1, 5), weight_kg=3
    )
    services.register_device(tech, lot, asset_tag="R-0500", kind="laptop", serial_number="XX9")
    text = _pdf_text(as_tech.get(reverse("reuse:receipt", args=[lot.pk])).content)
    for expected in ("M. Dupont", "06 00 00 00 00", "L-C1", "05/01/2026", "R-0500", "XX9"):
        assert expected in text, expected
    assert "SIRET" not in text


# --- shipments, checklists, labels -----------------------------------------------------------


def test_recycling_shipment_needs_wiped_media_then_ships_with_certificate(
    as_tech, tech, city, device
):
    services.triage(tech, device, "recycling", reason="écran cassé, trop usé")
    recycler = Party.objects.create(organisation=city, kind="recycler", name="Envie 58")
    r = as_tech.post(reverse("reuse:shipments"), {"recycler": recycler.pk, "weee_category": "6"})
    assert r.status_code == 302
    shipment = WeeeShipment.objects.get()
    r = as_tech.post(reverse("reuse:shipment-add", args=[shipment.pk]), {"tag": "R-0001"})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.status == DeviceStatus.IN_SHIPMENT
    send = reverse("reuse:shipment-ship", args=[shipment.pk])
    r = as_tech.post(send, {"tracking_reference": "BSD-2026-1"})
    assert r.status_code == 400 and "non effacé" in r.content.decode()
    shipment.refresh_from_db()
    assert shipment.shipped_on is None
    medium = device.media.get()
    as_tech.post(reverse("reuse:sanitise", args=[device.pk, medium.pk]), wipe_form())
    r = as_tech.post(
        send,
        {
            "tracking_reference": "BSD-2026-1",
            "weight_kg": "2.4",
            "certificate": SimpleUploadedFile("cert.pdf", b"%PDF cert"),
        },
    )
    assert r.status_code == 302
    shipment.refresh_from_db()
    device.refresh_from_db()
    assert shipment.shipped_on and shipment.tracking_reference == "BSD-2026-1"
    assert shipment.certificate.name and device.status == DeviceStatus.SHIPPED


def test_default_checklists_cover_every_function(as_tech, city):
    r = as_tech.post(reverse("reuse:template-defaults"), {"organisation": city.pk})
    assert r.status_code == 302
    from impactnum.web.reuse.models import TestTemplate

    laptop = TestTemplate.objects.get(organisation=city, kind="laptop")
    codes = {i["code"] for i in laptop.items}
    assert {
        "power",
        "boot",
        "bios_lock",
        "cpu_ram",
        "storage_smart",
        "display",
        "keyboard",
        "ports",
        "wireless",
        "av",
        "battery",
        "chassis",
        "activation_locks",
        "os",
    } <= codes
    assert "electrical" in {i["code"] for i in checklists.default_items("desktop")}
    assert "activation_locks" in {i["code"] for i in checklists.default_items("smartphone")}
    again = as_tech.post(reverse("reuse:template-defaults"), {"organisation": city.pk})
    assert again.status_code == 302
    assert TestTemplate.objects.filter(organisation=city, kind="laptop").count() == 1
    r = as_tech.post(
        reverse("reuse:templates"),
        {"organisation": city.pk, "name": "Écran rapide", "kind": "monitor", "items": "a: A\na: B"},
    )
    assert r.status_code == 400 and "double" in r.content.decode()


def test_label_sheet_has_one_qr_code_per_device(as_tech, tech, device):
    services.register_device(tech, device.lot, asset_tag="R-0002", kind="desktop")
    page = as_tech.get(reverse("reuse:labels"), {"lot": device.lot.pk}).content.decode()
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="qr"') == 2
    assert 'data-url="http://testserver/reuse/?tag=R-0001"' in page
    pdf = as_tech.get(reverse("reuse:labels-pdf"), {"lot": device.lot.pk})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "R-0002" in _pdf_text(pdf.content)


def test_qr_code_is_a_valid_matrix():
    from impactnum.web.reuse.labels import qr_matrix, qr_svg

    m = qr_matrix("http://testserver/reuse/?tag=R-0001")
    assert len(m) in (25, 29, 33) and all(len(r) == len(m) for r in m)
    # the three finder patterns: dark 7x7 corners
    assert m[0][:7] == [True] * 7 and m[0][-7:] == [True] * 7 and m[-1][:7] == [True] * 7
    assert 'viewBox="0 0 ' in qr_svg("x", title="<R>") and "&lt;R&gt;" in qr_svg("x", title="<R>")
