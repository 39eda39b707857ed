"""Who is calling: a personal token (`Authorization: Bearer <token>`) or the logged-in session.

Tokens are created on the /tokens/ page (or `core.services.create_token`) and checked by
`core.services.user_for_token`. The session is accepted so that the pages' htmx can call the
API; unsafe methods (POST, PUT, PATCH, DELETE) then need the CSRF token (`X-CSRFToken`).
A token request never needs CSRF: a browser does not send the header on its own.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from impactnum.web.core.services import user_for_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer inum_…`; a revoked or unknown token is refused (401)."""

    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        token = token.strip()
        if not token:
            return None
        user = user_for_token(token)
        if user is not None:
            request.user = user  # services and permissions read request.user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session cookie, with the CSRF check on unsafe methods."""

    param_name = "sessionid"

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None  # no CSRF error for an anonymous request: it gets its 401
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if request.user.is_authenticated else None


AUTH = [TokenAuth(), SessionAuth()]


def actor(request: HttpRequest) -> AbstractBaseUser:
    """The authenticated user of an API request (set by one of `AUTH`)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]
