"""Reads of the organisation, always through the user's scope.

Access helpers answer 404 (Http404) outside the scope: a section officer asking for
another section's member gets the same answer as for a member that does not exist.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Member, Unit
from .roles import units_q


def members_visible_to(user, capability: str = "members.view") -> QuerySet[Member]:
    """Members whose section lies in a subtree where the user holds ``capability``."""
    return Member.objects.filter(units_q(user, capability, field="section__"))


def member_for_user(user, pk, capability: str = "members.view") -> Member:
    """One member in the user's scope, or 404."""
    return get_object_or_404(
        members_visible_to(user, capability).select_related("section", "user"), pk=pk
    )


def units_visible_to(user, capability: str = "section.view") -> QuerySet[Unit]:
    return Unit.objects.filter(units_q(user, capability))


def unit_for_user(user, pk, capability: str = "section.view") -> Unit:
    """One unit in the user's scope, or 404."""
    return get_object_or_404(units_visible_to(user, capability), pk=pk)


def sections_for_user(user, capability: str = "section.view") -> QuerySet[Unit]:
    """Active sections where the user holds ``capability`` (for pickers and menus)."""
    return units_visible_to(user, capability).sections().active().order_by("name")


def member_of_user(user) -> Member | None:
    """The member record linked to a login, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("section").filter(user=user).first()
