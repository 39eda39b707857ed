"""Settings profiles and the one function that starts Django outside manage.py."""

import os

PROFILES = ("local", "production", "test")


def settings_module(profile: str | None = None) -> str:
    """The settings module for IMPACTNUM_PROFILE (local by default; production; test)."""
    profile = profile or os.environ.get("IMPACTNUM_PROFILE", "local")
    if profile not in PROFILES:
        raise SystemExit(f"IMPACTNUM_PROFILE must be one of {', '.join(PROFILES)}, not {profile!r}")
    return f"impactnum.web.config.settings.{profile}"


def setup(profile: str | None = None) -> None:
    """Point Django at our settings (unless DJANGO_SETTINGS_MODULE is set) and start it."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module(profile))
    django.setup()
