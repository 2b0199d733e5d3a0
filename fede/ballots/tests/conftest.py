import datetime

import pytest

from fede.organization.models import Role
from fede.organization.tests.factories import (
    DuesPaymentFactory,
    make_federation,
    make_officer,
    make_section,
)

from .factories import CUTOFF, member_of, paid_member


@pytest.fixture
def federation(db):
    return make_federation(code="FED75")


@pytest.fixture
def section_a(federation):
    return make_section(federation, name="Paris 11 — Oberkampf")


@pytest.fixture
def section_b(federation):
    return make_section(federation, name="Paris 20 — Belleville")


@pytest.fixture
def other_federation(db):
    return make_federation(name="Fédération du Rhône", code="FED69")


@pytest.fixture
def other_section(other_federation):
    return make_section(other_federation, name="Lyon 7")


def _paid(user):
    """Make an officer an eligible voter too (joined long ago, dues paid)."""
    member = member_of(user)
    member.joined_on = datetime.date(2022, 1, 1)
    member.save(update_fields=["joined_on"])
    DuesPaymentFactory(member=member, year=CUTOFF.year, paid_on=CUTOFF - datetime.timedelta(days=3))
    return user


@pytest.fixture
def secretary_a(section_a):
    return _paid(make_officer(section_a, Role.SECTION_SECRETARY))


@pytest.fixture
def assessor_a(section_a):
    return _paid(make_officer(section_a, Role.SECTION_BUREAU, mfa=False))


@pytest.fixture
def secretary_b(section_b):
    return _paid(make_officer(section_b, Role.SECTION_SECRETARY))


@pytest.fixture
def staff(federation, section_a):
    return make_officer(federation, Role.FEDERAL_STAFF, section=section_a)


@pytest.fixture
def other_staff(other_federation, other_section):
    return make_officer(other_federation, Role.FEDERAL_STAFF, section=other_section)


@pytest.fixture
def voters_a(section_a):
    return [paid_member(section_a) for _ in range(5)]


@pytest.fixture
def voters_b(section_b):
    return [paid_member(section_b) for _ in range(3)]
