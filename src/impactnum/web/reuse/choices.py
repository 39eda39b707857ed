"""Statuses, event types and code lists of the reuse chain: the one list of each."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PartyKind(models.TextChoices):
    CITY_SERVICE = "city_service", _("Service de la collectivité")
    PUBLIC_BODY = "public_body", _("Autre organisme public")
    COMPANY = "company", _("Entreprise")
    CITIZEN = "citizen", _("Particulier")
    ASSOCIATION = "association", _("Association")
    SCHOOL = "school", _("Établissement scolaire")
    RECYCLER = "recycler", _("Recycleur")
    ECO_ORGANISATION = "eco_organisation", _("Éco-organisme")


PUBLIC_DONORS = frozenset({PartyKind.CITY_SERVICE, PartyKind.PUBLIC_BODY})
"""Devices given by these parties fall under the public-donation caps (CGPPP L.3212-2)."""


class LotOrigin(models.TextChoices):
    """C. env. L.541-1-1: réemploi (never became waste) vs réutilisation (taken from waste)."""

    REEMPLOI = "reemploi", _("Réemploi (don, jamais devenu déchet)")
    REUTILISATION = "reutilisation", _("Réutilisation (issu des déchets)")


class DeviceStatus(models.TextChoices):
    RECEIVED = "received", _("Reçu")
    TO_REFURBISH = "to_refurbish", _("À reconditionner")
    DIAGNOSED = "diagnosed", _("Diagnostiqué")
    IN_REPAIR = "in_repair", _("En réparation")
    WAITING_PARTS = "waiting_parts", _("En attente de pièces")
    QA = "qa", _("Contrôle qualité")
    READY = "ready", _("Prêt")
    RESERVED = "reserved", _("Réservé")
    PROVIDED = "provided", _("Remis")
    RETURNED = "returned", _("Retourné")
    TO_HARVEST = "to_harvest", _("À démanteler (pièces)")
    DISMANTLED = "dismantled", _("Démantelé")
    TO_RECYCLE = "to_recycle", _("À recycler")
    IN_SHIPMENT = "in_shipment", _("Dans un envoi DEEE")
    SHIPPED = "shipped", _("Expédié au recycleur")
    LOST = "lost", _("Perdu")


D = DeviceStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    D.RECEIVED: frozenset({D.TO_REFURBISH, D.TO_HARVEST, D.TO_RECYCLE}),
    D.TO_REFURBISH: frozenset({D.DIAGNOSED, D.TO_HARVEST, D.TO_RECYCLE}),
    D.DIAGNOSED: frozenset({D.IN_REPAIR, D.QA, D.TO_HARVEST, D.TO_RECYCLE}),
    D.IN_REPAIR: frozenset({D.WAITING_PARTS, D.QA, D.TO_HARVEST, D.TO_RECYCLE}),
    D.WAITING_PARTS: frozenset({D.IN_REPAIR, D.TO_HARVEST, D.TO_RECYCLE}),
    D.QA: frozenset({D.READY, D.IN_REPAIR, D.TO_HARVEST, D.TO_RECYCLE}),
    D.READY: frozenset({D.RESERVED, D.PROVIDED}),
    D.RESERVED: frozenset({D.READY, D.PROVIDED}),
    D.PROVIDED: frozenset({D.RETURNED}),
    D.RETURNED: frozenset({D.TO_REFURBISH, D.TO_HARVEST, D.TO_RECYCLE}),
    D.TO_HARVEST: frozenset({D.DISMANTLED, D.TO_RECYCLE}),
    D.DISMANTLED: frozenset(),
    D.TO_RECYCLE: frozenset({D.IN_SHIPMENT}),
    D.IN_SHIPMENT: frozenset({D.SHIPPED, D.TO_RECYCLE}),
    D.SHIPPED: frozenset(),
    D.LOST: frozenset(),
}
"""Allowed moves; LOST is also reachable from any status that is not final."""
FINAL = frozenset({D.DISMANTLED, D.SHIPPED, D.LOST})
LEAVES_CUSTODY = frozenset({D.READY, D.PROVIDED, D.SHIPPED})
"""Moves allowed only once every storage medium is sanitised (the device is 'released')."""


class TriageOutcome(models.TextChoices):
    REUSE = "reuse", _("Réemploi")
    PARTS = "parts", _("Pièces détachées")
    RECYCLING = "recycling", _("Recyclage")


TRIAGE_STATUS = {
    TriageOutcome.REUSE: D.TO_REFURBISH,
    TriageOutcome.PARTS: D.TO_HARVEST,
    TriageOutcome.RECYCLING: D.TO_RECYCLE,
}


class DeviceEventType(models.TextChoices):
    RECEIVED = "received", _("Réception")
    TRIAGED = "triaged", _("Tri")
    STATUS_CHANGED = "status_changed", _("Changement de statut")
    DIAGNOSED = "diagnosed", _("Diagnostic")
    REPAIRED = "repaired", _("Réparation")
    MEDIUM_ADDED = "medium_added", _("Support de stockage ajouté")
    MEDIUM_REMOVED = "medium_removed", _("Support de stockage retiré")
    SANITISED = "sanitised", _("Effacement")
    RELEASED = "released", _("Contrôle qualité")
    PROVIDED = "provided", _("Remise")
    PART_HARVESTED = "part_harvested", _("Pièce prélevée")
    SHIPPED = "shipped", _("Expédition DEEE")
    UPDATED = "updated", _("Modifié")


class MediumType(models.TextChoices):
    HDD = "hdd", "HDD"
    SSD = "ssd", "SSD (SATA)"
    NVME = "nvme", "NVMe"
    EMMC = "emmc", "eMMC"
    FLASH = "flash", _("Mémoire flash (téléphone, tablette)")
    OTHER = "other", _("Autre")


class NistLevel(models.TextChoices):
    """NIST SP 800-88 sanitisation levels."""

    CLEAR = "clear", _("Effacement logique (Clear)")
    PURGE = "purge", _("Purge (Purge)")
    DESTROY = "destroy", _("Destruction (Destroy)")


class SanitisationResult(models.TextChoices):
    SUCCESS = "success", _("Réussi")
    FAILURE = "failure", _("Échec")


class CosmeticGrade(models.TextChoices):
    A = "A", _("A — micro-rayures")
    B = "B", _("B — usure visible")
    C = "C", _("C — défauts marqués")


class ProvisionType(models.TextChoices):
    DONATION = "donation", _("Don")
    SOLIDARITY_SALE = "solidarity_sale", _("Vente solidaire")
    LOAN = "loan", pgettext_lazy("provision type", "Prêt")


class EligibilityBasis(models.TextChoices):
    """Why a person is eligible — a code, never the supporting document."""

    SOCIAL_WORKER = "social_worker", _("Orientation par un travailleur social")
    MINIMA_SOCIAUX = "minima_sociaux", _("Bénéficiaire de minima sociaux")
    JOBSEEKER = "jobseeker", _("Demandeur d'emploi")
    STUDENT = "student", _("Élève ou étudiant")
    SENIOR = "senior", _("Personne âgée isolée")
    OTHER = "other", _("Autre motif (précisé par le partenaire)")


class AgeBracket(models.TextChoices):
    UNDER_18 = "under_18", _("Moins de 18 ans")
    AGE_18_25 = "18_25", _("18–25 ans")
    AGE_26_39 = "26_39", _("26–39 ans")
    AGE_40_59 = "40_59", _("40–59 ans")
    AGE_60_69 = "60_69", _("60–69 ans")
    AGE_70_PLUS = "70_plus", _("70 ans et plus")


class AutonomyLevel(models.TextChoices):
    BEGINNER = "beginner", _("Débutant")
    GUIDED = "guided", _("Accompagné")
    AUTONOMOUS = "autonomous", _("Autonome")
