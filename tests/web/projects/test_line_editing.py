"""Lines edited in place with htmx: add, refused value (400, nothing written), edit, delete."""

import pytest
from django.urls import reverse

from impactnum.web.core.choices import Role
from impactnum.web.core.models import AuditEvent
from impactnum.web.projects.models import EquipmentLine, NetworkLine, SroiOutcome

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_equipment_line_round_trip(client, admin, project):
    client.force_login(admin)
    sc = project.scenarios.get(position=0)
    new_url = reverse("projects:line-new", args=[project.pk, sc.pk, "equipment"])

    # "add line": an empty form row, with the kind's defaults as placeholders
    form_row = client.get(new_url, {"kind": "desktop"}, **HTMX)
    html = form_row.content.decode()
    assert form_row.status_code == 200 and 'class="line-form"' in html
    assert 'placeholder="6 ans (défaut ADEME, Arcep)"' in html  # ademe-2022 desktop
    assert 'name="kind"' in html and 'name="quantity"' in html

    # a refused value: 400, the field's message, nothing written
    before = EquipmentLine.objects.count()
    events = AuditEvent.objects.count()
    bad = client.post(new_url, {"kind": "desktop", "quantity": "-3"}, **HTMX)
    assert bad.status_code == 400
    assert "quantity" in bad.context["form"].errors
    assert 'aria-invalid="true"' in bad.content.decode()
    assert EquipmentLine.objects.count() == before and AuditEvent.objects.count() == events
    bad = client.post(new_url, {"kind": "desktop", "quantity": "2", "hours_per_day": "30"}, **HTMX)
    assert bad.status_code == 400 and "hours_per_day" in bad.context["form"].errors

    # save: the new row comes back, with a message for the live region
    ok = client.post(new_url, {"label": "Fixes", "kind": "desktop", "quantity": "4"}, **HTMX)
    assert ok.status_code == 200
    line = EquipmentLine.objects.get(scenario=sc, label="Fixes")
    html = ok.content.decode()
    assert f'id="line-equipment-{line.pk}"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "défaut ADEME" in html  # lifespan left empty: the default is shown as a default

    # edit: the form row, then save
    edit_url = reverse("projects:line-edit", args=[project.pk, "equipment", line.pk])
    form_row = client.get(edit_url, **HTMX)
    assert form_row.status_code == 200 and 'value="Fixes"' in form_row.content.decode()
    bad = client.post(edit_url, {"kind": "desktop", "quantity": "abc"}, **HTMX)
    assert bad.status_code == 400
    line.refresh_from_db()
    assert line.quantity == 4
    ok = client.post(
        edit_url,
        {"label": "Fixes", "kind": "desktop", "quantity": "6", "lifespan_years": "8"},
        **HTMX,
    )
    assert ok.status_code == 200 and "8 ans" in ok.content.decode()
    line.refresh_from_db()
    assert (line.quantity, line.lifespan_years) == (6, 8)

    # cancel gives the row back
    row = client.get(reverse("projects:line-row", args=[project.pk, "equipment", line.pk]), **HTMX)
    assert row.status_code == 200 and f'id="line-equipment-{line.pk}"' in row.content.decode()

    # delete: confirmation attribute on the form, empty answer (the row goes away)
    detail = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "data-confirm=" in detail and "onclick" not in detail
    gone = client.post(
        reverse("projects:line-delete", args=[project.pk, "equipment", line.pk]), **HTMX
    )
    assert gone.status_code == 200 and "Ligne supprimée" in gone.content.decode()
    assert not EquipmentLine.objects.filter(pk=line.pk).exists()
    assert AuditEvent.objects.filter(action="equipment_line.deleted").exists()


def test_other_line_types(client, admin, project):
    client.force_login(admin)
    sc = project.scenarios.get(position=0)
    url = lambda t: reverse("projects:line-new", args=[project.pk, sc.pk, t])  # noqa: E731
    assert (
        client.post(url("network"), {"kind": "mobile", "gb_per_year": "12.5"}, **HTMX).status_code
        == 200
    )
    assert NetworkLine.objects.get(scenario=sc).gb_per_year == 12.5
    data = {
        "outcome": "autonomie",
        "quantity": "40",
        "proxy_eur": "150",
        "deadweight": "0.2",
        "attribution": "0",
        "displacement": "0",
        "drop_off": "0",
        "duration_years": "2",
    }
    assert client.post(url("sroi"), data, **HTMX).status_code == 200
    assert SroiOutcome.objects.get(scenario=sc).proxy_eur == 150
    assert client.get(url("planet"), **HTMX).status_code == 404


def test_without_htmx_the_page_reloads(client, admin, project):
    client.force_login(admin)
    sc = project.scenarios.get(position=0)
    url = reverse("projects:line-new", args=[project.pk, sc.pk, "network"])
    r = client.post(url, {"kind": "fixed", "gb_per_year": "3"})
    assert r.status_code == 302 and r.url.endswith(f"#scenario-{sc.pk}")


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.FACILITATOR, Role.VIEWER])
def test_readers_cannot_edit_lines(client, make_user, city, project, role):
    client.force_login(make_user(role, city))
    sc = project.scenarios.get(position=0)
    line = sc.equipment.get()
    assert (
        client.post(
            reverse("projects:line-new", args=[project.pk, sc.pk, "equipment"]),
            {"kind": "laptop", "quantity": "1"},
            **HTMX,
        ).status_code
        == 403
    )
    edit = reverse("projects:line-edit", args=[project.pk, "equipment", line.pk])
    assert client.get(edit, **HTMX).status_code == 403
    assert client.post(edit, {"kind": "laptop", "quantity": "99"}, **HTMX).status_code == 403
    delete = reverse("projects:line-delete", args=[project.pk, "equipment", line.pk])
    assert client.post(delete, **HTMX).status_code == 403
    line.refresh_from_db()
    assert line.quantity == 10
    # they still see the line, without edit buttons
    row = client.get(reverse("projects:line-row", args=[project.pk, "equipment", line.pk]))
    assert row.status_code == 200 and "edit-line" not in row.content.decode()


def test_sroi_shares_are_between_0_and_1_as_in_the_project_file(admin, project):
    from impactnum.web.core.errors import DomainError
    from impactnum.web.projects import services

    sc = project.scenarios.first()
    fields = {"outcome": "autonomie", "quantity": 40, "proxy_eur": 150, "attribution": -1.9}
    with pytest.raises(DomainError) as refused:
        services.add_line(admin, sc, "sroi", **fields)
    assert refused.value.field == "attribution" or "attribution" in str(refused.value)
    assert not SroiOutcome.objects.filter(scenario=sc).exists()
    services.add_line(admin, sc, "sroi", **{**fields, "attribution": 0.25})
    assert SroiOutcome.objects.get(scenario=sc).attribution == 0.25
