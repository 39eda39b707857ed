"""`make run`: production-grade server (DEBUG off) over plain HTTP on the loopback, demo allowed."""

from .base import *  # noqa: F403  (a settings profile extends the base by design)

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
IMPACTNUM_DEMO_ACCOUNTS = True
