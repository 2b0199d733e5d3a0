"""Each capability used by the organisation screens, for each role (allowed and denied)."""

import pytest

from fede.organization.tests.factories import MemberFactory

from . import screens

paris = screens.paris  # fixture

pytestmark = pytest.mark.django_db

# capability → roles that hold it on the 11e (their section, or the federation above it).
ON_S11 = {
    "section.view": {
        "secretary",
        "treasurer",
        "bureau",
        "federal_secretary",
        "first_secretary",
        "staff",
    },
    "section.edit": {"secretary", "first_secretary", "staff"},
    "members.view": {"secretary", "treasurer", "federal_secretary", "first_secretary", "staff"},
    "members.add": {"secretary", "first_secretary", "staff"},
    "members.change": {"secretary", "first_secretary", "staff"},
    "members.export": {"secretary", "treasurer", "first_secretary", "staff"},
    "dues.record": {"secretary", "treasurer", "first_secretary", "staff"},
    "transfers.request": {"secretary", "first_secretary", "staff"},
    "transfers.approve": {"first_secretary", "staff"},
    "sections.manage": {"first_secretary", "staff"},
    "mandates.manage": {"first_secretary", "staff"},
    "accesslog.view": {"first_secretary", "staff"},
    "federation.view": {"federal_secretary", "first_secretary", "staff"},
}
FEDERAL = {"federal_secretary", "first_secretary", "staff"}
ALL_ROLES = [
    "secretary",
    "treasurer",
    "bureau",
    "federal_secretary",
    "first_secretary",
    "staff",
    "member",
]


@pytest.mark.parametrize("capability", sorted(ON_S11))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_capability_on_own_section(paris, role, capability):
    """Section offices act on their own section; federal offices on every section."""
    user = paris.user(role)
    expected = role in ON_S11[capability]
    assert user.has_perm(capability, paris.s11) is expected
    member = MemberFactory(section=paris.s11)
    assert user.has_perm(capability, member) is expected


@pytest.mark.parametrize("capability", sorted(ON_S11))
@pytest.mark.parametrize("role", ALL_ROLES)
def test_capability_on_other_section(paris, role, capability):
    """Nobody of the 11e holds any capability on the 15e; federal offices do."""
    user = paris.user(role)
    expected = role in ON_S11[capability] and role in FEDERAL
    assert user.has_perm(capability, paris.s15) is expected
    assert user.has_perm(capability, MemberFactory(section=paris.s15)) is expected


def test_anonymous_holds_nothing(paris):
    """An anonymous visitor holds no capability anywhere."""
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    for capability in ON_S11:
        assert not anonymous.has_perm(capability, paris.s11)
        assert not anonymous.has_perm(capability)
