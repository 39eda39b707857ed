"""Support sessions by digital facilitators: listing, totals and the CSV export for the national
reporting tool (Coop de la médiation numérique), so that no session is typed twice.

The export carries no name and no pseudonym: per session, date, duration, individual or
collective, participants, themes, autonomy, the person's commune and age bracket (individual
sessions only), and whether it was the person's first support. A facilitator exports their own
sessions; a manager or administrator may export everyone's.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from impactnum.io.cells import csv_writer
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import VIEW_BENEFICIARIES, require

from .choices import AutonomyLevel
from .models import SupportSession
from .privacy import is_manager

COOP_COLUMNS = (
    "date",
    "duree_minutes",
    "type_accompagnement",
    "nombre_participants",
    "thematiques",
    "autonomie",
    "commune",
    "tranche_age",
    "premier_accompagnement",
)
"""Modelled on the Coop de la médiation numérique activity (`Activite`) and beneficiary fields
(inclusion-numerique/coop-mediation-numerique, apps/web/prisma/schema.prisma)."""

COOP_AUTONOMY = {
    AutonomyLevel.BEGINNER: "entierement-accompagne",
    AutonomyLevel.GUIDED: "partiellement-autonome",
    AutonomyLevel.AUTONOMOUS: "autonome",
}


def sessions_for(
    actor: AbstractBaseUser,
    organisation: Organisation,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    everyone: bool = False,
) -> QuerySet[SupportSession]:
    """Sessions `actor` may see: their own, or everyone's for a manager asking `everyone`."""
    require(actor, organisation, VIEW_BENEFICIARIES)  # type: ignore[arg-type]
    qs = SupportSession.objects.filter(organisation=organisation)
    if not (everyone and is_manager(actor, organisation)):
        qs = qs.filter(facilitator=actor)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    return qs.order_by("date", "pk")


def is_collective(session: SupportSession) -> bool:
    return bool(session.group_label) or session.group_size > 1


def export_csv(
    actor: AbstractBaseUser,
    organisation: Organisation,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    everyone: bool = False,
) -> str:
    """The sessions as CSV (comma-separated, UTF-8, header `COOP_COLUMNS`), without names."""
    earlier = SupportSession.objects.filter(
        beneficiary=OuterRef("beneficiary"), beneficiary__isnull=False
    ).filter(Q(date__lt=OuterRef("date")) | Q(date=OuterRef("date"), pk__lt=OuterRef("pk")))
    qs = (
        sessions_for(actor, organisation, date_from=date_from, date_to=date_to, everyone=everyone)
        .select_related("beneficiary")
        .annotate(has_earlier=Exists(earlier))
    )
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(COOP_COLUMNS)
    for s in qs:
        collective = is_collective(s)
        person = None if collective else s.beneficiary
        themes = [t.strip() for t in s.themes.replace(";", ",").split(",") if t.strip()]
        writer.writerow(
            [
                s.date.isoformat(),
                s.minutes,
                "collectif" if collective else "individuel",
                s.group_size if collective else 1,
                ";".join(themes),
                COOP_AUTONOMY.get(AutonomyLevel(s.autonomy), "") if s.autonomy else "",
                person.commune if person else "",
                person.age_bracket if person else "",
                "" if person is None else ("non" if s.has_earlier else "oui"),
            ]
        )
    return out.getvalue()


def support_totals(
    organisation: Organisation, date_from: dt.date, date_to: dt.date
) -> dict[str, Any]:
    """Sessions, hours, participants and distinct people supported over a period (DB sums)."""
    qs = SupportSession.objects.filter(
        organisation=organisation, date__gte=date_from, date__lte=date_to
    )
    agg = qs.aggregate(
        sessions=Count("pk"),
        minutes=Sum("minutes"),
        participants=Sum("group_size"),
        people=Count("beneficiary", distinct=True),
    )
    return {
        "support_sessions": agg["sessions"] or 0,
        "support_hours": round((agg["minutes"] or 0) / 60, 2),
        "support_participants": agg["participants"] or 0,
        "people_supported": agg["people"] or 0,
    }
