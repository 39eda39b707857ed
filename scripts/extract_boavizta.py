"""Generate the `boavizta-2.5` factor set from BoaviztAPI 2.5.0's own data files.

    .venv/bin/python scripts/extract_boavizta.py [--check]

Run by developers, never at run time. Reads the installed boaviztapi 2.5.0 package
('crosscheck' extra): `data/factors.yml` (the factors BoaviztAPI computes with: terminal and
peripheral embedded factors, electricity factors of every country/zone, IoT functional-block
factors), cross-checked against `data/crowdsourcing/ademe_base_impacts_negaoctet.csv` and
`data/crowdsourcing/iot_factors_tide.csv`; the archetypes `data/archetypes/user_terminal.csv`
and `server.csv`. The default server's and our IoT archetypes' embedded factors are BoaviztAPI's
own results, computed in-process (scripts/boavizta_golden.py).

Writes src/impactnum/factors/boavizta-2.5/2.5.0/{SOURCE.toml,factors.csv,kinds.csv,
parameters.csv} in the format of docs/methodology/factor-sets.md. With --check, writes nothing
and fails if the committed files differ from what would be generated.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import math
import sys
import tomllib
from pathlib import Path
from typing import Any

from impactnum.engine.factorset import FACTOR_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
SET_NAME = "boavizta-2.5"
SET_VERSION = "2.5.0"
OUT = ROOT / "src" / "impactnum" / "factors" / SET_NAME / SET_VERSION
HOURS_PER_YEAR = 8760.0


def _load_runner() -> Any:
    spec = importlib.util.spec_from_file_location(
        "boavizta_golden", Path(__file__).with_name("boavizta_golden.py")
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["boavizta_golden"] = mod
    spec.loader.exec_module(mod)
    return mod


bg = _load_runner()

UNITS = {"gwp": "kgCO2e", "adpe": "kgSbeq", "pe": "MJ", "water": "m3"}

# factors.yml item for each terminal kind, and the archetype `type` (None: no sub-type).
TERMINAL_ITEMS = {
    "laptop": ("LAPTOP", "pro"),
    "desktop": ("DESKTOP", "pro"),
    "monitor": ("MONITOR", None),
    "smartphone": ("SMARTPHONE", None),
    "tablet": ("TABLET", None),
    "television": ("TELEVISION", "pro"),
    "box": ("BOX", None),
}
# Row of ademe_base_impacts_negaoctet.csv (Category, type) for each kind, for the cross-check.
CSV_ROWS = {
    "laptop": ("Laptop", "pro"),
    "desktop": ("Desktop", "pro"),
    "monitor": ("Monitor", ""),
    "smartphone": ("Smartphone", ""),
    "tablet": ("Tablet", ""),
    "television": ("Television", "pro"),
    "box": ("Box", ""),
    "server": ("Server", ""),
}
CSV_COLUMNS = {"gwp": "GWP", "adpe": "ADPe", "wu": "WU"}

# Electricity: Boavizta's `source` text → our source id.
WRI_URL = (
    "https://www.wri.org/data/dataset-guidance-calculating-water-use-embedded-purchased-electricity"
)
ELEC_SOURCES = {
    "https://www.sciencedirect.com/science/article/pii/S0306261921012149": (
        "boavizta-elec-applied-energy-2021"
    ),
    "https://ember-climate.org/data/data-explorer": "boavizta-elec-ember-2020",
    "ADEME Base IMPACTS ®": "boavizta-elec-ademe-base-impacts",
    "Average of all country in the csv": "boavizta-elec-world-average",
    "ADPf / (1-%renewable_energy)": "boavizta-elec-pe-derived",
    WRI_URL: "boavizta-elec-wri-2020",
}

NEGATIVE_WATER_NOTE = (
    "negative value published by Boavizta 2.5.0 — data-quality problem, see Boavizta/boaviztapi#548"
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def num(x: float) -> str:
    """Shortest round-trip text of a float (no rounding of published values)."""
    x = float(x)
    if x == 0:
        return "0.0"
    return repr(x)


def french_float(text: str) -> float:
    return float(text.replace(",", "."))


def read_inputs(pkg: Path) -> dict[str, Any]:
    import yaml

    data = pkg / "data"
    files = {
        "factors.yml": data / "factors.yml",
        "ademe_base_impacts_negaoctet.csv": data
        / "crowdsourcing"
        / "ademe_base_impacts_negaoctet.csv",
        "iot_factors_tide.csv": data / "crowdsourcing" / "iot_factors_tide.csv",
        "user_terminal.csv": data / "archetypes" / "user_terminal.csv",
        "server.csv": data / "archetypes" / "server.csv",
        "iot_device.csv": data / "archetypes" / "iot_device.csv",
    }
    factors = yaml.load(files["factors.yml"].read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    with open(files["ademe_base_impacts_negaoctet.csv"], encoding="utf-8", newline="") as f:
        negaoctet = {(r["Category"], r["type"]): r for r in csv.DictReader(f)}
    with open(files["user_terminal.csv"], encoding="utf-8", newline="") as f:
        terminals = {r["id"]: r for r in csv.DictReader(f)}
    return {
        "files": files,
        "checksums": {name: sha256(p) for name, p in files.items()},
        "factors": factors,
        "negaoctet": negaoctet,
        "terminals": terminals,
    }


def triple(text: str) -> tuple[float, float, float]:
    """An archetype cell 'default;min;max' (or a single value)."""
    parts = [float(p) for p in text.split(";")]
    if len(parts) == 1:
        return parts[0], parts[0], parts[0]
    if len(parts) == 2:
        return parts[0], min(parts), max(parts)
    return parts[0], parts[1], parts[2]


def terminal_embedded(inp: dict[str, Any], kind: str, bz: str) -> float:
    item, sub = TERMINAL_ITEMS[kind]
    entry = inp["factors"][item][bz]
    value = float((entry[sub] if sub else entry)["impact"])
    # Cross-check with the crowdsourced CSV the YAML was built from.
    row = inp["negaoctet"][CSV_ROWS[kind]]
    published = french_float(row[CSV_COLUMNS[bz]])
    if not math.isclose(value, published, rel_tol=1e-9):
        raise SystemExit(
            f"{kind} {bz}: factors.yml {value} != ademe_base_impacts_negaoctet.csv {published}"
        )
    return value


def build(inp: dict[str, Any], pkg: Path) -> dict[str, str]:
    factor_rows: list[list[str]] = []
    kind_rows: list[list[str]] = []

    def factor(
        key: str,
        crit: str,
        value: float,
        low: float | None,
        high: float | None,
        source: str,
        note: str,
        family: str = "device",
        phase: str = "manufacture",
        per: str = "device",
    ) -> None:
        factor_rows.append(
            [
                family,
                key,
                phase,
                crit,
                num(value),
                "" if low is None else num(low),
                "" if high is None else num(high),
                f"{UNITS[crit]}/{per}",
                source,
                note,
            ]
        )

    # --- terminals and peripherals: ADEME Base IMPACTS / NegaOctet embedded factors ---
    for kind, (_dto, archetype) in bg.TERMINALS.items():
        item, sub = TERMINAL_ITEMS[kind]
        where = f"factors.yml {item}.<criterion>{'.' + sub if sub else ''}.impact"
        for bz, ours in (("gwp", "gwp"), ("adpe", "adpe"), ("wu", "water")):
            v = terminal_embedded(inp, kind, bz)
            note = (
                f"Boavizta embedded (manufacture + distribution + end of life) {v:g} "
                f"{UNITS[ours]} for archetype {archetype}, read from {where}; "
                "mapped to manufacture; no range published"
            )
            if ours == "water":
                note = (
                    (f"{NEGATIVE_WATER_NOTE}. " if v < 0 else "")
                    + note
                    + (
                        "; PEF water use (m3 world eq.), not the same method as the electricity "
                        "water factor (WRI m3/kWh)"
                    )
                )
            factor(kind, ours, v, None, None, "boavizta-terminals-negaoctet", note)
        a = inp["terminals"][archetype]
        hours = float(a["USAGE.hours_life_time"])
        ratio = float(a["USAGE.use_time_ratio"])
        p, pmin, pmax = triple(a["USAGE.avg_power"])
        kind_rows.append(
            [
                kind,
                num(hours / HOURS_PER_YEAR),
                num(p * ratio * HOURS_PER_YEAR / 1000.0),
                num(pmin * ratio * HOURS_PER_YEAR / 1000.0),
                num(pmax * ratio * HOURS_PER_YEAR / 1000.0),
                "boaviztapi-archetypes",
                f"archetype {archetype}: hours_life_time {hours:g} h; avg_power {p:g} W "
                f"({pmin:g}-{pmax:g}) x use_time_ratio {ratio:g} x 8760 h",
            ]
        )

    # --- default server: BoaviztAPI's own result (whole life: duration = hours_life_time) ---
    srv = bg.run_server("FRA", duration=None)
    imp = srv["impacts"]
    hours = srv["inputs"]["hours_life_time"]["value"]
    power = srv["inputs"]["avg_power_w"]
    ratio = srv["inputs"]["use_time_ratio"]["value"]
    generic = inp["factors"]["SERVER"]
    for bz, ours in (("gwp", "gwp"), ("adpe", "adpe"), ("wu", "water")):
        e = imp[bz]["embedded"]
        fallback = "Generic data used for impact calculation." in e["warnings"]
        if fallback:
            g = float(generic[bz]["impact"])
            assert math.isclose(e["value"], g), (bz, e, g)
            method = (
                f"BoaviztAPI falls back to the generic ADEME SERVER factor for {bz} "
                f"(factors.yml SERVER.{bz}.impact = {g:g}); no range"
            )
            low = high = None
            source = "boavizta-server-generic"
        else:
            method = (
                f"BoaviztAPI bottom-up model (CPU, RAM, SSD, power supply, case, "
                f"motherboard, assembly; end of life not included) for archetype "
                f"{bg.SERVER_ARCHETYPE}, computed in-process over the whole life "
                f"({hours:g} h); range = BoaviztAPI min/max from the component ranges"
            )
            low, high = e["min"], e["max"]
            source = "boavizta-server-bottom-up"
        note = f"server {bz} embedded {e['value']:.6g}: {method}; mapped to manufacture"
        if bz == "adpe":
            note += (
                "; the bottom-up model computes 'adp' (minerals and fossil), not 'adpe', "
                "so BoaviztAPI's adpe is the generic factor"
            )
        if ours == "water":
            note = (f"{NEGATIVE_WATER_NOTE}. " if e["value"] < 0 else "") + note
        factor("server", ours, e["value"], low, high, source, note)
    pe_whole = imp["pe"]["embedded"]
    kind_rows.append(
        [
            "server",
            num(hours / HOURS_PER_YEAR),
            num(power["value"] * ratio * HOURS_PER_YEAR / 1000.0),
            num(power["min"] * ratio * HOURS_PER_YEAR / 1000.0),
            num(power["max"] * ratio * HOURS_PER_YEAR / 1000.0),
            "boavizta-server-bottom-up",
            f"archetype {bg.SERVER_ARCHETYPE}: hours_life_time {hours:g} h; avg_power "
            f"{power['value']:.6g} W ({power['min']:.6g}-{power['max']:.6g}) modelled by "
            f"BoaviztAPI (CPU/RAM consumption profiles, workload 50 % (0-100 %)) x use_time_ratio "
            f"{ratio:g} x 8760 h; no PUE in BoaviztAPI (bottom-up embedded pe "
            f"{pe_whole['value']:.6g} MJ is not shipped: embedded pe is not covered by this set)",
        ]
    )

    # --- IoT: BoaviztAPI's functional-block model on our archetypes (assumption) ---
    for kind, spec in bg.IOT_ARCHETYPES.items():
        run = bg.run_iot(kind, "FRA", duration=None)
        blocks = ", ".join(f"{b} {lvl}" for b, lvl in spec["blocks"].items())
        for bz, ours in (("gwp", "gwp"), ("adpe", "adpe"), ("wu", "water")):
            e = run["impacts"][bz]["embedded"]
            factor(
                kind,
                ours,
                e["value"],
                None,
                None,
                "boavizta-iot-tide",
                f"BoaviztAPI IoT model (sum of functional blocks, manufacture + end of life, "
                f"distribution not included) on our archetype: {blocks}; mapped to "
                f"manufacture; no range",
            )
        hours = spec["hours_life_time"]
        p, pmin, pmax = spec["avg_power_w"]
        ratio = spec["use_time_ratio"]
        kind_rows.append(
            [
                kind,
                num(hours / HOURS_PER_YEAR),
                num(p * ratio * HOURS_PER_YEAR / 1000.0),
                num(pmin * ratio * HOURS_PER_YEAR / 1000.0),
                num(pmax * ratio * HOURS_PER_YEAR / 1000.0),
                "impactnum-iot-archetypes",
                f"assumption: {spec['description']}; life {hours / HOURS_PER_YEAR:g} years; "
                f"avg_power {p:g} W ({pmin:g}-{pmax:g}) x use_time_ratio {ratio:g} x 8760 h"
                + ("; battery powered, no grid electricity" if p == 0 else ""),
            ]
        )

    # --- electricity: every country/zone of factors.yml ---
    elec = inp["factors"]["electricity"]
    zones = sorted(k for k in elec if k not in ("min-max", "available_countries"))
    for zone in zones:
        entry = elec[zone]
        for bz, ours in (("gwp", "gwp"), ("adpe", "adpe"), ("pe", "pe"), ("wu", "water")):
            f = entry.get(bz)
            if not f or f.get("value") is None:
                continue
            src = ELEC_SOURCES[str(f["source"]).strip()]
            note = (
                f"{entry.get('country', '').strip()}: factors.yml electricity.{zone}.{bz} "
                f"(reference year {f.get('reference_year', '')}; unit in Boavizta "
                f"'{f.get('unit', '')}'); no range published for a given location"
            )
            factor(
                zone,
                ours,
                float(f["value"]),
                None,
                None,
                src,
                note,
                family="electricity",
                phase="use",
                per="kWh",
            )

    # --- parameters ---
    param_rows = [
        [
            "pue_default",
            "1.75",
            "",
            "",
            "ratio",
            "numecoeval-pue",
            "PUE of a data centre that gives none (NumEcoEval default); BoaviztAPI itself applies "
            "no PUE to a server",
        ],
        [
            "range.device",
            "0.3",
            "",
            "",
            "fraction",
            "impactnum-range-device",
            "assumption: ±30 % on embedded factors published without a range (all Boavizta "
            "terminal, IoT and generic factors), between Weber 2012's ±15 % (server production) "
            "and ±35 % (whole life)",
        ],
        [
            "range.electricity",
            "0.1",
            "",
            "",
            "fraction",
            "impactnum-range-electricity",
            "assumption: ±10 % on electricity factors (measured physical factors; Boavizta gives "
            "no range for a known location)",
        ],
        [
            "refurbished.original_manufacture_share",
            "0.1",
            "0.0",
            "0.25",
            "fraction",
            "impactnum-refurbished-calibration",
            "assumption: share of the original manufacture charged to a refurbished device; with "
            "process share 0.1, a refurbished laptop avoids (1 - 0.2) x 170.3 / 5 = 27.2 kgCO2e/yr "
            "with ADEME figures (ADEME/NegaOctet 2022: 27 kgCO2e/yr)",
        ],
        [
            "refurbished.process_share",
            "0.1",
            "0.05",
            "0.2",
            "fraction",
            "impactnum-refurbished-calibration",
            "assumption: refurbishment's own impacts (parts, transport, process) as a share of "
            "the new device's manufacture; same calibration",
        ],
    ]

    def to_csv(header: list[str], rows: list[list[str]]) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
        return buf.getvalue()

    files = {
        "factors.csv": to_csv(
            [*FACTOR_COLUMNS, "note"],
            factor_rows,
        ),
        "kinds.csv": to_csv(
            ["kind", "lifespan_years", "kwh_per_year", "kwh_low", "kwh_high", "source", "note"],
            kind_rows,
        ),
        "parameters.csv": to_csv(
            ["name", "value", "low", "high", "unit", "source", "note"], param_rows
        ),
    }
    files["SOURCE.toml"] = source_toml(
        inp, pkg, {n: hashlib.sha256(t.encode()).hexdigest() for n, t in files.items()}
    )
    tomllib.loads(files["SOURCE.toml"])  # must parse
    return files


def q(s: str) -> str:
    """A TOML basic string."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def source_toml(inp: dict[str, Any], pkg: Path, checksums: dict[str, str]) -> str:
    up = inp["checksums"]
    wheel = "boaviztapi 2.5.0 (PyPI wheel), boaviztapi/data/"

    def where(*names: str) -> str:
        return "; ".join(
            f"{wheel}{inp['files'][n].relative_to(pkg / 'data')} (sha256 {up[n]})" for n in names
        )

    sources: list[tuple[str, dict[str, Any]]] = [
        (
            "boavizta-terminals-negaoctet",
            {
                "title": "Terminal and peripheral embedded factors (ADEME Base IMPACTS / Base "
                "Empreinte, NegaOctet) as shipped in BoaviztAPI 2.5.0",
                "url": "https://base-empreinte.ademe.fr/",
                "where": where("factors.yml", "ademe_base_impacts_negaoctet.csv"),
                "year": 2022,
                "licence": "ADEME Base IMPACTS / Base Empreinte reuse terms (to verify); "
                "BoaviztAPI code AGPL-3.0",
                "status": "published",
            },
        ),
        (
            "boaviztapi-archetypes",
            {
                "title": "BoaviztAPI 2.5.0 default archetypes "
                "(lifetime, average power, use time ratio)",
                "url": "https://pypi.org/project/boaviztapi/2.5.0/",
                "where": where("user_terminal.csv"),
                "licence": "AGPL-3.0",
                "status": "published",
            },
        ),
        (
            "boavizta-server-bottom-up",
            {
                "title": "BoaviztAPI 2.5.0 bottom-up server model, default archetype "
                "platform_compute_medium, computed in-process by scripts/extract_boavizta.py",
                "url": "https://pypi.org/project/boaviztapi/2.5.0/",
                "where": where("server.csv", "factors.yml"),
                "licence": "AGPL-3.0",
                "status": "published",
            },
        ),
        (
            "boavizta-server-generic",
            {
                "title": "Generic ADEME SERVER factor used by BoaviztAPI 2.5.0 for criteria its "
                "bottom-up server model does not cover",
                "url": "https://base-empreinte.ademe.fr/",
                "where": where("factors.yml", "ademe_base_impacts_negaoctet.csv"),
                "year": 2022,
                "licence": "ADEME reuse terms (to verify)",
                "status": "published",
            },
        ),
        (
            "boavizta-iot-tide",
            {
                "title": "BoaviztAPI 2.5.0 IoT functional-block factors: Pirson & Bol, "
                "'Assessing the "
                "embodied carbon footprint of IoT edge devices with a bottom-up life-cycle "
                "approach', J. Cleaner Production 2021, adapted to all criteria by TIDE; "
                "applied to impactnum's own IoT archetypes",
                "url": "https://doi.org/10.1016/j.jclepro.2021.128966",
                "where": where("factors.yml", "iot_factors_tide.csv"),
                "year": 2021,
                "licence": "AGPL-3.0 (BoaviztAPI data files)",
                "status": "published",
            },
        ),
        (
            "impactnum-iot-archetypes",
            {
                "title": "impactnum IoT archetypes "
                "(functional blocks, HSL levels, lifetime, power)",
                "url": "docs/methodology/boavizta-2.5.md",
                "where": "scripts/boavizta_golden.py IOT_ARCHETYPES",
                "licence": "EUPL-1.2",
                "status": "assumption",
            },
        ),
        (
            "boavizta-elec-applied-energy-2021",
            {
                "title": "Electricity carbon intensity, Applied Energy 2021 (reference year 2019), "
                "as shipped in BoaviztAPI 2.5.0",
                "url": "https://www.sciencedirect.com/science/article/pii/S0306261921012149",
                "where": where("factors.yml"),
                "year": 2019,
                "licence": "to verify",
                "status": "published",
            },
        ),
        (
            "boavizta-elec-ember-2020",
            {
                "title": "Electricity carbon intensity, Ember data explorer (2020), as shipped in "
                "BoaviztAPI 2.5.0",
                "url": "https://ember-climate.org/data/data-explorer",
                "where": where("factors.yml"),
                "year": 2020,
                "licence": "CC-BY-4.0 (Ember; to verify)",
                "status": "published",
            },
        ),
        (
            "boavizta-elec-ademe-base-impacts",
            {
                "title": "Electricity factors from ADEME Base IMPACTS (reference year 2011), as "
                "shipped in BoaviztAPI 2.5.0",
                "url": "https://base-empreinte.ademe.fr/",
                "where": where("factors.yml"),
                "year": 2011,
                "licence": "ADEME reuse terms (to verify)",
                "status": "published",
            },
        ),
        (
            "boavizta-elec-world-average",
            {
                "title": "World electricity carbon intensity: "
                "BoaviztAPI's average of all countries "
                "(2019-2020)",
                "url": "https://pypi.org/project/boaviztapi/2.5.0/",
                "where": where("factors.yml"),
                "year": 2020,
                "licence": "AGPL-3.0",
                "status": "published",
            },
        ),
        (
            "boavizta-elec-pe-derived",
            {
                "title": "Electricity primary energy, derived by Boavizta as ADPf / (1 - share of "
                "renewable energy) (ADEME Base IMPACTS 2011, renewable share 2016)",
                "url": "https://pypi.org/project/boaviztapi/2.5.0/",
                "where": where("factors.yml"),
                "year": 2016,
                "licence": "to verify",
                "status": "published",
            },
        ),
        (
            "boavizta-elec-wri-2020",
            {
                "title": "Water use embedded in purchased electricity, World Resources Institute "
                "(2020), as shipped in BoaviztAPI 2.5.0",
                "url": WRI_URL,
                "where": where("factors.yml"),
                "year": 2020,
                "licence": "CC-BY-4.0 (WRI; to verify)",
                "status": "published",
            },
        ),
        (
            "numecoeval-pue",
            {
                "title": "NumEcoEval default PUE 1.75 when a data centre gives none",
                "url": "https://gitlab-forge.din.developpement-durable.gouv.fr/pub/numeco/m4g/numecoeval",
                "where": "G4ITTeam/g4it services/documentation/content/2-functional-documentation/"
                "global_concepts/environmental_footprint_assessment_methodology/",
                "year": 2023,
                "licence": "Apache-2.0 (to verify)",
                "status": "published",
            },
        ),
        (
            "impactnum-range-device",
            {
                "title": "Default ±30 % range on embedded factors without a published range "
                "(rationale: C. Weber, 'Uncertainty and variability in product carbon "
                "footprinting: case study of a server', J. Industrial Ecology 2012: about "
                "±15 % production, ±35 % whole life)",
                "url": "https://greenit.fr/2011/01/25/empreinte-carbone-et-incertitudes",
                "where": "FACTS-environment.md, table 'Uncertainty: what the sources say'",
                "year": 2012,
                "licence": "n/a",
                "status": "assumption",
            },
        ),
        (
            "impactnum-range-electricity",
            {
                "title": "Default ±10 % range on electricity factors (ADEME: low uncertainty for "
                "measured physical factors)",
                "url": "https://nosdeputes.fr/16/intervention/472033",
                "where": "FACTS-environment.md, table 'Uncertainty: what the sources say'",
                "year": 2022,
                "licence": "n/a",
                "status": "assumption",
            },
        ),
        (
            "impactnum-refurbished-calibration",
            {
                "title": "Refurbished-device shares calibrated on ADEME/NegaOctet 2022 (a "
                "refurbished laptop avoids 27 kgCO2e per year)",
                "url": "https://negaoctet.org/rapport-detude-limpact-de-produits-reconditionnes/",
                "where": "FACTS-environment.md §2",
                "year": 2022,
                "licence": "n/a",
                "status": "assumption",
            },
        ),
    ]

    lines = [
        f'name = "{SET_NAME}"',
        f'version = "{SET_VERSION}"',
        'title = "Boavizta (BoaviztAPI 2.5.0): terminals, monitor, default server, IoT '
        'archetypes, electricity of 139 countries/zones"',
        'publisher = "Boavizta (BoaviztAPI); data from ADEME Base IMPACTS/Base Empreinte, '
        'NegaOctet, TIDE/Pirson & Bol, Ember, Applied Energy 2021, WRI"',
        'url = "https://pypi.org/project/boaviztapi/2.5.0/"',
        'licence = "BoaviztAPI AGPL-3.0; ADEME-derived factors under ADEME reuse terms (to verify '
        'before republication)"',
        "# Release date of boaviztapi 2.5.0 not recorded in the wheel (to verify); this is the",
        "# latest reference year of the shipped data (Ember 2020, WRI 2020).",
        'date = "2020-12-31"',
        'default_country = "FRA"',
        '# Phases Boavizta folds into its "embedded" impact, reported under manufacture.',
        'included_in_manufacture = ["distribution", "end_of_life"]',
        'description = """BoaviztAPI 2.5.0 factors, generated by scripts/extract_boavizta.py from '
        "the installed package (never edited by hand).",
        "Device factors are Boavizta's 'embedded' impact (manufacture + distribution + end of "
        "life, not separable) mapped to",
        "manufacture. Terminals: ADEME/NegaOctet factors with no range (range.device applies); "
        "embedded primary energy is not",
        "published for terminals, so embedded pe is not covered. Embedded water is NEGATIVE for "
        "terminals and the generic server",
        "factor (Boavizta/boaviztapi#548): kept as published, flagged as a data problem. Server: "
        "BoaviztAPI's bottom-up result",
        "for platform_compute_medium (gwp, with range), generic factor for adpe and water. IoT: "
        "BoaviztAPI's functional-block",
        "model on impactnum's own archetypes (assumption). Electricity: every country/zone of "
        "Boavizta's factors.yml; water",
        "only for the 49 zones with a WRI factor. Defaults differ from ADEME's (e.g. laptop 4 "
        "years, 197 kWh/yr).",
        'See docs/methodology/boavizta-2.5.md."""',
        "",
        "[coverage.device]",
        'manufacture = ["gwp", "adpe", "water"]',
        "distribution = []",
        "end_of_life = []",
        "[coverage.electricity]",
        'use = ["gwp", "adpe", "pe", "water"]',
        "[coverage.network]",
        "[coverage.avoided]",
        "",
        "[phase_mapping]",
        "manufacture = \"Boavizta 'embedded' impact (manufacture + distribution + end of life; "
        'the bottom-up server excludes end of life, the IoT model excludes distribution)"',
        "",
    ]
    for sid, s in sources:
        lines.append(f"[sources.{sid}]")
        for k in ("title", "url", "where", "year", "licence", "status"):
            if k not in s:
                continue
            v = s[k]
            lines.append(f"{k} = {v}" if isinstance(v, int) else f"{k} = {q(v)}")
        lines.append("")
    lines.append("# SHA-256 of each CSV file, checked by tests/factors/test_boavizta_set.py.")
    lines.append("[checksums]")
    for name in ("factors.csv", "kinds.csv", "parameters.csv"):
        lines.append(f'"{name}" = "{checksums[name]}"')
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    facts = bg.check_boaviztapi()
    pkg = Path(facts["package"])
    inp = read_inputs(pkg)
    files = build(inp, pkg)
    if "--check" in argv:
        bad = [
            n
            for n, t in files.items()
            if not (OUT / n).is_file() or (OUT / n).read_text(encoding="utf-8") != t
        ]
        if bad:
            print(f"out of date: {', '.join(bad)} (run scripts/extract_boavizta.py)")
            return 1
        print("boavizta-2.5 factor set is up to date")
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8", newline="\n")
    n = files["factors.csv"].count("\n") - 1
    print(
        f"wrote {OUT.relative_to(ROOT)}: {n} factors, {files['kinds.csv'].count(chr(10)) - 1} kinds"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
