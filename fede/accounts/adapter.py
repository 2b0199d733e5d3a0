from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Mail from the federation's own address; sign-up open unless closed in settings."""

    def is_open_for_signup(self, request):
        return getattr(settings, "FEDE_SIGNUP_OPEN", True)
