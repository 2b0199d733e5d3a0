"""The agenda and the month view run statements written around SQL compiled once
(``selectors.listed_where``, ``selectors._scope``): for every kind of reader and every
filter they select exactly what the ORM rules select (``listed_events``, ``agenda_events``
and ``paginate``), and what is kept for one reader never serves another."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from fede.core.lists import paginate
from fede.core.memo import clear_all
from fede.events import selectors
from fede.events.models import Event, Invitation, Registration
from fede.events.rendering import agenda_rows
from fede.events.selectors import AgendaFilters
from fede.organization.models import Member, Role, Territory
from fede.organization.territories import arrondissement_code, arrondissement_name
from fede.organization.tests.factories import (
    UserFactory,
    make_member_user,
    make_officer,
    make_section,
)
from fede.rooms.models import Booking, Room, Venue

from .factories import EventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db

V = Event.Visibility
S = Event.Status


#: Two days before the clocks go back (25 October 2026): the month and the agenda's window
#: hold both offsets, whatever day the tests run.
FROZEN = datetime.datetime(2026, 10, 23, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def world(federation, section, other_section, member_user, lapsed_user):
    """Events of every visibility, status and time, organised or co-organised by three
    units, some in a booked room, with invitations and registrations; and their readers."""
    arrondissement = Territory.objects.create(
        kind=Territory.Kind.ARRONDISSEMENT,
        code=arrondissement_code(11),
        name=arrondissement_name(11),
        number=11,
    )
    venue = Venue.objects.create(name="Maison des associations", address="1 rue X")
    third = make_section(federation, name="Section Paris 11e", territory=arrondissement)
    now = timezone.now()
    events = []
    organisers = [section, other_section, federation, third]
    visibilities = [V.PUBLIC, V.MEMBERS, V.UP_TO_DATE, V.UNIT_MEMBERS, V.INVITATION]
    for i in range(40):
        start = in_days(i % 9 - 3, hour=8 + i % 12)
        event = EventFactory(
            organiser=organisers[i % 4],
            visibility=visibilities[i % 5],
            status=[S.PUBLISHED, S.PUBLISHED, S.CANCELLED, S.DRAFT][i % 4 if i % 7 else 0],
            kind=[Event.Kind.SECTION_MEETING, Event.Kind.CONFERENCE][i % 2],
            title=f"Réunion {i} & <débat>" if i % 3 else f"Logement {i}",
            capacity=[None, 2, 30][i % 3],
            registration_enabled=i % 5 != 4,
            start=start,
            end=start + datetime.timedelta(hours=2 + (i % 2) * 30),
        )
        if i % 6 == 1:
            event.co_organisers.add(organisers[(i + 1) % 4])
        if i % 8 == 3:
            # A room of its own: these events overlap (PostgreSQL refuses two bookings).
            room = Room.objects.create(venue=venue, name=f"Salle {i}", capacity=40)
            event.booking = Booking.objects.create(
                room=room,
                section=section,
                start=event.start,
                end=event.end,
                status=Booking.Status.CONFIRMED,
                purpose=f"Réunion {i}",
                expected_attendance=20,
            )
            event.save(update_fields=["booking"])
        events.append(event)
    # A long event still running, begun before the month and the agenda's window.
    events.append(
        EventFactory(
            organiser=section,
            visibility=V.PUBLIC,
            start=now - datetime.timedelta(days=40),
            end=now + datetime.timedelta(days=3),
        )
    )
    Invitation.objects.create(event=events[4], member=member_user.member)
    Invitation.objects.create(event=events[9], member=lapsed_user.member)
    RegistrationFactory(event=events[1], member=member_user.member)
    RegistrationFactory(
        event=events[5], member=member_user.member, status=Registration.Status.WAITING
    )
    for event in events[:12]:
        RegistrationFactory(event=event, member=make_member_user(section).member)
    inactive = make_member_user(section)
    inactive.is_active = False
    inactive.save()
    readers = [
        AnonymousUser(),
        UserFactory(),
        member_user,
        lapsed_user,
        make_member_user(other_section),
        make_member_user(third),
        make_member_user(section, status=Member.Status.RESIGNED),
        inactive,
        make_officer(section, Role.SECTION_SECRETARY),
        make_officer(third, Role.SECTION_SECRETARY),
        make_officer(federation, Role.FEDERAL_SECRETARY, section=make_section(federation)),
        UserFactory(is_superuser=True),
    ]
    return {"events": events, "readers": readers, "sections": organisers, "now": now}


def fresh(user):
    """The reader as a new request sees them (nothing kept on the user object)."""
    return type(user).objects.get(pk=user.pk) if user.pk else AnonymousUser()


def listed_ids(user) -> set[int]:
    """The events ``listed_where(user)`` selects."""
    sql, params = selectors.listed_where(fresh(user))
    statement = f'SELECT "events_event"."id" FROM "events_event" WHERE {sql}'  # noqa: S608 - compiled by the ORM
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return {pk for (pk,) in cursor.fetchall()}


def filter_variants(world, now):
    section, other_section, federation, third = world["sections"]
    return [
        AgendaFilters(),
        AgendaFilters(past=True),
        AgendaFilters(day=timezone.localdate(now)),
        AgendaFilters(day=timezone.localdate(now) + datetime.timedelta(days=2)),
        AgendaFilters(kind=Event.Kind.CONFERENCE),
        AgendaFilters(kind="no-such-kind"),
        AgendaFilters(organiser=other_section.pk),
        AgendaFilters(organiser=federation.pk, past=True),
        AgendaFilters(arrondissement=11),
        AgendaFilters(q="logement"),
        AgendaFilters(q="  "),
        AgendaFilters(q="débat réunion", kind=Event.Kind.SECTION_MEETING),
    ]


def test_listed_where_selects_what_listed_events_selects(world):
    for user in world["readers"]:
        got = listed_ids(user)
        expected = set(selectors.listed_events(fresh(user)).values_list("pk", flat=True))
        assert got == expected, user
        assert got  # every reader sees the public events


def test_what_is_kept_for_one_reader_never_serves_another(world, section):
    """Two members of the same section, one invited: the second, read after the first
    (their SQL kept), does not see the invitation; nor do anonymous visitors see what a
    member sees."""
    invited, other = make_member_user(section), make_member_user(section)
    secret = EventFactory(organiser=section, visibility=V.INVITATION, title="Réunion privée")
    Invitation.objects.create(event=secret, member=invited.member)
    for first, second in ((invited, other), (other, invited)):
        clear_all()  # nothing kept: the first reader compiles, the second is kept
        for user in (first, second, AnonymousUser()):
            seen = listed_ids(user)
            expected = set(selectors.listed_events(fresh(user)).values_list("pk", flat=True))
            assert seen == expected
            assert (secret.pk in seen) == (user == invited)


def _row(event):
    return (
        event.pk,
        event.title,
        event.slug,
        event.start,
        event.end,
        event.kind,
        event.status,
        event.visibility,
        event.registration_enabled,
        event.capacity,
        event.confirmed_count,
        event.my_status,
        event.seats_left,
        event.organiser.name,
        event.place_label,
        event.get_absolute_url(),
    )


def test_agenda_page_is_the_page_of_agenda_events(world):
    """Rows (and what their HTML shows), count, page number and next page, for every
    reader, filter and page asked for (past the end included)."""
    now = world["now"]
    compared = 0
    for user in world["readers"]:
        for filters in filter_variants(world, now):
            for asked in (None, "2", "3", "99", "x"):
                expected = paginate(
                    selectors.agenda_events(fresh(user), filters, now=now), asked, per_page=3
                )
                got = selectors.agenda_page(fresh(user), filters, asked, per_page=3, now=now)
                assert [_row(e) for e in got.object_list] == [
                    _row(e) for e in expected.object_list
                ], (user, filters, asked)
                assert (got.count, got.number, got.has_next) == (
                    expected.count,
                    expected.number,
                    expected.has_next,
                ), (user, filters, asked)
                assert agenda_rows(selectors.listing_rows(got.object_list)) == agenda_rows(
                    selectors.listing_rows(expected.object_list)
                )
                compared += len(got.object_list)
    assert compared > 500


def test_agenda_page_is_one_query(world, member_user, django_assert_num_queries):
    user = fresh(member_user)
    selectors.audience_member(user)
    selectors.agenda_page(user, AgendaFilters(), None, per_page=3)  # compiled, kept
    with django_assert_num_queries(1):
        page = selectors.agenda_page(user, AgendaFilters(), "2", per_page=3)
    assert page.count and page.object_list
    # Past the last page: the count, then the last page (as ``paginate`` answers).
    with django_assert_num_queries(3):
        last = selectors.agenda_page(user, AgendaFilters(), "99", per_page=3)
    assert last.number == -(-page.count // 3) and last.object_list


def _expected_month(user, filters, year, month, per_day):
    """The month's days, from ``listed_events`` and Python: {day: ([ids], more)}."""
    first, following = selectors.month_bounds(year, month)
    events = (
        selectors.apply_filters(selectors.listed_events(user), filters)
        .ending_after(first)
        .filter(start__lt=following)
        .order_by("start", "pk")
    )
    days: dict[datetime.date, list[int]] = {}
    for event in events:
        day = max(timezone.localtime(event.start).date(), first.date())
        days.setdefault(day, []).append(event.pk)
    return {day: (ids[:per_day], len(ids) - len(ids[:per_day])) for day, ids in days.items()}


def test_month_grid_ranks_what_listed_events_lists(world):
    now = world["now"]
    today = timezone.localdate(now)
    months = {(today.year, today.month)}
    for days in (-4, 6):
        other = today + datetime.timedelta(days=days)
        months.add((other.year, other.month))
    for user in world["readers"]:
        for filters in filter_variants(world, now):
            for year, month in sorted(months):
                weeks = selectors.month_grid(fresh(user), filters, year, month, per_day=2)
                got = {
                    day.date: ([e.pk for e in day.events], day.more)
                    for week in weeks
                    for day in week
                    if day.events or day.more
                }
                expected = _expected_month(fresh(user), filters, year, month, per_day=2)
                assert got == expected, (user, filters, year, month)
                for week in weeks:
                    for day in week:
                        for event in day.events:
                            stored = Event.objects.get(pk=event.pk)
                            assert event.url == stored.get_absolute_url()
                            assert event.title == stored.title
                            assert event.is_cancelled == stored.is_cancelled
                            assert event.organiser_name == stored.organiser.name
                            local = timezone.localtime(stored.start)
                            assert event.time_label == f"{local:%H:%M}"


@pytest.mark.parametrize("year, month, change", [(2027, 3, 28), (2027, 10, 31)])
def test_month_grid_days_follow_the_local_calendar_across_a_clock_change(
    section, year, month, change
):
    """Each day of the grid runs from local midnight to local midnight, the day the clocks
    change included; an event begun the month before shows on the first day."""
    tz = timezone.get_current_timezone()

    def at(day, hour, minute=0):
        return timezone.make_aware(datetime.datetime(year, month, day, hour, minute), tz)

    starts = [
        at(change - 1, 23, 30),
        at(change, 0, 15),
        at(change, 23, 45),
        timezone.make_aware(
            datetime.datetime.combine(
                datetime.date(year, month, change) + datetime.timedelta(days=1), datetime.time()
            ),
            tz,
        ),
        at(1, 0, 0),
        at(1, 0, 0) - datetime.timedelta(minutes=1),
    ]
    for start in starts:
        EventFactory(
            organiser=section,
            visibility=V.PUBLIC,
            start=start,
            end=start + datetime.timedelta(hours=3),
        )
    weeks = selectors.month_grid(AnonymousUser(), AgendaFilters(), year, month, per_day=1)
    got = {
        day.date: ([e.pk for e in day.events], day.more)
        for week in weeks
        for day in week
        if day.events or day.more
    }
    assert got == _expected_month(AnonymousUser(), AgendaFilters(), year, month, per_day=1)
    assert got[datetime.date(year, month, change)][1] == 1
    assert got[datetime.date(year, month, 1)][1] == 1


def test_agenda_page_counts_up_to_its_cap(world, member_user, client):
    """Beyond the cap the count is not computed: no count, "plus de" the cap, the pages
    still go on one by one with the same rows; at or under the cap the count is exact."""
    user = fresh(member_user)
    exact = selectors.agenda_page(user, AgendaFilters(), None, per_page=3)
    assert exact.count > 4 and "count_over" not in exact.extra
    at_cap = selectors.agenda_page(user, AgendaFilters(), None, per_page=3, count_cap=exact.count)
    assert at_cap.count == exact.count
    capped = selectors.agenda_page(user, AgendaFilters(), "2", per_page=3, count_cap=4)
    assert capped.count is None and capped.extra["count_over"] == 4
    assert capped.num_pages is None and capped.has_next
    second = selectors.agenda_page(user, AgendaFilters(), "2", per_page=3)
    assert [e.pk for e in capped.object_list] == [e.pk for e in second.object_list]


def test_the_agenda_says_more_than_the_cap(world, member_user, client, monkeypatch):
    from django.urls import reverse

    monkeypatch.setattr(selectors.agenda_page, "__kwdefaults__", {"now": None, "count_cap": 4})
    monkeypatch.setattr("fede.events.views.PAGE_SIZE", 3)
    client.force_login(member_user)
    html = client.get(reverse("events:agenda")).content.decode()
    assert "Plus de 4 événements" in html
    assert "Suivante" in html and "Dernière" not in html and "Page 1 sur" not in html
