"""Who may see the rooms directory (booking itself uses the rooms.* capabilities).

The capabilities ``rooms.book`` (section officers, on their section), ``rooms.approve``
and ``rooms.manage`` (federation) are rules permissions defined by organization.rules.
The directory is for members and officers: any login linked to a member record, or
holding an office. Anonymous visitors never see it.
"""

import rules

from fede.organization.roles import capabilities_anywhere
from fede.organization.selectors import member_of_user


@rules.predicate
def is_member(user):
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_fede_is_member", None)
    if cached is None:
        cached = member_of_user(user) is not None
        user._fede_is_member = cached
    return cached


@rules.predicate
def holds_an_office(user):
    return bool(capabilities_anywhere(user))


@rules.predicate
def is_federation_staff(user):
    caps = capabilities_anywhere(user)
    return "rooms.approve" in caps or "rooms.manage" in caps


rules.add_perm("rooms.view", is_member | holds_an_office)
rules.add_perm("rooms.federation", is_federation_staff)
