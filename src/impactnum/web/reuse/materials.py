"""Estimated materials recovered from WEEE shipments (gold, silver, palladium, copper, cobalt,
rare earths …): devices shipped per kind × metal content per device × recovery rate.

Editable data with sources and a status ("published" or "to verify"), in `data/`:
- `materials.csv`: grams of each material per device of a kind (FACTS-reuse-chain §5:
  Öko-Institut/UNEP 2012, Mining, Metallurgy & Exploration 2021, Umicore);
- `material_recovery.csv`: share of the contained mass recovered in a shredding
  pre-processing plant (Chancerel et al. 2009) or at end of life (UNEP IRP 2011).

An estimate, not a measurement: kinds with no content figure (monitors, printers …) are listed
as such, and every figure that is still to verify is flagged in the result.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from django.db.models import Count

from .models import WeeeShipment

DATA = Path(__file__).with_name("data")
MATERIALS_FILE = DATA / "materials.csv"
RECOVERY_FILE = DATA / "material_recovery.csv"


@dataclass(frozen=True)
class Content:
    kind: str
    material: str
    grams: float
    source: str
    status: str
    note: str


@dataclass(frozen=True)
class Recovery:
    material: str
    rate: float
    source: str
    status: str
    note: str


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]


@functools.cache
def contents() -> tuple[Content, ...]:
    return tuple(
        Content(r["kind"], r["material"], float(r["grams_per_device"]), r["source"], r["status"],
                r.get("note", ""))
        for r in _rows(MATERIALS_FILE)
    )  # fmt: skip


@functools.cache
def recovery_rates() -> dict[str, Recovery]:
    return {
        r["material"]: Recovery(
            r["material"], float(r["rate"]), r["source"], r["status"], r.get("note", "")
        )
        for r in _rows(RECOVERY_FILE)
    }


def materials() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for c in contents():
        seen.setdefault(c.material, None)
    return tuple(seen)


def estimate(counts_by_kind: Mapping[str, float]) -> dict[str, Any]:
    """Grams contained and recovered per material for devices counted by kind.

    One matrix product: counts [K] · content [K, M] → contained [M]; × rate [M] → recovered.
    """
    mats = materials()
    kinds = sorted({c.kind for c in contents()})
    content = np.zeros((len(kinds), len(mats)))
    for c in contents():
        content[kinds.index(c.kind), mats.index(c.material)] = c.grams
    counts = np.array([float(counts_by_kind.get(k, 0)) for k in kinds])
    contained = counts @ content
    rates = recovery_rates()
    rate = np.array([rates[m].rate if m in rates else 0.0 for m in mats])
    recovered = contained * rate
    used = [k for k in kinds if counts_by_kind.get(k)]
    rows = []
    for j, m in enumerate(mats):
        srcs = [c for c in contents() if c.material == m and c.kind in used]
        if not srcs:
            continue
        r = rates.get(m)
        rows.append(
            {
                "material": m,
                "grams_contained": round(float(contained[j]), 4),
                "grams_recovered": round(float(recovered[j]), 4),
                "recovery_rate": r.rate if r else None,
                "to_verify": any(c.status != "published" for c in srcs)
                or (r is None or r.status != "published"),
                "sources": sorted({c.source for c in srcs} | ({r.source} if r else set())),
            }
        )
    return {
        "materials": rows,
        "devices_counted": {k: float(counts_by_kind[k]) for k in used},
        "kinds_without_data": sorted(k for k, n in counts_by_kind.items() if n and k not in kinds),
        "method": "devices shipped × grams per device × recovery rate (shredding pre-processing)",
    }


def _counts(shipments: Iterable[WeeeShipment] | Any) -> dict[str, float]:
    qs = (
        WeeeShipment.devices.through.objects.filter(weeeshipment__in=shipments)
        .values("device__kind")
        .annotate(n=Count("pk"))
    )
    return {r["device__kind"]: float(r["n"]) for r in qs}


def shipment_materials(shipment: WeeeShipment) -> dict[str, Any]:
    """Estimated materials recovered from one WEEE shipment."""
    return estimate(_counts(WeeeShipment.objects.filter(pk=shipment.pk)))


def shipments_materials(shipments: Any) -> dict[str, Any]:
    """Estimated materials recovered from a queryset of shipments (DB counts per kind)."""
    return estimate(_counts(shipments))
