"""Plan pages per role: everyone in the organisation reads, managers and administrators change
(and alone open the plan settings), another organisation gets 404."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from impactnum.web.core import services as core_services
from impactnum.web.plan import services
from impactnum.web.plan.models import Commitment, Evaluation, IndicatorValue

D = dt.date


@pytest.fixture
def frozen(manager, city, commitment):
    services.add_action(manager, commitment, title="Charte", progress=40)
    e1 = services.freeze_evaluation(
        manager, services.create_evaluation(manager, city, label="M18", on=D(2024, 4, 28))
    )
    e2 = services.freeze_evaluation(
        manager, services.create_evaluation(manager, city, label="M36", on=D(2025, 10, 28))
    )
    return e1, e2


def _pages(commitment, frozen):
    e1, e2 = frozen
    return [
        reverse("plan:commitments"),
        reverse("plan:commitment", args=[commitment.pk]),
        reverse("plan:evaluations"),
        reverse("plan:evaluation", args=[e1.pk]),
        reverse("plan:compare") + f"?a={e1.pk}&b={e2.pk}",
        reverse("plan:evaluation-export", args=[e1.pk, "pdf"]),
        reverse("plan:evaluation-export", args=[e1.pk, "xlsx"]),
        reverse("plan:calendar"),
    ]


@pytest.mark.parametrize(
    "role", ["administrator", "manager", "technician", "facilitator", "viewer"]
)
def test_everyone_in_the_organisation_reads(client, make_user, city, commitment, frozen, role):
    client.force_login(make_user(role, city))
    for url in _pages(commitment, frozen):
        assert client.get(url).status_code == 200, url


def test_another_organisation_gets_404(client, make_user, agglo, commitment, frozen):
    client.force_login(make_user("administrator", agglo))
    for url in _pages(commitment, frozen)[1:]:
        if url.startswith(reverse("plan:commitments") + "?") or "calendar" in url:
            continue
        if url == reverse("plan:evaluations"):
            continue  # their own organisation's page
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("plan:commitments") + "?organisation=ville-nevers").status_code == 404


SETTINGS = {
    "name": "Plan NR 2026-2029",
    "started_on": "2026-01-01",
    "duration_months": 36,
    "annual_report_month": 10,
    "annual_report_day": 15,
    "reminder_days": 14,
    "evaluation_months_text": "18, 36",
}


@pytest.mark.parametrize(
    "role", ["administrator", "manager", "technician", "facilitator", "viewer"]
)
def test_only_those_who_change_the_plan_open_its_settings(client, make_user, city, role):
    """The settings are the plan's: the roles that only read get 403 (GET and POST) and no
    link to them; managers and administrators open and save them."""
    client.force_login(make_user(role, city))
    allowed = role in ("administrator", "manager")
    url = reverse("plan:settings")
    assert client.get(url, {"organisation": city.slug}).status_code == (200 if allowed else 403)
    assert client.get(url).status_code == (200 if allowed else 403)  # default organisation
    calendar = client.get(reverse("plan:calendar")).content.decode()
    assert ('id="nav-plan-settings"' in calendar) == allowed
    saved = client.post(f"{url}?organisation={city.slug}", SETTINGS)
    assert saved.status_code == (302 if allowed else 403)
    assert (services.plan_settings(city).name == SETTINGS["name"]) == allowed


def test_plan_settings_of_an_organisation_only_read_is_403_and_unknown_404(
    client, make_user, city, agglo
):
    """Manager of the city, viewer of the agglomeration (first by name): the city's only."""
    user = make_user("manager", city)
    core_services.set_membership(None, user, agglo, "viewer")
    client.force_login(user)
    url = reverse("plan:settings")
    assert client.get(url, {"organisation": agglo.slug}).status_code == 403
    assert client.post(f"{url}?organisation={agglo.slug}", SETTINGS).status_code == 403
    assert client.get(url, {"organisation": "nulle-part"}).status_code == 404
    page = client.get(url)
    assert page.status_code == 200 and page.context["organisation"] == city
    assert list(page.context["organisations"]) == [city]
    assert services.plan_settings(agglo).name != SETTINGS["name"]


@pytest.mark.parametrize("role", ["technician", "facilitator", "viewer"])
def test_other_roles_cannot_change(client, make_user, city, commitment, frozen, role):
    client.force_login(make_user(role, city))
    assert client.get(reverse("plan:commitment-create")).status_code == 403
    data = {"organisation": city.pk, "reference": "E09", "title": "X", "theme": "support"}
    assert client.post(reverse("plan:commitment-create"), data).status_code == 403
    assert client.post(reverse("plan:action-add", args=[commitment.pk]), {}).status_code == 403
    e = services.create_evaluation(
        Evaluation.objects.first().frozen_by, city, label="Brouillon", on=D(2026, 1, 1)
    )
    assert client.post(reverse("plan:evaluation-freeze", args=[e.pk])).status_code == 403
    page = client.get(reverse("plan:commitment", args=[commitment.pk])).content.decode()
    assert 'id="action-form"' not in page and 'id="commitment-edit"' not in page


def test_manager_creates_a_commitment_with_an_action_and_an_indicator(client, manager, city):
    client.force_login(manager)
    page = client.get(reverse("plan:commitments")).content.decode()
    assert 'id="commitment-create"' in page
    data = {
        "organisation": city.pk,
        "reference": "E07",
        "title": "Sobriété des impressions",
        "theme": "lifecycle",
        "source": "label",
        "owner": manager.pk,
    }
    response = client.post(reverse("plan:commitment-create"), data)
    c = Commitment.objects.get(reference="E07")
    assert response.status_code == 302 and response["Location"] == c.get_absolute_url()
    again = client.post(reverse("plan:commitment-create"), data)
    assert again.status_code == 400 and "E07" in again.content.decode()

    response = client.post(
        reverse("plan:action-add", args=[c.pk]),
        {"title": "Paramétrer le recto verso", "status": "planned", "progress": 100},
    )
    assert response.status_code == 302 and c.actions.get().status == "done"

    response = client.post(
        reverse("plan:indicator-create", args=[c.pk]),
        {
            "name": "Pages imprimées",
            "kind": "manual",
            "unit": "pages",
            "direction": "decrease",
            "target_value": "100000",
            "target_on": "2027-01-01",
            "trajectory_text": "2026-01-01 ; 150000",
        },
    )
    indicator = c.indicators.get()
    assert response.status_code == 302 and indicator.trajectory == [
        {"on": "2026-01-01", "value": 150000.0}
    ]
    upload = SimpleUploadedFile("compteurs.csv", b"imprimante;pages\nA;120000\n")
    response = client.post(
        reverse("plan:indicator-value-add", args=[indicator.pk]),
        {
            "on": "2026-06-01",
            "value": "120000",
            "evidence": "relevé des compteurs",
            "evidence_file": upload,
        },
    )
    assert response.status_code == 302
    value = IndicatorValue.objects.get()
    download = client.get(reverse("plan:evidence", args=[value.pk]))
    assert download.status_code == 200 and b"120000" in b"".join(download.streaming_content)
    page = client.get(indicator.get_absolute_url()).content.decode()
    assert "relevé des compteurs" in page


def test_form_refusal_is_shown_next_to_the_field(client, manager, commitment):
    client.force_login(manager)
    indicator = services.add_indicator(manager, commitment, name="Agents formés", kind="manual")
    response = client.post(
        reverse("plan:indicator-value-add", args=[indicator.pk]),
        {"on": "2099-01-01", "value": "3", "evidence": "liste d'émargement"},
    )
    assert response.status_code == 400
    assert 'id="id_on-error"' in response.content.decode()


def test_freeze_compare_and_export_pages(client, manager, city, commitment):
    client.force_login(manager)
    response = client.post(
        reverse("plan:evaluation-create"),
        {"organisation": city.pk, "label": "Évaluation à 18 mois", "on": "2024-04-28", "month": 18},
    )
    e = Evaluation.objects.get()
    assert response.status_code == 302
    page = client.get(e.get_absolute_url()).content.decode()
    assert 'id="evaluation-freeze"' in page and 'id="notes-form"' in page
    client.post(
        reverse("plan:evaluation-notes", args=[e.pk]),
        {"comments": "RAS", f"note_{commitment.pk}": "avance bien"},
    )
    assert client.post(reverse("plan:evaluation-freeze", args=[e.pk])).status_code == 302
    e.refresh_from_db()
    assert e.is_frozen and e.snapshot["commitments"][0]["note"] == "avance bien"
    page = client.get(e.get_absolute_url()).content.decode()
    assert 'id="evaluation-freeze"' not in page and "avance bien" in page
    response = client.post(reverse("plan:evaluation-freeze", args=[e.pk]))
    assert response.status_code == 409  # the button is gone; the rule still answers
    e2 = services.create_evaluation(manager, city, label="Brouillon", on=D(2026, 1, 1))
    page = client.get(reverse("plan:evaluations")).content.decode()
    assert 'id="compare-form"' in page
    page = client.get(reverse("plan:compare") + f"?a={e2.pk}&b={e.pk}").content.decode()
    assert "E01" in page and "Évaluation à 18 mois" in page
    xlsx = client.get(reverse("plan:evaluation-export", args=[e.pk, "xlsx"]))
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert list(wb["Engagements"].iter_rows(values_only=True))[1][0] == "E01"
    pdf = client.get(reverse("plan:evaluation-export", args=[e.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_calendar_lists_by_month(client, manager, city, commitment):
    services.add_action(manager, commitment, title="Charte", due_on=D(2027, 2, 10))
    client.force_login(manager)
    page = client.get(reverse("plan:calendar") + "?from=2027-01-01&months=12").content.decode()
    assert 'id="month-2027-02"' in page and "Charte" in page and 'id="month-2027-06"' in page
