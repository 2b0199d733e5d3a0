"""Who may do what: capabilities granted on a unit and its subtree."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.organization import services
from fede.organization.models import Member, Role
from fede.organization.roles import can, needs_mfa
from fede.organization.selectors import member_for_user, members_visible_to

from .factories import MemberFactory, UserFactory, make_federation, make_officer, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def paris():
    federation = make_federation()
    s11 = make_section(federation, name="Paris 11 Folie-Méricourt")
    s15 = make_section(federation, name="Paris 15 Grenelle")
    return federation, s11, s15


def test_section_secretary_sees_only_own_section(paris):
    """A section secretary sees their section's members and not another section's."""
    federation, s11, s15 = paris
    mine = MemberFactory(section=s11)
    other = MemberFactory(section=s15)
    secretary = make_officer(s11, Role.SECTION_SECRETARY)

    visible = set(members_visible_to(secretary).values_list("pk", flat=True))
    assert mine.pk in visible
    assert other.pk not in visible
    assert member_for_user(secretary, mine.pk) == mine
    with pytest.raises(Http404):
        member_for_user(secretary, other.pk)
    assert can(secretary, "members.view", s11)
    assert not can(secretary, "members.view", s15)
    assert not can(secretary, "members.view", federation)


def test_federal_staff_sees_every_section(paris):
    """A grant on the federation covers every section below it."""
    federation, s11, s15 = paris
    MemberFactory(section=s11)
    MemberFactory(section=s15)
    staff = make_officer(federation, Role.FEDERAL_STAFF, section=s11)
    assert members_visible_to(staff).count() == Member.objects.count()
    assert can(staff, "transfers.approve", s15)


def test_plain_member_and_council_member_see_no_member_data(paris):
    """Without an office that reads member data, the member file stays closed."""
    federation, s11, _ = paris
    MemberFactory(section=s11)
    councillor = make_officer(federation, Role.COUNCIL_MEMBER, section=s11)
    nobody = UserFactory()
    assert members_visible_to(councillor).count() == 0
    assert members_visible_to(nobody).count() == 0
    assert not needs_mfa(councillor)


def test_ended_mandate_grants_nothing(paris):
    """An office that ended yesterday no longer opens the member file."""
    _, s11, _ = paris
    secretary = make_officer(s11, Role.SECTION_SECRETARY)
    mandate = secretary.member.mandates.get()
    services.mandate_end(
        actor=SYSTEM, mandate=mandate, end=timezone.localdate() - datetime.timedelta(days=1)
    )
    secretary.refresh_from_db()
    assert not can(secretary, "members.view", s11)
    assert members_visible_to(secretary).count() == 0


def test_offices_reading_member_data_need_mfa(paris):
    """Secretaries and treasurers must turn MFA on; bureau members need not."""
    _, s11, _ = paris
    assert needs_mfa(make_officer(s11, Role.SECTION_SECRETARY))
    assert needs_mfa(make_officer(s11, Role.SECTION_TREASURER))
    assert not needs_mfa(make_officer(s11, Role.SECTION_BUREAU))


def test_rules_permissions_follow_capabilities(paris):
    """`user.has_perm("members.view", member)` answers through the same mapping."""
    _, s11, s15 = paris
    secretary = make_officer(s11, Role.SECTION_SECRETARY)
    assert secretary.has_perm("members.view", MemberFactory(section=s11))
    assert not secretary.has_perm("members.view", MemberFactory(section=s15))
    assert secretary.has_perm("members.view")
    assert not secretary.has_perm("sections.manage")
