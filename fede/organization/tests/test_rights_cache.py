"""The offices and the MFA state of a user are kept in their session between requests
(fede.accounts.session_cache): pages stop querying them, yet any change of rights shows
on the very next request, and a copy never serves another user."""

import datetime

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from fede.accounts.session_cache import PREFIX
from fede.core.access import SYSTEM
from fede.organization import services
from fede.organization.models import Mandate, Role

from . import screens
from .factories import UserFactory, give_mfa, make_member_user

pytestmark = pytest.mark.django_db
paris = screens.paris  # fixture


def members_url(paris):
    return reverse("organization:section_member_list", args=[paris.s11.pk])


def test_after_login_a_page_reads_only_the_session_and_the_user(
    client, paris, django_assert_num_queries
):
    client.force_login(paris.user("secretary"))
    with django_assert_num_queries(2):  # the session, the user: no offices, no MFA query
        assert client.get(reverse("core:ping")).status_code == 200


def test_an_ended_office_stops_on_the_next_request(client, paris):
    secretary = paris.user("secretary")
    client.force_login(secretary)
    assert client.get(members_url(paris)).status_code == 200
    mandate = Mandate.objects.get(member__user=secretary)
    mandate.end = timezone.localdate() - datetime.timedelta(days=1)
    mandate.save()
    assert client.get(members_url(paris)).status_code in (403, 404)


def test_a_new_office_opens_on_the_next_request(client, paris):
    user = make_member_user(paris.s15)
    client.force_login(user)
    assert client.get(members_url(paris)).status_code in (403, 404)
    services.mandate_appoint(
        actor=SYSTEM, member=user.member, role=Role.SECTION_SECRETARY, unit=paris.s11
    )
    give_mfa(user)
    assert client.get(members_url(paris)).status_code == 200


def test_a_deactivated_unit_takes_its_offices_with_it(client, paris):
    client.force_login(paris.user("secretary"))
    assert client.get(members_url(paris)).status_code == 200
    paris.s11.is_active = False
    paris.s11.save()
    assert client.get(members_url(paris)).status_code in (403, 404)


def test_removing_the_second_factor_sends_the_officer_to_the_security_page(client, paris):
    secretary = paris.user("secretary")
    client.force_login(secretary)
    assert client.get(reverse("core:ping")).status_code == 200
    Authenticator.objects.filter(user=secretary).delete()
    response = client.get(reverse("core:ping"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:security")


def test_another_user_on_the_same_browser_gets_their_own_rights(client, paris):
    client.force_login(paris.user("first_secretary"))
    assert client.get(reverse("organization:federation_sections")).status_code == 200
    client.force_login(paris.user("member"))
    assert client.get(reverse("organization:federation_sections")).status_code in (403, 404)
    assert client.get(members_url(paris)).status_code in (403, 404)


def test_a_copy_with_an_old_stamp_is_not_believed(client, paris):
    """A session holding offices computed before a change (here: forged into it) is
    recomputed from the database when the user's stamp moved on."""
    member = paris.user("member")
    client.force_login(member)
    session = client.session
    stamp = session[PREFIX + "offices"][:3]
    session[PREFIX + "offices"] = [*stamp, [[Role.FIRST_SECRETARY, paris.federation.path]]]
    session[PREFIX + "mfa_missing"] = [*stamp, False]
    session.save()
    # Believed as long as the stamp holds (the point of the copy)…
    assert client.get(reverse("organization:federation_sections")).status_code == 200
    # …and dropped as soon as anything changes the user's rights.
    services.mandate_appoint(
        actor=SYSTEM, member=member.member, role=Role.SECTION_BUREAU, unit=paris.s15
    )
    assert client.get(reverse("organization:federation_sections")).status_code in (403, 404)


def test_public_pages_read_a_logged_in_users_offices_from_the_session_too(client, paris):
    """The agenda is public, yet shows a logged-in officer what their offices open: the
    offices come from the session there as well."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(paris.user("secretary"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("events:agenda")).status_code == 200
    assert not [q for q in queries.captured_queries if "organization_mandate" in q["sql"]]


def test_bump_access_takes_users_ids_or_a_column_of_user_ids(paris):
    """The ids given are user ids, whatever model the column comes from (a mandate's id
    is not its holder's)."""
    from fede.accounts.models import User
    from fede.accounts.session_cache import bump_access

    secretary = paris.user("secretary")
    # A mandate of the secretary whose id is another user's id.
    other_user = UserFactory(id=900_001)
    mandate = Mandate.objects.filter(member__user=secretary).first()
    Mandate.objects.filter(pk=mandate.pk).update(id=other_user.pk)
    before = {u.pk: u.access_stamp for u in User.objects.all()}
    bump_access(Mandate.objects.filter(pk=other_user.pk).values("member__user"))
    bump_access(User.objects.filter(pk=secretary.pk))
    bump_access([secretary.pk])
    bump_access(secretary)
    after = {u.pk: u.access_stamp for u in User.objects.all()}
    assert after.pop(secretary.pk) == before.pop(secretary.pk) + 4
    assert after == before  # the user whose id is the mandate's is untouched


def test_unlinking_a_member_file_ends_the_logins_offices(client, paris):
    """A member file detached from a login (a wrong link corrected): the login that held
    its offices loses them on its next request."""
    from fede.organization.models import Member

    secretary = paris.user("secretary")
    client.force_login(secretary)
    assert client.get(members_url(paris)).status_code == 200
    member = Member.objects.get(user=secretary)
    member.user = None
    member.save()
    assert client.get(members_url(paris)).status_code in (403, 404)
