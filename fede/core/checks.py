"""Deploy checks of our own: production settings never relax MFA or keep the demo key."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def fede_deploy_checks(app_configs, **kwargs):
    errors = []
    if settings.FEDE_RELAX_MFA:
        errors.append(
            checks.Error(
                "FEDE_RELAX_MFA est actif : la double authentification des responsables "
                "n'est plus exigée.",
                hint="Ne l'activez que pour la démonstration.",
                id="fede.E001",
            )
        )
    if settings.DEMO:
        errors.append(
            checks.Warning(
                "FEDE_DEMO est actif en production.",
                hint="Retirez FEDE_DEMO de l'environnement de production.",
                id="fede.W001",
            )
        )
    return errors
