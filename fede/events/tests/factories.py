"""Factories of events, built on the organisation's."""

import datetime

import factory
from django.utils import timezone
from django.utils.text import slugify

from fede.events.models import Event, EventSpeaker, Registration, Speaker


def in_days(days: float, hour: int = 19, minute: int = 0) -> datetime.datetime:
    """An aware datetime ``days`` from today at ``hour:minute`` (Paris time)."""
    day = timezone.localdate() + datetime.timedelta(days=int(days))
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Intervenante {n}")
    quality = Speaker.Quality.RESEARCHER
    affiliation = "Université imaginaire"
    bio = "Travaille sur l'histoire des quartiers populaires."


class EventFactory(factory.django.DjangoModelFactory):
    """An event; pass ``organiser`` (a Unit)."""

    class Meta:
        model = Event

    organiser = None
    kind = Event.Kind.SECTION_MEETING
    title = factory.Sequence(lambda n: f"Réunion numéro {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.title)[:80])
    description = "Ordre du jour : **la rentrée**."
    start = factory.LazyFunction(lambda: in_days(7))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=2))
    address = "12 rue de la République, 75011 Paris"
    visibility = Event.Visibility.MEMBERS
    status = Event.Status.PUBLISHED


class EventSpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventSpeaker

    event = None
    speaker = factory.SubFactory(SpeakerFactory)
    part = EventSpeaker.Part.SPEAKER
    order = factory.Sequence(lambda n: n)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = None
    member = None
    status = Registration.Status.CONFIRMED
