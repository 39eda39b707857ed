"""Generate src/impactnum/io/data/countries.csv (ISO 3166-1 codes with English and French names).

Run it in a throwaway virtual environment, not the project's: pycountry and babel are only
needed here, never at run time.

    python3 -m venv /tmp/countries-venv
    /tmp/countries-venv/bin/pip install pycountry babel
    /tmp/countries-venv/bin/python scripts/make_countries.py

Columns: alpha2, alpha3, name_en, name_fr, aliases. `aliases` holds other names people write
(ISO official and common names, a few usual short forms), separated by `|`. The readers match
any of them case- and accent-insensitively (see docs/inventory-formats.md).
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from pathlib import Path

import pycountry
from babel import Locale

OUT = Path(__file__).resolve().parents[1] / "src" / "impactnum" / "io" / "data" / "countries.csv"

# Usual names that neither ISO nor CLDR spells, keyed by alpha-3.
EXTRA_ALIASES: dict[str, list[str]] = {
    "GBR": ["UK", "Grande-Bretagne", "Great Britain", "Angleterre", "England"],
    "USA": ["US", "Etats-Unis d'Amérique", "United States of America"],
    "NLD": ["Hollande", "Holland", "The Netherlands"],
    "DEU": ["RFA"],
    "KOR": ["Corée", "Korea", "South Korea", "Corée du Sud"],
    "RUS": ["Russia", "Russie"],
    "CZE": ["Czech Republic", "République tchèque"],
    "CIV": ["Ivory Coast", "Cote d'Ivoire"],
    "TWN": ["Taiwan"],
    "VNM": ["Vietnam", "Viet Nam"],
    "IRN": ["Iran"],
    "SYR": ["Syria", "Syrie"],
    "BOL": ["Bolivia", "Bolivie"],
    "VEN": ["Venezuela"],
    "TZA": ["Tanzania", "Tanzanie"],
    "MDA": ["Moldova", "Moldavie"],
    "LAO": ["Laos"],
    "COD": ["RDC", "DRC", "Congo-Kinshasa"],
    "COG": ["Congo-Brazzaville"],
}


def norm(text: str) -> str:
    """The same normalisation as impactnum.io.normalize (checked for collisions below)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    for ch in "-_.'’,()":
        text = text.replace(ch, " ")
    return " ".join(text.split())


def main() -> int:
    fr = Locale("fr")
    en = Locale("en")
    rows = []
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        name_en = en.territories.get(c.alpha_2) or c.name
        name_fr = fr.territories.get(c.alpha_2) or c.name
        aliases = [c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)]
        aliases += EXTRA_ALIASES.get(c.alpha_3, [])
        seen = {norm(name_en), norm(name_fr), norm(c.alpha_2), norm(c.alpha_3)}
        kept = []
        for a in aliases:
            if a and norm(a) not in seen:
                seen.add(norm(a))
                kept.append(a)
        rows.append([c.alpha_2, c.alpha_3, name_en, name_fr, "|".join(kept)])

    owner: dict[str, str] = {}
    for r in rows:
        for key in [r[0], r[1], r[2], r[3], *filter(None, r[4].split("|"))]:
            k = norm(key)
            if owner.setdefault(k, r[1]) != r[1]:
                print(f"collision: {key!r} for {owner[k]} and {r[1]}", file=sys.stderr)
                return 1

    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["alpha2", "alpha3", "name_en", "name_fr", "aliases"])
        w.writerows(rows)
    print(f"wrote {len(rows)} countries to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
