"""Importing a referential file: the official JSON structure, with 2024 priorities, CSV; bad files
refused whole with the item (or line), the field and why; versions never change."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from ecodesign_helpers import CRITERIA, referential_bytes, referential_doc

from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.core.models import AuditEvent
from impactnum.web.ecodesign import services
from impactnum.web.ecodesign.models import Criterion, Referential

CSV_GOOD = (
    "id;critere;thematique;url;priorite;effort\n"
    "1.1;Une question ?;Stratégie;https://x.example/1.1;Prioritaire;faible\n"
    "\n"
    "4.1;Une autre question ?;UX/UI;;Recommandé;Fort\n"
)


def _import(user, org, data, file_name="v1.json", **kw):
    kw.setdefault("name", "RGESN")
    return services.import_referential(user, org, file_name=file_name, data=data, **kw)


def test_official_json_structure_is_imported_in_order(manager, city):
    ref, created = _import(manager, city, referential_bytes())
    assert created
    assert (ref.name, ref.version, ref.title) == ("RGESN", "v1", "Référentiel d'essai")
    assert ref.source_url == "https://referentiel.example/"
    rows = list(ref.criteria.values_list("code", "family", "question", "priority"))
    assert rows == [(code, fam, q, "") for code, q, fam in CRITERIA]
    assert not ref.has_priorities
    assert AuditEvent.objects.filter(action="ecodesign.referential.import").count() == 1


def test_2024_priorities_and_efforts_are_read_whatever_the_accents(manager, city):
    levels = ["Prioritaire", "recommandé", "Recommande", "MODÉRÉ", "modere", "prioritaire"]
    doc = referential_doc(priorities=levels, version="2024")
    ref, _ = _import(manager, city, referential_bytes(doc))
    assert list(ref.criteria.values_list("priority", flat=True)) == [
        "prioritaire",
        "recommande",
        "recommande",
        "modere",
        "modere",
        "prioritaire",
    ]
    assert set(ref.criteria.values_list("effort", flat=True)) == {"moyen"}
    assert ref.has_priorities


def test_csv_with_its_documented_columns(manager, city):
    ref, _ = _import(manager, city, CSV_GOOD.encode("cp1252"), "rgesn.csv", version="essai")
    assert list(ref.criteria.values_list("code", "family", "priority", "effort", "url")) == [
        ("1.1", "Stratégie", "prioritaire", "faible", "https://x.example/1.1"),
        ("4.1", "UX/UI", "recommande", "fort", ""),
    ]


def _refused(user, org, data, file_name="v1.json", **kw):
    with pytest.raises(services.ReferentialImportError) as caught:
        _import(user, org, data, file_name, **kw)
    assert Referential.objects.count() == 0 and Criterion.objects.count() == 0
    return [str(p) for p in caught.value.problems]


def test_bad_items_are_all_named_and_nothing_is_written(manager, city):
    doc = referential_doc(priorities=["prioritaire"] * 6)
    doc["criteres"][1]["critere"] = "  "
    doc["criteres"][2]["id"] = "1.1"
    doc["criteres"][3]["priorite"] = "urgent"
    doc["criteres"][4]["url"] = "ftp://x"
    doc["criteres"][5]["id"] = "six"
    problems = _refused(manager, city, referential_bytes(doc))
    assert problems == [
        "criteres[1] (id 1.2), critere : obligatoire, texte non vide",
        "criteres[2] (id 1.1), id : « 1.1 » figure déjà (criteres[0] (id 1.1))",
        "criteres[3] (id 6.2), priorite : « urgent » n'est pas parmi : prioritaire, recommande, "
        "modere",
        "criteres[4] (id 6.3), url : « ftp://x » n'est pas une adresse http(s)",
        "criteres[5] (id six), id : « six » n'est pas un numéro comme « 1.1 »",
    ]


@pytest.mark.parametrize(
    ("data", "file_name", "expected"),
    [
        (b'{"criteres": [', "v1.json", "ligne 1, colonne 15, fichier : JSON invalide"),
        (b"[]", "v1.json", "fichier : un objet JSON est attendu"),
        (b'{"version": "v1"}', "v1.json", "criteres : obligatoire : la liste des critères"),
        (b'{"criteres": []}', "v1.json", "criteres : le fichier ne contient aucun critère"),
        (b'{"criteres": [3]}', "v1.json", "criteres[0], critère : un objet est attendu"),
        (
            b'{"criteres": [{"id": 1.10, "critere": "Q", "thematique": "T"}]}',
            "v1.json",
            "criteres[0] (id 1.1), id : texte attendu",
        ),
        (b"id;critere\n1.1;Q\n", "r.csv", "ligne 1, thematique : colonne obligatoire absente"),
        (b"id;critere;thematique;note\n", "r.csv", "ligne 1, note : colonne inconnue"),
        (b"id;critere;thematique\n1.1;Q\n", "r.csv", "ligne 2, ligne : 2 cellules au lieu de 3"),
        (b"x", "r.xlsx", "fichier : format inconnu"),
    ],
)
def test_malformed_files_say_where_and_why(manager, city, data, file_name, expected):
    problems = _refused(manager, city, data, file_name, version="v1")
    assert problems[0].startswith(expected), problems


def test_same_version_again_is_idempotent_and_different_content_refused(manager, city):
    first, _ = _import(manager, city, referential_bytes())
    again, created = _import(manager, city, referential_bytes())
    assert again == first and not created
    doc = referential_doc()
    doc["criteres"][0]["critere"] = "Une autre formulation ?"
    with pytest.raises(DomainError) as caught:
        _import(manager, city, referential_bytes(doc))
    assert caught.value.field == "version"
    assert Referential.objects.count() == 1
    assert first.criteria.get(code="1.1").question == CRITERIA[0][1]
    doc["version"] = "v1-bis"
    other, created = _import(manager, city, referential_bytes(doc))
    assert created and other.version == "v1-bis" and Referential.objects.count() == 2


def test_version_rules(manager, city):
    with pytest.raises(DomainError) as caught:
        _import(manager, city, referential_bytes(), version="v2")
    assert caught.value.field == "version"
    with pytest.raises(DomainError) as caught:
        _import(manager, city, CSV_GOOD.encode(), "r.csv")
    assert caught.value.field == "version"
    assert Referential.objects.count() == 0


def test_viewer_and_technician_cannot_import(viewer, tech, city):
    for user in (viewer, tech):
        with pytest.raises(NotAllowed):
            _import(user, city, referential_bytes())


def test_import_page_shows_each_problem_and_keeps_nothing(client, manager, city):
    client.force_login(manager)
    doc = referential_doc()
    doc["criteres"][3]["thematique"] = ""
    upload = SimpleUploadedFile("v1.json", json.dumps(doc).encode(), "application/json")
    url = reverse("ecodesign:referential-import") + f"?organisation={city.slug}"
    response = client.post(url, {"name": "RGESN", "version": "", "file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "criteres[3] (id 6.2), thematique : obligatoire, texte non vide" in body
    assert "rien n&#x27;a été importé" in body
    assert Referential.objects.count() == 0


def test_import_page_imports_then_shows_the_criteria(client, manager, viewer, city):
    client.force_login(manager)
    upload = SimpleUploadedFile("v1.json", referential_bytes(), "application/json")
    url = reverse("ecodesign:referential-import") + f"?organisation={city.slug}"
    response = client.post(url, {"name": "RGESN", "file": upload}, follow=True)
    assert response.status_code == 200
    ref = Referential.objects.get()
    assert response.redirect_chain[-1][0] == ref.get_absolute_url()
    assert "RGESN v1 importé : 6 critères." in response.content.decode()
    client.force_login(viewer)
    page = client.get(ref.get_absolute_url()).content.decode()
    assert CRITERIA[2][1] in page and "referential-delete" not in page
    upload = SimpleUploadedFile("v1.json", referential_bytes(), "application/json")
    assert client.post(url, {"name": "RGESN", "file": upload}).status_code == 403


def test_a_referential_in_use_cannot_be_deleted(manager, assessment, referential):
    with pytest.raises(DomainError):
        services.delete_referential(manager, referential)
    assessment.delete()
    services.delete_referential(manager, referential)
    assert Referential.objects.count() == 0
