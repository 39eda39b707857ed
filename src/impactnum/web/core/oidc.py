"""Optional sign-in of staff with OpenID Connect, compatible with ProConnect.

ProConnect (formerly AgentConnect) is the French public-sector identity federation run by the
DINUM: an agent signs in with the identity provider of their administration and ProConnect hands
impactnum a verified identity. Any OpenID Connect provider works the same way (authorization code
flow). Off unless `IMPACTNUM_OIDC_ENABLED` (settings/base.py, from IMPACTNUM_OIDC_CLIENT_ID).

What ProConnect requires of a service provider, and where it is done here:
- `state` and `nonce` (32 characters at least) kept in the session and checked on return:
  `AuthenticateView` (mozilla-django-oidc) stores them, `CallbackView` checks the state and the
  backend checks the nonce of the ID token;
- ID token and userinfo signed with the algorithm chosen at registration (RS256 by default):
  the userinfo answer is itself a signed JWT (`application/jwt`), verified against the provider's
  JWKS like the ID token; the ID token's issuer and audience are checked too, and the userinfo
  `sub` must be the ID token's;
- claims `email`, `given_name`, `usual_name`, `uid`, `siret`: an identity becomes an impactnum
  account by its e-mail address (case-insensitive), never by `sub`, which differs per provider;
- sign-out through the provider's `end_session_endpoint` with `id_token_hint`, `state` and
  `post_logout_redirect_uri` (`LogoutView`, `LogoutDoneView`).

An identity whose e-mail matches no account signs nobody in (unless IMPACTNUM_OIDC_CREATE_USERS,
which creates an account without any membership: an administrator still has to give a role).
Every attempt is audited like a password sign-in (`login.succeeded` / `login.failed`, with
`method: oidc` and, on failure, the reason); a refusal is a clear message on the login page.
"""

from __future__ import annotations

import functools
import logging
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import path, reverse
from django.utils.crypto import constant_time_compare, get_random_string
from django.utils.translation import gettext as _
from django.views import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from . import services
from .errors import DomainError
from .login import USERNAME_MAX, client_ip
from .models import LoginAttempt

logger = logging.getLogger(__name__)
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"
"""Once signed in, the session is an ordinary one: Django reloads the user with ModelBackend,
which also refuses a user deactivated since."""

# mozilla-django-oidc setting -> key of the provider's discovery document
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "IMPACTNUM_OIDC_END_SESSION_ENDPOINT": "end_session_endpoint",
}


def is_enabled() -> bool:
    return bool(getattr(settings, "IMPACTNUM_OIDC_ENABLED", False))


def login_label() -> str:
    return getattr(settings, "IMPACTNUM_OIDC_LOGIN_LABEL", "") or _("Se connecter avec ProConnect")


@functools.lru_cache(maxsize=4)
def discovery(issuer: str) -> dict[str, Any]:
    """The provider's `/.well-known/openid-configuration`, fetched once per process."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    response = requests.get(url, timeout=import_from_settings("OIDC_TIMEOUT", 10))
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        # OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer asked for.
        raise ImproperlyConfigured(
            f"OIDC discovery at {url} names issuer {document.get('issuer')!r}"
        )
    return document


def oidc_setting(attr: str, *default: Any) -> Any:
    """A mozilla-django-oidc setting; an endpoint not set explicitly comes from discovery."""
    if attr in DISCOVERED:
        explicit = getattr(settings, attr, "")
        if explicit:
            return explicit
        issuer = getattr(settings, "IMPACTNUM_OIDC_ISSUER", "")
        if not issuer:
            if default:
                return default[0]
            raise ImproperlyConfigured(f"{attr}: set IMPACTNUM_OIDC_ISSUER or the endpoint itself")
        return discovery(issuer).get(DISCOVERED[attr], default[0] if default else None)
    return import_from_settings(attr, *default)


class OIDCRefused(Exception):
    """A sign-in refused for a reason the person can be told (and the audit records)."""

    def __init__(self, reason: str, message: str, username: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.username = username


def _token_refused(username: str = "") -> OIDCRefused:
    return OIDCRefused(
        "token",
        _(
            "La réponse du fournisseur d'identité n'a pas pu être vérifiée "
            "(signature, nonce, émetteur ou destinataire) : connexion refusée."
        ),
        username,
    )


class Backend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, with ProConnect's signed userinfo, issuer and audience
    checks, and accounts matched by e-mail only (refusals raise `OIDCRefused`)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self) -> None:
        super().__init__()
        self.id_token = ""
        self.claims: dict[str, Any] = {}

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super().verify_token(token, **kwargs)  # signature and nonce
        if "exp" not in payload:  # PyJWT checks `exp` only when present
            raise SuspiciousOperation("ID token without an expiry")
        issuer = getattr(settings, "IMPACTNUM_OIDC_ISSUER", "")
        if issuer and payload.get("iss", "").rstrip("/") != issuer.rstrip("/"):
            raise SuspiciousOperation("ID token from another issuer")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token meant for another client")
        return payload

    def _signed_payload(self, token: str) -> dict[str, Any]:
        if self.OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")):
            key = self.OIDC_RP_IDP_SIGN_KEY or self.retrieve_matching_jwk(token)
        else:
            key = self.OIDC_RP_CLIENT_SECRET
        payload: dict[str, Any] = self.get_payload_data(token, key)
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """ProConnect answers with a signed JWT; a plain JSON answer is accepted from other
        providers (it came over TLS from the endpoint we called)."""
        response = requests.get(
            self.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", 10),
        )
        response.raise_for_status()
        if response.headers.get("content-type", "").lower().startswith("application/jwt"):
            claims = self._signed_payload(response.text)
        else:
            claims = response.json()
        if claims.get("sub") != payload.get("sub"):
            # OpenID Connect Core 1.0, section 5.3.2: the userinfo must be about the same person.
            raise SuspiciousOperation("userinfo sub differs from the ID token's")
        return claims

    def store_tokens(self, access_token: str, id_token: str) -> None:
        self.id_token = id_token  # kept by the callback, after login, for the provider sign-out

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        self.claims = self.get_userinfo(access_token, id_token, payload)
        email = str(self.claims.get("email") or "").strip()
        if not email:
            raise OIDCRefused(
                "no_email",
                _("Le fournisseur d'identité n'a pas transmis d'adresse électronique."),
            )
        users = list(get_user_model().objects.filter(email__iexact=email)[:2])
        if len(users) > 1:
            raise OIDCRefused(
                "ambiguous_email",
                _(
                    "Plusieurs comptes impactnum ont l'adresse %(email)s : demandez à "
                    "l'administrateur de votre organisation de n'en garder qu'un."
                )
                % {"email": email},
                email,
            )
        if not users:
            if not getattr(settings, "IMPACTNUM_OIDC_CREATE_USERS", False):
                raise OIDCRefused(
                    "unknown_email",
                    _(
                        "Aucun compte impactnum n'a l'adresse %(email)s. Demandez à "
                        "l'administrateur de votre organisation de créer votre compte avec "
                        "cette adresse, puis reconnectez-vous."
                    )
                    % {"email": email},
                    email,
                )
            return self._create_account(email)
        user = users[0]
        if not user.is_active:
            raise OIDCRefused(
                "inactive",
                _("Le compte impactnum de %(email)s est désactivé.") % {"email": email},
                email,
            )
        return user

    def _create_account(self, email: str) -> Any:
        """An account without any membership (it sees nothing until given a role)."""
        username = email.lower()[:USERNAME_MAX]
        try:
            return services.create_user(
                None,
                username=username,
                password=None,  # an unusable password: this account signs in through OIDC only
                email=email,
                first_name=str(self.claims.get("given_name") or "")[:150],
                last_name=str(self.claims.get("usual_name") or "")[:150],
            )
        except DomainError as exc:
            raise OIDCRefused("create_failed", exc.message, email) from exc


@transaction.atomic
def record_attempt(request: HttpRequest, username: str, user: Any, reason: str = "") -> None:
    """The same trail as a password sign-in (core/login.py), marked `method: oidc`."""
    ip = client_ip(request)
    attempt = LoginAttempt.objects.create(
        username=username[:USERNAME_MAX], ip=ip, succeeded=user is not None
    )
    after = {"username": attempt.username, "ip": ip, "method": "oidc"}
    if reason:
        after["reason"] = reason
    services.record_event(
        user, "login.succeeded" if user is not None else "login.failed", attempt, after=after
    )


class AuthenticateView(OIDCAuthenticationRequestView):
    """Redirects to the provider with a fresh state and nonce (and PKCE if configured)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # endpoints are resolved in get(), where errors are shown

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError, ImproperlyConfigured) as exc:
            logger.warning("OIDC provider unusable: %s", exc)
            messages.error(request, _unreachable())
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")
        response: HttpResponse = super().get(request)
        return response

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        """`acr_values` only when set: ProConnect refuses any parameter it does not expect."""
        acr = getattr(settings, "IMPACTNUM_OIDC_ACR_VALUES", "")
        return {"acr_values": acr} if acr else {}


def _unreachable() -> str:
    return _(
        "Le fournisseur d'identité ne répond pas : réessayez plus tard, ou connectez-vous "
        "avec votre identifiant et votre mot de passe."
    )


class CallbackView(View):
    """The provider sends the browser back here with `code` and `state`."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_enabled():
            raise Http404
        try:
            user, id_token = self._authenticate(request)
        except OIDCRefused as refused:
            # The person sees a plain message; the operator's log says what went wrong.
            logger.warning("OIDC sign-in refused (%s): %s", refused.reason, refused.__cause__)
            record_attempt(request, refused.username, None, refused.reason)
            messages.error(request, refused.message)
            return redirect("login")
        next_url = request.session.get("oidc_login_next")
        auth.login(request, user, backend=SESSION_BACKEND)
        request.session["oidc_id_token"] = id_token
        record_attempt(request, user.email or user.get_username(), user)
        return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))

    def _authenticate(self, request: HttpRequest) -> tuple[Any, str]:
        if request.GET.get("error"):
            raise OIDCRefused(
                "provider_error",
                _("Le fournisseur d'identité a interrompu la connexion (%(error)s).")
                % {"error": request.GET["error"][:100]},
            )
        state = request.GET.get("state", "")
        states = request.session.get("oidc_states") or {}
        entry = states.pop(state, None) if state else None
        request.session.modified = True  # a state is used once, even when the rest fails
        if entry is None or not request.GET.get("code"):
            raise OIDCRefused(
                "state",
                _(
                    "Cette demande de connexion a expiré ou n'a pas été faite depuis ce "
                    "navigateur : recommencez."
                ),
            )
        backend = None
        try:
            backend = Backend()  # may fetch the discovery document
            user = backend.authenticate(
                request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
            )
        except OIDCRefused:
            raise
        except (requests.ConnectionError, requests.Timeout, ImproperlyConfigured) as exc:
            raise OIDCRefused("unreachable", _unreachable()) from exc
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException, ValueError) as exc:
            email = backend.claims.get("email") if backend is not None else ""
            raise _token_refused(str(email or "")) from exc
        if user is None:
            raise _token_refused()
        return user, backend.id_token


class LogoutView(auth_views.LogoutView):
    """Django's sign-out; a person who came through the provider is then sent to its
    `end_session_endpoint` so the provider's session ends too (ProConnect requires it)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        id_token = request.session.get("oidc_id_token", "")
        response: HttpResponse = super().post(request, *args, **kwargs)  # session flushed
        if not (id_token and is_enabled()):
            return response
        try:
            end_session = oidc_setting("IMPACTNUM_OIDC_END_SESSION_ENDPOINT", "")
        except (requests.RequestException, ValueError, ImproperlyConfigured):
            end_session = ""
        if not end_session:
            return response
        state = get_random_string(32)
        request.session["oidc_logout_state"] = state  # in the new, anonymous session
        query = urlencode(
            {
                "id_token_hint": id_token,
                "state": state,
                "post_logout_redirect_uri": request.build_absolute_uri(reverse("oidc:logout-done")),
            }
        )
        return HttpResponseRedirect(f"{end_session}?{query}")


class LogoutDoneView(View):
    """Where the provider sends the browser back after its own sign-out."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        if not is_enabled():
            raise Http404
        expected = request.session.pop("oidc_logout_state", "")
        if expected and constant_time_compare(expected, request.GET.get("state", "")):
            messages.info(
                request, _("Vous êtes déconnecté, ici et auprès du fournisseur d'identité.")
            )
        return redirect("login")


app_name = "oidc"
urlpatterns = [
    path("authenticate/", AuthenticateView.as_view(), name="authenticate"),
    path("callback/", CallbackView.as_view(), name="callback"),
    path("logout/done/", LogoutDoneView.as_view(), name="logout-done"),
]
