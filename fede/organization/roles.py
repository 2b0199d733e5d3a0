"""Who may do what: one mapping role → capabilities, granted on a unit and its subtree.

A capability is a string such as ``members.view``. A current ``Mandate`` (member × role ×
unit × dates) grants the capabilities of its role on its unit and every unit below it.
Everything else — rules predicates, access helpers, navigation — is built on :func:`can`
and :func:`grant_paths`.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

from django.utils import timezone

from fede.accounts import session_cache
from fede.core import registry
from fede.core.access import is_system

from .models import Mandate, Unit

# Every app declares its capabilities and the roles that grant them in its own registry.py
# (fede.core.registry); this module only answers "who may do what, where".


@cache
def role_capabilities() -> dict[str, frozenset[str]]:
    """role code → capabilities, assembled from every app's declaration."""
    return registry.grants()


@cache
def all_capabilities() -> frozenset[str]:
    return frozenset(registry.capabilities())


@cache
def member_data_capabilities() -> frozenset[str]:
    """Reading member data: the offices holding one of these must turn MFA on."""
    return registry.member_data_capabilities()


@cache
def roles_with(capability: str) -> frozenset[str]:
    """The roles that grant ``capability``."""
    return frozenset(role for role, caps in role_capabilities().items() if capability in caps)


def _grants(user) -> list[tuple[str, frozenset[str]]]:
    """(unit path, capabilities) of each current mandate of the user; cached on the user for
    the request, and in the user's session until their rights change (session_cache)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_fede_grants", None)
    if cached is None:
        rows = session_cache.recall(user, "offices")
        if rows is None:
            rows = [
                [role, path]
                for role, path in Mandate.objects.current()
                .filter(member__user=user, unit__is_active=True)
                .values_list("role", "unit__path")
            ]
            session_cache.keep(user, "offices", rows)
        grants = role_capabilities()
        cached = [(path, grants.get(role, frozenset())) for role, path in rows]
        user._fede_grants = cached
    return cached


def office_paths(user) -> set[str]:
    """Paths of the units where the user holds any current office."""
    return {path for path, _caps in _grants(user)}


def forget_grants(user) -> None:
    """Drop the cached grants (after appointing or ending an office in the same request)."""
    if hasattr(user, "_fede_grants"):
        del user._fede_grants
    session_cache.forget(user, "offices")
    session_cache.forget(user, "mfa_missing")


def grant_paths(user, capability: str) -> list[str]:
    """Paths of the units on whose subtree the user holds ``capability``."""
    if is_system(user) or (getattr(user, "is_superuser", False) and user.is_active):
        return [""]  # the empty prefix matches every path
    paths = sorted({path for path, caps in _grants(user) if capability in caps})
    # Keep only the top-most paths: a grant on a federation covers its sections.
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def common_path(paths: list[str]) -> str:
    """The path of the deepest unit above every one of ``paths`` ("" for the root)."""
    if not paths or "" in paths:
        return ""
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[: common.rstrip(".").rfind(".") + 1]
    return common


def reach(user, capability: str) -> SimpleNamespace:
    """Where the user holds ``capability``, as a trail scope (an object with a ``path``):
    for the access log of a read over the user's whole scope."""
    return SimpleNamespace(path=common_path(grant_paths(user, capability)))


def can(user, capability: str, unit: Unit | None = None) -> bool:
    """May ``user`` exercise ``capability`` on ``unit`` (or anywhere, if unit is None)?"""
    paths = grant_paths(user, capability)
    if unit is None:
        return bool(paths)
    return any(unit.path.startswith(p) for p in paths)


def capabilities_anywhere(user) -> frozenset[str]:
    """Every capability the user holds on at least one unit (for navigation)."""
    if is_system(user) or (getattr(user, "is_superuser", False) and user.is_active):
        return all_capabilities()
    result: set[str] = set()
    for _path, caps in _grants(user):
        result |= caps
    return frozenset(result)


def needs_mfa(user) -> bool:
    """Offices that can read member data must have MFA on."""
    return bool(capabilities_anywhere(user) & member_data_capabilities())


def units_q(user, capability: str, *, field: str = ""):
    """A Q selecting units (through ``field``, e.g. "section__") where user has capability."""
    from django.db.models import Q

    paths = grant_paths(user, capability)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for p in paths:
        q |= Q(**{f"{field}path__startswith": p})
    return q


def today():
    return timezone.localdate()


# --- Keeping the per-session copies of offices honest ----------------------------------------


def _bump_for_mandate(sender, instance, **kwargs):
    user_id = instance.member.user_id if instance.member_id else None
    session_cache.bump_access([user_id])


def _bump_for_unit(sender, instance, **kwargs):
    if instance.path:
        holders = Mandate.objects.filter(unit__path__startswith=instance.path)
        session_cache.bump_access(holders.values("member__user"))


def _bump_for_member(sender, instance, **kwargs):
    # The login linked now, and the one it was linked to when read (if it changed).
    session_cache.bump_access([instance.user_id, getattr(instance, "_loaded_user_id", None)])


def connect_rights_signals() -> None:
    """Offices appointed, changed or ended, units closed or moved, a member file linked to
    a login: the users concerned get a new access stamp (their sessions' copies go stale)."""
    from django.db.models.signals import post_delete, post_save

    from .models import Member

    post_save.connect(_bump_for_mandate, Mandate, dispatch_uid="rights.mandate+")
    post_delete.connect(_bump_for_mandate, Mandate, dispatch_uid="rights.mandate-")
    post_save.connect(_bump_for_unit, Unit, dispatch_uid="rights.unit")
    post_save.connect(_bump_for_member, Member, dispatch_uid="rights.member")
