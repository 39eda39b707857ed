"""Fleet imports: real-format files (GLPI export, NumEcoEval, impactnum CSV/XLSX), the preview,
all-or-nothing apply, re-imports that update instead of duplicating."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from impactnum.web.core.errors import DomainError, NotAllowed
from impactnum.web.core.services import snapshot
from impactnum.web.fleet import services
from impactnum.web.fleet.choices import AssetEventType, AssetStatus
from impactnum.web.fleet.imports import (
    StalePlan,
    apply,
    build_plan,
    detect_format,
    read_import_file,
)
from impactnum.web.fleet.imports.templates import csv_template, xlsx_template
from impactnum.web.fleet.models import Asset, AssetEvent, Location

DATA = Path(__file__).parent / "data"
GLPI = DATA / "glpi_computers.csv"
HEADER = (
    '"Nom";"Entité";"Statut";"Fabricant";"Type";"Modèle";"Numéro de série";'
    '"Numéro d\'inventaire";"Lieu";"Informations financières et administratives - Date d\'achat"'
)


def glpi_file(tmp_path: Path, *lines: str, name: str = "export.csv") -> Path:
    """A GLPI export as GLPI writes it: BOM, `;`, every value quoted, CRLF."""
    path = tmp_path / name
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join([HEADER, *lines, ""]).encode("utf-8"))
    return path


def line(*values: str) -> str:
    return ";".join(f'"{v}"' for v in values)


@pytest.fixture
def tech(city, make_user):
    return make_user("technician", city)


def counts() -> tuple[int, int, int]:
    return Asset.objects.count(), AssetEvent.objects.count(), Location.objects.count()


# --- reading ----------------------------------------------------------------------------------


def test_glpi_export_is_read_with_bom_quotes_french_headers_and_times():
    parsed = read_import_file(GLPI)
    assert parsed.ok and parsed.format == "glpi" and len(parsed.rows) == 6
    first, second, third = parsed.rows[:3]
    assert first.line == 2 and first.fields["kind"] == "laptop"
    assert first.fields["serial_number"] == "PF3AB001"
    assert first.fields["inventory_number"] == "INV-2021-001"
    assert first.fields["purchase_date"] == dt.date(2021, 3, 15)  # "2021-03-15 00:00"
    assert first.location == "Hôtel de ville > 1er étage"
    assert second.fields["purchase_date"] == dt.date(2021, 4, 15)  # "15/04/2021 10:30"
    assert third.fields["purchase_date"] == dt.date(2020, 8, 20)  # "20-08-2020"
    assert [r.status for r in parsed.rows] == [
        "in_service",
        "in_service",
        "in_stock",
        "in_repair",
        "retired",
        "retired",
    ]
    assert [r.fields["kind"] for r in parsed.rows] == [
        "laptop",
        "desktop",
        "desktop",
        "desktop",
        "desktop",
        "tablet",
    ]
    assert parsed.warnings == []


def test_malformed_glpi_file_names_each_bad_line_and_writes_nothing(city):
    before = counts()
    parsed = read_import_file(DATA / "glpi_malformed.csv")
    assert not parsed.ok and parsed.rows == []
    errors = parsed.error_lines()
    assert errors[0].startswith("glpi_malformed.csv:3: wrong number of fields: 11 instead of 13")
    assert errors[1].startswith("glpi_malformed.csv:4: column ")
    assert "not a date: '31/31/2020'" in errors[1]
    with pytest.raises(DomainError, match="2 erreur"):
        build_plan(city, parsed)
    assert counts() == before


def test_unknown_type_and_status_become_other_and_in_service_with_warnings(city, tech):
    parsed = read_import_file(DATA / "glpi_unknown_values.csv")
    assert parsed.ok
    assert any("unknown type 'Tablette graphique': kind 'other'" in w for w in parsed.warnings)
    assert any("unknown status 'Prêté à une association'" in w for w in parsed.warnings)
    plan = build_plan(city, parsed)
    apply(tech, plan)
    odd = Asset.objects.get(serial_number="WAC001")
    assert odd.kind == "other" and odd.status == AssetStatus.IN_SERVICE


def test_glpi_status_hierarchy_and_spellings(tmp_path):
    path = glpi_file(
        tmp_path,
        line("A", "E", "En service > Prêt", "HP", "PORTABLE", "x", "S1", "", "", ""),
        line("B", "E", "rebut", "HP", "mini tour", "x", "S2", "", "", ""),
        line("C", "E", "En Reparation", "HP", "Notebook", "x", "S3", "", "", "2020-01-02"),
    )
    parsed = read_import_file(path)
    assert parsed.ok, parsed.error_lines()
    assert [r.status for r in parsed.rows] == ["in_service", "retired", "in_repair"]
    assert [r.fields["kind"] for r in parsed.rows] == ["laptop", "desktop", "laptop"]


def test_format_detection_and_override(tmp_path):
    assert read_import_file(GLPI).format == "glpi"
    assert read_import_file(DATA / "numecoeval_equipment.csv").format == "numecoeval"
    native = tmp_path / "fleet.csv"
    native.write_bytes(csv_template([{"kind": "laptop", "serial_number": "X1"}]))
    assert read_import_file(native).format == "impactnum"
    unknown = tmp_path / "other.csv"
    unknown.write_text("a;b\n1;2\n", encoding="utf-8")
    parsed = read_import_file(unknown)
    assert not parsed.ok and "format not recognised" in parsed.error_lines()[0]
    forced = read_import_file(DATA / "numecoeval_equipment.csv", fmt="impactnum")
    assert not forced.ok and "missing required column 'kind'" in forced.error_lines()[0]
    from impactnum.io.table import read_table

    assert detect_format(read_table(GLPI)) == "glpi"


# --- preview and apply ------------------------------------------------------------------------


def test_preview_writes_nothing_then_apply_creates_with_one_imported_event_each(city, tech):
    before = counts()
    plan = build_plan(city, read_import_file(GLPI))
    assert counts() == before
    assert len(plan.to_create) == 6 and not plan.to_update and not plan.refused
    assert plan.new_locations[0] == "Hôtel de ville > 1er étage" and len(plan.new_locations) == 6
    assert any("Entité" in w or "entité" in w for w in plan.warnings)

    result = apply(tech, plan)
    assert result.created == 6
    assert Asset.objects.filter(organisation=city).count() == 6
    laptop = Asset.objects.get(serial_number="PF3AB001")
    assert laptop.location.name == "Hôtel de ville > 1er étage"
    assert laptop.assigned_to == "jdupont" and laptop.supplier == "UGAP"
    events = list(laptop.events.all())
    assert [(e.type, e.to_status, e.actor_id) for e in events] == [
        (AssetEventType.IMPORTED, "in_service", tech.pk)
    ]
    assert events[0].data["fields"]["serial_number"] == "PF3AB001"
    assert AssetEvent.objects.filter(type=AssetEventType.IMPORTED).count() == 6


def test_reimport_updates_instead_of_duplicating(city, tech, tmp_path):
    apply(tech, build_plan(city, read_import_file(GLPI)))
    again = build_plan(city, read_import_file(GLPI))
    assert (len(again.to_create), len(again.to_update), len(again.unchanged)) == (0, 0, 6)
    apply(tech, again)
    assert Asset.objects.count() == 6

    changed = glpi_file(
        tmp_path,
        # same serial, new location and model: update
        line("PC", "E", "En service", "LENOVO", "Portable", "T14 G2", "PF3AB001", "", "Mairie", ""),
        # found by inventory number only (GLPI lost the serial): update, serial kept
        line("PC2", "E", "En service", "Dell Inc.", "Tour", "OptiPlex", "", "INV-2021-002", "", ""),
        # new one
        line("PC3", "E", "En stock", "HP", "Portable", "ProBook", "NEW001", "", "", ""),
    )
    plan = build_plan(city, read_import_file(changed))
    assert len(plan.to_create) == 1 and len(plan.to_update) == 2
    first = plan.to_update[0]
    assert first.changes["location"] == ("Hôtel de ville > 1er étage", "Mairie")
    assert first.changes["model"] == ("ThinkPad T14 Gen 2", "T14 G2")
    apply(tech, plan)
    assert Asset.objects.count() == 7
    laptop = Asset.objects.get(serial_number="PF3AB001")
    assert laptop.model == "T14 G2" and laptop.location.name == "Mairie" and laptop.version == 1
    event = laptop.events.last()
    assert event.type == AssetEventType.IMPORTED
    assert event.data["changed"]["model"] == ["ThinkPad T14 Gen 2", "T14 G2"]
    desktop = Asset.objects.get(inventory_number="INV-2021-002")
    assert desktop.serial_number == "7H2K9L3" and desktop.kind == "desktop"


def test_status_changes_follow_the_lifecycle(city, tech, tmp_path):
    apply(tech, build_plan(city, read_import_file(GLPI)))
    path = glpi_file(
        tmp_path,
        # in repair -> in service: allowed
        line("A", "E", "En service", "LENOVO", "Tour", "M70t", "S4MXY77", "", "", ""),
        # retired -> in service: refused
        line("B", "E", "En service", "Fujitsu", "Tour", "P757", "DSEF012345", "", "", ""),
        # in stock -> retired (no lifespan policy: no reason needed)
        line("C", "E", "Rebut", "HP", "Mini-tour", "ProDesk", "CZC1234XYZ", "", "", ""),
    )
    plan = build_plan(city, read_import_file(path))
    assert [u.status_change for u in plan.to_update] == [
        ("in_repair", "in_service"),
        ("in_stock", "retired"),
    ]
    (refusal,) = plan.refused
    assert refusal.line == 3 and "impossible" in refusal.reason
    result = apply(tech, plan)
    assert result.status_changed == 2
    assert Asset.objects.get(serial_number="S4MXY77").status == AssetStatus.IN_SERVICE
    assert Asset.objects.get(serial_number="DSEF012345").status == AssetStatus.RETIRED
    moved = Asset.objects.get(serial_number="CZC1234XYZ")
    assert moved.status == AssetStatus.RETIRED and moved.retired_on is not None
    assert moved.events.filter(type=AssetEventType.STATUS_CHANGED).count() == 1


def test_unknown_status_leaves_an_existing_asset_unchanged(city, tech, tmp_path):
    services.create_asset(tech, city, kind="laptop", serial_number="S9", status="in_repair")
    path = glpi_file(
        tmp_path, line("A", "E", "Chez le voisin", "HP", "Portable", "", "S9", "", "", "")
    )
    plan = build_plan(city, read_import_file(path))
    (update,) = plan.to_update
    assert update.status_change is None and set(update.changes) == {"manufacturer"}
    apply(tech, plan)
    assert Asset.objects.get(serial_number="S9").status == AssetStatus.IN_REPAIR


def test_retiring_a_young_asset_needs_a_reason(city, tech, make_user, tmp_path):
    admin = make_user("administrator", city)
    services.set_lifespan_policy(admin, city, "laptop", 7)
    services.create_asset(
        tech,
        city,
        kind="laptop",
        serial_number="YOUNG1",
        purchase_date=dt.date.today() - dt.timedelta(days=365),
    )
    path = tmp_path / "fleet.csv"
    path.write_bytes(
        csv_template([{"kind": "laptop", "serial_number": "YOUNG1", "status": "retired"}])
    )
    plan = build_plan(city, read_import_file(path))
    assert plan.refused and "motif de réforme" in plan.refused[0].reason
    path.write_bytes(
        csv_template(
            [
                {
                    "kind": "laptop",
                    "serial_number": "YOUNG1",
                    "status": "retired",
                    "retirement_reason": "écran cassé, pièce introuvable",
                }
            ]
        )
    )
    plan = build_plan(city, read_import_file(path))
    assert not plan.refused
    apply(tech, plan)
    asset = Asset.objects.get(serial_number="YOUNG1")
    assert asset.status == AssetStatus.RETIRED
    assert asset.retirement_reason == "écran cassé, pièce introuvable"


def test_refused_lines_say_why(city, tech, tmp_path):
    services.create_asset(tech, city, kind="laptop", serial_number="SA", inventory_number="IA")
    services.create_asset(tech, city, kind="laptop", serial_number="SB", inventory_number="IB")
    path = glpi_file(
        tmp_path,
        line("1", "E", "En service", "HP", "Portable", "", "", "", "", ""),
        line("2", "E", "En service", "HP", "Portable", "", "NEW1", "", "", ""),
        line("3", "E", "En service", "HP", "Portable", "", "NEW1", "", "", ""),
        line("4", "E", "En service", "HP", "Portable", "", "SA", "IB", "", ""),
        line("5", "E", "En service", "HP", "Portable", "", "OTHER", "IA", "", ""),
    )
    plan = build_plan(city, read_import_file(path))
    reasons = {r.line: r.reason for r in plan.refused}
    assert "ni numéro de série ni numéro d'inventaire" in reasons[2]
    assert "même numéro de série (NEW1) que la ligne 3" in reasons[4]
    assert "désigne un équipement" in reasons[5]
    assert "appartient à l'équipement de numéro de série SA" in reasons[6]
    assert [c.line for c in plan.to_create] == [3]


def test_apply_refuses_a_stale_preview_and_writes_nothing(city, tech):
    asset = services.create_asset(tech, city, kind="laptop", serial_number="PF3AB001")
    plan = build_plan(city, read_import_file(GLPI))
    services.update_asset(tech, asset, model="changed meanwhile")
    before = counts()
    with pytest.raises(StalePlan):
        apply(tech, plan)
    assert counts() == before


def test_permission_edit_fleet(city, make_user):
    viewer = make_user("viewer", city)
    plan = build_plan(city, read_import_file(GLPI))
    with pytest.raises(NotAllowed):
        apply(viewer, plan)
    assert Asset.objects.count() == 0
    apply(None, plan, check_permission=False)  # the CLI's system actor
    assert Asset.objects.count() == 6
    assert AssetEvent.objects.filter(actor__isnull=True).count() == 6


def test_bulk_and_service_paths_write_the_same(city, agglo, tech, make_user, tmp_path):
    other = make_user("technician", agglo)
    apply(tech, build_plan(city, read_import_file(GLPI)), bulk=False)
    apply(other, build_plan(agglo, read_import_file(GLPI)), bulk=True)
    skip = {"id", "organisation", "location", "status_changed_at"}

    def state(org):
        out = []
        for a in Asset.objects.filter(organisation=org).order_by("serial_number"):
            fields = {k: v for k, v in (snapshot(a) or {}).items() if k not in skip}
            event = a.events.get()
            data = {k: v for k, v in event.data["fields"].items() if k not in skip}
            out.append((fields, a.location.name, event.type, event.to_status, data))
        return out

    assert state(city) == state(agglo)
    # updates too
    path = glpi_file(
        tmp_path, line("A", "E", "En service", "X", "Portable", "Y", "PF3AB001", "", "Z", "")
    )
    apply(tech, build_plan(city, read_import_file(path)), bulk=False)
    apply(other, build_plan(agglo, read_import_file(path)), bulk=True)
    one = Asset.objects.get(organisation=city, serial_number="PF3AB001")
    two = Asset.objects.get(organisation=agglo, serial_number="PF3AB001")
    assert (one.model, one.manufacturer, one.location.name, one.version) == (
        two.model,
        two.manufacturer,
        two.location.name,
        two.version,
    )
    changed_one, changed_two = one.events.last().data["changed"], two.events.last().data["changed"]
    assert set(changed_one) == set(changed_two) == {"manufacturer", "model", "location"}
    assert changed_one["model"] == changed_two["model"] == ["ThinkPad T14 Gen 2", "Y"]


def test_numecoeval_file(city, tech):
    parsed = read_import_file(DATA / "numecoeval_equipment.csv")
    plan = build_plan(city, parsed)
    assert [c.line for c in plan.to_create] == [2, 3, 5]
    (refusal,) = plan.refused
    assert refusal.line == 4 and "quantite 30" in refusal.reason
    apply(tech, plan)
    server = Asset.objects.get(inventory_number="SRV-DC-01")
    assert server.kind == "server" and server.location.name == "DC-Mairie"
    assert server.kwh_per_year == 1200 and server.expected_lifespan_years == 6
    assert Asset.objects.get(inventory_number="BOX-MEDIA").status == AssetStatus.IN_SERVICE


# --- impactnum templates ----------------------------------------------------------------------

ROWS = [
    {
        "kind": "laptop",
        "status": "in_stock",
        "manufacturer": "Lenovo",
        "model": "ThinkPad T14; Gen 2",
        "serial_number": "PF3ABC12",
        "inventory_number": "INV-0001",
        "department": "DSI",
        "location": "Hôtel de ville",
        "purchase_date": dt.date(2021, 3, 15),
        "price_excl_vat": 850.5,
        "price_incl_vat": "1 020,60",
        "bought_refurbished": True,
        "weee_category": "6",
        "country": "France",
        "kwh_per_year": 25,
        "expected_lifespan_years": 7,
    },
    {"kind": "Écran", "serial_number": "MON-1", "classified": "oui"},
]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_template_round_trip(city, tech, tmp_path, kind):
    path = tmp_path / f"parc.{kind}"
    path.write_bytes(xlsx_template(ROWS) if kind == "xlsx" else csv_template(ROWS))
    parsed = read_import_file(path)
    assert parsed.ok, parsed.error_lines()
    assert parsed.format == "impactnum" and [r.line for r in parsed.rows] == [2, 3]
    apply(tech, build_plan(city, parsed))
    laptop = Asset.objects.get(serial_number="PF3ABC12")
    assert laptop.status == AssetStatus.IN_STOCK and laptop.department.name == "DSI"
    assert laptop.model == "ThinkPad T14; Gen 2" and laptop.purchase_date == dt.date(2021, 3, 15)
    assert str(laptop.price_excl_vat) == "850.50" and str(laptop.price_incl_vat) == "1020.60"
    assert laptop.bought_refurbished and laptop.weee_category == "6" and laptop.country == "FRA"
    monitor = Asset.objects.get(serial_number="MON-1")
    assert monitor.kind == "monitor" and monitor.classified
    again = build_plan(city, read_import_file(path))
    assert len(again.unchanged) == 2


def test_empty_templates_read_back_as_a_file_without_lines(tmp_path):
    for name, data in (("t.xlsx", xlsx_template()), ("t.csv", csv_template())):
        path = tmp_path / name
        path.write_bytes(data)
        parsed = read_import_file(path)
        assert not parsed.ok and "no lines" in parsed.error_lines()[0]


def test_native_errors_name_lines(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "kind;serial_number;purchase_date;price_excl_vat;bought_refurbished\n"
        "laptop;A;2021-01-01;10;oui\n"
        "laptpo;B;;;\n"
        "laptop;C;demain;;\n"
        "laptop;D;;douze;peut-être\n",
        encoding="utf-8",
    )
    parsed = read_import_file(path)
    text = "\n".join(parsed.error_lines())
    assert "bad.csv:3: column 'kind': unknown kind 'laptpo' (did you mean 'laptop'?)" in text
    assert "bad.csv:4: column 'purchase_date': not a date: 'demain'" in text
    assert "bad.csv:5: column 'price_excl_vat': not a number: 'douze'" in text
    assert "bad.csv:5: column 'bought_refurbished'" in text
    assert parsed.rows == []


# --- the page (URLs included here as the fleet app will: namespace `fleet`) --------------------


@pytest.fixture
def import_urls(settings, tmp_path):
    import sys
    import types

    from django.urls import clear_url_caches, include, path

    from impactnum.web.config import urls as root
    from impactnum.web.fleet.imports import urls as import_urls_module

    module = types.ModuleType("test_fleet_import_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        *root.urlpatterns,
        path("fleet/", include((import_urls_module.urlpatterns, "fleet"))),
    ]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    settings.MEDIA_ROOT = str(tmp_path / "media")
    clear_url_caches()
    yield
    clear_url_caches()
    del sys.modules[module.__name__]


def test_page_upload_preview_confirm(client, city, tech, import_urls):
    from django.urls import reverse

    client.force_login(tech)
    url = reverse("fleet:import")
    assert client.get(url).status_code == 200
    with GLPI.open("rb") as fh:
        page = client.post(url, {"organisation": city.slug, "format": "auto", "file": fh})
    assert page.status_code == 200 and Asset.objects.count() == 0
    plan = page.context["plan"]
    assert len(plan.to_create) == 6 and b"PF3AB001" in page.content
    data = {
        "organisation": city.slug,
        "format": "auto",
        "digest": page.context["digest"],
        "name": "glpi_computers.csv",
        "token": "stale",
        "confirm": "1",
    }
    assert client.post(url, data).status_code == 200 and Asset.objects.count() == 0
    data["token"] = plan.token
    done = client.post(url, data)
    assert done.status_code == 302 and Asset.objects.count() == 6


def test_page_errors_and_templates(client, city, tech, import_urls):
    from django.urls import reverse

    client.force_login(tech)
    with (DATA / "glpi_malformed.csv").open("rb") as fh:
        page = client.post(reverse("fleet:import"), {"organisation": city.slug, "file": fh})
    assert (
        page.status_code == 400 and b"glpi_malformed.csv:3: wrong number of fields" in page.content
    )
    assert Asset.objects.count() == 0
    xlsx = client.get(reverse("fleet:import-template", args=["xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    csv = client.get(reverse("fleet:import-template", args=["csv"]))
    assert csv.content.decode("utf-8-sig").startswith("kind;status;")


def test_page_needs_edit_fleet(client, city, agglo, make_user, import_urls):
    from django.urls import reverse

    from impactnum.web.core.services import set_membership

    client.force_login(make_user("viewer", city))
    assert client.get(reverse("fleet:import")).status_code == 403
    with GLPI.open("rb") as fh:
        page = client.post(reverse("fleet:import"), {"organisation": city.slug, "file": fh})
    assert page.status_code == 403 and Asset.objects.count() == 0
    # a technician of another organisation: the city is not among theirs
    tech_elsewhere = make_user("technician", agglo)
    set_membership(None, tech_elsewhere, city, "viewer")
    client.force_login(tech_elsewhere)
    with GLPI.open("rb") as fh:
        page = client.post(reverse("fleet:import"), {"organisation": city.slug, "file": fh})
    assert page.status_code == 404 and Asset.objects.count() == 0


def test_page_refuses_a_file_over_the_size_limit_before_storing_it(
    client, city, tech, import_urls, monkeypatch, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from impactnum.web.fleet.imports import views as import_views

    monkeypatch.setattr(import_views, "MAX_UPLOAD_BYTES", 1024)
    client.force_login(tech)
    big = SimpleUploadedFile("big.csv", GLPI.read_bytes() + b"x" * 2048, "text/csv")
    page = client.post(reverse("fleet:import"), {"organisation": city.slug, "file": big})
    assert page.status_code == 400 and "Fichier trop volumineux" in page.content.decode()
    assert Asset.objects.count() == 0
    assert not list((tmp_path / "media").glob("imports/*"))
