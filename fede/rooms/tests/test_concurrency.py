"""No double booking, even under concurrent requests, held by the database."""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from fede.organization.models import Role
from fede.organization.tests.factories import make_federation, make_officer, make_section
from fede.rooms import services
from fede.rooms.models import Booking
from fede.rooms.tests.factories import RoomFactory, make_booking, next_weekday, open_every_day, slot

ATTEMPTS = 20


def _skip_unless_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (exclusion constraint, concurrent connections)")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_requests_for_one_slot_confirm_exactly_one():
    """20 officers of 20 sections book the same slot at the same moment, each in its own
    connection and transaction: exactly one booking is confirmed, the 19 others are told
    the slot is taken."""
    _skip_unless_postgres()
    federation = make_federation(code="FEDC")
    room = open_every_day(RoomFactory(capacity=50))
    people = []
    for i in range(ATTEMPTS):
        section = make_section(federation, name=f"Section {i}")
        people.append((section, make_officer(section, Role.SECTION_SECRETARY, mfa=False)))
    start, end = slot(next_weekday(3), "19:00", "21:00")
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(section, user):
        try:
            barrier.wait(timeout=30)
            services.booking_create(
                room=room,
                section=section,
                start=start,
                end=end,
                purpose="Réunion publique",
                expected_attendance=30,
                actor=user,
            )
            result = "confirmed"
        except services.SlotTaken as exc:
            result = "taken:" + exc.messages[0]
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            result = f"error:{exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == ATTEMPTS
    assert outcomes.count("confirmed") == 1, outcomes
    taken = [o for o in outcomes if o.startswith("taken:")]
    assert len(taken) == ATTEMPTS - 1, outcomes
    assert all("vient d'être réservé" in o or "déjà réservé" in o for o in taken), taken
    assert Booking.objects.filter(room=room, status="confirmed").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_exclusion_constraint_refuses_overlap_written_behind_the_services_back():
    """Even a raw insert that skips the Python check cannot overlap a confirmed booking;
    back-to-back and cancelled rows are accepted."""
    _skip_unless_postgres()
    federation = make_federation(code="FEDX")
    section = make_section(federation)
    room = RoomFactory()
    day = next_weekday(3)
    make_booking(room, section, *slot(day, "19:00", "21:00"))
    make_booking(room, section, *slot(day, "21:00", "22:00"))  # back-to-back
    make_booking(room, section, *slot(day, "20:00", "22:00"), status=Booking.Status.CANCELLED)
    make_booking(room, section, *slot(day, "20:00", "22:00"), status=Booking.Status.PENDING)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_booking(room, section, *slot(day, "20:00", "20:30"))
    assert Booking.objects.filter(status="confirmed").count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_lost_race_inside_an_outer_transaction_leaves_it_usable():
    """When the constraint refuses the row (PostgreSQL), the caller's transaction is still
    usable: the service wraps the insert in a savepoint."""
    _skip_unless_postgres()
    federation = make_federation(code="FEDS")
    section = make_section(federation)
    room = open_every_day(RoomFactory())
    start, end = slot(next_weekday(3), "19:00", "21:00")
    booking = Booking(
        room=room,
        section=section,
        start=start,
        end=end,
        purpose="x",
        expected_attendance=5,
        status=Booking.Status.CONFIRMED,
    )
    with transaction.atomic():
        make_booking(room, section, start, end)
        with pytest.raises(services.SlotTaken):
            services._save_holding_slot(booking)
        assert Booking.objects.count() == 1  # the transaction still answers
