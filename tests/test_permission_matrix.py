"""The permission matrix, over two federations and a user holding two offices.

Each row is a person, an action and an object of one federation or the other, with what
must happen. The rows were chosen so that the classic slips each make one fail: a check
that loses its unit, a check on the wrong capability (view instead of export), a decision
checked on the section left instead of the section joined.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.core.audit import log_access
from fede.core.models import AccessLog
from fede.organization import services
from fede.organization.roles import can
from fede.rooms import services as room_services
from fede.rooms.tests.factories import RoomFactory, open_every_day

pytestmark = pytest.mark.django_db


def _person(world, who):
    if who == "two_offices":
        return world.two_offices
    federation, role = who.split(":")
    return getattr(world, federation).officers[role]


# --- capabilities: who holds what, where ----------------------------------------------

CAN = [
    # (person, capability, federation, section or None, expected)
    ("two_offices", "members.view", "paris", "p15", True),
    ("two_offices", "members.view", "lyon", "l1", False),
    ("two_offices", "members.export", "paris", "p11", True),
    ("two_offices", "members.export", "paris", "p15", False),
    ("two_offices", "members.export", "paris", None, False),
    ("two_offices", "dues.record", "paris", "p11", True),
    ("two_offices", "dues.record", "paris", "p15", False),
    ("paris:first_secretary", "members.export", "paris", "p15", True),
    ("paris:first_secretary", "members.view", "lyon", "l1", False),
    ("paris:first_secretary", "transfers.approve", "lyon", "l1", False),
    ("lyon:first_secretary", "transfers.approve", "lyon", "l1", True),
    ("paris:staff", "rooms.approve", "paris", "p11", True),
    ("lyon:staff", "rooms.approve", "paris", "p11", False),
    ("paris:secretary_S75-11", "members.view", "paris", "p15", False),
]


@pytest.mark.parametrize("who,capability,federation,section,expected", CAN)
def test_who_holds_what_where(world, who, capability, federation, section, expected):
    fed = getattr(world, federation)
    unit = fed.sections[section] if section else fed.unit
    assert can(_person(world, who), capability, unit) is expected


# --- exports --------------------------------------------------------------------------


def test_the_two_office_user_exports_their_section_not_the_federation(client, world):
    """Reading Paris is not exporting Paris: the treasurer's export right covers the 11e."""
    client.force_login(world.two_offices)
    p11, p15 = world.paris.sections["p11"], world.paris.sections["p15"]
    own = client.get(reverse("organization:section_member_export", args=[p11.pk, "csv"]))
    assert own.status_code == 200
    other = client.get(reverse("organization:section_member_export", args=[p15.pk, "csv"]))
    assert other.status_code == 403
    lyon = world.lyon.sections["l1"]
    assert (
        client.get(reverse("organization:section_member_export", args=[lyon.pk, "csv"]))
    ).status_code == 404
    scope = client.get(reverse("organization:member_export", args=["csv"]))
    body = b"".join(scope.streaming_content).decode("utf-8-sig")
    for member in world.paris.members["p11"]:
        assert member.membership_number in body
    for member in world.paris.members["p15"] + world.lyon.members["l1"]:
        assert member.membership_number not in body


def test_member_pages_of_another_federation_are_404(client, world):
    client.force_login(world.two_offices)
    paris_member = world.paris.members["p15"][0]
    lyon_member = world.lyon.members["l1"][0]
    assert client.get(paris_member.get_absolute_url()).status_code == 200
    assert client.get(lyon_member.get_absolute_url()).status_code == 404


# --- transfers ------------------------------------------------------------------------


def test_a_transfer_is_decided_by_the_receiving_federation_only(world):
    """Paris may ask to send a member to Lyon; only Lyon decides."""
    mover = world.paris.members["p11"][0]
    transfer = services.transfer_request(
        actor=world.paris.officers["secretary_S75-11"],
        member=mover,
        to_unit=world.lyon.sections["l1"],
        reason="Déménagement à Lyon",
    )
    with pytest.raises(PermissionDenied):
        services.transfer_decide(
            actor=world.paris.officers["first_secretary"], transfer=transfer, approve=True
        )
    mover.refresh_from_db()
    assert mover.section == world.paris.sections["p11"]
    services.transfer_decide(
        actor=world.lyon.officers["first_secretary"], transfer=transfer, approve=True
    )
    mover.refresh_from_db()
    assert mover.section == world.lyon.sections["l1"]


def test_a_section_cannot_request_the_transfer_of_another_sections_member(world):
    with pytest.raises(PermissionDenied):
        services.transfer_request(
            actor=world.paris.officers["secretary_S75-15"],
            member=world.paris.members["p11"][0],
            to_unit=world.paris.sections["p15"],
        )


# --- offices --------------------------------------------------------------------------


def test_offices_are_granted_within_ones_own_federation(world):
    candidate = world.lyon.members["l1"][0]
    with pytest.raises(PermissionDenied):
        services.mandate_appoint(
            actor=world.paris.officers["first_secretary"],
            member=candidate,
            role="section_secretary",
            unit=world.lyon.sections["l1"],
        )
    with pytest.raises(PermissionDenied):
        services.mandate_appoint(
            actor=world.two_offices,
            member=world.paris.members["p15"][0],
            role="section_secretary",
            unit=world.paris.sections["p15"],
        )
    mandate = services.mandate_appoint(
        actor=world.lyon.officers["first_secretary"],
        member=candidate,
        role="section_secretary",
        unit=world.lyon.sections["l1"],
    )
    assert mandate.pk


# --- rooms ----------------------------------------------------------------------------


def _pending_booking(world):
    room = open_every_day(
        RoomFactory(name="Salle Jean-Jaurès", capacity=40, requires_approval=True)
    )
    start = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=7), datetime.time(19)
        )
    )
    return room_services.booking_create(
        actor=world.paris.officers["secretary_S75-11"],
        room=room,
        section=world.paris.sections["p11"],
        start=start,
        end=start + datetime.timedelta(hours=2),
        purpose="Réunion de section",
        expected_attendance=20,
        notify=False,
    )


def test_a_booking_is_approved_by_its_own_federation_only(world):
    booking = _pending_booking(world)
    with pytest.raises(PermissionDenied):
        room_services.booking_approve(actor=world.lyon.officers["staff"], booking=booking)
    booking.refresh_from_db()
    assert booking.status == booking.Status.PENDING
    approved = room_services.booking_approve(actor=world.paris.officers["staff"], booking=booking)
    assert approved.status == approved.Status.CONFIRMED


# --- trails ---------------------------------------------------------------------------


def test_each_federation_reads_only_its_own_trails(client, world, settings):
    settings.FEDE_RELAX_MFA = True
    for fed in (world.paris, world.lyon):
        log_access(
            actor=SYSTEM,
            action=AccessLog.Action.EXPORT,
            code="organization.member_export",
            params={"format": "csv", "unit": fed.sections[next(iter(fed.sections))].name},
            scope=fed.unit,
            row_count=3,
        )
    client.force_login(world.lyon.officers["first_secretary"])
    page = client.get(reverse("organization:access_log")).content.decode()
    assert "Lyon 1er" in page
    assert "Paris 11" not in page
