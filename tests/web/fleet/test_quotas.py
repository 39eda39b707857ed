"""AGEC art. 58 purchases, the data.gouv.fr declaration and the décret 2023-266 reuse quota,
on small fleets computed by hand."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from click.testing import CliRunner

from impactnum.cli.fleet_quotas import declaration as declaration_command
from impactnum.web.core import services as core_services
from impactnum.web.fleet import declaration, quotas, services
from impactnum.web.fleet.choices import AssetStatus, ProductCategory
from impactnum.web.fleet.models import Purchase, QuotaTargetOverride

D = dt.date
S = AssetStatus


@pytest.fixture
def tech(city, make_user):
    return make_user("technician", city)


def asset(tech, org, **fields):
    fields.setdefault("kind", "laptop")
    return services.create_asset(tech, org, **fields)


# --- targets -------------------------------------------------------------------------------


def test_shipped_targets_have_sources_and_the_trajectory():
    rows = quotas.shipped_targets()
    assert all(r.source for r in rows)
    agec = {(t.from_year, t.target) for t in quotas.targets(quotas.AGEC_IT)}
    assert {(2024, 0.20), (2027, 0.25), (2030, 0.30)} <= agec
    assert quotas.target_for(quotas.AGEC_IT, 2026).target == 0.20
    assert quotas.target_for(quotas.AGEC_IT, 2029).target == 0.25
    assert quotas.target_for(quotas.AGEC_IT, 2031).target == 0.30
    assert quotas.target_for(quotas.AGEC_IT, 2024).status == "to verify"
    assert quotas.target_for(quotas.AGEC_IT, 2020) is None
    r = quotas.RETIRED_REUSE
    assert [quotas.target_for(r, y).target for y in (2023, 2024, 2025, 2032)] == [
        0.25,
        0.35,
        0.50,
        0.50,
    ]


def test_organisation_override(city):
    QuotaTargetOverride.objects.create(
        organisation=city, rule=quotas.AGEC_IT, from_year=2024, target=0.4, source="council vote"
    )
    t = quotas.target_for(quotas.AGEC_IT, 2025, city)
    assert (t.target, t.status, t.source) == (0.4, "organisation", "council vote")
    assert quotas.target_for(quotas.AGEC_IT, 2028, city).target == 0.25  # shipped 2027 step
    assert quotas.target_for(quotas.AGEC_IT, 2025).target == 0.20  # other organisations


# --- AGEC art. 58 ---------------------------------------------------------------------------


@pytest.fixture
def purchases_2024(tech, city):
    asset(tech, city, purchase_date=D(2024, 2, 1), price_excl_vat=Decimal("1000"))
    asset(tech, city, purchase_date=D(2024, 3, 1), price_excl_vat=400, bought_refurbished=True)
    asset(
        tech,
        city,
        kind="monitor",
        purchase_date=D(2024, 4, 1),
        price_excl_vat=200,
        recycled_material=True,
    )
    asset(
        tech,
        city,
        kind="smartphone",
        purchase_date=D(2024, 5, 1),
        price_excl_vat=100,
        bought_refurbished=True,
        recycled_material=True,
    )
    asset(
        tech,
        city,
        purchase_date=D(2024, 6, 1),
        received_as_donation=True,
        donation_value=150,
    )
    asset(tech, city, kind="desktop", purchase_date=D(2024, 7, 1))  # no price
    asset(tech, city, purchase_date=D(2023, 12, 31), price_excl_vat=800)  # other year


def test_agec_purchases_by_hand(city, purchases_2024):
    # total 1000 + 400 + 200 + 100 = 1700; reuse 400 + 100 = 500; recycled 200 + 100 = 300;
    # reuse or recycled, once each: 400 + 200 + 100 = 700; donations 150.
    # acquisitions 1700 + 150 = 1850; reuse (500 + 150) / 1850; recycled 300 / 1850;
    # together (700 + 150) / 1850 = 0.459 ≥ 0.20 (2024).
    r = quotas.agec_purchases(city, 2024)
    assert r["amounts"] == {
        "total": 1700.0,
        "reuse": 500.0,
        "recycled": 300.0,
        "reuse_or_recycled": 700.0,
        "donations": 150.0,
    }
    assert r["acquisitions"] == 1850.0
    assert r["shares"]["reuse"] == pytest.approx(650 / 1850)
    assert r["shares"]["recycled"] == pytest.approx(300 / 1850)
    assert r["shares"]["together"] == pytest.approx(850 / 1850)
    assert r["target"]["target"] == 0.20 and r["met"] is True
    assert r["assets_bought"] == 5 and r["assets_donated"] == 1
    assert any("no price" in w for w in r["warnings"])


def test_agec_no_purchase_gives_no_share(city):
    r = quotas.agec_purchases(city, 2024)
    assert r["shares"]["together"] is None and r["met"] is None


def test_agec_under_target(tech, city):
    asset(tech, city, purchase_date=D(2027, 1, 5), price_excl_vat=900)
    asset(tech, city, purchase_date=D(2027, 1, 5), price_excl_vat=100, bought_refurbished=True)
    r = quotas.agec_purchases(city, 2027)  # 100 / 1000 = 0.10 < 0.25
    assert r["shares"]["together"] == pytest.approx(0.10) and r["met"] is False
    assert r["target"]["target"] == 0.25


# --- declaration ----------------------------------------------------------------------------


def test_declaration_csv_by_hand_and_valid(city, purchases_2024):
    Purchase.objects.create(
        organisation=city,
        year=2024,
        category=ProductCategory.PAPER,
        amount_total=5000,
        amount_recycled=2500,
        comment="papier recyclé",
    )
    Purchase.objects.create(
        organisation=city, year=2023, category=ProductCategory.FURNITURE, amount_total=9
    )
    text = declaration.declaration_csv(city, 2024)
    assert declaration.validate_declaration(text) == []
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(declaration.COLUMNS)
    header = (
        "annee,siret,raison_sociale,type_produit_acquis,montant_total,"
        "montant_reemploi_et_reutilisation,montant_produits_issus_don,"
        "montant_produits_recycles,commentaires"
    )
    assert text.splitlines()[0] == header
    it, paper = rows[1], rows[2]
    assert it[:8] == [
        "2024",
        "21580194300014",
        "Ville de Nevers",
        "Matériel informatique et téléphonie",
        "1700.00",
        "500.00",
        "150.00",
        "300.00",
    ]
    assert paper == [
        "2024",
        "21580194300014",
        "Ville de Nevers",
        "Papier",
        "5000.00",
        "0.00",
        "0.00",
        "2500.00",
        "papier recyclé",
    ]
    assert len(rows) == 3  # furniture was 2023


def test_declaration_always_has_the_it_row(city):
    rows = declaration.declaration_rows(city, 2030)
    assert [r.type_produit_acquis for r in rows] == ["Matériel informatique et téléphonie"]
    assert rows[0].montant_total == 0


def test_declaration_refuses_an_organisation_without_siret(db):
    org = core_services.create_organisation(None, slug="asso", name="Asso", kind="association")
    with pytest.raises(declaration.MissingSiret, match="SIRET"):
        declaration.declaration_csv(org, 2024)


def test_validator_catches_schema_errors():
    good = "2024,21580194300014,Ville,Papier,10.00,0.00,0.00,1.50,\n"
    header = ",".join(declaration.COLUMNS) + "\n"
    assert declaration.validate_declaration(header + good) == []
    assert declaration.validate_declaration(header.replace("annee,siret", "siret,annee") + good)
    bad_siret = good.replace("21580194300014", "2158019430001")
    assert any("siret" in e for e in declaration.validate_declaration(header + bad_siret))
    bad_cat = good.replace("Papier", "Ordinateurs")
    assert any("type_produit" in e for e in declaration.validate_declaration(header + bad_cat))
    comma = good.replace("1.50,", '"1,50",')
    assert any("dot decimal" in e for e in declaration.validate_declaration(header + comma))
    assert any("required" in e for e in declaration.validate_declaration(header + ",,,,,,,,\n"))


def test_every_category_label_is_one_of_the_17():
    assert len(declaration.CATEGORIES) == 17


def test_declaration_cli(city, purchases_2024):
    result = CliRunner().invoke(
        declaration_command, ["--organisation", city.slug, "--year", "2024"]
    )
    assert result.exit_code == 0, result.output
    assert declaration.validate_declaration(result.output) == []
    assert result.output.splitlines()[1].startswith("2024,21580194300014,Ville de Nevers,")


def test_declaration_cli_without_siret(db):
    core_services.create_organisation(None, slug="asso", name="Asso", kind="association")
    result = CliRunner().invoke(declaration_command, ["--organisation", "asso", "--year", "2024"])
    assert result.exit_code == 2
    assert "SIRET" in result.output


# --- décret 2023-266 ------------------------------------------------------------------------


def retire(tech, a, on, then=None, then_on=None, proof=""):
    services.change_status(tech, a, S.RETIRED, reason="test", on=on)
    if then:
        a.refresh_from_db()
        services.change_status(tech, a, then, on=then_on, reuse_proof=proof)


@pytest.fixture
def retired_fleet(tech, city):
    """Year N = 2024, 1 January 2024; ten years before: 1 January 2014."""
    a = {}
    # a1: retired 2023, handed to reuse in 2024 with proof -> B and A
    a["a1"] = asset(tech, city, purchase_date=D(2018, 3, 1))
    retire(tech, a["a1"], D(2023, 6, 1), S.HANDED_TO_REUSE, D(2024, 3, 10), "receipt 1")
    # a2: retired 2023, still in stock -> B only
    a["a2"] = asset(tech, city, purchase_date=D(2019, 1, 1))
    retire(tech, a["a2"], D(2023, 9, 1))
    # a3: bought 1 Jan 2014, exactly 10 years old on 1 Jan 2024: not *older* -> B and A
    a["a3"] = asset(tech, city, kind="monitor", purchase_date=D(2014, 1, 1))
    retire(tech, a["a3"], D(2023, 5, 1), S.HANDED_TO_REUSE, D(2024, 2, 1), "convention 7")
    # a4: bought 31 Dec 2013, older than 10 years -> excluded (recycling)
    a["a4"] = asset(tech, city, purchase_date=D(2013, 12, 31))
    retire(tech, a["a4"], D(2023, 5, 1), S.HANDED_TO_REUSE, D(2024, 2, 1), "convention 8")
    # a5: classified -> excluded
    a["a5"] = asset(tech, city, purchase_date=D(2020, 1, 1), classified=True)
    retire(tech, a["a5"], D(2023, 5, 1), S.HANDED_TO_REUSE, D(2024, 2, 1), "convention 9")
    # a6: handed to reuse in 2024 without proof -> B, not A
    a["a6"] = asset(tech, city, purchase_date=D(2019, 1, 1))
    retire(tech, a["a6"], D(2023, 10, 1), S.HANDED_TO_REUSE, D(2024, 4, 1))
    # a7: retired during 2024 -> not in stock on 1 January: neither
    a["a7"] = asset(tech, city, purchase_date=D(2019, 1, 1))
    retire(tech, a["a7"], D(2024, 2, 1), S.HANDED_TO_REUSE, D(2024, 5, 1), "receipt 2")
    # a8: left the stock in 2023 -> neither
    a["a8"] = asset(tech, city, purchase_date=D(2019, 1, 1))
    retire(tech, a["a8"], D(2022, 5, 1), S.HANDED_TO_REUSE, D(2023, 11, 20), "receipt 3")
    # a9: in stock on 1 January, recycled in 2024 -> B, not A
    a["a9"] = asset(tech, city, purchase_date=D(2019, 1, 1))
    retire(tech, a["a9"], D(2023, 3, 1), S.RECYCLED, D(2024, 6, 1))
    # a10: retired 2023, handed to reuse on 31 Dec 2024 with proof -> B and A (last day)
    a["a10"] = asset(tech, city, purchase_date=D(2019, 1, 1))
    retire(tech, a["a10"], D(2023, 3, 1), S.HANDED_TO_REUSE, D(2024, 12, 31), "receipt 4")
    # a11: handed to reuse on 1 Jan 2025 -> B, not A for 2024
    a["a11"] = asset(tech, city, purchase_date=D(2019, 1, 1))
    retire(tech, a["a11"], D(2023, 3, 1), S.HANDED_TO_REUSE, D(2025, 1, 1), "receipt 5")
    # a12: large WEEE (category 4) -> out of the décret's scope
    a["a12"] = asset(tech, city, kind="printer", purchase_date=D(2019, 1, 1), weee_category="4")
    retire(tech, a["a12"], D(2023, 3, 1))
    return a


def test_retired_reuse_by_hand(city, retired_fleet):
    # B = a1, a2, a3, a6, a9, a10, a11 = 7 ; A = a1, a3, a10 = 3 ; share = 3 / 7 = 42.9 %
    # target 2024 = 35 % -> met. Excluded from B: a4 (older), a5 (classified), a12 (WEEE 4).
    r = quotas.retired_reuse(city, 2024)
    b = set(quotas.retired_stock(city, 2024).values_list("pk", flat=True))
    assert b == {retired_fleet[k].pk for k in ("a1", "a2", "a3", "a6", "a9", "a10", "a11")}
    assert (r["a_sent_to_reuse"], r["b_retired_stock_on_1_january"]) == (3, 7)
    assert r["percent"] == pytest.approx(300 / 7)
    assert r["target"]["target"] == 0.35 and r["met"] is True
    assert r["not_counted"] == {"handed_to_reuse_without_proof": 1}
    assert r["excluded_from_b"] == {
        "classified": 1,
        "older_than_10_years": 1,
        "weee_out_of_scope": 1,
    }


def test_retired_reuse_next_year(city, retired_fleet):
    # On 1 Jan 2025 only a2 (still retired) and a11 (handed 1 Jan 2025) are in stock; a11 is
    # handed with proof in 2025 -> A = 1, B = 2, 50 % = the 2025 target, met.
    r = quotas.retired_reuse(city, 2025)
    assert (r["a_sent_to_reuse"], r["b_retired_stock_on_1_january"]) == (1, 2)
    assert r["met"] is True


def test_retired_reuse_empty_stock(city):
    r = quotas.retired_reuse(city, 2024)
    assert r["share"] is None and r["met"] is None


def test_imported_final_status_uses_status_change_date(tech, city):
    """An asset imported already handed over, with no status-change event: its move is dated
    by status_changed_at."""
    from impactnum.web.fleet.models import Asset

    a = services.create_asset(
        tech, city, kind="laptop", purchase_date=D(2019, 1, 1), status=S.HANDED_TO_REUSE
    )
    Asset.objects.filter(pk=a.pk).update(
        retired_on=D(2023, 1, 1),
        reuse_proof="import",
        status_changed_at=dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC),
    )
    r = quotas.retired_reuse(city, 2024)
    assert (r["a_sent_to_reuse"], r["b_retired_stock_on_1_january"]) == (1, 1)
