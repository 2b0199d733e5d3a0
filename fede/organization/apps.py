from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "fede.organization"
    label = "organization"
    verbose_name = _("Organisation")

    def ready(self):
        from allauth.account.signals import email_confirmed, user_logged_in

        from fede.accounts.mfa import require_mfa_when

        from . import memo, rules  # noqa: F401  (rules registers the capability permissions)
        from .roles import connect_rights_signals, needs_mfa
        from .signals import on_email_confirmed, on_user_logged_in

        connect_rights_signals()
        memo.connect_signals()
        email_confirmed.connect(on_email_confirmed, dispatch_uid="organization.link_on_confirm")
        user_logged_in.connect(on_user_logged_in, dispatch_uid="organization.link_on_login")

        require_mfa_when(
            needs_mfa,
            reason=_(
                "Votre responsabilité vous donne accès au fichier des adhérents, "
                "qui révèle des opinions politiques."
            ),
        )
