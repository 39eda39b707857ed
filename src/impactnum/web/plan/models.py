"""Commitments, their actions and indicators, manual indicator values with evidence, frozen
evaluations and the log of reminders sent.

An evaluation is a draft until it is frozen; frozen, it holds the JSON snapshot of every
commitment, action and indicator at its date, and the database row can no longer change
(`save`, `delete` and the queryset's `update`/`delete` refuse).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation

from .choices import (
    ActionStatus,
    CommitmentSource,
    CommitmentTheme,
    Direction,
    EvaluationStatus,
    IndicatorKind,
)

USER = settings.AUTH_USER_MODEL


class PlanSettings(models.Model):
    """An organisation's action plan: when it started (the label award), its length, the months
    of its evaluations, the yearly report's due day and how early reminders go out."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="plan_settings"
    )
    name = models.CharField(_("nom du plan"), max_length=200, default="Plan d'action NR")
    started_on = models.DateField(_("début du plan (attribution du label)"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(_("durée (mois)"), default=36)
    evaluation_months = models.JSONField(_("évaluations (mois après le début)"), default=list)
    annual_report_month = models.PositiveSmallIntegerField(
        _("bilan annuel : mois"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    annual_report_day = models.PositiveSmallIntegerField(
        _("bilan annuel : jour"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("rappel (jours avant l'échéance)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    def __str__(self) -> str:
        return f"{self.name} — {self.organisation}"


class Commitment(models.Model):
    """One commitment of the plan (e.g. « E07 — allonger la durée de vie des PC à 7 ans »)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="commitments"
    )
    reference = models.CharField(_("référence"), max_length=20)
    title = models.CharField(_("intitulé"), max_length=200)
    theme = models.CharField(_("thème"), max_length=20, choices=CommitmentTheme.choices)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        USER,
        verbose_name=_("responsable"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(_("origine"), max_length=20, choices=CommitmentSource.choices)
    source_detail = models.CharField(
        _("précision sur l'origine"), max_length=200, blank=True, help_text=_("ex. constat n° 12")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "reference"]
        verbose_name = _("engagement")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="plan_commitment_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("plan:commitment", args=[self.pk])


class Action(models.Model):
    """A step of a commitment, with its owner, due date, status and progress (0–100 %)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        USER,
        verbose_name=_("responsable"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("avancement (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["commitment", "due_on", "pk"]
        verbose_name = _("action")

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    """What shows a commitment is kept: entered by hand with evidence, or computed live by a
    source of the registry (`plan.indicators.SOURCES`), with a target and a trajectory
    (`trajectory`: [{"on": "YYYY-MM-DD", "value": number}, …], the milestones expected)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=IndicatorKind.choices)
    source = models.CharField(
        _("source du calcul"), max_length=60, blank=True, help_text=_("pour un indicateur calculé")
    )
    params = models.JSONField(_("paramètres"), default=dict, blank=True)
    unit = models.CharField(_("unité"), max_length=40, blank=True)
    direction = models.CharField(
        _("sens"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    baseline_value = models.FloatField(_("valeur de référence"), null=True, blank=True)
    baseline_on = models.DateField(_("date de référence"), null=True, blank=True)
    target_value = models.FloatField(_("cible"), null=True, blank=True)
    target_on = models.DateField(_("date de la cible"), null=True, blank=True)
    trajectory = models.JSONField(_("trajectoire"), default=list, blank=True)

    class Meta:
        ordering = ["commitment", "pk"]
        verbose_name = _("indicateur")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("plan:indicator", args=[self.pk])


class IndicatorValue(models.Model):
    """A value entered by hand for a manual indicator, dated, with its evidence (text and an
    optional file)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    on = models.DateField(_("date"))
    value = models.FloatField(_("valeur"))
    evidence = models.TextField(_("preuve"))
    evidence_file = models.FileField(
        _("pièce justificative"), upload_to="plan/evidence/%Y/", blank=True
    )
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "on", "pk"]
        verbose_name = _("valeur d'indicateur")


class EvaluationQuerySet(models.QuerySet):
    """Bulk `update` and `delete` refuse to touch a frozen evaluation."""

    def _refuse_frozen(self) -> None:
        if self.filter(status=EvaluationStatus.FROZEN).exists():
            raise EvaluationFrozen(_("Une évaluation figée ne peut plus être modifiée."))

    def update(self, **kwargs: Any) -> int:
        self._refuse_frozen()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._refuse_frozen()
        return super().delete()


class EvaluationFrozen(DomainError):
    status = 409


class Evaluation(models.Model):
    """The state of every commitment, action and indicator at a date (e.g. month 18), with
    comments. While a draft it shows live values; frozen, `snapshot` keeps them for good."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="plan_evaluations"
    )
    label = models.CharField(_("intitulé"), max_length=200)
    on = models.DateField(_("date de l'évaluation"))
    month = models.PositiveSmallIntegerField(_("mois du plan"), null=True, blank=True)
    comments = models.TextField(_("commentaires"), blank=True)
    notes = models.JSONField(
        _("commentaires par engagement"), default=dict, blank=True
    )  # {"<commitment id>": "text"}
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.DRAFT,
    )
    snapshot = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "on", "pk"]
        verbose_name = _("évaluation")

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("plan:evaluation", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.status == EvaluationStatus.FROZEN

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return Evaluation.objects.filter(pk=self.pk).values_list("status", flat=True).first()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._stored_status() == EvaluationStatus.FROZEN:
            raise EvaluationFrozen(_("Une évaluation figée ne peut plus être modifiée."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self._stored_status() == EvaluationStatus.FROZEN:
            raise EvaluationFrozen(_("Une évaluation figée ne peut pas être supprimée."))
        return super().delete(*args, **kwargs)


class ReminderSent(models.Model):
    """One reminder e-mail sent for one deadline to one address: the command never sends the
    same reminder twice."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    due_on = models.DateField()
    recipient = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], name="plan_reminder_once")
        ]


class Strategy(models.Model):
    """The organisation's responsible-digital strategy (SNR: loi REEN n° 2021-1485 art. 35,
    décret 2022-1084), one text per part the décret lists, in one version per year of adoption
    (`year`). The parts and their legal wording are in `plan.strategy.SECTIONS`."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="strategies"
    )
    year = models.PositiveSmallIntegerField(
        _("année de la version"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(
        _("intitulé"), max_length=200, default="Stratégie numérique responsable"
    )
    adopted_on = models.DateField(_("adoptée le (délibération)"), null=True, blank=True)
    usages = models.TextField(_("bilan des usages numériques du territoire"), blank=True)
    footprint = models.TextField(_("bilan de l'impact environnemental du numérique"), blank=True)
    actions = models.TextField(_("synthèse des actions déjà engagées"), blank=True)
    objectives = models.TextField(_("objectifs de réduction et indicateurs de suivi"), blank=True)
    means = models.TextField(_("mesures et moyens mis en œuvre"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["organisation", "year"]
        verbose_name = _("stratégie numérique responsable")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="plan_strategy_year")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year}) — {self.organisation}"
