"""The per-process caches of the directory and the grids (``fede.rooms.cache``): kept per
scope, never shown to another scope, emptied on save; the HTML written in Python is that
of the templates, escaped."""

import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from fede.rooms import selectors, slots
from fede.rooms.models import Booking, reach_key
from fede.rooms.rendering import _url_parts, grid_booking_html, venue_week_rows
from fede.rooms.tests.factories import (
    EquipmentFactory,
    RoomFactory,
    VenueFactory,
    make_booking,
    next_weekday,
    open_every_day,
    slot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def paris_room(federation):
    return open_every_day(
        RoomFactory(
            venue=VenueFactory(owner=federation, name="Bourse de Paris"), name="Salle Paris"
        )
    )


@pytest.fixture
def lyon_room(lyon):
    return open_every_day(
        RoomFactory(venue=VenueFactory(owner=lyon, name="Bourse de Lyon"), name="Salle Lyon")
    )


def _directory(client, user, **query):
    client.force_login(user)
    return client.get(reverse("rooms:directory"), query).content.decode()


def test_one_scope_never_sees_the_rooms_kept_for_another(
    client, officer_a, lyon_secretary, paris_room, lyon_room
):
    assert reach_key(officer_a, "rooms.view") != reach_key(lyon_secretary, "rooms.view")
    free = {"date": next_weekday(3).isoformat(), "debut": "19:00", "fin": "21:00"}
    for query in ({}, free):
        # Each asks twice: the second answer comes from the cache filled by the first.
        for _ in range(2):
            paris = _directory(client, officer_a, **query)
            lyon = _directory(client, lyon_secretary, **query)
            assert "Salle Paris" in paris and "Salle Lyon" not in paris
            assert "Salle Lyon" in lyon and "Salle Paris" not in lyon


def test_a_saved_room_shows_at_once(client, officer_a, paris_room):
    assert "Salle Paris" in _directory(client, officer_a)
    paris_room.name = "Salle Louise-Michel"
    paris_room.save()
    paris_room.equipment.add(EquipmentFactory(name="Vidéoprojecteur"))
    html = _directory(client, officer_a)
    assert "Salle Louise-Michel" in html and "Vidéoprojecteur" in html
    paris_room.is_active = False
    paris_room.save()
    assert "Salle Louise-Michel" not in _directory(client, officer_a)


def test_a_new_booking_is_seen_at_once_on_a_kept_slot(client, officer_a, section_a, paris_room):
    day = next_weekday(3)
    query = {"date": day.isoformat(), "debut": "19:00", "fin": "21:00"}
    assert "Salle Paris" in _directory(client, officer_a, **query)
    make_booking(paris_room, section_a, *slot(day, "18:00", "20:00"))
    assert "Salle Paris" not in _directory(client, officer_a, **query)


def test_a_room_page_shows_its_new_hours_and_equipment_at_once(client, officer_a, paris_room):
    client.force_login(officer_a)
    url = reverse("rooms:room_detail", args=[paris_room.pk])
    monday_hours = re.compile(r"Lundi \d\d:\d\d–")
    html = client.get(url).content.decode()
    assert "Wifi" not in html and monday_hours.search(html)
    paris_room.equipment.add(EquipmentFactory(name="Wifi"))
    paris_room.opening_hours.filter(weekday=0).delete()
    html = client.get(url).content.decode()
    assert "Wifi" in html and not monday_hours.search(html)


def _items(section_a, section_b, room):
    day = next_weekday(2)
    mine = make_booking(room, section_a, *slot(day, "09:00", "10:00"), purpose="<script>x</script>")
    theirs = make_booking(room, section_b, *slot(day, "11:00", "12:00"), status="pending")
    booking_ids = [mine.pk, theirs.pk]
    bookings = Booking.objects.filter(pk__in=booking_ids).select_related("section")
    return [
        selectors.GridBooking(booking=b, visible=b.section_id == section_a.pk)
        for b in bookings.order_by("start")
    ]


def test_grid_bookings_written_in_python_are_those_of_the_template_escaped(
    section_a, section_b, room
):
    section_b.name = "Section <b>&</b>"
    section_b.save()
    url = _url_parts("rooms:booking_detail")
    items = _items(section_a, section_b, room)
    for item in items:
        assert grid_booking_html(item, url) == render_to_string(
            "rooms/includes/grid_booking.html", {"item": item}
        )
    html = "".join(grid_booking_html(item, url) for item in items)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Section &lt;b&gt;&amp;&lt;/b&gt;" in html


def test_venue_week_rows_escape_names(client, officer_a, section_a):
    venue = VenueFactory(name="Lieu")
    room = RoomFactory(venue=venue, name="<script>alert(1)</script>", capacity=1200)
    monday = slots.monday_of(next_weekday(2))
    _days, rows = selectors.venue_week(venue, monday, can_see=lambda unit: True)
    html = "".join(venue_week_rows(rows))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'href="{reverse("rooms:room_detail", args=[room.pk])}"' in html
    client.force_login(officer_a)
    page = client.get(reverse("rooms:venue_detail", args=[venue.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert re.search(r"1\s?200 pers\.", page.replace("\xa0", " ").replace("\u202f", " "))


def test_the_room_page_agenda_lists_each_day(client, officer_a, section_a, room):
    day = next_weekday(2)
    make_booking(room, section_a, *slot(day, "19:00", "21:00"), purpose="Réunion <i>")
    client.force_login(officer_a)
    html = client.get(
        reverse("rooms:room_detail", args=[room.pk]),
        {"semaine": slots.week_param(slots.monday_of(day))},
    ).content.decode()
    assert html.count("Aucune réservation") == 6
    assert "Réunion &lt;i&gt;" in html and "Réunion <i>" not in html
    assert html.count("19:00–21:00") == 2  # grid + small-screen list


def test_the_filter_form_kept_per_query_shows_its_errors(client, officer_a):
    day = next_weekday(3).isoformat()
    for _ in range(2):
        html = _directory(client, officer_a, date=day, debut="21:00", fin="19:00")
        assert "L&#x27;heure de fin doit être après l&#x27;heure de début." in html
        assert f'value="{day}"' in html
    html = _directory(client, officer_a, date=day, debut="19:00", fin="21:00")
    assert "L&#x27;heure de fin" not in html


def test_directory_options_follow_a_new_equipment(client, officer_a):
    assert "Cuisine équipée" not in _directory(client, officer_a)
    EquipmentFactory(name="Cuisine équipée")
    assert "Cuisine équipée" in _directory(client, officer_a)


def test_week_grids_read_only_what_they_show(section_a, room):
    day = next_weekday(2)
    make_booking(room, section_a, *slot(day, "19:00", "21:00"))
    (booking,) = selectors._week_bookings(
        selectors.Q(room=room), slots.monday_of(day) + datetime.timedelta(days=0)
    )
    assert booking.section.name == section_a.name
    assert booking.get_deferred_fields() >= {"notes", "expected_attendance"}
