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


def test_a_ballot_compiled_once_is_get_in_scope_for_every_reader(
    federation, other_federation, secretary_a, staff, other_staff, voters_a
):
    """The ballot of the pages (views._ballot: a statement compiled once per scope
    condition) is the one get_in_scope_or_404 gives each reader, and a 404 where it is: a
    draft for a member, another federation's ballot, a visitor. in_scope is
    filter(scope_q) for every capability."""
    from django.contrib.auth.models import AnonymousUser

    from fede.ballots.models import Ballot
    from fede.ballots.views import _ballot_with_federation
    from fede.core.testing import check_compiled_fetch
    from fede.organization.tests.factories import make_member_user

    from .factories import make_ballot

    opened = make_ballot(federation, open_it=True)
    draft = make_ballot(federation)
    elsewhere = make_ballot(other_federation)
    Ballot.objects.filter(pk=elsewhere.pk).update(status=opened.status)  # no voters there
    voter = make_member_user(voters_a[0].section)
    readers = [secretary_a, staff, other_staff, voter, AnonymousUser()]
    outcomes = check_compiled_fetch(
        _ballot_with_federation,
        "ballots.participate",
        readers,
        (opened, draft, elsewhere),
        lambda ballot: (ballot.pk, ballot.status, ballot.federation.name),
    )
    for reader in readers:
        for capability in ("ballots.participate", "ballots.manage", *CAPS):
            scoped = (
                Ballot.objects.in_scope(reader, capability) if reader.is_authenticated else None
            )
            if scoped is None:
                continue
            assert set(scoped.values_list("pk", flat=True)) == set(
                Ballot.objects.filter(Ballot.objects.all().scope_q(reader, capability)).values_list(
                    "pk", flat=True
                )
            )
    assert outcomes == {"found", "404"}
