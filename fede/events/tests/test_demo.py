"""The demo of events loads on top of the organisation's, and twice changes nothing."""

import datetime
import io

import pytest
import time_machine
from django.utils import timezone

from fede.events import demo
from fede.events.models import Event, EventSpeaker, Registration, Speaker
from fede.organization.models import Role
from fede.organization.tests.factories import (
    MemberFactory,
    make_federation,
    make_officer,
    make_section,
)
from fede.rooms.selectors import is_festive

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent():
    federation = make_federation(code="FED75")
    sections = [make_section(federation, name=f"Paris {n}") for n in range(1, 4)]
    for section in sections:
        for _ in range(20):
            MemberFactory(section=section)
        make_officer(section, Role.SECTION_SECRETARY)
    out = io.StringIO()
    demo.load(stdout=out)
    counts = (
        Event.objects.count(),
        Registration.objects.count(),
        Speaker.objects.count(),
        EventSpeaker.objects.count(),
    )
    assert Event.objects.filter(kind=Event.Kind.CONFERENCE).count() >= 8
    assert Event.objects.filter(kind=Event.Kind.TRAINING).count() == 4
    for section in sections:
        assert Event.objects.filter(organiser=section, kind=Event.Kind.SECTION_MEETING).count() == 2
    assert Registration.objects.filter(status=Registration.Status.WAITING).exists()
    assert Registration.objects.filter(attended=True).exists()
    assert Event.objects.filter(status=Event.Status.CANCELLED).exists()
    demo.load(stdout=out)
    assert counts == (
        Event.objects.count(),
        Registration.objects.count(),
        Speaker.objects.count(),
        EventSpeaker.objects.count(),
    )
    # Never more confirmed than seats.
    for event in Event.objects.exclude(capacity=None):
        assert event.registrations.filter(status="confirmed").count() <= event.capacity


def test_demo_without_federation_does_nothing():
    out = io.StringIO()
    assert demo.load(stdout=out) == []
    assert not Event.objects.exists()


PARIS = datetime.timezone(datetime.timedelta(hours=1))


@pytest.mark.parametrize(
    "day",
    [
        datetime.datetime(2026, 12, 10, 9, 0, tzinfo=PARIS),  # coming meetings near Christmas
        datetime.datetime(2027, 1, 20, 18, 0, tzinfo=PARIS),  # past meetings near Christmas
        datetime.datetime(2026, 4, 28, 12, 0, tzinfo=PARIS),  # 1 and 8 May, Ascension
        datetime.datetime(2027, 3, 24, 12, 0, tzinfo=PARIS),  # Easter Monday 2027
    ],
    ids=lambda d: d.date().isoformat(),
)
def test_demo_is_believable_on_any_day(day):
    """No section meeting on a holiday, on 24, 25 or 31 December or on a weekend; varied
    titles; events in every state: draft, published, cancelled with a message, past with
    attendance."""
    federation = make_federation(code="FED75")
    sections = [make_section(federation, name=f"Paris {n}") for n in range(1, 15)]
    for section in sections:
        for _ in range(6):
            MemberFactory(section=section)
    with time_machine.travel(day, tick=False):
        demo.load(stdout=io.StringIO())
        today = timezone.localdate()
    meetings = Event.objects.filter(kind=Event.Kind.SECTION_MEETING)
    assert meetings.count() == 2 * len(sections)
    for start in meetings.values_list("start", flat=True):
        local = timezone.localtime(start).date()
        assert not is_festive(local), local
        assert local.weekday() < 5, local
        assert (local.month, local.day) not in {(12, 24), (12, 25), (12, 31)}
    for start in Event.objects.values_list("start", flat=True):
        assert not is_festive(timezone.localtime(start).date())
    titles = set(meetings.values_list("title", flat=True))
    assert len(titles) >= 10
    statuses = set(Event.objects.values_list("status", flat=True))
    assert statuses == {Event.Status.DRAFT, Event.Status.PUBLISHED, Event.Status.CANCELLED}
    cancelled = Event.objects.filter(status=Event.Status.CANCELLED)
    assert all(e.cancellation_reason for e in cancelled)
    assert cancelled.filter(kind=Event.Kind.SECTION_MEETING, registrations__isnull=False).exists()
    past = Event.objects.filter(end__lt=day, status=Event.Status.PUBLISHED)
    assert past.filter(registrations__attended=True).exists()
    assert Event.objects.filter(start__gt=day, status=Event.Status.PUBLISHED).exists()
    assert Event.objects.filter(start__gt=day, status=Event.Status.DRAFT).exists()
    # Past events stay past and coming ones coming, whatever the holidays moved.
    assert all(
        (timezone.localtime(e.start).date() < today) == (e.start < day) for e in Event.objects.all()
    )
