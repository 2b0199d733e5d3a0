import datetime
import io

import pytest
import time_machine

from fede.organization.models import Territory, Unit
from fede.organization.tests.factories import make_federation, make_officer, make_section
from fede.rooms import demo, slots
from fede.rooms.models import Booking, BookingSeries, Room, Venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def paris_demo(db):
    federation = make_federation(code="FED75")
    for number in (10, 11, 20):
        Territory.objects.create(
            kind=Territory.Kind.ARRONDISSEMENT,
            code=f"751{number:02d}",
            number=number,
            name=f"Paris {number}e",
        )
    sections = [
        make_section(federation, name="Paris 11 — Oberkampf", code="S75-11-1"),
        make_section(federation, name="Paris 20 — Belleville", code="S75-20-1", has_premises=False),
        make_section(federation, name="Cheminots", code="SE75-1"),
    ]
    make_officer(sections[1], mfa=False)
    return federation, sections


def test_demo_loads_the_espace_sections_and_rooms_across_paris_idempotently(paris_demo):
    """The federation's premises with 4 espace sections rooms, about 30 other rooms, a few
    weeks of bookings (some pending, one weekly series); a second run adds nothing."""
    demo.load(stdout=io.StringIO())
    counts = (Venue.objects.count(), Room.objects.count(), Booking.objects.count())
    assert Room.objects.filter(is_sections_space=True).count() == 4
    assert 28 <= Room.objects.count() <= 40
    assert Room.objects.filter(venue__arrondissement__number=11).exists()
    assert Booking.objects.filter(status="pending").exists()
    assert Booking.objects.filter(status="confirmed").count() > 50
    series = BookingSeries.objects.get()
    assert series.section.code == "S75-20-1" and series.bookings.count() >= 5
    demo.load(stdout=io.StringIO())
    assert (Venue.objects.count(), Room.objects.count(), Booking.objects.count()) == counts


def test_demo_bookings_never_overlap(paris_demo):
    demo.load(stdout=io.StringIO())
    for room in Room.objects.all():
        confirmed = list(room.bookings.filter(status="confirmed").order_by("start"))
        for previous, current in zip(confirmed, confirmed[1:], strict=False):
            assert previous.end <= current.start, (room, previous, current)


def test_demo_without_organisation_creates_rooms_only(db):
    out = io.StringIO()
    demo.load(stdout=out)
    assert Room.objects.exists() and not Booking.objects.exists()
    assert not Unit.objects.exists()


def test_demo_books_nothing_on_holidays_nor_christmas_and_new_years_eve(paris_demo):
    """Loaded on 10 December: five weeks ahead cover 24, 25, 31 December and 1 January."""
    paris = datetime.timezone(datetime.timedelta(hours=1))
    with time_machine.travel(datetime.datetime(2026, 12, 10, 9, tzinfo=paris), tick=False):
        demo.load(stdout=io.StringIO())
    days = {slots.local(start).date() for start in Booking.objects.values_list("start", flat=True)}
    assert days and not any(slots.is_festive(day) for day in days)
    assert datetime.date(2026, 12, 23) in days or datetime.date(2026, 12, 22) in days
