import pytest

from fede.convention.tests.factories import NOW, make_convention
from fede.organization.models import Role
from fede.organization.tests.factories import (
    make_federation,
    make_member_user,
    make_officer,
    make_section,
)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def federation(db, clock):
    return make_federation(code="FED75")


@pytest.fixture
def other_federation(db, clock):
    return make_federation(name="Fédération de Lyon", code="FED69")


@pytest.fixture
def section_a(federation):
    return make_section(federation, name="Paris 11 — Oberkampf")


@pytest.fixture
def section_b(federation):
    return make_section(federation, name="Paris 20 — Belleville")


@pytest.fixture
def section_lyon(other_federation):
    return make_section(other_federation, name="Lyon 7 — Guillotière")


@pytest.fixture
def secretary_a(section_a):
    return make_officer(section_a, Role.SECTION_SECRETARY)


@pytest.fixture
def secretary_b(section_b):
    return make_officer(section_b, Role.SECTION_SECRETARY)


@pytest.fixture
def secretary_lyon(section_lyon):
    return make_officer(section_lyon, Role.SECTION_SECRETARY)


@pytest.fixture
def rapporteur(federation, section_a):
    return make_officer(federation, Role.FEDERAL_SECRETARY, section=section_a)


@pytest.fixture
def manager(federation, section_a):
    return make_officer(federation, Role.FEDERAL_STAFF, section=section_a)


@pytest.fixture
def member(section_a):
    return make_member_user(section_a)


@pytest.fixture
def convention(clock, federation):
    return make_convention(federation)


@pytest.fixture
def topic(convention):
    return convention.topics.get(scope="paris")
