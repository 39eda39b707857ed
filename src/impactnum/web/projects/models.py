"""Projects, their scenarios and lines, organisation-level factor overrides, and snapshots.

A scenario holds everything the engine accepts; `services.project_document` turns a project
into the same dict structure as a project TOML file (docs/project-file.md), so pages, API,
CLI and snapshots share one parser (`impactnum.io.project_toml.parse_project`).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from impactnum.web.core.models import Organisation

from .choices import FLOW_CHOICES, KIND_CHOICES, NETWORK_CHOICES, ProjectStatus

POSITIVE = [MinValueValidator(0)]
SHARE = [MinValueValidator(0), MaxValueValidator(1)]  # a share, as the project file requires


class Project(models.Model):
    """A digital project of an organisation, computed with one factor set version."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsable"),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    horizon_years = models.PositiveIntegerField(
        _("horizon (années)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    factor_set = models.CharField(_("jeu de facteurs"), max_length=100, default="ademe-2022@1.0.0")
    discount_rate = models.FloatField(
        _("taux d'actualisation"), default=0.032, validators=[MinValueValidator(0)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("projet")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])


class Scenario(models.Model):
    """A baseline (position 0) or a variant, with its lines, costs and social indicators."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(_("nom"), max_length=200)
    position = models.PositiveIntegerField(default=0)
    capex = models.FloatField(_("investissement (€)"), default=0, validators=POSITIVE)
    opex_per_year = models.FloatField(_("fonctionnement (€/an)"), default=0, validators=POSITIVE)
    avoided_costs_per_year = models.FloatField(
        _("coûts évités (€/an)"), default=0, validators=POSITIVE
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_baseline(self) -> bool:
        return self.position == 0


class EquipmentLine(models.Model):
    """Equipment: kind, quantity, lifespan, use; empty fields take the factor set's defaults."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="equipment")
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    kind = models.CharField(_("type"), max_length=40, choices=KIND_CHOICES)
    quantity = models.FloatField(_("quantité"), default=1, validators=POSITIVE)
    lifespan_years = models.FloatField(
        _("durée de vie (années)"), null=True, blank=True, validators=POSITIVE
    )
    refurbished = models.BooleanField(_("reconditionné"), default=False)
    kwh_per_year = models.FloatField(_("kWh par an"), null=True, blank=True, validators=POSITIVE)
    active_w = models.FloatField(
        _("puissance active (W)"), null=True, blank=True, validators=POSITIVE
    )
    idle_w = models.FloatField(
        _("puissance en veille (W)"), null=True, blank=True, validators=POSITIVE
    )
    hours_per_day = models.FloatField(
        _("heures par jour"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    days_per_year = models.FloatField(
        _("jours par an"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(366)],
    )
    country = models.CharField(_("pays (ISO 3)"), max_length=3, blank=True)
    in_datacenter = models.BooleanField(_("en centre de données"), default=False)
    pue = models.FloatField(_("PUE"), null=True, blank=True, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["pk"]


class NetworkLine(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="network")
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    kind = models.CharField(_("réseau"), max_length=10, choices=NETWORK_CHOICES)
    gb_per_year = models.FloatField(_("Go par an"), validators=POSITIVE)

    class Meta:
        ordering = ["pk"]


class AvoidedFlowLine(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="avoided")
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    flow = models.CharField(_("flux évité"), max_length=30, choices=FLOW_CHOICES)
    quantity_per_year = models.FloatField(_("quantité par an"), validators=POSITIVE)
    low = models.FloatField(_("basse"), null=True, blank=True, validators=POSITIVE)
    high = models.FloatField(_("haute"), null=True, blank=True, validators=POSITIVE)

    class Meta:
        ordering = ["pk"]


class SocialIndicatorValue(models.Model):
    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="social")
    code = models.CharField(_("indicateur"), max_length=40)
    value = models.FloatField(_("valeur"), validators=POSITIVE)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "code"], name="one_value_per_indicator")
        ]


class SroiOutcome(models.Model):
    """An SROI outcome: quantity × financial proxy, less deadweight, attribution, displacement."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="sroi")
    outcome = models.CharField(_("résultat"), max_length=200)
    stakeholder = models.CharField(_("partie prenante"), max_length=200, blank=True)
    indicator = models.CharField(_("indicateur"), max_length=40, blank=True)
    quantity = models.FloatField(_("quantité par an"), validators=POSITIVE)
    proxy_eur = models.FloatField(_("valeur unitaire (€)"), validators=POSITIVE)
    proxy_source = models.CharField(_("source de la valeur"), max_length=300, blank=True)
    deadweight = models.FloatField(_("effet d'aubaine"), default=0, validators=SHARE)
    attribution = models.FloatField(_("attribution"), default=0, validators=SHARE)
    displacement = models.FloatField(_("déplacement"), default=0, validators=SHARE)
    drop_off = models.FloatField(_("érosion annuelle"), default=0, validators=SHARE)
    duration_years = models.FloatField(_("durée (années)"), default=1)

    class Meta:
        ordering = ["pk"]


class FactorOverride(models.Model):
    """An organisation's own factor (local electricity contract, water price …)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="factor_overrides"
    )
    family = models.CharField(_("famille"), max_length=20)
    key = models.CharField(_("clé"), max_length=60)
    phase = models.CharField(_("phase"), max_length=20, blank=True)
    criterion = models.CharField(_("critère"), max_length=30)
    value = models.FloatField(_("valeur"))
    low = models.FloatField(_("basse"), null=True, blank=True)
    high = models.FloatField(_("haute"), null=True, blank=True)
    unit = models.CharField(_("unité"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["family", "key", "criterion"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "family", "key", "phase", "criterion"],
                name="one_override_per_factor",
            )
        ]


class CalculationSnapshot(models.Model):
    """A saved result with its inputs, factor set and engine version, so it can be replayed."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="snapshots")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    factor_set = models.CharField(max_length=100)
    engine_version = models.CharField(max_length=20)
    inputs = models.JSONField()
    result = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-pk"]
