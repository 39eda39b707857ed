"""Assets of the fleet, their append-only history, repairs, lifespan policies and purchases.

Personal data is minimal: an asset's `assigned_to` holds a name or an agent id, nothing else.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from impactnum.web.core.models import AppendOnly, Organisation
from impactnum.web.projects.choices import KIND_CHOICES

from .choices import (
    AssetEventType,
    AssetStatus,
    ProductCategory,
    RepairBarrier,
    RepairOutcome,
    WeeeCategory,
)

POSITIVE = [MinValueValidator(0)]


class Department(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nom"), max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="dept_once")]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nom"), max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="loc_once")]

    def __str__(self) -> str:
        return self.name


class LifespanPolicy(models.Model):
    """The organisation's expected lifespan per kind (e.g. PCs 7 years in Nevers)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="lifespan_policies"
    )
    kind = models.CharField(_("type"), max_length=40, choices=KIND_CHOICES)
    years = models.FloatField(_("durée de vie (années)"), validators=[MinValueValidator(1)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="one_policy_per_kind")
        ]


class Asset(models.Model):
    """A device of the fleet. Its status changes only through `fleet.services`."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="assets")
    kind = models.CharField(_("type"), max_length=40, choices=KIND_CHOICES)
    manufacturer = models.CharField(_("fabricant"), max_length=100, blank=True)
    model = models.CharField(_("modèle"), max_length=200, blank=True)
    serial_number = models.CharField(_("numéro de série"), max_length=100, blank=True)
    inventory_number = models.CharField(_("numéro d'inventaire"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("service")
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("lieu")
    )
    assigned_to = models.CharField(_("attribué à (nom ou matricule)"), max_length=100, blank=True)
    purchase_date = models.DateField(_("date d'achat"), null=True, blank=True)
    price_excl_vat = models.DecimalField(
        _("prix HT (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    price_incl_vat = models.DecimalField(
        _("prix TTC (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    supplier = models.CharField(_("fournisseur"), max_length=200, blank=True)
    order_reference = models.CharField(_("référence de commande"), max_length=100, blank=True)
    warranty_end = models.DateField(_("fin de garantie"), null=True, blank=True)
    bought_refurbished = models.BooleanField(_("acheté reconditionné"), default=False)
    recycled_material = models.BooleanField(_("intègre des matières recyclées"), default=False)
    received_as_donation = models.BooleanField(_("reçu en don"), default=False)
    donation_value = models.DecimalField(
        _("valeur forfaitaire du don (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    expected_lifespan_years = models.FloatField(
        _("durée de vie attendue (années)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    storage_media = models.CharField(_("supports de stockage"), max_length=200, blank=True)
    weee_category = models.CharField(
        _("catégorie DEEE"), max_length=2, choices=WeeeCategory.choices, blank=True
    )
    classified = models.BooleanField(_("classifié / sensible"), default=False)
    country = models.CharField(_("pays d'utilisation (ISO 3)"), max_length=3, default="FRA")
    kwh_per_year = models.FloatField(_("kWh par an"), null=True, blank=True, validators=POSITIVE)
    status = models.CharField(
        _("statut"), max_length=20, choices=AssetStatus.choices, default=AssetStatus.IN_SERVICE
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    retired_on = models.DateField(_("réformé le"), null=True, blank=True)
    retirement_reason = models.TextField(_("motif de réforme"), blank=True)
    reuse_proof = models.CharField(_("preuve de réemploi"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "inventory_number", "pk"]
        indexes = [
            # Every column the indicators read (fleet.indicators._asset_summary), grouped by
            # status and kind: they read this index in order, not the table. It also serves the
            # filters on (organisation, status).
            models.Index(
                fields=[
                    "organisation",
                    "status",
                    "kind",
                    "purchase_date",
                    "retired_on",
                    "expected_lifespan_years",
                    "received_as_donation",
                    "bought_refurbished",
                    "price_excl_vat",
                ],
                name="asset_indicators",
            ),
            # The distinct own lifespans of an organisation's assets (the indicators' groups).
            models.Index(
                fields=["organisation", "expected_lifespan_years"], name="asset_own_lifespan"
            ),
            models.Index(fields=["organisation", "kind"]),
            models.Index(fields=["organisation", "purchase_date"]),
            # The list's default order: lets the database read the first page in index order
            # instead of sorting the whole fleet.
            models.Index(fields=["inventory_number", "id"], name="asset_list_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "serial_number"],
                condition=~Q(serial_number=""),
                name="serial_once_per_org",
            ),
            models.UniqueConstraint(
                fields=["organisation", "inventory_number"],
                condition=~Q(inventory_number=""),
                name="inventory_number_once_per_org",
            ),
        ]

    def __str__(self) -> str:
        ident = self.inventory_number or self.serial_number or f"#{self.pk}"
        return f"{self.get_kind_display()} {self.model} ({ident})".replace("  ", " ")

    def get_absolute_url(self) -> str:
        return reverse("fleet:asset", args=[self.pk])


class AssetEvent(AppendOnly):
    """Append-only history of an asset: what happened, who did it, when, with what data."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    type = models.CharField(max_length=30, choices=AssetEventType.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["asset", "at"]),
            # The day each asset left the retired stock (quotas.py, décret 2023-266): one
            # entry per asset instead of its whole history (bench/scale.py measures it).
            models.Index(
                fields=["asset", "at"],
                condition=models.Q(type="status_changed", from_status="retired"),
                name="assetevent_left_retired",
            ),
        ]


class Repair(models.Model):
    """A repair or maintenance (Open Repair Data Standard fields)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="repairs")
    opened_on = models.DateField(_("ouverte le"))
    closed_on = models.DateField(_("close le"), null=True, blank=True)
    problem = models.TextField(_("problème"))
    actions = models.TextField(_("actions"), blank=True)
    parts = models.TextField(_("pièces"), blank=True)
    parts_cost = models.DecimalField(
        _("coût des pièces (€)"), max_digits=10, decimal_places=2, default=0, validators=POSITIVE
    )
    minutes_spent = models.PositiveIntegerField(_("temps passé (minutes)"), default=0)
    outcome = models.CharField(
        _("résultat"), max_length=20, choices=RepairOutcome.choices, blank=True
    )
    barrier = models.CharField(
        _("obstacle (fin de vie)"), max_length=40, choices=RepairBarrier.choices, blank=True
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opened_on", "-pk"]


class Purchase(models.Model):
    """Yearly spend of another product category of the AGEC art. 58 declaration.

    IT and telephony spend comes from the assets themselves; other categories are entered here.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField(_("année"))
    category = models.CharField(_("catégorie"), max_length=30, choices=ProductCategory.choices)
    amount_total = models.DecimalField(
        _("montant total HT"), max_digits=14, decimal_places=2, validators=POSITIVE
    )
    amount_reuse = models.DecimalField(
        _("dont réemploi / réutilisation"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=POSITIVE,
    )
    amount_donations = models.DecimalField(
        _("dons reçus (valeur forfaitaire)"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=POSITIVE,
    )
    amount_recycled = models.DecimalField(
        _("dont matières recyclées"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=POSITIVE,
    )
    comment = models.CharField(_("commentaire"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "category"], name="one_purchase_row_per_category"
            )
        ]


class QuotaTargetOverride(models.Model):
    """An organisation's own target for a quota rule from a year on (overrides the shipped
    `data/quota_targets.csv` row for that rule and year; see `fleet.quotas`)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(_("règle"), max_length=40)
    from_year = models.PositiveIntegerField(_("à partir de l'année"))
    target = models.FloatField(
        _("objectif (part de 0 à 1)"), validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    source = models.CharField(_("source"), max_length=300)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["rule", "from_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "rule", "from_year"], name="one_quota_override_per_year"
            )
        ]
