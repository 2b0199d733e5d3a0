"""Shared fixtures of the screen tests: a small Paris federation and one login per role."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from fede.organization.models import Role, Unit

from .factories import (
    DuesPaymentFactory,
    MemberFactory,
    UserFactory,
    make_federation,
    make_member_user,
    make_officer,
    make_section,
)

ROLES = [
    "secretary",
    "treasurer",
    "bureau",
    "federal_secretary",
    "first_secretary",
    "staff",
    "member",
    "anonymous",
]


@dataclass
class Paris:
    federation: Unit
    s11: Unit
    s15: Unit
    users: dict

    def user(self, role: str):
        return self.users[role]


@pytest.fixture
def paris(db):
    """The federation, the 11e and the 15e, and one login per role (offices of the 11e)."""
    federation = make_federation()
    s11 = make_section(federation, name="Paris 11 Folie-Méricourt", code="S75-11-1")
    s15 = make_section(federation, name="Paris 15 Grenelle", code="S75-15-1")
    users = {
        "secretary": make_officer(s11, Role.SECTION_SECRETARY),
        "treasurer": make_officer(s11, Role.SECTION_TREASURER),
        "bureau": make_officer(s11, Role.SECTION_BUREAU),
        "federal_secretary": make_officer(federation, Role.FEDERAL_SECRETARY, section=s11),
        "first_secretary": make_officer(federation, Role.FIRST_SECRETARY, section=s11),
        "staff": make_officer(federation, Role.FEDERAL_STAFF, section=s15),
        "member": make_member_user(s11),
        "anonymous": None,
    }
    return Paris(federation=federation, s11=s11, s15=s15, users=users)


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


def paid(member, year=None, **fields):
    return DuesPaymentFactory(member=member, year=year or timezone.localdate().year, **fields)


def many_members(section, count, *, paid_share=2, prefix="M"):
    """``count`` members in ``section``, every ``paid_share``-th one with dues paid."""
    members = MemberFactory.create_batch(count, section=section)
    for i, member in enumerate(members):
        if i % paid_share == 0:
            paid(member)
    return members


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


__all__ = [
    "ROLES",
    "MemberFactory",
    "Paris",
    "UserFactory",
    "days_ago",
    "login",
    "many_members",
    "paid",
    "paris",
]
