"""BoaviztAPI 2.5.0 in-process: devices per second through its own terminal route logic.

For each device we do what `POST /v1/terminal/{kind}` (and `/v1/peripheral/monitor`) does once
FastAPI has parsed the request: validate the JSON body into the route's pydantic DTO
(`Laptop`, `Desktop`, `Monitor`, `Smartphone`, `Tablet`), then await the route's coroutine
`boaviztapi.routers.terminal_router.user_terminal_impact` (archetype lookup,
`mapper_user_terminal`, `compute_impacts`, and `verbose_device` when verbose). No HTTP, no
network: this is BoaviztAPI's best case, without JSON serialisation or a web server.

Two variants are timed:
- `route_default`: the route's defaults (verbose=True, criteria gwp, adp, pe);
- `compute_only`: verbose=False and the four criteria impactnum computes (gwp, adp, pe, wu).
Both use duration = 8,760 h (one year, as impactnum's annual view) and usage_location FRA.

boaviztapi is AGPL-3.0 and only a development extra ('crosscheck'): the product never imports it.
"""

from __future__ import annotations

import asyncio
import os
import time
from importlib import metadata
from typing import Any

# Make sure BoaviztAPI's own defaults apply (no BOAVIZTA_* overrides from the environment).
for _var in ("BOAVIZTA_DEFAULT_LOCATION", "BOAVIZTAPI_USE_TEST_DATA"):
    os.environ.pop(_var, None)

# Our kind → (route, DTO class in boaviztapi.dto.device.user_terminal, default archetype).
DEVICES: dict[str, tuple[str, str, str]] = {
    "laptop": ("/v1/terminal/laptop", "Laptop", "laptop-pro"),
    "desktop": ("/v1/terminal/desktop", "Desktop", "desktop-pro"),
    "monitor": ("/v1/peripheral/monitor", "Monitor", "monitor-default"),
    "smartphone": ("/v1/terminal/smartphone", "Smartphone", "smartphone-default"),
    "tablet": ("/v1/terminal/tablet", "Tablet", "tablet-default"),
}
HOURS_PER_YEAR = 8760.0


def _bodies(size: int) -> list[tuple[str, dict[str, Any]]]:
    """`size` request bodies, cycling over the kinds; a third give a use time ratio."""
    kinds = list(DEVICES)
    out = []
    for i in range(size):
        usage: dict[str, Any] = {"usage_location": "FRA"}
        if i % 3 == 0:
            usage["use_time_ratio"] = 0.25 + (i % 7) / 20
        out.append((kinds[i % len(kinds)], {"usage": usage}))
    return out


async def _run_all(
    bodies: list[tuple[str, dict[str, Any]]], verbose: bool, criteria: list[str]
) -> int:
    import boaviztapi.dto.device.user_terminal as ut
    from boaviztapi.routers.terminal_router import user_terminal_impact

    done = 0
    for kind, body in bodies:
        _, dto_name, archetype = DEVICES[kind]
        dto = getattr(ut, dto_name).model_validate(body)
        result = await user_terminal_impact(
            user_terminal_dto=dto,
            archetype=archetype,
            verbose=verbose,
            duration=HOURS_PER_YEAR,
            criteria=criteria,
        )
        done += bool(result["impacts"])
    return done


def _time_variant(size: int, verbose: bool, criteria: list[str]) -> dict[str, Any]:
    bodies = _bodies(size)
    asyncio.run(_run_all(bodies[: min(len(bodies), 10)], verbose, criteria))  # warm caches
    t0 = time.perf_counter()
    done = asyncio.run(_run_all(bodies, verbose, criteria))
    elapsed = time.perf_counter() - t0
    return {
        "devices": done,
        "seconds": elapsed,
        "devices_per_s": done / elapsed if elapsed > 0 else float("inf"),
        "verbose": verbose,
        "criteria": criteria,
    }


def run(size: int = 2_000) -> dict[str, Any]:
    """Time BoaviztAPI on `size` terminals at FRA; return devices per second for each variant."""
    from boaviztapi import config

    if config.default_location != "EEE":  # a .env file or BOAVIZTA_* variable changed it
        raise RuntimeError(f"boaviztapi default_location is {config.default_location!r}")
    return {
        "boaviztapi_version": metadata.version("boaviztapi"),
        "kinds": list(DEVICES),
        "routes": sorted({r for r, _, _ in DEVICES.values()}),
        "route_default": _time_variant(size, True, list(config.default_criteria)),
        "compute_only": _time_variant(size, False, ["gwp", "adp", "pe", "wu"]),
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000), indent=2))
