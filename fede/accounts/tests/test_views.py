"""The "Sécurité du compte" page and the account pages in the site's layout."""

import pytest
from django.urls import reverse

from fede.accounts import mfa

from .factories import PASSWORD, UserFactory, totp_activate

pytestmark = pytest.mark.django_db


@pytest.fixture
def requirement(monkeypatch):
    """Officers of the federal bureau (here: an e-mail domain) must turn MFA on."""
    monkeypatch.setattr(mfa, "_requirements", [])
    mfa.require_mfa_when(
        lambda user: user.email.endswith("@bureau.example.org"),
        reason="Vous êtes membre du bureau fédéral.",
    )


def test_security_page_offers_to_turn_mfa_on(client):
    """Without TOTP the page says so and links to the activation page."""
    client.force_login(UserFactory())
    response = client.get(reverse("accounts:security"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Sécurité du compte</h1>" in content
    assert "Non activée" in content
    assert reverse("mfa_activate_totp") in content
    assert "obligatoire pour vous" not in content


def test_security_page_shows_mfa_enabled(client):
    """Once a TOTP authenticator exists the page shows "Activée" and the recovery codes."""
    user = UserFactory()
    totp_activate(user)
    client.force_login(user)
    response = client.get(reverse("accounts:security"))
    content = response.content.decode()
    assert "Activée" in content
    assert "Non activée" not in content
    assert reverse("mfa_deactivate_totp") in content
    assert "10 codes encore utilisables" in content


def test_security_page_explains_why_mfa_is_required(client, requirement):
    """A user concerned by a registered requirement reads its reason."""
    client.force_login(UserFactory(email="tresoriere@bureau.example.org"))
    response = client.get(reverse("accounts:security"))
    content = response.content.decode()
    assert "La double authentification est obligatoire pour vous" in content
    assert "Vous êtes membre du bureau fédéral." in content


def test_security_page_queries_do_not_depend_on_authenticators(
    client, django_assert_max_num_queries
):
    """The page reads authenticators and the e-mail address in a fixed number of queries."""
    user = UserFactory()
    totp_activate(user)
    client.force_login(user)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("accounts:security"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url_name", "title"),
    [
        ("account_login", "Connexion"),
        ("account_signup", "Créer un compte"),
        ("account_reset_password", "Mot de passe oublié"),
    ],
)
def test_entrance_pages_are_french_with_labelled_fields(client, url_name, title):
    """Login, sign-up and reset pages: French, one h1, a label for every input."""
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("<h1") == 1
    assert f">{title}</h1>" in content
    assert 'class="form-control' in content
    assert "placeholder=" not in content
    for field_id in ("id_login", "id_email", "id_password", "id_password1"):
        if f'id="{field_id}"' in content:
            assert f'for="{field_id}"' in content


def test_login_errors_are_shown_in_french(client):
    """A wrong password gives a French message in the form."""
    UserFactory(email="militante@example.org")
    response = client.post(
        reverse("account_login"), {"login": "militante@example.org", "password": "faux"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in content
    assert 'class="alert alert-danger"' in content


def test_signup_errors_sit_next_to_the_field(client):
    """Two different passwords: the error is under the confirmation field."""
    response = client.post(
        reverse("account_signup"),
        {"email": "nouvelle@example.org", "password1": "Un mot de passe sûr", "password2": "x"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_password2_error"' in content
    assert "Vous devez saisir deux fois le même mot de passe." in content
    assert 'aria-invalid="true"' in content


def test_totp_activation_page_shows_qr_code_and_secret(client):
    """The activation page shows the QR code as a data: image and the secret as text."""
    client.force_login(UserFactory())
    response = client.get(reverse("mfa_activate_totp"))
    # Turning MFA on asks for the password again first.
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    response = client.post(response.url, {"password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<img src="data:image/svg+xml;base64,' in content
    secret = client.session["mfa.totp.secret"]
    assert f'data-secret="{secret}">{secret}</code>' in content
    assert content.count("<h1") == 1
