"""Run BoaviztAPI 2.5.0 in-process and write the golden file the factor-set tests compare to.

    .venv/bin/python scripts/boavizta_golden.py
    # writes tests/factors/golden/boaviztapi-2.5.0.json

This module is also imported (by path) by `scripts/extract_boavizta.py`, which needs
BoaviztAPI's own computed results for the default server and for our IoT archetypes, and by
the live cross-check test `tests/factors/test_boavizta_set.py`. It never uses the network:
it builds BoaviztAPI's models through the same DTO mappers its HTTP routes use
(`mapper_user_terminal`, `mapper_server`, `mapper_iot_device`) and calls its own
`compute_impacts`, then reads the raw, unrounded `Impact` objects (the HTTP output is rounded
from the min/max spread, see Boavizta/boaviztapi#514).

boaviztapi is AGPL-3.0: it is an optional development dependency ('crosscheck' extra) and is
never imported by the product at run time.
"""

from __future__ import annotations

import json
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

BOAVIZTAPI_VERSION = "2.5.0"
ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "factors" / "golden" / f"boaviztapi-{BOAVIZTAPI_VERSION}.json"

# BoaviztAPI criteria we read, and our criterion codes for them (engine/criteria.py).
CRITERIA: dict[str, str] = {"gwp": "gwp", "adpe": "adpe", "pe": "pe", "wu": "water"}
PHASES = ("embedded", "use")
HOURS_PER_YEAR = 8760.0
GOLDEN_COUNTRIES = ("FRA", "DEU")

# Our kind code → (BoaviztAPI DTO class in boaviztapi.dto.device.user_terminal, archetype id).
TERMINALS: dict[str, tuple[str, str]] = {
    "laptop": ("Laptop", "laptop-pro"),
    "desktop": ("Desktop", "desktop-pro"),
    "monitor": ("Monitor", "monitor-default"),
    "smartphone": ("Smartphone", "smartphone-default"),
    "tablet": ("Tablet", "tablet-default"),
    "television": ("Television", "tv-pro"),
    "box": ("Box", "box-default"),
}
SERVER_ARCHETYPE = "platform_compute_medium"

# Our IoT archetypes (ASSUMPTION, documented in docs/methodology/boavizta-2.5.md): functional
# blocks and their hardware specification level (HSL) in BoaviztAPI's IoT model (Pirson & Bol
# 2021, adapted to all criteria by TIDE), plus usage. Blocks not listed are absent.
IOT_ARCHETYPES: dict[str, dict[str, Any]] = {
    "iot_datalogger": {
        "description": (
            "Water-network leak-detection datalogger (acoustic/pressure logger clamped on a "
            "valve or hydrant, NB-IoT/LTE-M, primary lithium battery, IP68 housing)"
        ),
        "blocks": {
            "CASING": "HSL-2",  # rugged IP68 housing for a valve chamber
            "CONNECTIVITY": "HSL-2",  # cellular LPWAN module (NB-IoT/LTE-M) + SIM
            "PROCESSING": "HSL-1",  # low-power microcontroller
            "MEMORY": "HSL-1",  # small flash for buffered recordings
            "SENSING": "HSL-2",  # hydrophone/accelerometer and pressure sensor
            "POWER_SUPPLY": "HSL-1",  # primary battery, no mains adapter
            "PCB": "HSL-1",  # one small board
            "OTHERS": "HSL-1",  # external antenna, cable, connectors
        },
        "hours_life_time": 10 * HOURS_PER_YEAR,  # battery life announced by vendors: 5-10 years
        "avg_power_w": (0.0, 0.0, 0.0),  # battery powered: no grid electricity
        "use_time_ratio": 1.0,
    },
    "iot_sensor": {
        "description": (
            "Generic battery-powered LPWAN sensor (e.g. LoRaWAN temperature, occupancy or "
            "level sensor)"
        ),
        "blocks": {
            "CASING": "HSL-1",
            "CONNECTIVITY": "HSL-1",  # short-range/LPWAN radio (LoRa, Sigfox, BLE)
            "PROCESSING": "HSL-1",
            "SENSING": "HSL-2",  # a few MEMS sensors
            "POWER_SUPPLY": "HSL-1",  # battery
            "PCB": "HSL-1",
        },
        "hours_life_time": 5 * HOURS_PER_YEAR,
        "avg_power_w": (0.0, 0.0, 0.0),
        "use_time_ratio": 1.0,
    },
    "iot_controller": {
        "description": (
            "Public-lighting luminaire controller (NEMA/Zhaga node on the luminaire, mains "
            "powered, LTE-M or mesh radio, relay and 0-10 V/DALI dimming, light sensor and "
            "energy metering); the luminaire itself is not included"
        ),
        "blocks": {
            "CASING": "HSL-2",  # outdoor UV-resistant housing with twist-lock socket
            "CONNECTIVITY": "HSL-2",  # cellular LPWAN or sub-GHz mesh module
            "PROCESSING": "HSL-2",  # higher-end microcontroller (schedules, metering)
            "MEMORY": "HSL-1",
            "SENSING": "HSL-1",  # photocell, energy metering
            "ACTUATORS": "HSL-1",  # relay and dimming output
            "POWER_SUPPLY": "HSL-2",  # mains AC/DC converter
            "PCB": "HSL-2",
            "OTHERS": "HSL-1",
        },
        "hours_life_time": 12 * HOURS_PER_YEAR,
        "avg_power_w": (1.0, 0.5, 2.0),  # node standby/active draw, luminaire excluded
        "use_time_ratio": 1.0,
    },
}


def _prepare_environment() -> None:
    """BoaviztAPI reads settings from BOAVIZTA_* variables: make sure its defaults apply."""
    for var in ("BOAVIZTA_DEFAULT_LOCATION", "BOAVIZTAPI_USE_TEST_DATA"):
        os.environ.pop(var, None)


def check_boaviztapi() -> dict[str, str]:
    """Import boaviztapi, check version and settings, return facts about the installation."""
    _prepare_environment()
    import boaviztapi
    from boaviztapi import config, data_dir, data_dir_prod

    version = metadata.version("boaviztapi")
    if version != BOAVIZTAPI_VERSION:
        raise RuntimeError(f"boaviztapi {BOAVIZTAPI_VERSION} required, found {version}")
    if config.default_location != "EEE":
        raise RuntimeError(
            f"boaviztapi default_location is {config.default_location!r} (a BOAVIZTA_* setting "
            "or a .env file in the working directory); it must be EEE for the reference runs"
        )
    if os.path.realpath(data_dir) != os.path.realpath(data_dir_prod):
        raise RuntimeError(f"boaviztapi uses test data ({data_dir}), not its shipped data")
    return {
        "version": version,
        "data_dir": data_dir,
        "package": os.path.dirname(boaviztapi.__file__),
    }


def _impact_dict(impact: Any) -> dict[str, Any] | None:
    if impact is None:
        return None
    return {
        "value": float(impact.value),
        "min": float(impact.min),
        "max": float(impact.max),
        "warnings": sorted(set(impact.warnings)),
    }


def _read(model: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for bz in CRITERIA:
        phases = model.impacts.get(bz, {})
        out[bz] = {ph: _impact_dict(phases.get(ph)) for ph in PHASES}
    return out


def _usage_inputs(usage: Any) -> dict[str, Any]:
    def att(a: Any) -> Any:
        if a is None or a.value is None:
            return None
        return {"value": a.value, "min": a.min, "max": a.max, "status": a.status.value}

    return {
        "usage_location": usage.usage_location.value,
        "hours_life_time": att(usage.hours_life_time),
        "use_time_ratio": att(usage.use_time_ratio),
        "avg_power_w": att(usage.avg_power),
    }


def run_terminal(
    kind: str, country: str, duration: float | None = HOURS_PER_YEAR
) -> dict[str, Any]:
    """BoaviztAPI's terminal/peripheral route logic for one of our kinds, default archetype."""
    check_boaviztapi()
    import boaviztapi.dto.device.user_terminal as ut
    from boaviztapi.compute.impacts_computation import compute_impacts
    from boaviztapi.data.archetype import get_user_terminal_archetype
    from boaviztapi.dto.usage import Usage

    dto_name, archetype = TERMINALS[kind]
    dto = getattr(ut, dto_name)(usage=Usage(usage_location=country))
    model = ut.mapper_user_terminal(dto, archetype=get_user_terminal_archetype(archetype))
    if duration is None:
        duration = model.usage.hours_life_time.value
    compute_impacts(model=model, selected_criteria=list(CRITERIA), duration=duration)
    return {
        "kind": kind,
        "route": f"{'peripheral' if kind == 'monitor' else 'terminal'}/{dto_name.lower()}",
        "archetype": archetype,
        "archetype_origin": "boaviztapi default",
        "inputs": {"duration_h": duration, **_usage_inputs(model.usage)},
        "impacts": _read(model),
    }


def run_server(country: str, duration: float | None = HOURS_PER_YEAR) -> dict[str, Any]:
    """BoaviztAPI's server route for its default archetype (bottom-up model where it has one)."""
    check_boaviztapi()
    from boaviztapi.compute.impacts_computation import compute_impacts
    from boaviztapi.data.archetype import get_server_archetype
    from boaviztapi.dto.device.device import Server, mapper_server
    from boaviztapi.dto.usage.usage import UsageServer

    model = mapper_server(
        Server(usage=UsageServer(usage_location=country)),
        archetype=get_server_archetype(SERVER_ARCHETYPE),
    )
    if duration is None:
        duration = model.usage.hours_life_time.value
    compute_impacts(model=model, selected_criteria=list(CRITERIA), duration=duration)
    return {
        "kind": "server",
        "route": "server",
        "archetype": SERVER_ARCHETYPE,
        "archetype_origin": "boaviztapi default",
        "inputs": {"duration_h": duration, **_usage_inputs(model.usage)},
        "impacts": _read(model),
    }


def iot_archetype(kind: str) -> dict[str, Any]:
    """Our IoT archetype as a BoaviztAPI archetype, built from a row in the format of
    `boaviztapi/data/archetypes/iot_device.csv` by BoaviztAPI's own parser.

    An archetype (not the request's `usage`) is needed for the lifetime: BoaviztAPI 2.5.0
    allocates each functional block's embedded impact over the *archetype's*
    `hours_life_time` (blocks take their usage from the archetype), so a lifetime given only
    in the request body would change `use` but not the embedded allocation.
    """
    from boaviztapi.data.archetype import row2json

    spec = IOT_ARCHETYPES[kind]
    blocks = (
        "ACTUATORS",
        "CASING",
        "CONNECTIVITY",
        "MEMORY",
        "OTHERS",
        "PCB",
        "POWER_SUPPLY",
        "PROCESSING",
        "SECURITY",
        "SENSING",
        "USER_INTERFACE",
    )
    unknown = set(spec["blocks"]) - set(blocks)
    if unknown:
        raise KeyError(f"{kind}: unknown functional block(s) {sorted(unknown)}")
    p, pmin, pmax = spec["avg_power_w"]
    row = {"id": kind}
    row.update({f"{b}.hsl_level": spec["blocks"].get(b, "") for b in blocks})
    row["USAGE.use_time_ratio"] = repr(float(spec["use_time_ratio"]))
    row["USAGE.hours_life_time"] = repr(float(spec["hours_life_time"]))
    row["USAGE.avg_power"] = f"{p!r};{pmin!r};{pmax!r}"
    return row2json(row)


def run_iot(kind: str, country: str, duration: float | None = HOURS_PER_YEAR) -> dict[str, Any]:
    """BoaviztAPI's IoT route (functional blocks) for one of our IoT archetypes."""
    check_boaviztapi()
    from boaviztapi.compute.impacts_computation import compute_impacts
    from boaviztapi.dto.device.iot import IoT, mapper_iot_device
    from boaviztapi.dto.usage import Usage

    spec = IOT_ARCHETYPES[kind]
    model = mapper_iot_device(
        IoT(usage=Usage(usage_location=country)), archetype=iot_archetype(kind)
    )
    if duration is None:
        duration = model.usage.hours_life_time.value
    compute_impacts(model=model, selected_criteria=list(CRITERIA), duration=duration)
    return {
        "kind": kind,
        "route": "iot/iot_device",
        "archetype": f"{kind} (impactnum assumption, docs/methodology/boavizta-2.5.md)",
        "archetype_origin": "impactnum assumption",
        "functional_blocks": dict(spec["blocks"]),
        "inputs": {"duration_h": duration, **_usage_inputs(model.usage)},
        "impacts": _read(model),
    }


def run(kind: str, country: str, duration: float | None = HOURS_PER_YEAR) -> dict[str, Any]:
    if kind in TERMINALS:
        return run_terminal(kind, country, duration)
    if kind == "server":
        return run_server(country, duration)
    if kind in IOT_ARCHETYPES:
        return run_iot(kind, country, duration)
    raise KeyError(f"no BoaviztAPI run defined for kind {kind!r}")


ALL_KINDS: tuple[str, ...] = (*TERMINALS, "server", *IOT_ARCHETYPES)


def golden(countries: tuple[str, ...] = GOLDEN_COUNTRIES) -> dict[str, Any]:
    facts = check_boaviztapi()
    return {
        "generator": "scripts/boavizta_golden.py",
        "boaviztapi_version": facts["version"],
        "note": (
            "Raw, unrounded BoaviztAPI results computed in-process (no HTTP rounding), one device, "
            "duration 8760 h (one year). 'embedded' is BoaviztAPI's embedded impact allocated "
            "over the year (E x min(1, duration / hours_life_time)); 'use' is "
            "F_elec x avg_power x use_time_ratio x duration. None = not implemented by "
            "BoaviztAPI for that criterion. BoaviztAPI criterion 'wu' is our 'water'."
        ),
        "criteria_map": CRITERIA,
        "runs": [run(kind, c) for kind in ALL_KINDS for c in countries],
    }


def main() -> int:
    data = golden()
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(ROOT)} ({len(data['runs'])} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
