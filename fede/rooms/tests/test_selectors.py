import datetime

import pytest

from fede.organization.models import Territory
from fede.rooms import selectors, slots
from fede.rooms.models import Booking, OpeningHours, Room
from fede.rooms.tests.factories import (
    ArrondissementFactory,
    EquipmentFactory,
    RoomFactory,
    VenueFactory,
    make_booking,
    next_weekday,
    slot,
)

pytestmark = pytest.mark.django_db


def see_all(unit):
    return True


def test_directory_filters_capacity_step_free_equipment_and_arrondissement():
    eleventh = ArrondissementFactory(number=11)
    twentieth = ArrondissementFactory(number=20)
    projector = EquipmentFactory(code="projecteur", name="Vidéoprojecteur")
    sound = EquipmentFactory(code="sono", name="Sonorisation")
    big = RoomFactory(capacity=80, step_free=True, venue=VenueFactory(arrondissement=eleventh))
    big.equipment.set([projector, sound])
    small = RoomFactory(capacity=15, step_free=True, venue=VenueFactory(arrondissement=eleventh))
    stairs = RoomFactory(capacity=60, step_free=False, venue=VenueFactory(arrondissement=twentieth))
    stairs.equipment.set([projector])

    def names(**kwargs):
        return set(selectors.room_directory(selectors.DirectoryFilters(**kwargs)))

    assert names(capacity=30) == {big, stairs}
    assert names(capacity=30, step_free=True) == {big}
    assert names(equipment=[projector]) == {big, stairs}
    assert names(equipment=[projector, sound]) == {big}
    assert names(arrondissement=twentieth) == {stairs}
    assert names() == {big, small, stairs}


def test_directory_free_on_a_slot_excludes_booked_and_closed_rooms(federation, section_a):
    """Free on Thursday 19:00–21:00: not the room booked 20:00–22:00, not the room closed
    on Thursdays; the room booked until 19:00 is free (back-to-back), a pending request
    does not block."""
    day = next_weekday(3)
    booked = RoomFactory(name="booked")
    make_booking(booked, section_a, *slot(day, "20:00", "22:00"))
    before = RoomFactory(name="before")
    make_booking(before, section_a, *slot(day, "17:00", "19:00"))
    pending = RoomFactory(name="pending")
    make_booking(pending, section_a, *slot(day, "19:00", "21:00"), status=Booking.Status.PENDING)
    closed = RoomFactory(name="closed")
    OpeningHours.objects.create(
        room=closed, weekday=0, opens=datetime.time(9), closes=datetime.time(22)
    )
    early = RoomFactory(name="early")
    OpeningHours.objects.create(
        room=early, weekday=3, opens=datetime.time(9), closes=datetime.time(20)
    )
    open_late = RoomFactory(name="open late")
    OpeningHours.objects.create(
        room=open_late, weekday=3, opens=datetime.time(9), closes=datetime.time(23)
    )
    free = selectors.room_directory(
        selectors.DirectoryFilters(
            day=day, start_time=datetime.time(19), end_time=datetime.time(21)
        )
    )
    assert {r.name for r in free} == {"before", "pending", "open late"}


def test_directory_query_count_does_not_grow(django_assert_max_num_queries, section_a):
    projector = EquipmentFactory(code="projecteur")
    day = next_weekday(3)
    for i in range(40):
        room = RoomFactory(
            venue=VenueFactory(arrondissement=ArrondissementFactory(number=i % 20 + 1))
        )
        room.equipment.set([projector])
        make_booking(room, section_a, *slot(day, "08:00", "09:00"))
    filters = selectors.DirectoryFilters(
        capacity=10,
        equipment=[projector],
        day=day,
        start_time=datetime.time(19),
        end_time=datetime.time(21),
    )
    # Matching ids, busy rooms of the slot, the rooms with venue and arrondissement, equipment.
    with django_assert_max_num_queries(4):
        rooms = list(selectors.room_directory(filters))
        assert all(r.venue.arrondissement.name for r in rooms)
        assert all(list(r.equipment.all()) for r in rooms)
    assert len(rooms) == 40


@pytest.mark.parametrize(
    ("monday", "change_day"),
    [
        (datetime.date(2027, 3, 22), datetime.date(2027, 3, 28)),  # summer time starts Sunday
        (datetime.date(2027, 10, 25), datetime.date(2027, 10, 31)),  # summer time ends Sunday
    ],
)
def test_week_grid_of_a_dst_week_shows_19_local_every_day(section_a, monday, change_day):
    """Bookings 19:00–21:00 every day of the week of a clock change sit in the 19:00 row of
    every day, before and after the change, and are stored one hour apart in UTC."""
    room = RoomFactory()
    for i in range(7):
        make_booking(room, section_a, *slot(monday + datetime.timedelta(days=i), "19:00", "21:00"))
    utc_hours = {
        slots.local(b.start).date(): b.start.astimezone(datetime.UTC).hour
        for b in Booking.objects.filter(room=room)
    }
    grid = selectors.room_week(room, monday, can_see=see_all)
    rows = dict(grid.rows)
    seven = datetime.time(19)
    for cell in rows[seven]:
        assert len(cell.starting) == 1, cell.day
        assert cell.starting[0].start.strftime("%H:%M") == "19:00"
        assert cell.starting[0].end.strftime("%H:%M") == "21:00"
        assert cell.busy
    for half_hour in ("19:30", "20:00", "20:30"):
        assert all(cell.busy for cell in rows[datetime.time.fromisoformat(half_hour)])
    for half_hour in ("18:00", "18:30", "21:00", "21:30", "22:00", "22:30"):
        assert not any(cell.busy for cell in rows[datetime.time.fromisoformat(half_hour)])
    assert all(not c.starting for t, cells in grid.rows if t != seven for c in cells)
    # Stored in UTC: one hour apart on either side of the change.
    before = utc_hours[change_day - datetime.timedelta(days=1)]
    after = utc_hours[change_day]
    if change_day.month == 3:
        assert (before, after) == (18, 17)
    else:
        assert (before, after) == (17, 18)


def test_week_grid_hides_purpose_outside_scope(section_a, section_b, officer_a):
    room = RoomFactory()
    day = next_weekday(3)
    make_booking(room, section_a, *slot(day, "19:00", "21:00"), purpose="Bureau de section A")
    make_booking(room, section_b, *slot(day, "14:00", "16:00"), purpose="Secret de B")
    grid = selectors.room_week(
        room, slots.monday_of(day), can_see=selectors.scope_checker(officer_a)
    )
    items = {i.booking.section: i for d in grid.days for i in d.bookings}
    assert items[section_a].visible and items[section_a].label == "Bureau de section A"
    assert not items[section_b].visible and items[section_b].label == ""


def test_booking_for_user_is_404_out_of_scope(section_a, section_b, officer_a, staff):
    from django.http import Http404

    room = RoomFactory()
    mine = make_booking(room, section_a, *slot(next_weekday(3), "19:00", "21:00"))
    theirs = make_booking(room, section_b, *slot(next_weekday(4), "19:00", "21:00"))
    assert selectors.booking_for_user(officer_a, mine.pk) == mine
    with pytest.raises(Http404):
        selectors.booking_for_user(officer_a, theirs.pk)
    assert selectors.booking_for_user(staff, theirs.pk) == theirs


def test_occupancy_and_espace_sections_use(federation, section_a, section_b):
    space = RoomFactory(is_sections_space=True)
    for weekday in range(7):
        OpeningHours.objects.create(
            room=space, weekday=weekday, opens=datetime.time(10), closes=datetime.time(20)
        )
    make_booking(space, section_a, *slot(datetime.date(2027, 2, 4), "18:00", "20:00"))
    make_booking(space, section_a, *slot(datetime.date(2027, 2, 11), "18:00", "19:30"))
    make_booking(space, section_b, *slot(datetime.date(2027, 2, 12), "18:00", "20:00"))
    make_booking(
        space, section_b, *slot(datetime.date(2027, 2, 13), "18:00", "20:00"), status="cancelled"
    )
    make_booking(space, section_b, *slot(datetime.date(2027, 3, 1), "18:00", "20:00"))
    [row] = selectors.occupancy(2027, 2)
    assert row.bookings == 3
    assert row.booked_hours == pytest.approx(5.5)
    assert row.open_hours == pytest.approx(28 * 10)
    assert row.percent == 2
    use = {u.section: (u.bookings, u.hours) for u in selectors.sections_space_use(2027, 2)}
    assert use == {section_a: (2, 3.5), section_b: (1, 2.0)}


def test_arrondissements_lists_only_arrondissements():
    ArrondissementFactory(number=3)
    Territory.objects.create(kind=Territory.Kind.NEIGHBOURHOOD, code="Q1", name="Quartier")
    assert [t.number for t in selectors.arrondissements()] == [3]


def test_week_grid_greys_closed_days_and_hours(section_a):
    room = RoomFactory()
    OpeningHours.objects.create(
        room=room, weekday=3, opens=datetime.time(9, 30), closes=datetime.time(22)
    )
    monday = slots.monday_of(next_weekday(3))
    grid = selectors.room_week(room, monday, can_see=see_all)
    rows = dict(grid.rows)
    thursday = 3
    # The grid runs from the opening to the closing, in half hours.
    assert [t.strftime("%H:%M") for t in rows][:2] == ["09:30", "10:00"]
    assert list(rows)[-1] == datetime.time(21, 30)
    assert not rows[datetime.time(9, 30)][thursday].closed
    assert not rows[datetime.time(21, 30)][thursday].closed
    assert all(rows[t][0].closed for t in rows)  # Monday: closed all day
    assert grid.days[0].closed and not grid.days[thursday].closed


def test_week_grid_runs_to_the_latest_closing_in_half_hours(section_a):
    """Open until 23:30 on Fridays: the grid shows 23:00–23:30, bookable and booked; it
    starts at the earliest opening of the week."""
    room = RoomFactory()
    OpeningHours.objects.create(
        room=room, weekday=3, opens=datetime.time(9, 30), closes=datetime.time(22)
    )
    OpeningHours.objects.create(
        room=room, weekday=4, opens=datetime.time(8), closes=datetime.time(23, 30)
    )
    friday = next_weekday(4)
    make_booking(room, section_a, *slot(friday, "21:30", "23:30"), purpose="Fin de soirée")
    grid = selectors.room_week(
        Room.objects.prefetch_related("opening_hours").get(pk=room.pk),
        slots.monday_of(friday),
        can_see=see_all,
    )
    rows = dict(grid.rows)
    times = [t.strftime("%H:%M") for t in rows]
    assert times[0] == "08:00" and times[-2:] == ["22:30", "23:00"]
    assert len(times) == 31  # 08:00 … 23:00, every half hour
    thursday, fri = 3, 4
    assert (
        rows[datetime.time(9)][thursday].closed and not rows[datetime.time(9, 30)][thursday].closed
    )
    assert rows[datetime.time(22)][thursday].closed
    last = rows[datetime.time(23)][fri]
    assert last.busy and not last.closed
    assert [i.label for i in rows[datetime.time(21, 30)][fri].starting] == ["Fin de soirée"]
    assert not rows[datetime.time(21)][fri].busy
