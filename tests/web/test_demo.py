"""The demo data: organisations, people of every role, the four example projects, results."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from impactnum.calculation import run
from impactnum.web import demo
from impactnum.web.core.choices import Role
from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import AuditEvent, Membership, Organisation, validate_siret
from impactnum.web.projects import services
from impactnum.web.projects.models import CalculationSnapshot, Project

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def loaded(db):
    return demo.build_demo()


def test_organisations_and_shared_direction(loaded):
    orgs = {o.slug: o for o in Organisation.objects.all()}
    assert orgs["ville-nevers"].kind == "commune"
    assert orgs["nevers-agglomeration"].kind == "epci"
    assert any(o.kind == "association" for o in orgs.values())
    for org in orgs.values():
        validate_siret(org.siret)  # 14 digits, Luhn
    city_people = set(
        Membership.objects.filter(organisation__slug="ville-nevers").values_list("user__username")
    )
    agglo_people = set(
        Membership.objects.filter(organisation__slug="nevers-agglomeration").values_list(
            "user__username"
        )
    )
    assert city_people == agglo_people and len(city_people) >= 5
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)


def test_accounts_log_in_with_the_demo_password(loaded, client):
    usernames = [u for u, _d in loaded]
    assert {"admin", "manager", "technicien", "mediatrice", "elu"} <= set(usernames)
    assert loaded == demo.demo_accounts()
    assert all(description for _u, description in loaded)
    assert client.login(username="elu", password=demo.DEMO_PASSWORD)
    elu = get_user_model().objects.get(username="elu")
    assert set(Membership.objects.filter(user=elu).values_list("role", flat=True)) == {"viewer"}


def test_projects_snapshots_and_meaningful_results(loaded):
    projects = {p.name: p for p in Project.objects.select_related("organisation")}
    assert len(projects) == 4
    water = next(p for p in projects.values() if "fuites" in p.name)
    assert water.organisation.slug == "nevers-agglomeration"
    assert {p.organisation.slug for p in projects.values() if p is not water} == {"ville-nevers"}
    assert CalculationSnapshot.objects.count() == 4
    assert all(p.snapshots.count() == 1 for p in projects.values())

    elu = get_user_model().objects.get(username="elu")
    for project in projects.values():
        assert project.scenarios.count() == 2
        result = services.calculate(elu, project)
        variant = result["scenarios"][1]
        assert variant["net"]["gwp"]["value"] != 0
        (comparison,) = result["comparison"]
        probability = comparison["criteria"]["gwp"]["probability_variant_lower"]
        assert 0.0 <= probability <= 1.0
    refurbished = next(p for p in projects.values() if "reconditionnés" in p.name)
    result = services.calculate(elu, refurbished)
    social = result["scenarios"][1]["social"]
    assert social["indicators"]["devices_provided"]["value"] == 200
    assert social["sroi"] is not None  # the illustrative SROI outcome
    assert AuditEvent.objects.filter(action="snapshot.saved").count() == 4


def test_same_results_as_the_project_files(loaded):
    """What the demo writes through the services computes exactly like the example file."""
    manager = get_user_model().objects.get(username="manager")
    for spec in demo.PROJECTS:
        from_file = run(
            str(EXAMPLES / spec.file), factors=None, draws=None, seed=0, compare_file=None
        )
        project = Project.objects.get(name=from_file["project"]["name"])
        from_db = services.calculate(manager, project)
        for a, b in zip(from_file["scenarios"], from_db["scenarios"], strict=True):
            assert a["name"] == b["name"]
            assert a["net"]["gwp"]["value"] == pytest.approx(b["net"]["gwp"]["value"])
            assert a["economic"]["npv"]["value"] == pytest.approx(b["economic"]["npv"]["value"])


def test_loading_twice_is_a_no_op(loaded):
    counts = (Organisation.objects.count(), Project.objects.count())
    assert demo.build_demo() == loaded
    assert (Organisation.objects.count(), Project.objects.count()) == counts


def test_refused_when_a_demo_username_is_taken(db):
    get_user_model().objects.create_user(username="admin", password="x")
    with pytest.raises(DomainError, match="admin"):
        demo.build_demo()
    assert not Organisation.objects.exists()  # nothing partial
