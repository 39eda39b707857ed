"""`impactnum reuse report | ords-export | anonymise`."""

import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from impactnum.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web" / "reuse"))
from reuse_helpers import device, new_lot, provide, ready, template


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def org(db):
    from impactnum.web.core import services

    return services.create_organisation(
        None, slug="ville-nevers", name="Ville de Nevers", kind="commune", siret="21580194300014"
    )


@pytest.fixture
def chain(org):
    from impactnum.web.core import services as core
    from impactnum.web.reuse import services

    tech = core.create_user(None, username="tech", password="pw-Impactnum-1")
    core.set_membership(None, tech, org, "technician")
    fac = core.create_user(None, username="fac", password="pw-Impactnum-1")
    core.set_membership(None, fac, org, "facilitator")
    lot = new_lot(tech, org, weight=12, on=dt.date(2026, 1, 5))
    dev = ready(tech, device(tech, lot, "laptop"), template(org))
    services.record_repair(
        tech, dev, problem="clavier, tel 06 12 34 56 78", outcome="fixed", on=dt.date(2026, 1, 6)
    )
    person = services.create_beneficiary(
        fac, org, pseudonym="B-1", commune="58194", last_contact_on=dt.date(2024, 1, 1)
    )
    provide(tech, dev, person, on=dt.date(2026, 2, 1))
    old = services.create_beneficiary(
        fac, org, pseudonym="B-2", last_contact_on=dt.date(2023, 1, 1)
    )
    return {"person": person, "old": old}


def test_report_json(chain, org):
    r = invoke(
        "reuse", "report", "--organisation", org.slug, "--from", "2026-01-01", "--to",
        "2026-12-31", "--format", "json",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["devices_collected"] == 1 and data["kg_collected"] == 12
    assert data["devices_provided"] == 1 and data["people_equipped"] == 1
    assert data["co2e_avoided_kg"] == pytest.approx(132.66)
    assert data["kg_recycled"] == 0


def test_report_table_and_method(chain, org):
    r = invoke(
        "reuse", "report", "--organisation", org.slug, "--from", "2026-01-01", "--to",
        "2026-12-31", "--method", "ademe",
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "co2e_avoided_kg" in r.stdout and "91.3" in r.stdout and "ademe-2022" in r.stdout


def test_report_errors_exit_2(org):
    r = invoke(
        "reuse", "report", "--organisation", "nope", "--from", "2026-01-01", "--to", "2026-01-02"
    )
    assert r.exit_code == 2 and "no organisation" in r.stderr
    r = invoke(
        "reuse", "report", "--organisation", org.slug, "--from", "2026-02-01", "--to", "2026-01-01"
    )
    assert r.exit_code == 2 and "before" in r.stderr


def test_ords_export_csv_on_stdout(chain, org):
    r = invoke("reuse", "ords-export", "--organisation", org.slug)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 1 and rows[0]["repair_status"] == "Fixed"
    assert "06 12 34 56 78" not in r.stdout
    bad = invoke("reuse", "ords-export", "--organisation", org.slug, "--country", "FR")
    assert bad.exit_code == 2


def test_anonymise_is_idempotent(chain, org):
    r = invoke("reuse", "anonymise", "--today", "2026-03-01")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "1 beneficiary anonymised"  # B-2; B-1 was equipped in 2026
    again = invoke("reuse", "anonymise", "--today", "2026-03-01", "--organisation", org.slug)
    assert again.stdout.strip() == "0 beneficiaries anonymised"
    chain["old"].refresh_from_db()
    assert chain["old"].pseudonym.startswith("anon-")


def test_reuse_is_listed():
    r = invoke("--help")
    assert "reuse" in r.stdout
