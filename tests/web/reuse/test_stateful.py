"""Random sequences of chain operations on the real database, through the services.

They never lose a device, never let a device with an unwiped medium be ready, provided or
shipped, never exceed a legal cap for a public body's devices, and keep every lot's balance.
Each example runs inside a savepoint rolled back at teardown.
"""

import contextlib
import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from impactnum.web.core import services as core
from impactnum.web.core.errors import DomainError
from impactnum.web.reuse import caps, models, services
from impactnum.web.reuse.choices import DeviceStatus, ProvisionType
from impactnum.web.reuse.models import Device, Party, Provision, StorageMedium, WeeeShipment
from impactnum.web.reuse.report import lot_balance

KINDS = ["laptop", "desktop", "smartphone", "tablet", "monitor"]
CUSTODY_OUT = {
    DeviceStatus.READY,
    DeviceStatus.RESERVED,
    DeviceStatus.PROVIDED,
    DeviceStatus.SHIPPED,
}
PICK = st.integers(min_value=0, max_value=1)  # among the most recent devices


class ChainMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.org = core.create_organisation(None, slug="sm", name="SM", kind="commune")
        self.tech = core.create_user(None, username="sm-tech", password="pw-Impactnum-1")
        core.set_membership(None, self.tech, self.org, "manager")
        self.template = models.TestTemplate.objects.create(
            organisation=self.org, name="t", kind="laptop", items=[{"code": "boot", "label": "b"}]
        )
        self.lots = []
        for i, kind in enumerate(["city_service", "association"]):
            donor = Party.objects.create(organisation=self.org, kind=kind, name=f"D{i}")
            self.lots.append(
                services.receive_lot(
                    self.tech,
                    self.org,
                    reference=f"SM-{i}",
                    donor=donor,
                    received_on=dt.date(2026, 1, 1),
                    weight_kg=50,
                )
            )
        self.recycler = Party.objects.create(organisation=self.org, kind="recycler", name="R")
        self.person = services.create_beneficiary(self.tech, self.org, pseudonym="SM-P")
        self.registered = {lot.pk: 0 for lot in self.lots}
        self.devices: list[int] = []
        self.n = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _device(self, i: int) -> Device:
        return Device.objects.get(pk=self.devices[-1 - i % len(self.devices)])

    def _try(self, fn, *args, **kwargs) -> None:
        # a refusal comes with a message and must leave the state unchanged (invariants check)
        with contextlib.suppress(DomainError):
            fn(*args, **kwargs)

    # --- rules --------------------------------------------------------------------------------

    @rule(lot=st.integers(0, 1), kind=st.sampled_from(KINDS), media=st.integers(0, 2))
    def register(self, lot, kind, media):
        self.n += 1
        dev = services.register_device(
            self.tech,
            self.lots[lot],
            asset_tag=f"SM-{self.n}",
            kind=kind,
            media=[{"type": "ssd", "serial_number": f"M{self.n}-{j}"} for j in range(media)],
        )
        self.devices.append(dev.pk)
        self.registered[self.lots[lot].pk] += 1

    @precondition(lambda self: self.devices)
    @rule(i=PICK, outcome=st.sampled_from(["reuse", "parts", "recycling"]))
    def triage(self, i, outcome):
        self._try(services.triage, self.tech, self._device(i), outcome, reason="test")

    @precondition(lambda self: self.devices)
    @rule(i=PICK)
    def diagnose(self, i):
        self._try(services.diagnose, self.tech, self._device(i), self.template, {"boot": "pass"})

    @precondition(lambda self: self.devices)
    @rule(i=PICK)
    def to_qa(self, i):
        """A shortcut through the refurbish path, so that random runs reach provision."""
        dev = self._device(i)
        self._try(services.triage, self.tech, dev, "reuse")
        self._try(services.diagnose, self.tech, dev, self.template, {"boot": "pass"})
        self._try(services.change_status, self.tech, dev, DeviceStatus.QA)

    @precondition(lambda self: self.devices)
    @rule(
        i=PICK,
        wiped=st.booleans(),
        passed=st.booleans(),
        then=st.none() | st.sampled_from(list(ProvisionType.values)),
        price=st.just(0) | st.integers(0, 400),
        value=st.none() | st.integers(0, 600),
    )
    def refurbish(self, i, wiped, passed, then, price, value):
        """QA, wipe every medium (or not), release, then maybe provide at a random price: the
        device is ready (and provided) only if wiped, passed and within the caps."""
        self.to_qa(i)
        if wiped:
            self.wipe_device(i, True)
        self.release(i, passed, "B")
        if then is not None:
            self.provide(i, then, price, value)

    @precondition(lambda self: self.devices)
    @rule(i=PICK, ok=st.booleans())
    def wipe_device(self, i, ok):
        now = timezone.now()
        for medium in self._device(i).media.all():
            services.record_sanitisation(
                self.tech,
                medium,
                level="purge",
                method="sanitize",
                tool="nwipe",
                result="success" if ok else "failure",
                started_at=now,
                ended_at=now,
            )

    @precondition(lambda self: self.devices)
    @rule(i=PICK, to=st.sampled_from(list(DeviceStatus.values)))
    def move(self, i, to):
        self._try(services.change_status, self.tech, self._device(i), to, reason="test")

    @precondition(lambda self: self.devices)
    @rule(i=PICK, ok=st.booleans())
    def wipe(self, i, ok):
        media = list(StorageMedium.objects.filter(organisation=self.org).order_by("pk"))
        if not media:
            return
        now = timezone.now()
        services.record_sanitisation(
            self.tech,
            media[i % len(media)],
            level="purge",
            method="sanitize",
            tool="nwipe",
            result="success" if ok else "failure",
            started_at=now,
            ended_at=now,
        )

    @precondition(lambda self: self.devices)
    @rule(i=PICK)
    def remove_medium(self, i):
        media = list(StorageMedium.objects.filter(device__isnull=False, organisation=self.org))
        if media:
            self._try(services.remove_medium, self.tech, media[i % len(media)])

    @precondition(lambda self: self.devices)
    @rule(i=PICK, passed=st.booleans(), grade=st.sampled_from(["A", "B", "C"]))
    def release(self, i, passed, grade):
        self._try(
            services.release, self.tech, self._device(i), checklist_passed=passed, grade=grade
        )

    @precondition(lambda self: self.devices)
    @rule(
        i=PICK,
        type_=st.sampled_from(list(ProvisionType.values)),
        price=st.just(0) | st.integers(0, 400),
        value=st.none() | st.integers(0, 600),
    )
    def provide(self, i, type_, price, value):
        self._try(
            services.provide,
            self.tech,
            self._device(i),
            type_=type_,
            beneficiary=self.person,
            price_eur=Decimal(price),
            unit_value_eur=None if value is None else Decimal(value),
        )

    @precondition(lambda self: self.devices)
    @rule(i=PICK, ship_it=st.booleans())
    def ship(self, i, ship_it):
        shipment = WeeeShipment.objects.create(
            organisation=self.org, recycler=self.recycler, weee_category="2"
        )
        self._try(services.add_to_shipment, self.tech, shipment, self._device(i))
        if ship_it:
            self._try(services.ship, self.tech, shipment, tracking_reference="BSD")

    @precondition(lambda self: self.devices)
    @rule(i=PICK)
    def lose(self, i):
        self._try(services.change_status, self.tech, self._device(i), DeviceStatus.LOST)

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def no_device_lost_and_one_status_each(self):
        statuses = list(
            Device.objects.filter(organisation=self.org).values_list("status", flat=True)
        )
        assert len(statuses) == len(self.devices)
        assert all(s in DeviceStatus.values for s in statuses)

    @invariant()
    def lot_balances_hold(self):
        for lot in self.lots:
            balance = lot_balance(lot)
            assert balance["items"]["total"] == self.registered[lot.pk]
            parts = sum(v for k, v in balance["items"].items() if k != "total")
            assert parts == self.registered[lot.pk]

    @invariant()
    def nothing_leaves_custody_unwiped(self):
        for dev in Device.objects.filter(organisation=self.org, status__in=CUSTODY_OUT):
            assert services.is_released(dev), (dev.asset_tag, dev.status)

    @invariant()
    def caps_hold_for_public_bodies(self):
        for p in Provision.objects.filter(device__organisation=self.org).select_related(
            "device__lot__donor"
        ):
            if not p.device.lot.from_public_body:
                continue
            if p.type == ProvisionType.SOLIDARITY_SALE:
                cap = caps.cap_for(caps.SOLIDARITY_PRICE, p.device.kind)
                assert cap is None or p.price_eur <= cap.value_eur
            if p.type == ProvisionType.DONATION and p.unit_value_eur is not None:
                cap = caps.cap_for(caps.DONATION_UNIT_VALUE, p.device.kind)
                assert cap is None or p.unit_value_eur <= cap.value_eur
            if p.type != ProvisionType.SOLIDARITY_SALE:
                assert p.price_eur == 0

    @invariant()
    def one_open_provision_per_provided_device(self):
        for dev in Device.objects.filter(organisation=self.org, status=DeviceStatus.PROVIDED):
            assert dev.provisions.count() >= 1


@pytest.mark.django_db
def test_random_operations_keep_the_chain_consistent():
    run_state_machine_as_test(
        ChainMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
