"""What an organisation publishes (open data) and the per-commune digital fragility index it
imported. Neither holds personal data: a publication is a setting, an index row is a commune."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from impactnum.web.core.models import Organisation


class Licence(models.TextChoices):
    """Open licences offered for the exports (the French administration's list, décret
    2017-638: Licence Ouverte 2.0 or ODbL for data)."""

    ETALAB_2 = "etalab-2.0", _("Licence Ouverte / Open Licence 2.0 (Etalab)")
    ODBL = "odbl-1.0", _("Open Database License (ODbL) 1.0")
    CC_BY_4 = "cc-by-4.0", _("Creative Commons Attribution 4.0")


LICENCE_URLS = {
    Licence.ETALAB_2: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
}

SECTIONS = ("fleet", "quotas", "reuse", "projects", "commitments", "targeting")
"""The publishable sections, in page order; each is a `publish_<section>` field."""


class Publication(models.Model):
    """What an organisation chooses to publish on its public page and open-data exports.

    Nothing is public until `enabled`; then only the sections ticked, as aggregated figures.
    Changed only through `publication.set_publication` (administrators, audited)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="publication"
    )
    enabled = models.BooleanField(_("publier la page publique et les exports"), default=False)
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.ETALAB_2
    )
    publish_fleet = models.BooleanField(_("empreinte annuelle du parc"), default=False)
    publish_quotas = models.BooleanField(_("quotas légaux (AGEC, décret 2023-266)"), default=False)
    publish_reuse = models.BooleanField(_("résultats de la filière de réemploi"), default=False)
    publish_projects = models.BooleanField(_("bilans nets des projets"), default=False)
    publish_commitments = models.BooleanField(_("avancement des engagements"), default=False)
    publish_targeting = models.BooleanField(
        _("ciblage social par commune (comptes agrégés, petits effectifs masqués)"),
        default=False,
    )
    contact = models.CharField(
        _("contact (service, pas une personne)"),
        max_length=200,
        blank=True,
        help_text=_("ex. « Direction du numérique — opendata@ville-nevers.fr »"),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("publication")

    def __str__(self) -> str:
        return f"{self.organisation} — {'publiée' if self.enabled else 'non publiée'}"

    def sections(self) -> list[str]:
        """The sections published (empty unless `enabled`)."""
        if not self.enabled:
            return []
        return [s for s in SECTIONS if getattr(self, f"publish_{s}")]


class FragilityIndex(models.Model):
    """One imported per-commune digital fragility index file (the latest one is used)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="fragility_indices"
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("indice de fragilité numérique")

    def __str__(self) -> str:
        return f"{self.file_name or self.source} ({self.organisation})"


class FragilityRow(models.Model):
    """A commune's scores: the four axes and the global score (higher = more fragile)."""

    index = models.ForeignKey(FragilityIndex, on_delete=models.CASCADE, related_name="rows")
    insee_code = models.CharField(_("code INSEE"), max_length=5, blank=True)
    commune = models.CharField(_("commune"), max_length=150, blank=True)
    access_interfaces = models.FloatField(_("accès aux interfaces numériques"))
    access_information = models.FloatField(_("accès à l'information"))
    administrative_skills = models.FloatField(_("compétences administratives"))
    digital_skills = models.FloatField(_("compétences numériques / scolaires"))
    global_score = models.FloatField(_("score global"))

    class Meta:
        ordering = ["-global_score", "commune"]
