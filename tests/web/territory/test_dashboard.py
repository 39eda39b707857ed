"""The dashboard: each figure equals its source function on a small hand-made dataset; the
reuse chain's avoided impact is counted once; any member reads, other organisations' not."""

import pytest
from territory_helpers import YEAR

from impactnum.web.fleet import footprint, quotas
from impactnum.web.plan.evaluations import build_snapshot
from impactnum.web.projects import services as projects
from impactnum.web.reuse.report import reuse_report
from impactnum.web.territory.dashboard import dashboard, period


def test_dashboard_numbers_equal_the_sources(city, admin, city_data):
    data = dashboard(admin, city, YEAR)
    fp = footprint.fleet_footprint(city)
    assert data["fleet"]["assets_counted"] == fp["assets_counted"] == 1  # the other was retired
    assert data["fleet"]["gwp"] == fp["totals"]["gwp"]
    trend = footprint.footprint_trend(city)
    assert [y["gwp"] for y in data["fleet"]["trend"]] == [
        (y["totals"] or {}).get("gwp") for y in trend["years"]
    ]
    agec = quotas.agec_purchases(city, YEAR)
    retired = quotas.retired_reuse(city, YEAR)
    assert data["quotas"]["agec"]["share"] == agec["shares"]["together"]
    assert data["quotas"]["retired_reuse"]["share"] == retired["share"]
    assert data["quotas"]["retired_reuse"]["b"] == retired["b_retired_stock_on_1_january"]
    report = reuse_report(city, *period(YEAR))
    for key in ("devices_provided", "people_equipped", "co2e_avoided_kg", "ewaste_avoided_kg"):
        assert data["reuse"][key] == report[key]
    assert data["reuse"]["devices_provided"] == 1
    result = projects.calculate(admin, city_data["project"])
    [row] = data["projects"]["projects"]
    assert row["net"] == result["net"]["gwp"] and row["net"]["value"] > 0
    snap = build_snapshot(city, period(YEAR)[1], actor=admin)
    assert data["commitments"]["available"]
    assert data["commitments"]["summary"] == snap["summary"]
    assert data["commitments"]["summary"]["mean_progress"] == 50


def test_avoided_impact_is_counted_once(city, admin, city_data):
    """The reused laptop came from the fleet: its avoided CO2e appears once (reuse chain), the
    fleet's footprint is not reduced by it, and no other section carries it."""
    data = dashboard(admin, city, YEAR)
    report = reuse_report(city, *period(YEAR))
    assert report["co2e_avoided_kg"] == pytest.approx(132.66, abs=0.01)  # Restart: 265.32 × 0.5
    assert data["avoided_once"]["co2e_avoided_kg"] == report["co2e_avoided_kg"]
    assert data["avoided_once"]["counted_in"] == "reuse"
    fp = footprint.fleet_footprint(city)
    assert data["fleet"]["gwp"]["value"] == fp["totals"]["gwp"]["value"]  # gross, not net
    assert "co2e_avoided_kg" not in data["fleet"]
    # the number appears once in the whole dashboard
    found = []

    def walk(node, path=""):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}[{i}]")
        elif node == report["co2e_avoided_kg"]:
            found.append(path)

    walk({k: v for k, v in data.items() if k != "avoided_once"})
    assert found == [".reuse.co2e_avoided_kg"]


def test_dashboard_page_for_a_viewer_with_links(client, city, viewer, city_data):
    client.force_login(viewer)
    response = client.get("/territory/")
    assert response.status_code == 200
    html = response.content.decode()
    for anchor in ("link-fleet", "link-quotas", "link-reuse", "link-projects", "link-commitments"):
        assert f'id="{anchor}"' in html
    assert f"/projects/{city_data['project'].pk}/" in html
    assert f"/plan/commitments/{city_data['commitment'].pk}/" in html
    assert "ZX-SECRET-42" not in html


def test_dashboard_organisation_selector_and_404(client, city, agglo, make_user, city_data):
    both = make_user("viewer", city)
    from impactnum.web.core import services

    services.set_membership(None, both, agglo, "viewer")
    client.force_login(both)
    html = client.get("/territory/?organisation=agglo-nevers").content.decode()
    assert 'id="territory-organisation"' in html and "Nevers Agglomération" in html
    stranger = make_user("administrator", agglo)
    client.force_login(stranger)
    assert client.get("/territory/?organisation=ville-nevers").status_code == 404
    client.logout()
    assert client.get("/territory/").status_code == 302  # login first


def test_dashboard_api_twin(client, city, viewer, city_data):
    from impactnum.web.core.services import create_token

    _t, raw = create_token(viewer, "t")
    r = client.get(
        "/api/territory/dashboard",
        {"organisation": "ville-nevers", "year": YEAR},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert r.status_code == 200
    assert r.json()["reuse"]["devices_provided"] == 1
    r = client.get(
        "/api/territory/dashboard",
        {"organisation": "agglo-nevers"},
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert r.status_code == 404
