"""Generate a seeded NumEcoEval physical-equipment CSV (`;`-separated) for the benchmarks.

    .venv/bin/python bench/generate.py --size 1000000

writes bench/out/numecoeval-1000000-20240601.csv.

The fleet looks like a French city's: mostly workstations, monitors and phones spread over
entities (departments), some data-centre servers, some empty optional cells (dates, consumption,
country, model), quantities of 1 with a few bulk lines. Columns are built as NumPy arrays and
written by Polars, so a million lines take about a second.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

OUT = Path(__file__).resolve().parent / "out"

HEADER = [
    "nomEquipementPhysique",
    "modele",
    "quantite",
    "nomCourtDatacenter",
    "dateAchat",
    "dateRetrait",
    "type",
    "statut",
    "paysDUtilisation",
    "consoElecAnnuelle",
    "utilisateur",
    "nomSourceDonnee",
    "nomEntite",
    "nbCoeur",
    "nbJourUtiliseAn",
    "goTelecharge",
    "modeUtilisation",
    "tauxUtilisation",
]

# (NumEcoEval `type` as a French inventory writes it, share of lines, models, typical kWh/yr)
TYPES: list[tuple[str, float, tuple[str, ...], float]] = [
    (
        "Ordinateur portable",
        0.27,
        ("Dell Latitude 5440", "HP EliteBook 840 G9", "Lenovo ThinkPad T14"),
        30.0,
    ),
    (
        "Ordinateur fixe",
        0.12,
        ("Dell OptiPlex 7010", "HP ProDesk 400 G9", "Lenovo ThinkCentre M70q"),
        120.0,
    ),
    ("Ecran", 0.25, ("Dell P2422H", "Iiyama ProLite XU2493HS", "Philips 243V7QDAB"), 40.0),
    ("Smartphone", 0.18, ("Samsung Galaxy A54", "Apple iPhone 13", "Crosscall Core-Z5"), 3.0),
    ("Tablette", 0.08, ("Apple iPad 10.2", "Samsung Galaxy Tab A8"), 10.0),
    ("Télévision", 0.02, ("Samsung QM55R", "LG 55UR640S"), 250.0),
    ("Box internet", 0.03, ("Livebox Pro 6", "Freebox Pro"), 90.0),
    (
        "Serveur",
        0.05,
        ("Dell PowerEdge R650", "HPE ProLiant DL360 Gen10", "Lenovo ThinkSystem SR630"),
        2500.0,
    ),
]
ENTITIES = (
    "Direction des Systèmes d'Information",
    "Direction de l'Éducation",
    "Direction des Sports",
    "Direction de la Culture",
    "Police municipale",
    "Centre Communal d'Action Sociale",
    "Direction de l'Urbanisme",
    "Direction des Espaces Verts",
    "Médiathèques",
    "Crèches",
    "Direction des Finances",
    "Direction des Ressources Humaines",
    "Cabinet du Maire",
    "Direction de la Voirie",
    "Régie des Eaux",
    "Écoles élémentaires",
)
DATACENTERS = ("DC-HOTEL-DE-VILLE", "DC-SECOURS", "DC-MUTUALISE")
STATUTS = ("En service", "En stock", "En réparation")
COUNTRIES = ("France", "France", "France", "France", "FRA", "Allemagne", "Chine")
SOURCES = ("GLPI", "Inventaire 2024", "Tableur DSI")
MODES = ("COPE", "BYOD")


def _pick(rng: np.random.Generator, values: tuple[str, ...], n: int) -> pl.Series:
    return pl.Series(values, dtype=pl.String).gather(rng.integers(0, len(values), n))


def _text(values: np.ndarray) -> pl.Series:
    """A NumPy array (numbers, dates or Unicode) as a Polars String column."""
    return pl.Series(values).cast(pl.String)


def _blank(series: pl.Series, empty: np.ndarray) -> pl.Series:
    """`series` with the cells where `empty` is true emptied (Polars writes null as '')."""
    return pl.select(pl.when(pl.Series(empty)).then(None).otherwise(series)).to_series()


def frame(size: int, seed: int = 20240601) -> pl.DataFrame:
    """The inventory as a Polars frame of the NumEcoEval columns (all text, null = empty)."""
    rng = np.random.default_rng(seed)
    shares = np.array([t[1] for t in TYPES])
    t_idx = rng.choice(len(TYPES), size, p=shares / shares.sum())
    type_names = pl.Series([t[0] for t in TYPES], dtype=pl.String).gather(t_idx)
    is_server = t_idx == [t[0] for t in TYPES].index("Serveur")

    # model: one of the type's models (flattened table, offset by type)
    offsets = np.cumsum([0] + [len(t[2]) for t in TYPES])
    counts = np.array([len(t[2]) for t in TYPES])
    model_idx = offsets[t_idx] + (rng.random(size) * counts[t_idx]).astype(np.int64)
    models = pl.Series([m for t in TYPES for m in t[2]], dtype=pl.String).gather(model_idx)
    kwh = np.round(np.array([t[3] for t in TYPES])[t_idx] * rng.lognormal(0.0, 0.3, size), 1)

    quantity = np.where(rng.random(size) < 0.97, 1, rng.integers(2, 50, size))
    purchase = np.datetime64("2015-01-01") + rng.integers(0, 3400, size).astype("timedelta64[D]")
    retirement = purchase + rng.integers(2 * 365, 8 * 365, size).astype("timedelta64[D]")
    in_dc = is_server & (rng.random(size) < 0.8)
    ids = pl.select(pl.format("EQ-{}", pl.int_range(1, size + 1))).to_series()
    users = pl.select(pl.format("agent{}", pl.Series(rng.integers(1, 40_000, size)))).to_series()

    cols: dict[str, pl.Series] = {
        "nomEquipementPhysique": ids,
        "modele": _blank(models, rng.random(size) < 0.05),
        "quantite": _text(quantity),
        "nomCourtDatacenter": _blank(_pick(rng, DATACENTERS, size), ~in_dc),
        "dateAchat": _blank(_text(purchase.astype("datetime64[D]")), rng.random(size) < 0.10),
        "dateRetrait": _blank(_text(retirement.astype("datetime64[D]")), rng.random(size) > 0.35),
        "type": type_names,
        "statut": _pick(rng, STATUTS, size),
        "paysDUtilisation": _blank(_pick(rng, COUNTRIES, size), rng.random(size) < 0.05),
        # a French spreadsheet writes a decimal comma
        "consoElecAnnuelle": _blank(
            _text(kwh).str.replace(".", ",", literal=True), rng.random(size) < 0.30
        ),
        "utilisateur": _blank(users, is_server),
        "nomSourceDonnee": _pick(rng, SOURCES, size),
        "nomEntite": _pick(rng, ENTITIES, size),
        "nbCoeur": _blank(_text(rng.choice([8, 16, 32, 64], size)), ~is_server),
        "nbJourUtiliseAn": _blank(_text(rng.integers(200, 366, size)), rng.random(size) < 0.5),
        "goTelecharge": pl.Series([None] * size, dtype=pl.String),
        "modeUtilisation": _blank(_pick(rng, MODES, size), rng.random(size) < 0.4),
        "tauxUtilisation": _blank(_text(np.round(rng.uniform(0.2, 0.9, size), 2)), ~is_server),
    }
    return pl.DataFrame([s.alias(name) for name, s in cols.items()]).select(HEADER)


def write(size: int, path: Path | None = None, seed: int = 20240601) -> Path:
    """Write the CSV (reused if it exists with the same size and seed); return its path."""
    path = path or OUT / f"numecoeval-{size}-{seed}.csv"
    if path.exists() and path.stat().st_size > 0:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    frame(size, seed).write_csv(tmp, separator=";", null_value="")
    tmp.replace(path)
    return path


def run(size: int = 1_000_000, seed: int = 20240601, out: Path | None = None) -> dict[str, Any]:
    """Generate (always afresh) and report the time and file size."""
    path = out or OUT / f"numecoeval-{size}-{seed}.csv"
    path.unlink(missing_ok=True)
    t0 = time.perf_counter()
    write(size, path, seed)
    elapsed = time.perf_counter() - t0
    return {"path": str(path), "lines": size, "bytes": path.stat().st_size, "generate_s": elapsed}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=20240601)
    args = p.parse_args()
    print(run(args.size, args.seed))


if __name__ == "__main__":
    main()
