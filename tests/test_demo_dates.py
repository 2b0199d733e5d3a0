"""The demo of organisation, rooms and events loads the same way whatever the day: frozen on
dates across the year (new year, summer, Christmas, a leap day), it loads, is consistent,
and a second load creates nothing."""

import datetime
import io

import pytest
import time_machine
from django.utils import timezone

from fede.events import demo as events_demo
from fede.events.models import Event, Registration
from fede.organization import demo as organization_demo
from fede.rooms import demo as rooms_demo
from fede.rooms.models import Booking

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=1))


def _load():
    out = io.StringIO()
    organization_demo.load(stdout=out, size="small")
    rooms_demo.load(stdout=out)
    events_demo.load(stdout=out)


def _counts():
    return (Event.objects.count(), Registration.objects.count(), Booking.objects.count())


@pytest.mark.parametrize(
    "day",
    [
        datetime.datetime(2026, 1, 2, 9, 0, tzinfo=PARIS),
        datetime.datetime(2026, 7, 14, 18, 30, tzinfo=PARIS),
        datetime.datetime(2026, 12, 24, 22, 0, tzinfo=PARIS),
        datetime.datetime(2028, 2, 29, 12, 0, tzinfo=PARIS),
    ],
    ids=lambda d: d.date().isoformat(),
)
def test_the_demo_loads_the_same_shape_on_any_day(day):
    with time_machine.travel(day, tick=False):
        _load()
        first = _counts()
        assert all(first), first
        today = timezone.localdate()
        starts = list(Event.objects.values_list("start", flat=True))
        # Past and coming events around the day it is loaded, none absurdly far.
        assert any(s.date() < today for s in starts) and any(s.date() > today for s in starts)
        assert all(abs((s.date() - today).days) < 400 for s in starts)
        confirmed = list(
            Booking.objects.filter(status=Booking.Status.CONFIRMED).values_list(
                "room_id", "start", "end"
            )
        )
        by_room: dict = {}
        for room, start, end in confirmed:
            by_room.setdefault(room, []).append((start, end))
        for spans in by_room.values():
            spans.sort()
            for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
                assert e1 <= s2
        _load()
        assert _counts() == first
