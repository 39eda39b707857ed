"""What is due, and the e-mail reminders about it.

Deadlines of an organisation over a period: the AGEC purchase declaration on data.gouv.fr (by
30 June for the previous year), the yearly report (day set in the plan settings), the plan's
evaluations (start + 18 and 36 months by default), the due dates of open actions, and the
warranty ends of the fleet held (one line per day).

`send_reminders` e-mails each person what falls due within the organisation's `reminder_days`
(one message per person listing them) and records every (deadline, address) sent in
`ReminderSent`: running it twice sends nothing more.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import EDIT_FLEET, roles_with

from .choices import OPEN_ACTION_STATUSES, DeadlineKind
from .models import Action, ReminderSent
from .services import EDIT_PLAN, plan_settings

logger = logging.getLogger("impactnum.plan")

DECLARATION_DAY = (6, 30)
"""AGEC art. 58: the yearly declaration on data.gouv.fr by 30 June of year N+1."""


@dataclass
class Deadline:
    on: dt.date
    kind: str
    title: str
    key: str
    organisation: Organisation
    recipients: list[AbstractBaseUser] = field(default_factory=list)
    url: str = ""
    owner: str = ""

    @property
    def kind_label(self) -> str:
        return str(DeadlineKind(self.kind).label)

    def as_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "kind": self.kind,
            "title": self.title,
            "key": self.key,
            "organisation": self.organisation.slug,
            "owner": self.owner,
            "url": self.url,
        }


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _members(organisation: Organisation, capability: str) -> list[AbstractBaseUser]:
    return list(
        get_user_model()
        .objects.filter(
            memberships__organisation=organisation,
            memberships__role__in=roles_with(capability),
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def deadlines(organisation: Organisation, date_from: dt.date, date_to: dt.date) -> list[Deadline]:
    """Every deadline of the organisation from `date_from` to `date_to` included, by date."""
    from impactnum.web.fleet.choices import HELD_STATUSES
    from impactnum.web.fleet.models import Asset

    org = organisation
    plan = plan_settings(org)
    managers = _members(org, EDIT_PLAN)
    out: list[Deadline] = []

    def inside(day: dt.date) -> bool:
        return date_from <= day <= date_to

    for year in range(date_from.year, date_to.year + 1):
        day = dt.date(year, *DECLARATION_DAY)
        if inside(day):
            out.append(
                Deadline(
                    day,
                    DeadlineKind.DECLARATION,
                    _("Déclaration AGEC des achats %(y)d sur data.gouv.fr") % {"y": year - 1},
                    f"org{org.pk}:declaration:{year}",
                    org,
                    managers,
                    reverse("fleet:quotas") + f"?organisation={org.slug}&year={year - 1}",
                )
            )
        day = dt.date(year, plan.annual_report_month, plan.annual_report_day)
        if inside(day):
            out.append(
                Deadline(
                    day,
                    DeadlineKind.ANNUAL_REPORT,
                    _("Bilan annuel %(y)d du numérique responsable") % {"y": year},
                    f"org{org.pk}:annual_report:{year}",
                    org,
                    managers,
                    reverse("plan:commitments") + f"?organisation={org.slug}",
                )
            )
    if plan.started_on:
        for months in plan.evaluation_months or []:
            day = add_months(plan.started_on, int(months))
            if inside(day):
                out.append(
                    Deadline(
                        day,
                        DeadlineKind.EVALUATION,
                        _("Évaluation à %(m)d mois du plan") % {"m": int(months)},
                        f"org{org.pk}:evaluation:{int(months)}",
                        org,
                        managers,
                        reverse("plan:evaluations") + f"?organisation={org.slug}",
                    )
                )
    actions = Action.objects.filter(
        commitment__organisation=org,
        status__in=OPEN_ACTION_STATUSES,
        due_on__gte=date_from,
        due_on__lte=date_to,
    ).select_related("owner", "commitment__owner")
    for a in actions:
        owner = a.owner or a.commitment.owner
        out.append(
            Deadline(
                a.due_on,  # type: ignore[arg-type]
                DeadlineKind.ACTION,
                f"{a.commitment.reference} — {a.title}",
                f"action:{a.pk}:{a.due_on.isoformat()}",  # type: ignore[union-attr]
                org,
                [owner] if owner is not None else managers,
                reverse("plan:commitment", args=[a.commitment_id]) + f"#action-{a.pk}",
                owner.get_username() if owner else "",
            )
        )
    warranties = (
        Asset.objects.filter(
            organisation=org,
            status__in=HELD_STATUSES,
            warranty_end__gte=date_from,
            warranty_end__lte=date_to,
        )
        .values_list("warranty_end")
        .annotate(n=Count("pk"))
        .order_by("warranty_end")
    )
    if warranties:
        fleet_people = _members(org, EDIT_FLEET)
        for day, n in warranties:
            out.append(
                Deadline(
                    day,
                    DeadlineKind.WARRANTY,
                    _("Fin de garantie de %(n)d équipement(s)") % {"n": n},
                    f"org{org.pk}:warranty:{day.isoformat()}",
                    org,
                    fleet_people,
                    reverse("fleet:list") + f"?organisation={org.slug}",
                )
            )
    out.sort(key=lambda d: (d.on, d.kind, d.title))
    return out


def by_month(items: list[Deadline]) -> list[tuple[dt.date, list[Deadline]]]:
    """Deadlines grouped by month (first day of the month), in order."""
    groups: dict[dt.date, list[Deadline]] = {}
    for d in items:
        groups.setdefault(d.on.replace(day=1), []).append(d)
    return list(groups.items())


# --- reminders ---------------------------------------------------------------------------------


@dataclass
class ReminderReport:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (key, address)
    skipped_already_sent: int = 0
    skipped_no_address: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (address, error)


def _message(items: list[Deadline], base_url: str) -> str:
    lines = [_("Bonjour,"), "", _("Échéances à venir dans impactnum :"), ""]
    for d in items:
        day = date_format(d.on, "DATE_FORMAT")
        lines.append(f"- {day} · {d.kind_label} · {d.organisation.name} · {d.title}")
        if base_url and d.url:
            lines.append(f"  {base_url.rstrip('/')}{d.url}")
    lines += ["", _("Message automatique ; vous le recevez une seule fois par échéance.")]
    return "\n".join(lines)


def send_reminders(
    today: dt.date,
    *,
    organisations: list[Organisation] | None = None,
    base_url: str = "",
    dry_run: bool = False,
) -> ReminderReport:
    """E-mail what falls due from `today` to `today + reminder_days` (per organisation) to its
    owners, once per (deadline, address)."""
    report = ReminderReport()
    pending: dict[str, list[Deadline]] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for org in organisations if organisations is not None else Organisation.objects.all():
            horizon = today + dt.timedelta(days=plan_settings(org).reminder_days)
            for d in deadlines(org, today, horizon):
                addresses = sorted({u.email for u in d.recipients if u.email})
                report.skipped_no_address += len(d.recipients) - len(addresses)
                for address in addresses:
                    if ReminderSent.objects.filter(key=d.key, recipient=address).exists():
                        report.skipped_already_sent += 1
                        continue
                    pending.setdefault(address, []).append(d)
        for address, items in sorted(pending.items()):
            if dry_run:
                report.sent += [(d.key, address) for d in items]
                continue
            subject = _("impactnum : %(n)d échéance(s) à venir") % {"n": len(items)}
            try:
                with transaction.atomic():
                    for d in items:
                        ReminderSent.objects.create(
                            organisation=d.organisation, key=d.key, due_on=d.on, recipient=address
                        )
                    send_mail(subject, _message(items, base_url), None, [address])
            except IntegrityError:  # another run sent it meanwhile
                report.skipped_already_sent += len(items)
                continue
            except Exception as exc:  # the mail server refused: not recorded, retried next run
                logger.exception("reminder to %s failed", address)
                report.failed.append((address, str(exc)))
                continue
            report.sent += [(d.key, address) for d in items]
    return report
