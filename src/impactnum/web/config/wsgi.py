"""WSGI entry point for gunicorn: `impactnum.web.config.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

from impactnum.web.config import settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())
application = get_wsgi_application()
