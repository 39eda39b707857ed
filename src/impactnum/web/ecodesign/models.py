"""An imported eco-design referential (the RGESN) and its criteria; the self-assessment of one of
the organisation's digital services against it, one answer per criterion.

Referentials are stored per organisation, not globally: every object of impactnum belongs to one
organisation (a person sees another organisation's objects as 404), an import by one
organisation's administrator must not change what another organisation assesses against, and the
official text is imported by each user under its own terms (impactnum does not ship it). The
cost is one small import per organisation. An imported referential never changes: a new edition
is a new version, and an assessment keeps the referential it was made against.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from impactnum.web.core.models import Organisation

from .choices import AnswerStatus, Effort, Priority

USER = settings.AUTH_USER_MODEL


class Referential(models.Model):
    """One version of a referential (e.g. « RGESN » « v1 »), as imported from its file."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="ecodesign_referentials"
    )
    name = models.CharField(_("nom"), max_length=100)
    version = models.CharField(_("version"), max_length=50)
    title = models.CharField(_("titre"), max_length=300, blank=True)
    source_url = models.URLField(_("adresse de la source"), max_length=500, blank=True)
    file_name = models.CharField(_("fichier importé"), max_length=255, blank=True)
    checksum = models.CharField(_("empreinte SHA-256 des critères"), max_length=64)
    imported_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL)
    imported_at = models.DateTimeField(_("importé le"), auto_now_add=True)

    class Meta:
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "version"], name="ecodesign_referential_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def has_priorities(self) -> bool:
        return self.criteria.exclude(priority="").exists()

    def get_absolute_url(self) -> str:
        return reverse("ecodesign:referential", args=[self.pk])


class Criterion(models.Model):
    """One criterion: its code (« 1.1 »), family (« Stratégie »), question and, in the 2024
    edition, priority and effort."""

    referential = models.ForeignKey(Referential, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveIntegerField()
    code = models.CharField(_("numéro"), max_length=20)
    family = models.CharField(_("famille"), max_length=100)
    question = models.TextField(_("critère"))
    url = models.URLField(_("adresse"), max_length=500, blank=True)
    priority = models.CharField(_("priorité"), max_length=20, choices=Priority.choices, blank=True)
    effort = models.CharField(_("effort"), max_length=20, choices=Effort.choices, blank=True)

    class Meta:
        ordering = ["referential", "position"]
        constraints = [
            models.UniqueConstraint(fields=["referential", "code"], name="ecodesign_criterion_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.question}"


class Assessment(models.Model):
    """The self-assessment of one digital service of the organisation against a referential."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="ecodesign_assessments"
    )
    referential = models.ForeignKey(
        Referential, on_delete=models.PROTECT, related_name="assessments"
    )
    service_name = models.CharField(_("service numérique"), max_length=200)
    service_url = models.URLField(_("adresse du service"), max_length=500, blank=True)
    assessed_on = models.DateField(_("date de l'évaluation"))
    contact = models.CharField(
        _("contact"),
        max_length=300,
        blank=True,
        help_text=_("Adresse électronique ou page où joindre le responsable du service."),
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-assessed_on", "service_name", "pk"]

    def __str__(self) -> str:
        return f"{self.service_name} ({self.assessed_on:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("ecodesign:assessment", args=[self.pk])


class Answer(models.Model):
    """The answer to one criterion; a non-compliant one may carry its planned action."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="answers")
    status = models.CharField(_("réponse"), max_length=20, choices=AnswerStatus.choices)
    justification = models.TextField(_("justification"), blank=True)
    planned_action = models.TextField(_("action prévue"), blank=True)
    answered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="ecodesign_answer_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.status}"
