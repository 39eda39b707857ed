"""Legal caps on what a public body's devices may be given or sold for (editable data).

`data/caps.csv` ships the figures with their source; a device is capped only when its lot came
from a public body (CGPPP L.3212-2 / L.3212-3, décret of 7 Nov 2022).
"""

import csv
import functools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

CAPS_FILE = Path(__file__).with_name("data") / "caps.csv"
SOLIDARITY_PRICE = "solidarity_price"
DONATION_UNIT_VALUE = "donation_unit_value"


@dataclass(frozen=True)
class Cap:
    rule: str
    kind: str
    value_eur: Decimal
    source: str
    status: str


@functools.cache
def all_caps() -> tuple[Cap, ...]:
    with open(CAPS_FILE, encoding="utf-8", newline="") as f:
        return tuple(
            Cap(r["rule"], r["kind"], Decimal(r["value_eur"]), r["source"], r["status"])
            for r in csv.DictReader(f)
        )


def cap_for(rule: str, kind: str) -> Cap | None:
    """The cap of a rule for a kind (a `*` row applies to every kind), or None."""
    exact = [c for c in all_caps() if c.rule == rule and c.kind == kind]
    generic = [c for c in all_caps() if c.rule == rule and c.kind == "*"]
    return (exact or generic or [None])[0]
