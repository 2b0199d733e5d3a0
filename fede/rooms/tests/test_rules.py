"""Who may see the directory, book, approve and manage rooms: one case per role."""

import pytest
from django.contrib.auth.models import AnonymousUser

from fede.organization.models import Role
from fede.organization.tests.factories import UserFactory, make_member_user, make_officer

pytestmark = pytest.mark.django_db

PERMS = ["rooms.view", "rooms.book", "rooms.approve", "rooms.manage", "rooms.federation"]

EXPECTED = {
    "anonymous": set(),
    "login without member record": set(),
    "member": {"rooms.view"},
    Role.SECTION_SECRETARY: {"rooms.view", "rooms.book"},
    Role.SECTION_TREASURER: {"rooms.view", "rooms.book"},
    Role.SECTION_BUREAU: {"rooms.view", "rooms.book"},
    Role.FEDERAL_SECRETARY: {"rooms.view", "rooms.book", "rooms.approve", "rooms.federation"},
    Role.FIRST_SECRETARY: set(PERMS),
    Role.FEDERAL_STAFF: set(PERMS),
    Role.COUNCIL_MEMBER: {"rooms.view"},
}

FEDERAL = {
    Role.FEDERAL_SECRETARY,
    Role.FIRST_SECRETARY,
    Role.FEDERAL_STAFF,
    Role.COUNCIL_MEMBER,
}


def _user(who, federation, section):
    if who == "anonymous":
        return AnonymousUser()
    if who == "login without member record":
        return UserFactory()
    if who == "member":
        return make_member_user(section)
    unit = federation if who in FEDERAL else section
    return make_officer(unit, who, section=section)


@pytest.mark.parametrize("who", list(EXPECTED))
def test_permissions_per_role(who, federation, section_a):
    user = _user(who, federation, section_a)
    granted = {perm for perm in PERMS if user.has_perm(perm)}
    assert granted == EXPECTED[who]


@pytest.mark.parametrize("role", [Role.SECTION_SECRETARY, Role.SECTION_BUREAU])
def test_section_officer_books_only_for_their_section(role, section_a, section_b):
    user = make_officer(section_a, role)
    assert user.has_perm("rooms.book", section_a)
    assert not user.has_perm("rooms.book", section_b)


def test_federal_staff_books_and_approves_for_every_section(federation, section_a, section_b):
    user = make_officer(federation, Role.FEDERAL_STAFF, section=section_a)
    assert user.has_perm("rooms.approve", section_b)
    assert user.has_perm("rooms.book", section_b)
