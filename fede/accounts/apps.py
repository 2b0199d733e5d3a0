from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fede.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self):
        from allauth.account.decorators import secure_admin_login
        from django.contrib import admin

        # The admin's own login form knows nothing of the second factor: send everyone
        # through the site's login (password, then TOTP code) before the admin.
        admin.site.login = secure_admin_login(admin.site.login)
