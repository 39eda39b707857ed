"""Locust scenario: 50 people use the demo of `make run` at the same time.

    .venv/bin/locust -f bench/load/locustfile.py --host http://127.0.0.1:8000 \
        --headless -u 50 -r 10 -t 5m
    .venv/bin/python bench/run.py --only load      # starts the server itself, writes the page

Four kinds of users, weighted 4 : 2 : 2 : 2 (20, 10, 10 and 10 of 50), each logged in once
with a demo account (`impactnum serve --demo-if-empty` prints them; password `DEMO_PASSWORD`,
or $IMPACTNUM_DEMO_PASSWORD):

- **officials** (the direction `admin`, the elected `elu`) read the territory dashboard, the
  fleet indicators and quotas, the projects' results;
- **project editors** (`manager`) open a project, open a line's htmx edit row, save it with a
  new quantity (CSRF token from the form), then look at the results;
- **technicians** (`technicien`) move their reuse devices through reversible transitions
  (ready ↔ reserved, in repair ↔ waiting for parts) and their fleet assets (in service ↔
  spare), and edit assets through the full form. Every simulated technician works on its own
  devices and assets (a slot taken from a counter, ids dealt out by slot), as people in a
  workshop do: two of them moving the same device at once would get a legitimate 409 conflict
  (optimistic locking), which is not what the load measures;
- **API clients** (a personal token made on the tokens page by `manager`) list assets,
  devices and projects, and post a one-laptop project to `POST /api/calc`.

Requests are named by route (`/projects/[id]/results/`), not by URL, so that the statistics
group them per page. A response is a failure unless its status is the one the page gives to a
successful action (200, or the 302 after a saved form): a refused form answers 400, a conflict
409.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import random
import re
import threading
import time
from html.parser import HTMLParser
from typing import Any

from locust import HttpUser, between, events, task

DEMO_PASSWORD = os.environ.get("IMPACTNUM_DEMO_PASSWORD", "demo-impactnum")
ORGANISATIONS = ("ville-nevers", "nevers-agglomeration")
HTMX = {"HX-Request": "true"}
ONE_LAPTOP = {
    "project": {"name": "One laptop", "factors": "boavizta-2.5", "horizon_years": 1},
    "scenarios": [
        {"name": "Baseline", "equipment": [{"kind": "laptop", "quantity": 1, "country": "FRA"}]}
    ],
}
WEIGHTS = {"official": 4, "editor": 2, "technician": 2, "api": 2}
# Moves that can be undone by the opposite move: a technician toggles between the two.
DEVICE_TOGGLES = {
    "ready": "reserved",
    "reserved": "ready",
    "in_repair": "waiting_parts",
    "waiting_parts": "in_repair",
}
ASSET_TOGGLES = {"in_service": "spare", "spare": "in_service"}
ASSETS_PER_TECHNICIAN = 20
TIMES_ENV = "IMPACTNUM_LOAD_TIMES"
"""A CSV file to which every request is appended (end time, method, name, ms, failed): the bench
splits the run into the start-up (logins) and the steady state with it."""


# --- every request's time, when asked ----------------------------------------------------------


if os.environ.get(TIMES_ENV):
    _file = open(os.environ[TIMES_ENV], "w", newline="", encoding="utf-8")  # noqa: SIM115
    _times = csv.writer(_file)  # the file is closed when Locust quits

    @events.request.add_listener
    def _record(
        request_type: str, name: str, response_time: float, exception: Any, **_kw: Any
    ) -> None:
        failed = int(exception is not None)
        _times.writerow([f"{time.time():.3f}", request_type, name, f"{response_time:.1f}", failed])

    @events.quitting.add_listener
    def _close(**_kw: Any) -> None:
        _file.close()


# --- HTML forms ---------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """Every <form> of a page: its attributes and the values a browser would submit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"attrs": a, "fields": {}, "options": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields, name = self._form["fields"], a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._first_option = name, None
            self._form["options"][name] = []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._form["options"][self._select].append(value)
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select and self._form is not None:
            self._form["fields"].setdefault(self._select, self._first_option or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form(html: str, **match: str) -> dict[str, Any] | None:
    """The first form whose attributes contain every `match` (id="status-form", …)."""
    for f in forms(html):
        if all(f["attrs"].get(k, "") == v for k, v in match.items()):
            return f
    return None


def ids(html: str, pattern: str) -> list[int]:
    return sorted({int(m) for m in re.findall(pattern, html)})


# --- shared behaviour ------------------------------------------------------------------------


class DemoUser(HttpUser):
    """A person logged in with a demo account (once, on start)."""

    abstract = True
    username = ""
    wait_time = between(3, 10)  # people read a page before the next click

    def on_start(self) -> None:
        self.login(self.username)

    def login(self, username: str) -> None:
        page = self.client.get("/login/", name="/login/")
        csrf = (form(page.text, method="post") or {"fields": {}})["fields"].get(
            "csrfmiddlewaretoken", ""
        )
        with self.client.post(
            "/login/",
            data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": csrf},
            name="/login/ [POST]",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"login of {username} refused ({r.status_code})")

    def get(self, url: str, name: str, **kw: Any) -> Any:
        with self.client.get(url, name=name, catch_response=True, **kw) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} on {url}")
            return r

    def post_form(
        self, url: str, name: str, data: dict[str, Any], expect: int, htmx: bool = False
    ) -> Any:
        """POST a form; a failure unless the status is `expect` and no form error is shown."""
        headers = {"Referer": (self.host or "") + url, **(HTMX if htmx else {})}
        with self.client.post(
            url, data=data, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as r:
            if r.status_code != expect:
                detail = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]{0,200})', r.text)
                r.failure(f"{r.status_code} on {url} (expected {expect}) {detail[:2]}")
            return r

    def project_ids(self) -> list[int]:
        page = self.get("/projects/", "/projects/")
        return ids(page.text, r'href="/projects/(\d+)/"')


# --- officials: dashboards ---------------------------------------------------------------------


class Official(DemoUser):
    """The direction and the elected: dashboards, indicators, quotas, project results."""

    weight = WEIGHTS["official"]
    usernames = itertools.cycle(("admin", "elu"))
    _lock = threading.Lock()

    def on_start(self) -> None:
        with self._lock:
            self.username = next(self.usernames)
        super().on_start()
        self.projects = self.project_ids()

    def org(self) -> str:
        return random.choice(ORGANISATIONS)

    @task(3)
    def territory_dashboard(self) -> None:
        self.get(f"/territory/?organisation={self.org()}", "/territory/")

    @task(2)
    def fleet_indicators(self) -> None:
        self.get(f"/fleet/indicators/?organisation={self.org()}", "/fleet/indicators/")

    @task(2)
    def fleet_quotas(self) -> None:
        self.get(f"/fleet/quotas/?organisation={self.org()}", "/fleet/quotas/")

    @task(2)
    def project_results(self) -> None:
        if self.projects:
            pk = random.choice(self.projects)
            self.get(f"/projects/{pk}/results/", "/projects/[id]/results/")

    @task(1)
    def home(self) -> None:
        self.get("/", "/")


# --- project editors: htmx line edits --------------------------------------------------------


class ProjectEditor(DemoUser):
    """A project manager changing the quantity of a line in the htmx edit row, then reading the
    results."""

    weight = WEIGHTS["editor"]
    username = "manager"

    def on_start(self) -> None:
        super().on_start()
        self.projects = self.project_ids()

    @task(1)
    def edit_a_line(self) -> None:
        if not self.projects:
            return
        pk = random.choice(self.projects)
        page = self.get(f"/projects/{pk}/", "/projects/[id]/")
        lines = re.findall(rf'"/projects/{pk}/lines/(equipment|network)/(\d+)/edit/"', page.text)
        if not lines:
            return
        line_type, line_id = random.choice(lines)
        url = f"/projects/{pk}/lines/{line_type}/{line_id}/edit/"
        name = f"/projects/[id]/lines/{line_type}/[id]/edit/"
        row = self.get(url, name, headers=HTMX)
        f = form(row.text, id=f"{line_type}-{line_id}-form")
        if f is None:
            row.failure(f"no edit form in {url}")
            return
        data = dict(f["fields"])
        if line_type == "equipment":
            data["quantity"] = str(random.randint(1, 400))
        else:
            data["gb_per_year"] = str(random.randint(1, 5000))
        self.post_form(url, name + " [POST]", data, expect=200, htmx=True)
        self.get(f"/projects/{pk}/results/", "/projects/[id]/results/")


# --- technicians: devices and assets ---------------------------------------------------------


class Technician(DemoUser):
    """A workshop technician: reuse devices through reversible transitions, fleet assets in
    service ↔ spare, asset edits. Works only on the devices and assets of its slot."""

    weight = WEIGHTS["technician"]
    username = "technicien"
    slots = itertools.count()
    _lock = threading.Lock()

    def on_start(self) -> None:
        super().on_start()
        with self._lock:
            slot = next(self.slots)
        n = technicians(self.environment)
        devices: list[int] = []
        for status in DEVICE_TOGGLES:
            devices += [d["id"] for d in self.api_items(f"/api/reuse/devices?status={status}")]
        self.devices = sorted(devices)[slot % n :: n] if slot < n else []
        assets: list[int] = []
        for status in ASSET_TOGGLES:
            url = f"/api/fleet/assets?status={status}&organisation=ville-nevers&limit=500"
            assets += [a["id"] for a in self.api_items(url)]
        mine = sorted(assets)[slot::n] if slot < n else []
        self.assets = mine[:ASSETS_PER_TECHNICIAN]

    def api_items(self, url: str) -> list[dict[str, Any]]:
        r = self.get(url, re.sub(r"\?.*", "", url) + " (setup)")
        return r.json()["items"] if r.status_code == 200 else []

    @task(3)
    def move_a_device(self) -> None:
        if not self.devices:
            return
        pk = random.choice(self.devices)
        page = self.get(f"/reuse/devices/{pk}/", "/reuse/devices/[id]/")
        f = form(page.text, id="status-form")
        if f is None:
            return  # not in a status this scenario moves (e.g. changed by hand meanwhile)
        data = dict(f["fields"])
        # The select offers the moves allowed from the current status; exactly one of them is
        # the partner of a toggle (ready -> reserved, in repair -> waiting for parts, …).
        wanted = [s for s in f["options"].get("status", []) if s in DEVICE_TOGGLES.values()]
        if not wanted:
            return
        data["status"] = wanted[0]
        data["reason"] = "charge (bench)"
        url = f"/reuse/devices/{pk}/steps/status/"
        self.post_form(url, "/reuse/devices/[id]/steps/status/", data, expect=200, htmx=True)

    @task(2)
    def move_an_asset(self) -> None:
        if not self.assets:
            return
        pk = random.choice(self.assets)
        page = self.get(f"/fleet/{pk}/", "/fleet/[id]/")
        f = form(page.text, id="status-form")
        if f is None:
            return
        options = f["options"].get("status", [])
        wanted = [s for s in ("spare", "in_service") if s in options]
        if not wanted:
            return
        data = dict(f["fields"], status=wanted[0], reason="charge (bench)")
        self.post_form(f"/fleet/{pk}/status/", "/fleet/[id]/status/", data, expect=302)

    @task(2)
    def edit_an_asset(self) -> None:
        if not self.assets:
            return
        pk = random.choice(self.assets)
        page = self.get(f"/fleet/{pk}/edit/", "/fleet/[id]/edit/")
        f = form(page.text, id="asset-form")
        if f is None:
            page.failure(f"no asset form on /fleet/{pk}/edit/")
            return
        data = dict(f["fields"])
        data["assigned_to"] = f"Poste {random.randint(1, 999)}"
        self.post_form(f"/fleet/{pk}/edit/", "/fleet/[id]/edit/ [POST]", data, expect=302)

    @task(1)
    def device_list(self) -> None:
        self.get("/reuse/devices/", "/reuse/devices/")


def technicians(environment: Any) -> int:
    """How many technicians the run spawns (their share of the users), at least 1."""
    users = getattr(getattr(environment, "parsed_options", None), "num_users", None) or 50
    share = WEIGHTS["technician"] / sum(WEIGHTS.values())
    return max(1, round(users * share))


# --- API clients -------------------------------------------------------------------------------


class ApiClient(DemoUser):
    """A script with a personal token: lists, then a calculation."""

    weight = WEIGHTS["api"]
    username = "manager"
    wait_time = between(1, 4)

    def on_start(self) -> None:
        super().on_start()
        page = self.get("/tokens/", "/tokens/")
        f = form(page.text, method="post", **{"class": "stacked card"})
        csrf = (f or {"fields": {}})["fields"].get("csrfmiddlewaretoken", "")
        with self.client.post(
            "/tokens/",
            data={"name": "charge", "csrfmiddlewaretoken": csrf},
            headers={"Referer": (self.host or "") + "/tokens/"},
            name="/tokens/ [POST]",
            catch_response=True,
        ) as r:
            token = re.search(r'id="new-token">([^<]+)<', r.text)
            if token is None:
                r.failure("no token shown")
            self.token = token.group(1) if token else ""
        self.client.cookies.clear()  # from now on, the token only
        self.auth = {"Authorization": f"Bearer {self.token}"}

    @task(2)
    def list_assets(self) -> None:
        org = random.choice(ORGANISATIONS)
        self.get(f"/api/fleet/assets?organisation={org}", "/api/fleet/assets", headers=self.auth)

    @task(1)
    def list_devices(self) -> None:
        self.get("/api/reuse/devices", "/api/reuse/devices", headers=self.auth)

    @task(1)
    def list_projects(self) -> None:
        self.get("/api/projects", "/api/projects", headers=self.auth)

    @task(2)
    def calc(self) -> None:
        with self.client.post(
            "/api/calc",
            data=json.dumps(ONE_LAPTOP),
            headers={**self.auth, "Content-Type": "application/json"},
            name="/api/calc",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} on /api/calc")
