"""The second reference of the floor: a bare Django view with a session.

Served by a second gunicorn in the same run (``DJANGO_SETTINGS_MODULE=bench.bare``): the
production settings and database, the same session cookies, but only the session and
authentication middleware and a view that returns four bytes once it knows the user. The
difference between this page and ``core.ping`` is what the platform's own per-request work
costs (security headers, login and MFA checks, language, offices…).
"""

from django.apps import AppConfig
from django.http import HttpResponse
from django.urls import path

from bench.pages import BARE_PATH
from bench.settings import *  # noqa: F403


class Accounts(AppConfig):
    """Our user model, without the account library's start-up hooks."""

    name = "fede.accounts"
    label = "accounts"


# Only what a session and its user need (the user model is ours).
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "bench.bare.Accounts",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "bench.bare"


def bare(request):
    return HttpResponse(
        "pong" if request.user.is_authenticated else "anon",
        content_type="text/plain; charset=utf-8",
    )


urlpatterns = [path(BARE_PATH.strip("/") + "/", bare)]
