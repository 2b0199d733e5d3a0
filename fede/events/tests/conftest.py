import pytest

from fede.organization.tests.factories import (
    DuesPaymentFactory,
    make_federation,
    make_member_user,
    make_officer,
    make_section,
)


@pytest.fixture
def federation(db):
    return make_federation()


@pytest.fixture
def section(federation):
    return make_section(federation, name="Section Paris 11")


@pytest.fixture
def other_section(federation):
    return make_section(federation, name="Section Paris 20")


@pytest.fixture
def member_user(section):
    """A logged-in member of ``section``, up to date with dues."""
    user = make_member_user(section)
    DuesPaymentFactory(member=user.member)
    return user


@pytest.fixture
def lapsed_user(section):
    """A member of ``section`` who has not paid this year's (nor last year's) dues."""
    return make_member_user(section)


@pytest.fixture
def organiser(section):
    """The secretary of ``section``: organises its events."""
    from fede.organization.models import Role

    return make_officer(section, Role.SECTION_SECRETARY)


@pytest.fixture
def federal_organiser(federation, section):
    from fede.organization.models import Role

    return make_officer(federation, Role.FEDERAL_SECRETARY, section=section)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with empty rate-limit counters (they live in the cache)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
