"""The asset page's hand-over to the reuse chain (allowed, refused with nothing written, link
kept both ways), what the donor sees of the device afterwards (status, wipes, provision — never
who received it), and the footprint page's scenarios (results and input errors)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from handover_helpers import (
    EDITORS,
    TODAY,
    new_lot,
    retired_asset,
)

from impactnum.web.core.choices import Role
from impactnum.web.fleet import handover, services
from impactnum.web.fleet.choices import AssetStatus
from impactnum.web.fleet.models import Asset, AssetEvent
from impactnum.web.reuse import models as reuse_models
from impactnum.web.reuse import services as reuse
from impactnum.web.reuse.choices import DeviceStatus
from impactnum.web.reuse.models import Device, Party, StorageMedium


def login(client, make_user, role, org):
    user = make_user(role, org)
    client.force_login(user)
    return user


def page(response) -> str:
    return response.content.decode()


def post_handover(client, asset, **data):
    return client.post(reverse("fleet:handover", args=[asset.pk]), data)


# --- hand-over ----------------------------------------------------------------------------------


def test_the_form_shows_on_a_retired_asset_for_editors_only(client, make_user, city, retired, lot):
    url = reverse("fleet:asset", args=[retired.pk])
    for role in Role.values:
        login(client, make_user, role, city)
        html = page(client.get(url))
        assert ('id="handover-form"' in html) == (role in EDITORS), role
    login(client, make_user, Role.MANAGER, city)
    html = page(client.get(url))
    for id_ in ("handover-lot", "handover-asset_tag", "handover-media_type", "handover-submit"):
        assert f'id="{id_}"' in html
    assert "L-001" in html


def test_no_form_on_an_asset_in_service(client, admin, city, lot):
    asset = services.create_asset(admin, city, kind="laptop")
    client.force_login(admin)
    assert 'id="handover-form"' not in page(client.get(reverse("fleet:asset", args=[asset.pk])))


def test_hand_over_links_both_ways_with_its_medium(client, admin, retired, lot):
    client.force_login(admin)
    response = post_handover(client, retired, lot=lot.pk, asset_tag="R-0100", media_type="ssd")
    assert response.status_code == 302
    assert response.url == reverse("fleet:asset", args=[retired.pk]) + "#reuse"
    retired.refresh_from_db()
    assert retired.status == AssetStatus.HANDED_TO_REUSE
    assert retired.reuse_proof == "lot L-001"
    device = retired.reuse_device
    assert device.fleet_asset_id == retired.pk and device.lot_id == lot.pk
    assert (device.asset_tag, device.kind, device.brand, device.serial_number) == (
        "R-0100",
        "laptop",
        "Lenovo",
        "PF-OLD",
    )
    assert [m.type for m in device.media.all()] == ["ssd"]
    html = page(client.get(reverse("fleet:asset", args=[retired.pk])))
    assert 'id="reuse-summary"' in html and "R-0100" in html and "Reçu" in html
    assert "pas encore effacé" in html and "pas encore remis" in html
    assert 'id="handover-form"' not in html  # no longer retired


def test_without_medium_nothing_to_wipe(client, admin, retired, lot):
    client.force_login(admin)
    assert post_handover(client, retired, lot=lot.pk, asset_tag="R-1").status_code == 302
    assert retired.reuse_device.media.count() == 0
    assert "aucun support de stockage enregistré" in page(
        client.get(reverse("fleet:asset", args=[retired.pk]))
    )


def _nothing_written(asset, events_before):
    asset.refresh_from_db()
    assert asset.status == AssetStatus.RETIRED
    assert not Device.objects.filter(fleet_asset=asset).exists()
    assert AssetEvent.objects.filter(asset=asset).count() == events_before


def test_a_duplicate_tag_is_refused_next_to_the_field(client, admin, city, retired, lot):
    other = retired_asset(admin, city, serial="PF-2")
    reuse.register_device(admin, lot, asset_tag="R-0100", kind="laptop")
    before = AssetEvent.objects.filter(asset=other).count()
    client.force_login(admin)
    response = post_handover(client, other, lot=lot.pk, asset_tag="R-0100", media_type="hdd")
    assert response.status_code == 400
    html = page(response)
    assert 'id="handover-asset_tag-error"' in html
    assert "déjà utilisée" in html
    _nothing_written(other, before)
    assert not StorageMedium.objects.filter(type="hdd").exists()


def test_missing_fields_and_another_organisations_lot(
    client, make_user, admin, agglo, retired, lot
):
    owner = make_user(Role.ADMINISTRATOR, agglo)
    agglo_lot = new_lot(owner, agglo, reference="L-AGG")
    before = AssetEvent.objects.filter(asset=retired).count()
    client.force_login(admin)
    response = post_handover(client, retired, lot=agglo_lot.pk, asset_tag="")
    assert response.status_code == 400
    html = page(response)
    assert 'id="handover-lot-error"' in html and 'id="handover-asset_tag-error"' in html
    response = post_handover(client, retired, lot=lot.pk, asset_tag="R-9", media_type="floppy")
    assert response.status_code == 400 and 'id="handover-media_type-error"' in page(response)
    _nothing_written(retired, before)


def test_viewer_and_other_organisation_are_refused(client, make_user, city, agglo, retired, lot):
    login(client, make_user, Role.VIEWER, city)
    assert post_handover(client, retired, lot=lot.pk, asset_tag="R-1").status_code == 403
    login(client, make_user, Role.ADMINISTRATOR, agglo)
    assert post_handover(client, retired, lot=lot.pk, asset_tag="R-1").status_code == 404
    assert not Device.objects.exists()


# --- what the donor sees ------------------------------------------------------------------------


def provided_device(admin, city, retired, lot, *, to_person=True):
    device = handover.hand_over(
        admin, retired, lot, asset_tag="R-0200", media=[{"type": "ssd", "serial_number": "S1"}]
    )
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
            level="purge",
            method="sanitize",
            tool="nwipe",
            result="success",
            started_at=now,
            ended_at=now,
        )
    reuse.release(admin, device, checklist_passed=True, grade="B")
    device.refresh_from_db()
    if to_person:
        person = reuse.create_beneficiary(
            admin, city, pseudonym="BEN-SECRET-42", commune="Varennes-Vauzelles"
        )
        reuse.provide(
            admin,
            device,
            type_="solidarity_sale",
            beneficiary=person,
            price_eur=Decimal("47.50"),
            on=TODAY,
        )
    else:
        school = Party.objects.create(organisation=city, kind="school", name="Collège Secret Nord")
        reuse.provide(admin, device, type_="donation", recipient=school, on=TODAY)
    return device


@pytest.mark.parametrize("to_person", [True, False])
def test_donor_sees_status_and_proof_never_the_recipient(
    client, admin, city, retired, lot, to_person
):
    provided_device(admin, city, retired, lot, to_person=to_person)
    client.force_login(admin)
    html = page(client.get(reverse("fleet:asset", args=[retired.pk])))
    assert "Remis" in html and "tous les supports effacés" in html
    assert 'id="reuse-wipes"' in html and "Purge" in html
    assert TODAY.strftime("%d/%m/%Y") in html
    assert ("Vente solidaire" if to_person else "Don") in html
    for secret in ("BEN-SECRET-42", "Varennes-Vauzelles", "Collège Secret Nord", "47,50", "47.50"):
        assert secret not in html


def test_summary_of_an_asset_never_handed_over(admin, city):
    asset = services.create_asset(admin, city, kind="laptop")
    assert handover.reuse_summary(asset) is None


# --- scenarios ----------------------------------------------------------------------------------


@pytest.fixture
def laptops(admin, city):
    services.set_lifespan_policy(admin, city, "laptop", 5)
    for price in (1000, 600):
        services.create_asset(admin, city, kind="laptop", price_excl_vat=price)


def test_footprint_page_has_the_scenario_form(client, admin, laptops):
    client.force_login(admin)
    html = page(client.get(reverse("fleet:footprint")))
    for id_ in (
        "scenario-form",
        "scenario-lifespan_years",
        "scenario-refurbished_share",
        "scenario-horizon_years",
        "scenario-submit",
    ):
        assert f'id="{id_}"' in html
    assert 'id="scenario-impacts"' not in html


def test_scenario_results_on_the_footprint_page(client, admin, laptops):
    client.force_login(admin)
    response = client.get(
        reverse("fleet:footprint"),
        {
            "organisation": "ville-nevers",
            "lifespan_years": "7",
            "refurbished_share": "50",
            "horizon_years": "6",
        },
    )
    assert response.status_code == 200
    html = page(response)
    assert 'id="scenario-impacts"' in html and 'id="scenario-gwp"' in html
    assert 'id="scenario-savings-year"' in html and 'class="range"' in html
    scenario = response.context["scenario"]
    assert scenario["scenario"]["refurbished_share"] == 0.5
    assert scenario["scenario"]["horizon_years"] == 6
    gwp = scenario["impacts"]["gwp"]
    assert gwp["avoided_per_year"]["value"] > 0
    assert gwp["avoided_over_horizon"]["value"] == pytest.approx(
        6 * gwp["avoided_per_year"]["value"]
    )
    assert gwp["probability_variant_lower"] == 1.0
    savings = scenario["costs"]["savings_per_year"]
    assert savings["low"] <= savings["value"] <= savings["high"] and savings["value"] > 0


@pytest.mark.parametrize(
    "params, field",
    [
        ({"lifespan_years": "0"}, "lifespan_years"),
        ({"lifespan_years": "abc"}, "lifespan_years"),
        ({"refurbished_share": "120"}, "refurbished_share"),
        ({"refurbished_share": "-1"}, "refurbished_share"),
        ({"lifespan_years": "7", "horizon_years": "0"}, "horizon_years"),
        ({"lifespan_years": "", "refurbished_share": "0"}, None),
    ],
)
def test_scenario_input_errors_are_clear(client, admin, laptops, params, field):
    client.force_login(admin)
    response = client.get(reverse("fleet:footprint"), params)
    assert response.status_code == 200  # the footprint still shows; the form says what is wrong
    html = page(response)
    assert 'id="scenario-impacts"' not in html
    if field:
        assert f'id="scenario-{field}-error"' in html
    else:
        assert 'id="scenario-form-errors"' in html
        assert "Indiquez une durée de vie visée ou une part de reconditionné" in html


def test_scenario_on_an_empty_fleet(client, make_user, agglo):
    login(client, make_user, Role.VIEWER, agglo)
    response = client.get(reverse("fleet:footprint"), {"lifespan_years": "7"})
    assert response.status_code == 200


def test_assets_are_untouched_by_a_scenario(client, admin, laptops):
    client.force_login(admin)
    before = list(Asset.objects.values_list("pk", "version"))
    client.get(reverse("fleet:footprint"), {"lifespan_years": "8"})
    assert list(Asset.objects.values_list("pk", "version")) == before
