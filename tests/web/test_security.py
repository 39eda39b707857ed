"""Security settings: the production profile passes `check --deploy`, sign-in is rate limited
and audited, password rules apply, and no secret is committed under src/."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from impactnum.web.core.login import MAX_FAILURES, WINDOW
from impactnum.web.core.models import AuditEvent, LoginAttempt

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-Impactnum-1"


# --- production profile ---------------------------------------------------------------------


def test_production_profile_passes_check_deploy(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        IMPACTNUM_PROFILE="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="impactnum.example.fr",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        IMPACTNUM_VAR_DIR=str(tmp_path / "var"),
    )
    code = "import sys; from impactnum.cli import main; sys.exit(main())"
    proc = subprocess.run(
        [sys.executable, "-c", code, "manage", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout and "(1 silenced)" in proc.stdout


def test_production_settings_are_strict():
    """Read the profile as Django would (without switching the running settings)."""
    source = (ROOT / "src/impactnum/web/config/settings/production.py").read_text()
    for line in (
        "SECURE_SSL_REDIRECT = True",
        "SESSION_COOKIE_SECURE = True",
        "CSRF_COOKIE_SECURE = True",
        "SECURE_HSTS_SECONDS = 31536000",
        "IMPACTNUM_DEMO_ACCOUNTS = False",
    ):
        assert line in source
    # Only the HSTS preload warning is silenced, with its reason written above it.
    assert 'SILENCED_SYSTEM_CHECKS = ["security.W021"]' in source
    assert "preload" in source.split("SILENCED_SYSTEM_CHECKS")[0].lower()


def test_every_response_has_the_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_csrf_is_enforced_on_the_login_form(db, make_user):
    make_user(username="agent")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "agent", "password": PASSWORD})
    assert response.status_code == 403


# --- passwords ---------------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["azerty", "12345678901", "password123", "agentagent"])
def test_weak_passwords_are_refused(db, make_user, weak):
    user = make_user(username="agentagent")
    with pytest.raises(ValidationError):
        validate_password(weak, user)


def test_a_long_random_password_is_accepted(db, make_user):
    validate_password("correct-horse-battery-staple-9", make_user(username="agent"))


# --- sign-in: audit and rate limit ------------------------------------------------------------


def _login(client, username, password, ip="203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_successful_and_failed_logins_are_audited_without_the_password(client, make_user):
    user = make_user(username="agent")
    assert _login(client, "agent", "wrong-password").status_code == 200
    assert _login(client, "agent", PASSWORD).status_code == 302

    failed, ok = AuditEvent.objects.order_by("id").filter(action__startswith="login.")
    assert failed.action == "login.failed" and failed.actor is None
    assert failed.after == {"username": "agent", "ip": "203.0.113.7"}
    assert ok.action == "login.succeeded" and ok.actor == user
    assert ok.after["username"] == "agent"
    for event in (failed, ok):
        assert "wrong-password" not in str(event.after) and PASSWORD not in str(event.after)


def test_an_unknown_username_is_audited_too(client, db):
    _login(client, "nobody", "whatever")
    event = AuditEvent.objects.get(action="login.failed")
    assert event.after["username"] == "nobody"


def test_repeated_failures_block_the_username_from_that_address(client, make_user):
    make_user(username="agent")
    for _ in range(MAX_FAILURES):
        assert _login(client, "agent", "wrong").status_code == 200
    blocked = _login(client, "agent", PASSWORD)  # even the right password is refused now
    assert blocked.status_code == 429
    assert "Trop de tentatives" in blocked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address, or another username from this address, is not blocked.
    assert _login(Client(), "agent", PASSWORD, ip="198.51.100.9").status_code == 302
    assert AuditEvent.objects.filter(action="login.failed").count() == MAX_FAILURES + 1


def test_the_block_ends_after_the_window(client, make_user):
    make_user(username="agent")
    for _ in range(MAX_FAILURES):
        _login(client, "agent", "wrong")
    assert _login(client, "agent", PASSWORD).status_code == 429
    LoginAttempt.objects.update(at=timezone.now() - WINDOW - dt.timedelta(seconds=1))
    assert _login(client, "agent", PASSWORD).status_code == 302


def test_a_success_resets_the_count(client, make_user):
    make_user(username="agent")
    for _ in range(MAX_FAILURES - 1):
        _login(client, "agent", "wrong")
    assert _login(client, "agent", PASSWORD).status_code == 302
    client.logout()
    for _ in range(MAX_FAILURES - 1):
        assert _login(client, "agent", "wrong").status_code == 200
    assert _login(client, "agent", PASSWORD).status_code == 302


def test_forwarded_addresses_are_ignored_unless_behind_the_proxy(client, make_user, settings):
    """A client cannot escape the limit by inventing X-Forwarded-For (local profile)."""
    make_user(username="agent")
    for i in range(MAX_FAILURES):
        client.post(
            reverse("login"),
            {"username": "agent", "password": "wrong"},
            REMOTE_ADDR="203.0.113.7",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{i}",
        )
    assert _login(client, "agent", PASSWORD).status_code == 429
    settings.IMPACTNUM_BEHIND_PROXY = True
    response = client.post(
        reverse("login"),
        {"username": "agent", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.20",
    )
    assert response.status_code == 302
    assert LoginAttempt.objects.filter(succeeded=True).get().ip == "198.51.100.20"


# --- no secret in the repository --------------------------------------------------------------

SECRET_PATTERNS = {
    "SECRET_KEY with a literal value": re.compile(r"""SECRET_KEY\s*=\s*["'][^"']{8,}["']"""),
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----"),
    "impactnum API token": re.compile(r"inum_[A-Za-z0-9_-]{20,}"),
    "password in a database URL": re.compile(
        r"postgres(?:ql)?://[^:\s/]+:(?!PASSWORD@|pw@)[^@\s]{6,}@"
    ),
}


def _tracked_files(under: str) -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "-z", under], capture_output=True, cwd=ROOT, check=False
    )
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return [ROOT / name for name in out.stdout.decode().split("\0") if name]


def test_no_secret_is_committed_in_src():
    found = []
    for path in _tracked_files("src"):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        for what, pattern in SECRET_PATTERNS.items():
            for match in pattern.finditer(text):
                found.append(f"{path.relative_to(ROOT)}: {what}: {match.group(0)[:40]}")
    assert not found, "secret-looking strings committed:\n  " + "\n  ".join(found)


def test_the_secret_patterns_catch_what_they_should():
    assert SECRET_PATTERNS["SECRET_KEY with a literal value"].search('SECRET_KEY = "abcdefghijkl"')
    assert not SECRET_PATTERNS["SECRET_KEY with a literal value"].search(
        'SECRET_KEY = os.environ["SECRET_KEY"]'
    )
    assert SECRET_PATTERNS["impactnum API token"].search("inum_" + secrets.token_urlsafe(32))
    assert SECRET_PATTERNS["private key"].search("-----BEGIN PRIVATE KEY-----")
