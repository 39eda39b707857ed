"""Organisations, who belongs to them with which role, audit events and API tokens."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import OrganisationKind, Role

MAX_ID = 2**63 - 1
"""The largest id the database stores (a signed 64-bit integer): a larger id asked for in a URL
or a query is refused up front, not left to overflow in the database driver (a 500)."""


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits passing the Luhn check (La Poste's group is the known exception)."""
    if not (len(value) == 14 and value.isdigit()):
        raise ValidationError(_("Un SIRET compte exactement 14 chiffres."))
    total = 0
    for i, ch in enumerate(reversed(value)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    if total % 10 and not value.startswith("356000000"):
        raise ValidationError(_("Ce SIRET n'est pas valide (clé de contrôle)."))


class Organisation(models.Model):
    """A commune, an EPCI, an association, a company, a recycler or an eco-organisation."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in one organisation; a person may belong to several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_role_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.role})"


class AppendOnly(models.Model):
    """A history row: written once, never changed (the one guard for every event table)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError(f"{self._meta.verbose_name_plural} are append-only")
        super().save(*args, **kwargs)


class AuditEvent(AppendOnly):
    """Append-only record of a change: who, when, what, before and after (JSON)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The retention job: one kind of action older than N days (login traces, revoked
            # tokens) among millions of events (bench/scale.py measures it).
            models.Index(fields=["action", "at"], name="audit_action_at"),
        ]


class ApiToken(models.Model):
    """A personal token for scripts (Authorization: Bearer <token>); only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("nom"), max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginAttempt(models.Model):
    """One sign-in attempt (the username typed, never the password): the rate limit counts the
    failures of a username from an address; shared by every gunicorn worker through the database.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["username", "ip", "at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.ip} {'ok' if self.succeeded else 'failed'}"
