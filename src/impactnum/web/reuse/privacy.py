"""Beneficiaries' personal data: retention, automatic anonymisation, access and erasure requests.

What is held about a person is already minimal (models.Beneficiary): a pseudonym, the referring
partner, an eligibility *code*, an age bracket, a commune and a consent flag. It is kept until
the later of

- ``RETENTION_MONTHS`` (12 by default; setting ``IMPACTNUM_BENEFICIARY_RETENTION_MONTHS``) after
  the last contact (a provision or a support session), and
- the end of the legal guarantee of what the person received (solidarity sales only),

then anonymised: the row stays, so that counts of people equipped and supported stay right, but
its pseudonym becomes ``anon-<id>`` and referrer, eligibility, age bracket, commune, consent and
last contact are cleared. Provisions and sessions stay linked to the anonymised row.

Every anonymisation, access request and erasure request writes a PrivacyLog row that carries
the pseudonym at the time and nothing else about the person. Docs: docs/privacy.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Membership, Organisation
from impactnum.web.core.permissions import VIEW_BENEFICIARIES, organisations_for, require

from .models import Beneficiary, PrivacyLog, Provision, SupportSession
from .services import _add_months

DEFAULT_RETENTION_MONTHS = 12
"""Coop de la médiation numérique privacy page: 1 year after the last update, then anonymised."""
ANONYMISED = "anonymised"
ACCESS_REQUEST = "access_request"
ERASURE_REQUEST = "erasure_request"
MANAGING_ROLES = ("administrator", "manager")


def retention_months() -> int:
    return int(
        getattr(settings, "IMPACTNUM_BENEFICIARY_RETENTION_MONTHS", DEFAULT_RETENTION_MONTHS)
    )


def _last_contact(beneficiary: Beneficiary) -> dt.date | None:
    """The latest of the recorded last contact, provisions and support sessions."""
    days = [
        beneficiary.last_contact_on,
        Provision.objects.filter(beneficiary=beneficiary).aggregate(d=Max("provided_on"))["d"],
        SupportSession.objects.filter(beneficiary=beneficiary).aggregate(d=Max("date"))["d"],
    ]
    known = [d for d in days if d is not None]
    return max(known) if known else None


def retention_end(beneficiary: Beneficiary) -> dt.date | None:
    """Last day the person's data is kept: the later of last contact + RETENTION_MONTHS and the
    end of the legal guarantee of what they received. None: no contact ever recorded (kept
    until one is; `services.create_beneficiary` records the creation day as the first)."""
    last = _last_contact(beneficiary)
    guarantee = Provision.objects.filter(beneficiary=beneficiary).aggregate(
        d=Max("guarantee_until")
    )["d"]
    ends = [d for d in (last and _add_months(last, retention_months()), guarantee) if d]
    return max(ends) if ends else None


def _anonymise(beneficiary: Beneficiary, *, action: str, detail: str, actor: Any) -> None:
    """Clear everything personal on the row (it stays for the counts) and log it."""
    old = beneficiary.pseudonym
    beneficiary.pseudonym = f"anon-{beneficiary.pk}"
    beneficiary.referring_party = None
    beneficiary.eligibility_basis = ""
    beneficiary.age_bracket = ""
    beneficiary.commune = ""
    beneficiary.consent_follow_up = False
    beneficiary.last_contact_on = None
    beneficiary.anonymised_at = timezone.now()
    beneficiary.save()
    PrivacyLog.objects.create(
        organisation_id=beneficiary.organisation_id,
        action=action,
        pseudonym=old,
        detail=detail,
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def anonymise_due(today: dt.date | None = None, organisation: Organisation | None = None) -> int:
    """Anonymise every beneficiary whose retention period ended before `today`; return how many.

    Idempotent (an anonymised row is never touched again); runs as the system (scheduled job:
    `impactnum reuse anonymise`). Candidates are found in the database; each one is confirmed
    with `retention_end` (a guarantee still running keeps the person)."""
    today = today or timezone.localdate()
    cutoff = _add_months(today, -retention_months())
    people = Beneficiary.objects.filter(anonymised_at__isnull=True)
    if organisation is not None:
        people = people.filter(organisation=organisation)
    # no contact since the cutoff (recorded, provision or session) and no guarantee running
    people = (
        people.exclude(last_contact_on__gte=cutoff)
        .exclude(provisions__provided_on__gte=cutoff)
        .exclude(sessions__date__gte=cutoff)
        .exclude(provisions__guarantee_until__gte=today)
        .distinct()
    )
    done = 0
    for person in people.iterator():
        end = retention_end(person)
        if end is None or end >= today:
            continue
        with transaction.atomic():
            locked = Beneficiary.objects.select_for_update().get(pk=person.pk)
            if locked.anonymised_at is not None:
                continue
            _anonymise(
                locked, action=ANONYMISED, detail=f"retention ended {end.isoformat()}", actor=None
            )
        done += 1
    return done


# --- who may see whom -------------------------------------------------------------------------


def beneficiaries_for(actor: AbstractBaseUser, organisation: Organisation) -> QuerySet[Beneficiary]:
    """The beneficiaries `actor` may see in `organisation` (facilitators, managers and
    administrators of that organisation only; NotAllowed otherwise)."""
    require(actor, organisation, VIEW_BENEFICIARIES)  # type: ignore[arg-type]
    return Beneficiary.objects.filter(organisation=organisation)


def visible_beneficiaries(actor: AbstractBaseUser) -> QuerySet[Beneficiary]:
    """Every beneficiary `actor` may see, across their organisations."""
    return Beneficiary.objects.filter(organisation__in=organisations_for(actor, VIEW_BENEFICIARIES))


def is_manager(actor: AbstractBaseUser, organisation: Organisation) -> bool:
    return Membership.objects.filter(
        user=actor, organisation=organisation, role__in=MANAGING_ROLES
    ).exists()


def _check(actor: AbstractBaseUser, beneficiary: Beneficiary) -> None:
    require(actor, beneficiary.organisation, VIEW_BENEFICIARIES)  # type: ignore[arg-type]


# --- data-subject requests --------------------------------------------------------------------


@transaction.atomic
def access_request(actor: AbstractBaseUser, beneficiary: Beneficiary) -> dict[str, Any]:
    """Everything held about the person (GDPR art. 15), as a JSON-ready dict; logged."""
    _check(actor, beneficiary)
    b = Beneficiary.objects.select_related("referring_party").get(pk=beneficiary.pk)
    end = retention_end(b)
    data: dict[str, Any] = {
        "pseudonym": b.pseudonym,
        "organisation": b.organisation.name,
        "referring_partner": b.referring_party.name if b.referring_party else None,
        "eligibility_basis": b.eligibility_basis or None,
        "eligibility_basis_label": str(b.get_eligibility_basis_display()) or None,
        "age_bracket": b.age_bracket or None,
        "commune": b.commune or None,
        "consent_follow_up": b.consent_follow_up,
        "last_contact_on": b.last_contact_on.isoformat() if b.last_contact_on else None,
        "anonymised_at": b.anonymised_at.isoformat() if b.anonymised_at else None,
        "retention_end": end.isoformat() if end else None,
        "retention_rule": (
            f"later of {retention_months()} months after the last contact and the end of the "
            "legal guarantee of what was received; then anonymised"
        ),
        "provisions": [
            {
                "date": p.provided_on.isoformat(),
                "type": p.type,
                "device": f"{p.device.asset_tag} ({p.device.get_kind_display()})",
                "price_eur": str(p.price_eur),
                "guarantee_until": p.guarantee_until.isoformat() if p.guarantee_until else None,
                "returned_on": p.returned_on.isoformat() if p.returned_on else None,
            }
            for p in b.provisions.select_related("device").order_by("provided_on", "pk")
        ],
        "support_sessions": [
            {
                "date": s.date.isoformat(),
                "minutes": s.minutes,
                "collective": bool(s.group_label) or s.group_size > 1,
                "themes": s.themes,
                "autonomy": s.autonomy or None,
            }
            for s in b.sessions.order_by("date", "pk")
        ],
        "privacy_log": [
            {"at": row.at.isoformat(), "action": row.action}
            for row in PrivacyLog.objects.filter(
                organisation_id=b.organisation_id, pseudonym=b.pseudonym
            ).order_by("at", "pk")
        ],
        "not_held": (
            "no name, address, birth date, contact details or supporting document: the "
            "referring partner holds the person's identity"
        ),
    }
    PrivacyLog.objects.create(
        organisation_id=b.organisation_id,
        action=ACCESS_REQUEST,
        pseudonym=b.pseudonym,
        detail="answered",
        actor=actor if actor.is_authenticated else None,
    )
    return data


@transaction.atomic
def erasure_request(actor: AbstractBaseUser, beneficiary: Beneficiary) -> Beneficiary:
    """Anonymise the person now (GDPR art. 17), whatever the retention end; logged. The counts
    of provisions and sessions stay, linked to the anonymised row."""
    _check(actor, beneficiary)
    b = Beneficiary.objects.select_for_update().get(pk=beneficiary.pk)
    if b.anonymised_at is not None:
        raise DomainError(_("Cette personne est déjà anonymisée."))
    _anonymise(b, action=ERASURE_REQUEST, detail="anonymised on request", actor=actor)
    return b


def privacy_log(actor: AbstractBaseUser, organisation: Organisation) -> QuerySet[PrivacyLog]:
    """The organisation's privacy log (facilitators, managers, administrators)."""
    require(actor, organisation, VIEW_BENEFICIARIES)  # type: ignore[arg-type]
    return PrivacyLog.objects.filter(organisation=organisation).order_by("-at", "-pk")
