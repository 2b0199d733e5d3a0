import datetime

import pytest

from fede.core.access import SYSTEM
from fede.kits import services
from fede.kits.tests.factories import make_kit
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
    return make_federation(name="Fédération du Nord", code="FED59")


@pytest.fixture
def section_a(federation):
    return make_section(
        federation, name="Paris 11 — Oberkampf", meeting_place="Local, 12 rue Oberkampf"
    )


@pytest.fixture
def section_b(federation):
    return make_section(federation, name="Paris 20 — Belleville")


@pytest.fixture
def section_north(other_federation):
    return make_section(other_federation, name="Lille Centre")


@pytest.fixture
def secretary_a(section_a):
    return make_officer(section_a, Role.SECTION_SECRETARY, first_name="Karim", last_name="Benali")


@pytest.fixture
def secretary_b(section_b):
    return make_officer(section_b, Role.SECTION_SECRETARY)


@pytest.fixture
def author(federation, section_a):
    return make_officer(federation, Role.FEDERAL_STAFF, section=section_a)


@pytest.fixture
def member_a(section_a):
    return make_member_user(section_a)


@pytest.fixture
def kit(db):
    return make_kit()


@pytest.fixture
def run_a(section_a, kit):
    return services.run_start(
        actor=SYSTEM, section=section_a, kit=kit, target_date=datetime.date(2030, 5, 20)
    )
