"""Statuses and codes of the projects app: the one list of each.

Kinds, flows, criteria and network kinds come from the engine's registries, so a code the engine
adds appears here without a second list.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from impactnum.engine import AVOIDED_FLOWS, KINDS, NETWORK_KINDS


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    ACTIVE = "active", _("En cours")
    DONE = "done", _("Terminé")
    ARCHIVED = "archived", _("Archivé")


KIND_CHOICES = [(k.code, k.label_fr) for k in KINDS]
FLOW_CHOICES = [(f.code, f"{f.label_fr} ({f.unit})") for f in AVOIDED_FLOWS]
NETWORK_CHOICES = [(n, {"fixed": _("Fixe"), "mobile": _("Mobile")}[n]) for n in NETWORK_KINDS]
