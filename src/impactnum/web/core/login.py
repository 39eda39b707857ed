"""Sign-in with a rate limit and an audit trail.

After `MAX_FAILURES` failed attempts for one username from one address within `WINDOW`, that
pair is refused (HTTP 429, a clear message) until the window has passed, without the password
even being checked. Attempts are rows of `LoginAttempt`, so every gunicorn worker sees them.
Every attempt, successful or not, is an audit event (`login.succeeded` / `login.failed`) with
the username and the address; the password is never recorded.
"""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.db.models import Max
from django.forms import Form
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LoginAttempt
from .services import record_event

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
USERNAME_MAX = 150


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address. Behind the proxy (IMPACTNUM_BEHIND_PROXY, the production profile)
    it is the last X-Forwarded-For entry, the one nginx appended; else REMOTE_ADDR, since a
    client could otherwise pick any address to escape the limit."""
    ip = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "IMPACTNUM_BEHIND_PROXY", False):
        ip = forwarded.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


def recent_failures(username: str, ip: str | None, now: dt.datetime | None = None) -> int:
    """Failures of this username from this address in the window, since its last success."""
    now = now or timezone.now()
    attempts = LoginAttempt.objects.filter(username=username, ip=ip, at__gte=now - WINDOW)
    last_success = attempts.filter(succeeded=True).aggregate(m=Max("at"))["m"]
    failures = attempts.filter(succeeded=False)
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    return failures.count()


def is_blocked(username: str, ip: str | None) -> bool:
    return recent_failures(username, ip) >= MAX_FAILURES


@transaction.atomic
def record_attempt(request: HttpRequest, username: str, user: object | None) -> LoginAttempt:
    """One attempt row and its audit event (no password, ever)."""
    ip = client_ip(request)
    attempt = LoginAttempt.objects.create(
        username=username[:USERNAME_MAX], ip=ip, succeeded=user is not None
    )
    record_event(
        user,  # type: ignore[arg-type]
        "login.succeeded" if user is not None else "login.failed",
        attempt,
        after={"username": attempt.username, "ip": ip},
    )
    return attempt


class RateLimitedLoginView(auth_views.LoginView):
    """Django's LoginView, refusing a username and address after repeated failures."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        username = request.POST.get("username", "").strip()
        if username and is_blocked(username, client_ip(request)):
            record_attempt(request, username, None)
            form = self.get_form()
            form._errors = ErrorDict()  # not validated: the password is not even checked
            form.cleaned_data = {}
            form.add_error(
                None,
                _(
                    "Trop de tentatives de connexion échouées pour cet identifiant : "
                    "réessayez dans %(minutes)d minutes, ou réinitialisez votre mot de passe."
                )
                % {"minutes": int(WINDOW.total_seconds() // 60)},
            )
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)  # logs the user in
        user = form.get_user()  # type: ignore[attr-defined]
        record_attempt(self.request, form.cleaned_data.get("username", ""), user)
        return response

    def form_invalid(self, form: Form) -> HttpResponse:
        username = self.request.POST.get("username", "").strip()
        if username:
            record_attempt(self.request, username, None)
        return super().form_invalid(form)
