import datetime
import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from PIL import Image

from fede.organization.models import Role
from fede.organization.tests.factories import (
    UserFactory,
    make_member_user,
    make_officer,
    make_section,
)
from fede.rooms import slots
from fede.rooms.models import Booking, Room, RoomPhoto, Venue
from fede.rooms.tests.factories import (
    ArrondissementFactory,
    EquipmentFactory,
    RoomFactory,
    VenueFactory,
    make_booking,
    next_weekday,
    open_every_day,
    slot,
)

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def _without_csrf(response) -> str:
    """A page's HTML without its CSRF tokens (masked anew on every response)."""
    html = response.content.decode()
    html = re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


# --- Who sees the directory ------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client, room):
    for url in (reverse("rooms:directory"), reverse("rooms:room_detail", args=[room.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_member_sees_the_directory_but_cannot_book(client, section_a, room):
    member = make_member_user(section_a)
    response = login(client, member).get(reverse("rooms:directory"))
    assert response.status_code == 200
    assert "Salle Jaurès" in response.content.decode()
    assert "Réserver" not in response.content.decode()
    assert client.get(reverse("rooms:room_detail", args=[room.pk])).status_code == 200
    assert client.get(reverse("rooms:booking_create", args=[room.pk])).status_code == 403


def test_login_without_member_record_is_refused(client, room):
    response = login(client, UserFactory()).get(reverse("rooms:directory"))
    assert response.status_code == 403


def test_directory_filters_and_offers_to_book_the_slot(client, section_a, officer_a):
    """An officer looking for 30 people, step-free, Thursday 19:00–21:00 sees only the free
    rooms that fit, each with a link that pre-fills the booking form."""
    eleventh = ArrondissementFactory(number=11)
    day = next_weekday(3)
    fits = RoomFactory(
        name="Salle Louise-Michel",
        capacity=40,
        step_free=True,
        venue=VenueFactory(arrondissement=eleventh),
    )
    taken = RoomFactory(
        name="Salle Prise", capacity=40, step_free=True, venue=VenueFactory(arrondissement=eleventh)
    )
    make_booking(taken, section_a, *slot(day, "18:00", "20:00"))
    RoomFactory(
        name="Salle Étage",
        capacity=40,
        step_free=False,
        venue=VenueFactory(arrondissement=eleventh),
    )
    RoomFactory(
        name="Petite Salle",
        capacity=12,
        step_free=True,
        venue=VenueFactory(arrondissement=eleventh),
    )
    response = login(client, officer_a).get(
        reverse("rooms:directory"),
        {
            "capacite": 30,
            "plain_pied": "on",
            "date": day.isoformat(),
            "debut": "19:00",
            "fin": "21:00",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "1 salle" in html and "Salle Louise-Michel" in html
    for other in ("Salle Prise", "Salle Étage", "Petite Salle"):
        assert other not in html
    booking_url = reverse("rooms:booking_create", args=[fits.pk])
    assert (
        f"{booking_url}?date={day.isoformat()}&amp;debut=19:00&amp;fin=21:00&amp;participants=30"
        in html
    )


def test_directory_htmx_returns_the_results_only(client, officer_a, room):
    response = login(client, officer_a).get(reverse("rooms:directory"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="directory"')
    assert '<section id="results"' in html
    assert "<h1" not in html


def test_directory_bad_slot_shows_french_errors(client, officer_a, room):
    response = login(client, officer_a).get(
        reverse("rooms:directory"),
        {"date": next_weekday(3).isoformat(), "debut": "21:00", "fin": "19:00"},
    )
    assert "L&#x27;heure de fin doit être après l&#x27;heure de début." in response.content.decode()


def test_directory_query_count_is_pinned(client, officer_a, section_a, django_assert_num_queries):
    projector = EquipmentFactory(code="projecteur")
    day = next_weekday(3)
    for i in range(25):
        r = RoomFactory(venue=VenueFactory(arrondissement=ArrondissementFactory(number=i % 20 + 1)))
        r.equipment.set([projector])
        make_booking(r, section_a, *slot(day, "10:00", "11:00"))
    login(client, officer_a)
    query = {"equipement": projector.pk, "date": day.isoformat(), "debut": "19:00", "fin": "21:00"}
    # Session, user, member; the filters' options, the chosen equipment, the rooms open
    # then, the busy rooms, the page's rooms and their equipment.
    with django_assert_num_queries(10):
        response = client.get(reverse("rooms:directory"), query)
    assert response.status_code == 200
    assert response.content.decode().count('class="card h-100"') == 20  # first page
    # Within a minute: the options, the rooms open then and the cards are kept; the
    # chosen equipment and the busy rooms are read again.
    with django_assert_num_queries(5):
        again = client.get(reverse("rooms:directory"), query)
    assert _without_csrf(again) == _without_csrf(response)


# --- Grids ---------------------------------------------------------------------------------------


def test_week_grid_query_count_is_pinned_and_private_details_hidden(
    client, section_a, section_b, officer_a, room, django_assert_num_queries
):
    """A busy week (5 bookings a day) costs the same queries; section B's purposes never
    reach section A's officer, who sees "Réservé — <section>"."""
    monday = slots.monday_of(next_weekday(0, weeks_ahead=2))
    for i in range(7):
        day = monday + datetime.timedelta(days=i)
        for h in (9, 11, 14, 17, 20):
            section = section_a if h % 2 else section_b
            make_booking(
                room,
                section,
                *slot(day, f"{h:02d}:00", f"{h + 1:02d}:30"),
                purpose=f"Objet {section.pk}-{h}",
            )
    login(client, officer_a)
    url = reverse("rooms:room_detail", args=[room.pk])
    # Session, user, member, the room; its equipment, hours and photos; the bookings.
    with django_assert_num_queries(8):
        response = client.get(url, {"semaine": slots.week_param(monday)})
    # Within a minute the room's equipment, hours and photos are kept.
    with django_assert_num_queries(5):
        again = client.get(url, {"semaine": slots.week_param(monday)})
    assert _without_csrf(again) == _without_csrf(response)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Objet {section_a.pk}-9" in html
    assert f"Objet {section_b.pk}-14" not in html
    assert f"Réservé — {section_b.name}" in html


def test_week_grid_cells_written_in_python(client, section_a, section_b, officer_a, room):
    """The grid rows (rendering.week_rows): busy and pending cells, the own section's
    booking linked with its purpose, another's shown as "Réservé", the pending badge."""
    monday = slots.monday_of(next_weekday(0, weeks_ahead=2))
    mine = make_booking(room, section_a, *slot(monday, "10:00", "11:00"), purpose="Bureau <A>")
    make_booking(
        room,
        section_b,
        *slot(monday, "14:00", "15:00"),
        status=Booking.Status.PENDING,
        purpose="Secret",
    )
    login(client, officer_a)
    url = reverse("rooms:room_detail", args=[room.pk])
    html = client.get(url, {"semaine": slots.week_param(monday)}).content.decode()
    booking_url = reverse("rooms:booking_detail", args=[mine.pk])
    assert f'<a href="{booking_url}">{section_a.name} : Bureau &lt;A&gt;</a>' in html
    assert '<td class="rooms-busy">' in html
    assert '<td class="rooms-pending">' in html
    assert '<div class="rooms-booking rooms-booking-pending">' in html
    assert '<span class="badge text-bg-warning">en attente</span>' in html
    assert f"Réservé — {section_b.name}" in html
    assert "Secret" not in html


def test_week_grid_navigation_with_htmx_and_real_links(client, officer_a, room):
    login(client, officer_a)
    url = reverse("rooms:room_detail", args=[room.pk])
    response = client.get(url, {"semaine": "2026-W13"})
    html = response.content.decode()
    assert f'href="{url}?semaine=2026-W14"' in html and f'hx-get="{url}?semaine=2026-W14"' in html
    assert f'href="{url}?semaine=2026-W12"' in html
    assert "Du lundi 23 mars au dimanche 29 mars 2026" in html
    partial = client.get(url, {"semaine": "2026-W14"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="grid"')
    assert "Du lundi 30 mars au dimanche 5 avril 2026" in partial


@pytest.mark.parametrize(
    ("monday", "week"),
    [(datetime.date(2027, 3, 22), "2027-W12"), (datetime.date(2027, 10, 25), "2027-W43")],
)
def test_week_grid_of_dst_weeks_shows_19h(client, officer_a, section_a, room, monday, week):
    """The pages of the weeks of the last Sunday of March and of October show 19:00–21:00
    every day, never shifted by the change of time."""
    for i in range(7):
        make_booking(room, section_a, *slot(monday + datetime.timedelta(days=i), "19:00", "21:00"))
    html = (
        login(client, officer_a)
        .get(reverse("rooms:room_detail", args=[room.pk]), {"semaine": week})
        .content.decode()
    )
    assert html.count("19:00–21:00") == 14  # grid + small-screen list
    assert "18:00–20:00" not in html and "20:00–22:00" not in html


def test_venue_week_and_day_views(
    client, officer_a, section_a, django_assert_max_num_queries, django_assert_num_queries
):
    venue = VenueFactory(name="Espace Jean-Jaurès")
    rooms = [RoomFactory(venue=venue) for _ in range(6)]
    day = next_weekday(2)
    for r in rooms:
        make_booking(r, section_a, *slot(day, "18:00", "20:00"), purpose="Réunion visible")
    login(client, officer_a)
    # Session, user, member, the venue; its rooms and their hours; the bookings.
    with django_assert_num_queries(7):
        response = client.get(
            reverse("rooms:venue_detail", args=[venue.pk]), {"jour": day.isoformat()}
        )
    assert response.content.decode().count("18:00–20:00") == 6
    # Within a minute the rooms and their hours are kept.
    with django_assert_num_queries(5):
        response = client.get(
            reverse("rooms:venue_detail", args=[venue.pk]), {"jour": day.isoformat()}
        )
    assert response.content.decode().count("18:00–20:00") == 6
    with django_assert_max_num_queries(7):
        response = client.get(
            reverse("rooms:venue_day", args=[venue.pk]), {"jour": day.isoformat()}
        )
    html = response.content.decode()
    assert html.count("18:00–20:00") == 6
    assert slots.format_day(day).capitalize() in html


# --- Booking -------------------------------------------------------------------------------------


def test_officer_books_through_the_form(client, officer_a, section_a, room):
    day = next_weekday(3)
    login(client, officer_a)
    url = reverse("rooms:booking_create", args=[room.pk])
    form = client.get(
        url, {"date": day.isoformat(), "debut": "19:00", "fin": "21:00", "participants": 30}
    )
    assert f'value="{day.isoformat()}"' in form.content.decode()
    response = client.post(
        url,
        {
            "section": section_a.pk,
            "date": day.isoformat(),
            "debut": "19:00",
            "fin": "21:00",
            "purpose": "Réunion publique logement",
            "expected_attendance": 30,
        },
    )
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == booking.get_absolute_url()
    assert booking.status == "confirmed" and booking.section == section_a
    assert slots.local(booking.start).strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} 19:00"
    page = client.get(response["Location"]).content.decode()
    assert "La salle est réservée pour vous." in page and "Réunion publique logement" in page


def test_booking_form_shows_capacity_error_next_to_the_field(client, officer_a, section_a, room):
    response = login(client, officer_a).post(
        reverse("rooms:booking_create", args=[room.pk]),
        {
            "section": section_a.pk,
            "date": next_weekday(3).isoformat(),
            "debut": "19:00",
            "fin": "21:00",
            "purpose": "AG",
            "expected_attendance": 90,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "accueille au plus 40 personnes : vous en attendez 90" in html
    assert 'class="form-control is-invalid"' in html
    assert not Booking.objects.exists()


def test_booking_form_refuses_a_taken_slot(client, officer_a, section_a, section_b, room):
    day = next_weekday(3)
    make_booking(room, section_b, *slot(day, "18:00", "20:00"))
    response = login(client, officer_a).post(
        reverse("rooms:booking_create", args=[room.pk]),
        {
            "section": section_a.pk,
            "date": day.isoformat(),
            "debut": "19:00",
            "fin": "21:00",
            "purpose": "AG",
            "expected_attendance": 10,
        },
    )
    assert "Ce créneau est déjà réservé" in response.content.decode()
    assert Booking.objects.count() == 1


def test_officer_cannot_book_for_another_section_by_tampering(client, officer_a, section_b, room):
    response = login(client, officer_a).post(
        reverse("rooms:booking_create", args=[room.pk]),
        {
            "section": section_b.pk,
            "date": next_weekday(3).isoformat(),
            "debut": "19:00",
            "fin": "21:00",
            "purpose": "AG",
            "expected_attendance": 10,
        },
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Booking.objects.exists()


def test_recurring_booking_preview_then_confirm(client, officer_a, section_a, section_b, room):
    """The preview lists each date and flags the taken one; the officer unticks one more;
    only the ticked dates are booked."""
    first = next_weekday(1)
    taken = first + datetime.timedelta(weeks=1)
    make_booking(room, section_b, *slot(taken, "19:30", "20:30"))
    data = {
        "section": section_a.pk,
        "date": first.isoformat(),
        "debut": "19:00",
        "fin": "21:00",
        "purpose": "Permanence",
        "expected_attendance": 12,
        "repeat": "weekly",
        "until": (first + datetime.timedelta(weeks=3)).isoformat(),
    }
    login(client, officer_a)
    url = reverse("rooms:booking_create", args=[room.pk])
    preview = client.post(url, data)
    html = preview.content.decode()
    assert preview.status_code == 200 and not Booking.objects.filter(section=section_a).exists()
    assert html.count('name="occurrences"') == 4
    assert f"Déjà réservé de 19:30 à 20:30 ({section_b.name})" in html
    assert "3 dates peuvent être réservées" in html
    keep = [first, first + datetime.timedelta(weeks=3)]
    response = client.post(
        url, {**data, "confirm": "1", "occurrences": [d.isoformat() for d in keep]}
    )
    assert response.status_code == 302
    booked = sorted(slots.local(b.start).date() for b in Booking.objects.filter(section=section_a))
    assert booked == keep
    assert Booking.objects.filter(section=section_a).values("series").distinct().count() == 1


# --- Another section's booking: 404 ------------------------------------------------------------------


def test_officer_of_section_a_gets_404_on_section_b_booking(
    client, officer_a, officer_b, section_b, room
):
    """Detail, edit and cancel of another section's booking answer 404, and nothing changes."""
    booking = make_booking(
        room, section_b, *slot(next_weekday(3), "19:00", "21:00"), purpose="Confidentiel B"
    )
    login(client, officer_a)
    assert client.get(reverse("rooms:booking_detail", args=[booking.pk])).status_code == 404
    assert client.get(reverse("rooms:booking_edit", args=[booking.pk])).status_code == 404
    assert (
        client.post(
            reverse("rooms:booking_edit", args=[booking.pk]),
            {"purpose": "x", "expected_attendance": 1},
        ).status_code
        == 404
    )
    assert client.post(reverse("rooms:booking_cancel", args=[booking.pk])).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.purpose == "Confidentiel B"
    # Section B's own officer sees and cancels it.
    login(client, officer_b)
    assert (
        "Confidentiel B"
        in client.get(reverse("rooms:booking_detail", args=[booking.pk])).content.decode()
    )
    client.post(reverse("rooms:booking_cancel", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_series_cancel_out_of_scope_is_404(client, officer_a, officer_b, section_b, room):
    from fede.rooms import services

    first = next_weekday(2)
    result = services.booking_series_create(
        room=room,
        section=section_b,
        first=first,
        start_time=datetime.time(18),
        end_time=datetime.time(19),
        frequency="weekly",
        until=first + datetime.timedelta(weeks=2),
        purpose="B",
        expected_attendance=5,
        actor=officer_b,
    )
    assert (
        login(client, officer_a)
        .post(reverse("rooms:series_cancel", args=[result.series.pk]))
        .status_code
        == 404
    )
    login(client, officer_b).post(reverse("rooms:series_cancel", args=[result.series.pk]))
    assert not Booking.objects.filter(series=result.series, status="confirmed").exists()


def test_edit_own_booking(client, officer_a, section_a, room):
    booking = make_booking(room, section_a, *slot(next_weekday(3), "19:00", "21:00"))
    response = login(client, officer_a).post(
        reverse("rooms:booking_edit", args=[booking.pk]),
        {
            "purpose": "Assemblée générale",
            "expected_attendance": 35,
            "notes": "Clés chez la gardienne",
        },
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.purpose == "Assemblée générale" and booking.notes == "Clés chez la gardienne"


def test_my_bookings_lists_only_my_sections_with_pinned_queries(
    client, officer_a, section_a, section_b, room, django_assert_max_num_queries
):
    for i in range(30):
        day = next_weekday(i % 7) + datetime.timedelta(weeks=i // 7)
        make_booking(
            room, section_a if i % 2 else section_b, *slot(day, "08:00", "09:00"), purpose=f"P{i}"
        )
    login(client, officer_a)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("rooms:my_bookings"))
    html = response.content.decode()
    assert "P1<" in html or "P1 " in html
    assert "P2<" not in html and section_b.name not in html


# --- Federation ---------------------------------------------------------------------------------------


def test_federation_view_is_for_approvers(client, officer_a, staff):
    assert login(client, officer_a).get(reverse("rooms:federation")).status_code == 403
    assert login(client, staff).get(reverse("rooms:federation")).status_code == 200


def test_approve_and_refuse_from_the_federation_view(
    client,
    staff,
    officer_a,
    section_a,
    room,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    room.requires_approval = True
    room.save()
    day = next_weekday(3)
    pending = [
        make_booking(
            room,
            section_a,
            *slot(day + datetime.timedelta(days=i), "19:00", "21:00"),
            status="pending",
            requested_by=officer_a,
        )
        for i in range(12)
    ]
    login(client, staff)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("rooms:federation"))
    assert "12 demandes à valider" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rooms:booking_approve", args=[pending[0].pk]))
        client.post(
            reverse("rooms:booking_refuse", args=[pending[1].pk]),
            {"reason": "Fermeture exceptionnelle"},
        )
    statuses = dict(
        Booking.objects.filter(pk__in=[pending[0].pk, pending[1].pk]).values_list("pk", "status")
    )
    assert statuses == {pending[0].pk: "confirmed", pending[1].pk: "refused"}
    assert [m.subject for m in mail.outbox] == [
        "Réservation confirmée : Salle Jaurès",
        "Réservation refusée : Salle Jaurès",
    ]


def test_section_officer_cannot_approve(client, officer_a, section_a, room):
    booking = make_booking(
        room, section_a, *slot(next_weekday(3), "19:00", "21:00"), status="pending"
    )
    assert (
        login(client, officer_a)
        .post(reverse("rooms:booking_approve", args=[booking.pk]))
        .status_code
        == 403
    )
    booking.refresh_from_db()
    assert booking.status == "pending"


def test_staff_creates_a_room_with_opening_hours(client, staff, officer_a):
    venue = VenueFactory()
    data = {
        "venue": venue.pk,
        "name": "Salle Rosa-Parks",
        "capacity": 25,
        "step_free": "on",
        "booking_policy": "all",
        "max_duration_minutes": 240,
        "booking_window_days": 60,
        "is_active": "on",
        "opens_3": "09:00",
        "closes_3": "22:00",
    }
    assert login(client, officer_a).post(reverse("rooms:room_create"), data).status_code == 403
    response = login(client, staff).post(reverse("rooms:room_create"), data)
    room = Room.objects.get(name="Salle Rosa-Parks")
    assert response.status_code == 302
    assert [(o.weekday, o.opens, o.closes) for o in room.opening_hours.all()] == [
        (3, datetime.time(9), datetime.time(22))
    ]
    bad = client.post(
        reverse("rooms:room_create"), {**data, "name": "X", "opens_1": "20:00", "closes_1": "18:00"}
    )
    assert "La fermeture doit être après l&#x27;ouverture." in bad.content.decode()


def test_staff_creates_a_venue(client, staff, federation):
    response = login(client, staff).post(
        reverse("rooms:venue_create"),
        {
            "owner": federation.pk,
            "name": "Bourse du travail",
            "kind": "union",
            "address": "3 rue du Château-d'Eau",
            "city": "Paris",
            "is_active": "on",
        },
    )
    assert response.status_code == 302 and Venue.objects.filter(name="Bourse du travail").exists()


def _png() -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "salle.png"
    return buffer


def test_photo_upload_is_checked_and_served_to_members_only(client, staff, section_a, room):
    login(client, staff)
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "photo.png"
    response = client.post(
        reverse("rooms:room_photos", args=[room.pk]), {"image": fake, "caption": "x"}
    )
    assert "Ce type de fichier n&#x27;est pas accepté" in response.content.decode()
    client.post(
        reverse("rooms:room_photos", args=[room.pk]),
        {"image": _png(), "caption": "La salle vue de l'entrée"},
    )
    photo = RoomPhoto.objects.get()
    assert photo.image.name.endswith(".png") and "salle" not in photo.image.name.rsplit("/", 1)[-1]
    member = make_member_user(section_a)
    response = login(client, member).get(reverse("rooms:photo", args=[photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    client.logout()
    assert client.get(reverse("rooms:photo", args=[photo.pk])).status_code == 302


# --- Calendar feed ---------------------------------------------------------------------------------------


def test_ics_feed_is_parsed_by_icalendar(client, section_a, officer_a):
    """The secret feed opens without login, lists confirmed and cancelled bookings in Paris
    time with stable UIDs, never the purpose nor pending requests; a wrong token is 404."""
    from icalendar import Calendar

    room = open_every_day(RoomFactory(name="Salle Olympe-de-Gouges"))
    day = next_weekday(3)
    confirmed = make_booking(room, section_a, *slot(day, "19:00", "21:00"), purpose="Objet secret")
    cancelled = make_booking(room, section_a, *slot(day, "14:00", "15:00"), status="cancelled")
    make_booking(room, section_a, *slot(day, "10:00", "11:00"), status="pending")
    dst = make_booking(room, section_a, *slot(datetime.date(2027, 3, 29), "19:00", "21:00"))
    response = client.get(reverse("rooms:room_ics", args=[room.ics_token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"booking-{b.pk}@fede" for b in (confirmed, cancelled, dst)}
    main = events[f"booking-{confirmed.pk}@fede"]
    assert main.decoded("DTSTART") == confirmed.start
    assert main.decoded("DTSTART").tzinfo.key == "Europe/Paris"
    assert main.decoded("DTSTART").hour == 19
    assert str(main["SUMMARY"]) == f"Réservé — {section_a.name}"
    assert str(events[f"booking-{cancelled.pk}@fede"]["STATUS"]) == "CANCELLED"
    assert events[f"booking-{dst.pk}@fede"].decoded("DTSTART").hour == 19
    assert b"Objet secret" not in response.content
    assert client.get(reverse("rooms:room_ics", args=["not-the-token"])).status_code == 404


# --- Navigation -----------------------------------------------------------------------------------------


def test_nav_and_home_link_to_rooms(client, officer_a):
    html = login(client, officer_a).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("rooms:directory")}"' in html
    assert reverse("rooms:my_bookings") in html


def test_federal_secretary_picks_federation_or_section(client, federation, section_a, room):
    secretary = make_officer(federation, Role.FEDERAL_SECRETARY, section=section_a)
    other = make_section(federation, name="Paris 18")
    html = (
        login(client, secretary)
        .get(reverse("rooms:booking_create", args=[room.pk]))
        .content.decode()
    )
    assert federation.name in html and other.name in html


# --- History restore and partials ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "directory",
        "my_bookings",
        "federation",
        "manage",
        "room_detail",
        "venue_detail",
        "venue_day",
    ],
)
def test_list_pages_answer_a_history_restore_with_the_full_page(client, staff, room, name):
    """Back after filtering: htmx asks for the page again and must get all of it."""
    args = {"room_detail": [room.pk], "venue_detail": [room.venue_id], "venue_day": [room.venue_id]}
    url = reverse(f"rooms:{name}", args=args.get(name, []))
    login(client, staff)
    partial = client.get(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert "HX-Request" in partial["Vary"]
    restored = client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert restored.status_code == 200 and "<html" in restored.content.decode()


def test_list_pages_use_the_core_pager(client, staff, section_a):
    for i in range(21):
        VenueFactory(name=f"Lieu {i:02d}")
    html = login(client, staff).get(reverse("rooms:manage"), {"page": 2}).content.decode()
    assert "Page 2 sur 2" in html and "Lieu 20" in html


def test_approver_of_another_federation_gets_404_on_a_paris_request(
    client, officer_a, section_a, room
):
    lyon = make_federation_for_test()
    other = make_officer(lyon, Role.FEDERAL_STAFF, section=make_section(lyon))
    booking = make_booking(
        room, section_a, *slot(next_weekday(3), "19:00", "21:00"), status="pending"
    )
    login(client, other)
    for name in ("booking_approve", "booking_refuse", "booking_cancel"):
        response = client.post(reverse(f"rooms:{name}", args=[booking.pk]), {"reason": "Non"})
        assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == "pending"


def test_non_manager_cannot_reach_room_management(client, officer_a, room):
    """Rooms belong to no section: without rooms.manage the room is out of reach (404)."""
    login(client, officer_a)
    assert client.get(reverse("rooms:room_edit", args=[room.pk])).status_code == 404
    assert client.post(reverse("rooms:room_ics_reset", args=[room.pk])).status_code == 404
    assert client.get(reverse("rooms:venue_create")).status_code == 403


def make_federation_for_test():
    from fede.organization.tests.factories import make_federation

    return make_federation(name="Fédération du Rhône", code="FED69")


def test_directory_cards_written_in_python_match_the_badges_template_and_escape(
    client, section_a, officer_a
):
    """The directory's cards are written by ``rendering.directory_cards``: the badges are
    those of ``rooms/includes/room_badges.html`` (still used by the room page), names
    and addresses escaped, the booking link's query string escaped once."""
    from django.template.loader import render_to_string

    from fede.rooms.rendering import room_badges_html
    from fede.rooms.selectors import directory_rooms

    day = next_weekday(3)
    plain = RoomFactory(name="Salle <b>Rosa</b>", capacity=1, step_free=False)
    full = RoomFactory(
        name="Salle & co",
        capacity=1200,
        is_sections_space=True,
        requires_approval=True,
        booking_policy=Room._meta.get_field("booking_policy").choices[-1][0],
        venue=VenueFactory(address="1 rue <i>", arrondissement=ArrondissementFactory(number=3)),
    )
    open_every_day(plain)
    open_every_day(full)
    full.equipment.add(EquipmentFactory(name="Micro <sans fil>"), EquipmentFactory(name="Wifi"))
    for room in directory_rooms([plain.pk, full.pk]):
        assert room_badges_html(room) == render_to_string(
            "rooms/includes/room_badges.html", {"room": room}
        )
    html = (
        login(client, officer_a)
        .get(
            reverse("rooms:directory"),
            {"date": day.isoformat(), "debut": "19:00", "fin": "21:00"},
        )
        .content.decode()
    )
    assert "Salle &lt;b&gt;Rosa&lt;/b&gt;" in html and "<b>Rosa" not in html
    assert "1 rue &lt;i&gt;" in html and "Micro &lt;sans fil&gt;" in html
    assert "Réserver « Salle &amp; co » sur ce créneau" in html
    booking_url = reverse("rooms:booking_create", args=[full.pk])
    assert f"{booking_url}?date={day.isoformat()}&amp;debut=19:00&amp;fin=21:00" in html
