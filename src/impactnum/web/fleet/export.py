"""The assets list as CSV or XLSX: every asset the filters select, not only the page shown.

Headers are the asset field codes of impactnum's own import format (`kind`, `status`,
`serial_number`…, department and location by name), so an exported file can be edited and
imported again; the columns after them (id, organisation, labels, policy lifespan, age, retired
on, version) are read-only facts the import ignores. CSV: comma, UTF-8, ISO dates, dot decimals,
booleans `true`/`false`, streamed. XLSX: openpyxl's write-only workbook (constant memory),
numbers and dates as typed cells. Rows are read with `values_list(...).iterator()`, so
100,000 assets never sit in memory as model instances.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from impactnum.io.cells import csv_writer, xlsx_row
from impactnum.web.core.models import Organisation
from impactnum.web.projects.choices import KIND_CHOICES

from .choices import AssetStatus
from .filters import policies_by_org

EXPORT_FORMATS = ("csv", "xlsx")

FIELDS: tuple[tuple[str, str], ...] = (
    # (header, ORM path)
    ("kind", "kind"),
    ("status", "status"),
    ("manufacturer", "manufacturer"),
    ("model", "model"),
    ("serial_number", "serial_number"),
    ("inventory_number", "inventory_number"),
    ("department", "department__name"),
    ("location", "location__name"),
    ("assigned_to", "assigned_to"),
    ("purchase_date", "purchase_date"),
    ("price_excl_vat", "price_excl_vat"),
    ("price_incl_vat", "price_incl_vat"),
    ("supplier", "supplier"),
    ("order_reference", "order_reference"),
    ("warranty_end", "warranty_end"),
    ("bought_refurbished", "bought_refurbished"),
    ("recycled_material", "recycled_material"),
    ("received_as_donation", "received_as_donation"),
    ("donation_value", "donation_value"),
    ("expected_lifespan_years", "expected_lifespan_years"),
    ("storage_media", "storage_media"),
    ("weee_category", "weee_category"),
    ("classified", "classified"),
    ("country", "country"),
    ("kwh_per_year", "kwh_per_year"),
    ("retirement_reason", "retirement_reason"),
    ("id", "pk"),
    ("organisation", "organisation__slug"),
    ("retired_on", "retired_on"),
    ("reuse_proof", "reuse_proof"),
    ("version", "version"),
)
EXTRA = ("kind_label", "status_label", "policy_lifespan_years", "age_years")
HEADER = tuple(h for h, _p in FIELDS) + EXTRA
CHUNK = 2000


def rows(qs: QuerySet[Any], orgs: QuerySet[Organisation]) -> Iterator[list[Any]]:
    """One list of typed values per asset (None where empty), in `HEADER` order."""
    policies = policies_by_org(orgs)
    kinds = dict(KIND_CHOICES)
    statuses = dict(AssetStatus.choices)
    today = timezone.localdate()
    paths = [p for _h, p in FIELDS]
    i_kind, i_status = paths.index("kind"), paths.index("status")
    i_own, i_bought = paths.index("expected_lifespan_years"), paths.index("purchase_date")
    values = qs.values_list(*paths, "organisation_id")  # in the list's order
    for row in values.iterator(chunk_size=CHUNK):
        out = list(row[:-1])
        org_id = row[-1]
        life = out[i_own] or policies.get((org_id, out[i_kind]))
        bought = out[i_bought]
        age = round((today - bought).days / 365.25, 2) if bought else None
        out += [
            str(kinds.get(out[i_kind], out[i_kind])),
            str(statuses.get(out[i_status], "")),
            life,
            age,
        ]
        yield out


def _csv_cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return f"{v:.2f}"
    return v


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(qs: QuerySet[Any], orgs: QuerySet[Organisation]) -> Iterator[str]:
    writer = csv_writer(_Echo(), lineterminator="\n")
    yield writer.writerow(HEADER)
    for row in rows(qs, orgs):
        yield writer.writerow([_csv_cell(v) for v in row])


def xlsx_bytes(qs: QuerySet[Any], orgs: QuerySet[Organisation]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("parc")
    ws.freeze_panes = "A2"
    head = []
    for h in HEADER:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = Font(bold=True)
        head.append(cell)
    ws.append(head)
    for row in rows(qs, orgs):
        ws.append(xlsx_row(ws, [float(v) if isinstance(v, Decimal) else v for v in row]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_response(
    qs: QuerySet[Any], orgs: QuerySet[Organisation], fmt: str
) -> HttpResponse | StreamingHttpResponse:
    name = f"parc-{timezone.localdate().isoformat()}.{fmt}"
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(qs, orgs), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            xlsx_bytes(qs, orgs),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response.headers["Content-Disposition"] = content_disposition_header(True, name)
    return response
