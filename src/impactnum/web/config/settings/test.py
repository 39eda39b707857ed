"""Tests: the local profile with fast password hashing; the database comes from DATABASE_URL."""

from .local import *  # noqa: F403  (a settings profile extends the base by design)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
