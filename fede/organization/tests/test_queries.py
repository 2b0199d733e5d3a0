"""List pages keep a fixed number of queries whatever the number of members (no N+1).

Each request costs two queries before the view runs (the session and the user; the user's
offices and MFA state are kept in the session, see fede.accounts.session_cache); the pins
below count them.
"""

import pytest
from django.urls import reverse

from fede.core.access import SYSTEM
from fede.organization import services
from fede.organization.models import Mandate, Member, Role, Transfer, Unit

from . import screens
from .factories import MemberFactory, make_section

pytestmark = pytest.mark.django_db
paris = screens.paris  # fixture


@pytest.fixture
def crowded(paris):
    """260 members over five sections (two workplace ones), with dues, transfers, offices."""
    sections = [paris.s11, paris.s15]
    sections.append(make_section(paris.federation, name="Paris 18 Goutte d'Or"))
    sections.append(
        make_section(
            paris.federation,
            name="RATP Bus",
            section_kind=Unit.SectionKind.WORKPLACE,
            sector=Unit.Sector.TRANSPORT,
            has_premises=False,
        )
    )
    sections.append(
        make_section(
            paris.federation,
            name="AP-HP Lariboisière",
            section_kind=Unit.SectionKind.WORKPLACE,
            sector=Unit.Sector.HEALTH,
        )
    )
    for section in sections:
        screens.many_members(section, 52)
    lapsed = MemberFactory.create_batch(
        5, section=paris.s11, status=Member.Status.LAPSED, joined_on=screens.days_ago(900)
    )
    for member in Member.objects.filter(section=paris.s15)[:3]:
        services.transfer_request(
            actor=SYSTEM, member=member, to_unit=paris.s11, reason="Déménagement"
        )
    services.transfer_request(actor=SYSTEM, member=lapsed[0], to_unit=paris.s15)
    assert Member.objects.count() > 260
    return sections


def login(client, user):
    client.force_login(user)
    return client


def test_member_list_queries(client, paris, crowded, django_assert_max_num_queries):
    """The federation-wide member list: a fixed number of queries, rows of one page, and
    one capped COUNT of the filtered rows ("1 à 50 sur N")."""
    url = reverse("organization:member_list")
    c = login(client, paris.user("staff"))
    with django_assert_max_num_queries(6):
        response = c.get(url + "?sort=joined")
    assert response.status_code == 200
    assert response.content.count(b'<th scope="row">') == 50


def test_member_list_partial_queries(client, paris, crowded, django_assert_max_num_queries):
    """The htmx partial of the member list: same fixed number of queries, only the rows."""
    url = reverse("organization:member_list") + "?status=active&dues=paid&page=2"
    c = login(client, paris.user("staff"))
    with django_assert_max_num_queries(6):
        response = c.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert response.content.count(b'<th scope="row">') == 50


def test_section_member_list_queries(client, paris, crowded, django_assert_max_num_queries):
    """A section's member list, with its count: fixed number of queries."""
    url = reverse("organization:section_member_list", args=[paris.s11.pk])
    c = login(client, paris.user("secretary"))
    with django_assert_max_num_queries(6):
        response = c.get(url)
    assert response.status_code == 200
    assert response.content.count(b'<th scope="row">') == 50


def test_section_dashboard_queries(client, paris, crowded, django_assert_max_num_queries):
    """The section dashboard (figures, officers, pending transfers): fixed queries."""
    url = reverse("organization:section_dashboard", args=[paris.s11.pk])
    c = login(client, paris.user("secretary"))
    with django_assert_max_num_queries(7):
        response = c.get(url)
    assert response.status_code == 200
    assert "Arrivées demandées" in response.content.decode()


def test_federation_sections_queries(client, paris, crowded, django_assert_max_num_queries):
    """The sections list with key figures: one query for the figures of a page."""
    url = reverse("organization:federation_sections")
    c = login(client, paris.user("first_secretary"))
    with django_assert_max_num_queries(4):
        response = c.get(url + "?sort=-members")
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') == 5


def test_federation_workplace_queries(client, paris, crowded, django_assert_max_num_queries):
    """Workplace sections by sector: fixed queries."""
    c = login(client, paris.user("first_secretary"))
    with django_assert_max_num_queries(3):
        response = c.get(reverse("organization:federation_workplace"))
    assert response.status_code == 200
    assert "RATP Bus" in response.content.decode()


def test_transfer_list_queries(client, paris, crowded, django_assert_max_num_queries):
    """Pending transfers: fixed queries."""
    c = login(client, paris.user("staff"))
    with django_assert_max_num_queries(4):
        response = c.get(reverse("organization:transfer_list"))
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') == 4


def test_mandate_list_queries(client, paris, crowded, django_assert_max_num_queries):
    """Current offices: fixed queries."""
    c = login(client, paris.user("staff"))
    with django_assert_max_num_queries(4):
        response = c.get(reverse("organization:mandate_list"))
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') == 6


def test_access_log_queries(client, paris, crowded, django_assert_max_num_queries):
    """The access log: fixed queries (no count over the whole log)."""
    login(client, paris.user("secretary"))
    for _ in range(3):
        client.get(reverse("organization:member_list"))
    c = login(client, paris.user("staff"))
    with django_assert_max_num_queries(3):
        response = c.get(reverse("organization:access_log"))
    assert response.status_code == 200
    assert response.content.decode().count("Liste des adhérent·es") == 3


def test_member_of_user_also_serves_user_member_until_forgotten(django_assert_num_queries):
    """The member read by member_of_user is the user's ``user.member`` too (other apps read
    that, e.g. a ballot's reach): no second query; forgetting it forgets both."""
    from fede.accounts.models import User
    from fede.organization.selectors import forget_member_of_user, member_of_user

    from .factories import UserFactory, make_federation, make_member_user

    member = Member.objects.get(user=make_member_user(make_section(make_federation())))
    user = User.objects.get(pk=member.user_id)
    with django_assert_num_queries(1):
        assert member_of_user(user) == member
        assert user.member == member
        assert user.member.section.pk == member.section_id
    stranger = UserFactory()
    with django_assert_num_queries(1):
        assert member_of_user(stranger) is None
        assert getattr(stranger, "member", None) is None
    # Linked later (an invitation): once forgotten, both read the new link.
    Member.objects.filter(pk=member.pk).update(user=stranger)
    forget_member_of_user(stranger)
    with django_assert_num_queries(1):
        assert stranger.member == member


def test_member_of_user_reads_what_the_orm_reads(django_assert_num_queries):
    """member_of_user runs a statement compiled once: same member, same section, every
    column with the ORM's values and types (dates, datetimes, booleans), nothing deferred."""
    import datetime

    from django.utils import timezone

    from fede.accounts.models import User
    from fede.organization.selectors import member_of_user

    from .factories import make_federation, make_member_user

    section = make_section(make_federation(), closed_on=datetime.date(2020, 5, 4))
    user = make_member_user(section)
    Member.objects.filter(user=user).update(
        birth_date=datetime.date(1980, 2, 3), erasure_requested_at=timezone.now()
    )
    expected = Member.objects.select_related("section").filter(user=user).first()
    for _ in range(2):  # the first call compiles the statement, the second reuses it
        user = User.objects.get(pk=user.pk)
        with django_assert_num_queries(1):
            member = member_of_user(user)
            for field in Member._meta.concrete_fields:
                value = getattr(member, field.attname)
                assert value == getattr(expected, field.attname), field.name
                assert type(value) is type(getattr(expected, field.attname)), field.name
            for field in Unit._meta.concrete_fields:
                value = getattr(member.section, field.attname)
                assert value == getattr(expected.section, field.attname), field.name
                assert type(value) is type(getattr(expected.section, field.attname)), field.name
            assert member.get_deferred_fields() == set()
            assert member.section.get_deferred_fields() == set()
            assert not member._state.adding and member._state.db == "default"
            assert member._loaded_user_id == user.pk
            assert member.user is user


def test_section_dashboard_warm_queries(client, paris, crowded, django_assert_num_queries):
    """Once its figures are kept (memo.SECTION_FIGURES): the unit, the officers, the access
    log and the transfers after the session and the user."""
    url = reverse("organization:section_dashboard", args=[paris.s11.pk])
    c = login(client, paris.user("secretary"))
    assert c.get(url).status_code == 200
    with django_assert_num_queries(6):
        assert c.get(url).status_code == 200


def test_home_member_panel_warm_queries(paris, crowded, django_assert_num_queries, rf):
    """The home panel of a member, the section's officers kept (memo.OFFICERS): the member
    and the payments of the year."""
    from fede.organization.home import member_home

    user = paris.user("secretary")
    request = rf.get("/")
    request.user = user
    assert member_home(request)["officers"]
    del user._fede_member
    with django_assert_num_queries(2):
        assert member_home(request)["officers"]


def test_member_detail_queries(client, paris, django_assert_num_queries):
    """A member's file: the member (with their latest invitation and whether they have
    transfers and offices), the access log, the payments; the corrections, transfers and
    offices only when there are some."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from fede.organization import invitations
    from fede.organization.models import MemberInvitation

    member = MemberFactory(section=paris.s11)
    payment = screens.paid(member, year=timezone.localdate().year - 1)
    screens.paid(member)
    url = reverse("organization:member_detail", args=[member.pk])
    c = login(client, paris.user("secretary"))
    with django_assert_num_queries(5):
        html = c.get(url).content.decode()
    assert "data-correction" not in html
    assert "Pas encore invité·e" in html
    # Invited twice: the latest invitation (its date) is read with the member.
    first = invitations.member_invite(actor=SYSTEM, member=member)
    MemberInvitation.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40),
        expires_at=timezone.now() - datetime.timedelta(days=10),
    )
    with django_assert_num_queries(5):
        html = c.get(url).content.decode()
    assert "Invitation expirée" in html
    latest = invitations.member_invite(actor=SYSTEM, member=member)
    MemberInvitation.objects.filter(pk=latest.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3)
    )
    day = timezone.localtime(timezone.now() - datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    with django_assert_num_queries(5):
        html = c.get(url).content.decode()
    assert f"Invitation envoyée ({day})" in html
    # A corrected payment: its corrections are read (one more query), under it only.
    services.dues_correct(
        actor=SYSTEM, payment=payment, reason="Erreur de saisie", amount=Decimal("42.00")
    )
    with django_assert_num_queries(6):
        html = c.get(url).content.decode()
    assert html.count("data-correction") == 1
    assert "Erreur de saisie" in html
    # Moved once and holding an office: both lists are read (one query each) and shown.
    office = Mandate.objects.create(
        member=member, unit=paris.s11, role=Role.SECTION_BUREAU, start=timezone.localdate()
    )
    moved = Transfer.objects.create(
        member=member,
        from_unit=paris.s11,
        to_unit=paris.s11,
        status=Transfer.Status.REQUESTED,
        requested_by=paris.user("secretary"),
    )
    with django_assert_num_queries(8):
        html = c.get(url).content.decode()
    assert office.get_role_display() in html
    assert moved.get_status_display() in html


def test_federation_search_queries_and_section_paths_kept(
    client, paris, crowded, django_assert_num_queries
):
    """A search over a federation: the page and its count in one query, then its rows;
    whether the scope is one section is kept per path (memo.SECTION_PATHS), the same for
    every reader of that path, and a section's officer still gets a section's answer."""
    from fede.organization import memo, selectors

    url = reverse("organization:member_list") + "?q=a"
    staff = paris.user("staff")
    c = login(client, staff)
    with django_assert_num_queries(6):  # session, user, section of the scope?, 2, log
        assert c.get(url).status_code == 200
    with django_assert_num_queries(5):
        response = c.get(url)
    assert response.status_code == 200
    assert b'<th scope="col" class="d-none d-md-table-cell">Section</th>' in response.content
    assert selectors.scope_is_one_section(staff) is False
    assert selectors.scope_is_one_section(paris.user("secretary")) is True
    assert len(memo.SECTION_PATHS) == 2
    c = login(client, paris.user("secretary"))
    response = c.get(url)
    assert b'<th scope="col" class="d-none d-md-table-cell">Section</th>' not in response.content


def test_contact_visible_in_scope(paris):
    """A search drops its e-mail condition only when every member of the scope has an
    e-mail its reader may read: not for a section officer, nor for someone who also holds
    an office in a federation whose e-mails they may not read."""
    from fede.organization.models import Mandate, Role
    from fede.organization.roles import forget_grants
    from fede.organization.selectors import contact_visible_in_scope

    from .factories import make_federation

    assert contact_visible_in_scope(paris.user("staff"), "members.view")
    assert not contact_visible_in_scope(paris.user("secretary"), "members.view")
    assert not contact_visible_in_scope(paris.user("member"), "members.view")
    staff = paris.user("staff")
    elsewhere = make_section(make_federation("Fédération du Nord"))
    Mandate.objects.create(
        member=staff.member, unit=elsewhere, role=Role.SECTION_SECRETARY, start="2020-01-01"
    )
    forget_grants(staff)
    assert not contact_visible_in_scope(staff, "members.view")
