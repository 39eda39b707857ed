"""The real server and Debian's Chromium, for the browser tests of this package.

`live_server_url` starts `impactnum serve --demo-if-empty` in a subprocess (gunicorn, DEBUG off,
static files by WhiteNoise) on a database of its own: a fresh SQLite file, or, when the suite
runs on PostgreSQL (IMPACTNUM_TEST_DATABASE_URL), a database `impactnum_e2e_<pid>` created on
that server and dropped afterwards. The browser is the system Chromium driven by playwright's
sync API; no browser is ever downloaded. Both live for this package only (the playwright loop
must not outlive it: Django's ORM refuses to run beside a running event loop).

IMPACTNUM_E2E_BASE_URL=http://host:port runs them against a server already started with the
demo data. IMPACTNUM_SCREENSHOTS=1 saves screenshots of the main pages into docs/screenshots/.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DEMO_PASSWORD = "demo-impactnum"
TIMEOUT_MS = 20_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _PostgresDatabase:
    """A throw-away database next to the PostgreSQL test database."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.name = f"impactnum_e2e_{os.getpid()}"
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        self.drop()
        self._execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"impactnum serve exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"impactnum serve did not answer {url} in {seconds}s:\n{log.read_text()}")


@pytest.fixture(scope="package")
def live_server_url(
    chromium_executable: str, postgres_url: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Base URL of a real `impactnum serve` loaded with the demo data.

    IMPACTNUM_E2E_BASE_URL points the tests at a server already running with the demo data
    (e.g. `make run` in another terminal) instead of starting one.
    """
    external = os.environ.get("IMPACTNUM_E2E_BASE_URL")
    if external:
        yield external.rstrip("/")
        return
    tmp = tmp_path_factory.mktemp("e2e-server")
    pg = None
    if postgres_url:
        pg = _PostgresDatabase(postgres_url)
        pg.create()
        database_url = pg.url
    else:
        database_url = f"sqlite:///{tmp / 'e2e.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=database_url,
        IMPACTNUM_VAR_DIR=str(tmp / "var"),
        IMPACTNUM_PROFILE="local",
        PYTHONUNBUFFERED="1",
    )
    port = _free_port()
    log = tmp / "server.log"
    code = "import sys; from impactnum.cli import main; sys.exit(main())"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, "serve", "--demo-if-empty", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # gunicorn and its workers in one process group
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/login/", proc, log, seconds=120)
        assert "demo-impactnum" in log.read_text(), "serve did not print the demo logins"
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if pg is not None:
            pg.drop()


@pytest.fixture(scope="package")
def browser(chromium_executable: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server_url: str) -> Iterator[Any]:
    """A fresh browser context (French, like a user in Nevers) on the live server."""
    context = browser.new_context(
        base_url=live_server_url,
        locale="fr-FR",
        accept_downloads=True,
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page: Any) -> Any:
    """Log in through the login form; returns the page on the home page."""

    def do(username: str = "manager", password: str = DEMO_PASSWORD) -> Any:
        page.goto("/login/")
        page.get_by_label("Identifiant").fill(username)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return do


@pytest.fixture
def screenshot() -> Any:
    """screenshot(page, name): the viewport into docs/screenshots/ if IMPACTNUM_SCREENSHOTS=1."""
    enabled = os.environ.get("IMPACTNUM_SCREENSHOTS") == "1"

    def take(page: Any, name: str, full_page: bool = False) -> None:
        if enabled:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    return take
