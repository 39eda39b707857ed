"""Settings shared by every profile. Profiles: local.py (make run), production.py, test.py.

Environment: DATABASE_URL (sqlite:////abs/path.sqlite3 or postgres://user:pw@host:5432/name),
IMPACTNUM_VAR_DIR (where the SQLite file, the generated secret key and uploads live; ./var by
default), PORT (the `serve` command), IMPACTNUM_PROFILE (which settings module).
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

WEB_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("IMPACTNUM_VAR_DIR", "var")).resolve()


def _secret_key() -> str:
    """The key from SECRET_KEY, else one generated on first run and kept in var/ (never in git)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves the Swagger UI of /api/docs from this server (no CDN)
    "impactnum.web.core",
    "impactnum.web.projects",
    "impactnum.web.fleet",
    "impactnum.web.reuse",
    "impactnum.web.plan",
    "impactnum.web.territory",
    "impactnum.web.ecodesign",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "impactnum.web.core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "impactnum.web.config.urls"
WSGI_APPLICATION = "impactnum.web.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [WEB_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "impactnum.web.core.context.navigation",
            ],
        },
    }
]


def database_from_url(url: str) -> dict:
    """A DATABASES entry; SQLite gets WAL, IMMEDIATE write transactions and a busy timeout."""
    db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        db["CONN_MAX_AGE"] = 0
        db["CONN_HEALTH_CHECKS"] = False
        db["OPTIONS"] = {
            # BEGIN IMMEDIATE takes the write lock up front: no "database is locked" on upgrade.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    return db


DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'impactnum.sqlite3'}"
DATABASES = {"default": database_from_url(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = 8 * 3600  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [WEB_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Paris"

STATIC_URL = "/static/"
STATICFILES_DIRS = [WEB_DIR / "static"]  # the shared assets (app.css, app.js, htmx) of all apps
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even when empty
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = True  # serve straight from the apps' static folders, no collectstatic

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "impactnum@localhost")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

IMPACTNUM_DEMO_ACCOUNTS = False

# Optional sign-in of staff with OpenID Connect (ProConnect, the French public-sector identity
# federation, or any provider): off unless IMPACTNUM_OIDC_CLIENT_ID is set. Endpoints come from
# the discovery document of IMPACTNUM_OIDC_ISSUER unless given one by one. See core/oidc.py and
# docs/deployment.md ("Sign-in with ProConnect").
IMPACTNUM_OIDC_ENABLED = bool(os.environ.get("IMPACTNUM_OIDC_CLIENT_ID"))
IMPACTNUM_OIDC_ISSUER = os.environ.get("IMPACTNUM_OIDC_ISSUER", "")
IMPACTNUM_OIDC_LOGIN_LABEL = os.environ.get("IMPACTNUM_OIDC_LOGIN_LABEL", "")
IMPACTNUM_OIDC_CREATE_USERS = os.environ.get("IMPACTNUM_OIDC_CREATE_USERS", "") == "1"
IMPACTNUM_OIDC_ACR_VALUES = os.environ.get("IMPACTNUM_OIDC_ACR_VALUES", "")
IMPACTNUM_OIDC_END_SESSION_ENDPOINT = os.environ.get("IMPACTNUM_OIDC_END_SESSION_ENDPOINT", "")
OIDC_RP_CLIENT_ID = os.environ.get("IMPACTNUM_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("IMPACTNUM_OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("IMPACTNUM_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get(
    "IMPACTNUM_OIDC_SCOPES", "openid email given_name usual_name uid siret"
)
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("IMPACTNUM_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("IMPACTNUM_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("IMPACTNUM_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("IMPACTNUM_OIDC_JWKS_URI", "")
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc:callback"
OIDC_USE_NONCE = True  # ProConnect: state and nonce are mandatory
OIDC_TIMEOUT = 10

# Retention of connection traces (core/retention.py, `impactnum manage retention`, daily).
# Legal proofs and the audit of state changes are never purged; see docs/deployment.md.
IMPACTNUM_RETENTION = {
    # The rate limit reads 15 minutes; the lasting trace is the login audit event.
    "login_attempts_days": os.environ.get("IMPACTNUM_RETENTION_LOGIN_ATTEMPTS_DAYS", 30),
    # CNIL, recommendation on logging (2021): keep access logs 6 months to 1 year.
    "login_audit_days": os.environ.get("IMPACTNUM_RETENTION_LOGIN_AUDIT_DAYS", 365),
    # A revoked API token stays listed (only its hash is kept) so its owner sees it went.
    "revoked_tokens_days": os.environ.get("IMPACTNUM_RETENTION_REVOKED_TOKENS_DAYS", 90),
}
