import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fede.organization.models import Role
from fede.organization.tests.factories import make_officer, make_section
from fede.rooms import services, slots
from fede.rooms.models import Booking, BookingSeries, OpeningHours, Room
from fede.rooms.tests.factories import RoomFactory, make_booking, next_weekday, slot

pytestmark = pytest.mark.django_db


def book(room, section, user, start, end, **kwargs):
    kwargs.setdefault("purpose", "Réunion de section")
    kwargs.setdefault("expected_attendance", 20)
    return services.booking_create(
        room=room, section=section, start=start, end=end, actor=user, **kwargs
    )


def test_booking_is_confirmed_and_stored_in_utc(room, section_a, officer_a):
    """A booking on a room without approval is confirmed at once, stored as UTC instants."""
    day = next_weekday(3)
    start, end = slot(day, "19:00", "21:00")
    booking = book(room, section_a, officer_a, start, end)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.start == start and booking.end == end
    assert slots.local(booking.start).strftime("%H:%M") == "19:00"


def test_overlapping_booking_is_refused_with_the_taken_slot(
    room, section_a, section_b, officer_a, officer_b
):
    """A second section asking for an overlapping slot is told when the room is taken."""
    day = next_weekday(3)
    book(room, section_a, officer_a, *slot(day, "19:00", "21:00"))
    with pytest.raises(services.SlotTaken) as exc:
        book(room, section_b, officer_b, *slot(day, "20:00", "22:00"))
    assert "déjà réservé" in exc.value.messages[0]
    assert "de 19:00 à 21:00" in exc.value.messages[0]
    assert Booking.objects.count() == 1


def test_back_to_back_bookings_are_allowed(room, section_a, section_b, officer_a, officer_b):
    """A booking may start exactly when the previous one ends ([start, end) ranges)."""
    day = next_weekday(3)
    book(room, section_a, officer_a, *slot(day, "17:00", "19:00"))
    book(room, section_b, officer_b, *slot(day, "19:00", "21:00"))
    book(room, section_a, officer_a, *slot(day, "21:00", "22:30"))
    assert Booking.objects.confirmed().count() == 3


def test_cancelled_booking_frees_the_slot(room, section_a, section_b, officer_a, officer_b):
    """Once cancelled, the slot can be booked by another section."""
    day = next_weekday(3)
    first = book(room, section_a, officer_a, *slot(day, "19:00", "21:00"))
    services.booking_cancel(booking=first, actor=officer_a)
    second = book(room, section_b, officer_b, *slot(day, "19:00", "21:00"))
    assert second.status == Booking.Status.CONFIRMED
    first.refresh_from_db()
    assert first.status == Booking.Status.CANCELLED and first.cancelled_by == officer_a


def test_same_slot_in_another_room_is_fine(room, section_a, section_b, officer_a, officer_b):
    day = next_weekday(3)
    other = RoomFactory(venue=room.venue)
    book(room, section_a, officer_a, *slot(day, "19:00", "21:00"))
    book(other, section_b, officer_b, *slot(day, "19:00", "21:00"))
    assert Booking.objects.confirmed().count() == 2


def test_capacity_lower_than_attendance_is_refused(room, section_a, officer_a):
    """A room for 40 cannot be booked for 60 people; the message says so, on the field."""
    with pytest.raises(services.BookingError) as exc:
        book(
            room,
            section_a,
            officer_a,
            *slot(next_weekday(3), "19:00", "21:00"),
            expected_attendance=60,
        )
    errors = exc.value.message_dict
    assert errors["expected_attendance"] == [
        "La salle « Salle Jaurès » accueille au plus 40 personnes : vous en attendez 60. "
        "Choisissez une salle plus grande."
    ]
    assert not Booking.objects.exists()


def test_opening_hours_are_enforced(section_a, officer_a):
    """Outside the opening hours of the weekday, or on a closed day, the request is refused."""
    room = RoomFactory()
    OpeningHours.objects.create(
        room=room, weekday=3, opens=datetime.time(9), closes=datetime.time(22)
    )
    thursday = next_weekday(3)
    with pytest.raises(services.BookingError) as exc:
        book(room, section_a, officer_a, *slot(thursday, "21:00", "23:00"))
    assert "Le jeudi, la salle est ouverte de 09:00 à 22:00." in exc.value.messages
    with pytest.raises(services.BookingError) as exc:
        book(room, section_a, officer_a, *slot(next_weekday(4), "19:00", "21:00"))
    assert "La salle est fermée le vendredi." in exc.value.messages
    assert book(room, section_a, officer_a, *slot(thursday, "20:00", "22:00"))


def test_max_duration_is_enforced(room, section_a, officer_a):
    room.max_duration_minutes = 180
    room.save()
    with pytest.raises(services.BookingError) as exc:
        book(room, section_a, officer_a, *slot(next_weekday(3), "09:00", "13:00"))
    assert "Cette salle se réserve au plus 3 h d'affilée." in exc.value.messages


def test_booking_window_is_enforced(room, section_a, officer_a):
    """Too far ahead is refused, with the last bookable day in French."""
    room.booking_window_days = 30
    room.save()
    day = slots.today() + datetime.timedelta(days=45)
    with pytest.raises(services.BookingError) as exc:
        book(room, section_a, officer_a, *slot(day, "19:00", "21:00"))
    message = exc.value.messages[0]
    assert message.startswith("Cette salle se réserve au plus 30 jours à l'avance : jusqu'au ")
    assert slots.format_day(slots.today() + datetime.timedelta(days=30)) in message


def test_sections_without_premises_get_a_longer_window(federation, room):
    """On an espace sections room, a section without premises books further ahead."""
    room.is_sections_space = True
    room.booking_window_days = 30
    room.no_premises_window_days = 90
    room.save()
    homeless = make_section(federation, name="Paris 13 — sans local", has_premises=False)
    housed = make_section(federation, name="Paris 5 — avec local")
    day = slots.today() + datetime.timedelta(days=60)
    start, end = slot(day, "19:00", "21:00")
    booking = book(room, homeless, make_officer(homeless), start, end)
    assert booking.status == Booking.Status.CONFIRMED
    with pytest.raises(services.BookingError):
        book(room, housed, make_officer(housed), *slot(day, "10:00", "12:00"))


def test_no_premises_policy(federation, room):
    room.booking_policy = Room.Policy.NO_PREMISES
    room.save()
    housed = make_section(federation, name="Paris 5")
    with pytest.raises(services.BookingError) as exc:
        book(room, housed, make_officer(housed), *slot(next_weekday(2), "19:00", "21:00"))
    assert "réservée aux sections qui n'ont pas de local" in exc.value.messages[0]


def test_past_and_reversed_slots_are_refused(room, section_a, officer_a):
    yesterday = slots.today() - datetime.timedelta(days=1)
    with pytest.raises(services.BookingError) as exc:
        book(room, section_a, officer_a, *slot(yesterday, "19:00", "21:00"))
    assert "Ce créneau est déjà commencé ou passé." in exc.value.messages
    day = next_weekday(3)
    with pytest.raises(services.BookingError) as exc:
        book(room, section_a, officer_a, *slot(day, "21:00", "19:00"))
    assert "L'heure de fin doit être après l'heure de début." in exc.value.messages


def test_officer_cannot_book_for_another_section(room, section_b, officer_a):
    with pytest.raises(PermissionDenied):
        book(room, section_b, officer_a, *slot(next_weekday(3), "19:00", "21:00"))
    assert not Booking.objects.exists()


def test_request_on_room_needing_approval_is_pending_and_approvers_are_mailed(
    room, section_a, officer_a, staff, django_capture_on_commit_callbacks
):
    """A pending request does not hold the slot; federation approvers get one mail."""
    room.requires_approval = True
    room.save()
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(room, section_a, officer_a, *slot(next_weekday(3), "19:00", "21:00"))
    assert booking.status == Booking.Status.PENDING
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [staff.email]
    assert "Salle Jaurès" in mail.outbox[0].subject
    assert "/salles/federation/" in mail.outbox[0].body


def test_approval_confirms_and_mails_the_requester_after_commit(
    room, section_a, officer_a, staff, django_capture_on_commit_callbacks
):
    room.requires_approval = True
    room.save()
    day = next_weekday(3)
    booking = book(room, section_a, officer_a, *slot(day, "19:00", "21:00"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.booking_approve(booking=booking, actor=staff)
    assert mail.outbox == []  # nothing sent before the commit
    for callback in callbacks:
        callback()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.decided_by == staff
    [message] = mail.outbox
    assert message.to == [officer_a.email]
    assert message.subject == "Réservation confirmée : Salle Jaurès"
    assert f"{slots.format_day(day)}, de 19:00 à 21:00" in message.body
    assert f"/salles/reservations/{booking.pk}/" in message.body


def test_refusal_needs_a_reason_and_sends_it(
    room, section_a, officer_a, staff, django_capture_on_commit_callbacks
):
    room.requires_approval = True
    room.save()
    booking = book(room, section_a, officer_a, *slot(next_weekday(3), "19:00", "21:00"))
    with pytest.raises(services.BookingError):
        services.booking_refuse(booking=booking, actor=staff, reason="  ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_refuse(booking=booking, actor=staff, reason="Salle en travaux ce jour-là.")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REFUSED
    assert booking.refusal_reason == "Salle en travaux ce jour-là."
    assert "Motif : Salle en travaux ce jour-là." in mail.outbox[0].body


def test_approving_a_request_whose_slot_was_taken_is_refused(
    room, section_a, section_b, officer_a, officer_b, staff
):
    room.requires_approval = True
    room.save()
    start, end = slot(next_weekday(3), "19:00", "21:00")
    first = book(room, section_a, officer_a, start, end)
    second = book(room, section_b, officer_b, start, end)
    # Federation staff book the slot themselves (confirmed at once, no approval).
    services.booking_create(
        actor=staff,
        room=room,
        section=section_a,
        start=start,
        end=end,
        purpose="Bureau fédéral",
        expected_attendance=5,
    )
    with pytest.raises(services.SlotTaken):
        services.booking_approve(booking=second, actor=staff)
    second.refresh_from_db()
    assert second.status == Booking.Status.PENDING
    first.refresh_from_db()
    assert first.status == Booking.Status.PENDING


def test_approving_a_request_refuses_the_competing_ones(
    room, section_a, section_b, officer_a, officer_b, staff
):
    room.requires_approval = True
    room.save()
    start, end = slot(next_weekday(3), "19:00", "21:00")
    first = book(room, section_a, officer_a, start, end)
    second = book(room, section_b, officer_b, start, end)
    approved = services.booking_approve(booking=first, actor=staff)
    assert [b.pk for b in approved.refused_competitors] == [second.pk]
    second.refresh_from_db()
    assert second.status == Booking.Status.REFUSED
    with pytest.raises(services.BookingError, match="déjà été traitée"):
        services.booking_approve(booking=second, actor=staff)


def test_section_officer_cannot_approve(room, section_a, officer_a):
    room.requires_approval = True
    room.save()
    booking = book(room, section_a, officer_a, *slot(next_weekday(3), "19:00", "21:00"))
    with pytest.raises(PermissionDenied):
        services.booking_approve(booking=booking, actor=officer_a)


def test_officer_of_another_section_cannot_cancel(room, section_a, officer_a, officer_b):
    booking = book(room, section_a, officer_a, *slot(next_weekday(3), "19:00", "21:00"))
    with pytest.raises(PermissionDenied):
        services.booking_cancel(booking=booking, actor=officer_b)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_federation_cancelling_tells_the_requester(
    room, section_a, officer_a, staff, django_capture_on_commit_callbacks
):
    booking = book(room, section_a, officer_a, *slot(next_weekday(3), "19:00", "21:00"))
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=staff)
    assert mail.outbox[-1].to == [officer_a.email]
    assert mail.outbox[-1].subject == "Réservation annulée : Salle Jaurès"


def test_a_past_booking_cannot_be_cancelled(room, section_a, officer_a):
    past = make_booking(
        room, section_a, *slot(slots.today() - datetime.timedelta(days=2), "19:00", "21:00")
    )
    with pytest.raises(services.BookingError):
        services.booking_cancel(booking=past, actor=officer_a)


def test_update_changes_purpose_but_checks_capacity(room, section_a, officer_a, officer_b):
    booking = book(room, section_a, officer_a, *slot(next_weekday(3), "19:00", "21:00"))
    services.booking_update(booking=booking, actor=officer_a, purpose="AG", expected_attendance=35)
    booking.refresh_from_db()
    assert (booking.purpose, booking.expected_attendance) == ("AG", 35)
    with pytest.raises(services.BookingError):
        services.booking_update(
            booking=booking, actor=officer_a, purpose="AG", expected_attendance=99
        )
    with pytest.raises(PermissionDenied):
        services.booking_update(
            booking=booking, actor=officer_b, purpose="x", expected_attendance=2
        )


# --- Recurring bookings ------------------------------------------------------------------


def test_series_preview_flags_conflicts_and_rules(room, section_a, section_b, officer_a, officer_b):
    """Each occurrence is listed; a taken date and a date out of the window are flagged."""
    room.booking_window_days = 50
    room.save()
    first = next_weekday(3)
    taken_day = first + datetime.timedelta(weeks=2)
    book(room, section_b, officer_b, *slot(taken_day, "20:00", "22:00"))
    occurrences = services.series_preview(
        room=room,
        section=section_a,
        first=first,
        start_time=datetime.time(19),
        end_time=datetime.time(21),
        frequency=BookingSeries.Frequency.WEEKLY,
        until=first + datetime.timedelta(weeks=9),
        expected_attendance=20,
    )
    assert len(occurrences) == 10
    by_day = {o.day: o for o in occurrences}
    assert [b.section for b in by_day[taken_day].conflicts] == [section_b]
    assert not by_day[first].conflicts and by_day[first].ok
    far = [o for o in occurrences if o.day > slots.today() + datetime.timedelta(days=50)]
    assert far and all("jours à l'avance" in o.errors[0] for o in far)


def test_series_with_conflicts_skips_them_and_makes_one_row_per_date(
    room, section_a, section_b, officer_a, officer_b
):
    """The conflicting date and the one the officer unticked are not booked; the others are,
    each as its own row that can be cancelled alone."""
    first = next_weekday(1)
    taken_day = first + datetime.timedelta(weeks=1)
    unticked = first + datetime.timedelta(weeks=3)
    book(room, section_b, officer_b, *slot(taken_day, "18:00", "20:00"))
    result = services.booking_series_create(
        room=room,
        section=section_a,
        first=first,
        start_time=datetime.time(19),
        end_time=datetime.time(21),
        frequency=BookingSeries.Frequency.WEEKLY,
        until=first + datetime.timedelta(weeks=4),
        purpose="Permanence",
        expected_attendance=15,
        actor=officer_a,
        skip={unticked},
    )
    days = sorted(slots.local(b.start).date() for b in result.created)
    assert days == [first, first + datetime.timedelta(weeks=2), first + datetime.timedelta(weeks=4)]
    assert [d for d, _reason in result.skipped] == [taken_day]
    assert "déjà réservé" in result.skipped[0][1]
    assert Booking.objects.filter(series=result.series).count() == 3
    # One occurrence alone:
    services.booking_cancel(booking=result.created[1], actor=officer_a)
    assert Booking.objects.filter(series=result.series, status="confirmed").count() == 2
    # Then the rest of the series:
    assert services.booking_series_cancel(series=result.series, actor=officer_a) == 2
    assert not Booking.objects.filter(series=result.series, status="confirmed").exists()


def test_monthly_series_keeps_the_day_of_month_and_skips_short_months():
    days = services.series_dates(
        first=datetime.date(2027, 1, 31), frequency="monthly", until=datetime.date(2027, 6, 30)
    )
    assert days == [
        datetime.date(2027, 1, 31),
        datetime.date(2027, 3, 31),
        datetime.date(2027, 5, 31),
    ]


def test_weekly_series_across_summer_time_stays_at_19_local(room, section_a, officer_a):
    """A Thursday series across the last Sunday of October 2027 (the 31st) stays at 19:00
    in Paris: 17:00 UTC before the change, 18:00 UTC after."""
    room.booking_window_days = 2000
    room.save()
    now = timezone.make_aware(datetime.datetime(2027, 10, 1, 12))
    result = services.booking_series_create(
        room=room,
        section=section_a,
        first=datetime.date(2027, 10, 21),
        start_time=datetime.time(19),
        end_time=datetime.time(21),
        frequency="weekly",
        until=datetime.date(2027, 11, 11),
        purpose="Conseil de section",
        expected_attendance=10,
        actor=officer_a,
        now=now,
    )
    utc_hours = [b.start.astimezone(datetime.UTC).hour for b in result.created]
    assert utc_hours == [17, 17, 18, 18]
    assert {slots.local(b.start).hour for b in result.created} == {19}


def test_series_where_nothing_can_be_booked_writes_nothing(room, section_a, officer_a):
    first = next_weekday(3)
    with pytest.raises(services.BookingError):
        services.booking_series_create(
            room=room,
            section=section_a,
            first=first,
            start_time=datetime.time(19),
            end_time=datetime.time(21),
            frequency="weekly",
            until=first + datetime.timedelta(weeks=2),
            purpose="x",
            expected_attendance=400,
            actor=officer_a,
        )
    assert not BookingSeries.objects.exists() and not Booking.objects.exists()


# --- Rooms (federation) ------------------------------------------------------------------


def test_room_save_replaces_opening_hours(room, staff, officer_a):
    services.room_save(
        room=room,
        actor=staff,
        opening_hours={
            0: (datetime.time(9), datetime.time(18)),
            2: (datetime.time(14), datetime.time(22)),
        },
    )
    assert sorted(room.opening_hours.values_list("weekday", flat=True)) == [0, 2]
    with pytest.raises(PermissionDenied):
        services.room_save(room=room, actor=officer_a)


def test_ics_token_reset_changes_the_address(room, staff):
    old = room.ics_token
    services.room_ics_token_reset(room=room, actor=staff)
    room.refresh_from_db()
    assert room.ics_token != old and len(room.ics_token) >= 32


def test_federal_secretary_may_book_for_the_federation(federation, room):
    room.booking_policy = Room.Policy.FEDERATION
    room.save()
    secretary = make_officer(federation, Role.FEDERAL_SECRETARY)
    booking = book(room, federation, secretary, *slot(next_weekday(2), "18:00", "20:00"))
    assert booking.status == Booking.Status.CONFIRMED


def test_decision_mail_waits_in_the_outbox_when_the_server_is_down(
    room, section_a, officer_a, staff, settings, django_capture_on_commit_callbacks
):
    """The approval succeeds even if the mail cannot leave; the mail stays in the outbox."""
    from fede.core.models import OutgoingMail

    settings.EMAIL_BACKEND = "fede.rooms.tests.test_services.BrokenBackend"
    room.requires_approval = True
    room.save()
    booking = book(room, section_a, officer_a, *slot(next_weekday(3), "19:00", "21:00"))
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_approve(booking=booking, actor=staff)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    queued = OutgoingMail.objects.get(to=[officer_a.email])
    assert queued.sent_at is None and queued.attempts == 1
    assert queued.subject == "Réservation confirmée : Salle Jaurès"


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")
