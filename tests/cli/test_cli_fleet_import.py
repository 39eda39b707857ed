"""`impactnum fleet import`: dry run, import, re-import, errors on stderr with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from impactnum.cli import main
from impactnum.web.fleet.models import Asset, AssetEvent

DATA = Path(__file__).resolve().parents[1] / "web" / "fleet" / "data"
GLPI = str(DATA / "glpi_computers.csv")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def org(db):
    from impactnum.web.core import services

    return services.create_organisation(
        None, slug="ville-nevers", name="Ville de Nevers", kind="commune", siret="21580194300014"
    )


def test_dry_run_writes_nothing(org):
    result = invoke("fleet", "import", GLPI, "--organisation", org.slug, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing written." in result.stdout
    assert "6 created (would be), 0 updated (would be), 0 unchanged, 0 refused" in result.stdout
    assert Asset.objects.count() == 0 and AssetEvent.objects.count() == 0


def test_import_then_reimport_updates_nothing_new(org):
    result = invoke("fleet", "import", GLPI, "--organisation", org.slug, "--format", "glpi")
    assert result.exit_code == 0, result.output
    assert "6 created, 0 updated, 0 unchanged, 0 refused" in result.stdout
    assert "new locations: Hôtel de ville > 1er étage" in result.stdout
    assert Asset.objects.filter(organisation=org).count() == 6
    assert set(AssetEvent.objects.values_list("type", flat=True)) == {"imported"}
    assert AssetEvent.objects.filter(actor__isnull=True).count() == 6  # the system actor
    again = invoke("fleet", "import", GLPI, "--organisation", org.slug, "-v")
    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated, 6 unchanged" in again.stdout
    assert Asset.objects.count() == 6


def test_file_with_errors_exits_2_lists_every_error_and_writes_nothing(org):
    result = invoke("fleet", "import", str(DATA / "glpi_malformed.csv"), "--organisation", org.slug)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "2 errors; nothing imported" in result.stderr
    assert "glpi_malformed.csv:3: wrong number of fields" in result.stderr
    assert "glpi_malformed.csv:4: column" in result.stderr and "31/31/2020" in result.stderr
    assert Asset.objects.count() == 0 and AssetEvent.objects.count() == 0


def test_refused_lines_are_listed_and_strict_turns_them_into_errors(org):
    path = str(DATA / "numecoeval_equipment.csv")
    strict = invoke("fleet", "import", path, "--organisation", org.slug, "--strict")
    assert strict.exit_code == 2 and "quantite 30" in strict.stderr
    assert Asset.objects.count() == 0
    result = invoke("fleet", "import", path, "--organisation", org.slug)
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged, 1 refused" in result.stdout
    assert "line 4: refused" in result.stdout and "quantite 30" in result.stdout
    assert "unknown status 'Bizarre'" in result.stderr
    assert Asset.objects.count() == 3


def test_unknown_organisation_exits_2(db):
    result = invoke("fleet", "import", GLPI, "--organisation", "nowhere")
    assert result.exit_code == 2 and "no organisation 'nowhere'" in result.stderr


def test_help_lists_import():
    result = invoke("fleet", "--help")
    assert result.exit_code == 0 and "import" in result.stdout
