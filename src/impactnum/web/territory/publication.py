"""What an organisation publishes: reading its setting and changing it (administrators only,
atomic, with an audit event). The figures themselves are built by `opendata`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from impactnum.web.core.errors import DomainError, NotFound
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import MANAGE_ORGANISATION, require
from impactnum.web.core.services import record_event, snapshot

from .models import SECTIONS, Licence, Publication

PUBLISH = MANAGE_ORGANISATION
"""Choosing what is published, and under which licence, is an administrator's decision."""
FIELDS = ("enabled", "licence", "contact", *(f"publish_{s}" for s in SECTIONS))


def publication_for(organisation: Organisation) -> Publication:
    """The organisation's setting; an unsaved one (nothing published) when never set."""
    return Publication.objects.filter(organisation=organisation).first() or Publication(
        organisation=organisation
    )


@transaction.atomic
def set_publication(
    actor: AbstractBaseUser, organisation: Organisation, **fields: Any
) -> Publication:
    """Change what the organisation publishes (any of `FIELDS`); audited with before/after."""
    require(actor, organisation, PUBLISH)
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise DomainError(_("Champ inconnu : %(f)s") % {"f": ", ".join(unknown)}, field=unknown[0])
    if "licence" in fields and fields["licence"] not in Licence.values:
        raise DomainError(
            _("Licence inconnue : %(l)s (au choix : %(c)s)")
            % {"l": fields["licence"], "c": ", ".join(Licence.values)},
            field="licence",
        )
    if "contact" in fields:
        fields["contact"] = str(fields["contact"] or "").strip()
        if len(fields["contact"]) > 200:
            raise DomainError(_("Le contact ne dépasse pas 200 caractères."), field="contact")
    pub = Publication.objects.select_for_update().filter(organisation=organisation).first()
    before = snapshot(pub)
    if pub is None:
        pub = Publication(organisation=organisation)
    for name, value in fields.items():
        setattr(pub, name, bool(value) if name.startswith(("publish_", "enabled")) else value)
    pub.updated_by = actor
    pub.save()
    record_event(
        actor, "publication.set", pub, organisation=organisation, before=before, after=snapshot(pub)
    )
    return pub


def published(slug: str) -> tuple[Organisation, Publication]:
    """The organisation of `slug` and its publication, if it publishes; else NotFound (the
    same answer for an unknown slug and an unpublished organisation)."""
    pub = (
        Publication.objects.select_related("organisation")
        .filter(organisation__slug=slug, enabled=True)
        .first()
    )
    if pub is None:
        raise NotFound(_("Aucune donnée publiée pour « %(s)s ».") % {"s": slug})
    return pub.organisation, pub


def published_organisations() -> list[Organisation]:
    return [
        p.organisation
        for p in Publication.objects.select_related("organisation")
        .filter(enabled=True)
        .order_by("organisation__name")
    ]
