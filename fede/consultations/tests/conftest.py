import pytest

from fede.consultations.tests.factories import make_consultation, paragraphs
from fede.organization.models import Role
from fede.organization.tests.factories import (
    make_federation,
    make_member_user,
    make_officer,
    make_section,
)


@pytest.fixture
def federation(db):
    return make_federation(code="FED75")


@pytest.fixture
def other_federation(db):
    return make_federation(name="Fédération du Rhône", code="FED69")


@pytest.fixture
def section_a(federation):
    return make_section(federation, name="Paris 11 — Oberkampf")


@pytest.fixture
def section_b(federation):
    return make_section(federation, name="Paris 20 — Belleville")


@pytest.fixture
def lyon_section(other_federation):
    return make_section(other_federation, name="Lyon 1er")


@pytest.fixture
def member_a(section_a):
    return make_member_user(section_a)


@pytest.fixture
def member_b(section_b):
    return make_member_user(section_b)


@pytest.fixture
def lyon_member(lyon_section):
    return make_member_user(lyon_section)


@pytest.fixture
def author(federation, section_a):
    """The federation's first secretary: manages and moderates its consultations."""
    return make_officer(federation, Role.FIRST_SECRETARY, section=section_a)


@pytest.fixture
def lyon_author(other_federation, lyon_section):
    return make_officer(other_federation, Role.FIRST_SECRETARY, section=lyon_section)


@pytest.fixture
def consultation(federation):
    return make_consultation(federation)


@pytest.fixture
def paragraph(consultation):
    return paragraphs(consultation)[0]
