"""Test-wide choices: which database the Django tests use, and when browser tests may skip.

Database: SQLite in memory by default (the test settings). When IMPACTNUM_TEST_DATABASE_URL,
or else DATABASE_URL, is a postgres:// URL, the tests use that server instead (pytest-django
creates and drops `test_<name>`). The header of the run says which engine is in use, and
tests/web/test_database.py fails when IMPACTNUM_REQUIRE_POSTGRES=1 and it is not PostgreSQL.

Browser tests (tests/e2e, marker `e2e`) drive Debian's Chromium (/usr/bin/chromium, or
IMPACTNUM_CHROMIUM) with the playwright package; they skip with the reason when either is
missing, and fail instead when IMPACTNUM_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest

POSTGRES_SCHEMES = ("postgres://", "postgresql://", "pgsql://")
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def postgres_test_url() -> str | None:
    """The PostgreSQL URL the tests should use, or None for the default SQLite."""
    for name in ("IMPACTNUM_TEST_DATABASE_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(POSTGRES_SCHEMES):
            return url
    return None


def _use_database(url: str) -> None:
    """Point Django's default database at `url` before pytest-django creates the test one."""
    from django.conf import settings
    from django.db import connections

    from impactnum.web.config.settings.base import database_from_url

    db = database_from_url(url)
    db["CONN_MAX_AGE"] = 0  # one connection per test: nothing left open when the DB is dropped
    db["CONN_HEALTH_CHECKS"] = False
    settings.DATABASES["default"] = db
    # Django may already have read the settings and opened the SQLite connection: forget both.
    if "settings" in connections.__dict__:
        del connections.__dict__["settings"]
    connections._settings = None  # type: ignore[attr-defined]
    if hasattr(connections._connections, "default"):  # type: ignore[attr-defined]
        connections["default"].close()
        delattr(connections._connections, "default")  # type: ignore[attr-defined]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: browser test driving Chromium against a running server"
    )
    url = postgres_test_url()
    if url:
        _use_database(url)


def database_description() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        return "sqlite3 (test database in memory)"
    return f"{engine} (test_{db['NAME']} on {db.get('HOST') or 'localhost'}:{db.get('PORT') or ''})"


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"impactnum test database: {database_description()}",
        f"impactnum browser tests: {browser_unavailable_reason() or 'Chromium ' + chromium_path()}",
    ]


# --- browser ------------------------------------------------------------------------------


def chromium_path() -> str:
    explicit = os.environ.get("IMPACTNUM_CHROMIUM")
    if explicit:
        return explicit
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium") or CHROMIUM_CANDIDATES[0]


def browser_unavailable_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    path = chromium_path()
    if not (Path(path).is_file() and os.access(path, os.X_OK)):
        return f"Chromium not found at {path} (apt-get install chromium, or set IMPACTNUM_CHROMIUM)"
    return None


@pytest.fixture(scope="session")
def postgres_url() -> str | None:
    """The PostgreSQL URL of this run (None on SQLite), for servers started by the tests."""
    return postgres_test_url()


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The Chromium to drive; skips (or fails under IMPACTNUM_REQUIRE_BROWSER=1) without one."""
    reason = browser_unavailable_reason()
    if reason:
        if _flag("IMPACTNUM_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests required (IMPACTNUM_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    return chromium_path()
