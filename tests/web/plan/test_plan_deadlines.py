"""The calendar of what is due and the e-mail reminders (sent once per deadline and address)."""

import datetime as dt
from io import StringIO

from django.core import mail
from django.core.management import call_command

from impactnum.web.fleet import services as fleet_services
from impactnum.web.plan import services
from impactnum.web.plan.deadlines import add_months, deadlines, send_reminders
from impactnum.web.plan.models import ReminderSent

D = dt.date


def test_add_months_keeps_the_day_or_the_month_end():
    assert add_months(D(2022, 10, 28), 18) == D(2024, 4, 28)
    assert add_months(D(2022, 10, 28), 36) == D(2025, 10, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)


def test_every_kind_of_deadline(manager, tech, city, commitment):
    services.update_plan_settings(
        manager, city, started_on=D(2022, 10, 28), evaluation_months=[18, 36]
    )
    action = services.add_action(manager, commitment, title="Charte", due_on=D(2024, 5, 15))
    services.add_action(manager, commitment, title="Finie", due_on=D(2024, 5, 16), status="done")
    for _ in range(2):
        fleet_services.create_asset(tech, city, kind="laptop", warranty_end=D(2024, 9, 1))
    items = deadlines(city, D(2024, 1, 1), D(2024, 12, 31))
    kinds = [(d.on, d.kind) for d in items]
    assert kinds == [
        (D(2024, 4, 28), "evaluation"),
        (D(2024, 5, 15), "action"),
        (D(2024, 6, 30), "declaration"),
        (D(2024, 9, 1), "warranty"),
        (D(2024, 12, 1), "annual_report"),
    ]
    assert items[1].key == f"action:{action.pk}:2024-05-15" and items[1].owner == "manager-city"
    assert "2023" in items[2].title  # the declaration of 30 June 2024 is for 2023's purchases
    assert "2" in items[3].title


def test_reminders_are_sent_once(manager, admin, city, commitment):
    admin.email = "admin@nevers.example"
    admin.save()
    services.add_action(manager, commitment, title="Charte", due_on=D(2026, 6, 20))
    today = D(2026, 6, 10)  # the action (20 June) and the declaration (30 June) are not in 14 days
    report = send_reminders(today)
    assert [k for k, _a in report.sent] == [f"action:{commitment.actions.get().pk}:2026-06-20"]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["manager@nevers.example"]
    assert "Charte" in mail.outbox[0].body

    again = send_reminders(today)
    assert again.sent == [] and again.skipped_already_sent == 1 and len(mail.outbox) == 1

    later = send_reminders(D(2026, 6, 17))  # now the declaration too, to both managers
    assert sorted(a for _k, a in later.sent) == ["admin@nevers.example", "manager@nevers.example"]
    assert len(mail.outbox) == 3
    assert ReminderSent.objects.count() == 3


def test_reminders_command_is_idempotent(manager, city, commitment):
    services.add_action(manager, commitment, title="Charte", due_on=D(2026, 3, 10))
    out = StringIO()
    call_command("send_reminders", "--date", "2026-03-01", stdout=out)
    assert "1 reminder(s) sent" in out.getvalue()
    out = StringIO()
    call_command("send_reminders", "--date", "2026-03-01", stdout=out)
    assert "0 reminder(s) sent; 1 already sent" in out.getvalue()
    assert len(mail.outbox) == 1
    out = StringIO()
    call_command("send_reminders", "--date", "2026-03-01", "--dry-run", stdout=out)
    assert "0 reminder(s) would send" in out.getvalue()
