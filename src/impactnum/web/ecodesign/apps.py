from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcodesignConfig(AppConfig):
    name = "impactnum.web.ecodesign"
    label = "ecodesign"
    verbose_name = _("Écoconception des services numériques (RGESN)")
