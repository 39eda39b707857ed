"""Production: HTTPS behind a reverse proxy, secure cookies, HSTS, no demo accounts.

Required environment: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (PostgreSQL recommended);
optional EMAIL_URL-style settings through EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
EMAIL_HOST_PASSWORD, EMAIL_USE_TLS. See docs/deployment.md.
"""

import os

from .base import *  # noqa: F403  (a settings profile extends the base by design)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
IMPACTNUM_BEHIND_PROXY = True  # the login rate limit reads the address nginx appends
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
# Not preloading HSTS is deliberate: the preload list binds the whole registered domain and
# its subdomains (often the city's own domain, with services still on HTTP) for months, and
# leaving it is slow. An operator who wants it sets the header at the proxy and submits the
# domain; `check --deploy` must stay clean otherwise, hence the one silenced warning.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1") == "1"
IMPACTNUM_DEMO_ACCOUNTS = False
