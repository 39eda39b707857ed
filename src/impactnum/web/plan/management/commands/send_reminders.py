"""`impactnum manage send_reminders` (or `django-admin send_reminders`): e-mail the owners of
what falls due soon. Schedule it daily (cron, systemd timer); running it twice sends nothing
more. Mail goes through Django's EMAIL_BACKEND (console by default)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from impactnum.web.core.models import Organisation
from impactnum.web.plan.deadlines import send_reminders


class Command(BaseCommand):
    help = "E-mail reminders of the plan's deadlines (once per deadline and address)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Today, as YYYY-MM-DD (default: today).")
        parser.add_argument("--organisation", help="Only this organisation (slug).")
        parser.add_argument("--base-url", default="", help="Site address for links in e-mails.")
        parser.add_argument("--dry-run", action="store_true", help="List, send nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = (
                dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        orgs = None
        if options["organisation"]:
            org = Organisation.objects.filter(slug=options["organisation"]).first()
            if org is None:
                raise CommandError(f"no organisation {options['organisation']!r}")
            orgs = [org]
        report = send_reminders(
            today, organisations=orgs, base_url=options["base_url"], dry_run=options["dry_run"]
        )
        verb = "would send" if options["dry_run"] else "sent"
        for key, address in report.sent:
            self.stdout.write(f"{verb} {key} -> {address}")
        self.stdout.write(
            f"{len(report.sent)} reminder(s) {verb}; {report.skipped_already_sent} already sent; "
            f"{report.skipped_no_address} recipient(s) without e-mail; "
            f"{len(report.failed)} failed"
        )
        if report.failed:
            raise CommandError("; ".join(f"{a}: {e}" for a, e in report.failed))
