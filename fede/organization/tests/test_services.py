"""Writes of the organisation screens: dues, member file, transfers, merging and closing."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.core.models import AuditEntry
from fede.organization import services
from fede.organization.models import DuesPayment, Mandate, Member, Role, Transfer
from fede.organization.roles import can

from . import screens
from .factories import MemberFactory, make_officer, make_section

pytestmark = pytest.mark.django_db
User = get_user_model()
paris = screens.paris  # fixture

TODAY = timezone.localdate


# --- Dues ----------------------------------------------------------------------------------


def test_duplicate_dues_year_writes_nothing(paris):
    """A second payment for the same year is refused with a French error on the year."""
    member = MemberFactory(section=paris.s11)
    services.dues_record(
        actor=SYSTEM,
        member=member,
        year=TODAY().year,
        amount=Decimal("30"),
        paid_on=TODAY(),
        method="cheque",
    )
    with pytest.raises(ValidationError) as error:
        services.dues_record(
            actor=SYSTEM,
            member=member,
            year=TODAY().year,
            amount=Decimal("45"),
            paid_on=TODAY(),
            method="cash",
        )
    assert "déjà enregistrée" in error.value.message_dict["year"][0]
    assert list(DuesPayment.objects.filter(member=member).values_list("amount", flat=True)) == [
        Decimal("30.00")
    ]


def test_dues_bring_a_lapsed_member_back(paris):
    """Paying this year's dues makes a lapsed member active again."""
    member = MemberFactory(section=paris.s11, status=Member.Status.LAPSED)
    services.dues_record(
        actor=SYSTEM,
        member=member,
        year=TODAY().year,
        amount=Decimal("20"),
        paid_on=TODAY(),
        method="card",
    )
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE
    assert member.is_up_to_date_on()


# --- Member file ---------------------------------------------------------------------------


def test_member_update_dates_a_departure_and_clears_it_on_return(paris):
    """Leaving statuses get a departure date; coming back clears it. Changes are audited
    (status and departure date, before and after)."""
    member = MemberFactory(section=paris.s11)
    user = paris.user("staff")
    services.member_update(member=member, actor=user, status=Member.Status.EXCLUDED)
    member.refresh_from_db()
    assert member.left_on == TODAY()
    services.member_update(member=member, actor=user, status=Member.Status.ACTIVE)
    member.refresh_from_db()
    assert member.left_on is None
    entries = AuditEntry.objects.about(member).filter(code="organization.member_update")
    assert entries.count() == 2
    latest = entries.first()
    assert latest.actor == user
    assert latest.changes == {
        "status": [Member.Status.EXCLUDED, Member.Status.ACTIVE],
        "left_on": [TODAY().isoformat(), None],
    }


def test_member_update_refuses_section_and_login(paris):
    """The section changes only by a transfer, the login never through the member file."""
    member = MemberFactory(section=paris.s11)
    with pytest.raises(TypeError):
        services.member_update(actor=SYSTEM, member=member, section=paris.s15)
    with pytest.raises(TypeError):
        services.member_update(actor=SYSTEM, member=member, user=paris.user("member"))
    member.refresh_from_db()
    assert member.section == paris.s11


def test_resignation_ends_offices_and_cancels_transfer(paris):
    """A resignation sets the status and date, ends offices, withdraws a pending transfer."""
    secretary = paris.user("secretary")
    member = secretary.member
    transfer = services.transfer_request(
        actor=SYSTEM, member=member, to_unit=paris.s15, reason="Déménagement"
    )
    services.member_resign(member=member, left_on=TODAY(), actor=paris.user("staff"))
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.status == Member.Status.RESIGNED
    assert member.left_on == TODAY()
    assert transfer.status == Transfer.Status.CANCELLED
    assert not Mandate.objects.current(TODAY() + datetime.timedelta(days=1)).filter(member=member)
    with pytest.raises(ValidationError):
        services.member_resign(actor=SYSTEM, member=member)


def test_resignation_in_the_future_is_refused(paris):
    """A departure date cannot be in the future; nothing changes."""
    member = MemberFactory(section=paris.s11)
    with pytest.raises(ValidationError) as error:
        services.member_resign(
            actor=SYSTEM, member=member, left_on=TODAY() + datetime.timedelta(days=3)
        )
    assert "left_on" in error.value.message_dict
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE


# --- Transfers -----------------------------------------------------------------------------


def test_transfer_request_once_at_a_time(paris):
    """One open request per member; not to the member's own section."""
    member = MemberFactory(section=paris.s11)
    services.transfer_request(actor=SYSTEM, member=member, to_unit=paris.s15, reason="Déménagement")
    with pytest.raises(ValidationError, match="déjà en cours"):
        services.transfer_request(actor=SYSTEM, member=member, to_unit=paris.s15)
    other = MemberFactory(section=paris.s11)
    with pytest.raises(ValidationError) as error:
        services.transfer_request(actor=SYSTEM, member=other, to_unit=paris.s11)
    assert "to_unit" in error.value.message_dict
    assert Transfer.objects.count() == 1


def test_approved_transfer_moves_the_member_and_records_who_and_why(paris):
    """On approval the member moves; the Transfer keeps from, to, when, by whom and why."""
    secretary = paris.user("secretary")
    member = secretary.member
    staff = paris.user("staff")
    transfer = services.transfer_request(
        member=member, to_unit=paris.s15, reason="Déménagement", actor=secretary
    )
    services.transfer_decide(transfer=transfer, approve=True, actor=staff, note="OK")
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.section == paris.s15
    assert transfer.status == Transfer.Status.APPROVED
    assert (transfer.from_unit, transfer.to_unit) == (paris.s11, paris.s15)
    assert transfer.requested_by == secretary and transfer.decided_by == staff
    assert transfer.reason == "Déménagement" and transfer.decision_note == "OK"
    assert transfer.decided_at is not None
    # The office of the section left does not follow the member.
    assert not can(User.objects.get(pk=secretary.pk), "members.view", paris.s11)
    with pytest.raises(ValidationError, match="déjà été traitée"):
        services.transfer_decide(transfer=transfer, approve=False, actor=staff)


def test_refused_transfer_keeps_the_member(paris):
    """A refusal leaves the member in their section, with the note."""
    member = MemberFactory(section=paris.s11)
    transfer = services.transfer_request(actor=SYSTEM, member=member, to_unit=paris.s15)
    services.transfer_decide(
        transfer=transfer, approve=False, actor=paris.user("staff"), note="Pas de motif"
    )
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.section == paris.s11
    assert transfer.status == Transfer.Status.REFUSED
    assert transfer.decision_note == "Pas de motif"


# --- Sections ------------------------------------------------------------------------------


def test_merge_moves_every_member_with_a_transfer_each(paris):
    """Merging moves all members (any status) with a Transfer each and closes the source."""
    staff = paris.user("staff")
    movers = MemberFactory.create_batch(5, section=paris.s15)
    MemberFactory(section=paris.s15, status=Member.Status.RESIGNED)
    pending = services.transfer_request(actor=SYSTEM, member=movers[0], to_unit=paris.s11)
    s20 = make_section(paris.federation, name="Paris 20")
    elsewhere = services.transfer_request(actor=SYSTEM, member=movers[1], to_unit=s20)
    officer = make_officer(paris.s15, Role.SECTION_SECRETARY)
    in_source = paris.s15.members.count()  # 6 above, the staff's and the officer's records
    in_target = paris.s11.members.count()

    moved = services.unit_merge(
        source=paris.s15, target=paris.s11, actor=staff, reason="Regroupement"
    )

    assert moved == in_source == 8
    assert paris.s11.members.count() == in_target + moved
    assert not Member.objects.filter(section=paris.s15).exists()
    transfers = Transfer.objects.filter(status="approved", from_unit=paris.s15)
    assert transfers.count() == moved
    assert set(transfers.values_list("to_unit", flat=True)) == {paris.s11.pk}
    assert set(transfers.values_list("decided_by", flat=True)) == {staff.pk}
    assert set(transfers.values_list("reason", flat=True)) == {"Regroupement"}
    paris.s15.refresh_from_db()
    assert not paris.s15.is_active
    assert paris.s15.merged_into == paris.s11
    assert paris.s15.closed_on == TODAY()
    pending.refresh_from_db()
    elsewhere.refresh_from_db()
    assert pending.status == Transfer.Status.CANCELLED  # it asked to join the target
    assert elsewhere.status == Transfer.Status.REQUESTED
    assert elsewhere.from_unit == paris.s11
    assert not can(User.objects.get(pk=officer.pk), "members.view", paris.s11)


def test_merge_into_itself_or_a_closed_section_is_refused(paris):
    """A section cannot be merged into itself or into a closed section; nothing moves."""
    member = MemberFactory(section=paris.s15)
    with pytest.raises(ValidationError):
        services.unit_merge(actor=SYSTEM, source=paris.s15, target=paris.s15)
    closed = make_section(paris.federation, name="Ancienne")
    services.unit_close(actor=SYSTEM, unit=closed)
    with pytest.raises(ValidationError):
        services.unit_merge(actor=SYSTEM, source=paris.s15, target=closed)
    member.refresh_from_db()
    assert member.section == paris.s15
    assert not Transfer.objects.exists()


def test_close_refused_while_members_are_active(paris):
    """Closing a section with active members is refused with a clear message."""
    section = make_section(paris.federation, name="Paris 3")
    MemberFactory.create_batch(2, section=section)
    with pytest.raises(ValidationError, match="2 adhérent·es actif·ves"):
        services.unit_close(actor=SYSTEM, unit=section)
    section.refresh_from_db()
    assert section.is_active


def test_close_an_empty_section_ends_its_offices(paris):
    """A section without active members closes; its offices end; history stays."""
    section = make_section(paris.federation, name="Paris 3")
    MemberFactory(section=section, status=Member.Status.RESIGNED)
    officer = make_officer(section, Role.SECTION_SECRETARY, section=paris.s11)
    services.unit_close(actor=SYSTEM, unit=section)
    section.refresh_from_db()
    assert not section.is_active and section.closed_on == TODAY()
    assert not Mandate.objects.current().filter(member=officer.member)
    assert section.members.count() == 1


def test_unit_update_keeps_the_tree(paris):
    """A unit's description changes; its place in the tree does not."""
    services.unit_update(actor=SYSTEM, unit=paris.s11, meeting_place="Bourse du travail")
    paris.s11.refresh_from_db()
    assert paris.s11.meeting_place == "Bourse du travail"
    with pytest.raises(TypeError):
        services.unit_update(actor=SYSTEM, unit=paris.s11, parent=None)
