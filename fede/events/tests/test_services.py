"""Services of events: seats, waiting list, guests, changes, cancellations, reminders."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.events import services
from fede.events.models import Event, Registration
from fede.events.rules import UP_TO_DATE_ONLY_MESSAGE
from fede.organization.tests.factories import DuesPaymentFactory, MemberFactory, make_member_user

from .factories import EventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db


def register(event, member):
    """The member registers themself (members without an account: the system does it)."""
    actor = member.user if member.user_id else SYSTEM
    return services.registration_create(actor=actor, event=event, member=member)


def members(section, count):
    return [MemberFactory(section=section) for _ in range(count)]


def test_member_registers_in_one_click_and_gets_a_confirmation_mail(
    section, member_user, django_capture_on_commit_callbacks
):
    """A member gets a seat and an e-mail with the QR code and the event's .ics."""
    event = EventFactory(organiser=section, capacity=10)
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(event, member_user.member)
    assert registration.status == Registration.Status.CONFIRMED
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member_user.member.email]
    assert "Inscription confirmée" in message.subject
    assert "/evenements/inscription/" in message.body
    names = [attachment[0] for attachment in message.attachments]
    assert names == ["billet-qr.png", "evenement.ics"]


def test_registering_twice_is_harmless(section, member_user):
    """A double click gives one registration, not two."""
    event = EventFactory(organiser=section)
    first = register(event, member_user.member)
    second = register(event, member_user.member)
    assert first.pk == second.pk
    assert Registration.objects.filter(event=event).count() == 1


def test_full_event_puts_newcomers_on_the_waiting_list(section):
    event = EventFactory(organiser=section, capacity=2)
    a, b, c = members(section, 3)
    assert register(event, a).status == "confirmed"
    assert register(event, b).status == "confirmed"
    assert register(event, c).status == "waiting"


def test_cancelling_a_seat_promotes_the_first_waiting_and_mails_them(
    section, django_capture_on_commit_callbacks
):
    """The freed seat goes to the first person waiting, who gets « Une place s'est libérée »."""
    event = EventFactory(organiser=section, capacity=1)
    holder, first_waiting, second_waiting = members(section, 3)
    seat = register(event, holder)
    register(event, first_waiting)
    register(event, second_waiting)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(actor=SYSTEM, registration=seat)

    statuses = dict(Registration.objects.filter(event=event).values_list("member_id", "status"))
    assert statuses == {
        holder.pk: "cancelled",
        first_waiting.pk: "confirmed",
        second_waiting.pk: "waiting",
    }
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [first_waiting.email]
    assert "Une place s'est libérée" in mail.outbox[0].subject


def test_promotion_is_in_the_same_transaction_as_the_cancellation(section):
    """If the cancellation rolls back, nobody is promoted (and no mail is queued)."""
    from django.db import transaction

    event = EventFactory(organiser=section, capacity=1)
    holder, waiting = members(section, 2)
    seat = register(event, holder)
    register(event, waiting)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.registration_cancel(actor=SYSTEM, registration=seat)
        raise Boom
    assert Registration.objects.get(member=waiting).status == "waiting"
    assert Registration.objects.get(member=holder).status == "confirmed"


def test_raising_the_capacity_promotes_people_waiting(section, organiser):
    event = EventFactory(organiser=section, capacity=1)
    a, b, c = members(section, 3)
    for m in (a, b, c):
        register(event, m)
    services.event_update(actor=organiser, event=event, capacity=2)
    assert Registration.objects.get(member=b).status == "confirmed"
    assert Registration.objects.get(member=c).status == "waiting"


def test_up_to_date_only_refuses_a_lapsed_member_with_a_clear_message(section, lapsed_user):
    event = EventFactory(organiser=section, visibility=Event.Visibility.UP_TO_DATE)
    with pytest.raises(ValidationError) as exc:
        register(event, lapsed_user.member)
    assert exc.value.messages == [str(UP_TO_DATE_ONLY_MESSAGE)]
    assert not Registration.objects.exists()


def test_up_to_date_member_may_register_for_an_up_to_date_only_event(section, member_user):
    event = EventFactory(organiser=section, visibility=Event.Visibility.UP_TO_DATE)
    registration = register(event, member_user.member)
    assert registration.status == "confirmed"


def test_unit_members_only_refuses_members_of_other_sections(section, other_section):
    event = EventFactory(organiser=section, visibility=Event.Visibility.UNIT_MEMBERS)
    outsider = MemberFactory(section=other_section)
    with pytest.raises(ValidationError, match="unités organisatrices"):
        register(event, outsider)
    event.co_organisers.add(other_section)
    assert register(event, outsider).status == "confirmed"


def test_invitation_only_needs_an_invitation(section, organiser):
    event = EventFactory(organiser=section, visibility=Event.Visibility.INVITATION)
    guest, other = members(section, 2)
    services.invitation_add(actor=organiser, event=event, members=[guest])
    assert register(event, guest).status == "confirmed"
    with pytest.raises(ValidationError, match="sur invitation"):
        register(event, other)


def test_registration_window_is_enforced(section, member_user):
    event = EventFactory(
        organiser=section,
        registration_opens=timezone.now() + datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="ouvrent le"):
        register(event, member_user.member)
    event.registration_opens = None
    event.registration_closes = timezone.now() - datetime.timedelta(minutes=1)
    event.save()
    with pytest.raises(ValidationError, match="closes"):
        register(event, member_user.member)


def test_guest_registration_counts_only_once_confirmed(section, django_capture_on_commit_callbacks):
    """A guest's seat is given when they confirm from the mail, not before."""
    event = EventFactory(organiser=section, visibility=Event.Visibility.PUBLIC, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        pending = services.registration_create_guest(
            actor=None, event=event, name="Lou Invitée", email="Lou@Example.org"
        )
    assert pending.status == "pending"
    assert "Confirmez votre inscription" in mail.outbox[0].subject
    assert "/confirmer/" in mail.outbox[0].body
    # Meanwhile a member takes the only seat: the guest will wait.
    register(event, MemberFactory(section=section))
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = services.registration_confirm_guest(actor=None, registration=pending)
    assert confirmed.status == "waiting"
    assert "Liste d'attente" in mail.outbox[-1].subject


def test_guest_asking_twice_gets_one_registration_and_one_mail(
    section, django_capture_on_commit_callbacks
):
    event = EventFactory(organiser=section, visibility=Event.Visibility.PUBLIC)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create_guest(
            actor=None, event=event, name="Lou", email="lou@example.org"
        )
        services.registration_create_guest(
            actor=None, event=event, name="Lou", email="LOU@example.org"
        )
    assert Registration.objects.filter(event=event).count() == 1
    assert len(mail.outbox) == 1


def test_guests_cannot_register_for_members_only_events(section):
    event = EventFactory(organiser=section, visibility=Event.Visibility.MEMBERS)
    with pytest.raises(ValidationError, match="réservé aux adhérent"):
        services.registration_create_guest(
            actor=None, event=event, name="Lou", email="lou@example.org"
        )


def test_check_in_marks_only_confirmed_registrations(section, organiser):
    event = EventFactory(organiser=section, capacity=1)
    a, b = members(section, 2)
    seat = register(event, a)
    waiting = register(event, b)
    seat = services.registration_check_in(actor=organiser, registration=seat, present=True)
    assert seat.attended and seat.checked_in_by == organiser
    with pytest.raises(ValidationError):
        services.registration_check_in(actor=organiser, registration=waiting, present=True)


def test_event_create_checks_the_organiser_and_the_place(section, other_section, organiser):
    start = in_days(10)
    with pytest.raises(ValidationError) as exc:
        services.event_create(
            actor=organiser,
            organiser=other_section,
            kind=Event.Kind.SECTION_MEETING,
            title="Réunion",
            start=start,
            end=start + datetime.timedelta(hours=2),
            address="1 rue X",
        )
    assert "organiser" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.event_create(
            actor=organiser,
            organiser=section,
            kind=Event.Kind.SECTION_MEETING,
            title="Réunion",
            start=start,
            end=start - datetime.timedelta(hours=2),
        )
    assert {"end", "address"} <= set(exc.value.message_dict)
    event = services.event_create(
        actor=organiser,
        organiser=section,
        kind=Event.Kind.SECTION_MEETING,
        title="Réunion de rentrée",
        start=start,
        end=start + datetime.timedelta(hours=2),
        address="1 rue X",
    )
    assert event.slug == "reunion-de-rentree"
    assert event.sequence == 0


def test_significant_changes_raise_the_sequence_and_mail_registrants(
    section, organiser, member_user, django_capture_on_commit_callbacks
):
    event = EventFactory(organiser=section)
    uid = event.uid
    register(event, member_user.member)
    mail.outbox.clear()
    event = services.event_update(actor=organiser, event=event, capacity=50)
    assert event.sequence == 0  # capacity is not a calendar matter
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_update(
            actor=organiser,
            event=event,
            start=event.start + datetime.timedelta(hours=1),
            end=event.end + datetime.timedelta(hours=1),
        )
    assert event.sequence == 1
    assert event.uid == uid
    assert len(mail.outbox) == 1
    assert "Changement de date ou de lieu" in mail.outbox[0].subject


def test_cancelling_an_event_mails_registrants_and_keeps_it(
    section, organiser, django_capture_on_commit_callbacks
):
    event = EventFactory(organiser=section, capacity=1)
    a, b = members(section, 2)
    register(event, a)
    register(event, b)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_cancel(actor=organiser, event=event, reason="Grève des transports")
    assert event.status == Event.Status.CANCELLED
    assert event.sequence == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    assert all("Grève des transports" in m.body for m in mail.outbox)
    with pytest.raises(ValidationError):
        services.event_update(actor=organiser, event=event, title="Autre")


def test_reminders_are_sent_once(section, django_capture_on_commit_callbacks):
    """Tomorrow's registrants get one reminder, however often the job runs."""
    tomorrow = EventFactory(organiser=section, start=in_days(1, 18), end=in_days(1, 20))
    next_week = EventFactory(organiser=section, start=in_days(7), end=in_days(7, 21))
    a, b = members(section, 2)
    RegistrationFactory(event=tomorrow, member=a)
    RegistrationFactory(event=tomorrow, member=b, status=Registration.Status.WAITING)
    RegistrationFactory(event=next_week, member=a)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(actor=SYSTEM) == 1
        assert services.reminders_send(actor=SYSTEM) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [a.email]
    assert mail.outbox[0].subject.startswith("[Fédé] Rappel")


def test_reminder_command_runs_the_same_job(section, capsys, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    event = EventFactory(organiser=section, start=in_days(1, 18), end=in_days(1, 20))
    RegistrationFactory(event=event, member=MemberFactory(section=section))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_event_reminders")
        call_command("send_event_reminders")
    assert len(mail.outbox) == 1
    assert "0 rappel" in capsys.readouterr().out


def test_a_cancelled_member_registers_again_at_the_end_of_the_queue(section):
    event = EventFactory(organiser=section, capacity=1)
    a, b = members(section, 2)
    seat = register(event, a)
    register(event, b)
    services.registration_cancel(actor=SYSTEM, registration=seat)
    again = register(event, a)
    assert again.pk == seat.pk
    assert again.status == "waiting"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_capacity(federation):
    """Twelve members ask for the last three seats at once: three seats, nine waiting."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    from fede.organization.tests.factories import make_section

    section = make_section(federation)
    event = EventFactory(organiser=section, capacity=5)
    for m in members(section, 2):
        register(event, m)
    contenders = members(section, 12)
    barrier = threading.Barrier(len(contenders))
    errors: list[BaseException] = []

    def contend(member):
        try:
            barrier.wait()
            register(event, member)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=contend, args=(m,)) for m in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    statuses = list(Registration.objects.filter(event=event).values_list("status", flat=True))
    assert statuses.count("confirmed") == 5
    assert statuses.count("waiting") == 9


def test_member_without_dues_is_up_to_date_after_paying(section):
    """The dues rule is read at registration time (no stale cache)."""
    user = make_member_user(section)
    event = EventFactory(organiser=section, visibility=Event.Visibility.UP_TO_DATE)
    with pytest.raises(ValidationError):
        register(event, user.member)
    DuesPaymentFactory(member=user.member)
    assert register(event, user.member).status == "confirmed"


def test_reminder_task_sends_the_reminders(section, django_capture_on_commit_callbacks):
    """The django-tasks task (run by the worker) does what the command does."""
    from fede.events.tasks import send_event_reminders

    event = EventFactory(organiser=section, start=in_days(1, 18), end=in_days(1, 20))
    RegistrationFactory(event=event, member=MemberFactory(section=section))
    with django_capture_on_commit_callbacks(execute=True):
        result = send_event_reminders.enqueue()
    assert result.return_value == 1
    assert len(mail.outbox) == 1


def test_former_member_is_treated_as_the_public(section):
    event = EventFactory(organiser=section, visibility=Event.Visibility.MEMBERS)
    former = MemberFactory(section=section, status="resigned")
    with pytest.raises(ValidationError, match="réservé aux adhérent"):
        register(event, former)


class BrokenMailBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_registration_succeeds_when_the_mail_server_is_down(
    section, member_user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailBackend"
    event = EventFactory(organiser=section)
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(event, member_user.member)
    registration.refresh_from_db()
    assert registration.status == "confirmed"
