"""`{% may "capability" organisation as flag %}`: may the signed-in person use a capability?

Navigation hides the links to pages that would answer 403 (settings, import): the same
`core.permissions` check as the view, in one organisation, or in any when none is given.
"""

from __future__ import annotations

from typing import Any

from django import template

from impactnum.web.core.permissions import can, organisations_for

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context: Any, capability: str, organisation: Any = None) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if organisation:
        return can(user, organisation, capability)
    return organisations_for(user, capability).exists()
