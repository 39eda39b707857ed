"""Assessing a service: answers (N/A justified), scores hand-checked, the pages with and without
htmx, who may read and change, and the eco-design statement."""

import datetime as dt

import pytest
from django.urls import reverse
from ecodesign_helpers import criterion, referential_bytes, referential_doc

from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.ecodesign import services
from impactnum.web.ecodesign.models import Answer
from impactnum.web.ecodesign.scores import scores, with_overall

C, NC, NA = "compliant", "non_compliant", "not_applicable"


def _answer(user, assessment, code, status, **kw):
    return services.answer_criterion(
        user, assessment, criterion(assessment.referential, code), status=status, **kw
    )


@pytest.fixture
def answered(manager, assessment):
    """1.1 C, 1.2 NC, 6.1 C, 6.2 NA, 6.3 NC; 8.1 unanswered."""
    _answer(manager, assessment, "1.1", C)
    _answer(
        manager, assessment, "1.2", NC, planned_action="Nommer un référent en 2026\nPuis le former"
    )
    _answer(manager, assessment, "6.1", C)
    _answer(manager, assessment, "6.2", NA, justification="Aucune ressource à compresser")
    _answer(manager, assessment, "6.3", NC)
    return assessment


def test_scores_by_hand(answered):
    s = scores(answered)
    # overall: 2 C, 2 NC -> 2 / 4 = 50 %; 1 N/A and 1 unanswered left out of the rate
    o = s.overall
    assert (o.compliant, o.non_compliant, o.not_applicable, o.unanswered) == (2, 2, 1, 1)
    assert o.rate == pytest.approx(0.5) and not s.complete
    fam = {f.label: f for f in s.families}
    assert list(fam) == ["Stratégie", "Frontend", "Hébergement"]
    assert fam["Stratégie"].rate == pytest.approx(1 / 2)  # 1 C, 1 NC
    assert fam["Frontend"].rate == pytest.approx(1 / 2)  # 1 C, 1 NC, 1 N/A left out
    assert fam["Frontend"].not_applicable == 1
    assert fam["Hébergement"].rate is None and fam["Hébergement"].unanswered == 1
    assert s.priorities == [] and s.weighted_rate is None
    [(_row, tally)] = with_overall(type(answered).objects.all())
    assert (tally.compliant, tally.non_compliant, tally.not_applicable, tally.unanswered) == (
        2,
        2,
        1,
        1,
    )


def test_priority_scores_by_hand(manager, city):
    levels = ["prioritaire", "prioritaire", "recommandé", "recommandé", "modéré", "modéré"]
    ref, _ = services.import_referential(
        manager,
        city,
        name="RGESN",
        file_name="2024.json",
        data=referential_bytes(referential_doc(priorities=levels, version="2024")),
    )
    a = services.create_assessment(
        manager, city, referential=ref, service_name="Site", assessed_on=dt.date(2026, 1, 1)
    )
    for code, status in [("1.1", C), ("1.2", NC), ("6.1", C), ("6.2", C), ("6.3", NC)]:
        _answer(manager, a, code, status)
    _answer(manager, a, "8.1", NA, justification="Hébergé en interne")
    s = scores(a)
    by = {p.label: p for p in s.priorities}
    assert by["Prioritaire"].rate == pytest.approx(1 / 2)
    assert by["Recommandé"].rate == pytest.approx(1.0)
    assert by["Modéré"].rate == pytest.approx(0.0) and by["Modéré"].not_applicable == 1
    # weighted: (3*1 + 2*2 + 1*0) / (3*2 + 2*2 + 1*1) = 7 / 11
    assert s.weighted_rate == pytest.approx(7 / 11)
    assert s.overall.rate == pytest.approx(3 / 5)


def test_answer_rules(manager, assessment):
    with pytest.raises(DomainError) as caught:
        _answer(manager, assessment, "1.1", NA, justification="  ")
    assert caught.value.field == "justification"
    with pytest.raises(DomainError) as caught:
        _answer(manager, assessment, "1.1", "peut-etre")
    assert caught.value.field == "status"
    saved = _answer(manager, assessment, "1.1", C, planned_action="sans objet")
    assert saved.planned_action == ""  # only a non-compliant criterion carries an action
    _answer(manager, assessment, "1.1", "")  # withdrawn: « non évalué » again
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_a_criterion_of_another_referential_is_refused(manager, city, assessment):
    doc = referential_doc(version="v2")
    other, _ = services.import_referential(
        manager, city, name="RGESN", file_name="v2.json", data=referential_bytes(doc)
    )
    with pytest.raises(DomainError):
        services.answer_criterion(
            manager, assessment, other.criteria.first(), status=C, justification=""
        )


def test_roles(viewer, tech, outsider, assessment):
    for user in (viewer, tech, outsider):
        with pytest.raises(NotAllowed):
            _answer(user, assessment, "1.1", C)


def test_htmx_answer_returns_the_criterion_and_the_scores(client, manager, assessment):
    client.force_login(manager)
    c = criterion(assessment.referential, "6.2")
    url = reverse("ecodesign:answer", args=[assessment.pk])
    response = client.post(
        url, {"criterion": c.pk, "status": NA, "justification": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="criterion-6-2"' in body and "doit être justifié" in body
    assert not Answer.objects.exists()
    response = client.post(
        url,
        {"criterion": c.pk, "status": NA, "justification": "Rien à compresser"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="assessment-scores" hx-swap-oob="outerHTML"' in body
    assert "Réponse au critère 6.2 enregistrée." in body
    assert Answer.objects.get().justification == "Rien à compresser"


def test_answer_without_javascript(client, manager, assessment):
    client.force_login(manager)
    c = criterion(assessment.referential, "1.2")
    url = reverse("ecodesign:answer", args=[assessment.pk])
    response = client.post(url, {"criterion": c.pk, "status": NC, "planned_action": "Former"})
    assert response.status_code == 302
    expected = f"/ecodesign/assessments/{assessment.pk}/?family=1#criterion-1-2"
    assert response["Location"].endswith(expected)
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "Former" in page and "0 conformes, 1 non conformes" in page
    response = client.post(url, {"criterion": c.pk, "status": NA})
    assert response.status_code == 400
    assert "doit être justifié" in response.content.decode()
    assert Answer.objects.get().status == NC


def test_viewer_reads_editor_edits_other_organisation_404(
    client, viewer, tech, outsider, manager, answered
):
    url = answered.get_absolute_url()
    answer_url = reverse("ecodesign:answer", args=[answered.pk])
    c = criterion(answered.referential, "8.1")
    client.force_login(viewer)
    page = client.get(url).content.decode()
    assert "Portail famille" in page and "Nommer un référent en 2026" in page
    assert answer_url not in page
    assert "Les pages ont-elles un poids plafond ?" not in page  # one family per page
    frontend = client.get(url, {"family": 2}).content.decode()
    assert "Les pages ont-elles un poids plafond ?" in frontend
    assert "Aucune ressource à compresser" in frontend and "Nommer un référent" not in frontend
    assert client.post(answer_url, {"criterion": c.pk, "status": C}).status_code == 403
    client.force_login(tech)
    assert client.post(answer_url, {"criterion": c.pk, "status": C}).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(answer_url, {"criterion": c.pk, "status": C}).status_code == 404
    assert client.get(reverse("ecodesign:statement", args=[answered.pk])).status_code == 404
    client.force_login(manager)
    assert answer_url in client.get(url).content.decode()
    assert client.post(answer_url, {"criterion": c.pk, "status": C}).status_code == 302


def test_create_edit_and_delete_from_the_pages(client, manager, viewer, city, referential):
    client.force_login(viewer)
    assert "assessment-form" not in client.get(reverse("ecodesign:assessments")).content.decode()
    create = reverse("ecodesign:assessment-create") + f"?organisation={city.slug}"
    fields = {
        "referential": referential.pk,
        "service_name": "Site de la ville",
        "service_url": "https://nevers.example",
        "assessed_on": "2026-05-02",
        "contact": "web@nevers.example",
    }
    assert client.post(create, fields).status_code == 403
    client.force_login(manager)
    response = client.post(create, {**fields, "assessed_on": ""})
    assert response.status_code == 400
    response = client.post(create, fields)
    assessment = city.ecodesign_assessments.get()
    assert response["Location"] == assessment.get_absolute_url()
    edit = reverse("ecodesign:assessment-edit", args=[assessment.pk])
    client.post(edit, {**fields, "service_name": "Site officiel"})
    assessment.refresh_from_db()
    assert assessment.service_name == "Site officiel"
    listing = client.get(reverse("ecodesign:assessments")).content.decode()
    assert "Site officiel" in listing
    client.post(reverse("ecodesign:assessment-delete", args=[assessment.pk]))
    assert not city.ecodesign_assessments.exists()


def test_statement_page_and_downloads(client, viewer, answered):
    client.force_login(viewer)
    page = client.get(reverse("ecodesign:statement", args=[answered.pk])).content.decode()
    for expected in (
        "Ville de Nevers a évalué le service numérique « Portail famille » le 15 mars 2026",
        "RGESN v1",
        "https://famille.nevers.example",
        "Taux de conformité : 50,0 %",
        "2 critères conformes sur 4 évalués ; 1 non applicables",
        "Évaluation incomplète : 1 critère non évalué.",
        "Nommer un référent en 2026",
        "aucune action prévue à ce jour",
        "Aucune ressource à compresser",
        "numerique@nevers.example",
    ):
        assert expected in page, expected
    md = client.get(reverse("ecodesign:statement-export", args=[answered.pk, "md"]))
    assert md["Content-Type"].startswith("text/markdown")
    assert "declaration-ecoconception-portail-famille-2026-03-15.md" in md["Content-Disposition"]
    text = md.content.decode()
    assert "# Déclaration d'écoconception — Portail famille" in text
    assert "| Frontend | 1 | 1 | 1 | 0 | 50,0 % |" in text
    assert "| Hébergement | 0 | 0 | 0 | 1 | — |" in text
    assert "- **1.2** Le service a-t-il un référent nommé ? — Action prévue : Nommer" in text
    assert "en 2026\n  Puis le former\n" in text  # a second line stays inside its list item
    assert "- **6.2** Les réponses sont-elles compressées ? — Justification : Aucune" in text
    html = client.get(reverse("ecodesign:statement-export", args=[answered.pk, "html"]))
    body = html.content.decode()
    assert body.startswith("<!doctype html>") and 'lang="fr"' in body
    assert "<link" not in body and "<script" not in body  # standalone, no outside resource
    assert "Nommer un référent en 2026" in body
    missing = reverse("ecodesign:statement-export", args=[answered.pk, "pdf"])
    assert client.get(missing).status_code == 404
