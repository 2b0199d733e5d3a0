"""WSGI entry point: `gunicorn fede.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fede.settings")
application = get_wsgi_application()
