"""`impactnum manage retention`: delete the connection traces past their retention period.

For a daily scheduled job (deploy/systemd/impactnum-retention.timer, deploy/cron.example);
idempotent, one transaction. The policy is in core/retention.py and docs/deployment.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from impactnum.web.core.errors import DomainError
from impactnum.web.core.retention import purge


class Command(BaseCommand):
    help = (
        "Delete expired sessions, old sign-in attempts and login audit events, old revoked tokens."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")
        parser.add_argument(
            "--now", help="Reference time, ISO 8601 with a time zone (default: now; for tests)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if now.tzinfo is None:
                raise CommandError("--now: give a time zone, e.g. 2026-01-31T03:00:00+01:00")
        try:
            report = purge(now, dry_run=options["dry_run"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for line in report.lines():
            self.stdout.write(line)
