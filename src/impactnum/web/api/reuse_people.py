"""The facilitator's data and the period report: beneficiaries (pseudonymous), access and erasure
requests, support sessions (and their CSV for the national reporting tool), the reuse report and
the ORDS export — the API twin of `reuse.views_people` and `reuse.views_report`.

Beneficiaries and sessions need the view_beneficiaries capability on the owning organisation
(facilitators, managers, administrators): a technician or viewer of that organisation gets 403,
anyone else 404. A facilitator lists their own sessions, a manager or administrator everyone's.
The report and the ORDS export carry no personal data: any member may read them.
"""

import datetime as dt
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import VIEW, VIEW_BENEFICIARIES, can, organisations_for
from impactnum.web.reuse import ords, privacy, report, services, support
from impactnum.web.reuse.choices import AgeBracket, AutonomyLevel, EligibilityBasis
from impactnum.web.reuse.models import Beneficiary, Party, SupportSession

from .auth import actor
from .pagination import Pagination
from .schemas import CSV_RESPONSE, StrictSchema

router = Router(tags=["reuse-people"])
NOT_ALLOWED = "Votre rôle ne donne pas accès aux bénéficiaires de cette organisation."

# --- access ------------------------------------------------------------------------------------


def _org(request: HttpRequest, slug: str, capability: str = VIEW) -> Organisation:
    """The organisation by slug: 404 if the caller is not a member, 403 without `capability`."""
    org = get_object_or_404(organisations_for(actor(request), VIEW), slug=slug)
    if capability != VIEW and not can(actor(request), org, capability):
        raise NotAllowed(NOT_ALLOWED)
    return org


def _people_orgs(request: HttpRequest) -> QuerySet[Organisation]:
    orgs = organisations_for(actor(request), VIEW_BENEFICIARIES)
    if not orgs.exists():
        raise NotAllowed(NOT_ALLOWED)
    return orgs


def get_beneficiary(request: HttpRequest, beneficiary_id: int) -> Beneficiary:
    person = get_object_or_404(
        Beneficiary.objects.filter(
            organisation__in=organisations_for(actor(request), VIEW)
        ).select_related("organisation", "referring_party"),
        pk=beneficiary_id,
    )
    if not can(actor(request), person.organisation, VIEW_BENEFICIARIES):
        raise NotAllowed(NOT_ALLOWED)
    return person


def _referrer(organisation: Organisation, pk: int | None) -> Party | None:
    if pk is None:
        return None
    party = Party.objects.filter(pk=pk, organisation=organisation).first()
    if party is None:
        raise DomainError(
            f"referring_party {pk} n'existe pas dans « {organisation} ».", field="referring_party"
        )
    return party


# --- schemas -----------------------------------------------------------------------------------

Eligibility = Literal[("", *EligibilityBasis.values)]  # type: ignore[valid-type]
Age = Literal[("", *AgeBracket.values)]  # type: ignore[valid-type]
Autonomy = Literal[("", *AutonomyLevel.values)]  # type: ignore[valid-type]
INSEE = r"^(?:\d{5}|2[ABab]\d{3})?$"


class BeneficiaryIn(StrictSchema):
    organisation: str = Field(description="Organisation slug")
    pseudonym: str = Field(min_length=1, max_length=40, description="Never the person's name")
    referring_party: int | None = Field(None, description="Referring partner (party id)")
    eligibility_basis: Eligibility = Field("", description="A code, never a document")  # type: ignore[valid-type]
    age_bracket: Age = ""  # type: ignore[valid-type]
    commune: str = Field("", pattern=INSEE, description="Commune INSEE code, never an address")
    consent_follow_up: bool = False


class BeneficiaryPatch(StrictSchema):
    pseudonym: str | None = Field(None, min_length=1, max_length=40)
    referring_party: int | None = None
    eligibility_basis: Eligibility | None = None  # type: ignore[valid-type]
    age_bracket: Age | None = None  # type: ignore[valid-type]
    commune: str | None = Field(None, pattern=INSEE)
    consent_follow_up: bool | None = None


class BeneficiaryOut(Schema):
    id: int
    organisation: str
    pseudonym: str
    referring_party: int | None
    referring_party_name: str | None
    eligibility_basis: str
    age_bracket: str
    commune: str
    consent_follow_up: bool
    last_contact_on: dt.date | None
    anonymised: bool
    retention_end: dt.date | None = Field(description="Anonymised after this day")

    @staticmethod
    def resolve_organisation(obj: Beneficiary) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_referring_party(obj: Beneficiary) -> int | None:
        return obj.referring_party_id

    @staticmethod
    def resolve_referring_party_name(obj: Beneficiary) -> str | None:
        return obj.referring_party.name if obj.referring_party_id else None

    @staticmethod
    def resolve_anonymised(obj: Beneficiary) -> bool:
        return obj.anonymised_at is not None

    @staticmethod
    def resolve_retention_end(obj: Beneficiary) -> dt.date | None:
        return None if obj.anonymised_at else privacy.retention_end(obj)


class BeneficiaryQuery(Schema):
    organisation: str | None = Field(None, description="Organisation slug")
    q: str | None = Field(None, description="Part of a pseudonym")


class SessionIn(StrictSchema):
    organisation: str = Field(description="Organisation slug")
    beneficiary: int | None = Field(None, description="Beneficiary id (individual session)")
    group_label: str = Field("", max_length=200, description="Group name (collective session)")
    group_size: int = Field(1, ge=1)
    date: dt.date
    minutes: int = Field(ge=1, le=24 * 60)
    themes: list[str] = Field(default_factory=list, description="Theme slugs")
    autonomy: Autonomy = ""  # type: ignore[valid-type]


class SessionOut(Schema):
    id: int
    organisation: str
    facilitator: str | None
    beneficiary: int | None
    beneficiary_pseudonym: str | None
    group_label: str
    group_size: int
    date: dt.date
    minutes: int
    themes: list[str]
    autonomy: str

    @staticmethod
    def resolve_organisation(obj: SupportSession) -> str:
        return obj.organisation.slug

    @staticmethod
    def resolve_facilitator(obj: SupportSession) -> str | None:
        return obj.facilitator.get_username() if obj.facilitator_id else None

    @staticmethod
    def resolve_beneficiary(obj: SupportSession) -> int | None:
        return obj.beneficiary_id

    @staticmethod
    def resolve_beneficiary_pseudonym(obj: SupportSession) -> str | None:
        return obj.beneficiary.pseudonym if obj.beneficiary_id else None

    @staticmethod
    def resolve_themes(obj: SupportSession) -> list[str]:
        return [t.strip() for t in obj.themes.replace(";", ",").split(",") if t.strip()]


class SessionQuery(Schema):
    organisation: str | None = Field(None, description="Organisation slug")
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")


class ExportQuery(Schema):
    organisation: str = Field(description="Organisation slug")
    date_from: dt.date | None = Field(None, alias="from")
    date_to: dt.date | None = Field(None, alias="to")
    everyone: bool = Field(False, description="Everyone's sessions (managers, administrators)")


class ReportQuery(Schema):
    organisation: str = Field(description="Organisation slug")
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")
    method: Literal["restart", "ademe"] = Field("restart", description="CO2e footprint source")


class OrdsQuery(Schema):
    organisation: str = Field(description="Organisation slug")
    include_fleet: bool = Field(True, description="Add the fleet's repairs")


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- beneficiaries -----------------------------------------------------------------------------


@router.get("/reuse/beneficiaries", response=list[BeneficiaryOut])
@paginate(Pagination)
def list_beneficiaries(
    request: HttpRequest, filters: Query[BeneficiaryQuery]
) -> QuerySet[Beneficiary]:
    """Beneficiaries of the caller's organisations (facilitators, managers, administrators)."""
    if filters.organisation:
        orgs: Any = [_org(request, filters.organisation, VIEW_BENEFICIARIES)]
    else:
        orgs = _people_orgs(request)
    qs = Beneficiary.objects.filter(organisation__in=orgs).select_related(
        "organisation", "referring_party"
    )
    if filters.q:
        qs = qs.filter(pseudonym__icontains=filters.q)
    return qs.order_by("pseudonym", "pk")


@router.post("/reuse/beneficiaries", response={201: BeneficiaryOut})
def create_beneficiary(request: HttpRequest, payload: BeneficiaryIn) -> Status:
    """Add a beneficiary: a pseudonym, an eligibility code, an age bracket, a commune code."""
    fields = payload.dict()
    org = _org(request, fields.pop("organisation"), VIEW_BENEFICIARIES)
    fields["referring_party"] = _referrer(org, fields["referring_party"])
    return Status(201, services.create_beneficiary(actor(request), org, **fields))


@router.get("/reuse/beneficiaries/{beneficiary_id}", response=BeneficiaryOut)
def read_beneficiary(request: HttpRequest, beneficiary_id: int) -> Beneficiary:
    return get_beneficiary(request, beneficiary_id)


@router.patch("/reuse/beneficiaries/{beneficiary_id}", response=BeneficiaryOut)
def update_beneficiary(
    request: HttpRequest, beneficiary_id: int, payload: BeneficiaryPatch
) -> Beneficiary:
    """Change the given fields (an anonymised person cannot be changed: 400)."""
    person = get_beneficiary(request, beneficiary_id)
    fields = payload.dict(exclude_unset=True)
    if "referring_party" in fields:
        fields["referring_party"] = _referrer(person.organisation, fields["referring_party"])
    for key in ("pseudonym", "consent_follow_up", "eligibility_basis", "age_bracket", "commune"):
        if key in fields and fields[key] is None:
            fields.pop(key)
    services.update_beneficiary(actor(request), person, **fields)
    return get_beneficiary(request, beneficiary_id)


@router.get("/reuse/beneficiaries/{beneficiary_id}/access-request", response=dict[str, Any])
def beneficiary_access_request(request: HttpRequest, beneficiary_id: int) -> dict[str, Any]:
    """Everything held about the person (GDPR art. 15); the answer is logged."""
    return privacy.access_request(actor(request), get_beneficiary(request, beneficiary_id))


@router.post("/reuse/beneficiaries/{beneficiary_id}/erasure-request", response=BeneficiaryOut)
def beneficiary_erasure_request(request: HttpRequest, beneficiary_id: int) -> Beneficiary:
    """Anonymise the person now (GDPR art. 17); logged with the pseudonym at the time."""
    person = get_beneficiary(request, beneficiary_id)
    privacy.erasure_request(actor(request), person)
    return get_beneficiary(request, beneficiary_id)


# --- support sessions --------------------------------------------------------------------------


@router.get("/reuse/sessions", response=list[SessionOut])
@paginate(Pagination)
def list_sessions(request: HttpRequest, filters: Query[SessionQuery]) -> QuerySet[SupportSession]:
    """The caller's sessions; everyone's in the organisations they manage."""
    user = actor(request)
    if filters.organisation:
        orgs: Any = Organisation.objects.filter(
            pk=_org(request, filters.organisation, VIEW_BENEFICIARIES).pk
        )
    else:
        orgs = _people_orgs(request)
    managed = orgs.filter(memberships__user=user, memberships__role__in=privacy.MANAGING_ROLES)
    qs = SupportSession.objects.filter(
        Q(organisation__in=managed) | Q(organisation__in=orgs, facilitator=user)
    ).select_related("organisation", "facilitator", "beneficiary")
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return qs.order_by("-date", "-pk")


@router.post("/reuse/sessions", response={201: SessionOut})
def record_session(request: HttpRequest, payload: SessionIn) -> Status:
    """Record a session: a beneficiary (individual) or a group label and size (collective)."""
    fields = payload.dict()
    org = _org(request, fields.pop("organisation"), VIEW_BENEFICIARIES)
    person = None
    if fields["beneficiary"] is not None:
        person = Beneficiary.objects.filter(
            pk=fields["beneficiary"], organisation=org, anonymised_at__isnull=True
        ).first()
        if person is None:
            raise DomainError(
                f"beneficiary {fields['beneficiary']} n'existe pas dans « {org} ».",
                field="beneficiary",
            )
    if person is None and not fields["group_label"].strip():
        raise DomainError("Choisissez un bénéficiaire ou nommez le groupe.", field="beneficiary")
    if person is not None and fields["group_label"].strip():
        raise DomainError(
            "Une séance est individuelle ou collective, pas les deux.", field="group_label"
        )
    fields["beneficiary"] = person
    fields["themes"] = ",".join(t.strip() for t in fields["themes"] if t.strip())
    session = services.record_support_session(actor(request), org, **fields)
    return Status(
        201,
        SupportSession.objects.select_related("organisation", "facilitator", "beneficiary").get(
            pk=session.pk
        ),
    )


@router.get("/reuse/sessions.csv", openapi_extra=CSV_RESPONSE)
def export_sessions_csv(request: HttpRequest, filters: Query[ExportQuery]) -> HttpResponse:
    """Sessions as CSV for the national reporting tool (`support.COOP_COLUMNS`): no name, no
    pseudonym. `everyone`: every facilitator's (managers and administrators only)."""
    org = _org(request, filters.organisation, VIEW_BENEFICIARIES)
    text = support.export_csv(
        actor(request),
        org,
        date_from=filters.date_from,
        date_to=filters.date_to,
        everyone=filters.everyone,
    )
    return _csv(text, f"seances-{org.slug}.csv")


# --- report and ORDS ---------------------------------------------------------------------------


@router.get("/reuse/report", response=dict[str, Any])
def reuse_report(request: HttpRequest, filters: Query[ReportQuery]) -> dict[str, Any]:
    """The period report: every figure, the CO2e method named (`co2e_method`, `impact`)."""
    org = _org(request, filters.organisation)
    if filters.date_from > filters.date_to:
        raise DomainError("La fin de la période précède son début.", field="to")
    return report.reuse_report(org, filters.date_from, filters.date_to, method=filters.method)


@router.get("/reuse/ords.csv", openapi_extra=CSV_RESPONSE)
def export_ords_csv(request: HttpRequest, filters: Query[OrdsQuery]) -> HttpResponse:
    """The organisation's repairs in the Open Repair Data Standard v0.3 (CSV); free texts
    scrubbed of personal data."""
    org = _org(request, filters.organisation)
    stamp = dt.date.today().isoformat()
    return _csv(
        ords.ords_csv(org, include_fleet=filters.include_fleet), f"ords-{org.slug}-{stamp}.csv"
    )
