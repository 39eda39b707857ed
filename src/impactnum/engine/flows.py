"""Avoided flows ("IT for green"): what a project saves, the one list of them.

Each flow has its own factors per criterion (family `avoided` in a factor set) and a price
per unit (parameter `price.<code>`) for the economic side. Electricity is special: its
factors are the electricity mix of the project's country, as for the use phase.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Flow:
    code: str
    unit: str
    label_fr: str
    label_en: str


AVOIDED_FLOWS: tuple[Flow, ...] = (
    Flow("electricity", "kWh", "Électricité", "Electricity"),
    Flow("drinking_water", "m3", "Eau potable produite et distribuée", "Drinking water"),
    Flow("diesel", "L", "Gazole", "Diesel fuel"),
    Flow("petrol", "L", "Essence", "Petrol"),
    Flow("vehicle_km", "km", "Kilomètres en véhicule utilitaire", "Van kilometres"),
    Flow("paper", "kg", "Papier", "Paper"),
)

FLOW_CODES: tuple[str, ...] = tuple(f.code for f in AVOIDED_FLOWS)

NETWORK_KINDS: tuple[str, ...] = ("fixed", "mobile")
