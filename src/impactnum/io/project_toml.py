"""Project files: a TOML description of a digital project and its scenarios → engine inputs.

The structure is a plain dict schema (format: docs/project-file.md), so the web JSON API can
accept the very same structure: `parse_project(data, source)` validates a dict,
`load_project(path)` reads a TOML file and calls it. Every problem is collected (file, path such
as `scenarios[1].equipment[3].quantity`, reason) and raised as one `ProjectFileError`; nothing
partial is ever returned. Array indices in paths start at 0, as in JSON.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from impactnum.engine import AvoidedFlow, EquipmentLines, NetworkLine, Scenario
from impactnum.engine.criteria import CRITERION_CODES
from impactnum.engine.economic import DEFAULT_DISCOUNT_RATE, EconomicInputs, Estimate
from impactnum.engine.factorset import FACTOR_COLUMNS, FAMILY_PHASES, FactorOverride
from impactnum.engine.flows import FLOW_CODES, NETWORK_KINDS
from impactnum.engine.kinds import KIND_CODES
from impactnum.engine.social import (
    RATE_FIELDS,
    SOCIAL_INDICATOR_CODES,
    Outcome,
    indicator_problem,
)

DEFAULT_FACTORS = "ademe-2022"
DEFAULT_HORIZON_YEARS = 5.0
OVERRIDE_FAMILIES = ("device", "electricity", "network", "avoided", "kind", "parameter")
KIND_CRITERIA = ("lifespan_years", "kwh_per_year")


@dataclass(frozen=True, order=True)
class ProjectIssue:
    """One problem in a project: where (TOML path, '' for the file as a whole) and why."""

    path: str
    reason: str
    file: str = field(default="", compare=False)

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.path}: {self.reason}"
            if self.path
            else f"{self.file}: {self.reason}"
        )


class ProjectFileError(Exception):
    """A project that cannot be used; `errors` lists every problem found."""

    def __init__(self, file: str, errors: list[ProjectIssue]) -> None:
        self.file = file
        self.errors = list(errors)
        n = len(self.errors)
        head = f"{file}: {n} error{'s' if n != 1 else ''}"
        super().__init__("\n".join([head, *(str(e) for e in self.errors)]))

    def lines(self) -> list[str]:
        return [str(e) for e in self.errors]


@dataclass(frozen=True)
class Costs:
    """Costs of a scenario in euros (bounds as `Estimate`); sroi_inputs None = PV of costs."""

    capex: Estimate = field(default_factory=Estimate.zero)
    opex_per_year: Estimate = field(default_factory=Estimate.zero)
    avoided_costs_per_year: Estimate = field(default_factory=Estimate.zero)
    sroi_inputs: float | None = None

    def economic_inputs(
        self, flow_savings_per_year: Estimate, discount_rate: float, horizon_years: float
    ) -> EconomicInputs:
        return EconomicInputs(
            capex=self.capex,
            opex_per_year=self.opex_per_year,
            avoided_costs_per_year=self.avoided_costs_per_year,
            flow_savings_per_year=flow_savings_per_year,
            discount_rate=discount_rate,
            horizon_years=horizon_years,
        )


@dataclass(frozen=True)
class ProjectScenario:
    """One scenario: the engine's `Scenario` plus its costs and social side."""

    scenario: Scenario
    description: str
    equipment_records: tuple[Mapping[str, Any], ...]
    costs: Costs
    social: Mapping[str, float]
    sroi: tuple[Outcome, ...]

    @property
    def name(self) -> str:
        return self.scenario.name


@dataclass(frozen=True)
class Project:
    """A parsed project: metadata, scenarios (the first is the baseline) and factor overrides."""

    name: str
    description: str
    organisation: str
    horizon_years: float
    factors: str
    discount_rate: float
    scenarios: tuple[ProjectScenario, ...]
    overrides: tuple[FactorOverride, ...]
    source: str

    @property
    def baseline(self) -> ProjectScenario:
        return self.scenarios[0]


# --- the schema ------------------------------------------------------------------------------

EQUIPMENT_NUMBERS: dict[str, tuple[float, float]] = {  # key: (min, max) inclusive
    "quantity": (0.0, math.inf),
    "lifespan_years": (1e-9, math.inf),
    "kwh_per_year": (0.0, math.inf),
    "active_w": (0.0, math.inf),
    "idle_w": (0.0, math.inf),
    "hours_per_day": (0.0, 24.0),
    "days_per_year": (0.0, 366.0),
    "pue": (1.0, math.inf),
}
EQUIPMENT_BOOLS = ("refurbished", "in_datacenter")
EQUIPMENT_KEYS = ("kind", *EQUIPMENT_NUMBERS, *EQUIPMENT_BOOLS, "country", "label")
NETWORK_KEYS = ("kind", "gb_per_year", "label")
AVOIDED_KEYS = ("flow", "quantity_per_year", "low", "high", "country", "label", "source")
COST_FIELDS = ("capex", "opex_per_year", "avoided_costs_per_year")
COST_KEYS = (
    *(f"{c}{s}" for c in COST_FIELDS for s in ("", "_low", "_high")),
    "sroi_inputs",
    "source",
)
SROI_KEYS = (
    "outcome",
    "stakeholder",
    "indicator",
    "quantity",
    "proxy_eur",
    "proxy_source",
    "duration_years",
    *RATE_FIELDS,
)
OVERRIDE_KEYS = (*FACTOR_COLUMNS, "note")  # an override row has the columns of factors.csv
PROJECT_KEYS = (
    "name",
    "description",
    "organisation",
    "horizon_years",
    "factors",
    "discount_rate",
)
SCENARIO_KEYS = (
    "name",
    "description",
    "equipment",
    "network",
    "avoided",
    "costs",
    "social",
    "sroi",
)
TOP_KEYS = ("project", "scenarios", "overrides")
_COUNTRY = re.compile(r"^[A-Z]{3}$")


class _Reader:
    """Typed access to a dict that records a problem (with its path) instead of raising."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[ProjectIssue] = []

    def error(self, path: str, reason: str) -> None:
        self.errors.append(ProjectIssue(path, reason, self.file))

    def table(self, data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any] | None:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.error(path, f"must be a table, got {_kind(value)}")
            return None
        return value

    def tables(self, data: Mapping[str, Any], key: str, path: str) -> list[Mapping[str, Any]]:
        """An array of tables (missing: empty); items that are not tables are reported."""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f"must be an array of tables ([[{path}]]), got {_kind(value)}")
            return []
        out: list[Mapping[str, Any]] = []
        for i, item in enumerate(value):
            if isinstance(item, Mapping):
                out.append(item)
            else:
                self.error(f"{path}[{i}]", f"must be a table, got {_kind(item)}")
                out.append({})
        return out

    def unknown(self, data: Mapping[str, Any], known: tuple[str, ...], path: str) -> None:
        for key in data:
            if key not in known:
                where = f"{path}.{key}" if path else key
                self.error(where, f"unknown key; expected one of: {', '.join(known)}")

    def text(self, data: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.error(_join(path, key), "is required (a string)")
            return ""
        if not isinstance(value, str):
            self.error(_join(path, key), f"must be a string, got {_kind(value)}")
            return ""
        if required and not value.strip():
            self.error(_join(path, key), "must not be empty")
        return value.strip()

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        default: float | None = None,
        required: bool = False,
        lo: float = -math.inf,
        hi: float = math.inf,
        hint: str = "",
    ) -> float | None:
        value = data.get(key)
        where = _join(path, key)
        if value is None:
            if required:
                self.error(where, "is required (a number)")
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(where, f"must be a number, got {_kind(value)}")
            return default
        x = float(value)
        if not math.isfinite(x):
            self.error(where, f"must be a finite number, got {value!r}")
            return default
        if not lo <= x <= hi:
            self.error(where, f"must be {_bounds(lo, hi)}, got {value!r}{hint}")
            return default
        return x

    def boolean(self, data: Mapping[str, Any], key: str, path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.error(_join(path, key), f"must be true or false, got {_kind(value)}")
            return False
        return value


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}
    for t, name in names.items():
        if type(value) is t:
            return f"{name} ({value!r})"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "a table"
    return type(value).__name__


def _bounds(lo: float, hi: float) -> str:
    if math.isinf(hi):
        return f"≥ {lo:g}" if lo > 1e-6 or lo == 0 else "> 0"
    return f"between {lo:g} and {hi:g}"


# --- sections --------------------------------------------------------------------------------


def _equipment(r: _Reader, rows: list[Mapping[str, Any]], path: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for i, row in enumerate(rows):
        p = f"{path}[{i}]"
        r.unknown(row, EQUIPMENT_KEYS, p)
        rec: dict[str, Any] = {}
        kind = r.text(row, "kind", p, required=True)
        if kind and kind not in KIND_CODES:
            r.error(f"{p}.kind", f"unknown kind {kind!r}; known: {', '.join(KIND_CODES)}")
        rec["kind"] = kind
        for key, (lo, hi) in EQUIPMENT_NUMBERS.items():
            value = r.number(row, key, p, lo=lo, hi=hi, required=key == "quantity")
            if value is not None:
                rec[key] = value
        for key in EQUIPMENT_BOOLS:
            rec[key] = r.boolean(row, key, p)
        country = r.text(row, "country", p)
        if country:
            if not _COUNTRY.match(country):
                r.error(
                    f"{p}.country",
                    f"must be an ISO 3166-1 alpha-3 code (e.g. FRA), got {country!r}",
                )
            rec["country"] = country
        label = r.text(row, "label", p)
        if label:
            rec["label"] = label  # the line's name in per_line results
        records.append(rec)
    return records


def _network(r: _Reader, rows: list[Mapping[str, Any]], path: str) -> list[NetworkLine]:
    out = []
    for i, row in enumerate(rows):
        p = f"{path}[{i}]"
        r.unknown(row, NETWORK_KEYS, p)
        kind = r.text(row, "kind", p, required=True)
        if kind and kind not in NETWORK_KINDS:
            r.error(f"{p}.kind", f"must be one of {', '.join(NETWORK_KINDS)}, got {kind!r}")
        gb = r.number(row, "gb_per_year", p, required=True, lo=0.0)
        out.append(NetworkLine(kind=kind, gb_per_year=gb or 0.0, label=r.text(row, "label", p)))
    return out


def _avoided(r: _Reader, rows: list[Mapping[str, Any]], path: str) -> list[AvoidedFlow]:
    out = []
    for i, row in enumerate(rows):
        p = f"{path}[{i}]"
        r.unknown(row, AVOIDED_KEYS, p)
        flow = r.text(row, "flow", p, required=True)
        if flow and flow not in FLOW_CODES:
            r.error(f"{p}.flow", f"unknown flow {flow!r}; known: {', '.join(FLOW_CODES)}")
        q = r.number(row, "quantity_per_year", p, required=True, lo=0.0)
        low = r.number(row, "low", p, lo=0.0)
        high = r.number(row, "high", p, lo=0.0)
        country = r.text(row, "country", p)
        if country and not _COUNTRY.match(country):
            r.error(
                f"{p}.country", f"must be an ISO 3166-1 alpha-3 code (e.g. FRA), got {country!r}"
            )
        if q is not None:
            if low is not None and low > q:
                r.error(f"{p}.low", f"must be ≤ quantity_per_year ({q:g}), got {low:g}")
            if high is not None and high < q:
                r.error(f"{p}.high", f"must be ≥ quantity_per_year ({q:g}), got {high:g}")
        out.append(
            AvoidedFlow(
                flow=flow,
                quantity_per_year=q or 0.0,
                label=r.text(row, "label", p),
                low=low,
                high=high,
                country=country or None,
            )
        )
        r.text(row, "source", p)
    return out


def _estimate(r: _Reader, data: Mapping[str, Any], key: str, path: str) -> Estimate:
    value = r.number(data, key, path, lo=0.0)
    low = r.number(data, f"{key}_low", path, lo=0.0)
    high = r.number(data, f"{key}_high", path, lo=0.0)
    if value is None:
        if key not in data and (low is not None or high is not None):
            r.error(_join(path, key), f"is required when {key}_low or {key}_high is given")
        return Estimate(0.0)
    ok = True
    if low is not None and low > value:
        r.error(_join(path, f"{key}_low"), f"must be ≤ {key} ({value:g}), got {low:g}")
        ok = False
    if high is not None and high < value:
        r.error(_join(path, f"{key}_high"), f"must be ≥ {key} ({value:g}), got {high:g}")
        ok = False
    return Estimate(value, low, high) if ok else Estimate(value)


def _costs(r: _Reader, data: Mapping[str, Any] | None, path: str) -> Costs:
    if not data:
        return Costs()
    r.unknown(data, COST_KEYS, path)
    r.text(data, "source", path)
    return Costs(
        capex=_estimate(r, data, "capex", path),
        opex_per_year=_estimate(r, data, "opex_per_year", path),
        avoided_costs_per_year=_estimate(r, data, "avoided_costs_per_year", path),
        sroi_inputs=r.number(data, "sroi_inputs", path, lo=0.0),
    )


def _social(r: _Reader, data: Mapping[str, Any] | None, path: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for key in data or {}:
        where = f"{path}.{key}"
        if key not in SOCIAL_INDICATOR_CODES:
            r.error(where, f"unknown social indicator; known: {', '.join(SOCIAL_INDICATOR_CODES)}")
            continue
        x = r.number(data or {}, key, path)
        if x is None:
            continue
        problem = indicator_problem(key, x)
        if problem:
            r.error(where, problem)
        else:
            out[key] = x
    return out


def _sroi(r: _Reader, rows: list[Mapping[str, Any]], path: str) -> list[Outcome]:
    out = []
    for i, row in enumerate(rows):
        p = f"{path}[{i}]"
        r.unknown(row, SROI_KEYS, p)
        before = len(r.errors)
        name = r.text(row, "outcome", p, required=True)
        quantity = r.number(row, "quantity", p, required=True, lo=0.0)
        proxy = r.number(row, "proxy_eur", p, required=True)
        duration = r.number(row, "duration_years", p, default=1.0, lo=1e-9)
        hint = " (a share: 0.25 for 25 %)"
        rates = {
            k: r.number(row, k, p, default=0.0, lo=0.0, hi=1.0, hint=hint) for k in RATE_FIELDS
        }
        texts = {k: r.text(row, k, p) for k in ("stakeholder", "indicator", "proxy_source")}
        if len(r.errors) == before:
            out.append(
                Outcome(
                    outcome=name,
                    quantity=quantity or 0.0,
                    proxy_eur=proxy or 0.0,
                    duration_years=duration or 1.0,
                    deadweight=rates["deadweight"] or 0.0,
                    attribution=rates["attribution"] or 0.0,
                    displacement=rates["displacement"] or 0.0,
                    drop_off=rates["drop_off"] or 0.0,
                    **texts,
                )
            )
    return out


def _overrides(
    r: _Reader, rows: list[Mapping[str, Any]], path: str, file: str
) -> list[FactorOverride]:
    out = []
    for i, row in enumerate(rows):
        p = f"{path}[{i}]"
        r.unknown(row, OVERRIDE_KEYS, p)
        before = len(r.errors)
        family = r.text(row, "family", p, required=True)
        if family and family not in OVERRIDE_FAMILIES:
            r.error(f"{p}.family", f"must be one of {', '.join(OVERRIDE_FAMILIES)}, got {family!r}")
        key = r.text(row, "key", p, required=True)
        phase = r.text(row, "phase", p)
        crit = r.text(row, "criterion", p, required=family != "parameter")
        value = r.number(row, "value", p, required=True)
        low = r.number(row, "low", p)
        high = r.number(row, "high", p)
        if value is not None and low is not None and low > value:
            r.error(f"{p}.low", f"must be ≤ value ({value:g}), got {low:g}")
        if value is not None and high is not None and high < value:
            r.error(f"{p}.high", f"must be ≥ value ({value:g}), got {high:g}")
        _check_override_target(r, p, family, key, phase, crit)
        source = r.text(row, "source", p, required=True)
        unit, note = r.text(row, "unit", p), r.text(row, "note", p)
        if len(r.errors) == before and value is not None:
            out.append(
                FactorOverride(
                    family=family,
                    key=key,
                    phase=phase,
                    criterion=crit,
                    value=value,
                    low=math.nan if low is None else low,
                    high=math.nan if high is None else high,
                    unit=unit,
                    source=f"{source} ({file} {p})",
                    note=note,
                )
            )
    return out


def _check_override_target(
    r: _Reader, p: str, family: str, key: str, phase: str, crit: str
) -> None:
    """Report an override that names an unknown key, phase or criterion for its family."""
    if family == "kind":
        if key and key not in KIND_CODES:
            r.error(f"{p}.key", f"unknown kind {key!r}; known: {', '.join(KIND_CODES)}")
        if crit and crit not in KIND_CRITERIA:
            r.error(f"{p}.criterion", f"for family kind must be one of {', '.join(KIND_CRITERIA)}")
        return
    if family not in FAMILY_PHASES:
        return
    keys = {"device": KIND_CODES, "avoided": FLOW_CODES, "network": NETWORK_KINDS}.get(family)
    if keys is not None and key and key not in keys:
        r.error(f"{p}.key", f"unknown {family} key {key!r}; known: {', '.join(keys)}")
    phases = FAMILY_PHASES[family]
    if phase and phase not in phases:
        r.error(f"{p}.phase", f"for family {family} must be one of {', '.join(phases)}")
    if family == "device" and not phase:
        r.error(f"{p}.phase", f"is required for family device: one of {', '.join(phases)}")
    if crit and crit not in CRITERION_CODES:
        r.error(
            f"{p}.criterion", f"unknown criterion {crit!r}; known: {', '.join(CRITERION_CODES)}"
        )


# --- entry points ----------------------------------------------------------------------------


def parse_project(data: Mapping[str, Any], source: str) -> Project:
    """Validate a project given as a plain dict (from TOML or JSON) and build engine inputs.

    `source` names where the dict came from (a file path, "request body"…) in every error.
    Raises ProjectFileError listing every problem.
    """
    r = _Reader(source)
    if not isinstance(data, Mapping):
        raise ProjectFileError(source, [ProjectIssue("", "a project must be a table", source)])
    r.unknown(data, TOP_KEYS, "")
    proj = r.table(data, "project", "project") or {}
    if "project" not in data:
        r.error("project", "is required: a [project] table with at least a name")
    r.unknown(proj, PROJECT_KEYS, "project")
    name = r.text(proj, "name", "project", required=True)
    horizon = r.number(proj, "horizon_years", "project", default=DEFAULT_HORIZON_YEARS, lo=1e-9)
    rate = r.number(
        proj, "discount_rate", "project", default=DEFAULT_DISCOUNT_RATE, lo=-0.99, hi=1.0
    )
    factors = r.text(proj, "factors", "project") or DEFAULT_FACTORS
    horizon = horizon or DEFAULT_HORIZON_YEARS
    rate = DEFAULT_DISCOUNT_RATE if rate is None else rate

    scenario_rows = r.tables(data, "scenarios", "scenarios")
    if not scenario_rows and "scenarios" not in data:
        r.error("scenarios", "at least one [[scenarios]] is required (the first is the baseline)")
    seen: dict[str, int] = {}
    scenarios: list[ProjectScenario] = []
    for i, row in enumerate(scenario_rows):
        p = f"scenarios[{i}]"
        r.unknown(row, SCENARIO_KEYS, p)
        sname = r.text(row, "name", p, required=True)
        if sname in seen:
            r.error(
                f"{p}.name", f"duplicate scenario name {sname!r} (also scenarios[{seen[sname]}])"
            )
        seen.setdefault(sname, i)
        records = _equipment(r, r.tables(row, "equipment", f"{p}.equipment"), f"{p}.equipment")
        network = _network(r, r.tables(row, "network", f"{p}.network"), f"{p}.network")
        avoided = _avoided(r, r.tables(row, "avoided", f"{p}.avoided"), f"{p}.avoided")
        costs = _costs(r, r.table(row, "costs", f"{p}.costs"), f"{p}.costs")
        social = _social(r, r.table(row, "social", f"{p}.social"), f"{p}.social")
        sroi = _sroi(r, r.tables(row, "sroi", f"{p}.sroi"), f"{p}.sroi")
        description = r.text(row, "description", p)
        if r.errors:
            continue  # do not build engine objects from bad data; keep collecting errors
        scenarios.append(
            ProjectScenario(
                scenario=Scenario(
                    name=sname,
                    equipment=EquipmentLines.from_records(records),
                    network=tuple(network),
                    avoided=tuple(avoided),
                    horizon_years=horizon,
                ),
                description=description,
                equipment_records=tuple(records),
                costs=costs,
                social=social,
                sroi=tuple(sroi),
            )
        )
    overrides = _overrides(r, r.tables(data, "overrides", "overrides"), "overrides", source)
    if r.errors:
        raise ProjectFileError(source, r.errors)
    return Project(
        name=name,
        description=r.text(proj, "description", "project"),
        organisation=r.text(proj, "organisation", "project"),
        horizon_years=horizon,
        factors=factors,
        discount_rate=rate,
        scenarios=tuple(scenarios),
        overrides=tuple(overrides),
        source=source,
    )


def load_project(path: str | Path) -> Project:
    """Read a project TOML file; raises ProjectFileError (file unreadable, TOML syntax, schema)."""
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ProjectFileError(
            source, [ProjectIssue("", f"cannot read: {exc.strerror}", source)]
        ) from None
    if raw.startswith(b"\xef\xbb\xbf"):  # Windows editors add a BOM TOML does not allow
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        reason = f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}): save it as UTF-8"
        raise ProjectFileError(source, [ProjectIssue("", reason, source)]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProjectFileError(source, [ProjectIssue("", f"invalid TOML: {exc}", source)]) from None
    return parse_project(data, source)
