import pytest

from fede.organization.models import Role
from fede.organization.roles import can
from fede.organization.tests.factories import make_member_user, make_officer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "on_federation", "runs", "authors"),
    [
        (Role.SECTION_SECRETARY, False, True, False),
        (Role.SECTION_TREASURER, False, True, False),
        (Role.SECTION_BUREAU, False, True, False),
        (Role.FIRST_SECRETARY, True, True, True),
        (Role.FEDERAL_SECRETARY, True, True, True),
        (Role.FEDERAL_STAFF, True, True, True),
        (Role.FEDERAL_TREASURER, True, False, False),
        (Role.COUNCIL_MEMBER, True, False, False),
    ],
)
def test_capabilities_by_role(role, on_federation, runs, authors, federation, section_a, section_b):
    """Section officers run kits on their own section only; federal offices run them on
    every section of their federation and write them."""
    user = make_officer(federation if on_federation else section_a, role, section=section_a)
    assert can(user, "kits.run", section_a) is runs
    assert can(user, "kits.run", section_b) is (runs and on_federation)
    assert can(user, "kits.author") is authors
    assert user.has_perm("kits.library") is (runs or authors)


def test_a_user_with_two_offices_holds_both_reaches(
    federation, section_a, section_b, section_north
):
    user = make_officer(section_a, Role.SECTION_BUREAU)
    from fede.core.access import SYSTEM
    from fede.organization import services

    services.mandate_appoint(
        actor=SYSTEM,
        member=user.member,
        role=Role.SECTION_TREASURER,
        unit=section_b,
        start=user.member.mandates.first().start,
    )
    user = type(user).objects.get(pk=user.pk)
    assert can(user, "kits.run", section_a) and can(user, "kits.run", section_b)
    assert not can(user, "kits.run", section_north)
    assert not can(user, "kits.author")


def test_task_permission_is_for_its_assignee_or_the_sections_officers(
    run_a, section_a, secretary_a, secretary_b
):
    task = run_a.tasks.first()
    member = make_member_user(section_a)
    assert not member.has_perm("kits.task", task)
    task.assignee = member
    assert member.has_perm("kits.task", task)
    assert secretary_a.has_perm("kits.task", task)
    assert not secretary_b.has_perm("kits.task", task)
