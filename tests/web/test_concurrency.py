"""Two people acting on the same device, asset, part or evaluation at once, over real concurrent
PostgreSQL connections: one wins, the other gets a clear refusal, nothing is provided twice and
no update is lost.

Each contender runs in its own thread, so with its own database connection (closed when the
thread ends). The race window is made real, not hoped for: a first transaction takes the row
locks and stays open (`first_holds`), or a neutral "gate" transaction locks the contested rows
while the contenders, lined up by a `threading.Barrier`, start their calls (`all_at_once`). The
holder commits only once every contender is seen blocked on a lock in `pg_stat_activity` (or has
already finished), so each contender really read the state before the other's change and really
waited for the row lock. Tests assert on `waited` that the race happened.

SQLite cannot run them (no row locks, and its in-memory test database cannot be shared between
threads): they skip there, and fail instead under IMPACTNUM_REQUIRE_POSTGRES=1 (the CI's
PostgreSQL run), so they can never be skipped silently where they matter.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from handover_helpers import new_lot, retired_asset

from impactnum.web.core import services as core_services
from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import AuditEvent
from impactnum.web.fleet import handover
from impactnum.web.fleet import services as fleet
from impactnum.web.fleet.choices import AssetEventType, AssetStatus
from impactnum.web.fleet.models import Asset, AssetEvent, Department, Repair
from impactnum.web.plan import services as plan
from impactnum.web.plan.models import Evaluation, EvaluationFrozen
from impactnum.web.reuse import services as reuse
from impactnum.web.reuse.choices import DeviceEventType, DeviceStatus
from impactnum.web.reuse.models import (
    Beneficiary,
    Device,
    DeviceEvent,
    DeviceRepair,
    Part,
    Party,
    Provision,
    SanitisationRecord,
    StorageMedium,
    WeeeShipment,
)
from impactnum.web.reuse.models import TestTemplate as Checklist  # not a pytest test class

ON_POSTGRESQL = connection.vendor == "postgresql"
REQUIRE_POSTGRESQL = os.environ.get("IMPACTNUM_REQUIRE_POSTGRES") == "1"
WHY_POSTGRESQL = (
    f"real concurrent connections need PostgreSQL (the tests run on {connection.vendor}: no row "
    "locks, and an in-memory test database cannot be shared between threads); set "
    "IMPACTNUM_TEST_DATABASE_URL=postgres://user@host:5432/name"
)
pytestmark = [
    # Skipped before any set-up on SQLite; never skipped on PostgreSQL, and a failure instead
    # when PostgreSQL is required (see _postgresql_required).
    pytest.mark.skipif(not ON_POSTGRESQL and not REQUIRE_POSTGRESQL, reason=WHY_POSTGRESQL),
    pytest.mark.django_db(transaction=True),
]

WAIT_LIMIT = 20.0
"""Seconds a helper waits for a thread before giving up (a safety net, never an assertion: a
normal run takes a fraction of a second)."""
TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def _postgresql_required() -> None:
    if not ON_POSTGRESQL:
        pytest.fail(f"IMPACTNUM_REQUIRE_POSTGRES=1 but {WHY_POSTGRESQL}")


# --- the race harness ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one contender got: its return value or the exception it raised, and whether it was
    seen blocked on a lock held by another connection."""

    value: Any = None
    error: BaseException | None = None
    waited: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


class Contender(threading.Thread):
    """Runs `call` in its own thread, hence its own Django connection, closed at the end."""

    def __init__(self, call: Callable[[], Any], before: Callable[[], Any] | None = None) -> None:
        super().__init__(daemon=True)
        self.call, self.before = call, before
        self.outcome = Outcome()

    def run(self) -> None:
        try:
            if self.before is not None:
                self.before()
            self.outcome.value = self.call()
        except BaseException as exc:  # the test asserts on it
            self.outcome.error = exc
        finally:
            connection.close()


def _wait_until_blocked_or_done(contenders: list[Contender]) -> None:
    """Return once every contender still running is blocked on a lock, or has finished.

    Backends are counted, not matched by pid: a request through the test client may replace its
    thread's connection (Django closes "old" connections when a request starts). Only the
    contenders can wait on a lock in the test database, so when as many backends wait as
    contenders run, each running one is blocked."""
    deadline = time.monotonic() + WAIT_LIMIT
    while time.monotonic() < deadline:
        running = [c for c in contenders if c.is_alive()]
        if not running:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            (waiting,) = cursor.fetchone()
        if waiting >= len(running):
            for c in running:
                c.outcome.waited = True
            return
        time.sleep(0.005)


def _race(
    holder: Callable[[], Any], calls: tuple[Callable[[], Any], ...]
) -> tuple[Outcome, list[Outcome]]:
    """`holder` runs in a transaction kept open (its locks held); then the `calls` start in their
    own threads, lined up by a barrier; the holder commits once each is blocked or done."""
    inside, release = threading.Event(), threading.Event()

    def hold() -> Any:
        try:
            with transaction.atomic():
                value = holder()
                inside.set()
                release.wait(WAIT_LIMIT)
            return value
        finally:
            inside.set()

    first = Contender(hold)
    first.start()
    inside.wait(WAIT_LIMIT)
    barrier = threading.Barrier(len(calls))
    others = [Contender(call, before=lambda: barrier.wait(WAIT_LIMIT)) for call in calls]
    try:
        for c in others:
            c.start()
        _wait_until_blocked_or_done(others)
    finally:
        release.set()
        for c in [first, *others]:
            c.join(WAIT_LIMIT)
    assert not any(c.is_alive() for c in [first, *others]), "a contender never finished"
    return first.outcome, [c.outcome for c in others]


def first_holds(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Outcome, Outcome]:
    """`first` completes inside a transaction that stays open while `second` starts on the same
    rows from another connection; `first` commits once `second` is blocked (or done)."""
    a, (b,) = _race(first, (second,))
    return a, b


def all_at_once(*calls: Callable[[], Any], lock: Callable[[], Any]) -> list[Outcome]:
    """Every call starts at the same moment (barrier) while a gate transaction holds the rows
    `lock` selects FOR UPDATE; the gate lets go once all are queued on the lock (or done)."""
    gate, outcomes = _race(lambda: list(lock()), calls)
    assert gate.ok, gate.error
    return outcomes


def winner_and_loser(outcomes: list[Outcome]) -> tuple[Outcome, Outcome]:
    winners = [o for o in outcomes if o.ok]
    losers = [o for o in outcomes if not o.ok]
    assert len(winners) == 1 and len(losers) == 1, [o.error for o in outcomes]
    return winners[0], losers[0]


def refused(outcome: Outcome, status: int, *words: str) -> None:
    """The contender got a DomainError of that HTTP status whose message says `words`."""
    assert isinstance(outcome.error, DomainError), repr(outcome.error)
    assert outcome.error.status == status, (outcome.error.status, outcome.error.message)
    for word in words:
        assert word in outcome.error.message, outcome.error.message


def lock_rows(model: Any, *pks: int) -> Callable[[], Any]:
    return lambda: model.objects.select_for_update().filter(pk__in=pks).order_by("pk")


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def manager(city, make_user):
    return make_user("manager", city, username="manager-city")


@pytest.fixture
def asset(admin, city):
    return fleet.create_asset(
        admin,
        city,
        kind="laptop",
        manufacturer="Dell",
        model="Latitude 5420",
        serial_number="DL-1",
        purchase_date=TODAY - dt.timedelta(days=400),
    )


def ready_device(actor, lot, tag: str) -> Device:
    """A device through intake, triage, diagnostic, QA, wipe and release: READY."""
    device = reuse.register_device(
        actor, lot, asset_tag=tag, kind="laptop", media=[{"type": "ssd", "serial_number": tag}]
    )
    template = Checklist.objects.create(
        organisation=lot.organisation, name="PC", kind="laptop", items=[{"code": "boot"}]
    )
    reuse.triage(actor, device, "reuse")
    reuse.diagnose(actor, device, template, {"boot": "pass"})
    reuse.change_status(actor, device, DeviceStatus.QA)
    wipe(actor, device.media.get())
    reuse.release(actor, device, checklist_passed=True, grade="B")
    device.refresh_from_db()
    return device


def wipe(actor, medium: StorageMedium, at: dt.datetime | None = None) -> SanitisationRecord:
    at = at or timezone.now()
    return reuse.record_sanitisation(
        actor,
        medium,
        level="purge",
        method="sanitize",
        tool="nwipe",
        result="success",
        started_at=at,
        ended_at=at + dt.timedelta(minutes=30),
    )


def beneficiary(actor, org, pseudonym: str):
    return reuse.create_beneficiary(actor, org, pseudonym=pseudonym)


# --- reuse: one device, two provisions ----------------------------------------------------------


def test_two_provisions_with_the_same_version_one_wins_with_a_409(admin, manager, city, lot):
    device = ready_device(admin, lot, "R-1")
    alice, bob = beneficiary(admin, city, "ALICE"), beneficiary(admin, city, "BOB")
    seen = device.version

    def give(actor, person):
        return lambda: reuse.provide(
            actor, device, type_="donation", beneficiary=person, expected_version=seen
        )

    winner, loser = winner_and_loser(
        all_at_once(give(admin, alice), give(manager, bob), lock=lock_rows(Device, device.pk))
    )
    assert loser.waited  # it really queued behind the winner's row lock
    refused(loser, 409, "modifié par quelqu'un d'autre")
    provision = Provision.objects.get(device=device)  # exactly one
    assert provision == winner.value
    device.refresh_from_db()
    assert device.status == DeviceStatus.PROVIDED and device.version == seen + 1
    assert DeviceEvent.objects.filter(device=device, type=DeviceEventType.PROVIDED).count() == 1


def test_two_sales_without_a_version_the_second_is_told_it_is_already_provided(
    admin, manager, city, lot
):
    """Pages and API may omit the version: the row lock alone keeps it to one provision, and
    the provision holds the winner's person and price, never a mix."""
    device = ready_device(admin, lot, "R-2")
    alice, bob = beneficiary(admin, city, "ALICE"), beneficiary(admin, city, "BOB")

    def sell(actor, person, price):
        return lambda: reuse.provide(
            actor, device, type_="solidarity_sale", beneficiary=person, price_eur=Decimal(price)
        )

    winner, loser = winner_and_loser(
        all_at_once(
            sell(admin, alice, "40"), sell(manager, bob, "60"), lock=lock_rows(Device, device.pk)
        )
    )
    assert loser.waited
    refused(loser, 409, "R-2", "déjà été remis")
    provision = Provision.objects.get(device=device)
    assert (provision.beneficiary, provision.price_eur) == (
        winner.value.beneficiary,
        winner.value.price_eur,
    )
    assert Device.objects.get(pk=device.pk).status == DeviceStatus.PROVIDED


# --- fleet: the same asset edited or moved twice -------------------------------------------------


def test_two_edits_with_the_same_version_no_lost_update(admin, manager, asset):
    seen = asset.version
    first, second = first_holds(
        lambda: fleet.update_asset(admin, asset, expected_version=seen, model="Latitude 5430"),
        lambda: fleet.update_asset(manager, asset, expected_version=seen, supplier="UGAP"),
    )
    assert first.ok and second.waited
    refused(second, 409, "modifié par quelqu'un d'autre", "rechargez")
    asset.refresh_from_db()
    # the winner's change is there, the loser's is not silently merged into it
    assert asset.model == "Latitude 5430" and asset.supplier == ""
    assert asset.version == seen + 1
    assert AssetEvent.objects.filter(asset=asset, type=AssetEventType.UPDATED).count() == 1


def test_two_status_changes_with_the_same_version_one_applies(admin, manager, asset):
    seen = asset.version
    outcomes = all_at_once(
        lambda: fleet.change_status(admin, asset, AssetStatus.SPARE, expected_version=seen),
        lambda: fleet.change_status(manager, asset, AssetStatus.IN_REPAIR, expected_version=seen),
        lock=lock_rows(Asset, asset.pk),
    )
    winner, loser = winner_and_loser(outcomes)
    assert loser.waited
    refused(loser, 409, "rechargez")
    asset.refresh_from_db()
    assert asset.status == winner.value.status and asset.version == seen + 1
    moves = AssetEvent.objects.filter(asset=asset, type=AssetEventType.STATUS_CHANGED)
    assert [e.to_status for e in moves] == [asset.status]


def test_two_people_posting_the_edit_form_one_302_one_409(admin, manager, asset):
    url = reverse("fleet:edit", args=[asset.pk])
    seen = asset.version

    def post(user, model):
        client = Client()
        client.force_login(user)
        form = {"kind": "laptop", "model": model, "country": "FRA", "expected_version": seen}
        return lambda: client.post(url, form)

    outcomes = all_at_once(
        post(admin, "Modèle d'Alice"),
        post(manager, "Modèle de Bob"),
        lock=lock_rows(Asset, asset.pk),
    )
    assert all(o.ok and o.waited for o in outcomes), [o.error for o in outcomes]
    codes = sorted(o.value.status_code for o in outcomes)
    assert codes == [302, 409]
    loser = next(o.value for o in outcomes if o.value.status_code == 409)
    assert "modifié par quelqu" in loser.content.decode()
    asset.refresh_from_db()
    assert asset.model in ("Modèle d'Alice", "Modèle de Bob") and asset.version == seen + 1


def test_two_api_patches_with_the_same_version_one_200_one_409(admin, manager, asset):
    url = f"/api/fleet/assets/{asset.pk}"
    seen = asset.version

    def patch(user, body):
        _token, raw = core_services.create_token(user, "concurrency")
        body = json.dumps({**body, "expected_version": seen})
        return lambda: Client().patch(
            url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}"
        )

    outcomes = all_at_once(
        patch(admin, {"model": "T15"}),
        patch(manager, {"supplier": "UGAP"}),
        lock=lock_rows(Asset, asset.pk),
    )
    assert all(o.ok and o.waited for o in outcomes), [o.error for o in outcomes]
    by_code = {o.value.status_code: o.value for o in outcomes}
    assert sorted(by_code) == [200, 409]
    problem = by_code[409].json()
    assert problem["type"].endswith("/conflict") and "rechargez" in problem["detail"]
    asset.refresh_from_db()
    won = by_code[200].json()
    assert (asset.model, asset.supplier) == (won["model"], won["supplier"])
    assert (asset.model, asset.supplier) in (("T15", ""), ("Latitude 5420", "UGAP"))


def test_a_bulk_retirement_waits_for_a_single_move_and_is_refused_as_a_whole(admin, manager, city):
    fleet.set_lifespan_policy(admin, city, "laptop", 5)
    one, two = (  # old enough to be retired without a reason
        fleet.create_asset(
            admin,
            city,
            kind="laptop",
            serial_number=f"S-{i}",
            purchase_date=TODAY - dt.timedelta(days=7 * 366),
        )
        for i in range(2)
    )
    first, second = first_holds(
        lambda: fleet.change_status(manager, one, AssetStatus.LOST_STOLEN),
        lambda: fleet.bulk_change(admin, [one, two], to_status=AssetStatus.RETIRED),
    )
    assert first.ok and second.waited
    assert isinstance(second.error, fleet.BulkRefused)
    assert [a.pk for a, _reason in second.error.refusals] == [one.pk]
    assert "Passage impossible" in second.error.refusals[0][1]
    statuses = dict(Asset.objects.filter(pk__in=[one.pk, two.pk]).values_list("pk", "status"))
    assert statuses == {one.pk: AssetStatus.LOST_STOLEN, two.pk: AssetStatus.IN_SERVICE}


def test_a_single_move_with_the_version_it_saw_loses_to_a_bulk_change(admin, manager, asset):
    seen = asset.version
    first, second = first_holds(
        lambda: fleet.bulk_change(admin, [asset], to_status=AssetStatus.SPARE),
        lambda: fleet.change_status(manager, asset, AssetStatus.IN_REPAIR, expected_version=seen),
    )
    assert first.ok and second.waited
    refused(second, 409, "rechargez")
    assert Asset.objects.get(pk=asset.pk).status == AssetStatus.SPARE


def test_two_bulk_changes_in_opposite_orders_do_not_deadlock(admin, manager, city):
    a, b = (
        fleet.create_asset(admin, city, kind="laptop", serial_number=f"B-{i}") for i in range(2)
    )
    it = fleet.add_department(admin, city, "DSI")
    schools = fleet.add_department(admin, city, "Écoles")
    outcomes = all_at_once(
        lambda: fleet.bulk_change(admin, [a, b], department=it),
        lambda: fleet.bulk_change(manager, [b, a], department=schools),
        lock=lock_rows(Asset, a.pk, b.pk),
    )
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]  # no deadlock error
    departments = set(
        Asset.objects.filter(pk__in=[a.pk, b.pk]).values_list("department", flat=True)
    )
    assert len(departments) == 1  # the one applied last wins for both, never a mix


def test_repairs_two_opened_at_once_are_both_kept_two_closes_one_wins(admin, manager, asset):
    first, second = first_holds(
        lambda: fleet.open_repair(admin, asset, problem="Écran cassé"),
        lambda: fleet.open_repair(manager, asset, problem="Clavier HS"),
    )
    assert first.ok and second.ok, second.error
    assert second.waited
    assert Repair.objects.filter(asset=asset).count() == 2
    asset.refresh_from_db()
    assert asset.status == AssetStatus.IN_REPAIR
    moves = AssetEvent.objects.filter(asset=asset, type=AssetEventType.STATUS_CHANGED)
    assert moves.count() == 1

    repair = first.value
    first, second = first_holds(
        lambda: fleet.close_repair(admin, repair, outcome="fixed"),
        lambda: fleet.close_repair(manager, repair, outcome="end_of_life", barrier="no_parts"),
    )
    assert first.ok and second.waited
    refused(second, 409, "déjà close")
    repair.refresh_from_db()
    assert repair.outcome == "fixed" and repair.barrier == ""


def test_two_departments_of_the_same_name_at_once_one_is_refused(admin, make_user, city):
    other_admin = make_user("administrator", city, username="admin-2")
    outcomes = all_at_once(
        lambda: fleet.add_department(admin, city, "DSI"),
        lambda: fleet.add_department(other_admin, city, "dsi"),
        lock=lambda: type(city).objects.select_for_update().filter(pk=city.pk),
    )
    _winner, loser = winner_and_loser(outcomes)
    refused(loser, 400, "existe déjà")
    assert Department.objects.filter(organisation=city).count() == 1


# --- the hand-over of a retired asset to the reuse chain -----------------------------------------


def test_the_same_asset_handed_over_twice_gives_one_device(admin, manager, city):
    asset = retired_asset(admin, city)
    lot = new_lot(admin, city)
    first, second = first_holds(
        lambda: handover.hand_over(admin, asset, lot, asset_tag="R-100"),
        lambda: handover.hand_over(manager, asset, lot, asset_tag="R-101"),
    )
    assert first.ok and second.waited
    refused(second, 409, "déjà été confié")
    assert list(Device.objects.values_list("asset_tag", flat=True)) == ["R-100"]
    asset.refresh_from_db()
    assert asset.status == AssetStatus.HANDED_TO_REUSE and asset.reuse_device.asset_tag == "R-100"


def test_two_assets_handed_over_under_one_tag_the_second_is_told_which_field(admin, manager, city):
    one = retired_asset(admin, city, serial="A-1")
    two = retired_asset(admin, city, serial="A-2")
    lot = new_lot(admin, city)
    first, second = first_holds(
        lambda: handover.hand_over(admin, one, lot, asset_tag="R-200"),
        lambda: handover.hand_over(manager, two, lot, asset_tag="R-200"),
    )
    assert first.ok and second.waited  # the second insert waited on the unique index
    refused(second, 400, "R-200")
    assert second.error.field == "asset_tag"
    assert Device.objects.get().fleet_asset_id == one.pk
    assert Asset.objects.get(pk=two.pk).status == AssetStatus.RETIRED  # nothing half-written


def test_two_beneficiaries_under_one_pseudonym_at_once_one_is_refused_by_field(
    admin, manager, city
):
    first, second = first_holds(
        lambda: beneficiary(admin, city, "CAMILLE"),
        lambda: beneficiary(manager, city, "CAMILLE"),
    )
    assert first.ok and second.waited  # the second insert waited on the unique index
    refused(second, 400, "CAMILLE", "déjà pris")
    assert second.error.field == "pseudonym"
    assert Beneficiary.objects.filter(pseudonym="CAMILLE").count() == 1


# --- reuse: parts, wipes, shipments --------------------------------------------------------------


def test_two_repairs_taking_the_same_parts_in_opposite_orders_one_gets_them(
    admin, manager, city, lot
):
    """No part used twice, and no deadlock: both repairs queue on the same first part."""
    devices = [reuse.register_device(admin, lot, asset_tag=f"Q-{i}", kind="laptop") for i in (1, 2)]
    p1, p2 = (Part.objects.create(organisation=city, description=f"Pièce {i}") for i in (1, 2))
    outcomes = all_at_once(
        lambda: reuse.record_repair(
            admin, devices[0], problem="x", outcome="fixed", parts=[p1, p2]
        ),
        lambda: reuse.record_repair(
            manager, devices[1], problem="x", outcome="fixed", parts=[p2, p1]
        ),
        lock=lock_rows(Part, p1.pk, p2.pk),
    )
    winner, loser = winner_and_loser(outcomes)
    assert loser.waited
    refused(loser, 400, "Pièce 1", "pas en stock")  # a clear refusal, not a deadlock error
    parts = Part.objects.values_list("in_stock", "used_in")
    assert set(parts) == {(False, winner.value.pk)}
    assert DeviceRepair.objects.get() == winner.value  # the loser's repair is not half-written


def test_the_same_wipe_recorded_twice_at_once_is_kept_once(admin, manager, lot):
    device = reuse.register_device(
        admin, lot, asset_tag="W-1", kind="laptop", media=[{"type": "ssd", "serial_number": "X"}]
    )
    medium = device.media.get()
    at = timezone.now().replace(microsecond=0)
    winner, loser = winner_and_loser(
        all_at_once(
            lambda: wipe(admin, medium, at),
            lambda: wipe(manager, medium, at),
            lock=lock_rows(StorageMedium, medium.pk),
        )
    )
    assert loser.waited
    refused(loser, 409, "déjà enregistré")
    assert SanitisationRecord.objects.get(medium=medium) == winner.value
    assert DeviceEvent.objects.filter(device=device, type=DeviceEventType.SANITISED).count() == 1
    wipe(admin, medium, at + dt.timedelta(hours=1))  # a second, later wipe is its own record
    assert SanitisationRecord.objects.filter(medium=medium).count() == 2


def test_a_device_added_to_a_shipment_while_it_ships_is_refused(admin, manager, city, lot):
    recycler = Party.objects.create(organisation=city, kind="recycler", name="Recycleur")
    shipment = WeeeShipment.objects.create(organisation=city, recycler=recycler, weee_category="6")
    inside, late = (
        reuse.register_device(admin, lot, asset_tag=f"D-{i}", kind="laptop") for i in (1, 2)
    )
    for d in (inside, late):
        reuse.triage(admin, d, "recycling", reason="Carte mère HS")
    reuse.add_to_shipment(admin, shipment, inside)
    first, second = first_holds(
        lambda: reuse.ship(admin, shipment, tracking_reference="BSD-1"),
        lambda: reuse.add_to_shipment(manager, shipment, late),
    )
    assert first.ok and second.waited
    refused(second, 400, "déjà parti")
    late.refresh_from_db()
    assert late.status == DeviceStatus.TO_RECYCLE and not late.shipments.exists()
    assert list(shipment.devices.values_list("status", flat=True)) == [DeviceStatus.SHIPPED]


# --- plan: freezing an evaluation ---------------------------------------------------------------


@pytest.fixture
def evaluation(manager, city):
    return plan.create_evaluation(manager, city, label="À 18 mois", on=TODAY, month=18)


def test_while_an_evaluation_freezes_a_second_freeze_a_change_and_a_deletion_are_refused(
    admin, manager, evaluation
):
    freeze, others = _race(
        lambda: plan.freeze_evaluation(admin, evaluation),
        (
            lambda: plan.freeze_evaluation(manager, evaluation),
            lambda: plan.update_evaluation(manager, evaluation, comments="trop tard"),
            lambda: plan.delete_evaluation(manager, evaluation),
        ),
    )
    assert freeze.ok and all(o.waited for o in others)
    for outcome in others:
        assert isinstance(outcome.error, EvaluationFrozen), repr(outcome.error)
        refused(outcome, 409, "figée")
    evaluation = Evaluation.objects.get(pk=evaluation.pk)  # not deleted
    assert evaluation.is_frozen and evaluation.frozen_by == admin and evaluation.comments == ""
    assert AuditEvent.objects.filter(action="evaluation.frozen").count() == 1
    assert not AuditEvent.objects.filter(action="evaluation.deleted").exists()
