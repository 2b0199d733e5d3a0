"""The one explicit list of URL names that anonymous visitors may open.

Each view named here is decorated with ``fede.core.access.public_view``. Every other URL
refuses anonymous users (redirect to the login page); ``tests/test_url_protection.py``
walks the resolver and fails on any view that is public without being listed here.
"""

PUBLIC_URL_NAMES = frozenset(
    {
        # Core
        "core:home",
        "core:healthz",
        "core:theme_css",
        "javascript-catalog",
        # Accounts (django-allauth): login, signup, verification, password reset.
        "account_login",
        "account_signup",
        "account_confirm_login_code",
        "account_request_login_code",
        "account_email_verification_sent",
        "account_confirm_email",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "account_confirm_password_reset_code",
        "account_inactive",
        "account_logout",
        "mfa_authenticate",
        "mfa_trust",
        "set_language",
        "admin:login",
        # Public pages of the feature apps are added below, one block per app.
    }
)
