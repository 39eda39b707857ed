"""Retention of connection traces: what a daily job deletes, and what it never touches.

Purged (durations in settings.IMPACTNUM_RETENTION, days; docs/deployment.md gives the policy):
- expired sessions (Django's own expiry date, as `clearsessions` does);
- sign-in attempts (`LoginAttempt`) older than `login_attempts_days`: the rate limit reads only
  the last 15 minutes, and the lasting trace is the login audit event;
- login audit events (`login.succeeded`, `login.failed`) older than `login_audit_days`: they are
  access logs, which the CNIL recommends keeping from 6 months to 1 year;
- API tokens revoked more than `revoked_tokens_days` ago (only a hash and a name were left).

Never purged: every other audit event (the history of state changes), and every legal proof
(wipe reports, WEEE certificates, donation receipts, provision agreements, plan evidence) — this
module names no table but the four above. Password-reset links store nothing (Django signs them
and they expire after PASSWORD_RESET_TIMEOUT), so there is nothing to purge for them.
Beneficiaries are anonymised by their own job (`impactnum reuse anonymise`, reuse/privacy.py).

One run is one transaction and running it twice deletes nothing more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from .errors import DomainError
from .models import ApiToken, AuditEvent, LoginAttempt

LOGIN_ACTIONS = ("login.succeeded", "login.failed")
POLICY_KEYS = ("login_attempts_days", "login_audit_days", "revoked_tokens_days")


@dataclass
class RetentionReport:
    """How many rows each rule deleted (or would delete, in a dry run)."""

    now: dt.datetime
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        verb = "would delete" if self.dry_run else "deleted"
        return [f"{name}: {verb} {n}" for name, n in self.counts.items()]


def policy() -> dict[str, int]:
    """The durations in days, checked: a positive whole number each, or a clear error."""
    configured = getattr(settings, "IMPACTNUM_RETENTION", {})
    days: dict[str, int] = {}
    for key in POLICY_KEYS:
        raw = configured.get(key)
        try:
            value = int(str(raw).strip())
        except ValueError:
            value = 0
        if value < 1:
            raise DomainError(
                f"IMPACTNUM_RETENTION[{key!r}] = {raw!r}: a number of days (1 or more) is expected",
                field=key,
            )
        days[key] = value
    return days


@transaction.atomic
def purge(now: dt.datetime | None = None, *, dry_run: bool = False) -> RetentionReport:
    """Delete what is past its retention (see the module docstring); a dry run only counts."""
    now = now or timezone.now()
    days = policy()

    def before(key: str) -> dt.datetime:
        return now - dt.timedelta(days=days[key])

    revoked_long_ago = AuditEvent.objects.filter(
        action="token.revoked",
        object_type=ApiToken._meta.label_lower,
        at__lt=before("revoked_tokens_days"),
    ).values_list("object_id", flat=True)
    rules = {
        "expired sessions": Session.objects.filter(expire_date__lt=now),
        "sign-in attempts": LoginAttempt.objects.filter(at__lt=before("login_attempts_days")),
        "login audit events": AuditEvent.objects.filter(
            action__in=LOGIN_ACTIONS, at__lt=before("login_audit_days")
        ),
        "revoked API tokens": ApiToken.objects.filter(
            revoked=True, pk__in=[int(pk) for pk in revoked_long_ago if pk.isdigit()]
        ),
    }
    report = RetentionReport(now=now, dry_run=dry_run)
    for name, rows in rules.items():
        if dry_run:
            report.counts[name] = rows.count()
        else:
            report.counts[name] = rows.delete()[1].get(rows.model._meta.label, 0)
    return report
