"""The reuse chain's records. Every device is in exactly one status; every change to it is an
append-only DeviceEvent written by `reuse.services`.

Personal data is minimised: a citizen donor carries only what a receipt needs, a beneficiary is a
pseudonym with an eligibility *code*, an age bracket and a commune — never a document.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from impactnum.web.core.models import AppendOnly, Organisation
from impactnum.web.fleet.choices import RepairBarrier, RepairOutcome, WeeeCategory
from impactnum.web.projects.choices import KIND_CHOICES

from .choices import (
    AgeBracket,
    AutonomyLevel,
    CosmeticGrade,
    DeviceEventType,
    DeviceStatus,
    EligibilityBasis,
    LotOrigin,
    MediumType,
    NistLevel,
    PartyKind,
    ProvisionType,
    SanitisationResult,
    TriageOutcome,
)

POSITIVE = [MinValueValidator(0)]
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Party(models.Model):
    """A donor, recipient organisation, recycler or eco-organisation known to the chain."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=PartyKind.choices)
    name = models.CharField(_("nom"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    receipt_contact = models.CharField(_("contact pour le reçu"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    """A collection batch: who gave it, when, where, how many, how heavy, and its origin."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="lots")
    reference = models.CharField(_("référence"), max_length=40)
    donor = models.ForeignKey(Party, on_delete=models.PROTECT, verbose_name=_("donateur"))
    received_on = models.DateField(_("reçu le"))
    site = models.CharField(_("site de collecte"), max_length=200, blank=True)
    items_declared = models.PositiveIntegerField(_("nombre d'objets annoncés"), default=0)
    weight_kg = models.DecimalField(
        _("poids (kg)"), max_digits=10, decimal_places=2, default=0, validators=POSITIVE
    )
    origin = models.CharField(
        _("origine"), max_length=20, choices=LotOrigin.choices, default=LotOrigin.REEMPLOI
    )
    receipt = models.FileField(_("reçu"), upload_to="reuse/receipts/", blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="lot_ref_once")
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def from_public_body(self) -> bool:
        from .choices import PUBLIC_DONORS

        return self.donor.kind in PUBLIC_DONORS


class Device(models.Model):
    """A collected device, from intake to provision, dismantling or recycling."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="reuse_devices"
    )
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="devices")
    asset_tag = models.CharField(_("étiquette"), max_length=40)
    kind = models.CharField(_("type"), max_length=40, choices=KIND_CHOICES)
    brand = models.CharField(_("marque"), max_length=100, blank=True)
    model = models.CharField(_("modèle"), max_length=200, blank=True)
    serial_number = models.CharField(_("numéro de série"), max_length=100, blank=True)
    year = models.PositiveIntegerField(_("année"), null=True, blank=True)
    mass_kg = models.DecimalField(
        _("masse (kg)"), max_digits=8, decimal_places=3, null=True, blank=True, validators=POSITIVE
    )
    cpu = models.CharField(_("processeur"), max_length=100, blank=True)
    ram_gb = models.PositiveIntegerField(_("mémoire (Go)"), null=True, blank=True)
    screen_inches = models.DecimalField(
        _("écran (pouces)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    battery_health_pct = models.PositiveIntegerField(
        _("santé batterie (%)"), null=True, blank=True, validators=PERCENT
    )
    weee_category = models.CharField(
        _("catégorie DEEE"), max_length=2, choices=WeeeCategory.choices, blank=True
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=DeviceStatus.choices, default=DeviceStatus.RECEIVED
    )
    triage_outcome = models.CharField(
        _("tri"), max_length=20, choices=TriageOutcome.choices, blank=True
    )
    triage_reason = models.TextField(_("motif du tri"), blank=True)
    fleet_asset = models.OneToOneField(
        "fleet.Asset",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reuse_device",
        verbose_name=_("équipement du parc d'origine"),
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["asset_tag"]
        indexes = [models.Index(fields=["organisation", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "asset_tag"], name="tag_once")
        ]

    def __str__(self) -> str:
        return f"{self.asset_tag} — {self.get_kind_display()} {self.brand} {self.model}".strip()

    def get_absolute_url(self) -> str:
        return reverse("reuse:device", args=[self.pk])


class DeviceEvent(AppendOnly):
    """Append-only history of a device."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    type = models.CharField(max_length=30, choices=DeviceEventType.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            # A device's history (device, at), and the period report's counts of one
            # organisation's events (report.py counts pks by type and to_status): with them in
            # the index PostgreSQL answers from it alone, device by device, instead of reading
            # every organisation's events of the period (bench/scale.py measures it).
            models.Index(
                fields=["device", "at", "type", "to_status", "id"], name="deviceevent_history"
            ),
        ]


class StorageMedium(models.Model):
    """A disk or memory. A medium taken out of its device is tracked on its own."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.PROTECT, related_name="media"
    )
    removed_from = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.PROTECT, related_name="removed_media"
    )
    type = models.CharField(_("type"), max_length=10, choices=MediumType.choices)
    serial_number = models.CharField(_("numéro de série"), max_length=100, blank=True)
    capacity_gb = models.PositiveIntegerField(_("capacité (Go)"), null=True, blank=True)
    left_custody = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.serial_number}".strip()

    @property
    def sanitised(self) -> bool:
        return self.sanitisations.filter(result=SanitisationResult.SUCCESS).exists()


class SanitisationRecord(models.Model):
    """One wipe or destruction of one medium (NIST SP 800-88), with the tool's report."""

    medium = models.ForeignKey(
        StorageMedium, on_delete=models.PROTECT, related_name="sanitisations"
    )
    level = models.CharField(_("niveau NIST"), max_length=10, choices=NistLevel.choices)
    method = models.CharField(_("méthode"), max_length=100)
    tool = models.CharField(_("outil"), max_length=100)
    tool_version = models.CharField(_("version de l'outil"), max_length=40, blank=True)
    verification = models.CharField(_("vérification"), max_length=100, blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("début"))
    ended_at = models.DateTimeField(_("fin"))
    result = models.CharField(_("résultat"), max_length=10, choices=SanitisationResult.choices)
    report = models.FileField(_("rapport de l'outil"), upload_to="reuse/wipes/", blank=True)
    report_sha256 = models.CharField(_("SHA-256 du rapport"), max_length=64, blank=True)

    class Meta:
        ordering = ["-ended_at", "-pk"]


class TestTemplate(models.Model):
    """A diagnostic checklist covering every function of a kind (décret 2022-190)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=40, choices=KIND_CHOICES)
    version = models.PositiveIntegerField(default=1)
    items = models.JSONField(_("points de contrôle"))  # [{"code", "label"}]


class Diagnostic(models.Model):
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="diagnostics")
    template = models.ForeignKey(TestTemplate, on_delete=models.PROTECT)
    results = models.JSONField()  # {code: "pass" | "fail" | "na"}
    passed = models.BooleanField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)


class Part(models.Model):
    """A harvested (or bought) component in the parts stock."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=200)
    source_device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.SET_NULL, related_name="harvested_parts"
    )
    used_in = models.ForeignKey(
        "DeviceRepair", null=True, blank=True, on_delete=models.SET_NULL, related_name="parts_used"
    )
    in_stock = models.BooleanField(default=True)


class DeviceRepair(models.Model):
    """A repair on a collected device (Open Repair Data Standard fields)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="repairs")
    event_date = models.DateField(_("date"))
    problem = models.TextField(_("problème"))
    actions = models.TextField(_("actions"), blank=True)
    outcome = models.CharField(_("résultat"), max_length=20, choices=RepairOutcome.choices)
    barrier = models.CharField(
        _("obstacle"), max_length=40, choices=RepairBarrier.choices, blank=True
    )
    minutes_spent = models.PositiveIntegerField(_("temps passé (minutes)"), default=0)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )


class QualityRelease(models.Model):
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="releases")
    checklist_passed = models.BooleanField(_("tous les contrôles réussis"))
    grade = models.CharField(_("grade esthétique"), max_length=1, choices=CosmeticGrade.choices)
    battery_health_pct = models.PositiveIntegerField(null=True, blank=True, validators=PERCENT)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)


class Beneficiary(models.Model):
    """A person equipped or supported — pseudonymous; the referring partner holds the identity."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="beneficiaries"
    )
    pseudonym = models.CharField(_("pseudonyme"), max_length=40)
    referring_party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("partenaire prescripteur"),
    )
    eligibility_basis = models.CharField(
        _("motif d'éligibilité"), max_length=20, choices=EligibilityBasis.choices, blank=True
    )
    age_bracket = models.CharField(
        _("tranche d'âge"), max_length=10, choices=AgeBracket.choices, blank=True
    )
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    consent_follow_up = models.BooleanField(_("accepte d'être recontacté"), default=False)
    last_contact_on = models.DateField(_("dernier contact"), null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "pseudonym"], name="pseudonym_once")
        ]

    def __str__(self) -> str:
        return self.pseudonym


class Provision(models.Model):
    """A device given, sold at a solidarity price or lent, to a person or an organisation."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="provisions")
    type = models.CharField(_("type"), max_length=20, choices=ProvisionType.choices)
    beneficiary = models.ForeignKey(
        Beneficiary, null=True, blank=True, on_delete=models.SET_NULL, related_name="provisions"
    )
    recipient = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation destinataire"),
    )
    price_eur = models.DecimalField(
        _("prix TTC (€)"), max_digits=8, decimal_places=2, default=0, validators=POSITIVE
    )
    unit_value_eur = models.DecimalField(
        _("valeur unitaire (€)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE,
    )
    provided_on = models.DateField(_("remis le"))
    guarantee_until = models.DateField(_("garantie légale jusqu'au"), null=True, blank=True)
    presumption_until = models.DateField(_("présomption jusqu'au"), null=True, blank=True)
    returned_on = models.DateField(_("rendu le"), null=True, blank=True)


class SupportSession(models.Model):
    """A support session by a digital facilitator, individual or for a group."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    beneficiary = models.ForeignKey(
        Beneficiary, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    group_label = models.CharField(_("groupe"), max_length=200, blank=True)
    group_size = models.PositiveIntegerField(_("participants"), default=1)
    date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("durée (minutes)"))
    themes = models.CharField(_("thèmes"), max_length=300, blank=True)
    autonomy = models.CharField(
        _("autonomie"), max_length=20, choices=AutonomyLevel.choices, blank=True
    )


class WeeeShipment(models.Model):
    """Devices and parts sent to a recycler, with the waste-tracking reference and certificate."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recycler = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    weee_category = models.CharField(
        _("catégorie DEEE"), max_length=2, choices=WeeeCategory.choices
    )
    shipped_on = models.DateField(_("expédié le"), null=True, blank=True)
    weight_kg = models.DecimalField(
        _("poids (kg)"), max_digits=10, decimal_places=2, default=0, validators=POSITIVE
    )
    tracking_reference = models.CharField(
        _("référence Trackdéchets / BSD"), max_length=100, blank=True
    )
    certificate = models.FileField(
        _("certificat de traitement"), upload_to="reuse/weee/", blank=True
    )
    devices = models.ManyToManyField(Device, blank=True, related_name="shipments")


class PrivacyLog(AppendOnly):
    """Anonymisations and data-subject requests (access, erasure), kept without personal data."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=30)  # anonymised | access_request | erasure_request
    pseudonym = models.CharField(max_length=40)
    detail = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
