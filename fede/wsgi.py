"""WSGI entry point: `gunicorn fede.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fede.settings")
application = get_wsgi_application()

# What is loaded by now (Django, the apps and their modules) lives as long as the worker:
# out of the garbage collector's scans, which would otherwise pause requests to walk it.
gc.freeze()
