"""The responsible-digital strategy: versions and their texts (plan editors only), the live
figures under each legal part (or an explicit « no data »), the pages and the API."""

import datetime as dt

import pytest
from django.utils import timezone

from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.core.models import AuditEvent
from impactnum.web.fleet import footprint
from impactnum.web.fleet import services as fleet
from impactnum.web.plan import services, strategy
from impactnum.web.plan.models import Strategy

TODAY = timezone.localdate()
YEAR = TODAY.year
NEW = 185.4 / 5 + 1.7  # ademe-2022 laptop, kgCO2e/yr (tests/web/fleet/test_footprint.py)


def test_editors_write_versions_and_a_new_year_starts_from_the_last(city, manager, viewer):
    first = strategy.update_strategy(manager, city, 2024, usages="Parc de 1 500 postes.")
    assert (first.year, first.title, first.usages) == (
        2024,
        "Stratégie numérique responsable",
        "Parc de 1 500 postes.",
    )
    strategy.update_strategy(
        manager, city, 2024, means="  Budget 250 k€.\r\n  ", adopted_on=dt.date(2024, 12, 12)
    )
    second = strategy.update_strategy(manager, city, 2026, objectives="Allonger à 7 ans.")
    assert second.usages == "Parc de 1 500 postes." and second.means == "Budget 250 k€."
    assert second.adopted_on is None  # a new version is adopted again
    assert [v.year for v in strategy.versions(city)] == [2024, 2026]
    assert strategy.strategy_for(city).year == 2026
    assert strategy.strategy_for(city, 2025).year == 2024
    assert strategy.strategy_for(city, 2023) is None
    actions = list(
        AuditEvent.objects.filter(action__startswith="strategy.").values_list("action", flat=True)
    )
    assert actions == ["strategy.created", "strategy.updated", "strategy.created"]
    with pytest.raises(NotAllowed):
        strategy.update_strategy(viewer, city, 2026, usages="non")
    assert Strategy.objects.get(organisation=city, year=2026).usages == "Parc de 1 500 postes."


@pytest.mark.parametrize(
    ("year", "fields", "field"),
    [
        (2026, {"budget": "x"}, "budget"),
        (1999, {"usages": "x"}, "year"),
        (2026, {"usages": "x" * (strategy.MAX_TEXT + 1)}, "usages"),
        (2026, {"title": "  "}, "title"),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(city, manager, year, fields, field):
    with pytest.raises(DomainError) as exc:
        strategy.update_strategy(manager, city, year, **fields)
    assert exc.value.field == field
    assert not Strategy.objects.exists()


def test_live_data_says_when_there_is_none(city, admin):
    live = strategy.live_data(admin, city)
    assert set(live) == set(strategy.SECTION_CODES)
    for code in strategy.SECTION_CODES:
        assert live[code]["available"] is False and live[code]["empty"]
    assert "impactnum ne suit ni budget" in live["means"]["empty"]


def test_live_data_comes_from_the_apps(city, admin, manager):
    fleet.create_asset(admin, city, kind="laptop", purchase_date=dt.date(YEAR - 1, 2, 1))
    fleet.create_asset(admin, city, kind="laptop", purchase_date=dt.date(YEAR - 1, 2, 1))
    c = services.create_commitment(
        manager, city, reference="E01", title="PC 7 ans", theme="lifecycle", source="label"
    )
    services.add_action(manager, c, title="Politique", progress=40)
    services.add_indicator(
        manager,
        c,
        name="Âge moyen",
        kind="computed",
        source="fleet.average_age",
        target_value=6,
        target_on=dt.date(2030, 1, 1),
        direction="increase",
    )
    live = strategy.live_data(admin, city)
    usages = {f["key"]: f["value"] for f in live["usages"]["facts"]}
    assert usages["held_total"] == 2 and usages["held.laptop"] == 2
    fp = {f["key"]: f for f in live["footprint"]["facts"]}
    assert fp["fleet_gwp"]["value"] == pytest.approx(2 * NEW, rel=1e-3)
    assert fp["fleet_gwp"]["value"] == footprint.fleet_footprint(city)["totals"]["gwp"]["value"]
    assert fp["factor_set"]["value"] == "ademe-2022@1.0.0"
    actions = {f["key"]: f["value"] for f in live["actions"]["facts"]}
    assert (actions["commitments"], actions["mean_progress"]) == (1, 40)
    [indicator] = live["objectives"]["facts"]
    assert indicator["label"] == "E01 — Âge moyen" and indicator["target"] == 6
    assert live["means"]["available"] is False
    text = strategy.proposal("footprint", live["footprint"], TODAY)
    assert text.startswith("Données impactnum au") and "ademe-2022@1.0.0" in text


def test_pages_viewer_reads_manager_writes(client, city, viewer, manager):
    strategy.update_strategy(manager, city, YEAR, usages="Texte des usages.")
    client.force_login(viewer)
    r = client.get("/plan/strategy/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Texte des usages." in html and "2022-1084" in html and "L.2311-1-1" in html
    assert 'id="live-means-empty"' in html and 'id="edit-usages"' not in html
    assert client.get("/plan/strategy/edit/", {"section": "usages"}).status_code == 403
    r = client.post("/plan/strategy/edit/?section=usages", {"year": YEAR, "text": "Effacé"})
    assert r.status_code == 403
    assert Strategy.objects.get().usages == "Texte des usages."

    client.force_login(manager)
    assert 'id="edit-usages"' in client.get("/plan/strategy/").content.decode()
    r = client.get("/plan/strategy/edit/", {"section": "footprint", "prefill": 1})
    assert r.status_code == 200 and 'id="strategy-form"' in r.content.decode()
    r = client.post(
        "/plan/strategy/edit/?organisation=ville-nevers&section=footprint",
        {"year": YEAR, "text": "Empreinte du parc : voir le bilan."},
    )
    assert r.status_code == 302 and r["Location"].endswith("#part-footprint")
    assert Strategy.objects.get().footprint == "Empreinte du parc : voir le bilan."
    r = client.post(
        "/plan/strategy/edit/?section=details",
        {"year": YEAR, "title": "SNR de Nevers", "adopted_on": f"{YEAR}-01-15"},
    )
    assert r.status_code == 302
    assert Strategy.objects.get().title == "SNR de Nevers"
    r = client.post("/plan/strategy/edit/?section=usages", {"year": 1990, "text": "x"})
    assert r.status_code == 400 and 'role="alert"' in r.content.decode()
    assert client.get("/plan/strategy/edit/", {"section": "budget"}).status_code == 404


def test_prefill_proposes_text_from_the_figures(client, city, admin):
    fleet.create_asset(admin, city, kind="laptop", purchase_date=dt.date(YEAR - 1, 2, 1))
    client.force_login(admin)
    html = client.get("/plan/strategy/edit/", {"section": "usages", "prefill": 1}).content.decode()
    assert "Données impactnum au" in html and "Équipements détenus par la collectivité : 1" in html


def test_other_organisation_gets_404(client, city, agglo, make_user, manager):
    strategy.update_strategy(manager, city, YEAR, usages="Secret de la ville.")
    client.force_login(make_user("administrator", agglo))
    assert client.get("/plan/strategy/", {"organisation": "ville-nevers"}).status_code == 404
    r = client.get("/plan/strategy/edit/", {"organisation": "ville-nevers"})
    assert r.status_code == 404
    assert "Secret de la ville." not in client.get("/plan/strategy/").content.decode()


def test_api_strategy(city, manager, viewer, api_as):
    strategy.update_strategy(manager, city, 2025, objectives="Objectif 2030.")
    api = api_as(viewer)
    r = api("GET", "/api/plan/strategy", organisation="ville-nevers")
    assert r.status_code == 200
    body = r.json()
    assert body["versions"] == [2025] and body["strategy"]["year"] == 2025
    parts = {s["code"]: s for s in body["strategy"]["sections"]}
    assert list(parts) == list(strategy.SECTION_CODES)
    assert parts["objectives"]["text"] == "Objectif 2030."
    assert body["live"]["means"]["available"] is False
    r = api("GET", "/api/plan/strategy", organisation="ville-nevers", year=2024)
    assert r.status_code == 200 and r.json()["strategy"] is None
    assert api("GET", "/api/plan/strategy", organisation="agglo-nevers").status_code == 404
    r = api("GET", "/api/plan/strategy")  # organisation is required
    assert r.status_code == 422
    assert any("organisation" in e["field"] for e in r.json()["errors"])
