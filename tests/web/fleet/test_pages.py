"""Fleet pages: allowed and denied per role and organisation, filters and search, status
changes, repairs, bulk actions (all or nothing), version conflicts, exports, settings,
indicators, footprint, quotas and the declaration."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from impactnum.web.core import services as core_services
from impactnum.web.core.choices import Role
from impactnum.web.fleet import services
from impactnum.web.fleet.choices import AssetStatus
from impactnum.web.fleet.models import Asset, AssetEvent, Department, LifespanPolicy, Location

EDITORS = {Role.ADMINISTRATOR, Role.MANAGER, Role.TECHNICIAN}
ALL_ROLES = list(Role.values)
TODAY = dt.date.today()


def years_ago(n: float) -> dt.date:
    return TODAY - dt.timedelta(days=round(n * 365.25))


@pytest.fixture
def admin(city, make_user):
    return make_user("administrator", city, username="admin-city")


@pytest.fixture
def fleet(city, admin):
    """A small fleet: two departments, a location, a laptop policy of 5 years."""
    it = services.add_department(admin, city, "DSI")
    school = services.add_department(admin, city, "Écoles")
    hall = services.add_location(admin, city, "Hôtel de ville")
    services.set_lifespan_policy(admin, city, "laptop", 5)
    old = services.create_asset(
        admin,
        city,
        kind="laptop",
        manufacturer="Lenovo",
        model="ThinkPad T14",
        serial_number="PF-OLD",
        inventory_number="INV-001",
        department=it,
        location=hall,
        assigned_to="A1234",
        purchase_date=years_ago(6),
        price_excl_vat=900,
    )
    young = services.create_asset(
        admin,
        city,
        kind="laptop",
        model="Latitude 5420",
        serial_number="DL-YOUNG",
        inventory_number="INV-002",
        department=school,
        purchase_date=years_ago(2),
        bought_refurbished=True,
        price_excl_vat=400,
    )
    screen = services.create_asset(
        admin,
        city,
        kind="monitor",
        model="P2422H",
        inventory_number="INV-003",
        purchase_date=years_ago(1),
        status=AssetStatus.SPARE,
    )
    return {"old": old, "young": young, "screen": screen, "it": it, "school": school, "hall": hall}


@pytest.fixture
def other_asset(agglo, make_user):
    owner = make_user("administrator", agglo, username="admin-agglo")
    return services.create_asset(owner, agglo, kind="laptop", model="Autre", serial_number="AGG1")


def login(client, make_user, role, org):
    user = make_user(role, org)
    client.force_login(user)
    return user


def page(response) -> str:
    return response.content.decode()


# --- access ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, fleet):
    asset = fleet["old"]
    for url in [
        reverse("fleet:list"),
        reverse("fleet:asset", args=[asset.pk]),
        reverse("fleet:create"),
        reverse("fleet:edit", args=[asset.pk]),
        reverse("fleet:export", args=["csv"]),
        reverse("fleet:settings"),
        reverse("fleet:indicators"),
        reverse("fleet:footprint"),
        reverse("fleet:quotas"),
        reverse("fleet:declaration"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response.url, url


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_reads_the_fleet_pages(client, make_user, city, fleet, role):
    login(client, make_user, role, city)
    asset = fleet["old"]
    for url in [
        reverse("fleet:list"),
        reverse("fleet:asset", args=[asset.pk]),
        reverse("fleet:indicators"),
        reverse("fleet:footprint"),
        reverse("fleet:quotas"),
        reverse("fleet:export", args=["csv"]),
        reverse("fleet:export", args=["xlsx"]),
        reverse("fleet:declaration") + "?year=2025",
    ]:
        assert client.get(url).status_code == 200, url
    listing = page(client.get(reverse("fleet:list")))
    detail = page(client.get(reverse("fleet:asset", args=[asset.pk])))
    editor = role in EDITORS
    assert ('id="bulk-submit"' in listing) == editor
    assert ('id="create-asset"' in listing) == editor
    assert ('id="status-form"' in detail) == editor
    assert ('id="repair-form"' in detail) == editor
    assert ('id="edit-asset"' in detail) == editor


@pytest.mark.parametrize("role", ALL_ROLES)
def test_changes_are_for_technicians_managers_and_administrators(
    client, make_user, city, fleet, role
):
    login(client, make_user, role, city)
    asset = fleet["old"]
    allowed = role in EDITORS
    assert client.get(reverse("fleet:create")).status_code == (200 if allowed else 403)
    assert client.get(reverse("fleet:edit", args=[asset.pk])).status_code == (
        200 if allowed else 403
    )
    response = client.post(
        reverse("fleet:status", args=[asset.pk]),
        {"status": "spare", "expected_version": asset.version},
    )
    assert response.status_code == (302 if allowed else 403)
    response = client.post(reverse("fleet:repair-open", args=[asset.pk]), {"problem": "Écran"})
    assert response.status_code == (302 if allowed else 403)
    response = client.post(
        reverse("fleet:bulk"), {"asset": [fleet["screen"].pk], "bulk-location": fleet["hall"].pk}
    )
    assert response.status_code == (302 if allowed else 403)
    asset.refresh_from_db()
    assert (asset.status == AssetStatus.IN_REPAIR) == allowed
    assert (asset.repairs.count() == 1) == allowed


def test_another_organisations_asset_is_not_found(client, make_user, city, fleet, other_asset):
    login(client, make_user, Role.ADMINISTRATOR, city)
    for url in [
        reverse("fleet:asset", args=[other_asset.pk]),
        reverse("fleet:edit", args=[other_asset.pk]),
        reverse("fleet:indicators") + "?organisation=agglo-nevers",
        reverse("fleet:quotas") + "?organisation=agglo-nevers",
        reverse("fleet:footprint") + "?organisation=agglo-nevers",
        reverse("fleet:declaration") + "?organisation=agglo-nevers",
    ]:
        assert client.get(url).status_code == 404, url
    for url, data in [
        (reverse("fleet:status", args=[other_asset.pk]), {"status": "spare"}),
        (reverse("fleet:repair-open", args=[other_asset.pk]), {"problem": "x"}),
        (reverse("fleet:bulk"), {"asset": [other_asset.pk], "bulk-status": "spare"}),
    ]:
        assert client.post(url, data).status_code == 404, url
    other_asset.refresh_from_db()
    assert other_asset.status == AssetStatus.IN_SERVICE and other_asset.repairs.count() == 0
    assert "AGG1" not in page(client.get(reverse("fleet:list")))
    assert "AGG1" not in client.get(reverse("fleet:export", args=["csv"])).getvalue().decode()


# --- list: filters, search, sorting, pagination --------------------------------------------


def serials(response) -> set[str]:
    html = page(response)
    return {s for s in ("PF-OLD", "DL-YOUNG", "INV-003") if s in html}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"PF-OLD", "DL-YOUNG", "INV-003"}),
        ({"kind": "monitor"}, {"INV-003"}),
        ({"status": "spare"}, {"INV-003"}),
        ({"refurbished": "1"}, {"DL-YOUNG"}),
        ({"refurbished": "0"}, {"PF-OLD", "INV-003"}),
        ({"past_lifespan": "1"}, {"PF-OLD"}),
        ({"q": "thinkpad"}, {"PF-OLD"}),
        ({"q": "dl-you"}, {"DL-YOUNG"}),
        ({"q": "INV-003"}, {"INV-003"}),
        ({"q": "a1234"}, {"PF-OLD"}),
        ({"q": "lenovo zzz"}, set()),
        ({"organisation": "ville-nevers", "kind": "laptop"}, {"PF-OLD", "DL-YOUNG"}),
        ({"organisation": "agglo-nevers"}, set()),
        ({"kind": "not-a-kind"}, {"PF-OLD", "DL-YOUNG", "INV-003"}),
    ],
)
def test_list_filters_and_search(client, admin, fleet, query, expected):
    client.force_login(admin)
    response = client.get(reverse("fleet:list"), query)
    assert response.status_code == 200
    assert serials(response) == expected


def test_list_filters_by_department_and_location(client, admin, fleet):
    client.force_login(admin)
    assert serials(client.get(reverse("fleet:list"), {"department": fleet["school"].pk})) == {
        "DL-YOUNG"
    }
    assert serials(client.get(reverse("fleet:list"), {"location": fleet["hall"].pk})) == {"PF-OLD"}


def test_list_sorting_and_pagination_keep_the_filters(client, admin, city, fleet):
    client.force_login(admin)
    html = page(client.get(reverse("fleet:list"), {"sort": "-inventory"}))
    assert html.index("INV-003") < html.index("INV-002") < html.index("INV-001")
    for i in range(60):
        services.create_asset(admin, city, kind="laptop", inventory_number=f"B-{i:03d}")
    html = page(client.get(reverse("fleet:list"), {"kind": "laptop"}))
    assert "62 équipements" in html and 'id="pagination"' in html
    assert "?kind=laptop&amp;page=2" in html
    html2 = page(client.get(reverse("fleet:list"), {"kind": "laptop", "page": 2}))
    assert "Page 2 sur 2" in html2


def test_list_costs_a_fixed_number_of_queries(
    client, admin, city, fleet, django_assert_max_num_queries
):
    client.force_login(admin)
    for i in range(40):
        services.create_asset(
            admin, city, kind="laptop", inventory_number=f"Q-{i}", department=fleet["it"]
        )
    with django_assert_max_num_queries(16):
        assert (
            client.get(reverse("fleet:list"), {"q": "Q-", "sort": "department"}).status_code == 200
        )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_list_links_the_import_page_for_those_who_may_import(client, make_user, city, role):
    login(client, make_user, role, city)
    allowed = role in EDITORS
    assert (reverse("fleet:import") in page(client.get(reverse("fleet:list")))) == allowed
    assert client.get(reverse("fleet:import")).status_code == (200 if allowed else 403)


def test_settings_list_only_the_organisations_administered(client, make_user, city, agglo):
    """Administrator of the city, viewer of the agglomeration: the city's settings only."""
    user = login(client, make_user, Role.ADMINISTRATOR, city)
    core_services.set_membership(None, user, agglo, Role.VIEWER)
    services.add_department(user, city, "Service ville")
    services.add_department(make_user(Role.ADMINISTRATOR, agglo), agglo, "Service agglo")
    html = page(client.get(reverse("fleet:settings")))
    assert "Service ville" in html and "Service agglo" not in html
    refused = client.post(reverse("fleet:department-add"), {"organisation": agglo.pk, "name": "X"})
    assert refused.status_code == 400 and not Department.objects.filter(name="X").exists()


# --- asset page, form, status, repairs -------------------------------------------------------


def test_asset_page_shows_fields_age_lifespan_and_history(client, admin, fleet):
    asset = fleet["old"]
    services.update_asset(admin, asset, assigned_to="B5678", location=None)
    client.force_login(admin)
    html = page(client.get(reverse("fleet:asset", args=[asset.pk])))
    assert "ThinkPad T14" in html and "PF-OLD" in html
    assert "6,0 ans" in html  # age, French decimal comma
    assert "5 ans" in html and "dépassée" in html  # policy lifespan, exceeded
    assert "Modifié" in html and "A1234" in html and "B5678" in html  # before → after
    assert "Hôtel de ville" in html  # the location's name, not its id
    assert "admin-city" in html


def test_create_and_edit_an_asset(client, make_user, city, fleet):
    tech = login(client, make_user, Role.TECHNICIAN, city)
    response = client.post(
        reverse("fleet:create"),
        {
            "organisation": city.pk,
            "kind": "smartphone",
            "model": "Fairphone 5",
            "serial_number": "FP5-1",
            "purchase_date": "2024-03-01",
            "country": "FRA",
            "department": fleet["it"].pk,
        },
    )
    assert response.status_code == 302, page(response)
    phone = Asset.objects.get(serial_number="FP5-1")
    assert phone.department == fleet["it"] and phone.events.get().actor == tech
    response = client.post(
        reverse("fleet:edit", args=[phone.pk]),
        {
            "kind": "smartphone",
            "model": "Fairphone 5 (256 Go)",
            "serial_number": "FP5-1",
            "country": "FRA",
            "expected_version": phone.version,
        },
    )
    assert response.status_code == 302
    phone.refresh_from_db()
    assert phone.model == "Fairphone 5 (256 Go)" and phone.version == 1


def test_create_refuses_a_duplicate_serial_next_to_the_field(client, admin, city, fleet):
    client.force_login(admin)
    response = client.post(
        reverse("fleet:create"),
        {"organisation": city.pk, "kind": "laptop", "serial_number": "PF-OLD", "country": "FRA"},
    )
    assert response.status_code == 400
    assert Asset.objects.filter(serial_number="PF-OLD").count() == 1


def test_edit_conflict_shows_a_clear_message(client, admin, fleet):
    asset = fleet["old"]
    client.force_login(admin)
    seen = asset.version
    services.update_asset(admin, asset, assigned_to="someone else")  # meanwhile
    response = client.post(
        reverse("fleet:edit", args=[asset.pk]),
        {"kind": "laptop", "model": "Mine", "country": "FRA", "expected_version": seen},
    )
    assert response.status_code == 409
    assert "modifié par quelqu" in page(response) and 'id="asset-form-errors"' in page(response)
    asset.refresh_from_db()
    assert asset.model == "ThinkPad T14" and asset.assigned_to == "someone else"


def test_status_form_offers_only_allowed_moves(client, admin, fleet):
    client.force_login(admin)
    html = page(client.get(reverse("fleet:asset", args=[fleet["old"].pk])))
    form = html.split('id="status-form"')[1].split("</form>")[0]
    assert 'value="retired"' in form and 'value="lost_stolen"' in form
    assert 'value="recycled"' not in form and 'value="ordered"' not in form


def test_retiring_early_needs_a_reason_shown_next_to_the_field(client, admin, fleet):
    young = fleet["young"]  # 2 years old, policy 5 years
    client.force_login(admin)
    url = reverse("fleet:status", args=[young.pk])
    response = client.post(url, {"status": "retired", "expected_version": young.version})
    assert response.status_code == 400
    html = page(response)
    assert 'id="status-reason-error"' in html and "durée de vie attendue" in html
    young.refresh_from_db()
    assert young.status == AssetStatus.IN_SERVICE
    response = client.post(
        url,
        {"status": "retired", "reason": "Carte mère HS, pièce introuvable", "expected_version": 0},
    )
    assert response.status_code == 302
    young.refresh_from_db()
    assert young.status == AssetStatus.RETIRED and young.retired_on == TODAY
    assert young.retirement_reason == "Carte mère HS, pièce introuvable"


def test_retiring_an_old_device_needs_no_reason_and_a_stale_version_is_refused(
    client, admin, fleet
):
    old = fleet["old"]
    client.force_login(admin)
    url = reverse("fleet:status", args=[old.pk])
    response = client.post(url, {"status": "retired", "expected_version": old.version + 5})
    assert response.status_code == 409 and "rechargez la page" in page(response)
    response = client.post(url, {"status": "retired", "expected_version": old.version})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.status == AssetStatus.RETIRED


def test_record_and_close_a_repair(client, admin, fleet):
    asset = fleet["old"]
    client.force_login(admin)
    response = client.post(
        reverse("fleet:repair-open", args=[asset.pk]),
        {"problem": "Charnière cassée", "opened_on": "2025-01-10"},
    )
    assert response.status_code == 302
    repair = asset.repairs.get()
    asset.refresh_from_db()
    assert asset.status == AssetStatus.IN_REPAIR
    close = reverse("fleet:repair-close", args=[asset.pk, repair.pk])
    response = client.post(close, {"outcome": "end_of_life"})
    assert response.status_code == 400
    assert f'id="close-{repair.pk}-barrier-error"' in page(response)
    response = client.post(
        close,
        {
            "outcome": "end_of_life",
            "barrier": "spare_parts_not_available",
            "parts_cost": "0",
            "minutes_spent": "45",
        },
    )
    assert response.status_code == 302
    repair.refresh_from_db()
    assert repair.outcome == "end_of_life" and repair.minutes_spent == 45
    html = page(client.get(reverse("fleet:asset", args=[asset.pk])))
    assert "Pièces détachées indisponibles" in html and "Réparation close" in html
    assert client.post(close, {"outcome": "fixed"}).status_code == 409  # already closed


def test_repair_without_problem_is_refused(client, admin, fleet):
    client.force_login(admin)
    response = client.post(reverse("fleet:repair-open", args=[fleet["old"].pk]), {"problem": ""})
    assert response.status_code == 400 and 'id="repair-problem-error"' in page(response)


# --- bulk actions ----------------------------------------------------------------------------


def test_bulk_assignment_changes_every_selected_asset(client, admin, fleet):
    client.force_login(admin)
    ids = [fleet["old"].pk, fleet["young"].pk, fleet["screen"].pk]
    response = client.post(
        reverse("fleet:bulk"),
        {"asset": ids, "bulk-department": fleet["school"].pk, "bulk-location": fleet["hall"].pk},
    )
    assert response.status_code == 302
    assert set(Asset.objects.filter(pk__in=ids).values_list("department", "location")) == {
        (fleet["school"].pk, fleet["hall"].pk)
    }


def test_bulk_action_is_all_or_nothing(client, admin, fleet):
    client.force_login(admin)
    young, old, screen = fleet["young"], fleet["old"], fleet["screen"]
    events = AssetEvent.objects.count()
    # retiring the young laptop without a reason is refused: nothing changes for the others
    response = client.post(
        reverse("fleet:bulk"),
        {"asset": [old.pk, young.pk, screen.pk], "bulk-status": "retired", "kind": "laptop"},
    )
    assert response.status_code == 400
    html = page(response)
    refusals = html.split('id="bulk-refusals"')[1].split("</ul>")[0]
    assert "INV-002" in refusals and "durée de vie" in refusals
    assert "INV-001" not in refusals and "INV-003" not in refusals
    assert set(Asset.objects.values_list("status", flat=True)) == {"in_service", "spare"}
    assert AssetEvent.objects.count() == events
    assert f'id="select-{young.pk}" checked' in html  # the selection is kept
    # with a reason every one is retired
    response = client.post(
        reverse("fleet:bulk"),
        {
            "asset": [old.pk, young.pk, screen.pk],
            "bulk-status": "retired",
            "bulk-reason": "Renouvellement",
        },
    )
    assert response.status_code == 302
    assert set(Asset.objects.values_list("status", flat=True)) == {"retired"}


def test_bulk_action_needs_a_selection_and_an_action(client, admin, fleet):
    client.force_login(admin)
    assert client.post(reverse("fleet:bulk"), {"bulk-status": "spare"}).status_code == 400
    response = client.post(reverse("fleet:bulk"), {"asset": [fleet["old"].pk]})
    assert response.status_code == 400 and "Choisissez" in page(response)


# --- export ----------------------------------------------------------------------------------


def test_csv_export_of_the_filtered_list(client, admin, fleet):
    client.force_login(admin)
    response = client.get(reverse("fleet:export", args=["csv"]), {"kind": "laptop"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    by_serial = {r["serial_number"]: r for r in rows}
    assert set(by_serial) == {"PF-OLD", "DL-YOUNG"}
    old = by_serial["PF-OLD"]
    assert old["kind"] == "laptop" and old["department"] == "DSI"
    assert old["location"] == "Hôtel de ville" and old["price_excl_vat"] == "900.00"
    assert old["purchase_date"] == years_ago(6).isoformat()
    assert old["policy_lifespan_years"] == "5.0" and old["organisation"] == "ville-nevers"
    assert by_serial["DL-YOUNG"]["bought_refurbished"] == "true"


def test_xlsx_export_of_the_filtered_list(client, admin, fleet):
    client.force_login(admin)
    response = client.get(
        reverse("fleet:export", args=["xlsx"]), {"q": "INV-00", "sort": "-inventory"}
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    header = rows[0]
    inv = header.index("inventory_number")
    assert [r[inv] for r in rows[1:]] == ["INV-003", "INV-002", "INV-001"]
    price = header.index("price_excl_vat")
    assert rows[3][price] == 900  # a number, not text
    assert client.get(reverse("fleet:export", args=["pdf"])).status_code == 404


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ALL_ROLES)
def test_settings_are_opened_and_changed_by_administrators_only(client, make_user, city, role):
    login(client, make_user, role, city)
    allowed = role == Role.ADMINISTRATOR
    settings = client.get(reverse("fleet:settings"))
    assert settings.status_code == (200 if allowed else 403)
    assert ('id="policy-form"' in page(settings)) == allowed
    assert ('id="nav-settings"' in page(client.get(reverse("fleet:indicators")))) == allowed
    responses = [
        client.post(
            reverse("fleet:policy-set"), {"organisation": city.pk, "kind": "laptop", "years": 7}
        ),
        client.post(reverse("fleet:department-add"), {"organisation": city.pk, "name": "DRH"}),
        client.post(
            reverse("fleet:location-add"), {"organisation": city.pk, "name": "Mairie annexe"}
        ),
    ]
    assert [r.status_code for r in responses] == [302 if allowed else 403] * 3
    assert (
        LifespanPolicy.objects.filter(organisation=city, kind="laptop", years=7).exists() == allowed
    )
    assert Department.objects.filter(name="DRH").exists() == allowed
    assert Location.objects.filter(name="Mairie annexe").exists() == allowed


def test_duplicate_department_is_refused_next_to_the_field(client, admin, city, fleet):
    client.force_login(admin)
    response = client.post(
        reverse("fleet:department-add"), {"organisation": city.pk, "name": "dsi"}
    )
    assert response.status_code == 400 and 'id="department-name-error"' in page(response)


# --- indicators, footprint, quotas, declaration ------------------------------------------------


def test_indicators_page(client, admin, fleet):
    services.open_repair(admin, fleet["old"], problem="Clavier")
    client.force_login(admin)
    html = page(client.get(reverse("fleet:indicators")))
    assert 'id="ind-held"' in html and 'id="ind-past-lifespan"' in html
    assert "past_lifespan=1" in html  # links to the filtered list
    assert "Ordinateur portable" in html and "Écran" in html


def test_footprint_page(client, admin, fleet):
    client.force_login(admin)
    response = client.get(reverse("fleet:footprint"), {"criterion": "gwp", "by": "department"})
    assert response.status_code == 200
    html = page(response)
    for chart in ("fleet-phases", "fleet-by-kind", "fleet-by-group", "fleet-trend"):
        assert f'id="{chart}"' in html
    assert "DSI" in html and "Fabrication" in html and 'id="footprint-trend"' in html


def test_footprint_page_with_an_empty_fleet(client, make_user, agglo):
    login(client, make_user, Role.VIEWER, agglo)
    assert client.get(reverse("fleet:footprint")).status_code == 200


def test_quotas_page_and_declaration(client, admin, city, fleet):
    client.force_login(admin)
    year = TODAY.year
    html = page(client.get(reverse("fleet:quotas"), {"year": year}))
    assert (
        'id="agec"' in html and 'id="retired-reuse"' in html and 'id="declaration-download"' in html
    )
    assert "25" in html and "35" in html and "50" in html  # the décret's trajectory
    response = client.get(reverse("fleet:declaration"), {"organisation": city.slug, "year": year})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["siret"] == city.siret
    assert rows[0]["type_produit_acquis"] == "Matériel informatique et téléphonie"


def test_declaration_without_siret_goes_back_with_the_reason(client, make_user, db):
    org = core_services.create_organisation(None, slug="asso", name="Asso", kind="association")
    login(client, make_user, Role.ADMINISTRATOR, org)
    response = client.get(reverse("fleet:declaration"), {"year": 2025}, follow=True)
    assert response.redirect_chain and "SIRET" in page(response)
