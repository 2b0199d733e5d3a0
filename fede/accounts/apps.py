from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fede.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self):
        from allauth.account.decorators import secure_admin_login
        from allauth.mfa.models import Authenticator
        from django.contrib import admin
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from .session_cache import on_authenticator_change, prime_at_login

        post_save.connect(on_authenticator_change, Authenticator, dispatch_uid="rights.mfa+")
        post_delete.connect(on_authenticator_change, Authenticator, dispatch_uid="rights.mfa-")
        user_logged_in.connect(prime_at_login, dispatch_uid="rights.prime_at_login")

        # The admin's own login form knows nothing of the second factor: send everyone
        # through the site's login (password, then TOTP code) before the admin.
        admin.site.login = secure_admin_login(admin.site.login)
