"""Social targeting: the per-commune digital fragility index and where the reuse chain's
provisions and support sessions went against it.

The index file (CSV, UTF-8, `;` or `,`): one row per commune, the commune's INSEE code and/or
name, the four axes of the Mednum / Indice de fragilité numérique — access to digital
interfaces, access to information, administrative skills, digital/learning skills — and the
global score (higher = more fragile; 100 = the national average in the original index).
The import is all-or-nothing: every error is listed with its line number, nothing is saved
until the whole file is valid (docs/open-data.md, "Indice de fragilité").

Activity per commune comes from `reuse.Beneficiary.commune` as database GROUP BY counts —
never a person: provisions to people and individual support sessions per commune.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import EDIT_PROJECTS, require
from impactnum.web.core.services import record_event
from impactnum.web.reuse.models import Provision, SupportSession

from .models import FragilityIndex, FragilityRow

IMPORT_INDEX = EDIT_PROJECTS
"""Managers and administrators import an index (core.permissions)."""
SMALL_COUNT = 5
"""A per-commune count below this is suppressed wherever it could be seen by someone who may
not see the people (public page, exports, members without the view_beneficiaries capability)."""
MAX_ROWS = 40_000  # France has about 35,000 communes

AXES = (
    "access_interfaces",
    "access_information",
    "administrative_skills",
    "digital_skills",
    "global_score",
)
COLUMNS: dict[str, tuple[str, ...]] = {
    "insee_code": ("code_insee", "insee", "code_commune", "codgeo", "insee_code"),
    "commune": ("commune", "nom_commune", "libelle", "libgeo", "name"),
    "access_interfaces": (
        "acces_interfaces",
        "acces_aux_interfaces_numeriques",
        "access_interfaces",
    ),
    "access_information": ("acces_information", "acces_a_l_information", "access_information"),
    "administrative_skills": (
        "competences_administratives",
        "administrative_skills",
    ),
    "digital_skills": (
        "competences_numeriques",
        "competences_numeriques_scolaires",
        "digital_skills",
    ),
    "global_score": ("score_global", "global_score", "score"),
}
"""Accepted header names (compared without accents, case or punctuation) per field."""
INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")


class FragilityImportError(DomainError):
    """The file was refused; `errors` lists every problem as « ligne N : … »."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors), field="file")
        self.errors = errors


def normalise(text: str) -> str:
    """Lower case, no accents, words separated by one space (« Saint-Éloi » → « saint eloi »)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split())


def _header_key(name: str) -> str:
    return normalise(name).replace(" ", "_")


def _number(raw: str) -> float:
    text = raw.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    return float(text)


COMMUNE_MAX = 150  # FragilityRow.commune
CELL_MAX = 1000
"""Longest cell read: the csv module refuses a field over 128 KiB with an exception."""


def _shown(raw: str) -> str:
    return raw if len(raw) <= 50 else raw[:49] + "…"


@dataclass(frozen=True)
class ParsedRow:
    line: int
    insee_code: str
    commune: str
    scores: dict[str, float]


def parse_index(data: bytes) -> list[ParsedRow]:
    """The rows of an index file, or FragilityImportError listing every problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FragilityImportError([_("Le fichier doit être encodé en UTF-8.")]) from None
    if not text.strip():
        raise FragilityImportError([_("Le fichier est vide.")])
    if "\x00" in text:  # binary data; no database text column may hold a NUL
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FragilityImportError(
            [_("ligne %(l)s : octet nul : ce n'est pas un fichier CSV texte") % {"l": line}]
        )
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    try:
        return _parse_rows(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:  # a field over the csv module's limit (128 KiB)
        raise FragilityImportError(
            [_("fichier CSV illisible : %(e)s") % {"e": _shown(str(exc))}]
        ) from None


def _parse_rows(reader: Any) -> list[ParsedRow]:
    header = [_header_key(h) for h in next(reader)]
    where: dict[str, int] = {}
    for field, names in COLUMNS.items():
        for i, h in enumerate(header):
            if h in names:
                where[field] = i
                break
    errors = []
    missing = [COLUMNS[f][0] for f in AXES if f not in where]
    if missing:
        errors.append(_("ligne 1 : colonnes manquantes : %(c)s") % {"c": ", ".join(missing)})
    if "insee_code" not in where and "commune" not in where:
        errors.append(_("ligne 1 : il faut une colonne code_insee ou commune"))
    if errors:
        raise FragilityImportError(errors)
    rows: list[ParsedRow] = []
    seen: dict[str, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue

        def cell(field: str, cells: list[str] = cells) -> str:
            i = where.get(field)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        code, name = cell("insee_code").upper(), cell("commune")
        problems = []
        if not code and not name:
            problems.append(_("ni code INSEE ni nom de commune"))
        if code and not INSEE.match(code):
            problems.append(_("code INSEE « %(c)s » invalide (5 caractères)") % {"c": _shown(code)})
        if len(name) > COMMUNE_MAX:
            problems.append(
                _("nom de commune trop long (%(n)s caractères au plus)") % {"n": COMMUNE_MAX}
            )
        scores: dict[str, float] = {}
        for field in AXES:
            raw = cell(field)
            try:
                value = _number(raw[:CELL_MAX])
                if not math.isfinite(value) or value < 0:  # NaN, infinite or negative
                    raise ValueError
                scores[field] = value
            except ValueError:
                problems.append(
                    _("%(f)s : « %(v)s » n'est pas un nombre positif")
                    % {"f": COLUMNS[field][0], "v": _shown(raw)}
                )
        key = code or normalise(name)
        if key and key in seen:
            problems.append(_("commune déjà présente ligne %(l)s") % {"l": seen[key]})
        elif key:
            seen[key] = line
        if problems:
            errors.append(_("ligne %(l)s : %(p)s") % {"l": line, "p": " ; ".join(problems)})
        else:
            rows.append(ParsedRow(line, code, name, scores))
        if line > MAX_ROWS + 1:
            errors.append(_("plus de %(n)s lignes : fichier refusé") % {"n": MAX_ROWS})
            break
    if errors:
        raise FragilityImportError(errors)
    if not rows:
        raise FragilityImportError([_("Aucune commune dans le fichier.")])
    return rows


@transaction.atomic
def import_index(
    actor: AbstractBaseUser,
    organisation: Organisation,
    data: bytes,
    *,
    file_name: str = "",
    source: str = "",
) -> FragilityIndex:
    """Import an index file for the organisation: all rows or none; audited."""
    require(actor, organisation, IMPORT_INDEX)
    rows = parse_index(data)
    index = FragilityIndex.objects.create(
        organisation=organisation,
        source=source.strip()[:300],
        file_name=file_name[:200],
        file_sha256=hashlib.sha256(data).hexdigest(),
        imported_by=actor,
    )
    FragilityRow.objects.bulk_create(
        FragilityRow(index=index, insee_code=r.insee_code, commune=r.commune, **r.scores)
        for r in rows
    )
    record_event(
        actor,
        "fragility_index.imported",
        index,
        organisation=organisation,
        after={"rows": len(rows), "file": index.file_name, "sha256": index.file_sha256},
    )
    return index


def latest_index(organisation: Organisation) -> FragilityIndex | None:
    return FragilityIndex.objects.filter(organisation=organisation).first()


def commune_key(value: str) -> str:
    """The matching key of a commune: its INSEE code, else its normalised name."""
    v = value.strip().upper()
    return v if INSEE.match(v) else normalise(value)


def activity_by_commune(
    organisation: Organisation, date_from: dt.date, date_to: dt.date
) -> dict[str, dict[str, int]]:
    """Commune key → provisions to people and individual support sessions in the period
    (GROUP BY the beneficiary's commune; blank communes under "")."""
    out: dict[str, dict[str, int]] = {}
    provisions = (
        Provision.objects.filter(
            device__organisation=organisation,
            provided_on__gte=date_from,
            provided_on__lte=date_to,
            beneficiary__isnull=False,
        )
        .values_list("beneficiary__commune")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sessions = (
        SupportSession.objects.filter(
            organisation=organisation,
            date__gte=date_from,
            date__lte=date_to,
            beneficiary__isnull=False,
        )
        .filter(Q(group_label="") & Q(group_size__lte=1))
        .values_list("beneficiary__commune")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for measure, rows in (("provisions", provisions), ("sessions", sessions)):
        for commune, n in rows:
            key = commune_key(commune or "")
            bucket = out.setdefault(key, {"provisions": 0, "sessions": 0})
            bucket[measure] += n
    return out


def suppress(rows: list[dict[str, Any]], measures: tuple[str, ...]) -> None:
    """Replace counts 1–4 by None (`<measure>_suppressed`), in place; when one cell only of a
    measure is suppressed, the next smallest is too, so that no total gives it away."""
    for m in measures:
        small = [r for r in rows if 0 < (r[m] or 0) < SMALL_COUNT]
        if len(small) == 1:
            others = sorted((r for r in rows if (r[m] or 0) >= SMALL_COUNT), key=lambda r: r[m])
            small += others[:1]
        hidden = {id(r) for r in small}
        for r in rows:
            r[f"{m}_suppressed"] = id(r) in hidden
            if id(r) in hidden:
                r[m] = None


def targeting(
    organisation: Organisation,
    date_from: dt.date,
    date_to: dt.date,
    *,
    suppressed: bool = True,
) -> dict[str, Any]:
    """The index's communes (most fragile first) with the provisions and support sessions of
    the period, plus the activity in communes outside the index and without a commune.

    `summary`: share of the activity that went to communes whose global score is at or above
    the index's median. With `suppressed`, counts below SMALL_COUNT are hidden."""
    index = latest_index(organisation)
    activity = activity_by_commune(organisation, date_from, date_to)
    unknown = activity.pop("", {"provisions": 0, "sessions": 0})
    rows: list[dict[str, Any]] = []
    if index is not None:
        for r in index.rows.all():
            key = r.insee_code or normalise(r.commune)
            act = activity.pop(key, None)
            if act is None and r.insee_code and r.commune:
                act = activity.pop(normalise(r.commune), None)
            act = act or {"provisions": 0, "sessions": 0}
            rows.append(
                {
                    "insee_code": r.insee_code,
                    "commune": r.commune,
                    **{a: getattr(r, a) for a in AXES},
                    **act,
                }
            )
    outside = {
        "provisions": sum(a["provisions"] for a in activity.values()),
        "sessions": sum(a["sessions"] for a in activity.values()),
        "communes": len(activity),
    }
    scores = sorted(r["global_score"] for r in rows)
    median = scores[len(scores) // 2] if scores else None
    totals = {
        m: sum(r[m] for r in rows) + outside[m] + unknown[m] for m in ("provisions", "sessions")
    }
    summary: dict[str, Any] = {
        "median_global_score": median,
        **{f"total_{m}": totals[m] for m in totals},
    }
    for m in ("provisions", "sessions"):
        fragile = sum(r[m] for r in rows if median is not None and r["global_score"] >= median)
        summary[f"{m}_share_in_fragile_half"] = fragile / totals[m] if totals[m] else None
    for r in rows:
        r["above_median"] = median is not None and r["global_score"] >= median
    if suppressed:
        suppress(rows, ("provisions", "sessions"))
        for m in ("provisions", "sessions"):
            for bucket in (outside, unknown):
                if 0 < bucket[m] < SMALL_COUNT:
                    bucket[m] = None
    return {
        "index": None
        if index is None
        else {
            "id": index.pk,
            "source": index.source,
            "file_name": index.file_name,
            "imported_at": index.imported_at.isoformat(),
            "communes": len(rows),
        },
        "date_from": date_from.isoformat(),
        "date_to": date_to.isoformat(),
        "suppressed_below": SMALL_COUNT if suppressed else None,
        "communes": rows,
        "outside_index": outside,
        "without_commune": unknown,
        "summary": summary,
    }
