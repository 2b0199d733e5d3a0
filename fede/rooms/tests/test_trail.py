"""Each write of the rooms app is authorised by its service and leaves an audit entry; the
one overlap predicate (half-open spans) decides every "is the slot free?"."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext

from fede.core.access import SYSTEM
from fede.core.models import AuditEntry
from fede.organization.models import Role
from fede.organization.tests.factories import make_federation, make_officer, make_section
from fede.rooms import selectors, services
from fede.rooms.models import Booking, OpeningHours, Room, RoomPhoto, Venue
from fede.rooms.tests.factories import VenueFactory, make_booking, next_weekday, slot

pytestmark = pytest.mark.django_db


def book(room, section, actor, start, end, **kwargs):
    kwargs.setdefault("purpose", "Réunion de section")
    kwargs.setdefault("expected_attendance", 20)
    return services.booking_create(
        actor=actor, room=room, section=section, start=start, end=end, **kwargs
    )


def rooms_entries():
    # Test factories of other apps (units, mandates) write their own entries.
    return AuditEntry.objects.filter(code__startswith="rooms.")


def entries(code):
    return list(AuditEntry.objects.filter(code=code).order_by("pk"))


@pytest.fixture
def other_federation_staff(db):
    """Federation staff of another federation: approves there, not in Paris."""
    lyon = make_federation(name="Fédération du Rhône", code="FED69")
    return make_officer(lyon, Role.FEDERAL_STAFF, section=make_section(lyon))


@pytest.fixture
def pending(room, section_a, officer_a):
    room.requires_approval = True
    room.save()
    return book(room, section_a, officer_a, *slot(next_weekday(3), "19:00", "21:00"))


# --- Overlap: one half-open predicate ----------------------------------------------------------


def test_back_to_back_booking_after_an_existing_one_is_free(
    room, section_a, section_b, officer_a, officer_b
):
    """A 19–21 then B 21–23: B starts when A ends, both are confirmed."""
    day = next_weekday(2)
    book(room, section_a, officer_a, *slot(day, "19:00", "21:00"))
    later = book(room, section_b, officer_b, *slot(day, "21:00", "23:00"))
    assert later.status == Booking.Status.CONFIRMED


def test_back_to_back_booking_before_an_existing_one_is_free(
    room, section_a, section_b, officer_a, officer_b
):
    """B 21–23 first, then A 19–21: A ends when B starts, both are confirmed."""
    day = next_weekday(2)
    book(room, section_b, officer_b, *slot(day, "21:00", "23:00"))
    earlier = book(room, section_a, officer_a, *slot(day, "19:00", "21:00"))
    assert earlier.status == Booking.Status.CONFIRMED


@pytest.mark.parametrize(
    ("first", "second"),
    [(("19:00", "21:00"), ("20:59", "22:00")), (("20:59", "22:00"), ("19:00", "21:00"))],
)
def test_one_minute_of_overlap_is_a_taken_slot(
    room, section_a, section_b, officer_a, officer_b, first, second
):
    day = next_weekday(2)
    book(room, section_a, officer_a, *slot(day, *first))
    with pytest.raises(services.SlotTaken):
        book(room, section_b, officer_b, *slot(day, *second))
    assert Booking.objects.filter(section=section_b).count() == 0


def test_pending_requests_are_flagged_only_when_a_confirmed_booking_overlaps(
    room, federation, section_a, section_b, staff
):
    """The approvers' list (a correlated subquery) uses the same half-open predicate."""
    day = next_weekday(4)
    make_booking(room, section_a, *slot(day, "19:00", "21:00"))
    before = make_booking(room, section_b, *slot(day, "17:00", "19:00"), status="pending")
    after = make_booking(room, section_b, *slot(day, "21:00", "22:00"), status="pending")
    clash = make_booking(room, section_b, *slot(day, "20:59", "22:00"), status="pending")
    flags = dict(selectors.pending_for_approver(staff).values_list("pk", "slot_taken"))
    assert flags == {before.pk: False, after.pk: False, clash.pk: True}


def test_series_preview_and_grid_use_the_same_predicate(room, section_a, section_b, officer_a):
    day = next_weekday(1)
    make_booking(room, section_b, *slot(day, "19:00", "21:00"))
    occurrences = services.series_preview(
        room=room,
        section=section_a,
        first=day,
        start_time=datetime.time(21),
        end_time=datetime.time(22),
        frequency="weekly",
        until=day + datetime.timedelta(weeks=1),
        expected_attendance=5,
    )
    assert [occ.conflicts for occ in occurrences] == [[], []]
    grid = selectors.room_week(
        Room.objects.prefetch_related("opening_hours").get(pk=room.pk),
        day - datetime.timedelta(days=day.weekday()),
        can_see=lambda unit: True,
    )
    busy = sorted(
        cell.time.strftime("%H:%M")
        for _start, cells in grid.rows
        for cell in cells
        if cell.busy and cell.day == day
    )
    assert busy == ["19:00", "19:30", "20:00", "20:30"]


# --- Authorisation inside the services -----------------------------------------------------------


def test_approver_of_another_federation_may_not_decide(pending, other_federation_staff):
    """rooms.approve is checked on the booking's section, not "anywhere"."""
    assert other_federation_staff.has_perm("rooms.approve")
    with pytest.raises(PermissionDenied):
        services.booking_approve(actor=other_federation_staff, booking=pending)
    with pytest.raises(PermissionDenied):
        services.booking_refuse(actor=other_federation_staff, booking=pending, reason="Non")
    with pytest.raises(PermissionDenied):
        services.booking_cancel(actor=other_federation_staff, booking=pending)
    pending.refresh_from_db()
    assert pending.status == Booking.Status.PENDING
    assert not rooms_entries().exclude(code="rooms.booking_create").exists()


def test_actor_without_the_capability_writes_nothing(
    room, section_a, section_b, officer_a, officer_b
):
    day = next_weekday(2)
    with pytest.raises(PermissionDenied):
        book(room, section_b, officer_a, *slot(day, "19:00", "21:00"))
    with pytest.raises(PermissionDenied):
        services.booking_series_create(
            actor=officer_a,
            room=room,
            section=section_b,
            first=day,
            start_time=datetime.time(19),
            end_time=datetime.time(20),
            frequency="weekly",
            until=day + datetime.timedelta(weeks=2),
            purpose="x",
            expected_attendance=3,
        )
    mine = book(room, section_a, officer_a, *slot(day, "19:00", "21:00"))
    rooms_entries().delete()
    with pytest.raises(PermissionDenied):
        services.booking_update(actor=officer_b, booking=mine, purpose="x", expected_attendance=2)
    with pytest.raises(PermissionDenied):
        services.booking_approve(actor=officer_a, booking=mine)
    with pytest.raises(PermissionDenied):
        services.venue_save(actor=officer_a, venue=Venue(name="X", kind="other", address="1 rue"))
    with pytest.raises(PermissionDenied):
        services.room_save(actor=officer_a, room=room)
    with pytest.raises(PermissionDenied):
        services.room_ics_token_reset(actor=officer_a, room=room)
    assert list(Booking.objects.values_list("section", flat=True)) == [section_a.pk]
    assert not Venue.objects.filter(name="X").exists()
    assert not rooms_entries().exists()


def test_system_books_without_a_requester_and_is_recorded_as_such(room, section_a):
    booking = book(room, section_a, SYSTEM, *slot(next_weekday(2), "19:00", "21:00"))
    assert booking.requested_by is None
    entry = AuditEntry.objects.get(code="rooms.booking_create")
    assert entry.by_system and entry.actor is None


# --- Audit entries ------------------------------------------------------------------------------


def test_booking_create_is_audited_and_rendered_in_the_readers_language(room, section_a, officer_a):
    day = next_weekday(2)
    booking = book(room, section_a, officer_a, *slot(day, "19:00", "21:00"))
    [entry] = entries("rooms.booking_create")
    assert entry.actor == officer_a and not entry.by_system
    assert (entry.object_type, entry.object_id) == ("rooms.booking", str(booking.pk))
    assert entry.scope_path == section_a.path
    assert entry.params == {"booking": booking.pk, "room": "Salle Jaurès", "day": day.isoformat()}
    assert entry.changes == {"status": [None, "confirmed"]}
    with translation.override("fr"):
        assert entry.text == (f"Réservation n° {booking.pk} de Salle Jaurès le {day.isoformat()}")
    with translation.override("en"):
        # Rendered when read, from the code: the reader's catalogue decides the words.
        assert entry.text == gettext("Réservation n° %(booking)s de %(room)s le %(day)s") % (
            entry.params
        )
        assert str(booking.pk) in entry.text and "%(" not in entry.text


def test_booking_update_records_the_changed_fields(room, section_a, officer_a):
    booking = make_booking(room, section_a, *slot(next_weekday(3), "19:00", "21:00"))
    services.booking_update(
        actor=officer_a, booking=booking, purpose="AG", expected_attendance=20, notes=""
    )
    [entry] = entries("rooms.booking_update")
    assert entry.actor == officer_a and entry.object_id == str(booking.pk)
    assert entry.changes == {"purpose": ["Réunion de section", "AG"]}
    with translation.override("fr"):
        assert entry.text == f"Réservation n° {booking.pk} modifiée"


def test_cancel_approve_and_refuse_are_audited(room, section_a, officer_a, staff, pending):
    other = book(room, section_a, officer_a, *slot(next_weekday(3), "08:00", "10:00"))
    services.booking_approve(actor=staff, booking=pending)
    services.booking_refuse(actor=staff, booking=other, reason="Travaux")
    services.booking_cancel(actor=officer_a, booking=pending)
    [approve] = entries("rooms.booking_approve")
    [refuse] = entries("rooms.booking_refuse")
    [cancel] = entries("rooms.booking_cancel")
    assert (approve.actor, approve.object_id, approve.changes) == (
        staff,
        str(pending.pk),
        {"status": ["pending", "confirmed"]},
    )
    assert (refuse.actor, refuse.object_id, refuse.changes) == (
        staff,
        str(other.pk),
        {"status": ["pending", "refused"]},
    )
    assert "Travaux" not in str(refuse.params)
    assert (cancel.actor, cancel.object_id, cancel.changes) == (
        officer_a,
        str(pending.pk),
        {"status": ["confirmed", "cancelled"]},
    )
    with translation.override("fr"):
        assert approve.text == f"Réservation n° {pending.pk} de Salle Jaurès validée"
        assert refuse.text == f"Réservation n° {other.pk} de Salle Jaurès refusée"
        assert cancel.text == f"Réservation n° {pending.pk} de Salle Jaurès annulée"


def test_series_create_and_cancel_are_audited(room, section_a, officer_a):
    first = next_weekday(2)
    result = services.booking_series_create(
        actor=officer_a,
        room=room,
        section=section_a,
        first=first,
        start_time=datetime.time(19),
        end_time=datetime.time(20),
        frequency="weekly",
        until=first + datetime.timedelta(weeks=2),
        purpose="Permanence",
        expected_attendance=4,
    )
    count = services.booking_series_cancel(actor=officer_a, series=result.series)
    [created] = entries("rooms.series_create")
    [cancelled] = entries("rooms.series_cancel")
    assert len(entries("rooms.booking_create")) == 3
    assert created.object_id == cancelled.object_id == str(result.series.pk)
    assert created.params["count"] == 3 and cancelled.params["count"] == count == 3
    assert sorted(cancelled.params["bookings"]) == sorted(b.pk for b in result.created)
    with translation.override("fr"):
        assert created.text == f"Série n° {result.series.pk} de Salle Jaurès : 3 dates réservées"
        assert cancelled.text == f"Série n° {result.series.pk} : 3 dates annulées"


def test_venue_and_room_management_is_audited_with_changed_fields(room, staff):
    venue = Venue(name="Bourse du travail", kind="union", address="3 rue du Château-d'Eau")
    services.venue_save(actor=staff, venue=venue)
    venue.city = "Paris 10e"
    services.venue_save(actor=staff, venue=venue)
    assert [e.code for e in rooms_entries().order_by("pk")] == [
        "rooms.venue_create",
        "rooms.venue_update",
    ]
    assert entries("rooms.venue_update")[0].changes == {"city": ["Paris", "Paris 10e"]}

    room.capacity = 25
    services.room_save(
        actor=staff,
        room=room,
        opening_hours={0: (datetime.time(9), datetime.time(18))},
    )
    [update] = entries("rooms.room_update")
    assert update.actor == staff and update.object_id == str(room.pk)
    assert update.changes["capacity"] == [40, 25]
    assert update.changes["opening_hours"][1] == [[0, "09:00:00", "18:00:00"]]
    assert list(OpeningHours.objects.filter(room=room).values_list("weekday", flat=True)) == [0]

    new = Room(venue=VenueFactory(), name="Salle Louise-Michel", capacity=12)
    services.room_save(actor=staff, room=new, equipment=[])
    assert entries("rooms.room_create")[0].object_id == str(new.pk)

    token = room.ics_token
    services.room_ics_token_reset(actor=staff, room=room)
    [reset] = entries("rooms.ics_reset")
    assert token not in str(reset.params) + str(reset.changes)
    with translation.override("fr"):
        assert reset.text == "Nouvelle adresse du calendrier de la salle « Salle Jaurès »"
        assert update.text == "Salle « Salle Jaurès » modifiée"


def test_photo_add_is_audited(room, staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    image = SimpleUploadedFile("salle.png", b"not checked here", content_type="image/png")
    photo = services.room_photo_add(actor=staff, room=room, image=image, caption=" Entrée ")
    [entry] = entries("rooms.photo_add")
    assert entry.object_id == str(photo.pk) and entry.params["photo"] == photo.pk
    assert RoomPhoto.objects.get().caption == "Entrée"
