"""Per-session copies of what a user's rights are made of, so that a page does not ask the
database for them on every request.

The offices of a user (``fede.organization.roles``) and whether they still lack the second
factor (``fede.accounts.mfa``) are read on every authenticated page. They are kept in the
user's own session, each copy stamped with the user's ``access_stamp`` and the day (offices
start and end on dates). Anything that changes a user's rights calls :func:`bump_access`
(offices appointed or ended, units closed, an authenticator added or removed): the stamp
on the user's row changes, the copy no longer matches, the next request recomputes it.
A copy never leaves the session of the user it was computed for.
"""

from __future__ import annotations

from django.contrib.auth.middleware import get_user as auth_get_user
from django.db.models import F
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

PREFIX = "_fede_rights."


class SessionOnUserMiddleware:
    """Lets the per-session copies reach the user's session: the user of the request,
    still loaded lazily (a public page that never looks at the user never loads the
    session), comes with a reference to it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, "session") and hasattr(request, "user"):
            request.user = SimpleLazyObject(lambda: _with_session(request))
        return self.get_response(request)


def _with_session(request):
    user = auth_get_user(request)  # Django's, cached on the request
    if user.is_authenticated:
        user._fede_session = request.session
    return user


def prime_at_login(sender, request=None, user=None, **kwargs):
    """At login, compute the copies once (the login already costs queries), so the pages
    that follow start from them."""
    if request is None or user is None or not hasattr(request, "session"):
        return
    from .mfa import mfa_missing_for
    from .models import User

    stamp = User.objects.filter(pk=user.pk).values_list("access_stamp", flat=True).first()
    user.access_stamp = stamp or 0
    user.__dict__.pop("_fede_grants", None)
    request.__dict__.pop("_fede_mfa_missing", None)
    user._fede_session = request.session
    mfa_missing_for(user)  # the requirements read the offices: both copies are kept


def on_authenticator_change(sender, instance, **kwargs):
    """A second factor added or removed (by its owner, an administrator or a reset)
    changes what the user may open."""
    bump_access([instance.user_id])


def _stamp(user) -> list:
    return [user.pk, user.access_stamp, timezone.localdate().isoformat()]


def recall(user, name: str):
    """The copy of ``name`` kept in the user's session, or None when absent or stale."""
    session = getattr(user, "_fede_session", None)
    if session is None:
        return None
    stored = session.get(PREFIX + name)
    if not stored or stored[:3] != _stamp(user):
        return None
    return stored[3]


def keep(user, name: str, value) -> None:
    """Keep ``value`` (JSON-serialisable) as the copy of ``name`` in the user's session."""
    session = getattr(user, "_fede_session", None)
    if session is not None:
        session[PREFIX + name] = [*_stamp(user), value]


def forget(user, name: str) -> None:
    session = getattr(user, "_fede_session", None)
    if session is not None:
        session.pop(PREFIX + name, None)


def bump_access(users) -> int:
    """The rights of ``users`` changed: every copy kept in their sessions is stale from now
    on. ``users``: a user, a list of user ids, a queryset of users, or a queryset of one
    column of user ids (``Mandate.objects.filter(…).values("member__user")``)."""
    from .models import User

    if isinstance(users, User):
        ids = [users.pk]
    elif isinstance(users, list | tuple | set):
        ids = [pk for pk in users if pk is not None]
    elif users.model is User and users._fields is None:
        ids = users.values("pk")
    else:
        ids = users  # already one column of user ids
    return User.objects.filter(pk__in=ids).update(access_stamp=F("access_stamp") + 1)
