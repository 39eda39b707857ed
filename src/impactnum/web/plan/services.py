"""State changes of the plan app: atomic, audited (`core.services.record_event`), refusing with
a DomainError naming the field.

Managers and administrators change the plan (`EDIT_PLAN`); everyone in the organisation reads
it (`VIEW`). A frozen evaluation never changes again (the model refuses too).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Membership, Organisation
from impactnum.web.core.permissions import EDIT_PROJECTS, require
from impactnum.web.core.services import record_event, snapshot

from .choices import ActionStatus, EvaluationStatus, IndicatorKind
from .indicators import SOURCES
from .models import (
    Action,
    Commitment,
    Evaluation,
    EvaluationFrozen,
    Indicator,
    IndicatorValue,
    PlanSettings,
)

EDIT_PLAN = EDIT_PROJECTS
"""The capability to change the plan: held by managers and administrators (core.permissions)."""

COMMITMENT_FIELDS = (
    "reference",
    "title",
    "theme",
    "description",
    "owner",
    "source",
    "source_detail",
)
ACTION_FIELDS = ("title", "description", "owner", "due_on", "status", "progress")
INDICATOR_FIELDS = (
    "name",
    "kind",
    "source",
    "params",
    "unit",
    "direction",
    "baseline_value",
    "baseline_on",
    "target_value",
    "target_on",
    "trajectory",
)
SETTINGS_FIELDS = (
    "name",
    "started_on",
    "duration_months",
    "evaluation_months",
    "annual_report_month",
    "annual_report_day",
    "reminder_days",
)
EVALUATION_FIELDS = ("label", "on", "month", "comments", "notes")
DEFAULT_EVALUATION_MONTHS = [18, 36]
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


def _validate(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        name = None if field == "__all__" else field
        raise DomainError(" ".join(messages), field=name) from exc


def _apply(instance: models.Model, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError(_("Champ inconnu : %(f)s") % {"f": name}, field=name)
    for name, value in fields.items():
        setattr(instance, name, value)


def _check_owner(organisation: Organisation, owner: Any, field: str = "owner") -> None:
    if owner is None:
        return
    if not isinstance(owner, get_user_model()):
        raise DomainError(_("Responsable invalide."), field=field)
    if not Membership.objects.filter(user=owner, organisation=organisation).exists():
        raise DomainError(
            _("%(u)s n'est pas membre de %(o)s.") % {"u": owner, "o": organisation}, field=field
        )


# --- plan settings -----------------------------------------------------------------------------


def plan_settings(organisation: Organisation) -> PlanSettings:
    """The organisation's plan settings; defaults (unsaved) until someone sets them."""
    found = PlanSettings.objects.filter(organisation=organisation).first()
    return found or PlanSettings(
        organisation=organisation, evaluation_months=list(DEFAULT_EVALUATION_MONTHS)
    )


def _months(value: Any) -> list[int]:
    try:
        months = sorted({int(m) for m in value})
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Des nombres de mois, ex. 18, 36."), "evaluation_months") from exc
    if any(m < 1 or m > 120 for m in months):
        raise DomainError(_("Chaque mois entre 1 et 120."), "evaluation_months")
    return months


@transaction.atomic
def update_plan_settings(
    actor: AbstractBaseUser, organisation: Organisation, **fields: Any
) -> PlanSettings:
    require(actor, organisation, EDIT_PLAN)
    current = PlanSettings.objects.select_for_update().filter(organisation=organisation).first()
    obj = current or plan_settings(organisation)
    before = snapshot(current)
    _apply(obj, fields, SETTINGS_FIELDS)
    obj.evaluation_months = _months(obj.evaluation_months or [])
    _validate(obj)
    obj.save()
    record_event(
        actor,
        "plan.settings_set",
        obj,
        organisation=organisation,
        before=before,
        after=snapshot(obj),
    )
    return obj


# --- commitments -------------------------------------------------------------------------------


def _unique_reference(commitment: Commitment) -> None:
    clash = Commitment.objects.filter(
        organisation=commitment.organisation, reference=commitment.reference
    ).exclude(pk=commitment.pk)
    if clash.exists():
        raise DomainError(
            _("La référence %(r)s est déjà prise.") % {"r": commitment.reference},
            field="reference",
        )


@transaction.atomic
def create_commitment(
    actor: AbstractBaseUser, organisation: Organisation, **fields: Any
) -> Commitment:
    require(actor, organisation, EDIT_PLAN)
    commitment = Commitment(organisation=organisation)
    _apply(commitment, fields, COMMITMENT_FIELDS)
    _check_owner(organisation, commitment.owner)
    _validate(commitment, exclude=["organisation"])
    _unique_reference(commitment)
    commitment.save()
    record_event(
        actor,
        "commitment.created",
        commitment,
        organisation=organisation,
        after=snapshot(commitment),
    )
    return commitment


@transaction.atomic
def update_commitment(actor: AbstractBaseUser, commitment: Commitment, **fields: Any) -> Commitment:
    require(actor, commitment.organisation, EDIT_PLAN)
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    before = snapshot(commitment)
    _apply(commitment, fields, COMMITMENT_FIELDS)
    _check_owner(commitment.organisation, commitment.owner)
    _validate(commitment, exclude=["organisation"])
    _unique_reference(commitment)
    commitment.save()
    after = snapshot(commitment)
    record_event(
        actor,
        "commitment.updated",
        commitment,
        organisation=commitment.organisation,
        before=before,
        after=after,
    )
    return commitment


@transaction.atomic
def delete_commitment(actor: AbstractBaseUser, commitment: Commitment) -> None:
    require(actor, commitment.organisation, EDIT_PLAN)
    before = snapshot(commitment)
    record_event(
        actor, "commitment.deleted", commitment, organisation=commitment.organisation, before=before
    )
    commitment.delete()


# --- actions -----------------------------------------------------------------------------------


def _action_rules(action: Action) -> None:
    """A done action is at 100 %; reaching 100 % marks it done; a planned action with some
    progress is in progress; progress stays in 0–100."""
    if action.progress is None or not 0 <= int(action.progress) <= 100:
        raise DomainError(_("L'avancement est un pourcentage entre 0 et 100."), field="progress")
    if action.status == ActionStatus.DONE:
        action.progress = 100
    elif int(action.progress) == 100 and action.status != ActionStatus.CANCELLED:
        action.status = ActionStatus.DONE
    elif int(action.progress) > 0 and action.status == ActionStatus.PLANNED:
        action.status = ActionStatus.IN_PROGRESS


@transaction.atomic
def add_action(actor: AbstractBaseUser, commitment: Commitment, **fields: Any) -> Action:
    require(actor, commitment.organisation, EDIT_PLAN)
    action = Action(commitment=commitment)
    _apply(action, fields, ACTION_FIELDS)
    _check_owner(commitment.organisation, action.owner)
    _action_rules(action)
    _validate(action, exclude=["commitment"])
    action.save()
    record_event(
        actor,
        "action.created",
        action,
        organisation=commitment.organisation,
        after=snapshot(action),
    )
    return action


@transaction.atomic
def update_action(actor: AbstractBaseUser, action: Action, **fields: Any) -> Action:
    organisation = action.commitment.organisation
    require(actor, organisation, EDIT_PLAN)
    action = Action.objects.select_for_update().select_related("commitment").get(pk=action.pk)
    before = snapshot(action)
    _apply(action, fields, ACTION_FIELDS)
    _check_owner(organisation, action.owner)
    _action_rules(action)
    _validate(action, exclude=["commitment"])
    action.save()
    record_event(
        actor,
        "action.updated",
        action,
        organisation=organisation,
        before=before,
        after=snapshot(action),
    )
    return action


@transaction.atomic
def delete_action(actor: AbstractBaseUser, action: Action) -> None:
    organisation = action.commitment.organisation
    require(actor, organisation, EDIT_PLAN)
    record_event(
        actor, "action.deleted", action, organisation=organisation, before=snapshot(action)
    )
    action.delete()


# --- indicators --------------------------------------------------------------------------------


def parse_trajectory(value: Any) -> list[dict[str, Any]]:
    """[{"on": "YYYY-MM-DD", "value": n}, …] sorted by date, one milestone per date."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise DomainError(_("La trajectoire est une liste de jalons."), field="trajectory")
    out: dict[str, float] = {}
    for i, item in enumerate(value):
        try:
            on = (
                item["on"] if isinstance(item["on"], dt.date) else dt.date.fromisoformat(item["on"])
            )
            number = float(item["value"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DomainError(
                _("Jalon %(n)d : une date (AAAA-MM-JJ) et une valeur.") % {"n": i + 1},
                field="trajectory",
            ) from exc
        out[on.isoformat()] = number
    return [{"on": k, "value": out[k]} for k in sorted(out)]


def _indicator_rules(indicator: Indicator) -> None:
    indicator.trajectory = parse_trajectory(indicator.trajectory)
    if not isinstance(indicator.params, dict):
        raise DomainError(_("Les paramètres sont un objet JSON."), field="params")
    if indicator.kind == IndicatorKind.COMPUTED:
        src = SOURCES.get(indicator.source)
        if src is None:
            raise DomainError(_("Choisissez une source de calcul."), field="source")
        unknown = set(indicator.params) - set(src.params)
        if unknown:
            raise DomainError(
                _("Paramètre inconnu pour cette source : %(p)s")
                % {"p": ", ".join(sorted(unknown))},
                field="params",
            )
        if "project" in src.params:
            from impactnum.web.projects.models import Project

            org = indicator.commitment.organisation
            if not Project.objects.filter(
                organisation=org, pk=indicator.params.get("project")
            ).exists():
                raise DomainError(_("Choisissez un projet de l'organisation."), field="params")
        if not indicator.unit:
            indicator.unit = src.unit
    else:
        indicator.source = ""
        indicator.params = {}
    if (indicator.target_value is None) != (indicator.target_on is None):
        raise DomainError(_("Une cible a une valeur et une date."), field="target_on")


@transaction.atomic
def add_indicator(actor: AbstractBaseUser, commitment: Commitment, **fields: Any) -> Indicator:
    require(actor, commitment.organisation, EDIT_PLAN)
    indicator = Indicator(commitment=commitment)
    _apply(indicator, fields, INDICATOR_FIELDS)
    _indicator_rules(indicator)
    _validate(indicator, exclude=["commitment"])
    indicator.save()
    record_event(
        actor,
        "indicator.created",
        indicator,
        organisation=commitment.organisation,
        after=snapshot(indicator),
    )
    return indicator


@transaction.atomic
def update_indicator(actor: AbstractBaseUser, indicator: Indicator, **fields: Any) -> Indicator:
    organisation = indicator.commitment.organisation
    require(actor, organisation, EDIT_PLAN)
    indicator = (
        Indicator.objects.select_for_update().select_related("commitment").get(pk=indicator.pk)
    )
    before = snapshot(indicator)
    if "kind" in fields and fields["kind"] != indicator.kind and indicator.values.exists():
        raise DomainError(
            _("Cet indicateur a des valeurs saisies : son type ne change plus."), field="kind"
        )
    _apply(indicator, fields, INDICATOR_FIELDS)
    _indicator_rules(indicator)
    _validate(indicator, exclude=["commitment"])
    indicator.save()
    record_event(
        actor,
        "indicator.updated",
        indicator,
        organisation=organisation,
        before=before,
        after=snapshot(indicator),
    )
    return indicator


@transaction.atomic
def delete_indicator(actor: AbstractBaseUser, indicator: Indicator) -> None:
    organisation = indicator.commitment.organisation
    require(actor, organisation, EDIT_PLAN)
    record_event(
        actor, "indicator.deleted", indicator, organisation=organisation, before=snapshot(indicator)
    )
    indicator.delete()


@transaction.atomic
def record_indicator_value(
    actor: AbstractBaseUser,
    indicator: Indicator,
    *,
    on: dt.date,
    value: float,
    evidence: str,
    evidence_file: UploadedFile | None = None,
) -> IndicatorValue:
    """A dated value of a manual indicator, with its evidence (text required, file optional)."""
    organisation = indicator.commitment.organisation
    require(actor, organisation, EDIT_PLAN)
    if indicator.kind != IndicatorKind.MANUAL:
        raise DomainError(
            _("Cet indicateur est calculé par impactnum : pas de saisie."), field="value"
        )
    if not (evidence or "").strip():
        raise DomainError(_("Indiquez la preuve de cette valeur."), field="evidence")
    if evidence_file is not None and evidence_file.size > MAX_EVIDENCE_BYTES:
        raise DomainError(_("Pièce justificative de 10 Mo au plus."), field="evidence_file")
    if on > timezone.localdate():
        raise DomainError(_("Une valeur mesurée ne peut pas être datée du futur."), field="on")
    row = IndicatorValue(
        indicator=indicator, on=on, value=value, evidence=evidence.strip(), recorded_by=actor
    )
    if evidence_file is not None:
        row.evidence_file = evidence_file
    _validate(row, exclude=["indicator", "recorded_by", "evidence_file"])
    row.save()
    record_event(
        actor,
        "indicator.value_recorded",
        indicator,
        organisation=organisation,
        after={
            "on": on.isoformat(),
            "value": value,
            "evidence": row.evidence,
            "file": row.evidence_file.name or "",
        },
    )
    return row


# --- evaluations -------------------------------------------------------------------------------


def _refuse_frozen(evaluation: Evaluation) -> None:
    if evaluation.is_frozen:
        raise EvaluationFrozen(_("Cette évaluation est figée : elle ne change plus."))


def _evaluation_rules(evaluation: Evaluation) -> None:
    if not isinstance(evaluation.notes, dict):
        raise DomainError(_("Les commentaires par engagement sont un objet."), field="notes")
    ids = {str(i) for i in evaluation.organisation.commitments.values_list("pk", flat=True)}
    unknown = set(evaluation.notes) - ids
    if unknown:
        raise DomainError(
            _("Engagement inconnu : %(c)s") % {"c": ", ".join(sorted(unknown))}, field="notes"
        )
    evaluation.notes = {k: str(v).strip() for k, v in evaluation.notes.items() if str(v).strip()}


@transaction.atomic
def create_evaluation(
    actor: AbstractBaseUser, organisation: Organisation, **fields: Any
) -> Evaluation:
    require(actor, organisation, EDIT_PLAN)
    evaluation = Evaluation(organisation=organisation)
    _apply(evaluation, fields, EVALUATION_FIELDS)
    _evaluation_rules(evaluation)
    _validate(evaluation, exclude=["organisation", "snapshot", "frozen_by", "frozen_at"])
    evaluation.save()
    record_event(
        actor,
        "evaluation.created",
        evaluation,
        organisation=organisation,
        after=snapshot(evaluation),
    )
    return evaluation


@transaction.atomic
def update_evaluation(actor: AbstractBaseUser, evaluation: Evaluation, **fields: Any) -> Evaluation:
    require(actor, evaluation.organisation, EDIT_PLAN)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    _refuse_frozen(evaluation)
    before = snapshot(evaluation)
    _apply(evaluation, fields, EVALUATION_FIELDS)
    _evaluation_rules(evaluation)
    _validate(evaluation, exclude=["organisation", "snapshot", "frozen_by", "frozen_at"])
    evaluation.save()
    record_event(
        actor,
        "evaluation.updated",
        evaluation,
        organisation=evaluation.organisation,
        before=before,
        after=snapshot(evaluation),
    )
    return evaluation


@transaction.atomic
def freeze_evaluation(actor: AbstractBaseUser, evaluation: Evaluation) -> Evaluation:
    """Compute the state of every commitment, action and indicator at the evaluation's date and
    keep it in `snapshot`; from then on the evaluation never changes."""
    from .evaluations import build_snapshot

    require(actor, evaluation.organisation, EDIT_PLAN)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    _refuse_frozen(evaluation)
    evaluation.snapshot = build_snapshot(
        evaluation.organisation, evaluation.on, actor=actor, notes=evaluation.notes
    )
    evaluation.status = EvaluationStatus.FROZEN
    evaluation.frozen_at = timezone.now()
    evaluation.frozen_by = actor
    evaluation.save()
    record_event(
        actor,
        "evaluation.frozen",
        evaluation,
        organisation=evaluation.organisation,
        after={
            "on": evaluation.on.isoformat(),
            "commitments": len(evaluation.snapshot["commitments"]),
        },
    )
    return evaluation


@transaction.atomic
def delete_evaluation(actor: AbstractBaseUser, evaluation: Evaluation) -> None:
    require(actor, evaluation.organisation, EDIT_PLAN)
    # Under the row lock, like freezing: an evaluation frozen meanwhile is refused, not deleted.
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    _refuse_frozen(evaluation)
    record_event(
        actor,
        "evaluation.deleted",
        evaluation,
        organisation=evaluation.organisation,
        before=snapshot(evaluation),
    )
    evaluation.delete()
