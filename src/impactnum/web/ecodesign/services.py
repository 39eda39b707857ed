"""State changes of the eco-design app: atomic, audited (`core.services.record_event`), refusing
with a DomainError naming the field.

Managers and administrators import referentials and fill in assessments (`EDIT_ECODESIGN`);
everyone in the organisation reads them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import EDIT_PROJECTS, require
from impactnum.web.core.services import record_event, snapshot

from . import referential_file
from .choices import AnswerStatus
from .models import Answer, Assessment, Criterion, Referential

EDIT_ECODESIGN = EDIT_PROJECTS
"""The capability to import referentials and fill in assessments: the same people who change
projects and the action plan (managers and administrators, core.permissions)."""

ASSESSMENT_FIELDS = ("service_name", "service_url", "assessed_on", "contact")


class ReferentialImportError(DomainError):
    """The referential file is refused; `problems` lists each one (where, field, why)."""

    def __init__(self, problems: list[referential_file.Problem]) -> None:
        summary = _("Fichier refusé, rien n'a été importé (%(n)s problème(s)).") % {
            "n": len(problems)
        }
        super().__init__(summary, field="file")
        self.problems = problems


def _validate(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        raise DomainError(" ".join(messages), field=None if name == "__all__" else name) from exc


# --- referentials ------------------------------------------------------------------------------


@transaction.atomic
def import_referential(
    actor: AbstractBaseUser | None,
    organisation: Organisation,
    *,
    name: str,
    file_name: str,
    data: bytes,
    version: str = "",
) -> tuple[Referential, bool]:
    """Import a referential file; returns (referential, created).

    The version is the one given, else the file's (`version` of the JSON). Importing again a
    version the organisation already has is idempotent when the criteria are the same (nothing
    written, created False) and refused when they differ: an imported version never changes,
    since assessments were made against it.
    """
    require(actor, organisation, EDIT_ECODESIGN)
    name = name.strip()
    if not name:
        raise DomainError(_("Le nom du référentiel est obligatoire."), field="name")
    try:
        parsed = referential_file.parse(file_name, data)
    except referential_file.ReferentialFileError as exc:
        raise ReferentialImportError(exc.problems) from exc
    version = version.strip()
    if version and parsed.version and version != parsed.version:
        raise DomainError(
            _("La version saisie (%(given)s) diffère de celle du fichier (%(file)s).")
            % {"given": version, "file": parsed.version},
            field="version",
        )
    version = version or parsed.version
    if not version:
        raise DomainError(_("Le fichier n'indique pas sa version : saisissez-la."), field="version")
    existing = Referential.objects.filter(
        organisation=organisation, name=name, version=version
    ).first()
    if existing is not None:
        if existing.checksum == parsed.checksum:
            return existing, False
        raise DomainError(
            _(
                "%(ref)s est déjà importé avec d'autres critères ; une version importée ne "
                "change plus : importez ce fichier sous une autre version."
            )
            % {"ref": existing},
            field="version",
        )
    referential = Referential(
        organisation=organisation,
        name=name,
        version=version,
        title=parsed.title[:300],
        source_url=parsed.source_url if parsed.source_url.startswith("http") else "",
        file_name=file_name[:255],
        checksum=parsed.checksum,
        imported_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _validate(referential, exclude=["imported_by"])
    referential.save()
    Criterion.objects.bulk_create(
        Criterion(
            referential=referential,
            position=position,
            code=row.code,
            family=row.family[:100],
            question=row.question,
            url=row.url[:500],
            priority=row.priority,
            effort=row.effort,
        )
        for position, row in enumerate(parsed.criteria, start=1)
    )
    record_event(
        actor,
        "ecodesign.referential.import",
        referential,
        organisation=organisation,
        after={**snapshot(referential), "criteria": len(parsed.criteria)},
    )
    return referential, True


@transaction.atomic
def delete_referential(actor: AbstractBaseUser | None, referential: Referential) -> None:
    require(actor, referential.organisation, EDIT_ECODESIGN)
    if referential.assessments.exists():
        raise DomainError(
            _("Des évaluations reposent sur ce référentiel : il ne peut pas être supprimé."),
            field="referential",
        )
    record_event(
        actor,
        "ecodesign.referential.delete",
        referential,
        organisation=referential.organisation,
        before=snapshot(referential),
    )
    referential.delete()


# --- assessments -------------------------------------------------------------------------------


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(ASSESSMENT_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError(_("Champ inconnu : %(f)s") % {"f": name}, field=name)


@transaction.atomic
def create_assessment(
    actor: AbstractBaseUser | None,
    organisation: Organisation,
    *,
    referential: Referential,
    service_name: str,
    assessed_on: dt.date,
    service_url: str = "",
    contact: str = "",
) -> Assessment:
    require(actor, organisation, EDIT_ECODESIGN)
    if referential.organisation_id != organisation.pk:
        raise DomainError(
            _("Ce référentiel n'appartient pas à %(org)s.") % {"org": organisation},
            field="referential",
        )
    assessment = Assessment(
        organisation=organisation,
        referential=referential,
        service_name=service_name.strip(),
        service_url=service_url.strip(),
        assessed_on=assessed_on,
        contact=contact.strip(),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _validate(assessment)
    assessment.save()
    record_event(
        actor,
        "ecodesign.assessment.create",
        assessment,
        organisation=organisation,
        after=snapshot(assessment),
    )
    return assessment


@transaction.atomic
def update_assessment(
    actor: AbstractBaseUser | None, assessment: Assessment, **fields: Any
) -> Assessment:
    require(actor, assessment.organisation, EDIT_ECODESIGN)
    _check_fields(fields)
    before = snapshot(assessment)
    for name, value in fields.items():
        setattr(assessment, name, value.strip() if isinstance(value, str) else value)
    _validate(assessment)
    assessment.save()
    record_event(
        actor,
        "ecodesign.assessment.update",
        assessment,
        organisation=assessment.organisation,
        before=before,
        after=snapshot(assessment),
    )
    return assessment


@transaction.atomic
def delete_assessment(actor: AbstractBaseUser | None, assessment: Assessment) -> None:
    require(actor, assessment.organisation, EDIT_ECODESIGN)
    record_event(
        actor,
        "ecodesign.assessment.delete",
        assessment,
        organisation=assessment.organisation,
        before=snapshot(assessment),
    )
    assessment.delete()


@transaction.atomic
def answer_criterion(
    actor: AbstractBaseUser | None,
    assessment: Assessment,
    criterion: Criterion,
    *,
    status: str,
    justification: str = "",
    planned_action: str = "",
) -> Answer | None:
    """Record the answer to one criterion (an empty status withdraws it: « non évalué »).

    « Non applicable » needs a justification (the RGESN asks why a criterion does not apply);
    a planned action only makes sense for « non conforme » and is dropped otherwise.
    """
    require(actor, assessment.organisation, EDIT_ECODESIGN)
    if criterion.referential_id != assessment.referential_id:
        raise DomainError(_("Ce critère n'est pas dans le référentiel évalué."), field="criterion")
    current = Answer.objects.filter(assessment=assessment, criterion=criterion).first()
    before = snapshot(current)
    if not status:
        if current is not None:
            record_event(
                actor,
                "ecodesign.answer.withdraw",
                current,
                organisation=assessment.organisation,
                before=before,
            )
            current.delete()
        return None
    if status not in AnswerStatus.values:
        raise DomainError(_("Réponse inconnue : %(s)s") % {"s": status}, field="status")
    justification = justification.strip()
    if status == AnswerStatus.NOT_APPLICABLE and not justification:
        raise DomainError(_("Un critère non applicable doit être justifié."), field="justification")
    answer = current or Answer(assessment=assessment, criterion=criterion)
    answer.status = status
    answer.justification = justification
    answer.planned_action = planned_action.strip() if status == AnswerStatus.NON_COMPLIANT else ""
    answer.answered_by = actor if actor is not None and actor.is_authenticated else None
    answer.save()
    Assessment.objects.filter(pk=assessment.pk).update(updated_at=answer.answered_at)
    record_event(
        actor,
        "ecodesign.answer.set",
        answer,
        organisation=assessment.organisation,
        before=before,
        after=snapshot(answer),
    )
    return answer
