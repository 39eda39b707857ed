"""The fragility index import (all-or-nothing, line-numbered errors) and the targeting table
(aggregate counts per commune against the index)."""

import pytest
from territory_helpers import INDEX_CSV, YEAR, add_activity

from impactnum.web.core.errors import NotAllowed
from impactnum.web.core.models import AuditEvent
from impactnum.web.territory import fragility
from impactnum.web.territory.dashboard import period
from impactnum.web.territory.models import FragilityIndex, FragilityRow

HEADER = (
    "code_insee,commune,acces_interfaces,acces_information,competences_administratives,"
    "competences_numeriques,score_global\n"
)


def test_import_reads_french_numbers_and_is_audited(city, admin):
    index = fragility.import_index(admin, city, INDEX_CSV, file_name="indice.csv", source="Mednum")
    rows = {r.insee_code: r for r in index.rows.all()}
    assert rows["58194"].access_interfaces == 110.5 and rows["58194"].global_score == 107.4
    assert rows["58086"].commune == "Fourchambault"
    assert AuditEvent.objects.filter(action="fragility_index.imported").get().after["rows"] == 3


def test_errors_name_their_lines_and_nothing_is_saved(city, admin):
    data = (
        HEADER
        + "58194,Nevers,1,2,3,4,5\n"
        + "5819,Ailleurs,1,2,3,4,5\n"  # line 3: bad code
        + ",,1,2,3,4,5\n"  # line 4: no commune
        + "58086,Fourchambault,1,deux,3,4,-1\n"  # line 5: two bad numbers
        + "58194,Nevers bis,1,2,3,4,5\n"  # line 6: duplicate of line 2
    ).encode()
    with pytest.raises(fragility.FragilityImportError) as exc:
        fragility.import_index(admin, city, data)
    errors = exc.value.errors
    assert [e.split(" :")[0] for e in errors] == ["ligne 3", "ligne 4", "ligne 5", "ligne 6"]
    assert "5819" in errors[0]
    assert "acces_information" in errors[2] and "score_global" in errors[2]
    assert "ligne 2" in errors[3]
    assert not FragilityIndex.objects.exists() and not FragilityRow.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "vide"),
        (b"commune;score_global\nNevers;1\n", "colonnes manquantes"),
        ("\xe9".encode("latin-1"), "UTF-8"),
        (HEADER.encode(), "Aucune commune"),
    ],
)
def test_refused_files(city, admin, data, message):
    with pytest.raises(fragility.FragilityImportError) as exc:
        fragility.import_index(admin, city, data)
    assert message in exc.value.message


def test_only_managers_import(city, make_user):
    with pytest.raises(NotAllowed):
        fragility.import_index(make_user("viewer", city), city, INDEX_CSV)


def test_targeting_counts_per_commune_against_the_index(city, admin):
    fragility.import_index(admin, city, INDEX_CSV)
    add_activity(city, "58194", provisions=6, sessions=2)
    add_activity(city, "fourchambault", provisions=5)  # a name matches too
    add_activity(city, "75056", provisions=1)  # outside the index
    add_activity(city, "", sessions=1)  # no commune
    t = fragility.targeting(city, *period(YEAR), suppressed=False)
    by = {c["insee_code"]: c for c in t["communes"]}
    assert [c["insee_code"] for c in t["communes"]] == ["58086", "58194", "58303"]  # most fragile
    assert (by["58194"]["provisions"], by["58194"]["sessions"]) == (6, 2)
    assert by["58086"]["provisions"] == 5 and by["58303"]["provisions"] == 0
    assert t["outside_index"] == {"provisions": 1, "sessions": 0, "communes": 1}
    assert t["without_commune"] == {"provisions": 0, "sessions": 1}
    # median score 107.4: Nevers and Fourchambault are the fragile half
    assert t["summary"]["provisions_share_in_fragile_half"] == pytest.approx(11 / 12)
    hidden = fragility.targeting(city, *period(YEAR), suppressed=True)
    h = {c["insee_code"]: c for c in hidden["communes"]}
    assert h["58194"]["sessions"] is None and h["58194"]["sessions_suppressed"]
    assert hidden["outside_index"]["provisions"] is None


def test_targeting_page_and_import_form(client, city, admin, viewer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin)
    bad = SimpleUploadedFile("i.csv", (HEADER + "58194,Nevers,1,2,3,4,x\n").encode())
    r = client.post("/territory/targeting/import/", {"organisation": "ville-nevers", "file": bad})
    assert r.status_code == 400 and "ligne 2" in r.content.decode()
    good = SimpleUploadedFile("i.csv", INDEX_CSV)
    r = client.post("/territory/targeting/import/", {"organisation": "ville-nevers", "file": good})
    assert r.status_code == 302
    add_activity(city, "58194", provisions=2)
    client.force_login(viewer)
    html = client.get("/territory/targeting/").content.decode()
    assert "Fourchambault" in html and 'id="fragility-import-form"' not in html
    assert "masqué" in html  # the viewer sees small counts suppressed
    assert "P-58194" not in html
    r = client.post(
        "/territory/targeting/import/",
        {"organisation": "ville-nevers", "file": SimpleUploadedFile("i.csv", INDEX_CSV)},
    )
    assert r.status_code == 403
