"""rules predicates over the role → capability mapping (see roles.py).

Every capability is also a ``rules`` permission of the same name, so that
``user.has_perm("members.view", obj)`` (and :func:`fede.core.access.authorize`) and the
``{% has_perm %}`` template tag answer from the same mapping.
The object may be a Unit or anything with a ``permission_unit`` attribute (Member,
Transfer, Booking, Event…); with no object the question is "anywhere?".
"""

import rules

from .roles import all_capabilities, can


def _unit_of(obj):
    if obj is None:
        return None
    return getattr(obj, "permission_unit", None)


def capability(name: str):
    """A predicate: the user holds capability ``name`` on the object's unit."""

    @rules.predicate(name=f"capability:{name}")
    def predicate(user, obj=None):
        unit = _unit_of(obj)
        if obj is not None and unit is None:
            return False
        return can(user, name, unit)

    return predicate


@rules.predicate
def is_own_member_record(user, member):
    return member is not None and user.is_authenticated and member.user_id == user.pk


for _cap in sorted(all_capabilities()):
    rules.add_perm(_cap, capability(_cap))

rules.add_perm("members.view_own", is_own_member_record)
