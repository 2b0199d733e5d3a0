"""Who holds what in the practices space, per role."""

import pytest
from django.core.exceptions import PermissionDenied

from fede.organization.models import Role
from fede.organization.roles import can, role_capabilities
from fede.organization.tests.factories import make_officer
from fede.practices import services
from fede.practices.models import VIEW

from .factories import make_answer, make_post, make_question

pytestmark = pytest.mark.django_db

FEDERATION_LEADERSHIP = {Role.FIRST_SECRETARY, Role.FEDERAL_SECRETARY, Role.FEDERAL_STAFF}


@pytest.mark.parametrize("role", Role.values)
def test_every_office_takes_part_and_only_the_leadership_moderates(role):
    caps = role_capabilities()[role]
    assert "practices.participate" in caps
    leads = role in FEDERATION_LEADERSHIP
    assert ("practices.moderate" in caps) is leads
    assert ("practices.highlight" in caps) is leads


def test_view_follows_the_federation_line(world, p11_secretary, lyon_secretary, plain_member):
    post = make_post(p11_secretary)
    council = make_officer(
        world.paris.unit, Role.COUNCIL_MEMBER, section=world.paris.sections["p15"]
    )
    assert p11_secretary.has_perm(VIEW, post) and council.has_perm(VIEW, post)
    assert world.paris.officers["secretary_S75-15"].has_perm(VIEW, post)
    assert not lyon_secretary.has_perm(VIEW, post)
    assert not plain_member.has_perm(VIEW, post) and not plain_member.has_perm(VIEW)
    assert can(world.paris.officers["first_secretary"], "practices.moderate", post.federation)
    assert not can(world.lyon.officers["first_secretary"], "practices.moderate", post.federation)


def test_services_refuse_what_a_role_may_not_do(
    world, p11_secretary, p15_secretary, lyon_secretary
):
    post = make_question(p11_secretary)
    answer = make_answer(p15_secretary, post)
    with pytest.raises(PermissionDenied):
        services.post_highlight(actor=p15_secretary, post=post, highlighted=True)
    with pytest.raises(PermissionDenied):
        services.post_hide(actor=p11_secretary, post=post, hidden=True, reason="x")
    with pytest.raises(PermissionDenied):
        services.answer_accept(actor=p15_secretary, comment=answer)
    with pytest.raises(PermissionDenied):
        services.comment_create(actor=lyon_secretary, post=post, body="Bonjour de Lyon")
    with pytest.raises(PermissionDenied):
        services.vote_set(actor=lyon_secretary, post=post, useful=True)
    staff = world.lyon.officers["staff"]
    with pytest.raises(PermissionDenied):
        services.post_hide(actor=staff, post=post, hidden=True, reason="Lyon ne modère pas Paris")


def test_tags_are_normalised_and_capped():
    from django.core.exceptions import ValidationError

    assert services.normalise_tags("Porte-à-porte, Tracts ; tracts") == ",porte-a-porte,tracts,"
    assert services.normalise_tags("") == ""
    with pytest.raises(ValidationError):
        services.normalise_tags(",".join(f"t{i}" for i in range(9)))
