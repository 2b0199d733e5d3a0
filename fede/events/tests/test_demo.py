"""The demo of events loads on top of the organisation's, and twice changes nothing."""

import io

import pytest

from fede.events import demo
from fede.events.models import Event, EventSpeaker, Registration, Speaker
from fede.organization.models import Role
from fede.organization.tests.factories import (
    MemberFactory,
    make_federation,
    make_officer,
    make_section,
)

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
