"""Live indicator sources on small hand-checked data built through the services, trajectories."""

import datetime as dt
import sys
from pathlib import Path

import pytest

from impactnum.web.fleet import services as fleet_services
from impactnum.web.plan import services
from impactnum.web.plan.evaluations import expected_at, indicator_state
from impactnum.web.plan.indicators import SOURCES, compute
from impactnum.web.projects import services as project_services
from impactnum.web.reuse import services as reuse_services

sys.path.insert(0, str(Path(__file__).parents[1] / "reuse"))
from reuse_helpers import device, new_lot, provide, ready, template

D = dt.date


@pytest.fixture
def fleet(tech, city):
    """2025 purchases: two new laptops at 1000 € and one refurbished at 500 €; held since
    30 June 2024 (365 days before 30 June 2025) and 30 June 2023 (731 days)."""
    make = fleet_services.create_asset
    make(tech, city, kind="laptop", purchase_date=D(2025, 2, 1), price_excl_vat=1000)
    make(tech, city, kind="laptop", purchase_date=D(2025, 3, 1), price_excl_vat=1000)
    make(
        tech,
        city,
        kind="laptop",
        purchase_date=D(2025, 4, 1),
        price_excl_vat=500,
        bought_refurbished=True,
    )


def test_refurbished_shares_by_hand(fleet, city):
    on = D(2025, 12, 31)
    count = compute("fleet.refurbished_share_count", city, on)
    spend = compute("fleet.refurbished_share_spend", city, on)
    assert count.unit == "%" and count.value == pytest.approx(100 / 3)
    assert spend.value == pytest.approx(500 / 2500 * 100)  # 20 %
    assert compute("fleet.refurbished_share_count", city, D(2024, 12, 31)).value is None


def test_average_age_by_hand(tech, city):
    make = fleet_services.create_asset
    make(tech, city, kind="desktop", purchase_date=D(2024, 6, 30))
    make(tech, city, kind="desktop", purchase_date=D(2023, 6, 30))
    make(tech, city, kind="desktop")  # no purchase date: not counted
    m = compute("fleet.average_age", city, D(2025, 6, 30))
    assert m.unit == "ans"
    assert m.value == pytest.approx((365 + 731) / 2 / 365.25)
    assert m.detail["no_purchase_date"] == 1


def test_agec_share_by_hand(fleet, city):
    m = compute("fleet.agec_share", city, D(2025, 6, 30))
    assert m.value == pytest.approx(20.0)  # 500 refurbished of 2500 acquisitions


def test_reuse_and_support_sources_by_hand(tech, city, make_user):
    """Two devices given to two people in 2026, one session with one of them; one device
    given in 2025 is outside the year of the date."""
    facilitator = make_user("facilitator", city)
    tmpl = template(city)
    lot = new_lot(tech, city, on=D(2025, 1, 5))
    p1 = reuse_services.create_beneficiary(facilitator, city, pseudonym="P-1")
    p2 = reuse_services.create_beneficiary(facilitator, city, pseudonym="P-2")
    provide(tech, ready(tech, device(tech, lot, "laptop"), tmpl), p1, on=D(2025, 12, 1))
    provide(tech, ready(tech, device(tech, lot, "laptop"), tmpl), p1, on=D(2026, 2, 1))
    provide(tech, ready(tech, device(tech, lot, "smartphone"), tmpl), p2, on=D(2026, 3, 1))
    reuse_services.record_support_session(
        facilitator, city, beneficiary=p1, date=D(2026, 3, 5), minutes=60
    )
    on = D(2026, 6, 30)
    cache: dict = {}
    assert compute("reuse.devices_provided", city, on, cache=cache).value == 2
    assert compute("reuse.people_equipped", city, on, cache=cache).value == 2
    assert compute("reuse.people_supported", city, on, cache=cache).value == 1
    assert compute("reuse.co2e_avoided", city, on, cache=cache).value > 0
    assert len(cache) == 1  # one report for the four figures
    assert compute("reuse.devices_provided", city, D(2025, 12, 31)).value == 1


def test_project_net_balance_is_the_calculation(manager, city):
    p = project_services.create_project(manager, city, name="Parc", horizon_years=5)
    base = p.scenarios.get()
    project_services.add_line(manager, base, "equipment", kind="laptop", quantity=10)
    expected = project_services.calculate(manager, p)["net"]["gwp"]["value"]
    m = compute("projects.net_balance", city, D(2026, 1, 1), {"project": p.pk}, actor=manager)
    assert m.value == pytest.approx(expected) and m.value > 0
    assert m.unit == "kgCO2e/an"
    missing = compute("projects.net_balance", city, D(2026, 1, 1), {"project": 0}, actor=manager)
    assert missing.value is None and missing.error


def test_registry_sources_have_units_and_definitions():
    assert {
        "fleet.refurbished_share_count",
        "fleet.average_age",
        "reuse.devices_provided",
        "reuse.people_supported",
        "projects.net_balance",
    } <= set(SOURCES)
    for s in SOURCES.values():
        assert s.unit and s.definition, s.code


def test_trajectory_is_linear_between_points(manager, commitment):
    ind = services.add_indicator(
        manager,
        commitment,
        name="Part reconditionnée",
        kind="manual",
        unit="%",
        baseline_value=0,
        baseline_on=D(2023, 1, 1),
        target_value=30,
        target_on=D(2025, 1, 1),
        trajectory=[{"on": "2024-01-01", "value": 20}],
    )
    assert expected_at(ind, D(2022, 12, 31)) is None
    assert expected_at(ind, D(2024, 1, 1)) == 20
    assert expected_at(ind, D(2023, 7, 2)) == pytest.approx(20 * 182 / 365)
    assert expected_at(ind, D(2026, 1, 1)) == 30
    services.record_indicator_value(
        manager, ind, on=D(2024, 6, 1), value=25, evidence="tableau des achats 2024"
    )
    state = indicator_state(ind, D(2024, 7, 1))
    assert state["value"] == 25 and state["evidence"] == "tableau des achats 2024"
    assert state["on_track"] is True and state["target_met"] is False
    assert indicator_state(ind, D(2024, 5, 1))["value"] is None  # entered for a later date


def test_manual_values_need_evidence_and_computed_take_none(manager, commitment):
    from impactnum.web.core.errors import DomainError

    manual = services.add_indicator(manager, commitment, name="Agents formés", kind="manual")
    with pytest.raises(DomainError) as exc:
        services.record_indicator_value(manager, manual, on=D(2026, 1, 1), value=3, evidence=" ")
    assert exc.value.field == "evidence"
    computed = services.add_indicator(
        manager, commitment, name="Âge", kind="computed", source="fleet.average_age"
    )
    assert computed.unit == "ans"
    with pytest.raises(DomainError):
        services.record_indicator_value(manager, computed, on=D(2026, 1, 1), value=3, evidence="x")
    with pytest.raises(DomainError) as exc:
        services.add_indicator(manager, commitment, name="?", kind="computed", source="nope")
    assert exc.value.field == "source"
