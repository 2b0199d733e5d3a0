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
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "mail": {"waiting": 0, "abandoned": 0},
        "stuck_tasks": 0,
    }
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


def test_healthz_counts_abandoned_mails(client):
    from django.utils import timezone

    from fede.core.models import OutgoingMail

    OutgoingMail.objects.create(subject="x", body=".", to=["a@example.org"])
    OutgoingMail.objects.create(
        subject="y", body=".", to=["b@example.org"], abandoned_at=timezone.now()
    )
    body = client.get(reverse("core:healthz")).json()
    assert body["status"] == "degraded"
    assert body["mail"] == {"waiting": 1, "abandoned": 1}


@pytest.fixture
def database_down(monkeypatch):
    """Every new query fails as when PostgreSQL has gone away mid-request."""
    from django.db.backends.base.base import BaseDatabaseWrapper

    def down(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    def switch():
        monkeypatch.setattr(BaseDatabaseWrapper, "cursor", down)

    return switch


def test_the_500_page_renders_without_the_database(client, database_down, user_factory):
    """A logged-in user whose request loses the database gets the French 500 page, built
    with no query (no offices lookup, no session write)."""
    user = user_factory()
    client.force_login(user)
    client.raise_request_exception = False
    database_down()
    response = client.get(reverse("events:my_events"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Erreur du serveur" in page and "<html" in page


def test_healthz_answers_503_with_a_session_cookie_when_the_database_is_down(
    client, database_down, user_factory
):
    client.force_login(user_factory())
    client.raise_request_exception = False
    database_down()
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503


def test_a_nul_byte_in_a_query_is_a_400(client, user_factory):
    client.force_login(user_factory())
    response = client.get(reverse("core:healthz"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "caractère nul" in response.content.decode()
    assert client.post(reverse("set_language"), {"language": "fr\x00"}).status_code == 400


def test_the_outbox_lists_abandoned_mails_for_those_who_may_resend_them(
    client, user_factory, django_capture_on_commit_callbacks, settings
):
    settings.FEDE_RELAX_MFA = True
    from django.core import mail as django_mail
    from django.utils import timezone

    from fede.core.models import AuditEntry, OutgoingMail

    abandoned = OutgoingMail.objects.create(
        subject="Votre réservation",
        body=".",
        to=["a@example.org"],
        attempts=24,
        last_error="SMTPServerDisconnected",
        abandoned_at=timezone.now(),
    )
    someone = user_factory(email="someone@example.org")
    client.force_login(someone)
    assert client.get(reverse("core:outbox")).status_code == 403
    staff = user_factory(email="staff@example.org", is_superuser=True)
    client.force_login(staff)
    response = client.get(reverse("core:outbox"))
    assert response.status_code == 200
    assert "Votre réservation" in response.content.decode()
    assert client.get(reverse("core:outbox_resend", args=[abandoned.pk])).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("core:outbox_resend", args=[abandoned.pk]))
    assert response.status_code == 302
    abandoned.refresh_from_db()
    assert abandoned.sent_at is not None
    assert [m.subject for m in django_mail.outbox] == ["Votre réservation"]
    entry = AuditEntry.objects.get(code="outbox.resend")
    assert entry.actor == staff
    response = client.get(reverse("core:outbox"))
    assert "Aucun e-mail abandonné" in response.content.decode()


def test_every_page_says_which_browser_features_it_may_use(client):
    policy = client.get(reverse("core:home"))["Permissions-Policy"]
    assert "microphone=()" in policy and "geolocation=()" in policy
    assert "camera=(self)" in policy  # the check-in scanner reads QR codes
