"""impactnum's own inventory CSV, text normalisation, and column-order independence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impactnum.engine.inputs import Status
from impactnum.io import InputFileError, ReadOptions, read_inventory, read_native
from impactnum.io.lookups import normalize, normalize_expr

TODAY = dt.date(2025, 1, 1)


def write(tmp_path: Path, text: str, name: str = "parc.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_all_columns(tmp_path: Path) -> None:
    text = (
        "kind,quantity,model,lifespan_years,refurbished,kwh_per_year,active_w,idle_w,"
        "hours_per_day,days_per_year,country,datacenter,pue,entity,department,label_site\n"
        "laptop,10,T14,6,oui,,,,,,FR,,,Ville de Nevers,DSI,Mairie\n"
        "desktop,2,,,non,,50,10,8,200,,,,Ville de Nevers,,\n"
        "server,1,,,,900,,,,,Germany,DC1,,Nevers Agglomération,,\n"
        "server,1,,,,900,,,,,,DC1,1.3,,,\n"
    )
    inv = read_native(write(tmp_path, text), ReadOptions(today=TODAY))
    lines = inv.lines
    assert inv.format == "impactnum"
    assert lines.kind.values() == ["laptop", "desktop", "server", "server"]
    assert lines.quantity.tolist() == [10, 2, 1, 1]
    assert lines.refurbished.tolist() == [True, False, False, False]
    assert lines.lifespan_status.tolist()[:2] == [Status.GIVEN, Status.DEFAULT]
    assert lines.kwh_per_year[1] == pytest.approx(200 * (50 * 8 + 10 * 16) / 1000)
    assert lines.kwh_status.tolist() == [Status.DEFAULT, Status.DERIVED, Status.GIVEN, Status.GIVEN]
    assert lines.country.values() == ["FRA", None, "DEU", None]
    assert lines.pue.tolist() == [1.0, 1.0, 1.75, 1.3]
    assert inv.labels["entity"].values()[:3] == [
        "Ville de Nevers",
        "Ville de Nevers",
        "Nevers Agglomération",
    ]
    assert inv.labels["site"].values()[0] == "Mairie"
    assert inv.labels["department"].values()[0] == "DSI"
    assert inv.warnings == ()


def test_dates_and_unknown_column_warning(tmp_path: Path) -> None:
    text = "kind;purchase_date;retirement_date;lifespan_year\nmonitor;2020-01-01;2024-01-01;5\n"
    inv = read_inventory(write(tmp_path, text), options=ReadOptions(today=TODAY))
    assert inv.lines.lifespan_years[0] == pytest.approx(1461 / 365.25)
    assert inv.lines.lifespan_status[0] == Status.DERIVED
    assert len(inv.warnings) == 1 and "did you mean 'lifespan_years'" in inv.warnings[0]


def test_kind_accepts_type_names(tmp_path: Path) -> None:
    inv = read_native(write(tmp_path, "kind\nÉcran\nlaptop\n"))
    assert inv.lines.kind.values() == ["monitor", "laptop"]


def test_native_errors(tmp_path: Path) -> None:
    text = (
        "kind,quantity,hours_per_day,refurbished,lifespan_years,pue\n"
        "lapotp,1,8,oui,5,\n"
        "laptop,1,25,peut-être,0,0.5\n"
    )
    with pytest.raises(InputFileError) as exc:
        read_native(write(tmp_path, text))
    got = [(e.line, e.column) for e in exc.value.errors]
    assert got == [
        (2, "kind"),
        (3, "hours_per_day"),
        (3, "lifespan_years"),
        (3, "pue"),
        (3, "refurbished"),
    ]
    assert "did you mean 'laptop'?" in str(exc.value)


def test_missing_kind_column(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as exc:
        read_native(write(tmp_path, "quantity\n1\n"))
    assert exc.value.errors[0].reason == "missing required column 'kind'"


@pytest.mark.parametrize(
    "text", ["Écran", "  MINI-tour ", "Point d’accès  wifi", "Côte d'Ivoire", "RÉPUBLIQUE (la)"]
)
def test_normalize_python_and_polars_agree(text: str) -> None:
    got = pl.select(normalize_expr(pl.lit(text))).item()
    assert got == normalize(text)


# --- column order does not matter ------------------------------------------------------------

COLUMNS = {
    "type": ["Ordinateur portable", "Écran", "Serveur", "Smartphone"],
    "quantite": ["3", "", "1", "12"],
    "nomCourtDatacenter": ["", "", "DC1", ""],
    "dateAchat": ["2020-01-01", "15/06/2019", "", "2022-02-02"],
    "dateRetrait": ["2024-01-01", "", "", ""],
    "paysDUtilisation": ["France", "", "DE", "fra"],
    "consoElecAnnuelle": ["", "70,5", "1200", ""],
    "nomEntite": ["Ville de Nevers", "Nevers Agglomération", "", "Ville de Nevers"],
    "modele": ["T14", "P2422H", "R750", "A54"],
}


def _fingerprint(path: Path) -> tuple[object, ...]:
    lines = read_inventory(path, options=ReadOptions(today=TODAY, lifespan_mode="real")).lines
    return (
        tuple(lines.kind.values()),
        tuple(lines.country.values()),
        tuple(np.nan_to_num(lines.lifespan_years, nan=-1).tolist()),
        tuple(np.nan_to_num(lines.kwh_per_year, nan=-1).tolist()),
        tuple(lines.quantity.tolist()),
        tuple(lines.pue.tolist()),
        tuple(lines.lifespan_status.tolist()),
        tuple(lines.kwh_status.tolist()),
        tuple(sorted((k, tuple(v.values())) for k, v in lines.labels.items())),
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(list(COLUMNS)), sep=st.sampled_from([";", ","]))
def test_any_column_order_gives_identical_lines(tmp_path: Path, order: list[str], sep: str) -> None:
    def text(cols: list[str]) -> str:
        def q(v: str) -> str:
            return f'"{v}"' if sep in v else v

        rows = [sep.join(cols)]
        rows += [sep.join(q(COLUMNS[c][i]) for c in cols) for i in range(4)]
        return "\n".join(rows) + "\n"

    reference = _fingerprint(write(tmp_path, text(list(COLUMNS)), "ref.csv"))
    assert _fingerprint(write(tmp_path, text(order), "perm.csv")) == reference
