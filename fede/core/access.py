"""How a view says who may use it.

- Every view is private by default (``LoginRequiredMiddleware``): an anonymous visitor is
  sent to the login page.
- A public view is decorated with :func:`public_view` **and** its URL name is listed in
  ``fede.public_urls.PUBLIC_URL_NAMES``; ``tests/test_url_protection.py`` fails otherwise.
- A protected view declares its permission with :func:`permission_required` (functions) or
  :class:`PermissionRequiredMixin` (classes): a ``rules`` permission, checked against the
  object when one is given. Objects in a user's scope are fetched through the access helpers
  of their app (``member_for_user(user, pk)``…), which answer 404 outside the scope.
"""

from django.contrib.auth.decorators import login_not_required
from rules.contrib.views import PermissionRequiredMixin as _RulesPermissionRequiredMixin
from rules.contrib.views import permission_required as _rules_permission_required


def public_view(view):
    """Mark a view as reachable without logging in (list it in PUBLIC_URL_NAMES too)."""
    return login_not_required(view)


def permission_required(perm, fn=None):
    """Decorator: the user must hold ``perm`` (on the object ``fn`` returns, if given).

    Denied users get 403 (logged-in) — never a redirect loop to the login page.
    """
    return _rules_permission_required(perm, fn=fn, raise_exception=True)


class PermissionRequiredMixin(_RulesPermissionRequiredMixin):
    """Class-based views: ``permission_required = "app.capability"``; 403 when denied."""

    raise_exception = True
