"""Factor sets: versioned tables of factors, loaded from package data on demand.

Format: docs/methodology/factor-sets.md. Loading reads four small files (no I/O at import);
`FactorSet.arrays()` turns the rows into the NumPy tensors the computation uses.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .criteria import CRITERION_CODES, CRITERION_INDEX, criterion
from .errors import FactorSetError
from .flows import FLOW_CODES, NETWORK_KINDS
from .kinds import KIND_CODES

FAMILIES = ("device", "electricity", "network", "avoided")
DEVICE_PHASES = ("manufacture", "distribution", "end_of_life")
FAMILY_PHASES = {
    "device": DEVICE_PHASES,
    "electricity": ("use",),
    "network": ("use",),
    "avoided": ("avoided",),
}
FACTOR_COLUMNS = ("family", "key", "phase", "criterion", "value", "low", "high", "unit", "source")
Bands = npt.NDArray[np.float64]  # leading axis: value, low, high


def _num(text: str | None) -> float:
    return float(text) if text not in (None, "") else math.nan


@dataclass(frozen=True)
class FactorRow:
    """One factor: value with its range, unit, source and where it came from."""

    family: str
    key: str
    phase: str
    criterion: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    note: str = ""
    origin: str = ""  # "name@version", "borrowed from name@version" or "override"
    range_kind: str = "published"  # or "default ±NN %"

    @property
    def id(self) -> str:
        return f"{self.family}/{self.key}/{self.phase}/{self.criterion}"


@dataclass(frozen=True)
class FactorOverride:
    """A user's replacement (or addition) of one factor, a kind default or a parameter.

    family is a factor family, or `kind` (criterion = `lifespan_years` or `kwh_per_year`,
    key = kind code), or `parameter` (key = parameter name). Empty low/high take the value.
    """

    family: str
    key: str
    phase: str
    criterion: str
    value: float
    low: float = math.nan
    high: float = math.nan
    unit: str = ""
    source: str = "user override"
    note: str = ""

    @classmethod
    def read_csv(cls, path: str | Path) -> list[FactorOverride]:
        """Read overrides from a CSV with the columns of factors.csv (errors name the line)."""
        text = Path(path).read_text(encoding="utf-8-sig")
        return cls.parse_csv(text, str(path))

    @classmethod
    def parse_csv(cls, text: str, where: str) -> list[FactorOverride]:
        reader = csv.DictReader(io.StringIO(text))
        missing = {"family", "key", "criterion", "value"} - set(reader.fieldnames or ())
        if missing:
            raise FactorSetError(f"{where}: line 1: missing column(s) {', '.join(sorted(missing))}")
        out, errors = [], []
        for line, row in enumerate(reader, start=2):
            try:
                out.append(
                    cls(
                        family=row["family"].strip(),
                        key=row["key"].strip(),
                        phase=(row.get("phase") or "").strip(),
                        criterion=row["criterion"].strip(),
                        value=float(row["value"]),
                        low=_num(row.get("low")),
                        high=_num(row.get("high")),
                        unit=(row.get("unit") or "").strip(),
                        source=(row.get("source") or "").strip() or f"user override ({where})",
                        note=(row.get("note") or "").strip(),
                    )
                )
            except (TypeError, ValueError) as exc:
                errors.append(f"{where}: line {line}: {exc}")
        if errors:
            raise FactorSetError("\n".join(errors))
        return out


@dataclass(frozen=True)
class Param:
    name: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    note: str = ""
    origin: str = ""


@dataclass(frozen=True)
class KindDefaults:
    kind: str
    lifespan_years: float
    kwh_per_year: float
    kwh_low: float
    kwh_high: float
    source: str
    note: str = ""
    origin: str = ""


@dataclass(frozen=True)
class SetArrays:
    """The set as tensors. Band axis first: 0 value, 1 low, 2 high. NaN = not available."""

    kinds: tuple[str, ...]
    countries: tuple[str, ...]
    device: Bands  # [3, K, 3 embedded phases, C] per device, whole life
    device_row: npt.NDArray[np.int64]  # [K, 3, C] index into rows, -1 if none
    lifespan: npt.NDArray[np.float64]  # [K] years
    kwh: Bands  # [3, K] kWh per device per year
    electricity: Bands  # [3, X, C] per kWh
    electricity_row: npt.NDArray[np.int64]  # [X, C]
    network: Bands  # [3, 2, C] per GB
    network_row: npt.NDArray[np.int64]
    avoided: Bands  # [3, A, C] per unit of flow (electricity row unused)
    avoided_row: npt.NDArray[np.int64]
    refurbished_share: Bands  # [3] share of new manufacture charged to a refurbished device


@dataclass
class FactorSet:
    """A loaded factor set (rows, kind defaults, parameters, metadata)."""

    name: str
    version: str
    info: dict[str, Any]
    rows: list[FactorRow]
    kind_defaults: dict[str, KindDefaults]
    params: dict[str, Param]
    coverage: dict[str, dict[str, set[str]]]
    overridden: bool = False
    _arrays: SetArrays | None = field(default=None, repr=False)

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def default_country(self) -> str:
        return str(self.info.get("default_country", "FRA"))

    @property
    def included_in_manufacture(self) -> tuple[str, ...]:
        """Phases a source folds into manufacture (Boavizta's 'embedded')."""
        return tuple(self.info.get("included_in_manufacture", ()))

    @property
    def pue_default(self) -> float:
        return self.param("pue_default")[0] if "pue_default" in self.params else 1.75

    def param(self, name: str) -> tuple[float, float, float]:
        """(value, low, high) of a parameter; KeyError names the known ones."""
        try:
            p = self.params[name]
        except KeyError:
            known = ", ".join(sorted(self.params))
            raise KeyError(f"{self.ref} has no parameter {name!r}; known: {known}") from None
        return p.value, p.low, p.high

    def source(self, source_id: str) -> dict[str, Any]:
        sources: dict[str, Any] = self.info.get("sources", {})
        return {"id": source_id, **sources.get(source_id, {})}

    def covers(self, family: str, phase: str, criterion_code: str) -> bool:
        return criterion_code in self.coverage.get(family, {}).get(phase, set())

    def with_overrides(self, overrides: Sequence[FactorOverride]) -> FactorSet:
        """A copy of this set where the overrides replace (or add) rows; shown in provenance."""
        if not overrides:
            return self
        rows = {r.id: r for r in self.rows}
        kinds = dict(self.kind_defaults)
        params = dict(self.params)
        coverage = {f: {p: set(c) for p, c in ph.items()} for f, ph in self.coverage.items()}
        for o in overrides:
            low = o.value if math.isnan(o.low) else o.low
            high = o.value if math.isnan(o.high) else o.high
            if o.family == "parameter":
                unit = o.unit or (params[o.key].unit if o.key in params else "")
                params[o.key] = Param(o.key, o.value, low, high, unit, o.source, o.note, "override")
            elif o.family == "kind":
                base = kinds.get(o.key) or KindDefaults(o.key, math.nan, 0.0, 0.0, 0.0, o.source)
                if o.criterion == "lifespan_years":
                    base = replace(base, lifespan_years=o.value)
                elif o.criterion == "kwh_per_year":
                    base = replace(base, kwh_per_year=o.value, kwh_low=low, kwh_high=high)
                else:
                    raise FactorSetError(
                        f"override kind/{o.key}: criterion must be lifespan_years or "
                        f"kwh_per_year, not {o.criterion!r}"
                    )
                kinds[o.key] = replace(base, source=o.source, note=o.note, origin="override")
            else:
                phase = o.phase or FAMILY_PHASES.get(o.family, ("",))[0]
                row = FactorRow(
                    o.family,
                    o.key,
                    phase,
                    o.criterion,
                    o.value,
                    low,
                    high,
                    o.unit or f"{criterion(o.criterion).unit}/unit",
                    o.source,
                    o.note,
                    "override",
                )
                _check_row(row, "override")
                rows[row.id] = row
                coverage.setdefault(o.family, {}).setdefault(phase, set()).add(o.criterion)
        return FactorSet(
            self.name,
            self.version,
            self.info,
            list(rows.values()),
            kinds,
            params,
            coverage,
            overridden=True,
        )

    def arrays(self) -> SetArrays:
        if self._arrays is None:
            self._arrays = _build_arrays(self)
        return self._arrays


# --- locating and reading ------------------------------------------------------------------


def _factors_root() -> Path:
    return Path(str(resources.files("impactnum") / "factors"))


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else -1 for p in v.split("."))


def available_sets() -> dict[str, list[str]]:
    """Set name → versions (oldest first), read from the package data folder."""
    root = _factors_root()
    out: dict[str, list[str]] = {}
    if root.is_dir():
        for set_dir in sorted(p for p in root.iterdir() if p.is_dir()):
            versions = [v.name for v in set_dir.iterdir() if (v / "SOURCE.toml").is_file()]
            if versions:
                out[set_dir.name] = sorted(versions, key=_version_key)
    return out


def list_factor_sets() -> list[dict[str, Any]]:
    """Every shipped set and version, with its title, publisher, licence, URL and date."""
    out = []
    for name, versions in available_sets().items():
        for version in versions:
            info = _read_source(name, version)
            out.append(
                {
                    "name": name,
                    "version": version,
                    "ref": f"{name}@{version}",
                    **{
                        k: info.get(k, "") for k in ("title", "publisher", "licence", "url", "date")
                    },
                }
            )
    return out


def _split_spec(spec: str) -> tuple[str, str | None]:
    name, _, version = spec.partition("@")
    return name.strip(), (version.strip() or None)


def _read_source(name: str, version: str) -> dict[str, Any]:
    with open(_factors_root() / name / version / "SOURCE.toml", "rb") as f:
        return tomllib.load(f)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def load_factor_set(spec: str, overrides: Sequence[FactorOverride] = ()) -> FactorSet:
    """Load `name` (latest version) or `name@version`, then apply the overrides."""
    return _load(spec).with_overrides(overrides)


def load_factor_set_dir(folder: str | Path, overrides: Sequence[FactorOverride] = ()) -> FactorSet:
    """Load a factor set from any folder laid out like the shipped ones (tests, drafts)."""
    folder = Path(folder)
    with open(folder / "SOURCE.toml", "rb") as f:
        info = tomllib.load(f)
    name = str(info.get("name", folder.parent.name))
    version = str(info.get("version", folder.name))
    return _read_folder(folder, name, version, info, True).with_overrides(overrides)


@functools.lru_cache(maxsize=16)
def _load(spec: str, with_borrowing: bool = True) -> FactorSet:
    name, version = _split_spec(spec)
    sets = available_sets()
    if name not in sets:
        known = ", ".join(f"{n}@{v[-1]}" for n, v in sets.items()) or "none"
        raise FactorSetError(f"unknown factor set {spec!r}; known: {known}")
    version = version or sets[name][-1]
    if version not in sets[name]:
        raise FactorSetError(
            f"factor set {name!r} has no version {version!r}; known: {', '.join(sets[name])}"
        )
    return _read_folder(
        _factors_root() / name / version,
        name,
        version,
        _read_source(name, version),
        with_borrowing,
    )


def _read_folder(
    folder: Path, name: str, version: str, info: dict[str, Any], with_borrowing: bool
) -> FactorSet:
    ref = f"{name}@{version}"
    rows = [
        _factor_row(r, ref, folder / "factors.csv", i)
        for i, r in enumerate(_read_csv(folder / "factors.csv"), start=2)
    ]
    kinds = {
        r["kind"]: KindDefaults(
            r["kind"],
            _num(r["lifespan_years"]),
            _num(r["kwh_per_year"]),
            _num(r.get("kwh_low")),
            _num(r.get("kwh_high")),
            r["source"],
            r.get("note", ""),
            ref,
        )
        for r in _read_csv(folder / "kinds.csv")
    }
    params = {
        r["name"]: Param(
            r["name"],
            _num(r["value"]),
            _num(r.get("low")),
            _num(r.get("high")),
            r.get("unit", ""),
            r["source"],
            r.get("note", ""),
            ref,
        )
        for r in _read_csv(folder / "parameters.csv")
    }
    for p in params.values():
        if math.isnan(p.low):
            params[p.name] = replace(p, low=p.value, high=p.value if math.isnan(p.high) else p.high)
    coverage: dict[str, dict[str, set[str]]] = {
        fam: {ph: set(crits) for ph, crits in phases.items()}
        for fam, phases in info.get("coverage", {}).items()
    }
    unknown_kinds = set(kinds) - set(KIND_CODES)
    if unknown_kinds:
        raise FactorSetError(f"{ref}: kinds.csv: unknown kind(s) {sorted(unknown_kinds)}")
    for r in rows:
        if r.criterion not in coverage.get(r.family, {}).get(r.phase, ()):
            raise FactorSetError(
                f"{ref}: factors.csv has {r.id} but SOURCE.toml [coverage] does not declare "
                f"{r.family}.{r.phase} = [{r.criterion!r}]"
            )
    if with_borrowing:
        for b in info.get("borrow", []):
            _borrow(b, ref, rows, kinds, coverage, info)
    fs = FactorSet(name, version, info, _with_default_ranges(rows, params), kinds, params, coverage)
    return fs


def _borrow(
    b: Mapping[str, Any],
    ref: str,
    rows: list[FactorRow],
    kinds: dict[str, KindDefaults],
    coverage: dict[str, dict[str, set[str]]],
    info: dict[str, Any],
) -> None:
    """Take rows declared in a `[[borrow]]` table from another set (in place).

    Two forms: `family` + `phase` + `criterion` borrows one criterion of one phase for the keys
    this set has; `family = "device"` + `kinds` + `criteria` borrows whole kinds this set lacks
    (every phase, and their default lifespan and use). Phases the lender folds into manufacture
    come as explicit 0 rows saying so, so that they are not reported as missing.
    """
    lender = _load(str(b["from"]), with_borrowing=False)
    origin = f"borrowed from {lender.ref}"
    family = str(b["family"])
    if "kinds" in b:
        keys = set(b["kinds"])
        criteria = set(b["criteria"])
        phases = set(FAMILY_PHASES[family])
        missing = keys - set(lender.kind_defaults)
        if missing:
            raise FactorSetError(f"{ref}: borrow: {lender.ref} has no kind(s) {sorted(missing)}")
        for k in keys:
            kinds[k] = replace(lender.kind_defaults[k], origin=origin)
    else:
        keys = {r.key for r in rows if r.family == family}
        if family == "device":
            keys |= set(kinds)
        criteria, phases = {str(b["criterion"])}, {str(b["phase"])}
    taken = [
        replace(r, origin=origin)
        for r in lender.rows
        if r.family == family and r.key in keys and r.criterion in criteria and r.phase in phases
    ]
    if family == "device" and "manufacture" in phases:
        for r in [t for t in taken if t.phase == "manufacture"]:
            for folded in lender.included_in_manufacture:
                note = f"included in manufacture in {lender.ref} ({folded} not separated)"
                taken.append(
                    replace(
                        r,
                        phase=folded,
                        value=0.0,
                        low=0.0,
                        high=0.0,
                        note=note,
                        range_kind="included in manufacture",
                    )
                )
    # Source ids belong to the lender: name them `lender:id` and copy their descriptions.
    sources = info.setdefault("sources", {})
    lender_sources = lender.info.get("sources", {})
    for k in list(kinds):
        if kinds[k].origin == origin:
            kinds[k] = replace(kinds[k], source=f"{lender.name}:{kinds[k].source}")
    taken = [replace(r, source=f"{lender.name}:{r.source}") for r in taken]
    for r in taken:
        sources.setdefault(r.source, lender_sources.get(r.source.split(":", 1)[1], {}))
    for k in kinds.values():
        if k.origin == origin:
            sources.setdefault(k.source, lender_sources.get(k.source.split(":", 1)[1], {}))
    rows.extend(taken)
    for r in taken:
        coverage.setdefault(r.family, {}).setdefault(r.phase, set()).add(r.criterion)


def _factor_row(r: Mapping[str, str], ref: str, path: Path, line: int) -> FactorRow:
    missing = [c for c in FACTOR_COLUMNS if c not in r]
    if missing:
        raise FactorSetError(f"{path}: missing column(s) {missing}")
    try:
        row = FactorRow(
            r["family"],
            r["key"],
            r["phase"],
            r["criterion"],
            float(r["value"]),
            _num(r["low"]),
            _num(r["high"]),
            r["unit"],
            r["source"],
            r.get("note", ""),
            ref,
        )
    except ValueError as exc:
        raise FactorSetError(f"{path}: line {line}: {exc}") from None
    _check_row(row, f"{path}: line {line}")
    return row


def _check_row(row: FactorRow, where: str) -> None:
    if row.family not in FAMILIES:
        raise FactorSetError(f"{where}: family {row.family!r} not in {FAMILIES}")
    if row.phase not in FAMILY_PHASES[row.family]:
        raise FactorSetError(
            f"{where}: phase {row.phase!r} not allowed for family {row.family} "
            f"({', '.join(FAMILY_PHASES[row.family])})"
        )
    if row.criterion not in CRITERION_INDEX:
        raise FactorSetError(f"{where}: criterion {row.criterion!r} not in {CRITERION_CODES}")
    if row.family == "device" and row.key not in KIND_CODES:
        raise FactorSetError(f"{where}: unknown kind {row.key!r}")
    if row.family == "avoided" and row.key not in FLOW_CODES:
        raise FactorSetError(f"{where}: unknown avoided flow {row.key!r}; known: {FLOW_CODES}")
    if row.family == "network" and row.key not in NETWORK_KINDS:
        raise FactorSetError(f"{where}: network key must be one of {NETWORK_KINDS}")


def _with_default_ranges(rows: Iterable[FactorRow], params: Mapping[str, Param]) -> list[FactorRow]:
    """Rows without a published range get the set's documented default relative range."""
    out = []
    for r in rows:
        if math.isnan(r.low) or math.isnan(r.high):
            p = params.get(f"range.{r.family}")
            half = p.value if p else 0.0
            a, b = r.value * (1 - half), r.value * (1 + half)
            r = replace(r, low=min(a, b), high=max(a, b), range_kind=f"default ±{half:.0%}")
        out.append(r)
    return out


# --- tensors ------------------------------------------------------------------------------


def _build_arrays(fs: FactorSet) -> SetArrays:
    kinds = tuple(
        k
        for k in KIND_CODES
        if k in fs.kind_defaults or any(r.family == "device" and r.key == k for r in fs.rows)
    )
    countries = tuple(sorted({r.key for r in fs.rows if r.family == "electricity"}))
    n_c = len(CRITERION_CODES)

    def table(keys: Sequence[str], phases: Sequence[str], family: str) -> tuple[Bands, Any]:
        bands = np.full((3, len(keys), len(phases), n_c), np.nan)
        index = np.full((len(keys), len(phases), n_c), -1, dtype=np.int64)
        kpos = {k: i for i, k in enumerate(keys)}
        ppos = {p: i for i, p in enumerate(phases)}
        for i, r in enumerate(fs.rows):
            if r.family == family and r.key in kpos:
                k, p, c = kpos[r.key], ppos[r.phase], CRITERION_INDEX[r.criterion]
                bands[:, k, p, c] = (r.value, r.low, r.high)
                index[k, p, c] = i
        return bands, index

    device, device_row = table(kinds, DEVICE_PHASES, "device")
    elec, elec_row = table(countries, ("use",), "electricity")
    net, net_row = table(NETWORK_KINDS, ("use",), "network")
    avoided, avoided_row = table(FLOW_CODES, ("avoided",), "avoided")
    nan = math.nan
    kd = [fs.kind_defaults.get(k) for k in kinds]
    lifespan = np.array([d.lifespan_years if d else nan for d in kd])
    kwh = np.array(
        [
            [d.kwh_per_year if d else nan for d in kd],
            [_or(d.kwh_low, d.kwh_per_year) if d else nan for d in kd],
            [_or(d.kwh_high, d.kwh_per_year) if d else nan for d in kd],
        ]
    )
    share = np.zeros(3)
    for name in ("refurbished.original_manufacture_share", "refurbished.process_share"):
        if name in fs.params:
            share += np.array(fs.param(name))
    return SetArrays(
        kinds=kinds,
        countries=countries,
        device=device,
        device_row=device_row,
        lifespan=lifespan,
        kwh=kwh,
        electricity=elec[:, :, 0, :],
        electricity_row=elec_row[:, 0, :],
        network=net[:, :, 0, :],
        network_row=net_row[:, 0, :],
        avoided=avoided[:, :, 0, :],
        avoided_row=avoided_row[:, 0, :],
        refurbished_share=share,
    )


def _or(x: float, default: float) -> float:
    return default if math.isnan(x) else x
