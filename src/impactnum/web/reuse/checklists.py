"""Default diagnostic checklists: one per kind, covering every function (décret 2022-190).

The items are the functional checklist of FACTS-reuse-chain §4 (synthesis of C. conso R.122-4,
EN 50614 and vendor lists); a kind keeps only the items that apply to it. A template is data:
an organisation edits its own copy, and `create_default_templates` never overwrites one.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import EDIT_REUSE, require
from impactnum.web.projects.choices import KIND_CHOICES

from .models import TestTemplate

ITEMS: dict[str, Any] = {
    "power": gettext_lazy("Alimentation et charge"),
    "boot": gettext_lazy("Démarrage (POST)"),
    "bios_lock": gettext_lazy("Verrou et mot de passe BIOS retirés"),
    "cpu_ram": gettext_lazy("Test processeur et mémoire"),
    "storage_smart": gettext_lazy("Stockage : état SMART"),
    "display": gettext_lazy("Écran (pixels morts, rétroéclairage)"),
    "keyboard": gettext_lazy("Clavier et pavé tactile"),
    "touch": gettext_lazy("Écran tactile et boutons"),
    "ports": gettext_lazy("Ports (USB, vidéo, RJ45, audio)"),
    "wireless": gettext_lazy("Wi-Fi et Bluetooth"),
    "cellular": gettext_lazy("Réseau mobile (SIM)"),
    "av": gettext_lazy("Webcam, microphone, haut-parleurs"),
    "battery": gettext_lazy("Santé batterie (%) et cycles"),
    "chassis": gettext_lazy("Charnières et châssis"),
    "electrical": gettext_lazy("Sécurité électrique (PAT)"),
    "activation_locks": gettext_lazy("Verrous d'activation retirés (MDM, iCloud, FRP)"),
    "os": gettext_lazy("Système installé et à jour"),
    "print": gettext_lazy("Impression d'une page de test"),
}

_PC = ["power", "boot", "bios_lock", "cpu_ram", "storage_smart", "display", "keyboard", "ports"]
_MOBILE = ["power", "boot", "storage_smart", "display", "touch", "ports", "wireless"]
KIND_ITEMS: dict[str, list[str]] = {
    "laptop": [*_PC, "wireless", "av", "battery", "chassis", "activation_locks", "os"],
    "desktop": [*_PC, "wireless", "av", "chassis", "electrical", "os"],
    "desktop_household": [*_PC, "wireless", "av", "chassis", "electrical", "os"],
    "smartphone": [*_MOBILE, "cellular", "av", "battery", "chassis", "activation_locks", "os"],
    "tablet": [*_MOBILE, "av", "battery", "chassis", "activation_locks", "os"],
    "monitor": ["power", "display", "ports", "chassis", "electrical"],
    "television": ["power", "display", "ports", "chassis", "electrical"],
    "printer": ["power", "boot", "ports", "wireless", "print", "chassis", "electrical"],
    "box": ["power", "boot", "ports", "wireless", "chassis", "electrical"],
    "network_equipment": ["power", "boot", "ports", "chassis", "electrical", "os"],
    "server": [*_PC, "chassis", "electrical", "os"],
    "game_console": ["power", "boot", "storage_smart", "ports", "wireless", "chassis", "os"],
}
GENERIC = ["power", "boot", "ports", "chassis", "electrical"]


def default_items(kind: str) -> list[dict[str, str]]:
    """The default checklist of a kind as `[{"code", "label"}]` (labels in the active language)."""
    return [{"code": c, "label": str(ITEMS[c])} for c in KIND_ITEMS.get(kind, GENERIC)]


@transaction.atomic
def create_default_templates(
    actor: AbstractBaseUser | None, organisation: Organisation, kinds: list[str] | None = None
) -> list[TestTemplate]:
    """A default template for each kind (every kind by default) the organisation has none for."""
    require(actor, organisation, EDIT_REUSE)  # type: ignore[arg-type]
    labels = dict(KIND_CHOICES)
    created = []
    for kind in kinds or list(labels):
        if kind not in labels:
            raise DomainError(_("Type inconnu : %(k)s") % {"k": kind}, field="kind")
        if TestTemplate.objects.filter(organisation=organisation, kind=kind).exists():
            continue
        created.append(
            TestTemplate.objects.create(
                organisation=organisation,
                name=_("Contrôle complet — %(k)s") % {"k": labels[kind]},
                kind=kind,
                items=default_items(kind),
            )
        )
    return created


def parse_items(text: str) -> list[dict[str, str]]:
    """Checklist lines `code: label` (or just a label) → items with unique codes."""
    items: list[dict[str, str]] = []
    seen: set[str] = set()
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        code, sep, label = line.partition(":")
        if not sep:
            code, label = f"item{n}", line
        code = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in code.strip().lower())
        if not code or code in seen:
            raise DomainError(
                _("Ligne %(n)d : code « %(c)s » vide ou en double.") % {"n": n, "c": code},
                field="items",
            )
        seen.add(code)
        items.append({"code": code, "label": label.strip() or code})
    if not items:
        raise DomainError(_("Une liste de contrôle a au moins un point."), field="items")
    return items


@transaction.atomic
def create_template(
    actor: AbstractBaseUser | None,
    organisation: Organisation,
    *,
    name: str,
    kind: str,
    items: list[dict[str, str]],
) -> TestTemplate:
    require(actor, organisation, EDIT_REUSE)  # type: ignore[arg-type]
    if kind not in dict(KIND_CHOICES):
        raise DomainError(_("Type inconnu : %(k)s") % {"k": kind}, field="kind")
    if not name.strip():
        raise DomainError(_("Donnez un nom à la liste."), field="name")
    return TestTemplate.objects.create(
        organisation=organisation, name=name.strip(), kind=kind, items=items
    )
