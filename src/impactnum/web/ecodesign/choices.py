"""Answers, priorities and efforts of the eco-design app: the one list of each."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AnswerStatus(models.TextChoices):
    """The three answers the RGESN allows to each criterion (N/A must be justified)."""

    COMPLIANT = "compliant", _("Conforme")
    NON_COMPLIANT = "non_compliant", _("Non conforme")
    NOT_APPLICABLE = "not_applicable", _("Non applicable")


class Priority(models.TextChoices):
    """The priority levels of the 2024 edition of the RGESN (absent from v1)."""

    PRIORITY = "prioritaire", _("Prioritaire")
    RECOMMENDED = "recommande", _("Recommandé")
    MODERATE = "modere", _("Modéré")


class Effort(models.TextChoices):
    """The implementation effort of a criterion in the 2024 edition (absent from v1)."""

    LOW = "faible", _("Faible")
    MEDIUM = "moyen", _("Moyen")
    HIGH = "fort", _("Fort")
