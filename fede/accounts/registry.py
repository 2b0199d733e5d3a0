"""What the accounts app declares to core: the public pages of login and sign-up."""

from fede.core.registry import AppDeclaration, register

register(
    AppDeclaration(
        label="accounts",
        # django-allauth: login, signup, verification, password reset, the second step of
        # login (MFA code). Turning on login by code or reset by code adds
        # account_request_login_code / account_confirm_password_reset_code.
        public_url_names=(
            "account_login",
            "account_signup",
            "account_confirm_login_code",
            "account_email_verification_sent",
            "account_confirm_email",
            "account_reset_password",
            "account_reset_password_done",
            "account_reset_password_from_key",
            "account_reset_password_from_key_done",
            "account_inactive",
            "account_logout",
            "mfa_authenticate",
            "set_language",
            "javascript-catalog",
            "admin:login",
        ),
    )
)
