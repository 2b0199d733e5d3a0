from types import SimpleNamespace
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils.encoding import force_str


def site_url(path: str = "") -> str:
    """An absolute address on the site as it is served (``FEDE_SITE_URL``): mails never
    carry the address of whoever happened to make the request (nor a forged Host)."""
    return settings.FEDE_SITE_URL.rstrip("/") + path


def current_site() -> SimpleNamespace:
    """What allauth's mails call ``current_site``: the federation's name and address."""
    return SimpleNamespace(
        name=settings.FEDE_SITE_NAME, domain=urlsplit(settings.FEDE_SITE_URL).netloc
    )


class AccountAdapter(DefaultAccountAdapter):
    """Mail from the federation's own address and in its name; sign-up open unless closed
    in settings."""

    def is_open_for_signup(self, request):
        return getattr(settings, "FEDE_SIGNUP_OPEN", True)

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.FEDE_SITE_NAME}] {force_str(subject)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        context = {
            "current_site": current_site(),
            "site_name": settings.FEDE_SITE_NAME,
            "site_url": site_url("/"),
            "brand_color": settings.FEDE_BRAND_COLOR,
            **context,
        }
        super().send_mail(template_prefix, email, context)

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))
