"""State changes of the core app: atomic, audited, refusing with a DomainError."""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import Role
from .errors import DomainError
from .models import ApiToken, AuditEvent, Membership, Organisation

TOKEN_PREFIX = "inum_"


def snapshot(instance: models.Model | None) -> dict[str, Any] | None:
    """A JSON-safe copy of a model's fields, for audit before/after."""
    if instance is None:
        return None
    data = model_to_dict(instance)
    return {
        k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v))
        for k, v in data.items()
    }


def record_event(
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model,
    *,
    organisation: Organisation | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event (call inside the service's transaction)."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        before=before,
        after=after,
    )


def _full_clean(instance: models.Model) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(f"{field}: {' '.join(messages)}", field=field) from exc


@transaction.atomic
def create_organisation(
    actor: AbstractBaseUser | None, *, slug: str, name: str, kind: str, siret: str = ""
) -> Organisation:
    org = Organisation(slug=slug, name=name, kind=kind, siret=siret)
    _full_clean(org)
    org.save()
    record_event(actor, "organisation.created", org, organisation=org, after=snapshot(org))
    return org


@transaction.atomic
def set_membership(
    actor: AbstractBaseUser | None, user: AbstractBaseUser, organisation: Organisation, role: str
) -> Membership:
    """Give `user` the role in the organisation (creating or changing the membership)."""
    if role not in Role.values:
        raise DomainError(_("Rôle inconnu : %(r)s") % {"r": role}, field="role")
    existing = (
        Membership.objects.select_for_update().filter(user=user, organisation=organisation).first()
    )
    before = snapshot(existing)
    membership, _created = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    record_event(
        actor,
        "membership.set",
        membership,
        organisation=organisation,
        before=before,
        after=snapshot(membership),
    )
    return membership


@transaction.atomic
def create_user(
    actor: AbstractBaseUser | None,
    *,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> AbstractBaseUser:
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise DomainError(_("L'identifiant %(u)s existe déjà.") % {"u": username}, "username")
    user = user_model.objects.create_user(
        username=username,
        password=password,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    record_event(actor, "user.created", user, after={"username": username, "email": email})
    return user


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_token(user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new personal API token; the raw value is returned once and never stored."""
    if not name.strip():
        raise DomainError(_("Donnez un nom au jeton."), field="name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=raw[:12], key_hash=_hash(raw)
    )
    record_event(user, "token.created", token, after={"name": token.name, "prefix": token.prefix})
    return token, raw


@transaction.atomic
def revoke_token(user: AbstractBaseUser, token_id: int) -> None:
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise DomainError(_("Jeton introuvable."))
    token.revoked = True
    token.save(update_fields=["revoked"])
    record_event(user, "token.revoked", token, after={"revoked": True})


def user_for_token(raw: str) -> AbstractBaseUser | None:
    """The active user owning this raw token, or None."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(raw), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Record use at most once a minute: a write on every API call costs more than the call.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
