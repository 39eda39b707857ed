"""One error format for every endpoint: RFC 9457 problem details (`application/problem+json`).

Body: `type`, `title`, `status`, `detail`, `instance` and, when the problem concerns fields,
`errors: [{field, message}]` where `field` is a dotted path with 0-based indices
(`scenarios[0].equipment[1].quantity`). Handlers are registered on the NinjaAPI by
`install_handlers`; `problem_view` answers routes that ninja never reaches (unknown URL, 405).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from django.db import DataError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from impactnum.calculation import CalcInputError, json_ready
from impactnum.engine import FactorSetError
from impactnum.web.core.errors import DomainError

logger = logging.getLogger("impactnum.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://impactnum.fr/problems/"  # documented in docs/api.md; not fetched

TYPES = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    422: "validation-error",
    429: "too-many-requests",
    500: "server-error",
}


def problem(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    errors: Sequence[dict[str, str]] = (),
    title: str | None = None,
    kind: str | None = None,
) -> HttpResponse:
    """A problem-details response; `kind` overrides the type slug derived from the status."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + (kind or TYPES.get(status, "error")),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = list(errors)
    response = HttpResponse(
        json.dumps(json_ready(body), ensure_ascii=False),
        status=status,
        content_type=PROBLEM_MEDIA_TYPE,
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="impactnum"'
    return response


# --- field paths ------------------------------------------------------------------------------

_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
BODY_PARAM = "payload"
"""Every endpoint names its body parameter `payload`; it is dropped from field paths."""


def field_path(loc: Iterable[Any]) -> str:
    """`("body", "payload", "scenarios", 0, "name")` → `scenarios[0].name`."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
        if parts and parts[0] == BODY_PARAM:
            parts = parts[1:]
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else str(p)
    return out


_PATH_AND_REASON = re.compile(r"^(?P<path>[A-Za-z_]\w*(?:\[\d+\]|\.\w+)*): (?P<msg>.+)$", re.S)


def calc_errors(lines: Sequence[str]) -> list[dict[str, str]]:
    """CalcInputError lines (`SOURCE: PATH: reason`, as `run_document` writes them) as
    `{field, message}`; a line without a path gets the field `""` (the whole document)."""
    out = []
    for line in lines:
        _source, _sep, text = line.partition(": ")
        m = _PATH_AND_REASON.match(text or line)
        if m:
            out.append({"field": m.group("path"), "message": m.group("msg")})
        else:
            out.append({"field": "", "message": text or line})
    return out


# --- handlers ---------------------------------------------------------------------------------


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": field_path(e.get("loc", ())), "message": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return problem(
        request,
        422,
        _("La requête contient des valeurs invalides."),
        errors=errors,
    )


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc.__cause__, CalcInputError):  # services.calculate wraps the input errors
        return _calc_input_error(request, exc.__cause__)
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
    return problem(request, exc.status, exc.message, errors=errors)


def _calc_input_error(request: HttpRequest, exc: CalcInputError) -> HttpResponse:
    return problem(
        request,
        422,
        _("Le projet ne peut pas être calculé : %(n)d problème(s).") % {"n": len(exc.errors)},
        errors=calc_errors(exc.errors),
    )


def _factor_set_error(request: HttpRequest, exc: FactorSetError) -> HttpResponse:
    return problem(request, 404, str(exc))


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, _("Ressource introuvable."))


def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        request,
        401,
        _(
            "Authentification requise : envoyez « Authorization: Bearer <jeton> » "
            "(jetons : page /tokens/) ou connectez-vous."
        ),
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("Le corps de la requête n'est pas du JSON valide.")
    elif exc.status_code == 403 and "CSRF" in detail:
        detail = _("Vérification CSRF échouée : envoyez l'en-tête X-CSRFToken avec la session.")
    return problem(request, exc.status_code, detail)


def _data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    """A value the database refuses although it passed validation (PostgreSQL: a NUL character
    in a text, a UTC offset beyond ±15:59, an integer beyond its column): the request's fault."""
    if transaction.get_connection().in_atomic_block:
        transaction.set_rollback(True)  # the failed statement aborted the enclosing transaction
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    logger.warning("Database refused a value on %s %s: %s", request.method, request.path, reason)
    return problem(
        request,
        422,
        _("La base de données refuse une valeur de la requête : %(r)s") % {"r": reason},
    )


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return problem(request, 500, _("Erreur interne ; elle a été consignée dans le journal."))


def install_handlers(api: NinjaAPI) -> None:
    """Register every handler; ninja picks the most specific class in the MRO."""
    api.add_exception_handler(Exception, _unexpected)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(DataError, _data_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(AuthenticationError, _authentication_error)
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(DomainError, _domain_error)
    api.add_exception_handler(CalcInputError, _calc_input_error)
    api.add_exception_handler(FactorSetError, _factor_set_error)


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Unknown URL under /api/."""
    return problem(request, 404, _("Aucune ressource à cette adresse."))


def method_not_allowed(request: HttpRequest, allowed: str) -> HttpResponse:
    response = problem(
        request,
        405,
        _("Méthode %(m)s non permise ici ; permises : %(a)s.")
        % {"m": request.method, "a": allowed},
    )
    response["Allow"] = allowed
    return response
