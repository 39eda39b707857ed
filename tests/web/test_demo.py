"""The demo data: organisations, people of every role, the four example projects, results, the
fleet of the city and the agglomeration and the reuse chain.

The demo is built once for the tests of `TestLoaded` (about 1,500 assets: a few seconds) inside a
transaction rolled back after them; each test runs in a savepoint of it (pytest-django's `db`).
"""

import csv
import datetime as dt
import io
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from impactnum.calculation import run
from impactnum.web import demo
from impactnum.web.core.choices import Role
from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import AuditEvent, Membership, Organisation, validate_siret
from impactnum.web.core.permissions import EDIT_REUSE, VIEW_BENEFICIARIES, can
from impactnum.web.fleet import declaration, indicators, quotas
from impactnum.web.fleet.choices import HELD_STATUSES, AssetStatus
from impactnum.web.fleet.models import Asset, AssetEvent, LifespanPolicy, Purchase, Repair
from impactnum.web.projects import services
from impactnum.web.projects.models import CalculationSnapshot, Project
from impactnum.web.reuse import report
from impactnum.web.reuse import services as reuse_services
from impactnum.web.reuse.choices import DeviceStatus
from impactnum.web.reuse.models import (
    Beneficiary,
    Device,
    DeviceRepair,
    Lot,
    Provision,
    SanitisationRecord,
    SupportSession,
    WeeeShipment,
)
from impactnum.web.reuse.models import (
    TestTemplate as Checklist,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="class")
def demo_once(django_db_setup, django_db_blocker):
    """(logins, seconds to load) of one demo build shared by a class, rolled back after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            started = time.perf_counter()
            accounts = demo.build_demo()
            seconds = time.perf_counter() - started
            yield accounts, seconds
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def loaded(demo_once, db):
    return demo_once[0]


class TestLoaded:
    """One demo build for all these tests."""

    def test_organisations_and_shared_direction(self, loaded):
        orgs = {o.slug: o for o in Organisation.objects.all()}
        assert orgs["ville-nevers"].kind == "commune"
        assert orgs["nevers-agglomeration"].kind == "epci"
        assert any(o.kind == "association" for o in orgs.values())
        for org in orgs.values():
            validate_siret(org.siret)  # 14 digits, Luhn
        city_people = set(
            Membership.objects.filter(organisation__slug="ville-nevers").values_list(
                "user__username"
            )
        )
        agglo_people = set(
            Membership.objects.filter(organisation__slug="nevers-agglomeration").values_list(
                "user__username"
            )
        )
        assert city_people == agglo_people and len(city_people) >= 5
        assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)

    def test_accounts_log_in_with_the_demo_password(self, loaded, client):
        usernames = [u for u, _d in loaded]
        assert {"admin", "manager", "technicien", "mediatrice", "elu"} <= set(usernames)
        assert loaded == demo.demo_accounts()
        assert all(description for _u, description in loaded)
        assert client.login(username="elu", password=demo.DEMO_PASSWORD)
        elu = get_user_model().objects.get(username="elu")
        assert set(Membership.objects.filter(user=elu).values_list("role", flat=True)) == {"viewer"}

    def test_projects_snapshots_and_meaningful_results(self, loaded):
        projects = {p.name: p for p in Project.objects.select_related("organisation")}
        assert len(projects) == 4
        water = next(p for p in projects.values() if "fuites" in p.name)
        assert water.organisation.slug == "nevers-agglomeration"
        assert {p.organisation.slug for p in projects.values() if p is not water} == {
            "ville-nevers"
        }
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

    def test_same_results_as_the_project_files(self, loaded):
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

    def test_loading_twice_is_a_no_op(self, loaded):
        counts = (Organisation.objects.count(), Project.objects.count())
        assert demo.build_demo() == loaded
        assert (Organisation.objects.count(), Project.objects.count()) == counts

    def test_load_time(self, loaded, demo_once):
        _accounts, seconds = demo_once
        sizes = {
            "assets": Asset.objects.count(),
            "asset events": AssetEvent.objects.count(),
            "repairs": Repair.objects.count(),
            "reuse devices": Device.objects.count(),
            "provisions": Provision.objects.count(),
            "support sessions": SupportSession.objects.count(),
        }
        print(f"\ndemo loaded in {seconds:.1f} s: {sizes}")  # no assert: machines differ

    def test_fleet_of_the_city_and_the_agglomeration(self, loaded):
        today = dt.date.today()
        for slug in ("ville-nevers", "nevers-agglomeration"):
            assets = Asset.objects.filter(organisation__slug=slug)
            assert 400 <= assets.count() <= 1100
            years = set(assets.values_list("purchase_date__year", flat=True))
            assert {today.year - 10, today.year - 1, today.year} <= years
            assert assets.filter(bought_refurbished=True).exists()
            assert assets.filter(recycled_material=True).exists()
            assert assets.filter(classified=True).exists()
            assert assets.filter(department__isnull=False, location__isnull=False).exists()
            held = assets.filter(status__in=HELD_STATUSES)
            over_ten = today - dt.timedelta(days=3653)
            assert held.filter(purchase_date__lt=over_ten).exists()  # devices over 10 years
            policy = LifespanPolicy.objects.get(organisation__slug=slug, kind="laptop")
            assert policy.years == 7  # Nevers: PCs 5 → 7 years
        assert Asset.objects.count() >= 1400
        assert Asset.objects.filter(received_as_donation=True, donation_value__gt=0).exists()
        assert Purchase.objects.exclude(category="it").values("category").distinct().count() >= 2

    def test_fleet_indicators_are_real_figures(self, loaded):
        for org in Organisation.objects.filter(slug__in=demo.FLEET_SIZES):
            ind = indicators.fleet_indicators(org)
            assert ind["held_total"] > 300
            assert ind["average_age_years"]["value"] > 1
            assert ind["age_at_retirement_years"]["value"] > 1
            assert ind["age_at_retirement_years_this_year"]["assets"] > 0
            assert ind["repairs"]["repairs_fixed"] > 0
            assert ind["repairs"]["repairs_end_of_life"] > 0
            assert 0 < ind["repairs"]["repair_success_rate"] < 1
            assert ind["repairs_this_year"]["repairs_opened"] > 0
            assert ind["refurbished_purchases"]["share_by_count"] > 0
            assert ind["refurbished_purchases_this_year"]["purchases"] > 0
            assert ind["past_lifespan"]["total"] > 0
            assert ind["renewals_due_12_months"]["total"] > 0
            assert ind["retired_not_yet_disposed"] > 0
            statuses = set(ind["by_status"])
            assert {"in_service", "in_repair", "retired", "handed_to_reuse", "recycled"} <= statuses

    def test_quotas_with_real_figures(self, loaded):
        year = dt.date.today().year
        for org in Organisation.objects.filter(slug__in=demo.FLEET_SIZES):
            recycled = 0.0
            for y in (year - 1, year):
                agec = quotas.agec_purchases(org, y)
                assert agec["acquisitions"] > 0 and agec["assets_bought"] > 0
                assert 0 < agec["shares"]["reuse"] <= agec["shares"]["together"] < 1
                recycled += agec["amounts"]["recycled"]
                assert agec["met"] is not None and not agec["warnings"]
                reuse = quotas.retired_reuse(org, y)
                assert reuse["b_retired_stock_on_1_january"] > 0
                assert 0 < reuse["a_sent_to_reuse"] < reuse["b_retired_stock_on_1_january"]
                assert reuse["met"] is not None and not reuse["warnings"]
            assert recycled > 0  # purchases with recycled material
        city = Organisation.objects.get(slug="ville-nevers")
        excluded = quotas.retired_reuse(city, year)["excluded_from_b"]
        assert excluded["classified"] > 0 and excluded["older_than_10_years"] > 0

    def test_declaration_of_last_year_is_valid(self, loaded):
        last_year = dt.date.today().year - 1
        for org in Organisation.objects.filter(slug__in=demo.FLEET_SIZES):
            text = declaration.declaration_csv(org, last_year)
            assert declaration.validate_declaration(text) == []
            rows = list(csv.DictReader(io.StringIO(text)))
            assert len(rows) >= 3  # IT from the fleet + other categories
            it = rows[0]
            assert it["type_produit_acquis"] == "Matériel informatique et téléphonie"
            assert float(it["montant_total"]) > 0
            assert float(it["montant_reemploi_et_reutilisation"]) > 0

    def test_retired_devices_handed_over_are_linked_both_ways(self, loaded):
        handed = Asset.objects.filter(
            organisation__slug="ville-nevers", status=AssetStatus.HANDED_TO_REUSE
        ).exclude(reuse_proof="")
        linked = handed.filter(reuse_device__isnull=False)
        assert linked.count() >= 10
        for asset in linked[:20]:
            assert asset.reuse_device.fleet_asset_id == asset.pk
            assert asset.reuse_device.organisation_id == asset.organisation_id
        assert Device.objects.filter(fleet_asset__isnull=False).count() == linked.count()

    def test_reuse_chain_at_every_stage(self, loaded):
        counts = dict(Device.objects.values_list("status").annotate(n=Count("pk")).order_by())
        assert set(counts) == set(DeviceStatus.values)  # every stage, each device in one
        assert sum(counts.values()) == Device.objects.count()
        assert Device.objects.exclude(status__in=DeviceStatus.values).count() == 0
        donors = set(Lot.objects.values_list("donor__kind", flat=True))
        assert {"city_service", "company", "citizen"} <= donors
        assert DeviceRepair.objects.filter(outcome="fixed").exists()
        eol = DeviceRepair.objects.filter(outcome="end_of_life")
        assert eol.exists() and not eol.filter(barrier="").exists()
        assert SanitisationRecord.objects.filter(result="success").exists()
        assert Checklist.objects.filter(kind="laptop").exists()
        shipment = WeeeShipment.objects.filter(shipped_on__isnull=False).get()
        assert shipment.devices.count() > 0 and shipment.weight_kg > 0
        assert WeeeShipment.objects.filter(shipped_on__isnull=True).exists()
        for device in Device.objects.filter(status__in=["ready", "provided", "shipped"]):
            assert reuse_services.is_released(device), device

    def test_reuse_report_has_real_figures(self, loaded):
        today = dt.date.today()
        city = Organisation.objects.get(slug="ville-nevers")
        r = report.reuse_report(city, today - dt.timedelta(days=365), today)
        assert r["devices_collected"] > 0
        assert r["devices_provided"] > 0
        assert r["co2e_avoided_kg"] > 0
        assert r["people_equipped"] > 0 and r["organisations_equipped"] > 0
        assert r["devices_recycled"] > 0 and r["kg_recycled"] > 0
        assert r["repairs_fixed"] > 0 and r["devices_dismantled"] > 0
        assert r["support_sessions"] > 0
        assert r["materials_recovered"]["materials"]

    def test_the_roles_can_act_on_the_chain(self, loaded):
        city = Organisation.objects.get(slug="ville-nevers")
        users = {u.username: u for u in get_user_model().objects.all()}
        assert can(users["technicien"], city, EDIT_REUSE)
        assert can(users["manager"], city, EDIT_REUSE)
        assert can(users["mediatrice"], city, VIEW_BENEFICIARIES)
        assert Beneficiary.objects.filter(organisation=city).count() > 0
        assert SupportSession.objects.filter(facilitator=users["mediatrice"]).exists()

    def test_the_city_has_an_action_plan_with_a_frozen_18_month_evaluation(self, loaded):
        from impactnum.web.plan.indicators import compute
        from impactnum.web.plan.models import Commitment, Evaluation, Indicator

        city = Organisation.objects.get(slug="ville-nevers")
        assert Commitment.objects.filter(organisation=city).count() == len(demo.plan.COMMITMENTS)
        frozen = Evaluation.objects.get(organisation=city)
        assert frozen.month == 18 and frozen.status == "frozen" and frozen.snapshot
        # the computed indicators have values from the demo's own fleet and reuse chain
        for indicator in Indicator.objects.filter(commitment__organisation=city, kind="computed"):
            measure = compute(indicator.source, city, dt.date.today(), indicator.params)
            assert measure.value is not None and measure.value > 0, indicator.source


def test_refused_when_a_demo_username_is_taken(db):
    get_user_model().objects.create_user(username="admin", password="x")
    with pytest.raises(DomainError, match="admin"):
        demo.build_demo()
    assert not Organisation.objects.exists()  # nothing partial
