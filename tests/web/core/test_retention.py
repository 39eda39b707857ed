"""The retention job: deletes old connection traces only, idempotently, and says what it did."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from impactnum.web.core import login, services
from impactnum.web.core.models import ApiToken, AuditEvent, LoginAttempt

NOW = timezone.now()


def _age(queryset, days: int) -> None:
    """Move rows back in time (their `at` is set on creation)."""
    queryset.update(at=NOW - dt.timedelta(days=days))


def _attempt(username: str, days_ago: int) -> LoginAttempt:
    request = RequestFactory().post("/login/", REMOTE_ADDR="192.0.2.7")
    attempt = login.record_attempt(request, username, None)
    _age(LoginAttempt.objects.filter(pk=attempt.pk), days_ago)
    _age(AuditEvent.objects.filter(object_id=str(attempt.pk), action="login.failed"), days_ago)
    return attempt


def _session(expires_in_days: int) -> str:
    store = SessionStore()
    store["x"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=NOW + dt.timedelta(days=expires_in_days)
    )
    return store.session_key


@pytest.fixture
def traces(city, make_user):
    user = make_user("manager", city, username="lea")
    _age(AuditEvent.objects.filter(action="organisation.created"), 3000)  # old state change
    old_token, _ = services.create_token(user, "old script")
    services.revoke_token(user, old_token.pk)
    _age(AuditEvent.objects.filter(action="token.revoked", object_id=str(old_token.pk)), 200)
    recent_token, _ = services.create_token(user, "recent script")
    services.revoke_token(user, recent_token.pk)
    live_token, _ = services.create_token(user, "live script")
    _age(AuditEvent.objects.filter(object_id=str(live_token.pk)), 400)
    return {
        "old_attempt": _attempt("mallory", 400),
        "month_old_attempt": _attempt("lea", 40),
        "new_attempt": _attempt("lea", 1),
        "expired_session": _session(-1),
        "live_session": _session(1),
        "old_token": old_token,
        "recent_token": recent_token,
        "live_token": live_token,
    }


def _counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def run(*args: str) -> str:
    out = StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def test_purges_old_traces_and_nothing_else(traces):
    before = _counts()
    output = run()
    assert "expired sessions: deleted 1" in output
    assert "sign-in attempts: deleted 2" in output  # 400 and 40 days old (policy: 30 days)
    assert "login audit events: deleted 1" in output  # 400 days old (policy: 365 days)
    assert "revoked API tokens: deleted 1" in output  # revoked 200 days ago (policy: 90 days)

    assert list(LoginAttempt.objects.all()) == [traces["new_attempt"]]
    kept_logins = AuditEvent.objects.filter(action="login.failed")
    assert {e.object_id for e in kept_logins} == {
        str(traces["month_old_attempt"].pk),  # the audit event outlives the attempt row
        str(traces["new_attempt"].pk),
    }
    assert list(Session.objects.values_list("pk", flat=True)) == [traces["live_session"]]
    assert set(ApiToken.objects.all()) == {traces["recent_token"], traces["live_token"]}

    after = _counts()
    changed = {label for label in before if before[label] != after[label]}
    assert changed == {
        "sessions.Session",
        "core.LoginAttempt",
        "core.AuditEvent",
        "core.ApiToken",
    }
    # The audit of state changes is kept, however old (organisation.created is 3000 days old).
    assert before["core.AuditEvent"] - after["core.AuditEvent"] == 1
    assert AuditEvent.objects.filter(action="organisation.created").exists()


def test_second_run_deletes_nothing(traces):
    run()
    before = _counts()
    assert run().count("deleted 0") == 4
    assert _counts() == before


def test_dry_run_counts_without_deleting(traces):
    before = _counts()
    output = run("--dry-run")
    assert "sign-in attempts: would delete 2" in output
    assert _counts() == before


def test_reference_time_moves_the_horizon(traces):
    output = run("--dry-run", "--now", (NOW + dt.timedelta(days=40)).isoformat())
    assert "sign-in attempts: would delete 3" in output  # the 1-day-old one is 41 days old then
    with pytest.raises(CommandError, match="time zone"):
        run("--now", "2026-01-31T03:00:00")


@pytest.mark.parametrize("bad", ["abc", "0", "-5", None])
def test_bad_policy_is_refused_before_anything_is_deleted(traces, settings, bad):
    settings.IMPACTNUM_RETENTION = {**settings.IMPACTNUM_RETENTION, "login_audit_days": bad}
    before = _counts()
    with pytest.raises(CommandError, match="login_audit_days"):
        run()
    assert _counts() == before
