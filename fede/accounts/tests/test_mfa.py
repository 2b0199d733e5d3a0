"""Who must turn MFA on, and where a user without it may still go."""

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from fede.accounts import mfa

from .factories import UserFactory, totp_activate

pytestmark = pytest.mark.django_db

OFFICER_EMAIL = "secretaire@bureau.example.org"


@pytest.fixture(autouse=True)
def requirement(monkeypatch):
    """Officers of the federal bureau (here: an e-mail domain) must turn MFA on."""
    monkeypatch.setattr(mfa, "_requirements", [])
    mfa.require_mfa_when(
        lambda user: user.email.endswith("@bureau.example.org"),
        reason="Vous êtes membre du bureau fédéral.",
    )


@pytest.fixture
def officer(client):
    user = UserFactory(email=OFFICER_EMAIL)
    client.force_login(user)
    return user


def test_requirement_is_registered_once():
    """Registering the same predicate twice keeps one requirement."""

    def predicate(user):
        return True

    mfa.require_mfa_when(predicate, reason="a")
    mfa.require_mfa_when(predicate, reason="a")
    assert sum(r.predicate is predicate for r in mfa._requirements) == 1


def test_reasons_apply_only_to_concerned_users():
    """mfa_reasons lists the reasons of the requirements whose predicate holds."""
    assert mfa.mfa_reasons(UserFactory(email=OFFICER_EMAIL)) == [
        "Vous êtes membre du bureau fédéral."
    ]
    assert mfa.mfa_reasons(UserFactory(email="adherent@example.org")) == []


@pytest.mark.parametrize(
    "url",
    [
        "/compte/email/",
        "/compte/password/change/",
        "/taches/3f2b8c1e-5d4a-4f6b-9c2d-1e0f7a8b9c0d/",
        "/gestion/",
    ],
)
def test_officer_without_mfa_is_sent_to_the_security_page(client, officer, url):
    """From any other protected page, an officer without MFA lands on "Sécurité du compte"."""
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == reverse("accounts:security")
    page = client.get(response.url)
    content = page.content.decode()
    assert "Activez la double authentification pour accéder à cette page" in content
    assert "Vous êtes membre du bureau fédéral." in content


def test_officer_without_mfa_may_set_it_up_and_log_out(client, officer):
    """The security page, TOTP activation (after re-entering the password) and logout stay open."""
    assert client.get(reverse("accounts:security")).status_code == 200
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert client.get(response.url).status_code == 200
    response = client.get(reverse("account_logout"))
    assert response.status_code == 200
    assert "Voulez-vous vraiment vous déconnecter ?" in response.content.decode()
    assert client.get(reverse("core:home")).status_code == 200


def test_htmx_requests_are_redirected_by_the_browser(client, officer):
    """An htmx request gets HX-Redirect, not the security page swapped into a fragment."""
    response = client.get("/compte/email/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == reverse("accounts:security")


def test_officer_with_mfa_goes_anywhere(client, officer):
    """Once TOTP is on, the requirement is met."""
    totp_activate(officer)
    assert client.get("/compte/email/").status_code == 200
    assert mfa.user_has_mfa(officer)


def test_other_members_are_not_concerned(client):
    """A member not covered by any requirement is never redirected."""
    client.force_login(UserFactory(email="adherent@example.org"))
    assert client.get("/compte/email/").status_code == 200


def test_relaxed_mfa_lets_officers_through(client, officer, settings):
    """FEDE_RELAX_MFA (demo only) switches the requirement off."""
    settings.FEDE_RELAX_MFA = True
    assert client.get("/compte/email/").status_code == 200


def _request(user):
    request = RequestFactory().get("/quelque-part/")
    SessionMiddleware(lambda r: None).process_request(request)
    request._messages = FallbackStorage(request)
    request.user = user
    return request


@mfa.mfa_required
def sensitive_view(request):
    return HttpResponse("données sensibles")


def test_mfa_required_decorator_demands_mfa_from_anyone():
    """A view decorated with mfa_required sends any user without MFA to the security page."""
    response = sensitive_view(_request(UserFactory(email="adherent@example.org")))
    assert response.status_code == 302
    assert response.url == reverse("accounts:security")


def test_mfa_required_decorator_lets_users_with_mfa_in():
    """With TOTP on, the decorated view answers."""
    user = UserFactory()
    totp_activate(user)
    response = sensitive_view(_request(user))
    assert response.status_code == 200
    assert response.content == "données sensibles".encode()


def test_mfa_required_decorator_is_relaxed_in_the_demo(settings):
    """FEDE_RELAX_MFA also relaxes the decorator."""
    settings.FEDE_RELAX_MFA = True
    response = sensitive_view(_request(UserFactory()))
    assert response.status_code == 200
