"""Fleet footprint, trend and scenarios through the engine, checked by hand with ADEME's laptop.

ademe-2022 laptop (FACTS-environment §2, docs/methodology/annual-impacts.md): manufacture
170.3, distribution 12.3, end of life 2.8 kgCO2e per unit, use 1.7 kgCO2e/yr in France,
default lifespan 5 years. New laptop: 185.4 ÷ 5 + 1.7 = 38.78 kgCO2e/yr; refurbished:
(0.2 × 170.3 + 12.3 + 2.8) ÷ 5 + 1.7 = 11.528 kgCO2e/yr.
"""

import datetime as dt

import pytest

from impactnum.web.core import services as core_services
from impactnum.web.fleet import footprint, scenarios, services
from impactnum.web.fleet.choices import AssetStatus
from impactnum.web.fleet.models import Department, LifespanPolicy

D = dt.date
NEW = 185.4 / 5 + 1.7
REFURB = (0.2 * 170.3 + 12.3 + 2.8) / 5 + 1.7


@pytest.fixture
def tech(city, make_user):
    return make_user("technician", city)


def gwp(result):
    return result["totals"]["gwp"]["value"]


def test_one_new_and_one_refurbished_laptop(tech, city):
    services.create_asset(tech, city, kind="laptop")
    services.create_asset(tech, city, kind="laptop", bought_refurbished=True)
    out = footprint.fleet_footprint(city)
    assert gwp(out) == pytest.approx(NEW + REFURB, rel=1e-3)
    assert out["assets_counted"] == 2 and out["factor_set"].startswith("ademe-2022")
    assert out["by_phase"]["manufacture"]["gwp"]["value"] == pytest.approx(
        (170.3 + 0.2 * 170.3) / 5, rel=1e-3
    )


def test_policy_and_own_lifespans(tech, city):
    LifespanPolicy.objects.create(organisation=city, kind="laptop", years=7)
    services.create_asset(tech, city, kind="laptop")  # policy: 185.4 / 7 + 1.7
    services.create_asset(tech, city, kind="laptop", expected_lifespan_years=4)  # own: / 4
    out = footprint.fleet_footprint(city)
    assert gwp(out) == pytest.approx(185.4 / 7 + 185.4 / 4 + 2 * 1.7, rel=1e-3)
    assert out["provenance"]["inputs"]["lifespan_years"]["given"] == 2


def test_only_held_assets_count_and_uncovered_kinds_are_reported(tech, city):
    services.create_asset(tech, city, kind="laptop")
    services.create_asset(tech, city, kind="laptop", status=AssetStatus.ORDERED)
    services.create_asset(tech, city, kind="laptop", status=AssetStatus.RETIRED)
    services.create_asset(tech, city, kind="network_equipment")
    out = footprint.fleet_footprint(city)
    assert gwp(out) == pytest.approx(NEW, rel=1e-3)
    assert out["not_covered"] == {"network_equipment": 1}
    assert any("network_equipment" in w for w in out["warnings"])


def test_by_department_and_organisation_with_draws(tech, city, agglo, make_user):
    it = Department.objects.create(organisation=city, name="DSI")
    school = Department.objects.create(organisation=city, name="Écoles")
    services.create_asset(tech, city, kind="laptop", department=it)
    services.create_asset(tech, city, kind="laptop", department=school)
    services.create_asset(tech, city, kind="laptop", department=school)
    services.create_asset(tech, city, kind="laptop", country="ZZZ")  # unknown country
    agglo_tech = make_user("technician", agglo)
    services.create_asset(agglo_tech, agglo, kind="laptop")
    out = footprint.fleet_footprint(city, by="department")
    deps = out["by_department"]
    assert deps["DSI"]["gwp"]["value"] == pytest.approx(NEW, rel=1e-3)
    assert deps["Écoles"]["gwp"]["value"] == pytest.approx(2 * NEW, rel=1e-3)
    assert deps["(none)"]["gwp"]["value"] == pytest.approx(NEW, rel=1e-3)  # FRA default
    assert out["country_defaulted"] == {"ZZZ": 1}
    both = footprint.fleet_footprint([city, agglo], by="organisation", draws=200, seed=1)
    orgs = both["by_organisation"]
    assert orgs["agglo-nevers"]["gwp"]["value"] == pytest.approx(NEW, rel=1e-3)
    assert orgs["ville-nevers"]["gwp"]["value"] == pytest.approx(4 * NEW, rel=1e-3)
    total = both["totals"]["gwp"]
    assert total["low"] < total["value"] < total["high"] and both["draws"] == 200


def test_trend_reconstructs_the_fleet_at_each_year_end(tech, city):
    old = services.create_asset(tech, city, kind="laptop", purchase_date=D(2020, 3, 1))
    services.change_status(tech, old, AssetStatus.RETIRED, on=D(2023, 5, 1))
    services.create_asset(tech, city, kind="laptop", purchase_date=D(2022, 9, 1))
    lost = services.create_asset(tech, city, kind="laptop", purchase_date=D(2021, 1, 1))
    services.change_status(tech, lost, AssetStatus.LOST_STOLEN)  # left this year
    out = footprint.footprint_trend(city, range(2019, 2025))
    assets = {p["year"]: p["assets"] for p in out["years"]}
    # 2020: old; 2021: old + lost; 2022: old + lost + new; 2023: lost + new; 2024 same
    assert assets == {2019: 0, 2020: 1, 2021: 2, 2022: 3, 2023: 2, 2024: 2}
    by_year = {p["year"]: p["totals"] for p in out["years"]}
    assert by_year[2019] is None
    assert by_year[2022]["gwp"]["value"] == pytest.approx(3 * NEW, rel=1e-3)


def test_lifespan_extension_scenario(tech, city):
    # One laptop, 5 -> 7 years: avoided 185.4 / 5 − 185.4 / 7 = 10.594 kgCO2e/yr.
    # Cost: 1 000 € / 5 = 200 €/yr -> 1 000 / 7 = 142.86 €/yr: 57.14 €/yr saved, × 5 years.
    services.create_asset(tech, city, kind="laptop", price_excl_vat=1000)
    out = scenarios.fleet_scenario(city, lifespan_years=7, horizon_years=5, draws=200)
    gwp_ = out["impacts"]["gwp"]
    assert gwp_["avoided_per_year"]["value"] == pytest.approx(185.4 / 5 - 185.4 / 7, rel=1e-3)
    low, high = gwp_["avoided_per_year"]["low"], gwp_["avoided_per_year"]["high"]
    assert 0 < low <= gwp_["avoided_per_year"]["value"] <= high
    assert gwp_["avoided_over_horizon"]["value"] == pytest.approx(
        5 * (185.4 / 5 - 185.4 / 7), rel=1e-3
    )
    assert gwp_["probability_variant_lower"] == 1.0
    costs = out["costs"]
    assert costs["baseline_per_year"] == pytest.approx(200)
    assert costs["savings_per_year"]["value"] == pytest.approx(200 - 1000 / 7)
    assert costs["savings_over_horizon"]["value"] == pytest.approx(5 * (200 - 1000 / 7))


def test_refurbished_share_scenario(tech, city):
    # Two new laptops at 1 000 € and 600 € (median 600 with the lower-median rule, P25 600,
    # P75 1 000). Half refurbished at 0.5 × the new price:
    # impacts 2 × 38.78 -> 38.78 + 11.528: avoided 27.252 kgCO2e/yr;
    # costs 2 × 600 / 5 = 240 €/yr -> (600 + 300) / 5 = 180 €/yr: 60 €/yr saved.
    services.create_asset(tech, city, kind="laptop", price_excl_vat=1000)
    services.create_asset(tech, city, kind="laptop", price_excl_vat=600)
    out = scenarios.fleet_scenario(city, refurbished_share=0.5, draws=100)
    assert out["impacts"]["gwp"]["avoided_per_year"]["value"] == pytest.approx(
        NEW - REFURB, rel=1e-3
    )
    costs = out["costs"]
    assert costs["prices_new"]["laptop"]["median"] == 600
    assert costs["savings_per_year"]["value"] == pytest.approx(60)
    # bounds: price P75 1 000 and ratio 0.49 -> 2 × 1000 / 5 × (1 − 0.49) / 2 = 102
    assert costs["savings_per_year"]["high"] == pytest.approx(102)
    assert costs["savings_per_year"]["low"] == pytest.approx(240 * (1 - 0.65) / 2)


def test_scenario_without_prices_lists_the_kinds(tech, city):
    services.create_asset(tech, city, kind="monitor")
    out = scenarios.fleet_scenario(city, lifespan_years=8, draws=50)
    assert out["costs"]["kinds_without_price"] == ["monitor"]
    assert out["costs"]["savings_per_year"]["value"] == 0


def test_compact_is_exact(tech, city):
    """Merging lines by (kind, country, lifespan, refurbished, kWh given) keeps the totals."""
    for kwh in (10, 20, None):
        services.create_asset(tech, city, kind="laptop", kwh_per_year=kwh)
    fs = footprint.factor_set_of("ademe-2022")
    lines = footprint.fleet_columns(city).lines()
    small = scenarios.compact(lines)
    assert len(small) == 2
    from impactnum.engine import compute_annual

    a = compute_annual(lines, fs).summary.totals_json()["gwp"]["value"]
    b = compute_annual(small, fs).summary.totals_json()["gwp"]["value"]
    assert a == pytest.approx(b)


def test_organisation_fixture_has_siret(city):
    assert city.siret and core_services is not None
