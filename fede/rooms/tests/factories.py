"""Factories of the rooms app (organisation factories come from organization.tests)."""

import datetime

import factory

from fede.organization.models import Territory
from fede.rooms import slots
from fede.rooms.models import Booking, Equipment, OpeningHours, Room, Venue


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"equip-{n}")
    name = factory.Sequence(lambda n: f"Équipement {n}")


class ArrondissementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ("kind", "code")

    kind = Territory.Kind.ARRONDISSEMENT
    number = 11
    code = factory.LazyAttribute(lambda o: f"751{o.number:02d}")
    name = factory.LazyAttribute(lambda o: f"Paris {o.number}e")


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Maison des associations {n}")
    kind = Venue.Kind.ASSOCIATION
    address = factory.Sequence(lambda n: f"{n} rue de la République")
    postal_code = "75011"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room
        skip_postgeneration_save = True

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Salle {n}")
    capacity = 40
    step_free = True
    max_duration_minutes = 300
    booking_window_days = 60


def open_every_day(room: Room, opens=datetime.time(8), closes=datetime.time(23)) -> Room:
    OpeningHours.objects.bulk_create(
        OpeningHours(room=room, weekday=d, opens=opens, closes=closes) for d in range(7)
    )
    return room


def next_weekday(weekday: int, *, weeks_ahead: int = 1) -> datetime.date:
    """A date on ``weekday`` (0 = Monday) at least a few days in the future."""
    day = slots.today() + datetime.timedelta(days=3)
    while day.weekday() != weekday:
        day += datetime.timedelta(days=1)
    return day + datetime.timedelta(weeks=weeks_ahead - 1)


def slot(day: datetime.date, start: str, end: str):
    return (
        slots.at(day, datetime.time.fromisoformat(start)),
        slots.at(day, datetime.time.fromisoformat(end)),
    )


def make_booking(room, section, start, end, *, status=Booking.Status.CONFIRMED, **fields):
    """A booking row written directly (tests of reads; writes go through services)."""
    fields.setdefault("purpose", "Réunion de section")
    fields.setdefault("expected_attendance", 20)
    return Booking.objects.create(
        room=room, section=section, start=start, end=end, status=status, **fields
    )
