import pytest

from fede.organization.models import Role
from fede.organization.tests.factories import make_member_user, make_officer
from fede.organization.tests.federations import build_world


@pytest.fixture
def world(db):
    """Paris (sections 11 and 15) and Lyon, their officers and members."""
    return build_world()


@pytest.fixture
def p11_secretary(world):
    return world.paris.officers["secretary_S75-11"]


@pytest.fixture
def p15_secretary(world):
    return world.paris.officers["secretary_S75-15"]


@pytest.fixture
def lyon_secretary(world):
    return world.lyon.officers["secretary_S69-01"]


@pytest.fixture
def paris_first(world):
    return world.paris.officers["first_secretary"]


@pytest.fixture
def p11_treasurer(world):
    return make_officer(world.paris.sections["p11"], Role.SECTION_TREASURER)


@pytest.fixture
def plain_member(world):
    return make_member_user(world.paris.sections["p11"])
