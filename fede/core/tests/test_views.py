"""The core pages: health check, theme colour, French error pages, front page."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import OperationalError
from django.urls import reverse

from fede.core import views

pytestmark = pytest.mark.django_db


def test_healthz_ok_when_database_answers(client):
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_503_when_database_fails(client, monkeypatch):
    """The load balancer takes the server out when its database does not answer."""

    class UnreachableDatabase:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", UnreachableDatabase())
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def test_theme_css_uses_the_configured_colour(client, settings):
    settings.FEDE_BRAND_COLOR = "#1a7f37"
    response = client.get(reverse("core:theme_css"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response.content.decode() == ":root { --fede-brand: #1a7f37; }\n"


@pytest.mark.parametrize(
    "malicious",
    [
        "red; } body { background: url(https://evil.example/x) }",
        "#fff;}</style><script>alert(1)</script>",
        "expression(alert(1))",
        "",
    ],
)
def test_theme_css_refuses_a_malicious_colour(client, settings, malicious):
    """Anything but a hex colour falls back to the default red."""
    settings.FEDE_BRAND_COLOR = malicious
    body = client.get(reverse("core:theme_css")).content.decode()
    assert body == ":root { --fede-brand: #c4122f; }\n"


def test_404_page_is_in_french(client, settings):
    settings.DEBUG = False
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page introuvable</h1>" in html
    assert 'lang="fr"' in html


def test_403_and_500_pages_are_in_french(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    forbidden = views.error_403(request)
    assert forbidden.status_code == 403
    assert "Accès refusé" in forbidden.content.decode()
    error = views.error_500(request)
    assert error.status_code == 500
    assert "Erreur du serveur" in error.content.decode()


def test_home_page_is_public(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    assert "Se connecter" in response.content.decode()
