"""Logging in: sessions rotate, the second factor is always asked, reset does not skip it."""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse

from .factories import PASSWORD, UserFactory, totp_activate, totp_code

pytestmark = pytest.mark.django_db


def _anonymous_session_key(client):
    session = client.session
    session["visited"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return session.session_key


def test_session_key_changes_at_login(client):
    """Logging in replaces the session: a key known before login is worthless after."""
    user = UserFactory()
    before = _anonymous_session_key(client)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_session_key_changes_at_login_with_mfa(client):
    """With MFA the session rotates too, and the user is logged in only after the code."""
    user = UserFactory()
    secret = totp_activate(user)
    before = _anonymous_session_key(client)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session.session_key != before


def test_wrong_totp_code_does_not_log_in(client):
    """A wrong code keeps the user on the code page with a French error."""
    user = UserFactory()
    totp_activate(user)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert "Code incorrect." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_does_not_bypass_mfa(client):
    """After a password reset the user is not logged in, and the next login asks the code."""
    assert settings.ACCOUNT_LOGIN_ON_PASSWORD_RESET is False
    user = UserFactory(email="tresorier@example.org")
    secret = totp_activate(user)

    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/compte/password/reset/key/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    response = client.get(link.group(1))
    assert response.status_code == 302  # allauth hides the key from the address bar
    form_url = response.url
    response = client.post(
        form_url,
        {"password1": "un tout nouveau secret 42", "password2": "un tout nouveau secret 42"},
    )
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_from_key_done")
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.check_password("un tout nouveau secret 42")

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "un tout nouveau secret 42"}
    )
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_sessions_expire_and_end_with_the_browser(client):
    """The session cookie lasts at most SESSION_COOKIE_AGE and, without "remember me", ends with the browser."""
    user = UserFactory()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert 0 < client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE
    assert client.session.get_expire_at_browser_close() is True
