"""The fleet API's hand-over to the reuse chain (201 with the device id, refusals naming their
field with nothing written, per role), the donor's view of the device in the asset (never who
received it) and the fleet scenarios (results and input errors)."""

import json
from decimal import Decimal

import pytest
from django.utils import timezone
from handover_helpers import (
    EDITORS,
    TODAY,
    new_lot,
    retired_asset,
)

from impactnum.web.core.choices import Role
from impactnum.web.fleet import services
from impactnum.web.fleet.choices import AssetStatus
from impactnum.web.fleet.models import AssetEvent
from impactnum.web.reuse import models as reuse_models
from impactnum.web.reuse import services as reuse
from impactnum.web.reuse.choices import DeviceStatus
from impactnum.web.reuse.models import Device, Party


def url(asset):
    return f"/api/fleet/assets/{asset.pk}/handover"


def test_hand_over_returns_the_device_and_links_both_ways(api_as, admin, retired, lot):
    api = api_as(admin)
    body = {"lot": lot.pk, "asset_tag": "R-0100", "media": [{"type": "ssd", "serial_number": "S"}]}
    response = api("POST", url(retired), body)
    assert response.status_code == 201, response.content
    data = response.json()
    device = Device.objects.get(pk=data["device_id"])
    assert device.fleet_asset_id == retired.pk and device.lot_id == lot.pk
    assert data["asset_tag"] == "R-0100" and data["lot"] == lot.pk
    assert data["asset"]["status"] == AssetStatus.HANDED_TO_REUSE
    assert data["asset"]["reuse"]["device_id"] == device.pk
    assert [m.type for m in device.media.all()] == ["ssd"]
    read = api("GET", f"/api/fleet/assets/{retired.pk}").json()
    assert read["reuse"] == {
        "device_id": device.pk,
        "asset_tag": "R-0100",
        "status": "received",
        "status_label": "Reçu",
        "media": 1,
        "wiped": False,
        "provided": False,
        "provided_on": None,
        "proof": {
            "provision_type": None,
            "provision_type_label": None,
            "returned_on": None,
            "wipes": [],
        },
    }


def test_an_asset_never_handed_over_has_no_reuse(api_as, admin, city):
    asset = services.create_asset(admin, city, kind="laptop")
    assert api_as(admin)("GET", f"/api/fleet/assets/{asset.pk}").json()["reuse"] is None


@pytest.mark.parametrize("role", list(Role.values))
def test_hand_over_per_role(api_as, make_user, city, retired, lot, role):
    response = api_as(make_user(role, city))(
        "POST", url(retired), {"lot": lot.pk, "asset_tag": "R"}
    )
    assert response.status_code == (201 if role in EDITORS else 403), response.content


def _errors(response):
    return {e["field"] for e in response.json().get("errors", [])}


def test_refusals_name_their_field_and_write_nothing(api_as, make_user, admin, agglo, city, lot):
    asset = retired_asset(admin, city)
    in_service = services.create_asset(admin, city, kind="laptop", serial_number="IS")
    reuse.register_device(admin, lot, asset_tag="TAKEN", kind="laptop")
    agglo_lot = new_lot(make_user(Role.ADMINISTRATOR, agglo), agglo, reference="L-AGG")
    before = AssetEvent.objects.filter(asset=asset).count()
    api = api_as(admin)
    cases = [
        (asset, {"lot": agglo_lot.pk, "asset_tag": "R-1"}, "lot"),
        (asset, {"lot": 999_999, "asset_tag": "R-1"}, "lot"),
        (asset, {"lot": lot.pk, "asset_tag": "TAKEN", "media": [{"type": "ssd"}]}, "asset_tag"),
        (asset, {"lot": lot.pk, "asset_tag": "  "}, "asset_tag"),
        (in_service, {"lot": lot.pk, "asset_tag": "R-2"}, "status"),
    ]
    for target, body, field in cases:
        response = api("POST", url(target), body)
        assert response.status_code == 400, (body, response.content)
        assert field in _errors(response), (body, response.json())
    response = api("POST", url(asset), {"lot": lot.pk, "asset_tag": "R", "media": [{"type": "x"}]})
    assert response.status_code in (400, 422)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.RETIRED
    assert AssetEvent.objects.filter(asset=asset).count() == before
    assert Device.objects.filter(fleet_asset__isnull=False).count() == 0
    assert reuse_models.StorageMedium.objects.count() == 0


def test_another_organisations_asset_is_not_found(api_as, make_user, agglo, lot):
    owner = make_user(Role.ADMINISTRATOR, agglo)
    theirs = retired_asset(owner, agglo, serial="AGG")
    api = api_as(make_user(Role.ADMINISTRATOR, lot.organisation))
    assert api("POST", url(theirs), {"lot": lot.pk, "asset_tag": "R"}).status_code == 404


def _provide(admin, city, device, *, to_person):
    tmpl = reuse_models.TestTemplate.objects.create(
        organisation=city, name="PC", kind="laptop", items=[{"code": "boot", "label": "Boot"}]
    )
    reuse.triage(admin, device, "reuse")
    reuse.diagnose(admin, device, tmpl, {"boot": "pass"})
    reuse.change_status(admin, device, DeviceStatus.QA)
    now = timezone.now()
    for m in device.media.all():
        reuse.record_sanitisation(
            admin,
            m,
            level="destroy",
            method="shred",
            tool="shredder",
            result="success",
            started_at=now,
            ended_at=now,
        )
    reuse.release(admin, device, checklist_passed=True, grade="A")
    device.refresh_from_db()
    if to_person:
        person = reuse.create_beneficiary(
            admin, city, pseudonym="BEN-SECRET-42", commune="Fourchambault"
        )
        reuse.provide(admin, device, type_="loan", beneficiary=person, on=TODAY)
    else:
        school = Party.objects.create(organisation=city, kind="school", name="Collège Secret Nord")
        reuse.provide(
            admin,
            device,
            type_="solidarity_sale",
            recipient=school,
            price_eur=Decimal("63.21"),
            on=TODAY,
        )


@pytest.mark.parametrize("to_person", [True, False])
def test_donor_sees_the_proof_never_the_recipient(api_as, admin, city, retired, lot, to_person):
    api = api_as(admin)
    body = {"lot": lot.pk, "asset_tag": "R-5", "media": [{"type": "hdd"}, {"type": "ssd"}]}
    device = Device.objects.get(pk=api("POST", url(retired), body).json()["device_id"])
    _provide(admin, city, device, to_person=to_person)
    response = api("GET", f"/api/fleet/assets/{retired.pk}")
    reuse_out = response.json()["reuse"]
    assert reuse_out["status"] == "provided" and reuse_out["status_label"] == "Remis"
    assert reuse_out["wiped"] is True and reuse_out["media"] == 2
    assert reuse_out["provided"] is True and reuse_out["provided_on"] == TODAY.isoformat()
    assert reuse_out["proof"]["provision_type"] == ("loan" if to_person else "solidarity_sale")
    wipes = reuse_out["proof"]["wipes"]
    assert [w["level"] for w in wipes] == ["destroy", "destroy"]
    assert {w["on"] for w in wipes} == {timezone.localdate().isoformat()}
    text = json.dumps(response.json(), ensure_ascii=False)
    for secret in ("BEN-SECRET-42", "Fourchambault", "Collège Secret Nord", "63.21", "beneficiary"):
        assert secret not in text
    assert set(reuse_out) == {
        "device_id",
        "asset_tag",
        "status",
        "status_label",
        "media",
        "wiped",
        "provided",
        "provided_on",
        "proof",
    }


# --- scenarios ----------------------------------------------------------------------------------


def test_scenario(api_as, admin, city):
    services.set_lifespan_policy(admin, city, "laptop", 5)
    services.create_asset(admin, city, kind="laptop", price_excl_vat=1000)
    api = api_as(admin)
    response = api(
        "GET",
        "/api/fleet/scenario",
        organisation="ville-nevers",
        lifespan_years=7,
        refurbished_share=0,
        horizon_years=5,
        draws=200,
    )
    assert response.status_code == 200, response.content
    data = response.json()
    gwp = data["impacts"]["gwp"]
    assert gwp["avoided_per_year"]["value"] == pytest.approx(185.4 / 5 - 185.4 / 7, rel=1e-3)
    assert gwp["avoided_per_year"]["low"] <= gwp["avoided_per_year"]["high"]
    assert gwp["probability_variant_lower"] == 1.0
    assert data["costs"]["savings_per_year"]["value"] == pytest.approx(200 - 1000 / 7)
    assert data["costs"]["savings_over_horizon"]["value"] == pytest.approx(5 * (200 - 1000 / 7))
    share = api("GET", "/api/fleet/scenario", refurbished_share=50, draws=100).json()
    assert share["scenario"]["refurbished_share"] == 0.5
    assert share["impacts"]["gwp"]["avoided_per_year"]["value"] > 0


@pytest.mark.parametrize(
    "params",
    [
        {"lifespan_years": 0},
        {"lifespan_years": "abc"},
        {"refurbished_share": 101},
        {"refurbished_share": -5},
        {"lifespan_years": 7, "horizon_years": 0},
        {"lifespan_years": 7, "draws": 5},
        {},
    ],
)
def test_scenario_input_errors(api_as, admin, city, params):
    response = api_as(admin)("GET", "/api/fleet/scenario", organisation="ville-nevers", **params)
    assert response.status_code in (400, 422), (params, response.content)
    assert response["Content-Type"] == "application/problem+json"
