"""Statuses and kinds of the plan app: the one list of each."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitmentTheme(models.TextChoices):
    """The four core themes of the Numérique Responsable label (INR, 2021–22 framework) and its
    module for local authorities (FACTS-rules-and-social.md §5)."""

    STRATEGY = "strategy", _("Stratégie et gouvernance")
    SUPPORT = "support", _("Soutien à la stratégie NR")
    LIFECYCLE = "lifecycle", _("Cycle de vie des services numériques")
    EXTENSION = "extension", _("Extension de la démarche NR")
    EXTERNAL_LEVERS = "external_levers", _("Leviers externes des collectivités")


class CommitmentSource(models.TextChoices):
    AUDIT_FINDING = "audit_finding", _("Constat d'audit")
    LABEL = "label", _("Engagement du label")
    STRATEGY = "strategy", _("Stratégie numérique responsable")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisée")
    CANCELLED = "cancelled", _("Abandonnée")


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class IndicatorKind(models.TextChoices):
    MANUAL = "manual", _("Saisi à la main, avec sa preuve")
    COMPUTED = "computed", _("Calculé par impactnum")


class Direction(models.TextChoices):
    """Which way is better: reaching the target means value ≥ target (increase) or ≤ (decrease)."""

    INCREASE = "increase", _("À augmenter")
    DECREASE = "decrease", _("À réduire")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    FROZEN = "frozen", _("Figée")


class DeadlineKind(models.TextChoices):
    DECLARATION = "declaration", _("Déclaration des achats (AGEC)")
    ANNUAL_REPORT = "annual_report", _("Bilan annuel")
    EVALUATION = "evaluation", _("Évaluation du plan")
    ACTION = "action", _("Échéance d'action")
    WARRANTY = "warranty", _("Fin de garantie")
