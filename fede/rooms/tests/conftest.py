import pytest

from fede.organization.models import Role
from fede.organization.tests.factories import make_federation, make_officer, make_section
from fede.rooms.tests.factories import RoomFactory, open_every_day


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
def officer_a(section_a):
    return make_officer(section_a, Role.SECTION_SECRETARY)


@pytest.fixture
def officer_b(section_b):
    return make_officer(section_b, Role.SECTION_SECRETARY)


@pytest.fixture
def staff(federation, section_a):
    """Federation staff: approves and manages rooms."""
    return make_officer(federation, Role.FEDERAL_STAFF, section=section_a)


@pytest.fixture
def room(db):
    return open_every_day(RoomFactory(name="Salle Jaurès", capacity=40))


@pytest.fixture
def lyon(db):
    """A second federation, for what must stay apart from the first one's."""
    return make_federation(name="Fédération du Rhône", code="FED69")


@pytest.fixture
def lyon_secretary(lyon):
    return make_officer(make_section(lyon, name="Lyon 1er"), Role.SECTION_SECRETARY)
