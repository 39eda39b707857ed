"""The reuse API: the workbench's twin. Find by tag, next steps, every step through the
services, problem details naming the field, 409 on a stale version, roles and organisations."""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from impactnum.web.core import services as core_services
from impactnum.web.core.choices import Role
from impactnum.web.reuse import services
from impactnum.web.reuse.models import Party
from impactnum.web.reuse.models import TestTemplate as Checklist


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def tech(city, make_user):
    return make_user("technician", city, username="tech-api")


@pytest.fixture
def donor(city):
    return Party.objects.create(organisation=city, kind="city_service", name="DSI")


@pytest.fixture
def lot(tech, city, donor):
    return services.receive_lot(
        tech, city, reference="L-API", donor=donor, received_on=dt.date(2026, 1, 10), weight_kg=4
    )


@pytest.fixture
def device(tech, lot):
    return services.register_device(
        tech,
        lot,
        asset_tag="R-0001",
        kind="laptop",
        brand="Lenovo",
        media=[{"type": "nvme", "serial_number": "NV1"}],
    )


@pytest.fixture
def template(city):
    return Checklist.objects.create(
        organisation=city, name="PC", kind="laptop", items=[{"code": "boot", "label": "Boot"}]
    )


def test_find_by_tag_and_read_the_next_steps(api_as, tech, device):
    api = api_as(tech)
    found = api("GET", "/api/reuse/devices", tag="r-0001").json()
    assert found["count"] == 1 and found["items"][0]["id"] == device.pk
    detail = api("GET", f"/api/reuse/devices/{device.pk}").json()
    assert detail["next_steps"] == ["triage", "lost"]
    assert detail["released"] is False and detail["media"][0]["sanitised"] is False
    assert api("GET", "/api/reuse/devices", status="ready").json()["count"] == 0


def test_the_whole_path_through_the_api(api_as, client, tech, city, device, template):
    api = api_as(tech)
    base = f"/api/reuse/devices/{device.pk}"
    r = api("POST", f"{base}/triage", {"outcome": "reuse", "expected_version": 0})
    assert r.status_code == 200 and r.json()["status"] == "to_refurbish"
    r = api("POST", f"{base}/diagnostics", {"template": template.pk, "results": {"boot": "pass"}})
    assert r.status_code == 201 and r.json()["passed"] is True
    r = api("POST", f"{base}/status", {"status": "qa"})
    assert r.status_code == 200
    # refused: the NVMe is not wiped -> 400 with the field, nothing written
    r = api("POST", f"{base}/release", {"checklist_passed": True, "grade": "A"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "media"
    assert not device.releases.exists()
    # the wipe, multipart with the tool's report
    medium = device.media.get()
    report = b"nwipe report"
    r = client.post(
        f"/api/reuse/media/{medium.pk}/sanitisations",
        {
            "level": "purge",
            "method": "NVMe sanitize crypto",
            "tool": "nwipe",
            "tool_version": "0.37",
            "started_at": "2026-01-12T09:00:00+01:00",
            "ended_at": "2026-01-12T09:05:00+01:00",
            "result": "success",
            "report": SimpleUploadedFile("r.json", report),
        },
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert r.status_code == 201, r.content
    assert r.json()["report_sha256"] == hashlib.sha256(report).hexdigest()
    r = api("POST", f"{base}/release", {"checklist_passed": True, "grade": "A"})
    assert r.status_code == 201 and r.json()["device_status"] == "ready"
    # provision to a pseudonym; the cap of a public donor's device is a 400 naming price_eur
    facilitator = core_services.create_user(None, username="fac", password="pw-Impactnum-1")
    core_services.set_membership(None, facilitator, city, Role.FACILITATOR)
    services.create_beneficiary(facilitator, city, pseudonym="B-9", commune="Nevers")
    version = api("GET", base).json()["version"]
    sale = {"type": "solidarity_sale", "beneficiary": "B-9", "expected_version": version}
    r = api("POST", f"{base}/provision", {**sale, "price_eur": "500"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "price_eur"
    r = api("POST", f"{base}/provision", {**sale, "price_eur": "120", "on": "2026-02-01"})
    assert r.status_code == 201
    body = r.json()
    assert body["beneficiary"] == "B-9" and body["guarantee_until"] == "2028-02-01"
    assert "Nevers" not in r.content.decode()


def test_a_stale_version_is_409(api_as, tech, device):
    api = api_as(tech)
    services.triage(tech, device, "reuse")
    r = api(
        "POST", f"/api/reuse/devices/{device.pk}/status", {"status": "lost", "expected_version": 0}
    )
    assert r.status_code == 409
    assert r["Content-Type"] == "application/problem+json"
    # statuses with their own step are not reached through /status
    r = api("POST", f"/api/reuse/devices/{device.pk}/status", {"status": "provided"})
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "status"


def test_roles_and_organisations(api_as, make_user, city, agglo, device):
    viewer = api_as(make_user("viewer", city))
    assert viewer("GET", f"/api/reuse/devices/{device.pk}").status_code == 200
    r = viewer("POST", f"/api/reuse/devices/{device.pk}/triage", {"outcome": "reuse"})
    assert r.status_code == 403
    stranger = api_as(make_user("administrator", agglo))
    assert stranger("GET", f"/api/reuse/devices/{device.pk}").status_code == 404
    assert stranger("GET", "/api/reuse/devices").json()["count"] == 0
    r = stranger("POST", f"/api/reuse/devices/{device.pk}/triage", {"outcome": "reuse"})
    assert r.status_code == 404
    assert api_as(None)("GET", "/api/reuse/devices").status_code == 401


def test_lots_and_a_recycling_shipment(api_as, tech, city, donor, lot):
    api = api_as(tech)
    r = api(
        "POST",
        "/api/reuse/lots",
        {
            "organisation": city.slug,
            "reference": "L-2",
            "donor": donor.pk,
            "received_on": "2026-02-02",
        },
    )
    assert r.status_code == 201 and r.json()["donor_name"] == "DSI"
    assert api("GET", "/api/reuse/lots").json()["count"] == 2
    r = api(
        "POST",
        f"/api/reuse/lots/{lot.pk}/devices",
        {"asset_tag": "R-0100", "kind": "desktop", "media": [{"type": "hdd"}]},
    )
    assert r.status_code == 201
    device_id = r.json()["id"]
    api("POST", f"/api/reuse/devices/{device_id}/triage", {"outcome": "recycling", "reason": "HS"})
    recycler = Party.objects.create(organisation=city, kind="recycler", name="Recycleur")
    r = api("POST", "/api/reuse/shipments", {"recycler": recycler.pk, "weee_category": "6"})
    assert r.status_code == 201
    sid = r.json()["id"]
    r = api("POST", f"/api/reuse/shipments/{sid}/devices", {"device": device_id})
    assert r.status_code == 200 and r.json()["devices"] == [device_id]
    r = api("POST", f"/api/reuse/shipments/{sid}/ship", {"tracking_reference": "BSD-1"})
    assert r.status_code == 400 and "non effacé" in r.json()["detail"]
    assert api("GET", f"/api/reuse/shipments/{sid}").json()["shipped_on"] is None
