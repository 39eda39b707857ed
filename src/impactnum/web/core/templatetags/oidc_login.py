"""`{% oidc_login_button %}`: the "Se connecter avec ProConnect" link, only when OIDC is on.

The login page is Django's LoginView (core/login.py); a tag keeps the switch in core/oidc.py
rather than in every view that renders the page.
"""

from __future__ import annotations

from typing import Any

from django import template

from impactnum.web.core.oidc import is_enabled, login_label

register = template.Library()


@register.inclusion_tag("core/oidc_login_button.html", takes_context=True)
def oidc_login_button(context: Any) -> dict[str, Any]:
    return {"enabled": is_enabled(), "label": login_label(), "next": context.get("next", "")}
