"""Link a login to its member record when its e-mail address is verified (or at login,
for an address verified earlier). See :mod:`fede.organization.invitations`."""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext as _

from .invitations import LinkResult, link_verified_email


def _tell(request, result: str) -> None:
    if request is None or not hasattr(request, "_messages"):
        return
    if result == LinkResult.LINKED:
        messages.success(
            request,
            _("Votre compte est relié à votre fiche d'adhérent·e : votre espace est activé."),
        )
    elif result == LinkResult.UNKNOWN:
        messages.info(
            request,
            _(
                "Aucune fiche d'adhérent·e ne porte cette adresse : demandez à votre section "
                "de vous envoyer une invitation à activer votre espace."
            ),
        )
    elif result == LinkResult.AMBIGUOUS:
        messages.warning(
            request,
            _(
                "Plusieurs fiches d'adhérent·es portent cette adresse : aucune n'a été reliée "
                "à votre compte. Votre section est prévenue et vous enverra une invitation."
            ),
        )


def on_email_confirmed(sender, request=None, email_address=None, **kwargs):
    if email_address is None or not email_address.verified:
        return
    _tell(request, link_verified_email(user=email_address.user, email=email_address.email))


def on_user_logged_in(sender, request=None, user=None, **kwargs):
    """A login whose address was verified before (or by an officer) gets linked too."""
    from allauth.account.models import EmailAddress

    if user is None:
        return
    for address in EmailAddress.objects.filter(user=user, verified=True).order_by("-primary"):
        result = link_verified_email(user=user, email=address.email, tell_sections=False)
        if result == LinkResult.LINKED:
            _tell(request, result)
        if result in (LinkResult.LINKED, LinkResult.ALREADY):
            return
