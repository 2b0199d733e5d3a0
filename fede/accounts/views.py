from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fede.core.access import login_view

from .mfa import mfa_reasons


@login_view
@require_GET
def security(request):
    """ "Sécurité du compte": MFA state, why it is required, links to set it up."""
    authenticators = {a.type: a for a in Authenticator.objects.filter(user=request.user)}
    recovery_codes = authenticators.get(Authenticator.Type.RECOVERY_CODES)
    unused_codes = len(recovery_codes.wrap().get_unused_codes()) if recovery_codes else 0
    return render(
        request,
        "accounts/security.html",
        {
            "totp": authenticators.get(Authenticator.Type.TOTP),
            "recovery_codes": recovery_codes,
            "unused_codes": unused_codes,
            "reasons": mfa_reasons(request.user),
            "email_address": EmailAddress.objects.filter(user=request.user, primary=True).first(),
            "breadcrumbs": [
                (_("Accueil"), reverse("core:home")),
                (_("Sécurité du compte"), None),
            ],
        },
    )
