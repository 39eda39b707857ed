"""Project list, create/edit/delete, scenarios: allowed and denied per role and organisation."""

import pytest
from django.urls import reverse

from impactnum.web.core.choices import Role
from impactnum.web.projects import services
from impactnum.web.projects.models import Project, Scenario

EDITORS = {Role.ADMINISTRATOR, Role.MANAGER}
ALL_ROLES = list(Role.values)


def login(client, make_user, role, org):
    user = make_user(role, org)
    client.force_login(user)
    return user


def test_anonymous_is_sent_to_login(client, project):
    for url in [
        reverse("projects:list"),
        reverse("projects:create"),
        reverse("projects:detail", args=[project.pk]),
        reverse("projects:results", args=[project.pk]),
        reverse("projects:snapshots", args=[project.pk]),
        reverse("projects:factor-sets"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response.url, url


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_sees_its_projects_pages(client, make_user, city, project, role):
    login(client, make_user, role, city)
    for name in ("detail", "results", "snapshots"):
        assert client.get(reverse(f"projects:{name}", args=[project.pk])).status_code == 200
    page = client.get(reverse("projects:list"))
    assert page.status_code == 200 and "Parc de PC" in page.content.decode()
    detail = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert ("add-equipment-" in detail) == (role in EDITORS)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_create_edit_delete_are_for_editors_only(client, make_user, city, project, role):
    login(client, make_user, role, city)
    allowed = role in EDITORS
    expected = 200 if allowed else 403
    assert client.get(reverse("projects:create")).status_code == expected
    assert client.get(reverse("projects:edit", args=[project.pk])).status_code == expected
    assert client.get(reverse("projects:delete", args=[project.pk])).status_code == expected
    response = client.post(reverse("projects:scenario-add", args=[project.pk]), {"name": "X"})
    assert response.status_code == (302 if allowed else 403)
    response = client.post(reverse("projects:delete", args=[project.pk]))
    assert response.status_code == (302 if allowed else 403)
    assert Project.objects.filter(pk=project.pk).exists() == (not allowed)


def test_another_organisations_project_is_not_found(client, make_user, city, other_project):
    login(client, make_user, Role.ADMINISTRATOR, city)
    sc = other_project.scenarios.get()
    for url in [
        reverse("projects:detail", args=[other_project.pk]),
        reverse("projects:edit", args=[other_project.pk]),
        reverse("projects:delete", args=[other_project.pk]),
        reverse("projects:results", args=[other_project.pk]),
        reverse("projects:snapshots", args=[other_project.pk]),
        reverse("projects:line-new", args=[other_project.pk, sc.pk, "equipment"]),
    ]:
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("projects:line-new", args=[other_project.pk, sc.pk, "equipment"]),
        {"kind": "laptop", "quantity": "1"},
    )
    assert response.status_code == 404
    assert "Projet de l'agglo" not in client.get(reverse("projects:list")).content.decode()


def test_list_filters_search_and_sort(client, make_user, city, agglo, project, other_project):
    user = login(client, make_user, Role.MANAGER, city)
    from impactnum.web.core import services as core_services

    core_services.set_membership(None, user, agglo, Role.VIEWER)
    services.create_project(user, city, name="Zoo numérique", status="active")
    url = reverse("projects:list")
    names = lambda r: [p.name for p in r.context["projects"]]  # noqa: E731
    assert names(client.get(url)) == ["Parc de PC", "Projet de l'agglo", "Zoo numérique"]
    assert names(client.get(url, {"organisation": agglo.pk})) == ["Projet de l'agglo"]
    assert names(client.get(url, {"status": "active"})) == ["Zoo numérique"]
    assert names(client.get(url, {"q": "zoo"})) == ["Zoo numérique"]
    assert names(client.get(url, {"sort": "-name"}))[0] == "Zoo numérique"


def test_create_project_through_the_form(client, make_user, city, agglo):
    user = login(client, make_user, Role.MANAGER, city)
    from impactnum.web.core import services as core_services

    core_services.set_membership(None, user, agglo, Role.VIEWER)
    page = client.get(reverse("projects:create"))
    # only organisations where the user may edit projects are offered
    assert list(page.context["form"].fields["organisation"].queryset) == [city]
    data = {
        "organisation": city.pk,
        "name": "Tablettes",
        "description": "",
        "status": "draft",
        "horizon_years": "4",
        "factor_set": "ademe-2022@1.0.0",
        "discount_rate": "0.032",
    }
    bad = client.post(reverse("projects:create"), {**data, "horizon_years": "80"})
    assert bad.status_code == 400
    assert "horizon_years" in bad.context["form"].errors
    assert not Project.objects.filter(name="Tablettes").exists()
    other_org = client.post(reverse("projects:create"), {**data, "organisation": agglo.pk})
    assert other_org.status_code == 400 and "organisation" in other_org.context["form"].errors
    response = client.post(reverse("projects:create"), data)
    project = Project.objects.get(name="Tablettes")
    assert response.status_code == 302 and response.url == project.get_absolute_url()
    assert project.scenarios.get().is_baseline and project.owner == user


def test_edit_project_shows_service_error_next_to_field(client, admin, project):
    client.force_login(admin)
    data = {
        "name": "Parc renommé",
        "description": "",
        "status": "active",
        "horizon_years": "6",
        "factor_set": "boavizta-2.5@2.5.0",
        "discount_rate": "-1",
    }
    bad = client.post(reverse("projects:edit", args=[project.pk]), data)
    assert bad.status_code == 400 and "discount_rate" in bad.context["form"].errors
    project.refresh_from_db()
    assert project.name == "Parc de PC"
    ok = client.post(reverse("projects:edit", args=[project.pk]), {**data, "discount_rate": "0.04"})
    assert ok.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.factor_set, project.horizon_years) == (
        "Parc renommé",
        "boavizta-2.5@2.5.0",
        6,
    )


def test_scenarios_add_copy_rename_delete(client, admin, project):
    client.force_login(admin)
    base = project.scenarios.get(position=0)
    r = client.post(
        reverse("projects:scenario-add", args=[project.pk]),
        {"name": "Copie", "copy_from": base.pk},
    )
    assert r.status_code == 302
    copy = Scenario.objects.get(project=project, name="Copie")
    assert copy.equipment.count() == 1
    r = client.post(
        reverse("projects:scenario-edit", args=[project.pk, copy.pk]),
        {"name": "Copie 2", "capex": "1000", "opex_per_year": "50", "avoided_costs_per_year": "0"},
    )
    copy.refresh_from_db()
    assert (copy.name, copy.capex) == ("Copie 2", 1000)
    # the baseline cannot be deleted; the message says why
    r = client.post(reverse("projects:scenario-delete", args=[project.pk, base.pk]), follow=True)
    assert Scenario.objects.filter(pk=base.pk).exists()
    assert "ne peut pas être supprimé" in r.content.decode()
    client.post(reverse("projects:scenario-delete", args=[project.pk, copy.pk]))
    assert not Scenario.objects.filter(pk=copy.pk).exists()


def test_social_indicators_set_and_clear(client, admin, project):
    client.force_login(admin)
    sc = project.scenarios.get(position=0)
    url = reverse("projects:scenario-social", args=[project.pk, sc.pk])
    client.post(url, {"people_supported": "40", "training_hours": "120"})
    assert {v.code: v.value for v in sc.social.all()} == {
        "people_supported": 40,
        "training_hours": 120,
    }
    client.post(url, {"people_supported": "40"})
    assert list(sc.social.values_list("code", flat=True)) == ["people_supported"]
    result = services.calculate(admin, project)
    assert result["scenarios"][0]["social"]["indicators"]["people_supported"]["value"] == 40


def test_detail_shows_default_lifespan_with_its_source(client, admin, project):
    client.force_login(admin)
    html = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "5 ans (défaut ADEME, Arcep)" in html  # ademe-2022 default lifespan of a laptop
    assert "librairie.ademe.fr" in html  # the source one click away
    assert "#kind-laptop" in html
