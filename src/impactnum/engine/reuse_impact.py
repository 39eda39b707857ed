"""Impact avoided by reusing devices: greenhouse gases and e-waste (The Restart Project method).

For every device given a second life (counted once, when first provided):

    CO2e avoided (kgCO2e) = displacement × pre-use footprint of the device
    e-waste avoided (kg)  = weight of its ORDS category

- displacement = 0.5 (restarters.net: a reused or repaired device displaces half a new one);
- pre-use footprint (production + distribution), user's choice of method:
  * ``"restart"``: the footprint of the device's Open Repair (ORDS) category, from the
    ``restart-ords`` table (laptop 265.32 kgCO2e …);
  * ``"ademe"``: fabrication + distribution of the kind in an impactnum factor set, by default
    ``ademe-2022`` (laptop 170.3 + 12.3; ``desktop`` is the professional desktop). A kind the
    set does not cover falls back to its ORDS category footprint, and the result says so;
- a category of weight 0 (Misc: servers, network gear, other) uses the estimated mass given
  by the caller × the powered emission ratio (32.07 kgCO2e/kg) and that mass as waste.

Worked example (FACTS-reuse-chain §2): one laptop, restart 265.32 × 0.5 = 132.66 kgCO2e,
ademe (170.3 + 12.3) × 0.5 = 91.3 kgCO2e, waste 1.83 kg.

This is the only place the avoided impact of a reused device is counted: the fleet footprint and
the dashboards must not add it again (docs/methodology/reuse-impact.md).

Pure NumPy, vectorised over rows of (kind, count); reads its table lazily from package data.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .errors import EngineInputError, FactorSetError
from .factorset import FactorSet, load_factor_set
from .kinds import KIND_CODES

Method = Literal["restart", "ademe"]
METHODS: tuple[str, ...] = ("restart", "ademe")
DEFAULT_TABLE = "restart-ords@2023.1"
DEFAULT_ADEME_SET = "ademe-2022"
TABLE_FILES = ("categories.csv", "kind_map.csv", "parameters.csv")
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class OrdsCategory:
    """One ORDS product category: weight (kg) and pre-use footprint (kgCO2e) with its range."""

    ords_id: int
    name: str
    weight_kg: float
    footprint: float
    low: float
    high: float
    source: str
    note: str = ""

    @property
    def by_mass(self) -> bool:
        """A category of weight 0 (Misc): footprint and waste come from the estimated mass."""
        return self.weight_kg == 0


@dataclass(frozen=True)
class ReuseTable:
    """The restart-ords table: categories, the kind → category map and the parameters."""

    name: str
    version: str
    info: dict[str, Any]
    categories: dict[int, OrdsCategory]
    kind_map: dict[str, int]
    params: dict[str, tuple[float, float, float]]
    param_sources: dict[str, str]

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def category_of(self, kind: str) -> OrdsCategory:
        """The ORDS category of an impactnum kind (EngineInputError names the known kinds)."""
        try:
            return self.categories[self.kind_map[kind]]
        except KeyError:
            known = ", ".join(sorted(self.kind_map))
            raise EngineInputError(
                f"{self.ref}: no ORDS category for kind {kind!r}; known: {known}"
            ) from None

    def param(self, name: str) -> tuple[float, float, float]:
        try:
            return self.params[name]
        except KeyError:
            known = ", ".join(sorted(self.params))
            raise EngineInputError(
                f"{self.ref} has no parameter {name!r}; known: {known}"
            ) from None

    def with_overrides(self, overrides: Mapping[str, float]) -> ReuseTable:
        """A copy where `displacement`, `emission_ratio.powered`, `footprint.<ords_id>` or
        `weight.<ords_id>` take the user's value (single value: low = high = value)."""
        if not overrides:
            return self
        params = dict(self.params)
        sources = dict(self.param_sources)
        cats = dict(self.categories)
        for key, value in overrides.items():
            v = float(value)
            if key in params:
                params[key] = (v, v, v)
                sources[key] = "user override"
                continue
            what, _, ident = key.partition(".")
            if what in ("footprint", "weight") and ident.isdigit() and int(ident) in cats:
                c = cats[int(ident)]
                if what == "footprint":
                    cats[c.ords_id] = OrdsCategory(
                        c.ords_id, c.name, c.weight_kg, v, v, v, "user override", c.note
                    )
                else:
                    cats[c.ords_id] = OrdsCategory(
                        c.ords_id, c.name, v, c.footprint, c.low, c.high, c.source, c.note
                    )
                continue
            raise EngineInputError(
                f"{self.ref}: unknown override {key!r}; use one of {sorted(params)}, "
                "footprint.<ords_id> or weight.<ords_id>"
            )
        return ReuseTable(
            self.name, self.version, self.info, cats, dict(self.kind_map), params, sources
        )


def _num(text: str | None) -> float:
    return float(text) if text not in (None, "") else math.nan


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def table_folder(spec: str = DEFAULT_TABLE) -> Path:
    name, _, version = spec.partition("@")
    root = Path(str(resources.files("impactnum") / "factors"))
    folder = root / name / (version or "2023.1")
    if not (folder / "TABLE.toml").is_file():
        raise FactorSetError(f"unknown reuse table {spec!r} (expected {folder}/TABLE.toml)")
    return folder


def table_checksums(spec: str = DEFAULT_TABLE) -> dict[str, tuple[str, str]]:
    """File → (expected SHA-256 from TABLE.toml, actual SHA-256): checked by the tests."""
    folder = table_folder(spec)
    with open(folder / "TABLE.toml", "rb") as f:
        expected = tomllib.load(f).get("checksums", {})
    return {
        name: (
            str(expected.get(name, "")),
            hashlib.sha256((folder / name).read_bytes()).hexdigest(),
        )
        for name in TABLE_FILES
    }


@functools.lru_cache(maxsize=4)
def load_reuse_table(spec: str = DEFAULT_TABLE) -> ReuseTable:
    """Load the reuse-impact table `name@version` from package data (read on first use)."""
    folder = table_folder(spec)
    with open(folder / "TABLE.toml", "rb") as f:
        info = tomllib.load(f)
    ref = f"{info['name']}@{info['version']}"
    params: dict[str, tuple[float, float, float]] = {}
    param_sources: dict[str, str] = {}
    for r in _read_csv(folder / "parameters.csv"):
        v = float(r["value"])
        low, high = _num(r.get("low")), _num(r.get("high"))
        params[r["name"]] = (v, v if math.isnan(low) else low, v if math.isnan(high) else high)
        param_sources[r["name"]] = r["source"]
    rel = params.get("range.footprint", (0.0, 0.0, 0.0))[0]
    categories: dict[int, OrdsCategory] = {}
    for r in _read_csv(folder / "categories.csv"):
        fp = float(r["footprint_kgco2e"])
        low, high = _num(r["low"]), _num(r["high"])
        if math.isnan(low) or math.isnan(high):
            low, high = fp * (1 - rel), fp * (1 + rel)
        if not low <= fp <= high:
            raise FactorSetError(f"{ref}: categories.csv: {r['category']}: low ≤ value ≤ high")
        categories[int(r["ords_id"])] = OrdsCategory(
            int(r["ords_id"]),
            r["category"],
            float(r["weight_kg"]),
            fp,
            low,
            high,
            r["source"],
            r.get("note", ""),
        )
    kind_map = {r["kind"]: int(r["ords_id"]) for r in _read_csv(folder / "kind_map.csv")}
    unknown = set(kind_map) - set(KIND_CODES)
    if unknown:
        raise FactorSetError(f"{ref}: kind_map.csv: unknown kind(s) {sorted(unknown)}")
    missing = set(kind_map.values()) - set(categories)
    if missing:
        raise FactorSetError(f"{ref}: kind_map.csv: unknown ORDS id(s) {sorted(missing)}")
    return ReuseTable(
        str(info["name"]), str(info["version"]), info, categories, kind_map, params, param_sources
    )


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A value with its low and high bounds, in `unit`."""

    value: float
    low: float
    high: float
    unit: str

    def as_dict(self) -> dict[str, float | str]:
        return {"value": self.value, "low": self.low, "high": self.high, "unit": self.unit}


@dataclass(frozen=True)
class KindLine:
    """The result for one kind: count, footprint per device and where it came from."""

    kind: str
    count: float
    ords_category: str
    footprint_per_device: Band
    co2e_avoided: Band
    waste_avoided: Band
    footprint_source: str


@dataclass(frozen=True)
class ReuseImpact:
    """Avoided greenhouse gases and e-waste for a set of reused devices, with the method used."""

    method: str
    method_label: str
    table: str
    factor_set: str | None
    displacement: float
    co2e_avoided: Band
    waste_avoided: Band
    devices: float
    lines: tuple[KindLine, ...]
    notes: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "method_label": self.method_label,
            "table": self.table,
            "factor_set": self.factor_set,
            "displacement": self.displacement,
            "devices": self.devices,
            "co2e_avoided": self.co2e_avoided.as_dict(),
            "waste_avoided": self.waste_avoided.as_dict(),
            "by_kind": [
                {
                    "kind": line.kind,
                    "count": line.count,
                    "ords_category": line.ords_category,
                    "footprint_per_device": line.footprint_per_device.as_dict(),
                    "co2e_avoided": line.co2e_avoided.as_dict(),
                    "waste_avoided": line.waste_avoided.as_dict(),
                    "footprint_source": line.footprint_source,
                }
                for line in self.lines
            ],
            "notes": list(self.notes),
        }


METHOD_LABELS = {
    "restart": "The Restart Project: displacement × ORDS category pre-use footprint",
    "ademe": "The Restart Project method with ADEME/Arcep footprints (fabrication + distribution)",
}


def _ademe_footprint(fs: FactorSet, kind: str) -> tuple[float, float, float] | None:
    """Fabrication + distribution (value, low, high) of a kind in a factor set, or None."""
    rows = {r.id: r for r in fs.rows if r.family == "device" and r.key == kind}
    total = np.zeros(3)
    found = False
    for phase in ("manufacture", "distribution"):
        row = rows.get(f"device/{kind}/{phase}/gwp")
        if row is not None and not math.isnan(row.value):
            total += (row.value, row.low, row.high)
            found = found or phase == "manufacture"
    return (float(total[0]), float(total[1]), float(total[2])) if found else None


def reuse_impact(
    kinds: Sequence[str],
    counts: npt.ArrayLike,
    *,
    method: str = "restart",
    masses_kg: npt.ArrayLike | None = None,
    table: ReuseTable | None = None,
    factor_set: FactorSet | None = None,
    overrides: Mapping[str, float] | None = None,
) -> ReuseImpact:
    """Avoided kgCO2e and kg of e-waste for rows of reused devices.

    kinds: kind code per row; counts: number of devices per row; masses_kg: the total estimated
    mass (kg) of each row's devices, used only for categories of weight 0 (Misc) — NaN or absent
    counts as 0 kg there (and says so in `notes`). method: "restart" or "ademe" (then
    `factor_set`, default ademe-2022, gives fabrication + distribution per kind).
    """
    if method not in METHODS:
        raise EngineInputError(f"unknown reuse-impact method {method!r}; known: {METHODS}")
    tbl = (table or load_reuse_table()).with_overrides(overrides or {})
    n = np.asarray(counts, dtype=np.float64).reshape(-1)
    if len(kinds) != n.size:
        raise EngineInputError(f"{len(kinds)} kinds for {n.size} counts")
    if np.any(n < 0) or not np.all(np.isfinite(n)):
        raise EngineInputError("counts must be finite and ≥ 0")
    mass = (
        np.zeros(n.size)
        if masses_kg is None
        else np.asarray(masses_kg, dtype=np.float64).reshape(-1)
    )
    if mass.size != n.size:
        raise EngineInputError(f"{mass.size} masses for {n.size} counts")
    fs = None
    if method == "ademe":
        fs = factor_set or load_factor_set(DEFAULT_ADEME_SET)

    # One lookup per distinct kind, then gathered onto the rows (vectorised over devices).
    uniq, inverse = np.unique(np.asarray(kinds, dtype=object).astype(str), return_inverse=True)
    k = uniq.size
    fp = np.zeros((3, k))  # per device, or per kg where per_kg: value, low, high
    weight = np.zeros(k)
    by_mass = np.zeros(k, dtype=bool)  # category of weight 0: waste = estimated mass
    per_kg = np.zeros(k, dtype=bool)  # footprint per kg (emission ratio) rather than per device
    source: list[str] = []
    cat_names: list[str] = []
    notes: list[str] = []
    for i, kind in enumerate(uniq.tolist()):
        cat = tbl.category_of(kind)
        cat_names.append(f"{cat.ords_id} {cat.name}")
        weight[i], by_mass[i] = cat.weight_kg, cat.by_mass
        ademe = _ademe_footprint(fs, kind) if fs is not None else None
        if ademe is not None and fs is not None:
            fp[:, i] = ademe
            source.append(f"{fs.ref}: device/{kind} manufacture + distribution")
            continue
        if fs is not None:
            notes.append(f"{kind}: no fabrication figure in {fs.ref}; {tbl.ref} used")
        if cat.by_mass:
            ratio = tbl.param("emission_ratio.powered")
            fp[:, i], per_kg[i] = ratio, True
            source.append(
                f"{tbl.ref}: estimated kg × emission_ratio.powered ({ratio[0]} kgCO2e/kg)"
            )
        else:
            fp[:, i] = (cat.footprint, cat.low, cat.high)
            source.append(f"{tbl.ref}: ORDS category {cat.ords_id} {cat.name} ({cat.source})")
    disp = np.asarray(tbl.param("displacement"))
    row_by_mass = by_mass[inverse]
    safe_mass = np.where(np.isfinite(mass) & (mass > 0), mass, 0.0)
    lacking = row_by_mass & (safe_mass == 0) & (n > 0)
    if np.any(lacking):
        missing = sorted({str(uniq[inverse[j]]) for j in np.flatnonzero(lacking)})
        notes.append(
            f"no estimated mass for {', '.join(missing)} (ORDS category of weight 0): "
            "counted as 0 kg of waste" + (" and 0 kgCO2e" if method == "restart" else "")
        )
    qty = np.where(per_kg[inverse], safe_mass, n)  # devices, or kg for a per-kg footprint
    co2_rows = fp[:, inverse] * qty * disp[:, None]  # [3, N]
    waste_rows = np.where(row_by_mass, safe_mass, weight[inverse] * n)

    # totals per kind (bincount is the vectorised group-by)
    co2_k = np.stack([np.bincount(inverse, weights=co2_rows[b], minlength=k) for b in range(3)])
    waste_k = np.bincount(inverse, weights=waste_rows, minlength=k)
    count_k = np.bincount(inverse, weights=n, minlength=k)
    lines = []
    for i, kind in enumerate(uniq.tolist()):
        unit = "kgCO2e/kg" if per_kg[i] else "kgCO2e/device"
        lines.append(
            KindLine(
                kind,
                float(count_k[i]),
                cat_names[i],
                Band(float(fp[0, i]), float(fp[1, i]), float(fp[2, i]), unit),
                Band(float(co2_k[0, i]), float(co2_k[1, i]), float(co2_k[2, i]), "kgCO2e"),
                Band(float(waste_k[i]), float(waste_k[i]), float(waste_k[i]), "kg"),
                source[i],
            )
        )
    co2 = co2_k.sum(axis=1)
    waste = float(waste_k.sum())
    return ReuseImpact(
        method=method,
        method_label=METHOD_LABELS[method],
        table=tbl.ref,
        factor_set=fs.ref if fs is not None else None,
        displacement=float(disp[0]),
        co2e_avoided=Band(float(co2[0]), float(co2[1]), float(co2[2]), "kgCO2e"),
        waste_avoided=Band(waste, waste, waste, "kg"),
        devices=float(n.sum()),
        lines=tuple(lines),
        notes=tuple(notes),
    )
