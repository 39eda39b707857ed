"""The period report page (every figure, the CO2e method named and switchable, charts, CSV and
XLSX), the lot balance, the ORDS download and the materials block of a shipment — per role and
for another organisation; no beneficiary data in any of them."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from reuse_helpers import device, new_lot, provide, ready, template

from impactnum.web.core.choices import Role
from impactnum.web.reuse import services
from impactnum.web.reuse.choices import DeviceStatus
from impactnum.web.reuse.models import Party, WeeeShipment

D = dt.date
PERIOD = {"organisation": "ville-nevers", "date_from": "2026-01-01", "date_to": "2026-12-31"}
ALL_ROLES = (Role.ADMINISTRATOR, Role.MANAGER, Role.TECHNICIAN, Role.FACILITATOR, Role.VIEWER)


@pytest.fixture
def facilitator(city, make_user):
    return make_user("facilitator", city)


@pytest.fixture
def scene(tech, city, facilitator):
    """A laptop sold to P-SECRET (commune 58194), a phone donated, a desktop dismantled, a
    laptop recycled; a repair whose text names the person; a 2-hour support session."""
    lot = new_lot(tech, city, donor_kind="association", weight=20, items=5, on=D(2026, 2, 1))
    tmpl = template(city)
    person = services.create_beneficiary(
        facilitator, city, pseudonym="P-SECRET", commune="58194", age_bracket="70_plus"
    )
    sold = ready(tech, device(tech, lot, "laptop", mass_kg=2), tmpl)
    services.record_repair(
        tech,
        sold,
        problem="charnière cassée, prêté à P-SECRET",
        outcome="fixed",
        minutes_spent=90,
        on=D(2026, 2, 3),
    )
    provide(tech, sold, person, on=D(2026, 3, 1), price="100", type_="solidarity_sale")
    phone = ready(tech, device(tech, lot, "smartphone"), tmpl)
    provide(tech, phone, person, on=D(2026, 3, 2))
    parts = device(tech, lot, "desktop", media=False, mass_kg=7)
    services.triage(tech, parts, "parts", reason="obsolete")
    services.harvest_part(tech, parts, "RAM 8 Go")
    services.change_status(tech, parts, DeviceStatus.DISMANTLED)
    old = device(tech, lot, "laptop", media=False, mass_kg=2.5)
    services.triage(tech, old, "recycling", reason="broken screen")
    recycler = Party.objects.create(organisation=city, kind="recycler", name="Recycleur")
    shipment = WeeeShipment.objects.create(
        organisation=city, recycler=recycler, weee_category="2", weight_kg=2.5
    )
    services.add_to_shipment(tech, shipment, old)
    services.ship(tech, shipment, on=D(2026, 4, 1), tracking_reference="BSD-1")
    services.record_support_session(
        facilitator, city, beneficiary=person, date=D(2026, 3, 5), minutes=120
    )
    return {"lot": lot, "shipment": shipment, "person": person}


def _no_person(text: str) -> None:
    assert "P-SECRET" not in text and "58194" not in text and "70_plus" not in text


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_member_reads_the_report_with_every_figure(client, city, make_user, scene, role):
    client.force_login(make_user(role, city))
    r = client.get(reverse("reuse:report"), PERIOD)
    assert r.status_code == 200
    html = r.content.decode()
    for key in (
        "devices_collected",
        "kg_collected",
        "reuse_rate",
        "parts_harvested",
        "kg_recycled",
        "people_equipped",
        "support_hours",
        "co2e_avoided_kg",
        "ewaste_avoided_kg",
        "work_hours",
        "money_saved_eur",
    ):
        assert f'id="fig-{key}"' in html, key
    assert 'id="report-weee"' in html and 'id="report-materials"' in html
    assert html.count('class="chart"') >= 3 and "<title" in html
    assert 'id="method-restart"' in html and 'aria-current="true"' in html
    assert "The Restart Project" in html
    _no_person(html)


def test_the_method_is_the_readers_choice_and_is_named(client, city, make_user, scene):
    client.force_login(make_user("viewer", city))
    restart = client.get(reverse("reuse:report"), PERIOD).content.decode()
    ademe = client.get(reverse("reuse:report"), {**PERIOD, "method": "ademe"}).content.decode()
    assert 'id="method-ademe" class="button" href' in ademe
    assert "ADEME/Arcep 2022 (fabrication + distribution)" in ademe
    fig = re.compile(r'id="fig-co2e_avoided_kg"><strong>([^<]*)</strong>')
    # Restart: laptop 265.32 × 0.5 + mobile 50.51 × 0.5 = 157.9 kgCO2e (about 3 digits shown)
    assert fig.search(restart).group(1).startswith("158")
    assert fig.search(ademe).group(1) != fig.search(restart).group(1)
    assert 'id="co2e-other"' in restart


def test_another_organisation_gets_404(client, agglo, make_user, scene):
    client.force_login(make_user("administrator", agglo))
    assert client.get(reverse("reuse:report"), PERIOD).status_code == 404
    assert client.get(reverse("reuse:report-csv"), PERIOD).status_code == 404
    assert client.get(reverse("reuse:report-xlsx"), PERIOD).status_code == 404
    assert (
        client.get(reverse("reuse:ords-csv"), {"organisation": "ville-nevers"}).status_code == 404
    )
    assert client.get(reverse("reuse:lot-balance", args=[scene["lot"].pk])).status_code == 404
    assert client.get(reverse("reuse:shipment", args=[scene["shipment"].pk])).status_code == 404


def test_anonymous_is_sent_to_login(client, scene):
    for url in (reverse("reuse:report"), reverse("reuse:ords-csv"), reverse("reuse:report-csv")):
        r = client.get(url)
        assert r.status_code == 302 and "login" in r["Location"]


def test_csv_and_xlsx_exports_carry_the_figures(client, city, make_user, scene):
    client.force_login(make_user("viewer", city))
    q = {"organisation": "ville-nevers", "from": "2026-01-01", "to": "2026-12-31"}
    q = {**PERIOD, "method": "restart"}
    r = client.get(reverse("reuse:report-csv"), q)
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    text = r.content.decode()
    _no_person(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "indicateur", "valeur", "unite"]
    values = {row[1]: row[2] for row in rows[1:]}
    assert values["Objets collectés"] == "4" and values["Poids recyclé"] == "2.5"
    assert values["Personnes équipées"] == "1" and values["Heures d'accompagnement"] == "2.0"
    assert "The Restart Project" in values["Méthode CO2e"]
    x = client.get(reverse("reuse:report-xlsx"), q)
    assert x.status_code == 200 and "spreadsheetml" in x["Content-Type"]
    ws = load_workbook(io.BytesIO(x.content)).active
    cells = {row[1]: row[2] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert cells["Objets collectés"] == 4 and cells["Poids recyclé"] == 2.5
    _no_person(" ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row))


def test_invalid_period_is_a_400_and_exports_404(client, city, make_user):
    client.force_login(make_user("viewer", city))
    bad = {**PERIOD, "date_from": "2026-12-31", "date_to": "2026-01-01"}
    assert client.get(reverse("reuse:report"), bad).status_code == 400
    assert client.get(reverse("reuse:report-csv"), bad).status_code == 404


def test_default_period_is_this_year(client, city, make_user):
    client.force_login(make_user("viewer", city))
    r = client.get(reverse("reuse:report"))
    assert r.status_code == 200 and b'id="report-period"' in r.content


@pytest.mark.parametrize("role", ALL_ROLES)
def test_lot_balance(client, city, make_user, scene, role):
    client.force_login(make_user(role, city))
    r = client.get(reverse("reuse:lot-balance", args=[scene["lot"].pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="balance-reused"' in html and 'id="balance-unaccounted"' in html
    assert 'id="balance-recycled"' in html
    _no_person(html)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_ords_download_has_no_person(client, city, make_user, scene, role):
    client.force_login(make_user(role, city))
    r = client.get(reverse("reuse:ords-csv"), {"organisation": "ville-nevers"})
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    text = r.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1 and rows[0]["repair_status"] == "Fixed"
    assert "[retiré]" in rows[0]["problem"]
    _no_person(text)


def test_shipment_page_shows_the_materials_estimate(client, city, make_user, scene):
    client.force_login(make_user("technician", city))
    r = client.get(reverse("reuse:shipment", args=[scene["shipment"].pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="shipment-materials"' in html and 'id="shipment-materials-table"' in html
    assert "Or" in html and "Cuivre" in html
