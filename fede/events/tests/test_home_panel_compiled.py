"""The two reads of the events home panel (selectors.home_meetings, home_registrations),
compiled once: the same rows as the ORM's querysets for every kind of reader, in two
federations; the section, the member and the instant given at execution (another member,
another instant: other rows, as the ORM gives them)."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from fede.core import statements
from fede.core.testing import without_csrf
from fede.events import selectors
from fede.events.models import Event, Invitation, Registration
from fede.events.registry import _home_events
from fede.organization.models import Role
from fede.organization.tests.factories import (
    MemberFactory,
    UserFactory,
    make_member_user,
    make_officer,
)
from fede.organization.tests.federations import world  # noqa: F401 — fixture

from .factories import EventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db

V = Event.Visibility
S = Event.Status


def orm_meetings(user, member, now):
    """The meetings read as it was written before being compiled."""
    return [
        (event.pk, event.title, event.slug, event.start)
        for event in Event.objects.filter(organiser=member.section)
        .filter(selectors.own_section_visibility_q(user, member))
        .ending_after(now)
        .exclude(status__in=[Event.Status.CANCELLED, "draft"])
        .only("title", "slug", "start")
        .order_by("start", "pk")[:3]
    ]


def orm_registrations(member, now):
    """The registrations read as it was written before being compiled."""
    return [
        (r.event.pk, r.event.title, r.event.slug, r.event.start)
        for r in selectors.my_registrations(member)
        .select_related(None)
        .select_related("event")
        .only("event", "event__title", "event__slug", "event__start")
        .filter(event__end__gte=now)
        .order_by("event__start", "pk")[:5]
    ]


@pytest.fixture
def readers(world):  # noqa: F811
    """Readers of both federations (section secretaries, a first secretary, the user with
    two offices, a treasurer who organises nothing, plain members, an invited member, an
    inactive login, a superuser), and in each section events of every visibility and
    status, from ten days ago to three weeks ahead (some lasting days), invitations and
    registrations."""
    p11, p15 = world.paris.sections["p11"], world.paris.sections["p15"]
    l1 = world.lyon.sections["l1"]
    superuser = UserFactory(is_superuser=True)
    MemberFactory(section=p15, user=superuser, email=superuser.email)
    inactive = make_member_user(p11)
    inactive.is_active = False
    inactive.save()
    users = {
        "paris_secretary": world.paris.officers["secretary_S75-11"],
        "paris15_secretary": world.paris.officers["secretary_S75-15"],
        "lyon_secretary": world.lyon.officers["secretary_S69-01"],
        "lyon_first_secretary": world.lyon.officers["first_secretary"],
        "two_offices": world.two_offices,
        "lyon_treasurer": make_officer(l1, Role.SECTION_TREASURER),
        "paris_member": make_member_user(p11),
        "invited_member": make_member_user(p11),
        "paris15_member": make_member_user(p15),
        "lyon_member": make_member_user(l1),
        "inactive": inactive,
        "superuser": superuser,
    }
    visibilities, statuses = list(V.values), [S.PUBLISHED, S.PUBLISHED, S.CANCELLED, S.DRAFT]
    events = []
    for s, section in enumerate((p11, p15, l1)):
        for i in range(24):
            start = in_days(i - 10 + s, hour=8 + i % 12)
            long = i % 7 == 3  # from three to six days
            event = EventFactory(
                organiser=section,
                title=f"{section.name} n°{i} & <débat>",
                visibility=visibilities[i % 5],
                status=statuses[i % 4] if i % 5 else S.PUBLISHED,
                start=start,
                end=start + datetime.timedelta(days=3 + s, hours=1)
                if long
                else start + datetime.timedelta(hours=2),
            )
            events.append(event)
            if event.visibility == V.INVITATION:
                invited = users["invited_member"] if section == p11 else users["lyon_member"]
                Invitation.objects.create(event=event, member=invited.member)
    # Registrations of every status to events of their section and others (more than five
    # upcoming for some), past ones too.
    statuses = list(Registration.Status.values)
    for n, name in enumerate(("paris_member", "invited_member", "two_offices", "lyon_member")):
        member = users[name].member
        for k, event in enumerate(events[n::3]):
            if event.status == S.DRAFT:
                continue
            RegistrationFactory(event=event, member=member, status=statuses[(n + k) % 4])
    return users


def _fresh(user):
    """The user read again: nothing kept from an earlier read (``audience_member``)."""
    return type(user).objects.get(pk=user.pk)


def _instants():
    """Instants in the past, now, in the days ahead and after every event: another
    instant must give other rows (an instant baked into the SQL would show)."""
    now = timezone.now()
    return [now + datetime.timedelta(days=days) for days in (-20, -6, -2, 0, 1, 4, 9, 30)]


def test_compiled_meetings_are_the_orm_rows_for_every_reader(readers):
    seen = {}
    for name, user in readers.items():
        for now in _instants():
            user = _fresh(user)
            member = selectors.audience_member(user)
            rows = selectors.home_meetings(user, member, now)
            assert rows == orm_meetings(user, member, now), (name, now)
            assert all(type(row[3]) is datetime.datetime and row[3].tzinfo for row in rows)
            seen.setdefault(name, []).append(tuple(rows))
    # The instant changes the rows (as it does the ORM's), and so does the reader.
    for name, results in seen.items():
        assert len(set(results)) >= 4, name
        assert results[-1] == ()  # after every event
    assert seen["paris_member"] != seen["invited_member"]  # the invitations
    assert seen["paris_member"] != seen["paris_secretary"]  # the drafts-free, all of it
    assert seen["paris_member"] != seen["inactive"]  # public events only
    assert seen["paris15_secretary"] != seen["paris_secretary"]  # the section
    assert seen["lyon_treasurer"] != seen["lyon_secretary"]
    # One statement per rule, whoever reads: no reader's id in a key.
    keys = {key for key in statements._STATEMENTS._data if key[0] == "events.home_meetings"}
    assert {key[2] for key in keys} == {"all", "member", "public"}
    assert len({key[1] for key in keys}) == 1


def test_the_rule_is_what_own_section_visibility_q_depends_on(readers):
    expected = {
        "paris_secretary": "all",
        "paris15_secretary": "all",
        "lyon_secretary": "all",
        "lyon_first_secretary": "all",
        "two_offices": "all",
        "superuser": "all",
        "lyon_treasurer": "member",
        "paris_member": "member",
        "invited_member": "member",
        "paris15_member": "member",
        "lyon_member": "member",
        "inactive": "public",
    }
    for name, user in readers.items():
        user = _fresh(user)
        member = selectors.audience_member(user)
        assert selectors.own_section_rule(user, member) == expected[name], name
    # A secretary of another section of the same federation does not organise this one.
    neighbour = make_officer(
        readers["paris15_secretary"].member.section,
        Role.SECTION_SECRETARY,
        section=readers["paris_member"].member.section,
    )
    assert selectors.own_section_rule(neighbour, neighbour.member) == "member"


def test_compiled_registrations_are_the_orm_rows_for_every_member(readers):
    seen = {}
    for name, user in readers.items():
        member = _fresh(user).member
        for now in _instants():
            rows = selectors.home_registrations(member, now)
            assert rows == orm_registrations(member, now), (name, now)
            seen.setdefault(name, []).append(tuple(rows))
    registered = ("paris_member", "invited_member", "two_offices", "lyon_member")
    for name in registered:
        assert len(set(seen[name])) >= 4, name  # the instant is read
        assert max(len(rows) for rows in seen[name]) == 5
        assert seen[name][-1] == ()
    # Another member, other rows (the member is read), none for the unregistered.
    assert len({tuple(seen[name]) for name in registered}) == len(registered)
    assert all(rows == () for rows in seen["paris15_member"])
    keys = {key for key in statements._STATEMENTS._data if key[0] == "events.home_registrations"}
    assert len(keys) == 1


def _orm_reads(monkeypatch):
    monkeypatch.setattr(selectors, "home_meetings", orm_meetings)
    monkeypatch.setattr(selectors, "home_registrations", orm_registrations)


def test_panel_is_the_same_as_with_the_orm_reads(readers, monkeypatch):
    """The panel's context for every reader: the same with the compiled reads as with the
    ORM's, the "inscrit·e" of an event read by both (a meeting the member registered
    to) included; and no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rf = RequestFactory()
    labelled = 0
    for name, user in readers.items():
        request = rf.get("/")
        request.user = _fresh(user)
        _home_events(request)  # the member and the reader's offices, read once per request
        with CaptureQueriesContext(connection) as compiled_queries:
            compiled = _home_events(request)
        with monkeypatch.context() as m:
            _orm_reads(m)
            with CaptureQueriesContext(connection) as orm_queries:
                expected = _home_events(request)
        assert compiled == expected, name
        assert len(compiled_queries) == len(orm_queries) == 2, name
        labelled += any("inscrit" in str(line["meta"]) for line in compiled["lines"])
    assert labelled >= 3


def test_user_without_member_record_has_no_panel(db, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = UserFactory()
    with django_assert_num_queries(1):  # the member record looked for
        assert _home_events(request) is None


def test_home_page_html_is_the_same_as_with_the_orm_reads(client, readers, monkeypatch):
    for name in ("invited_member", "two_offices", "lyon_member", "lyon_secretary"):
        client.force_login(readers[name])
        page = client.get(reverse("core:home")).content.decode()
        with monkeypatch.context() as m:
            _orm_reads(m)
            before = client.get(reverse("core:home")).content.decode()
        assert without_csrf(page) == without_csrf(before), name
        assert "n°" in page, name
