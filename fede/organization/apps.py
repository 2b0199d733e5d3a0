from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationConfig(AppConfig):
    name = "fede.organization"
    label = "organization"
    verbose_name = _("Organisation")

    def ready(self):
        from fede.accounts.mfa import require_mfa_when

        from . import rules  # noqa: F401  (registers the capability permissions)
        from .roles import needs_mfa

        require_mfa_when(
            needs_mfa,
            reason=_(
                "Votre responsabilité vous donne accès au fichier des adhérents, "
                "qui révèle des opinions politiques."
            ),
        )
