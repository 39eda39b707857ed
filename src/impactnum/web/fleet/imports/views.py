"""The import page: upload → preview (what would be created, updated, refused) → confirm.

The uploaded file is kept under `MEDIA_ROOT/imports/` by its SHA-256 until it is confirmed; the
confirmation posts the plan's token and is refused when the file or the fleet changed since
the preview (the plan is rebuilt from the stored file, then `apply` checks the fleet again).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from impactnum.web.core.errors import DomainError
from impactnum.web.core.permissions import EDIT_FLEET, organisations_for

from . import apply, build_plan, read_import_file
from .templates import csv_template, xlsx_template

PREVIEW_ROWS = 200
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
"""An upload is stored whole before it is read: 100 MB holds several hundred thousand GLPI
lines (100,000 assets are about 20 MB), and refuses a runaway file before it fills the disk."""
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def _store() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """For those who may change a fleet (EDIT_FLEET), into one of those organisations; a person
    who may change none gets 403, like the other pages they could not use."""
    orgs = organisations_for(request.user, EDIT_FLEET).order_by("name")
    if not orgs.exists():
        raise PermissionDenied(_("Votre rôle ne permet pas d'importer des équipements."))
    context: dict[str, object] = {
        "organisations": orgs,
        "formats": ["auto", "glpi", "numecoeval", "impactnum"],
    }
    if request.method == "GET":
        return render(request, "fleet/import.html", context)
    org = orgs.filter(slug=request.POST.get("organisation", "")).first()
    if org is None:
        raise Http404
    fmt = request.POST.get("format", "auto")
    if fmt not in context["formats"]:  # type: ignore[operator]
        fmt = "auto"
    upload = request.FILES.get("file")
    if upload is not None and upload.size > MAX_UPLOAD_BYTES:
        messages.error(
            request,
            _("Fichier trop volumineux : %(n)d Mo au plus.") % {"n": MAX_UPLOAD_BYTES // 2**20},
        )
        return render(request, "fleet/import.html", context, status=400)
    if upload is not None:
        data = upload.read()
        digest = hashlib.sha256(data).hexdigest()
        suffix = ".xlsx" if data.startswith(b"PK\x03\x04") else ".csv"
        stored = _store() / f"{digest}{suffix}"
        stored.write_bytes(data)
        name = Path(upload.name or "import").name
    else:
        digest = request.POST.get("digest", "")
        if not _DIGEST.match(digest):
            messages.error(request, _("Choisissez un fichier."))
            return render(request, "fleet/import.html", context, status=400)
        found = sorted(_store().glob(f"{digest}.*"))
        if not found:
            messages.error(request, _("Le fichier n'est plus disponible : envoyez-le à nouveau."))
            return render(request, "fleet/import.html", context, status=400)
        stored, name = found[0], request.POST.get("name", "import")
    parsed = read_import_file(stored, fmt=fmt, display_name=name)
    context.update(organisation=org, format=fmt, digest=digest, name=name, parsed=parsed)
    if not parsed.ok:
        stored.unlink(missing_ok=True)
        return render(request, "fleet/import.html", context, status=400)
    plan = build_plan(org, parsed)
    if request.POST.get("confirm") == "1":
        if request.POST.get("token") != plan.token:
            messages.error(
                request,
                _("Le fichier ou le parc a changé depuis l'aperçu : vérifiez le nouvel aperçu."),
            )
        else:
            try:
                result = apply(request.user, plan)  # type: ignore[arg-type]
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                stored.unlink(missing_ok=True)
                messages.success(
                    request,
                    _("Import terminé : %(c)d créés, %(u)d mis à jour, %(r)d refusés.")
                    % {"c": result.created, "u": result.updated, "r": result.refused},
                )
                return redirect(request.path)
    context.update(
        plan=plan,
        creations=plan.to_create[:PREVIEW_ROWS],
        updates=plan.to_update[:PREVIEW_ROWS],
        preview_rows=PREVIEW_ROWS,
    )
    return render(request, "fleet/import.html", context)


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    """The impactnum template, `csv` or `xlsx`."""
    if kind == "csv":
        response = HttpResponse(csv_template(), content_type="text/csv; charset=utf-8")
    elif kind == "xlsx":
        response = HttpResponse(
            xlsx_template(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="impactnum-parc.{kind}"'
    return response
