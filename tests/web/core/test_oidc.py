"""Sign-in with OpenID Connect (ProConnect profile) against a fake provider over real HTTP.

The provider runs in a thread (http.server on 127.0.0.1): discovery, authorize, token, userinfo
(a signed JWT, as ProConnect answers), JWKS and end-session. The browser is Django's test client;
the hop to the provider's authorize endpoint is a real HTTP request, and impactnum calls the
token, userinfo and JWKS endpoints over HTTP itself.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.urls import reverse

from impactnum.web.core import oidc
from impactnum.web.core.models import AuditEvent, LoginAttempt

CLIENT_ID = "impactnum-test"
CLIENT_SECRET = "test-secret-not-a-real-one"


@pytest.fixture(scope="module")
def keys() -> dict[str, Any]:
    return {
        "good": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "rogue": rsa.generate_private_key(public_exponent=65537, key_size=2048),
    }


class FakeProvider:
    """A tiny OpenID Connect provider with ProConnect's answers; knobs make it misbehave."""

    def __init__(self, keys: dict[str, Any]) -> None:
        self.keys = keys
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_port}/api/v2"
        self.identity: dict[str, Any] = {}
        self.id_token_claims: dict[str, Any] = {}  # overrides (e.g. a wrong nonce)
        self.userinfo_claims: dict[str, Any] = {}  # overrides of the userinfo answer
        self.id_token_key = "good"
        self.userinfo_key = "good"
        self.codes: dict[str, dict[str, Any]] = {}
        self.authorize_requests: list[dict[str, str]] = []
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def sign(self, claims: dict[str, Any], key: str) -> str:
        return jwt.encode(claims, self.keys[key], algorithm="RS256", headers={"kid": "k1"})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: str, ctype: str, headers: dict | None = None):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body.encode())

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                route = url.path.removeprefix("/api/v2")
                if route == "/.well-known/openid-configuration":
                    self._send(200, json.dumps(provider.discovery()), "application/json")
                elif route == "/jwks":
                    public = provider.keys["good"].public_key()
                    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True)
                    jwk.update(kid="k1", alg="RS256", use="sig")
                    self._send(200, json.dumps({"keys": [jwk]}), "application/json")
                elif route == "/authorize":
                    provider.authorize_requests.append(query)
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    back = (
                        query["redirect_uri"]
                        + "?"
                        + urlencode({"code": code, "state": query["state"]})
                    )
                    self._send(302, "", "text/plain", {"Location": back})
                elif route == "/userinfo":
                    auth = self.headers.get("Authorization", "")
                    if auth != "Bearer access-" + provider.identity["sub"]:
                        self._send(401, "{}", "application/json")
                        return
                    claims = {**provider.identity, **provider.userinfo_claims}
                    body = provider.sign(claims, provider.userinfo_key)
                    self._send(200, body, "application/jwt; charset=utf-8")
                else:
                    self._send(404, "{}", "application/json")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                request = provider.codes.pop(form.get("code", ""), None)
                if (
                    self.path != "/api/v2/token"
                    or request is None
                    or form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                    or form.get("redirect_uri") != request["redirect_uri"]
                ):
                    self._send(400, '{"error": "invalid_grant"}', "application/json")
                    return
                now = int(time.time())
                claims = {
                    "iss": provider.issuer,
                    "sub": provider.identity["sub"],
                    "aud": CLIENT_ID,
                    "exp": now + 60,
                    "iat": now,
                    "nonce": request.get("nonce"),
                    "acr": "eidas1",
                    **provider.id_token_claims,
                }
                answer = {
                    "access_token": "access-" + provider.identity["sub"],
                    "token_type": "Bearer",
                    "expires_in": 60,
                    "id_token": provider.sign(claims, provider.id_token_key),
                }
                self._send(200, json.dumps(answer), "application/json")

        return Handler

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "userinfo_endpoint": self.issuer + "/userinfo",
            "jwks_uri": self.issuer + "/jwks",
            "end_session_endpoint": self.issuer + "/session/end",
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
        }


@pytest.fixture
def provider(keys: dict[str, Any], settings: Any):
    fake = FakeProvider(keys)
    fake.identity = {
        "sub": "a1b2c3",
        "email": "lea.martin@ville-nevers.fr",
        "given_name": "Léa",
        "usual_name": "Martin",
        "uid": "lmartin",
        "siret": "21580194300014",
    }
    fake.thread.start()
    settings.IMPACTNUM_OIDC_ENABLED = True
    settings.IMPACTNUM_OIDC_ISSUER = fake.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    oidc.discovery.cache_clear()


@pytest.fixture
def lea(city, make_user):
    user = make_user("manager", city, username="lea")
    user.email = "Lea.Martin@Ville-Nevers.fr"  # case differs from the provider's
    user.save()
    return user


def start(client: Any, provider: FakeProvider, next_url: str = "") -> str:
    """Click the button and let the provider answer: the callback URL it sends back."""
    query = {"next": next_url} if next_url else {}
    response = client.get(reverse("oidc:authenticate"), query)
    assert response.status_code == 302
    assert response["Location"].startswith(provider.issuer + "/authorize?")
    back = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    assert callback.path == reverse("oidc:callback")
    return f"{callback.path}?{callback.query}"


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def signed_in_user(client: Any) -> Any:
    return client.get(reverse("home")).wsgi_request.user


def last_login_event() -> AuditEvent:
    return AuditEvent.objects.filter(action__startswith="login.").order_by("-id").first()


def test_button_only_when_enabled(client, settings, provider):
    settings.IMPACTNUM_OIDC_ENABLED = False
    page = client.get(reverse("login")).content.decode()
    assert 'id="oidc-login"' not in page
    assert client.get(reverse("oidc:authenticate")).status_code == 404
    assert client.get(reverse("oidc:callback"), {"code": "x", "state": "y"}).status_code == 404
    settings.IMPACTNUM_OIDC_ENABLED = True
    page = client.get(reverse("login")).content.decode()
    assert 'id="oidc-login"' in page and "Se connecter avec ProConnect" in page
    settings.IMPACTNUM_OIDC_LOGIN_LABEL = "Connexion agents (SSO)"
    assert "Connexion agents (SSO)" in client.get(reverse("login")).content.decode()


def test_sign_in_round_trip_matches_the_email_case_insensitively(client, provider, lea, settings):
    settings.IMPACTNUM_OIDC_ACR_VALUES = "eidas1"
    callback = start(client, provider, next_url="/fleet/")
    asked = provider.authorize_requests[-1]
    assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
    assert asked["scope"] == "openid email given_name usual_name uid siret"
    assert len(asked["state"]) >= 32 and len(asked["nonce"]) >= 32  # ProConnect's minimum
    assert asked["acr_values"] == "eidas1"

    response = client.get(callback)
    assert response.status_code == 302 and response["Location"] == "/fleet/"
    assert signed_in_user(client) == lea
    assert client.session["oidc_id_token"].count(".") == 2  # kept for the provider sign-out
    event = last_login_event()
    assert event.action == "login.succeeded" and event.actor == lea
    assert event.after["method"] == "oidc" and event.after["username"] == lea.email
    assert LoginAttempt.objects.filter(succeeded=True).count() == 1

    # The same code and state cannot be replayed.
    client.logout()
    replay = client.get(callback, follow=True)
    assert not signed_in_user(client).is_authenticated
    assert "Cette demande de connexion a expiré" in text(replay)


def test_no_acr_values_unless_configured(client, provider, lea):
    """ProConnect refuses any authorize parameter it does not expect."""
    start(client, provider)
    assert "acr_values" not in provider.authorize_requests[-1]


def test_sign_out_ends_the_provider_session(client, provider, lea):
    client.get(start(client, provider))
    id_token = client.session["oidc_id_token"]
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"http://{target.netloc}{target.path}" == provider.issuer + "/session/end"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == "http://testserver" + reverse("oidc:logout-done")
    assert not signed_in_user(client).is_authenticated
    done = client.get(reverse("oidc:logout-done"), {"state": query["state"]}, follow=True)
    assert "Vous êtes déconnecté" in text(done)


def test_password_sign_out_is_unchanged(client, city, make_user):
    make_user("viewer", city, username="paul")
    client.post(reverse("login"), {"username": "paul", "password": "pw-Impactnum-1"})
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def _wrong_state(client, provider, callback):
    return callback.replace("state=", "state=forged")


def _wrong_nonce(client, provider, callback):
    provider.id_token_claims = {"nonce": "n" * 32}
    return callback


def _bad_signature(client, provider, callback):
    provider.id_token_key = "rogue"
    return callback


def _bad_userinfo_signature(client, provider, callback):
    provider.userinfo_key = "rogue"
    return callback


def _userinfo_about_someone_else(client, provider, callback):
    provider.userinfo_claims = {"sub": "someone-else"}
    return callback


def _other_audience(client, provider, callback):
    provider.id_token_claims = {"aud": "another-service"}
    return callback


def _expired_id_token(client, provider, callback):
    provider.id_token_claims = {"exp": int(time.time()) - 120}
    return callback


def _unknown_email(client, provider, callback):
    provider.identity["email"] = "inconnu@ville-nevers.fr"
    return callback


def _disabled_user(client, provider, callback):
    user = get_user_model().objects.get(username="lea")
    user.is_active = False
    user.save()
    return callback


@pytest.mark.parametrize(
    ("tamper", "reason", "message"),
    [
        (_wrong_state, "state", "Cette demande de connexion a expiré"),
        (_wrong_nonce, "token", "n'a pas pu être vérifiée"),
        (_bad_signature, "token", "n'a pas pu être vérifiée"),
        (_bad_userinfo_signature, "token", "n'a pas pu être vérifiée"),
        (_other_audience, "token", "n'a pas pu être vérifiée"),
        (_expired_id_token, "token", "n'a pas pu être vérifiée"),
        (_userinfo_about_someone_else, "token", "n'a pas pu être vérifiée"),
        (_unknown_email, "unknown_email", "Aucun compte impactnum n'a l'adresse"),
        (_disabled_user, "inactive", "est désactivé"),
    ],
)
def test_refused_sign_in(client, provider, lea, tamper, reason, message):
    callback = tamper(client, provider, start(client, provider))
    response = client.get(callback, follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert message in text(response)
    assert not signed_in_user(client).is_authenticated
    event = last_login_event()
    assert event.action == "login.failed" and event.actor is None
    assert event.after["method"] == "oidc" and event.after["reason"] == reason
    assert not LoginAttempt.objects.filter(succeeded=True).exists()


def test_unknown_email_may_create_an_account_without_membership(db, client, provider, settings):
    settings.IMPACTNUM_OIDC_CREATE_USERS = True
    client.get(start(client, provider))
    user = signed_in_user(client)
    assert user.username == "lea.martin@ville-nevers.fr"
    assert (user.first_name, user.last_name) == ("Léa", "Martin")
    assert not user.has_usable_password() and not user.memberships.exists()
    assert AuditEvent.objects.filter(action="user.created", object_id=str(user.pk)).exists()


def test_provider_down_is_a_clear_message(db, client, provider, settings):
    settings.IMPACTNUM_OIDC_ISSUER = "http://127.0.0.1:9/api/v2"  # discard port: nothing listens
    response = client.get(reverse("oidc:authenticate"), follow=True)
    assert "Le fournisseur d'identité ne répond pas" in text(response)


def test_ambiguous_email_signs_nobody_in(client, provider, lea, make_user):
    twin = make_user(username="lea2")
    twin.email = "lea.martin@ville-nevers.fr"
    twin.save()
    response = client.get(start(client, provider), follow=True)
    assert "Plusieurs comptes impactnum" in text(response)
    assert not signed_in_user(client).is_authenticated
