"""Who may do what: one mapping role → capabilities, granted on a unit and its subtree.

A capability is a string such as ``members.view``. A current ``Mandate`` (member × role ×
unit × dates) grants the capabilities of its role on its unit and every unit below it.
Everything else — rules predicates, access helpers, navigation — is built on :func:`can`
and :func:`grant_paths`.
"""

from __future__ import annotations

from functools import cache

from django.utils import timezone

from .models import Mandate, Role, Unit

# Reading member data. Offices holding one of these must turn MFA on.
MEMBER_DATA_CAPABILITIES = frozenset({"members.view", "members.export"})

_SECTION_OFFICER = {
    "section.view",
    "section.edit",
    "members.view",
    "members.add",
    "members.change",
    "members.export",
    "dues.record",
    "transfers.request",
    "rooms.book",
    "events.manage",
}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.SECTION_SECRETARY: frozenset(_SECTION_OFFICER),
    Role.SECTION_TREASURER: frozenset(
        {"section.view", "members.view", "members.export", "dues.record", "rooms.book"}
    ),
    Role.SECTION_BUREAU: frozenset({"section.view", "rooms.book", "events.manage"}),
    Role.FIRST_SECRETARY: frozenset(
        _SECTION_OFFICER
        | {
            "members.import",
            "transfers.approve",
            "sections.manage",
            "mandates.manage",
            "accesslog.view",
            "personal_data.process",
            "rooms.approve",
            "rooms.manage",
            "federation.view",
        }
    ),
    Role.FEDERAL_SECRETARY: frozenset(
        {
            "section.view",
            "members.view",
            "federation.view",
            "events.manage",
            "rooms.book",
            "rooms.approve",
        }
    ),
    Role.FEDERAL_TREASURER: frozenset(
        {"section.view", "members.view", "members.export", "dues.record", "federation.view"}
    ),
    Role.FEDERAL_STAFF: frozenset(
        _SECTION_OFFICER
        | {
            "members.import",
            "transfers.approve",
            "sections.manage",
            "mandates.manage",
            "accesslog.view",
            "personal_data.process",
            "rooms.approve",
            "rooms.manage",
            "federation.view",
        }
    ),
    Role.COUNCIL_MEMBER: frozenset({"federation.view"}),
    Role.JOURNAL_EDITOR: frozenset(),
}

ALL_CAPABILITIES = frozenset().union(*CAPABILITIES.values())


@cache
def roles_with(capability: str) -> frozenset[str]:
    """The roles that grant ``capability``."""
    return frozenset(role for role, caps in CAPABILITIES.items() if capability in caps)


def _grants(user) -> list[tuple[str, frozenset[str]]]:
    """(unit path, capabilities) of each current mandate of the user; cached on the user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_fede_grants", None)
    if cached is None:
        rows = (
            Mandate.objects.current()
            .filter(member__user=user, unit__is_active=True)
            .values_list("role", "unit__path")
        )
        cached = [(path, CAPABILITIES.get(role, frozenset())) for role, path in rows]
        user._fede_grants = cached
    return cached


def forget_grants(user) -> None:
    """Drop the cached grants (after appointing or ending an office in the same request)."""
    if hasattr(user, "_fede_grants"):
        del user._fede_grants


def grant_paths(user, capability: str) -> list[str]:
    """Paths of the units on whose subtree the user holds ``capability``."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return [""]  # the empty prefix matches every path
    paths = sorted({path for path, caps in _grants(user) if capability in caps})
    # Keep only the top-most paths: a grant on a federation covers its sections.
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def can(user, capability: str, unit: Unit | None = None) -> bool:
    """May ``user`` exercise ``capability`` on ``unit`` (or anywhere, if unit is None)?"""
    paths = grant_paths(user, capability)
    if unit is None:
        return bool(paths)
    return any(unit.path.startswith(p) for p in paths)


def capabilities_anywhere(user) -> frozenset[str]:
    """Every capability the user holds on at least one unit (for navigation)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return ALL_CAPABILITIES
    result: set[str] = set()
    for _path, caps in _grants(user):
        result |= caps
    return frozenset(result)


def needs_mfa(user) -> bool:
    """Offices that can read member data must have MFA on."""
    return bool(capabilities_anywhere(user) & MEMBER_DATA_CAPABILITIES)


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
