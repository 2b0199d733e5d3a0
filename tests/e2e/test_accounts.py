"""A newcomer signs up, confirms their address, turns MFA on and logs in with the code."""

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EMAIL = "camille.martin@example.org"
PASSWORD = "Une phrase de passe solide 2025"


def confirmation_link(message) -> str:
    match = re.search(r"https?://\S+/compte/confirm-email/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def main_nav(page):
    return page.get_by_role("navigation", name="Navigation principale")


def test_sign_up_enable_mfa_and_log_in_with_the_code(
    page, live_server, visit, axe_check, login, totp_code
):
    """Sign-up → e-mail confirmation → login → MFA on → logout → login asks the code."""
    visit(page, "/")
    page.get_by_role("link", name="Créer un compte").click()
    axe_check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Créer un compte"

    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(re.compile(r"/compte/confirm-email/$"))
    axe_check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Vérifiez votre adresse e-mail"

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL]
    visit(page, confirmation_link(mail.outbox[0]))
    page.get_by_role("button", name="Confirmer").click()
    page.wait_for_load_state("load")
    axe_check(page)

    login(page, live_server, EMAIL, PASSWORD)
    page.get_by_role("button", name="Mon compte").click()
    main_nav(page).get_by_role("link", name="Sécurité du compte").click()
    page.wait_for_url(re.compile(r"/compte/securite/$"))
    axe_check(page)
    assert page.get_by_text("Non activée").is_visible()

    page.get_by_role("link", name="Activer la double authentification").click()
    # Turning MFA on asks for the password again.
    page.wait_for_url(re.compile(r"/compte/reauthenticate/"))
    axe_check(page)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Confirmer").click()
    page.wait_for_url(re.compile(r"/compte/2fa/totp/activate/$"))
    axe_check(page)
    assert page.locator("img[src^='data:image/svg+xml']").is_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    page.get_by_label("Code de l'authentificateur").fill(totp_code(secret))
    page.get_by_role("button", name="Activer", exact=True).click()
    page.wait_for_url(re.compile(r"/compte/2fa/recovery-codes/$"))
    axe_check(page)
    codes = page.get_by_label("Codes non utilisés").input_value().split()
    assert len(codes) == 10

    visit(page, "/compte/securite/")
    assert page.get_by_text("Activée", exact=True).is_visible()

    page.get_by_role("button", name="Mon compte").click()
    main_nav(page).get_by_role("link", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"/compte/logout/$"))
    axe_check(page)
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(live_server.url + "/")
    axe_check(page)
    assert page.get_by_role("link", name="Se connecter").first.is_visible()

    visit(page, "/compte/login/")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"/compte/2fa/authenticate/$"))
    axe_check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Code de double authentification"
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(live_server.url + "/")
    axe_check(page)
    page.get_by_role("button", name="Mon compte").click()
    assert main_nav(page).get_by_text(EMAIL).is_visible()


def test_login_helper_with_mfa(page, live_server, login):
    """The login helper goes through the code page for a user with TOTP."""
    from fede.accounts.tests.factories import UserFactory, totp_activate

    user = UserFactory(email="dominique@example.org", password="un secret bien long 77")
    secret = totp_activate(user)
    login(page, live_server, user.email, "un secret bien long 77", totp_secret=secret)
    page.get_by_role("button", name="Mon compte").click()
    assert main_nav(page).get_by_text(user.email).is_visible()


def test_wrong_password_shows_a_french_error(page, visit, axe_check):
    """A wrong password keeps the visitor on the login page with a French message."""
    visit(page, "/compte/login/")
    page.get_by_label("Adresse e-mail").fill("personne@example.org")
    page.get_by_label("Mot de passe", exact=True).fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("load")
    axe_check(page)
    assert page.get_by_text("L’adresse e-mail ou le mot de passe sont incorrects.").is_visible()
