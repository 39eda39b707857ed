"""Statuses and roles of the core app: the one list of each."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("Intercommunalité (EPCI)")
    ASSOCIATION = "association", _("Association")
    COMPANY = "company", _("Entreprise")
    RECYCLER = "recycler", _("Recycleur")
    ECO_ORGANISATION = "eco_organisation", _("Éco-organisme")


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrateur")
    MANAGER = "manager", _("Gestionnaire")
    TECHNICIAN = "technician", _("Technicien")
    FACILITATOR = "facilitator", _("Médiateur numérique")
    VIEWER = "viewer", _("Lecteur")
