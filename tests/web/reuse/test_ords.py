"""ORDS v0.3 export: every row passes the standard's rules, and problems carry no personal data."""

import csv
import datetime as dt
import io
import re

import pytest
from reuse_helpers import device, new_lot

from impactnum.web.fleet import services as fleet_services
from impactnum.web.fleet.choices import ORDS_BARRIER_TEXT
from impactnum.web.reuse import ords, services

ID = re.compile(r"^[a-z]+-[0-9]+$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STATUSES = {"Fixed", "Repairable", "End of life", "Unknown"}


def check_schema(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == ords.ORDS_COLUMNS
    rows = list(reader)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    for r in rows:
        assert ID.match(r["id"]), r["id"]
        assert re.fullmatch(r"[A-Z]{3}", r["country"])
        assert r["repair_status"] in STATUSES
        barrier = r["repair_barrier_if_end_of_life"]
        assert barrier == "" or barrier in ORDS_BARRIER_TEXT.values()
        if r["repair_status"] != "End of life":
            assert barrier == ""
        assert DATE.match(r["event_date"])
        dt.date.fromisoformat(r["event_date"])
        assert r["product_category_id"].isdigit()
        if r["year_of_manufacture"]:
            assert re.fullmatch(r"\d{4}", r["year_of_manufacture"])
            assert int(r["product_age"]) >= 0
    return rows


@pytest.fixture
def repaired(tech, city, facilitator_person):
    lot = new_lot(tech, city)
    laptop = device(tech, lot, "laptop", brand="Dell", year=2018)
    services.record_repair(
        tech,
        laptop,
        problem=(
            "Écran cassé, appeler Mme Dupont au 06 12 34 56 78 ou jean.dupont@mail.fr "
            "— pour B-17, voir https://exemple.fr/ticket/4"
        ),
        outcome="fixed",
        on=dt.date(2026, 2, 1),
    )
    phone = device(tech, lot, "smartphone", brand="Fairphone")
    services.record_repair(
        tech,
        phone,
        problem="connecteur de charge",
        outcome="end_of_life",
        barrier="spare_parts_not_available",
        on=dt.date(2026, 2, 2),
    )
    server = device(tech, lot, "server", media=False)
    services.record_repair(tech, server, problem="alim", outcome="repairable")
    return lot


@pytest.fixture
def facilitator_person(city, make_user):
    return services.create_beneficiary(
        make_user("facilitator", city), city, pseudonym="B-17", commune="58194"
    )


def test_reuse_repairs_follow_the_standard(repaired, city):
    rows = check_schema(ords.ords_csv(city))
    assert len(rows) == 3
    laptop = next(r for r in rows if r["brand"] == "Dell")
    assert laptop["product_category"] == "Laptop" and laptop["product_category_id"] == "16"
    assert laptop["partner_product_category"] == "Laptop"
    assert laptop["country"] == "FRA" and laptop["year_of_manufacture"] == "2018"
    assert laptop["product_age"] == "8" and laptop["repair_status"] == "Fixed"
    assert laptop["id"].startswith("villenevers-")
    assert laptop["data_provider"] == "Ville de Nevers"
    assert laptop["group_identifier"] == "ville-nevers"
    phone = next(r for r in rows if r["brand"] == "Fairphone")
    assert phone["repair_status"] == "End of life"
    assert phone["repair_barrier_if_end_of_life"] == "Spare parts not available"
    assert phone["product_category"] == "Mobile" and phone["product_category_id"] == "19"
    misc = next(r for r in rows if r["repair_status"] == "Repairable")
    assert misc["product_category"] == "Misc"


def test_problem_carries_no_personal_data(repaired, city):
    text = ords.ords_csv(city)
    for secret in ("Dupont", "06 12 34 56 78", "jean.dupont@mail.fr", "B-17", "exemple.fr"):
        assert secret not in text
    assert "Écran cassé" in text and ords.REMOVED in text


def test_fleet_repairs_are_included_with_distinct_ids(repaired, city, make_user):
    manager = make_user("manager", city)
    asset = fleet_services.create_asset(
        manager,
        city,
        kind="desktop",
        manufacturer="HP",
        assigned_to="Paul Durand",
        purchase_date=dt.date(2019, 5, 1),
    )
    repair = fleet_services.open_repair(
        manager, asset, problem="ventilateur de Paul Durand", opened_on=dt.date(2026, 1, 4)
    )
    fleet_services.close_repair(manager, repair, outcome="end_of_life", barrier="item_too_worn_out")
    rows = check_schema(ords.ords_csv(city))
    assert len(rows) == 4
    hp = next(r for r in rows if r["brand"] == "HP")
    assert hp["product_category"] == "Desktop computer"
    assert hp["repair_barrier_if_end_of_life"] == "Product too worn out"
    assert "Paul Durand" not in hp["problem"]
    assert len(check_schema(ords.ords_csv(city, include_fleet=False))) == 3


def test_another_organisation_exports_nothing_of_ours(repaired, agglo):
    assert check_schema(ords.ords_csv(agglo)) == []


@pytest.mark.parametrize(
    "text,kept",
    [
        ("RAM 8 Go DDR4 2400, le 2024-03-15", "RAM 8 Go DDR4 2400, le 2024-03-15"),
        ("réf. pièce 5400-1234", "réf. pièce 5400-1234"),
        ("tél +33 6 12 34 56 78", f"tél {ords.REMOVED}"),
        ("M. Jean Martin l'a apporté", f"{ords.REMOVED} l'a apporté"),
        ("suite anon-12", f"suite {ords.REMOVED}"),
    ],
)
def test_scrubber_keeps_technical_text(city, db, text, kept):
    assert ords.scrubber(city)(text) == kept
