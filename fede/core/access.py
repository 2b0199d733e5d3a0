"""The one way to decide who may do what.

Views
-----
Every view carries exactly one of these decorators; ``tests/test_url_protection.py`` walks
the URL resolver and fails on a view that has none (or is public without being listed):

- :func:`public_view` — reachable without logging in (its URL name is declared public in
  the app's ``registry.py``);
- :func:`login_view` — any logged-in user; the view only shows the user's own things;
- :func:`permission_required` — the user must hold a capability somewhere (403 if not);
- :func:`object_view` — the view works on one object of the URL, fetched **in the user's
  scope in SQL** (404 outside it), then checked for the capability (403).

Services
--------
Every writing service takes a keyword-only ``actor`` and starts with :func:`authorize`
(then writes, then calls :func:`fede.core.audit.audit`). Views never re-check with
``can()``: the service is the one place where a write is allowed or not. Scripts, imports
and the demo act as :data:`SYSTEM`, which may do everything and is recorded as such.

Scope
-----
A model whose objects are sensitive gives its QuerySet an ``in_scope(actor, capability)``
method that filters, in SQL, to what the actor may reach with that capability.
:func:`get_in_scope_or_404` is the only way views fetch such an object by id.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404

from .memo import TimedCache

#: What a view's ``fede_access`` attribute says about it (read by the URL test).
PUBLIC, LOGIN, PERMISSION, OBJECT = "public", "login", "permission", "object"


class _System:
    """The actor of scripts, imports, scheduled tasks and the demo loader."""

    pk = None
    id = None
    is_authenticated = False
    is_active = True
    is_superuser = False
    is_system = True

    def has_perm(self, perm, obj=None) -> bool:
        return True

    def __str__(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()


def is_system(actor) -> bool:
    return actor is SYSTEM


def _mark(view, kind: str, **details):
    view.fede_access = {"kind": kind, **details}
    return view


def public_view(view):
    """Reachable without logging in (declare its URL name public in the app's registry)."""
    return _mark(login_not_required(view), PUBLIC)


def login_view(view):
    """Any logged-in user; the view shows only the user's own things."""
    return _mark(view, LOGIN)


def authorize(actor, capability: str, obj: Any = None) -> None:
    """Raise PermissionDenied unless ``actor`` holds ``capability`` (on ``obj``'s unit).

    The first line of every writing service. ``obj`` may be a Unit or anything with a
    ``permission_unit``; with no object the question is "anywhere?".
    """
    if actor is None:
        raise PermissionDenied("no actor")
    if actor is SYSTEM:
        return
    if not getattr(actor, "is_active", False) or not actor.has_perm(capability, obj):
        raise PermissionDenied(capability)


def permission_required(capability: str):
    """The user must hold ``capability`` somewhere (403 otherwise)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            authorize(request.user, capability)
            return view(request, *args, **kwargs)

        return _mark(wrapped, PERMISSION, capability=capability)

    return decorator


def _queryset(model_or_queryset) -> models.QuerySet:
    if isinstance(model_or_queryset, models.QuerySet):
        return model_or_queryset
    return model_or_queryset._default_manager.all()


def get_in_scope_or_404(model_or_queryset, *, actor, capability: str, **lookup):
    """The object matching ``lookup`` among those ``actor`` reaches with ``capability``.

    The scope is applied in SQL by the QuerySet's ``in_scope(actor, capability)``: an
    object outside it is a 404, indistinguishable from one that does not exist. Malformed
    ids (too large, not a number) are 404 too.
    """
    queryset = _queryset(model_or_queryset)
    if not hasattr(queryset, "in_scope"):
        raise TypeError(f"{queryset.model.__name__} QuerySet has no in_scope(actor, capability)")
    try:
        return queryset.in_scope(actor, capability).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError, ValidationError) as exc:
        raise Http404 from exc


#: The model of each queryset builder given to get_in_scope_compiled_or_404.
_MODELS = TimedCache(ttl=None, max_size=256)


def get_in_scope_compiled_or_404(build, *, actor, capability: str, field: str, value):
    """``get_in_scope_or_404(build(), actor=actor, capability=capability, **{field:
    value})``, the same object, from a statement compiled once (fede.core.statements) per
    ``build`` and scope condition.

    For a hot object page whose queryset ``build()`` (a function of nothing) writes SQL
    that depends on nothing but the scope and the id — no day, no user — and whose
    QuerySet gives its ``in_scope`` condition as ``scope_q(actor, capability)`` (then
    ``in_scope`` is ``filter(scope_q(...))``). The condition itself is the key: two
    readers share a statement only when their scopes are written alike.
    """
    from django.db import DataError, router

    from .statements import Slot, instances

    model = _MODELS.get(build, lambda: _queryset(build()).model)
    target = model._meta.pk if field == "pk" else model._meta.get_field(field)
    try:
        value = target.to_python(value)
    except (ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
    condition = model._default_manager.all().scope_q(actor, capability)
    alias = router.db_for_read(model)

    def statement():
        lookup = {field: Slot("value", target)}
        return build().using(alias).filter(condition, **lookup).order_by()[:2]

    key = ("core.access.object", build, alias, condition, field)
    try:
        found = instances(key, statement, {"value": value}, alias)
    except (OverflowError, DataError) as exc:  # an id too large for the column
        raise Http404 from exc
    if not found:
        raise Http404
    if len(found) > 1:
        raise model.MultipleObjectsReturned
    return found[0]


def object_view(
    model_or_queryset,
    capability: str,
    *,
    scope: str | None = None,
    url_kwarg: str = "pk",
    field: str = "pk",
    arg: str | None = None,
    compiled: bool = False,
):
    """The view receives the URL's object, fetched in scope, instead of its id.

    ``scope`` is the capability whose reach decides 404 (default: ``capability``); the
    object is then checked for ``capability`` itself (403): a treasurer who sees a member
    but may not edit them gets 403, a secretary of another section gets 404.
    ``model_or_queryset`` may be a callable returning a QuerySet (to add select_related).
    ``compiled=True`` (a callable whose SQL depends on nothing but the scope and the id):
    fetched by :func:`get_in_scope_compiled_or_404`, the statement compiled once.
    """
    reach = scope or capability
    if compiled and (isinstance(model_or_queryset, (type, models.QuerySet))):
        raise TypeError("object_view(compiled=True) takes a function returning the queryset")

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            value = kwargs.pop(url_kwarg)
            if compiled:
                obj = get_in_scope_compiled_or_404(
                    model_or_queryset,
                    actor=request.user,
                    capability=reach,
                    field=field,
                    value=value,
                )
            else:
                source = (
                    model_or_queryset()
                    if callable(model_or_queryset) and not isinstance(model_or_queryset, type)
                    else model_or_queryset
                )
                obj = get_in_scope_or_404(
                    source, actor=request.user, capability=reach, **{field: value}
                )
            if reach != capability:
                authorize(request.user, capability, obj)
            kwargs[arg or type(obj)._meta.model_name] = obj
            return view(request, *args, **kwargs)

        return _mark(wrapped, OBJECT, capability=capability, scope=reach)

    return decorator
