"""The four demo projects: the project files in `examples/*.toml`, checked and written through
the services, plus what the files do not carry (`DEMO_ADDITIONS`)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from impactnum.io.project_toml import load_project
from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation

from .people import AGGLO, CITY

EXAMPLES_DIR = Path(__file__).resolve().parents[4] / "examples"


@dataclass(frozen=True)
class DemoProject:
    file: str
    organisation: str  # slug
    status: str = "active"


PROJECTS = (
    DemoProject("leak-detection-dataloggers.toml", AGGLO.slug),
    DemoProject("dimmable-public-lighting.toml", CITY.slug),
    DemoProject("pc-lifespan-5-to-7-years.toml", CITY.slug),
    DemoProject("refurbished-purchases.toml", CITY.slug),
)

DEMO_ADDITIONS: dict[str, dict[str, dict[str, Any]]] = {
    # file -> scenario name -> {"social": {...}, "sroi": [...]}
    "refurbished-purchases.toml": {
        "refurbished": {
            "social": {"people_equipped": 40},
            "sroi": [
                {
                    "outcome": "Foyers équipés d'un PC portable reconditionné (prix solidaire)",
                    "stakeholder": "Foyers en précarité numérique",
                    "indicator": "people_equipped",
                    # ASSUMPTION (demo): the 40 laptops the city retires each year go to the
                    # partner association, which refurbishes them and sells them at a solidarity
                    # price (REEN art. 16; CGPPP L.3212-2 3°).
                    "quantity": 40,
                    "proxy_eur": 180,
                    "proxy_source": (
                        "Plafond du prix solidaire d'un PC portable, 180 € TTC (décret du "
                        "7 nov. 2022), FACTS-rules-and-social.md §4 — hypothèse de démonstration"
                    ),
                    "deadweight": 0.1,
                    "attribution": 0.5,
                    "displacement": 0.0,
                    "drop_off": 0.33,
                    "duration_years": 3,
                }
            ],
        }
    },
}

_EQUIPMENT_KEYS = (
    "label",
    "kind",
    "quantity",
    "lifespan_years",
    "refurbished",
    "kwh_per_year",
    "active_w",
    "idle_w",
    "hours_per_day",
    "days_per_year",
    "country",
    "in_datacenter",
    "pue",
)
_NETWORK_KEYS = ("label", "kind", "gb_per_year")
_AVOIDED_KEYS = ("label", "flow", "quantity_per_year", "low", "high")
_COST_KEYS = ("capex", "opex_per_year", "avoided_costs_per_year")
# What the project files hold and the database does not (yet): sources, descriptions of
# scenarios, the country of an avoided flow and cost ranges. The calculation then uses the
# factor set's defaults for them (central costs, the set's default electricity country).


def _pick(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: row[k] for k in keys if k in row}


def _read_example(name: str) -> dict[str, Any]:
    path = EXAMPLES_DIR / name
    if not path.is_file():
        raise DomainError(f"demo: project file not found: {path} (run from a source checkout)")
    load_project(path)  # validates the file; raises ProjectFileError listing every problem
    with path.open("rb") as f:
        return tomllib.load(f)


def build_project(actor: Any, org: Organisation, spec: DemoProject) -> Any:
    from impactnum.web.projects import services as project_services

    data = _read_example(spec.file)
    head = data["project"]
    project = project_services.create_project(
        actor,
        org,
        name=head["name"],
        description=head.get("description", ""),
        status=spec.status,
        horizon_years=int(head.get("horizon_years", 5)),
        factor_set=head.get("factors", "ademe-2022@1.0.0"),
        discount_rate=head.get("discount_rate", 0.032),
    )
    additions = DEMO_ADDITIONS.get(spec.file, {})
    baseline = project.scenarios.get()
    for i, sc in enumerate(data.get("scenarios", [])):
        if i == 0:
            scenario = project_services.update_scenario(actor, baseline, name=sc["name"])
        else:
            scenario = project_services.add_scenario(actor, project, sc["name"])
        costs = _pick(sc.get("costs", {}), _COST_KEYS)
        if costs:
            project_services.update_scenario(actor, scenario, **costs)
        for row in sc.get("equipment", []):
            project_services.add_line(actor, scenario, "equipment", **_pick(row, _EQUIPMENT_KEYS))
        for row in sc.get("network", []):
            project_services.add_line(actor, scenario, "network", **_pick(row, _NETWORK_KEYS))
        for row in sc.get("avoided", []):
            project_services.add_line(actor, scenario, "avoided", **_pick(row, _AVOIDED_KEYS))
        extra = additions.get(sc["name"], {})
        social = {**sc.get("social", {}), **extra.get("social", {})}
        for code, value in social.items():
            project_services.set_social_indicator(actor, scenario, code, float(value))
        for row in [*sc.get("sroi", []), *extra.get("sroi", [])]:
            project_services.add_line(actor, scenario, "sroi", **row)
    return project
