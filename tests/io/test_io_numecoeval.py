"""NumEcoEval physical-equipment CSV: mapping rules, French exports, bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from impactnum.engine.inputs import Status
from impactnum.io import InputFileError, ReadOptions, read_inventory, read_numecoeval

HEADER = (
    "nomEquipementPhysique;modele;quantite;nomCourtDatacenter;dateAchat;dateRetrait;type;statut;"
    "paysDUtilisation;consoElecAnnuelle;utilisateur;nomSourceDonnee;nomEntite;nbCoeur;"
    "nbJourUtiliseAn;goTelecharge;modeUtilisation;tauxUtilisation"
)
TODAY = dt.date(2025, 1, 1)


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", bom: bool = False) -> Path:
    path = tmp_path / "parc.csv"
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def row(**cells: str) -> str:
    cols = HEADER.split(";")
    return ";".join(cells.get(c, "") for c in cols)


def read(path: Path, **kw: object) -> object:
    return read_numecoeval(path, ReadOptions(today=TODAY, **kw))  # type: ignore[arg-type]


def test_minimal_line(tmp_path: Path) -> None:
    p = write(tmp_path, HEADER + "\n" + row(type="Ordinateur portable") + "\n")
    inv = read(p)
    lines = inv.lines
    assert lines.kind.values() == ["laptop"]
    assert lines.quantity.tolist() == [1.0]  # empty quantite -> 1
    assert np.isnan(lines.lifespan_years[0]) and lines.lifespan_status[0] == Status.DEFAULT
    assert np.isnan(lines.kwh_per_year[0]) and lines.kwh_status[0] == Status.DEFAULT
    assert lines.country.values() == [None]
    assert lines.pue.tolist() == [1.0]
    assert inv.format == "numecoeval"


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("Ordinateur portable", "laptop"),
        ("PC portable", "laptop"),
        ("NOTEBOOK", "laptop"),
        ("ordinateur de bureau", "desktop"),
        ("Unite centrale", "desktop"),
        ("mini tour", "desktop"),
        ("Mini-Tour", "desktop"),
        ("Écran", "monitor"),
        ("ecran", "monitor"),
        ("Moniteur", "monitor"),
        ("TV", "television"),
        ("télévision", "television"),
        ("Téléphone mobile", "smartphone"),
        ("Tablette", "tablet"),
        ("SERVEUR", "server"),
        ("Multifonction", "printer"),
        ("Borne wifi", "network_equipment"),
        ("Switch", "network_equipment"),
        ("Enregistreur", "iot_datalogger"),
        ("Capteur", "iot_sensor"),
        ("network_equipment", "network_equipment"),
        ("laptop", "laptop"),
        ("Box", "box"),
    ],
)
def test_type_map(tmp_path: Path, raw: str, kind: str) -> None:
    p = write(tmp_path, HEADER + "\n" + row(type=raw) + "\n")
    assert read(p).lines.kind.values() == [kind]


def test_user_type_map_extends_and_overrides(tmp_path: Path) -> None:
    extra = tmp_path / "types.csv"
    extra.write_text("type,kind\nChromebook,laptop\nPortable,smartphone\n", encoding="utf-8")
    p = write(tmp_path, HEADER + "\n" + row(type="chromebook") + "\n" + row(type="Portable") + "\n")
    assert read(p, type_map_file=extra).lines.kind.values() == ["laptop", "smartphone"]


def test_user_type_map_bad_kind(tmp_path: Path) -> None:
    extra = tmp_path / "types.csv"
    extra.write_text("type,kind\nChromebook,laptopp\n", encoding="utf-8")
    p = write(tmp_path, HEADER + "\n" + row(type="chromebook") + "\n")
    with pytest.raises(InputFileError) as exc:
        read(p, type_map_file=extra)
    assert "line 2" not in exc.value.message()  # format is file:line:
    assert f"{extra}:2: column 'kind': unknown kind 'laptopp' (did you mean 'laptop'?)" in str(
        exc.value
    )


@pytest.mark.parametrize(
    ("raw", "iso3"),
    [
        ("France", "FRA"),
        ("FR", "FRA"),
        ("fra", "FRA"),
        ("Allemagne", "DEU"),
        ("Germany", "DEU"),
        ("états-unis", "USA"),
        ("Royaume-Uni", "GBR"),
        ("Côte d'Ivoire", "CIV"),
        ("BEL", "BEL"),
    ],
)
def test_countries(tmp_path: Path, raw: str, iso3: str) -> None:
    p = write(tmp_path, HEADER + "\n" + row(type="Ecran", paysDUtilisation=raw) + "\n")
    assert read(p).lines.country.values() == [iso3]


def test_duree_usage_given_wins(tmp_path: Path) -> None:
    header = HEADER + ";dureeUsageInterne;dureeUsageAmont;dureeUsageAval"
    line = row(type="Ecran", dateAchat="2020-01-01", dateRetrait="2022-01-01") + ";4;1;0,5"
    inv = read(write(tmp_path, header + "\n" + line + "\n"))
    assert inv.lines.lifespan_years.tolist() == [5.5]
    assert inv.lines.lifespan_status.tolist() == [Status.GIVEN]


def test_lifespan_from_dates_fixed_and_real(tmp_path: Path) -> None:
    text = (
        HEADER
        + "\n"
        + row(type="Ecran", dateAchat="2019-01-01", dateRetrait="2023-01-01")
        + "\n"
        + row(type="Ecran", dateAchat="01/01/2021")
        + "\n"
        + row(type="Ecran")
        + "\n"
    )
    p = write(tmp_path, text)
    fixed = read(p).lines
    assert fixed.lifespan_years[0] == pytest.approx(1461 / 365.25)
    assert np.isnan(fixed.lifespan_years[1])
    assert fixed.lifespan_status.tolist() == [Status.DERIVED, Status.DEFAULT, Status.DEFAULT]
    real = read(p, lifespan_mode="real").lines
    assert real.lifespan_years[1] == pytest.approx(1461 / 365.25)  # 2021-01-01 -> 2025-01-01
    assert real.lifespan_status.tolist() == [Status.DERIVED, Status.DERIVED, Status.DEFAULT]


def test_kwh_given_and_datacenter_pue(tmp_path: Path) -> None:
    text = (
        HEADER
        + "\n"
        + row(type="Serveur", nomCourtDatacenter="DC1", consoElecAnnuelle="1 200,5", quantite="2")
        + "\n"
        + row(type="Serveur")
        + "\n"
    )
    lines = read(write(tmp_path, text), pue_default=1.6).lines
    assert lines.kwh_per_year[0] == 1200.5
    assert lines.kwh_status.tolist() == [Status.GIVEN, Status.DEFAULT]
    assert lines.pue.tolist() == [1.6, 1.0]
    assert lines.quantity.tolist() == [2.0, 1.0]


def test_labels(tmp_path: Path) -> None:
    text = (
        HEADER
        + "\n"
        + row(type="Ecran", nomEntite="Ville de Nevers", modele="P2422H")
        + "\n"
        + row(type="Ecran", nomEntite="Nevers Agglomération")
        + "\n"
        + row(type="Ecran")
        + "\n"
    )
    labels = read(write(tmp_path, text)).labels
    assert labels["entity"].values() == ["Ville de Nevers", "Nevers Agglomération", None]
    assert labels["model"].values() == ["P2422H", None, None]
    assert {"datacenter", "equipment", "status", "country", "type"} <= set(labels)


FRENCH = (
    HEADER
    + "\n"
    + row(
        type="Écran",
        nomEntite="Mairie de Nevers – Hôtel de Ville",
        consoElecAnnuelle="12,5",
        paysDUtilisation="France",
        dateAchat="15/03/2021",
        dateRetrait="15/03/2024",
        quantite="3",
    )
    + "\n"
)


@pytest.mark.parametrize(
    ("encoding", "bom", "newline"),
    [("utf-8", False, "\n"), ("utf-8", True, "\r\n"), ("cp1252", False, "\r\n")],
)
def test_french_spreadsheet_exports(tmp_path: Path, encoding: str, bom: bool, newline: str) -> None:
    p = write(tmp_path, FRENCH.replace("\n", newline), encoding=encoding, bom=bom)
    inv = read(p)
    assert inv.lines.kind.values() == ["monitor"]
    assert inv.lines.kwh_per_year.tolist() == [12.5]
    assert inv.lines.quantity.tolist() == [3.0]
    assert inv.labels["entity"].values() == ["Mairie de Nevers – Hôtel de Ville"]
    assert inv.lines.lifespan_years[0] == pytest.approx(1096 / 365.25)


def test_comma_separated_with_quoted_decimal_comma(tmp_path: Path) -> None:
    text = 'type,consoElecAnnuelle,nomEntite\nEcran,"12,5","Nevers, ville"\n'
    inv = read(write(tmp_path, text))
    assert inv.lines.kwh_per_year.tolist() == [12.5]
    assert inv.labels["entity"].values() == ["Nevers, ville"]


def test_quoted_newline_keeps_line_numbers(tmp_path: Path) -> None:
    text = 'type;nomEntite;quantite\nEcran;"deux\nlignes";1\nEcran;x;-1\n'
    with pytest.raises(InputFileError) as exc:
        read(write(tmp_path, text))
    assert [e.line for e in exc.value.errors] == [4]


def test_columns_in_another_order_and_missing_optional(tmp_path: Path) -> None:
    text = "paysDUtilisation;TYPE;quantite\nFrance;Tablette;4\n\n"
    inv = read(write(tmp_path, text))
    assert inv.lines.kind.values() == ["tablet"]
    assert inv.lines.quantity.tolist() == [4.0]
    assert inv.lines.country.values() == ["FRA"]


def test_unknown_columns_ignored(tmp_path: Path) -> None:
    text = "type;colonneInconnue\nEcran;whatever\n"
    assert read(write(tmp_path, text)).lines.kind.values() == ["monitor"]


def test_auto_detection(tmp_path: Path) -> None:
    p = write(tmp_path, "type;quantite\nEcran;2\n")
    assert read_inventory(p).format == "numecoeval"


def test_every_error_listed(tmp_path: Path) -> None:
    text = (
        "type;quantite;paysDUtilisation;dateAchat;dateRetrait;consoElecAnnuelle\n"
        "Ordinateur portabel;1;France;2021-01-01;;\n"
        "Ecran;-2;Frnace;2021-13-01;;abc\n"
        "Serveur;1;FR;01/02/2020;01/01/2019;12;extra\n"
        "Serveur;1;FR;01/02/2020;01/01/2019;12\n"
        ";1;;;;\n"
    )
    with pytest.raises(InputFileError) as exc:
        read(write(tmp_path, text))
    got = [(e.line, e.column) for e in exc.value.errors]
    assert got == [
        (2, "type"),
        (3, "consoElecAnnuelle"),
        (3, "dateAchat"),
        (3, "paysDUtilisation"),
        (3, "quantite"),
        (4, ""),
        (5, "dateRetrait"),
        (6, "type"),
    ]
    msg = str(exc.value)
    assert "did you mean 'Ordinateur portable'?" in msg
    assert "did you mean 'France'?" in msg
    assert "parc.csv:4: wrong number of fields: 7 instead of 6" in msg
    assert "negative value not allowed: -2" in msg


def test_missing_required_column(tmp_path: Path) -> None:
    with pytest.raises(InputFileError) as exc:
        read(write(tmp_path, "modele;quantite\nX;1\n"))
    assert [str(e) for e in exc.value.errors] == [
        f"{tmp_path / 'parc.csv'}:1: column 'type': missing required column 'type'"
    ]


def test_error_limit(tmp_path: Path) -> None:
    text = "type;quantite\n" + "".join(f"Ecran;x{i}\n" for i in range(120))
    with pytest.raises(InputFileError) as exc:
        read(write(tmp_path, text))
    assert len(exc.value.errors) == 50
    assert exc.value.total == 120
    assert exc.value.lines()[-1] == "… and 70 more errors"
    assert exc.value.errors[0].line == 2


@pytest.mark.parametrize("text", ["", "\n\n", "type;quantite\n"])
def test_empty_files(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputFileError):
        read(write(tmp_path, text))


# --- structure and fast paths ----------------------------------------------------------------


def test_blank_and_separator_only_lines_are_skipped(tmp_path: Path) -> None:
    text = (
        "\n\ntype;quantite;nomEntite\n"  # blank lines before the header
        "Ecran;1;A\n"
        "\n"
        "   \n"
        ";;\n"  # a spreadsheet's empty row
        '"";"";""\n'
        "Ecran;-1;B\n"
    )
    with pytest.raises(InputFileError) as exc:
        read(write(tmp_path, text))
    assert [(e.line, e.column) for e in exc.value.errors] == [(9, "quantite")]
    ok = read(write(tmp_path, text.replace("-1", "2")))
    assert ok.lines.quantity.tolist() == [1.0, 2.0]
    assert ok.labels["entity"].values() == ["A", "B"]


def test_quoted_separator_cannot_hide_a_missing_field(tmp_path: Path) -> None:
    # Line 2 has as many `;` as the header, but one is inside quotes: 2 fields, not 3.
    text = 'type;nomEntite;quantite\nEcran;"a;b"\nEcran;x;1\n'
    with pytest.raises(InputFileError) as exc:
        read(write(tmp_path, text))
    assert [str(e).split(": ", 1)[1] for e in exc.value.errors] == [
        "wrong number of fields: 2 instead of 3 (as in the header)"
    ]


def test_quoted_separators_and_ragged_lines_comma_separated(tmp_path: Path) -> None:
    text = 'type,nomEntite,quantite\nEcran,"a,b",1,2\nEcran,x\nEcran,"y,z",3\n'
    with pytest.raises(InputFileError) as exc:
        read(write(tmp_path, text))
    assert [(e.line, e.reason) for e in exc.value.errors] == [
        (2, "wrong number of fields: 4 instead of 3 (as in the header)"),
        (3, "wrong number of fields: 2 instead of 3 (as in the header)"),
    ]


def test_padded_cells_are_trimmed(tmp_path: Path) -> None:
    text = (
        "type;quantite;dateAchat;dateRetrait;nomEntite;paysDUtilisation\n"
        " Ecran ; 2 ; 2020-01-01 ;2024-01-01;Ville ; France\n"
        "Ecran;1;;;Ville;FR\n"
        "Ecran; ;;;  ;\n"
    )
    inv = read(write(tmp_path, text))
    assert inv.lines.quantity.tolist() == [2.0, 1.0, 1.0]
    assert inv.lines.lifespan_years[0] == pytest.approx(1461 / 365.25)
    assert inv.labels["entity"].values() == ["Ville", "Ville", None]
    assert inv.labels["entity"].categories == ("Ville",)
    assert inv.lines.country.values() == ["FRA", "FRA", None]


def test_windows_1252_only_in_the_header(tmp_path: Path) -> None:
    p = write(tmp_path, "type;quantite;durée\nEcran;2;1\n", encoding="cp1252")
    inv = read(p)
    assert inv.encoding == "cp1252"
    assert inv.lines.quantity.tolist() == [2.0]


@pytest.mark.parametrize("enum_max", [10, 100_000])
def test_many_distinct_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enum_max: int
) -> None:
    monkeypatch.setattr("impactnum.io.table._ENUM_MAX", enum_max)  # both ways of coding labels
    n = 6000
    names = [f"eq{i}" if i % 10 else "" for i in range(n)]  # distinct, some empty
    models = [f"m{i % 5000}" for i in range(n)]  # many distinct, repeated
    text = "type;nomEquipementPhysique;modele\n" + "".join(
        f"Ecran;{a};{b}\n" for a, b in zip(names, models, strict=True)
    )
    labels = read(write(tmp_path, text)).labels
    assert labels["equipment"].values() == [a or None for a in names]
    assert labels["model"].values() == models
    assert labels["model"].categories == tuple(dict.fromkeys(models))


def test_quoted_empty_cells_are_empty(tmp_path: Path) -> None:
    text = (
        'type;statut;nomEntite;quantite;dateAchat\nEcran;A;x;"";""\nEcran;"";y;2;""\n'
        'Ecran;"";z;"";2020-01-01\nEcran;B;"";"";""\n'
    )
    inv = read(write(tmp_path, text))
    assert inv.labels["status"].values() == ["A", None, None, "B"]
    assert inv.labels["status"].categories == ("A", "B")
    assert inv.labels["entity"].values() == ["x", "y", "z", None]
    assert inv.lines.quantity.tolist() == [1.0, 2.0, 1.0, 1.0]
    assert inv.lines.lifespan_status.tolist() == [Status.DEFAULT] * 4
