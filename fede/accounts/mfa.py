"""The single place where the platform requires two-factor authentication.

Other apps declare *who* must have MFA with :func:`require_mfa_when` (typically in their
``AppConfig.ready``)::

    from fede.accounts.mfa import require_mfa_when
    require_mfa_when(user_holds_office_that_reads_member_data,
                     reason=_("Vous avez accès au fichier des adhérents."))

A single view can also demand it for everyone with :func:`mfa_required`.

:class:`MFARequiredMiddleware` then sends such a user, as long as MFA is not turned on, to
the "Sécurité du compte" page, which explains why. The demo may relax this through
``FEDE_RELAX_MFA`` (a banner says so on every page); production settings never do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from . import session_cache

Predicate = Callable[[object], bool]


@dataclass(frozen=True)
class Requirement:
    predicate: Predicate
    reason: str


_requirements: list[Requirement] = []

# Pages a user without MFA may still open: where MFA is set up, logging out, static checks.
EXEMPT_URL_NAMES = {
    "accounts:security",
    "account_logout",
    "mfa_activate_totp",
    "mfa_index",
    "mfa_generate_recovery_codes",
    "mfa_view_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_reauthenticate",
    "account_reauthenticate",
    "core:healthz",
    "set_language",
    "javascript-catalog",
}


def require_mfa_when(predicate: Predicate, *, reason: str) -> None:
    """Declare that users for whom ``predicate(user)`` is true must turn MFA on."""
    if not any(r.predicate is predicate for r in _requirements):
        _requirements.append(Requirement(predicate, reason))


def mfa_reasons(user) -> list[str]:
    """Why this user must have MFA (empty: they need not)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [str(r.reason) for r in _requirements if r.predicate(user)]


def user_has_mfa(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_missing(request) -> bool:
    """True when the logged-in user must have MFA and has not turned it on (cached for the
    request, and in the user's session until their rights change: session_cache)."""
    cached = getattr(request, "_fede_mfa_missing", None)
    if cached is None:
        cached = mfa_missing_for(request.user)
        request._fede_mfa_missing = cached
    return cached


def mfa_missing_for(user) -> bool:
    cached = session_cache.recall(user, "mfa_missing")
    if cached is None:
        cached = bool(mfa_reasons(user)) and not user_has_mfa(user)
        session_cache.keep(user, "mfa_missing", cached)
    return cached


def _redirect_to_security(request):
    messages.warning(
        request,
        _(
            "Activez la double authentification pour accéder à cette page : "
            "votre responsabilité vous donne accès à des données sensibles."
        ),
    )
    if getattr(request, "htmx", False):
        # A plain redirect would swap the security page into a fragment of the page.
        return HttpResponseClientRedirect(reverse("accounts:security"))
    return redirect("accounts:security")


def mfa_required(view):
    """Decorator: this view needs MFA on, whoever the user is."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and not settings.FEDE_RELAX_MFA
            and not user_has_mfa(request.user)
        ):
            return _redirect_to_security(request)
        return view(request, *args, **kwargs)

    return wrapped


class MFARequiredMiddleware:
    """Keeps users who must have MFA (see require_mfa_when) on the security page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Public views first: they must not load the session (/healthz with the database
        # down answers 503, not 500).
        if getattr(view_func, "login_required", True) is False:
            return None
        if settings.FEDE_RELAX_MFA or not request.user.is_authenticated:
            return None
        if request.path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
            return None
        match = request.resolver_match
        if match is not None and (
            match.view_name in EXEMPT_URL_NAMES or match.view_name.startswith("mfa_")
        ):
            return None
        if mfa_missing(request):
            return _redirect_to_security(request)
        return None
