"""Who may do what: the one table from roles to capabilities, and the checks built on it.

Every page, API endpoint, export and search filters through `organisations_for`, so a person
sees and changes only what their memberships allow.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .choices import Role
from .errors import NotAllowed
from .models import Organisation

VIEW = "view"
EDIT_PROJECTS = "edit_projects"
MANAGE_ORGANISATION = "manage_organisation"
EDIT_FLEET = "edit_fleet"
EDIT_REUSE = "edit_reuse"
VIEW_BENEFICIARIES = "view_beneficiaries"

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(
        {VIEW, EDIT_PROJECTS, MANAGE_ORGANISATION, EDIT_FLEET, EDIT_REUSE, VIEW_BENEFICIARIES}
    ),
    Role.MANAGER: frozenset({VIEW, EDIT_PROJECTS, EDIT_FLEET, EDIT_REUSE, VIEW_BENEFICIARIES}),
    Role.TECHNICIAN: frozenset({VIEW, EDIT_FLEET, EDIT_REUSE}),
    Role.FACILITATOR: frozenset({VIEW, VIEW_BENEFICIARIES}),
    Role.VIEWER: frozenset({VIEW}),
}


def roles_with(capability: str) -> list[str]:
    return [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]


def organisations_for(
    user: AbstractBaseUser | AnonymousUser, capability: str = VIEW
) -> QuerySet[Organisation]:
    """Organisations where the user holds a role granting the capability."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=roles_with(capability)
    ).distinct()


def can(
    user: AbstractBaseUser | AnonymousUser, organisation: Organisation, capability: str
) -> bool:
    return organisations_for(user, capability).filter(pk=organisation.pk).exists()


def require(
    user: AbstractBaseUser | AnonymousUser, organisation: Organisation, capability: str
) -> None:
    """Raise NotAllowed unless the user may do `capability` on the organisation."""
    if not can(user, organisation, capability):
        raise NotAllowed(
            _("Votre rôle ne permet pas cette action pour %(org)s.") % {"org": organisation}
        )
