"""Results page, snapshots and replay, factor sets and organisation overrides."""

import json
import math

import pytest
from django.urls import reverse
from django.utils import translation

from impactnum.web.core.choices import Role
from impactnum.web.projects import services
from impactnum.web.projects.models import CalculationSnapshot, FactorOverride
from impactnum.web.projects.templatetags.impactnum_format import format_number


def chart_data(response):
    html = response.content.decode()
    start = html.index('<script id="chart-data" type="application/json">') + len(
        '<script id="chart-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_results_page_shows_the_calculation(client, admin, project):
    client.force_login(admin)
    expected = services.calculate(admin, project)
    response = client.get(reverse("projects:results", args=[project.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<svg") >= 3 and 'role="img"' in html and "<title id=" in html
    with translation.override("fr"):
        gwp = expected["scenarios"][0]["totals"]["gwp"]["value"]
        assert format_number(gwp) in html
        net_variant = expected["scenarios"][1]["net"]["gwp"]["value"]
        assert format_number(net_variant) in html
    assert "non disponible" in html  # pe/water avoided are not available, never 0
    assert "Probabilité que la variante soit plus basse" in html
    prob = expected["comparison"][0]["criteria"]["gwp"]["probability_variant_lower"]
    assert f"{round(prob * 100)}\u00a0%" in html
    data = chart_data(response)
    assert data["factor_set"] == "ademe-2022@1.0.0"
    assert math.isclose(data["totals"]["Référence"]["gwp"]["value"], gwp)
    assert set(data["charts"]) >= {"chart-phases", "chart-net-0", "chart-net-1", "chart-scenarios"}
    # provenance: factors with their source and origin
    assert 'data-factor="device/laptop/manufacture/gwp"' in html and 'data-origin="set"' in html
    assert "librairie.ademe.fr" in html


def test_results_with_monte_carlo_and_english(client, admin, project):
    client.force_login(admin)
    r = client.get(reverse("projects:results", args=[project.pk]), {"mc": "1", "draws": "300"})
    assert r.status_code == 200 and r.context["result"]["draws"] == 300
    client.cookies["django_language"] = "en"
    r = client.get(reverse("projects:results", args=[project.pk]), {"criterion": "adpe"})
    assert r.context["criterion"] == "adpe"
    gwp = services.calculate(admin, project)["scenarios"][0]["totals"]["gwp"]["value"]
    with translation.override("en"):
        assert format_number(gwp) in r.content.decode()


def test_results_page_lists_input_errors(client, admin, project):
    client.force_login(admin)
    sc = project.scenarios.get(position=0)
    # a kind the set does not cover: reported, not computed
    services.add_line(admin, sc, "equipment", kind="other", quantity=1)
    r = client.get(reverse("projects:results", args=[project.pk]))
    assert r.status_code == 200 and "calc-errors" in r.content.decode()


@pytest.mark.parametrize("role", list(Role.values))
def test_snapshots_saved_by_editors_viewed_by_all(client, make_user, city, project, role):
    client.force_login(make_user(role, city))
    r = client.post(reverse("projects:snapshots", args=[project.pk]), {"label": "v1"})
    editor = role in (Role.ADMINISTRATOR, Role.MANAGER)
    assert r.status_code == (302 if editor else 403)
    assert CalculationSnapshot.objects.filter(project=project).exists() == editor


def test_snapshot_save_view_and_replay_with_newer_set(client, admin, project, monkeypatch):
    client.force_login(admin)
    r = client.post(reverse("projects:snapshots", args=[project.pk]), {"label": "avant"})
    snap = CalculationSnapshot.objects.get(project=project)
    assert r.url == reverse("projects:snapshot", args=[project.pk, snap.pk])
    listing = client.get(reverse("projects:snapshots", args=[project.pk])).content.decode()
    assert "avant" in listing
    page = client.get(r.url)
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert page.context["newer"] is None and "deltas" not in page.context

    # pretend a newer version of the set exists: the page shows what it would change
    monkeypatch.setattr(services, "newer_factor_set", lambda spec: "boavizta-2.5@2.5.0")
    page = client.get(reverse("projects:snapshot", args=[project.pk, snap.pk]))
    deltas = {(d["scenario"], d["code"]): d for d in page.context["deltas"]}
    replayed = services.replay_snapshot(admin, snap, factors="boavizta-2.5@2.5.0")
    d = deltas[("Référence", "gwp")]
    assert math.isclose(d["stored"], snap.result["scenarios"][0]["net"]["gwp"]["value"])
    assert math.isclose(d["replayed"], replayed["scenarios"][0]["net"]["gwp"]["value"])
    assert math.isclose(d["difference"], d["replayed"] - d["stored"])
    assert "replay-deltas" in page.content.decode()


def test_snapshot_of_another_organisation_is_not_found(client, make_user, agglo, project):
    admin = project.owner
    snap = services.save_snapshot(admin, project)
    client.force_login(make_user(Role.ADMINISTRATOR, agglo))
    assert client.get(reverse("projects:snapshot", args=[project.pk, snap.pk])).status_code == 404


def test_factor_sets_page(client, make_user, city):
    client.force_login(make_user(Role.VIEWER, city))
    r = client.get(reverse("projects:factor-sets"))
    html = r.content.decode()
    assert r.status_code == 200 and "ademe-2022@1.0.0" in html and "boavizta-2.5@2.5.0" in html
    assert 'id="kind-laptop"' in html and 'id="source-ademe-arcep-2022"' in html
    assert "override-form" not in html  # only administrators add overrides
    r = client.get(
        reverse("projects:factor-sets"), {"set": "boavizta-2.5", "family": "device", "q": "laptop"}
    )
    assert r.context["ref"] == "boavizta-2.5@2.5.0"
    rows = r.context["page"].object_list
    assert rows and all(x.family == "device" and "laptop" in x.id for x in rows)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.TECHNICIAN, Role.FACILITATOR, Role.VIEWER])
def test_only_administrators_manage_overrides(client, make_user, city, role):
    client.force_login(make_user(role, city))
    r = client.post(
        reverse("projects:override-add"),
        {
            "organisation": city.pk,
            "family": "electricity",
            "key": "FRA",
            "phase": "use",
            "criterion": "gwp",
            "value": "0.02",
            "source": "contrat",
        },
    )
    assert r.status_code == 403 and not FactorOverride.objects.exists()


def test_override_changes_results_and_provenance(client, admin, city, agglo, project):
    client.force_login(admin)
    before = services.calculate(admin, project)["scenarios"][0]["by_phase"]["use"]["gwp"]["value"]
    data = {
        "organisation": city.pk,
        "family": "electricity",
        "key": "FRA",
        "phase": "use",
        "criterion": "gwp",
        "value": "0.5",
        "unit": "kgCO2e/kWh",
        "source": "Contrat d'électricité 2024 de la ville",
    }
    # another organisation is not offered: refused next to the field
    bad = client.post(reverse("projects:override-add"), {**data, "organisation": agglo.pk})
    assert bad.status_code == 400 and "organisation" in bad.context["override_form"].errors
    bad = client.post(reverse("projects:override-add"), {**data, "family": "device", "key": "x"})
    assert bad.status_code == 400 and not FactorOverride.objects.exists()
    r = client.post(reverse("projects:override-add"), data)
    assert r.status_code == 302
    override = FactorOverride.objects.get()
    page = client.get(reverse("projects:factor-sets")).content.decode()
    assert "Contrat d&#x27;électricité 2024" in page and f'id="override-{override.pk}"' in page

    result = services.calculate(admin, project)
    after = result["scenarios"][0]["by_phase"]["use"]["gwp"]["value"]
    assert after == pytest.approx(before / 0.052 * 0.5)  # ademe-2022 French mix 0.052
    html = client.get(reverse("projects:results", args=[project.pk])).content.decode()
    assert 'data-factor="electricity/FRA/use/gwp" data-origin="override"' in html
    assert "facteur propre (override)" in html

    client.post(reverse("projects:override-delete", args=[override.pk]))
    assert not FactorOverride.objects.exists()
