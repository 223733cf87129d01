"""WSGI entry point (gunicorn: ``sectorwise serve`` or ``gunicorn sectorwise.web.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sectorwise.web.settings")
application = get_wsgi_application()
