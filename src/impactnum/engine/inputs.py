"""Inputs of the engine, as columns (one NumPy array per field, one row per equipment line).

Text fields (kind, country, grouping labels) are *categorical*: an integer code per line and a
tuple of categories, so that a million lines cost a million small integers, not strings.
`EquipmentLines.from_records` builds them from plain Python values for small inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]
BoolArray = npt.NDArray[np.bool_]
StatusArray = npt.NDArray[np.uint8]


class Status(IntEnum):
    """Where an input value comes from (Boavizta's INPUT / DEFAULT / COMPLETED)."""

    GIVEN = 0
    DERIVED = 1
    DEFAULT = 2


STATUS_NAMES = {s.value: s.name.lower() for s in Status}


@dataclass(frozen=True)
class Categorical:
    """A text column: `codes[i]` indexes `categories` (-1 = missing)."""

    codes: IntArray
    categories: tuple[str, ...]

    @classmethod
    def from_values(cls, values: Iterable[str | None]) -> Categorical:
        index: dict[str, int] = {}
        codes = []
        for v in values:
            if v is None or v == "":
                codes.append(-1)
            else:
                codes.append(index.setdefault(v, len(index)))
        return cls(np.asarray(codes, dtype=np.int32), tuple(index))

    @classmethod
    def constant(cls, value: str, n: int) -> Categorical:
        return cls(np.zeros(n, dtype=np.int32), (value,))

    def __len__(self) -> int:
        return len(self.codes)

    def values(self) -> list[str | None]:
        cats = self.categories
        return [cats[c] if c >= 0 else None for c in self.codes.tolist()]


def _floats(values: Any, n: int) -> FloatArray:
    if values is None:
        return np.full(n, np.nan)
    arr = np.asarray(values, dtype=np.float64)
    return np.broadcast_to(arr, (n,)).copy() if arr.ndim == 0 else arr


@dataclass(frozen=True)
class EquipmentLines:
    """Equipment lines, one row per line of an inventory or a project.

    Fields: `kind` (codes into engine.kinds), `quantity` (units), `lifespan_years` (NaN: take
    the kind's default), `refurbished`, `kwh_per_year` (NaN: take the kind's default use),
    `country` (ISO 3166-1 alpha-3; missing: the set's default country), `pue` (power usage
    effectiveness, 1 outside a data centre), and the status of lifespan and consumption.
    `labels` carries any grouping columns (entity, model…) for `--by`.
    """

    kind: Categorical
    quantity: FloatArray
    lifespan_years: FloatArray
    refurbished: BoolArray
    kwh_per_year: FloatArray
    country: Categorical
    pue: FloatArray
    lifespan_status: StatusArray
    kwh_status: StatusArray
    labels: Mapping[str, Categorical] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.quantity)

    @classmethod
    def from_columns(
        cls,
        kind: Categorical,
        quantity: FloatArray,
        *,
        lifespan_years: FloatArray | None = None,
        lifespan_status: StatusArray | None = None,
        refurbished: BoolArray | None = None,
        kwh_per_year: FloatArray | None = None,
        kwh_status: StatusArray | None = None,
        country: Categorical | None = None,
        pue: FloatArray | None = None,
        labels: Mapping[str, Categorical] | None = None,
    ) -> EquipmentLines:
        """Assemble lines from ready columns; missing columns take 'not given' values."""
        n = len(quantity)
        life = _floats(lifespan_years, n)
        kwh = _floats(kwh_per_year, n)
        if lifespan_status is None:
            lifespan_status = np.where(np.isnan(life), Status.DEFAULT, Status.GIVEN).astype(
                np.uint8
            )
        if kwh_status is None:
            kwh_status = np.where(np.isnan(kwh), Status.DEFAULT, Status.GIVEN).astype(np.uint8)
        return cls(
            kind=kind,
            quantity=np.asarray(quantity, dtype=np.float64),
            lifespan_years=life,
            refurbished=(
                np.zeros(n, dtype=np.bool_)
                if refurbished is None
                else np.asarray(refurbished, dtype=np.bool_)
            ),
            kwh_per_year=kwh,
            country=country if country is not None else Categorical(np.full(n, -1, np.int32), ()),
            pue=np.ones(n) if pue is None else np.where(np.isnan(pue), 1.0, pue),
            lifespan_status=lifespan_status,
            kwh_status=kwh_status,
            labels=dict(labels or {}),
        )

    @classmethod
    def from_records(
        cls, records: Sequence[Mapping[str, Any]], *, default_pue: float = 1.75
    ) -> EquipmentLines:
        """Build lines from dicts with keys named as in `docs/methodology/inputs.md`.

        Recognised keys: kind, quantity, lifespan_years, refurbished, kwh_per_year,
        active_w, idle_w, hours_per_day, days_per_year, country, in_datacenter, pue, and any
        `label` (the line's name) and `label_<name>` keys (grouping columns such as entity).
        """
        n = len(records)

        def col(name: str) -> FloatArray:
            return np.array(
                [np.nan if r.get(name) in (None, "") else float(r[name]) for r in records],
                dtype=np.float64,
            )

        kwh, kwh_status = consumption(
            col("kwh_per_year"),
            active_w=col("active_w"),
            idle_w=col("idle_w"),
            hours_per_day=col("hours_per_day"),
            days_per_year=col("days_per_year"),
        )
        in_dc = np.array([bool(r.get("in_datacenter", False)) for r in records], dtype=np.bool_)
        pue = col("pue")
        pue = np.where(in_dc & np.isnan(pue), default_pue, pue)
        # `label` names the line itself; `label_<name>` are grouping columns (entity …).
        label_keys = sorted({k for r in records for k in r if k.startswith("label")})
        return cls.from_columns(
            kind=Categorical.from_values(str(r["kind"]) for r in records),
            quantity=np.array([float(r.get("quantity", 1)) for r in records], dtype=np.float64),
            lifespan_years=col("lifespan_years"),
            refurbished=np.array([bool(r.get("refurbished", False)) for r in records]),
            kwh_per_year=kwh,
            kwh_status=kwh_status,
            country=Categorical.from_values(r.get("country") for r in records),
            pue=pue if n else np.ones(0),
            labels={
                (k.removeprefix("label_") if k != "label" else k): Categorical.from_values(
                    None if r.get(k) is None else str(r[k]) for r in records
                )
                for k in label_keys
            },
        )


def consumption(
    kwh_per_year: FloatArray,
    *,
    active_w: FloatArray,
    idle_w: FloatArray,
    hours_per_day: FloatArray,
    days_per_year: FloatArray,
    default_days_per_year: float = 365.0,
) -> tuple[FloatArray, StatusArray]:
    """Annual electricity (kWh) per unit, and its status.

    Given kWh wins; else days × (active W × hours + idle W × (24 − hours)) ÷ 1000 when active
    power and hours are given (idle defaults to 0 W, days to 365, as Boavizta does); else NaN,
    which the computation replaces by the kind's default use.
    """
    days = np.where(np.isnan(days_per_year), default_days_per_year, days_per_year)
    idle = np.where(np.isnan(idle_w), 0.0, idle_w)
    derived = days * (active_w * hours_per_day + idle * (24.0 - hours_per_day)) / 1000.0
    given = ~np.isnan(kwh_per_year)
    has_power = ~np.isnan(derived)
    kwh = np.where(given, kwh_per_year, derived)
    status = np.where(given, Status.GIVEN, np.where(has_power, Status.DERIVED, Status.DEFAULT))
    return kwh, status.astype(np.uint8)


def lifespan_from_dates(
    purchase: npt.NDArray[np.datetime64],
    retirement: npt.NDArray[np.datetime64],
    *,
    today: np.datetime64,
    real_mode: bool,
) -> FloatArray:
    """Lifespan in years from purchase and retirement dates (NaT where unknown).

    Both dates given: retirement − purchase. With `real_mode` (NumEcoEval's "REEL"), a device
    still in service (no retirement date) gets today − purchase. Otherwise NaN.
    Years are 365.25 days.
    """
    end = retirement
    if real_mode:
        end = np.where(np.isnat(retirement), today, retirement)
    days = (end - purchase).astype("timedelta64[D]").astype(np.float64)
    days[np.isnat(purchase) | np.isnat(end)] = np.nan
    return days / 365.25
