"""Each federation keeps its own venues and rooms; approvals see the competition; races
answer clearly (issues 12 and 11)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from fede.organization.models import Role
from fede.organization.tests.factories import make_officer, make_section
from fede.rooms import services
from fede.rooms.models import Booking, Room, Venue
from fede.rooms.tests.factories import (
    RoomFactory,
    VenueFactory,
    make_booking,
    next_weekday,
    open_every_day,
    slot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lyon_staff(lyon):
    return make_officer(lyon, Role.FEDERAL_STAFF, section=make_section(lyon, name="Lyon 2e"))


@pytest.fixture
def paris_room(federation):
    return open_every_day(
        RoomFactory(
            venue=VenueFactory(owner=federation, name="Bourse de Paris"), name="Salle Jean-Jaurès"
        )
    )


def test_a_lyon_officer_can_neither_see_book_nor_edit_a_paris_room(
    client, paris_room, lyon_secretary, lyon_staff, officer_a
):
    start, end = slot(next_weekday(2), "19:00", "21:00")
    client.force_login(lyon_secretary)
    assert "Jean-Jaurès" not in client.get(reverse("rooms:directory")).content.decode()
    for url in (
        reverse("rooms:room_detail", args=[paris_room.pk]),
        reverse("rooms:booking_create", args=[paris_room.pk]),
        reverse("rooms:venue_detail", args=[paris_room.venue_id]),
    ):
        assert client.get(url).status_code == 404, url
    with pytest.raises(PermissionDenied):
        services.booking_create(
            actor=lyon_secretary,
            room=paris_room,
            section=lyon_secretary.member.section,
            start=start,
            end=end,
            purpose="AG",
            expected_attendance=10,
        )
    client.force_login(lyon_staff)
    for url in (
        reverse("rooms:room_edit", args=[paris_room.pk]),
        reverse("rooms:venue_edit", args=[paris_room.venue_id]),
    ):
        assert client.get(url).status_code == 404
    assert "Bourse de Paris" not in client.get(reverse("rooms:manage")).content.decode()
    venue = Venue.objects.get(pk=paris_room.venue_id)
    venue.name = "Piratée"
    with pytest.raises(PermissionDenied):
        services.venue_save(actor=lyon_staff, venue=venue)
    with pytest.raises(PermissionDenied):
        services.room_save(actor=lyon_staff, room=Room.objects.get(pk=paris_room.pk))
    assert not Booking.objects.exists()
    # Paris's own officers book it as before.
    services.booking_create(
        actor=officer_a,
        room=paris_room,
        section=officer_a.member.section,
        start=start,
        end=end,
        purpose="AG",
        expected_attendance=10,
    )


def test_a_shared_venue_opens_its_rooms_to_other_federations(
    client, paris_room, lyon_secretary, staff
):
    Venue.objects.filter(pk=paris_room.venue_id).update(shared=True)
    paris_room.venue.refresh_from_db()
    client.force_login(lyon_secretary)
    assert client.get(reverse("rooms:room_detail", args=[paris_room.pk])).status_code == 200
    start, end = slot(next_weekday(3), "19:00", "21:00")
    booking = services.booking_create(
        actor=lyon_secretary,
        room=paris_room,
        section=lyon_secretary.member.section,
        start=start,
        end=end,
        purpose="Formation",
        expected_attendance=10,
    )
    assert booking.holds_slot


def test_the_approval_screen_lists_competing_requests_and_the_refused_section_is_told(
    client, federation, paris_room, section_a, section_b, staff, django_capture_on_commit_callbacks
):
    Room.objects.filter(pk=paris_room.pk).update(requires_approval=True)
    section_a.has_premises = True
    section_a.save()
    section_b.has_premises = False
    section_b.save()
    requester_b = make_officer(section_b, Role.SECTION_SECRETARY, email="paris20@example.org")
    day = next_weekday(2)
    earlier = make_booking(
        paris_room,
        section_b,
        *slot(day, "18:30", "20:30"),
        status=Booking.Status.PENDING,
        requested_by=requester_b,
    )
    later = make_booking(
        paris_room, section_a, *slot(day, "19:00", "21:00"), status=Booking.Status.PENDING
    )
    free = open_every_day(
        RoomFactory(venue=VenueFactory(owner=federation), name="Salle Louise-Michel")
    )
    client.force_login(staff)
    content = client.get(reverse("rooms:federation")).content.decode()
    assert "demande concurrente" in content and "sans local : prioritaire" in content
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rooms:booking_approve", args=[later.pk]), follow=True)
    assert "demande concurrente a été refusée" in response.content.decode()
    earlier.refresh_from_db()
    assert earlier.status == Booking.Status.REFUSED
    told = [m for m in mail.outbox if m.to == ["paris20@example.org"]]
    assert len(told) == 1 and free.name in told[0].body
    assert earlier.refusal_reason.startswith("Le créneau a été attribué")


def test_approving_a_request_someone_just_approved_says_so(client, paris_room, section_a, staff):
    Room.objects.filter(pk=paris_room.pk).update(requires_approval=True)
    booking = make_booking(
        paris_room,
        section_a,
        *slot(next_weekday(2), "19:00", "21:00"),
        status=Booking.Status.PENDING,
    )
    other_approver = make_officer(staff.member.section.parent, Role.FIRST_SECRETARY)
    services.booking_approve(actor=other_approver, booking=booking)
    client.force_login(staff)
    response = client.post(reverse("rooms:booking_approve", args=[booking.pk]), follow=True)
    assert response.status_code == 200
    assert "Cette demande a déjà été traitée" in response.content.decode()
