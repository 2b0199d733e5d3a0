"""Permissions of events, one test per role."""

import pytest

from fede.events.rules import registration_refusal
from fede.organization.models import Role
from fede.organization.tests.factories import make_member_user, make_officer

from .factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "on", "allowed"),
    [
        (Role.SECTION_SECRETARY, "section", True),
        (Role.SECTION_BUREAU, "section", True),
        (Role.SECTION_TREASURER, "section", False),
        (Role.SECTION_SECRETARY, "other_section", False),
        (Role.FEDERAL_SECRETARY, "federation", True),
        (Role.FIRST_SECRETARY, "federation", True),
        (Role.COUNCIL_MEMBER, "federation", False),
    ],
)
def test_events_manage_per_role(section, other_section, federation, role, on, allowed):
    unit = {"section": section, "other_section": other_section, "federation": federation}[on]
    user = make_officer(unit, role, section=section if on == "federation" else None)
    event = EventFactory(organiser=section)
    assert user.has_perm("events.manage", event) is allowed
    assert user.has_perm("events.manage_speakers") is (
        role not in (Role.SECTION_TREASURER, Role.COUNCIL_MEMBER)
    )


def test_plain_member_manages_nothing(section):
    user = make_member_user(section)
    event = EventFactory(organiser=section)
    assert not user.has_perm("events.manage", event)
    assert not user.has_perm("events.manage_speakers")


def test_events_register_follows_registration_refusal(section, member_user, lapsed_user):
    event = EventFactory(organiser=section, visibility="up_to_date")
    assert member_user.has_perm("events.register", event)
    assert not lapsed_user.has_perm("events.register", event)
    assert registration_refusal(event, lapsed_user.member) == (
        "Cet événement est réservé aux adhérent·es à jour de cotisation."
    )


def test_no_registration_on_events_without_registration(section, member_user):
    event = EventFactory(organiser=section, registration_enabled=False)
    assert "ne prend pas d'inscriptions" in registration_refusal(event, member_user.member)
