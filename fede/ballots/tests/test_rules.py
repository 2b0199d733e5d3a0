import pytest

from fede.organization.models import Role
from fede.organization.roles import can
from fede.organization.tests.factories import make_member_user, make_officer

pytestmark = pytest.mark.django_db

CAPS = ("ballots.manage", "ballots.enter_results", "ballots.countersign", "ballots.view_roll")


@pytest.mark.parametrize(
    ("role", "on_federation", "expected"),
    [
        (Role.FIRST_SECRETARY, True, {"ballots.manage", "ballots.view_roll"}),
        (Role.FEDERAL_SECRETARY, True, {"ballots.manage", "ballots.view_roll"}),
        (Role.FEDERAL_STAFF, True, {"ballots.manage", "ballots.view_roll"}),
        (Role.FEDERAL_TREASURER, True, set()),
        (Role.COUNCIL_MEMBER, True, set()),
        (Role.SECTION_SECRETARY, False, {"ballots.enter_results", "ballots.view_roll"}),
        (Role.SECTION_BUREAU, False, {"ballots.countersign"}),
        (Role.SECTION_TREASURER, False, {"ballots.countersign"}),
    ],
)
def test_each_role_holds_its_ballot_capabilities_on_its_unit_only(
    federation, section_a, section_b, other_section, role, on_federation, expected
):
    unit = federation if on_federation else section_a
    user = make_officer(unit, role, section=section_a)
    assert {cap for cap in CAPS if can(user, cap, section_a)} == expected
    # Section offices stop at their section; no office reaches another federation.
    assert {cap for cap in CAPS if can(user, cap, section_b)} == (
        expected if on_federation else set()
    )
    assert not any(can(user, cap, other_section) for cap in CAPS)


def test_a_plain_member_holds_no_ballot_capability(section_a):
    user = make_member_user(section_a)
    assert not any(can(user, cap) for cap in CAPS)


def test_offices_running_a_vote_need_mfa(federation, section_a):
    from fede.organization.roles import needs_mfa

    assert needs_mfa(make_officer(federation, Role.FEDERAL_STAFF, section=section_a))
    assert needs_mfa(make_officer(section_a, Role.SECTION_SECRETARY))
