"""Template context shared by every page: the navigation, one list."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    ("home", _("Accueil")),
    ("territory:dashboard", _("Tableau de bord")),
    ("projects:list", _("Projets")),
    ("projects:factor-sets", _("Facteurs")),
    ("fleet:list", _("Parc")),
    ("reuse:workbench", _("Réemploi")),
    ("plan:commitments", _("Engagements")),
    ("ecodesign:assessments", _("Écoconception")),
    ("tokens", _("Jetons d'API")),
]


def navigation(request: HttpRequest) -> dict[str, object]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"navigation": []}
    items = []
    for name, label in NAVIGATION:
        url = reverse(name)
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"url": url, "label": label, "current": current})
    return {"navigation": items}
