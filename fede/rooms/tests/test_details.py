"""Details users notice (issue 12, item 6): grids that run to the latest closing in half
hours, mails in text and HTML from one template, times written the French way."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from fede.core.testing import mail_parts as parts
from fede.rooms import services, slots
from fede.rooms.models import OpeningHours
from fede.rooms.tests.factories import RoomFactory, VenueFactory, make_booking, open_every_day, slot

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=1))
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)
THURSDAY = datetime.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def shown(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def book(room, section, user, start, end, **kwargs):
    return services.booking_create(
        room=room,
        section=section,
        start=start,
        end=end,
        actor=user,
        purpose=kwargs.pop("purpose", "Réunion de section"),
        expected_attendance=20,
        **kwargs,
    )


# --- Grids -------------------------------------------------------------------------------


def test_room_page_shows_the_last_half_hour_until_2330(
    client, officer_a, section_a, django_assert_max_num_queries
):
    room = open_every_day(
        RoomFactory(name="Salle Jaurès"), opens=datetime.time(9), closes=datetime.time(23, 30)
    )
    make_booking(room, section_a, *slot(THURSDAY, "22:00", "23:30"), purpose="Fin de soirée")
    client.force_login(officer_a)
    with django_assert_max_num_queries(8):
        response = client.get(
            reverse("rooms:room_detail", args=[room.pk]),
            {"semaine": slots.week_param(slots.monday_of(THURSDAY))},
        )
    html = response.content.decode()
    heads = re.findall(r'<th scope="row" class="rooms-hour">([^<]+)</th>', html)
    assert heads[0] == "09:00" and heads[1] == "09:30" and heads[-1] == "23:00"
    assert len(heads) == 29  # 09:00 … 23:00 every half hour
    assert "22:00–23:30" in html


def test_venue_day_runs_from_the_earliest_opening_to_the_latest_closing(
    client, officer_a, section_a, django_assert_max_num_queries
):
    venue = VenueFactory(name="Espace Jean-Jaurès")
    early = RoomFactory(venue=venue, name="Salle du matin")
    late = RoomFactory(venue=venue, name="Salle du soir")
    OpeningHours.objects.create(
        room=early, weekday=3, opens=datetime.time(7, 30), closes=datetime.time(12)
    )
    OpeningHours.objects.create(
        room=late, weekday=3, opens=datetime.time(14), closes=datetime.time(23, 30)
    )
    make_booking(late, section_a, *slot(THURSDAY, "22:30", "23:30"), purpose="Bureau tardif")
    for extra in range(4):
        RoomFactory(venue=venue, name=f"Salle {extra}")
    client.force_login(officer_a)
    with django_assert_max_num_queries(7):
        response = client.get(
            reverse("rooms:venue_day", args=[venue.pk]), {"jour": THURSDAY.isoformat()}
        )
    html = response.content.decode()
    heads = re.findall(r'<th scope="col">(\d\d:\d\d)</th>', html)
    assert heads[0] == "07:30" and heads[-1] == "23:00" and "12:30" in heads
    assert "22:30–23:30" in html


def test_grid_times_default_and_odd_hours():
    assert slots.grid_times([])[0] == datetime.time(8)
    assert slots.grid_times([])[-1] == datetime.time(22, 30)
    hours = [OpeningHours(weekday=0, opens=datetime.time(9, 45), closes=datetime.time(23, 59))]
    times = slots.grid_times(hours)
    assert times[0] == datetime.time(9, 30) and times[-1] == datetime.time(23, 30)
    assert slots.row_of(datetime.time(19, 15), times) == datetime.time(19)
    assert slots.row_of(datetime.time(6), times) == datetime.time(9, 30)


def test_opening_hours_refusal_writes_times_the_french_way(officer_a, section_a):
    room = RoomFactory(name="Salle Jaurès")
    OpeningHours.objects.create(
        room=room, weekday=3, opens=datetime.time(9, 30), closes=datetime.time(22)
    )
    errors = services.booking_rule_errors(
        room=room,
        section=section_a,
        start=slots.at(THURSDAY, datetime.time(21)),
        end=slots.at(THURSDAY, datetime.time(23)),
        expected_attendance=10,
    )
    assert "Le jeudi, la salle est ouverte de 09:30 à 22:00." in str(errors)


# --- Mails -------------------------------------------------------------------------------


def test_pending_request_mail_to_approvers_has_both_parts(
    room, section_a, officer_a, staff, django_capture_on_commit_callbacks
):
    room.requires_approval = True
    room.save()
    with django_capture_on_commit_callbacks(execute=True):
        book(room, section_a, officer_a, *slot(THURSDAY, "19:00", "21:00"))
    [message] = mail.outbox
    text, html = parts(message)
    facts = [
        "La section Paris 11 — Oberkampf demande la salle « Salle Jaurès »",
        "jeudi 3 décembre 2026, de 19:00 à 21:00",
        "Participants attendus : 20",
        "/salles/federation/",
    ]
    for fact in facts:
        assert fact in text and fact in shown(html), fact


def test_approval_mail_has_both_parts_with_the_same_facts(
    room, section_a, officer_a, staff, django_capture_on_commit_callbacks
):
    room.requires_approval = True
    room.save()
    booking = book(room, section_a, officer_a, *slot(THURSDAY, "19:00", "21:00"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_approve(actor=staff, booking=booking)
    [message] = mail.outbox
    assert message.subject == "Réservation confirmée : Salle Jaurès"
    text, html = parts(message)
    facts = [
        "la fédération a validé votre demande",
        "Salle Jaurès",
        room.venue.address,
        "jeudi 3 décembre 2026, de 19:00 à 21:00",
        "Paris 11 — Oberkampf",
        f"/salles/reservations/{booking.pk}/",
    ]
    for fact in facts:
        assert fact in text and fact in shown(html), fact
    assert html.lstrip().startswith("<!DOCTYPE html>")


def test_refusal_mail_gives_reason_and_free_rooms_in_both_parts(
    room, section_a, officer_a, staff, django_capture_on_commit_callbacks
):
    room.requires_approval = True
    room.save()
    free = open_every_day(RoomFactory(name="Salle <Louise-Michel>", capacity=30))
    booking = book(room, section_a, officer_a, *slot(THURSDAY, "19:00", "21:00"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_refuse(actor=staff, booking=booking, reason="Salle en travaux.")
    [message] = mail.outbox
    text, html = parts(message)
    for fact in (
        "Motif : Salle en travaux.",
        "Salle <Louise-Michel>",
        "30 pers.",
        free.get_absolute_url(),
    ):
        assert fact in text and fact in shown(html), fact
    assert "Salle &lt;Louise-Michel&gt;" in html


# --- Holidays ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, (3, 31)), (2025, (4, 20)), (2026, (4, 5)), (2027, (3, 28)), (2038, (4, 25))],
)
def test_easter_sunday(year, easter):
    assert slots.easter_sunday(year) == datetime.date(year, *easter)


def test_french_public_holidays_of_2026():
    holidays = slots.public_holidays(2026)
    assert [d.isoformat() for d in holidays] == [
        "2026-01-01",
        "2026-04-06",  # Easter Monday
        "2026-05-01",
        "2026-05-08",
        "2026-05-14",  # Ascension
        "2026-05-25",  # Whit Monday
        "2026-07-14",
        "2026-08-15",
        "2026-11-01",
        "2026-11-11",
        "2026-12-25",
    ]
    assert holidays[datetime.date(2026, 5, 25)] == "Lundi de Pentecôte"


def test_festive_days_are_holidays_and_the_eves():
    festive = [datetime.date(2026, 12, d) for d in (24, 25, 31)] + [datetime.date(2027, 1, 1)]
    assert all(slots.is_festive(d) for d in festive)
    ordinary = [datetime.date(2026, 12, 23), datetime.date(2026, 12, 26), datetime.date(2026, 4, 5)]
    assert not any(slots.is_festive(d) for d in ordinary)


def test_booking_form_lists_sections_in_natural_order_with_a_filter(federation, room):
    from fede.organization.models import Role
    from fede.organization.tests.factories import make_officer, make_section
    from fede.rooms.forms import BookingForm

    for name in ("Paris 10", "Paris 2", "Paris 1er"):
        make_section(federation, name=name)
    secretary = make_officer(federation, Role.FEDERAL_SECRETARY)
    html = str(BookingForm(user=secretary, room=room)["section"].as_field_group())
    assert 'data-filter-for="id_section"' in html
    names = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', html)
    assert names[0] == federation.name
    assert [n for n in names if n.startswith("Paris")] == ["Paris 1er", "Paris 2", "Paris 10"]
