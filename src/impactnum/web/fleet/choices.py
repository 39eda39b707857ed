"""Statuses, event types and code lists of the fleet: the one list of each.

A status says where an asset is; an event type says what happened to it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssetStatus(models.TextChoices):
    ORDERED = "ordered", _("Commandé")
    IN_STOCK = "in_stock", _("En stock (neuf)")
    IN_SERVICE = "in_service", _("En service")
    IN_REPAIR = "in_repair", _("En réparation")
    SPARE = "spare", _("De réserve")
    RETIRED = "retired", _("Réformé")
    HANDED_TO_REUSE = "handed_to_reuse", _("Confié à la filière de réemploi")
    RECYCLED = "recycled", _("Recyclé")
    LOST_STOLEN = "lost_stolen", _("Perdu ou volé")


S = AssetStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.ORDERED: frozenset({S.IN_STOCK}),
    S.IN_STOCK: frozenset({S.IN_SERVICE, S.SPARE, S.RETIRED}),
    S.IN_SERVICE: frozenset({S.IN_REPAIR, S.SPARE, S.RETIRED}),
    S.IN_REPAIR: frozenset({S.IN_SERVICE, S.SPARE, S.RETIRED}),
    S.SPARE: frozenset({S.IN_SERVICE, S.IN_REPAIR, S.RETIRED}),
    S.RETIRED: frozenset({S.HANDED_TO_REUSE, S.RECYCLED}),
    S.HANDED_TO_REUSE: frozenset(),
    S.RECYCLED: frozenset(),
    S.LOST_STOLEN: frozenset(),
}
"""Allowed moves; any status that is not final may also go to LOST_STOLEN."""
FINAL_STATUSES = frozenset({S.HANDED_TO_REUSE, S.RECYCLED, S.LOST_STOLEN})
HELD_STATUSES = frozenset({S.IN_STOCK, S.IN_SERVICE, S.IN_REPAIR, S.SPARE})
"""Statuses of a device the organisation holds and uses (fleet size, footprint)."""


class AssetEventType(models.TextChoices):
    CREATED = "created", _("Créé")
    IMPORTED = "imported", _("Importé")
    UPDATED = "updated", _("Modifié")
    STATUS_CHANGED = "status_changed", _("Changement de statut")
    REPAIR_OPENED = "repair_opened", _("Réparation ouverte")
    REPAIR_CLOSED = "repair_closed", _("Réparation close")


class RepairOutcome(models.TextChoices):
    """Open Repair Data Standard repair statuses."""

    FIXED = "fixed", _("Réparé")
    REPAIRABLE = "repairable", _("Réparable")
    END_OF_LIFE = "end_of_life", _("Fin de vie")


class RepairBarrier(models.TextChoices):
    """The Open Repair Data Standard's barriers for an end-of-life repair (v0.3 texts)."""

    PARTS_UNAVAILABLE = "spare_parts_not_available", _("Pièces détachées indisponibles")
    PARTS_TOO_EXPENSIVE = "spare_parts_too_expensive", _("Pièces détachées trop chères")
    CANNOT_OPEN = "no_way_to_open", _("Impossible d'ouvrir l'appareil")
    NO_INFORMATION = "repair_information_not_available", _("Pas d'information de réparation")
    NO_EQUIPMENT = "lack_of_equipment", _("Manque d'équipement")
    TOO_WORN = "item_too_worn_out", _("Appareil trop usé")


ORDS_BARRIER_TEXT = {
    RepairBarrier.PARTS_UNAVAILABLE: "Spare parts not available",
    RepairBarrier.PARTS_TOO_EXPENSIVE: "Spare parts too expensive",
    RepairBarrier.CANNOT_OPEN: "No way to open the product",
    RepairBarrier.NO_INFORMATION: "Repair information not available",
    RepairBarrier.NO_EQUIPMENT: "Lack of equipment",
    RepairBarrier.TOO_WORN: "Product too worn out",  # ORDS standard.rst wording
}


class WeeeCategory(models.TextChoices):
    """French WEEE categories (Code de l'environnement R.543-172)."""

    TEMPERATURE = "1", _("1 — Équipements d'échange thermique")
    SCREENS = "2", _("2 — Écrans (> 100 cm²)")
    LAMPS = "3", _("3 — Lampes")
    LARGE = "4", _("4 — Gros équipements")
    SMALL = "5", _("5 — Petits équipements")
    SMALL_IT = "6", _("6 — Petits équipements informatiques et de télécommunications")


class ProductCategory(models.TextChoices):
    """The 17 product categories of the AGEC art. 58 declaration schema (data.gouv.fr)."""

    TEXTILES = (
        "textiles",
        "Produits textiles à l'exception des équipements de protection individuels",
    )
    IT = "it", "Matériel informatique et téléphonie"
    REPROGRAPHY = "reprography", "Matériel de reprographie et d'impression"
    PRINT_CONSUMABLES = "print_consumables", "Consommables d'impression"
    PAPER = "paper", "Papier"
    OFFICE_SUPPLIES = "office_supplies", "Fournitures de bureau"
    TRANSPORT = "transport", "Engins de transport et pièces détachées"
    VEHICLES = "vehicles", "Véhicules et pièces détachées"
    FURNITURE = "furniture", "Mobilier et aménagement d'intérieur"
    STREET_FURNITURE = "street_furniture", "Mobilier urbain"
    WASTE_EQUIPMENT = "waste_equipment", "Equipements de collecte de déchets"
    JARS = "jars", "Bocaux et flacons"
    SPORTS = "sports", "Articles et équipement sportifs"
    GREEN_SPACES = "green_spaces", "Matériel d'entretien des espaces verts"
    MODULAR_BUILDINGS = "modular_buildings", "Bâtiments modulaires ou préfabriqués"
    APPLIANCES = "appliances", "Gros électroménager, y compris appareils professionnels"
    TOYS = "toys", "Jeux et jouets"
