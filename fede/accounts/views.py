from allauth.mfa.models import Authenticator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .mfa import mfa_reasons


@require_GET
def security(request):
    """ "Sécurité du compte": MFA state, why it is required, links to set it up."""
    authenticators = {a.type: a for a in Authenticator.objects.filter(user=request.user)}
    return render(
        request,
        "accounts/security.html",
        {
            "totp": authenticators.get(Authenticator.Type.TOTP),
            "recovery_codes": authenticators.get(Authenticator.Type.RECOVERY_CODES),
            "reasons": mfa_reasons(request.user),
        },
    )
