"""The period report, a lot's balance and materials recovered: hand-checkable cases."""

import datetime as dt

import pytest
from reuse_helpers import device, new_lot, provide, ready, template

from impactnum.web.reuse import materials, services
from impactnum.web.reuse.choices import DeviceStatus
from impactnum.web.reuse.models import Party, WeeeShipment
from impactnum.web.reuse.report import lot_balance, new_prices, reuse_report

D = dt.date
PERIOD = (D(2026, 1, 1), D(2026, 12, 31))


@pytest.fixture
def facilitator(city, make_user):
    return make_user("facilitator", city)


@pytest.fixture
def scene(tech, city, facilitator):
    """One lot of 4: a laptop sold, a smartphone donated, a desktop dismantled, a laptop
    recycled; one repair of 90 minutes; one support session of 2 hours."""
    lot = new_lot(tech, city, donor_kind="association", weight=20, items=5, on=D(2026, 2, 1))
    tmpl = template(city)
    person = services.create_beneficiary(facilitator, city, pseudonym="P-1", commune="58194")
    other = services.create_beneficiary(facilitator, city, pseudonym="P-2")
    sold = ready(tech, device(tech, lot, "laptop", mass_kg=2), tmpl)
    services.record_repair(
        tech, sold, problem="hinge", outcome="fixed", minutes_spent=90, on=D(2026, 2, 3)
    )
    provide(tech, sold, person, on=D(2026, 3, 1), price="100", type_="solidarity_sale")
    phone = ready(tech, device(tech, lot, "smartphone"), tmpl)
    provide(tech, phone, other, on=D(2026, 3, 2))
    parts = device(tech, lot, "desktop", media=False, mass_kg=7)
    services.triage(tech, parts, "parts", reason="obsolete")
    services.harvest_part(tech, parts, "RAM 8 Go")
    services.change_status(tech, parts, DeviceStatus.DISMANTLED)
    old = device(tech, lot, "laptop", media=False, mass_kg=2.5)
    services.triage(tech, old, "recycling", reason="broken screen")
    recycler = Party.objects.create(organisation=city, kind="recycler", name="Recycleur")
    shipment = WeeeShipment.objects.create(
        organisation=city, recycler=recycler, weee_category="2", weight_kg=2.5
    )
    services.add_to_shipment(tech, shipment, old)
    services.ship(tech, shipment, on=D(2026, 4, 1), tracking_reference="BSD-1")
    services.record_support_session(
        facilitator, city, beneficiary=person, date=D(2026, 3, 5), minutes=120
    )
    return {"lot": lot, "shipment": shipment}


def test_report_top_level_figures(scene, city):
    r = reuse_report(city, *PERIOD)
    for key in (
        "devices_collected",
        "kg_collected",
        "devices_provided",
        "people_equipped",
        "kg_recycled",
        "co2e_avoided_kg",
    ):
        assert isinstance(r[key], int | float) and not isinstance(r[key], bool), key
    assert r["devices_collected"] == 4 and r["kg_collected"] == 20
    assert r["devices_provided"] == 2 and r["people_equipped"] == 2
    assert r["devices_recycled"] == 1 and r["kg_recycled"] == 2.5
    assert r["kg_recycled_by_weee_category"] == {"2": 2.5}
    assert r["devices_dismantled"] == 1 and r["parts_harvested"] == 1
    assert r["reuse_rate"] == pytest.approx(2 / 4)
    assert r["work_hours"] == 1.5 and r["repairs_fixed"] == 1
    assert r["support_hours"] == 2 and r["support_sessions"] == 1
    # Restart: laptop 265.32 × 0.5 + mobile 50.51 × 0.5; waste 1.83 + 0.15
    assert r["co2e_avoided_kg"] == pytest.approx(132.66 + 25.255)
    assert r["ewaste_avoided_kg"] == pytest.approx(1.98)
    assert "Restart" in r["co2e_method"] and r["co2e_factors"] == "restart-ords@2023.1"
    # money saved: new laptop price − 100 € paid (the phone has no reference price)
    assert r["money_saved_eur"] == float(new_prices()["laptop"][0]) - 100
    assert r["money_saved_kinds_without_price"] == {"smartphone": 1}
    assert r["solidarity_sales_eur"] == 100
    mats = {m["material"]: m for m in r["materials_recovered"]["materials"]}
    assert mats["gold"]["grams_contained"] == pytest.approx(0.141)
    assert mats["gold"]["grams_recovered"] == pytest.approx(0.141 * 0.256, abs=1e-4)


def test_report_with_ademe_names_the_factor_set(scene, city):
    r = reuse_report(city, *PERIOD, method="ademe")
    assert r["co2e_factors"] == "ademe-2022@1.0.0"
    assert r["co2e_avoided_kg"] == pytest.approx((170.3 + 12.3) * 0.5 + (83 + 2.1) * 0.5)


def test_report_outside_the_period_is_empty_and_other_orgs_see_nothing(scene, city, agglo):
    r = reuse_report(city, D(2027, 1, 1), D(2027, 12, 31))
    assert r["devices_collected"] == 0 and r["co2e_avoided_kg"] == 0 and r["reuse_rate"] is None
    assert reuse_report(agglo, *PERIOD)["devices_provided"] == 0


def test_a_device_given_again_is_counted_once(scene, tech, city, facilitator):
    from impactnum.web.reuse.models import Provision

    first = Provision.objects.get(device__kind="smartphone")
    dev = first.device
    services.change_status(tech, dev, DeviceStatus.RETURNED)
    services.change_status(tech, dev, DeviceStatus.TO_REFURBISH)
    services.diagnose(tech, dev, template(city), {"boot": "pass"})
    services.change_status(tech, dev, DeviceStatus.QA)
    services.release(tech, dev, checklist_passed=True, grade="C")
    person = services.create_beneficiary(facilitator, city, pseudonym="P-3")
    provide(tech, dev, person, on=D(2026, 6, 1))
    r = reuse_report(city, *PERIOD)
    assert r["devices_provided"] == 3 and r["devices_first_provided"] == 2
    assert r["co2e_avoided_kg"] == pytest.approx(132.66 + 25.255)


def test_lot_balance(scene):
    b = lot_balance(scene["lot"])
    assert b["items"] == {
        "reused": 2,
        "parts": 1,
        "recycled": 1,
        "lost": 0,
        "in_stock": 0,
        "total": 4,
    }
    assert b["items_unaccounted"] == 1  # 5 declared, 4 registered
    # laptop 2 kg + smartphone (unknown mass: ORDS weight 0.15) ; desktop 7 ; laptop 2.5
    assert b["kg"]["reused"] == pytest.approx(2.15) and b["estimated_kg"] == pytest.approx(0.15)
    assert b["kg"]["total"] == pytest.approx(11.65)
    assert b["kg_unaccounted"] == pytest.approx(20 - 11.65)


def test_materials_estimate_flags_what_to_verify_and_kinds_without_data():
    est = materials.estimate({"smartphone": 10, "monitor": 2})
    gold = next(m for m in est["materials"] if m["material"] == "gold")
    assert gold["grams_contained"] == pytest.approx(0.3)
    assert gold["grams_recovered"] == pytest.approx(0.3 * 0.256)
    copper = next(m for m in est["materials"] if m["material"] == "copper")
    assert copper["to_verify"] is True
    assert est["kinds_without_data"] == ["monitor"]
    for m in est["materials"]:
        assert m["sources"]


def test_shipment_materials(scene):
    est = materials.shipment_materials(scene["shipment"])
    assert est["devices_counted"] == {"laptop": 1.0}
    cobalt = next(m for m in est["materials"] if m["material"] == "cobalt")
    assert cobalt["grams_contained"] == pytest.approx(49.7)
