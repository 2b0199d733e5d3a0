"""Authorisation in the services, their audit trail, the access log, history restores and
the rate limit of guest registrations."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from fede.core.access import SYSTEM
from fede.core.models import AccessLog, AuditEntry
from fede.events import services
from fede.events.models import Event, EventSpeaker, Invitation, Registration, Speaker
from fede.organization.models import Role
from fede.organization.tests.factories import MemberFactory, make_officer

from .factories import EventFactory, RegistrationFactory, SpeakerFactory, in_days

pytestmark = pytest.mark.django_db

HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


def events_entries():
    """This app's entries (the factories of other apps write their own)."""
    return AuditEntry.objects.filter(code__startswith="events.")


def only_entry(code):
    entries = list(AuditEntry.objects.filter(code=code))
    assert len(entries) == 1, [e.code for e in AuditEntry.objects.all()]
    return entries[0]


def assert_rendered(entry, *fragments):
    """The entry reads as a sentence, with its parameters filled in, in French and English."""
    with translation.override("fr"):
        text = entry.text
        assert "%(" not in text
        for fragment in fragments:
            assert fragment in text
    with translation.override("en"):
        text = entry.text
        assert text and "%(" not in text
        for fragment in fragments:
            assert fragment in text


# --- audit of the organisers' writes -----------------------------------------------------


def test_event_create_update_and_cancel_are_audited(section, organiser):
    """Each write of an event leaves an entry: who, which event, which fields changed."""
    event = services.event_create(
        actor=organiser,
        organiser=section,
        kind=Event.Kind.SECTION_MEETING,
        title="Assemblée de rentrée",
        start=in_days(10),
        end=in_days(10, 21),
        address="1 rue Oberkampf, 75011 Paris",
    )
    created = only_entry("events.event_create")
    assert created.actor == organiser
    assert created.object_id == str(event.pk)
    assert created.scope_path == section.path
    assert_rendered(created, str(event.pk))
    assert "Création" in created.text

    services.event_update(actor=organiser, event=event, title="Assemblée générale", capacity=30)
    updated = only_entry("events.event_update")
    assert updated.actor == organiser
    assert updated.object_id == str(event.pk)
    assert updated.changes == {
        "title": ["Assemblée de rentrée", "Assemblée générale"],
        "capacity": [None, 30],
    }
    assert_rendered(updated, str(event.pk))

    assert event.status == Event.Status.DRAFT  # a new event starts as a draft
    services.event_publish(actor=organiser, event=event)
    published = only_entry("events.event_publish")
    assert published.changes == {"status": ["draft", "published"]}
    assert_rendered(published, str(event.pk))

    services.event_cancel(actor=organiser, event=event, reason="Grève")
    cancelled = only_entry("events.event_cancel")
    assert cancelled.changes == {"status": ["published", "cancelled"]}
    assert_rendered(cancelled, str(event.pk))


def test_speakers_and_programme_are_audited(section, organiser):
    speaker = services.speaker_create(actor=organiser, name="Ada", quality="researcher")
    entry = only_entry("events.speaker_create")
    assert (entry.actor, entry.object_id) == (organiser, str(speaker.pk))
    assert "Ada" not in str(entry.params)  # ids, never a person's name

    services.speaker_update(actor=organiser, speaker=speaker, affiliation="Université")
    assert only_entry("events.speaker_update").changes == {"affiliation": ["", "Université"]}

    event = EventFactory(organiser=section)
    link = services.event_speaker_add(actor=organiser, event=event, speaker=speaker)
    added = only_entry("events.programme_add")
    assert added.params["event"] == event.pk and added.params["speaker"] == speaker.pk
    assert added.scope_path == section.path
    assert_rendered(added, str(event.pk), str(speaker.pk))
    link_pk = link.pk
    services.event_speaker_remove(actor=organiser, link=link)
    assert only_entry("events.programme_remove").object_id == str(link_pk)


def test_check_in_is_audited(section, organiser, member_user):
    event = EventFactory(organiser=section)
    registration = RegistrationFactory(event=event, member=member_user.member)
    services.registration_check_in(actor=organiser, registration=registration, present=True)
    entry = only_entry("events.check_in")
    assert entry.actor == organiser
    assert entry.object_id == str(registration.pk)
    assert entry.changes == {"attended": [False, True]}
    assert entry.scope_path == section.path
    assert_rendered(entry, str(registration.pk), str(event.pk))
    services.registration_check_in(actor=organiser, registration=registration, present=False)
    assert only_entry("events.check_in_undo").changes == {"attended": [True, False]}


def test_invitations_are_audited(section, organiser):
    event = EventFactory(organiser=section, visibility=Event.Visibility.INVITATION)
    guests = [MemberFactory(section=section) for _ in range(2)]
    services.invitation_add(actor=organiser, event=event, members=guests)
    entry = only_entry("events.invitation_add")
    assert entry.params == {"event": event.pk, "count": 2}
    assert_rendered(entry, "2", str(event.pk))
    invitation = Invitation.objects.filter(event=event).first()
    invitation_pk = invitation.pk
    services.invitation_remove(actor=organiser, invitation=invitation)
    assert only_entry("events.invitation_remove").object_id == str(invitation_pk)


def test_self_registration_is_not_audited_but_an_organiser_registering_someone_is(
    section, organiser, member_user
):
    event = EventFactory(organiser=section)
    services.registration_create(actor=member_user, event=event, member=member_user.member)
    assert not events_entries().exists()
    other = MemberFactory(section=section)
    registration = services.registration_create(actor=organiser, event=event, member=other)
    entry = only_entry("events.registration_create")
    assert entry.object_id == str(registration.pk)
    assert_rendered(entry, str(registration.pk))


def test_system_writes_are_recorded_as_the_system(section):
    event = services.event_create(
        actor=SYSTEM,
        organiser=section,
        kind=Event.Kind.SECTION_MEETING,
        title="Import",
        start=in_days(3),
        end=in_days(3, 21),
        address="Paris",
    )
    entry = only_entry("events.event_create")
    assert entry.by_system and entry.actor is None
    assert event.created_by is None


# --- services refuse actors without the capability ---------------------------------------


def test_services_refuse_a_member_without_the_capability_and_write_nothing(section, member_user):
    """A plain member calling an organiser's service gets PermissionDenied; nothing changes."""
    event = EventFactory(organiser=section, title="Avant")
    other = MemberFactory(section=section)
    registration = RegistrationFactory(event=event, member=other)
    speaker = SpeakerFactory()
    attempts = [
        lambda: services.event_create(
            actor=member_user,
            organiser=section,
            kind=Event.Kind.SECTION_MEETING,
            title="Pirate",
            start=in_days(3),
            end=in_days(3, 21),
            address="Paris",
        ),
        lambda: services.event_update(actor=member_user, event=event, title="Après"),
        lambda: services.event_cancel(actor=member_user, event=event),
        lambda: services.speaker_create(actor=member_user, name="X", quality="other"),
        lambda: services.speaker_update(actor=member_user, speaker=speaker, name="Y"),
        lambda: services.event_speaker_add(actor=member_user, event=event, speaker=speaker),
        lambda: services.registration_check_in(
            actor=member_user, registration=registration, present=True
        ),
        lambda: services.registration_create(actor=member_user, event=event, member=other),
        lambda: services.registration_cancel(actor=member_user, registration=registration),
        lambda: services.invitation_add(actor=member_user, event=event, members=[other]),
        lambda: services.material_add(
            actor=member_user, event=event, title="T", url="https://x.fr"
        ),
        lambda: services.reminders_send(actor=member_user),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    event.refresh_from_db()
    registration.refresh_from_db()
    speaker.refresh_from_db()
    assert event.title == "Avant" and event.status == Event.Status.PUBLISHED
    assert registration.status == Registration.Status.CONFIRMED and not registration.attended
    assert speaker.name != "Y"
    assert Event.objects.count() == 1
    assert Speaker.objects.count() == 1
    assert not EventSpeaker.objects.exists()
    assert not Invitation.objects.exists()
    assert Registration.objects.count() == 1
    assert not events_entries().exists()


def test_organiser_of_another_section_cannot_touch_the_event(section, other_section):
    outsider = make_officer(other_section, Role.SECTION_SECRETARY)
    event = EventFactory(organiser=section, title="Avant")
    with pytest.raises(PermissionDenied):
        services.event_update(actor=outsider, event=event, title="Après")
    event.refresh_from_db()
    assert event.title == "Avant"
    assert not events_entries().exists()


# --- access log ----------------------------------------------------------------------------


def test_attendee_list_is_logged_with_a_code_and_the_event_scope(client, section, organiser):
    event = EventFactory(organiser=section)
    client.force_login(organiser)
    client.get(reverse("events:attendees", args=[event.pk]), {"q": "Dupont"})
    log = AccessLog.objects.get(code="events.attendees_list")
    assert log.params == {"event": event.pk}
    assert log.scope_path == section.path
    assert str(event.pk) in log.text


# --- history restore -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["agenda", "month", "manage", "speaker_list", "attendees", "invitations", "my_events"]
)
def test_list_pages_answer_a_history_restore_with_the_full_page(client, section, organiser, page):
    event = EventFactory(organiser=section)
    args = [event.pk] if page in ("attendees", "invitations") else []
    url = reverse(f"events:{page}", args=args)
    client.force_login(organiser)
    full = client.get(url, headers=HISTORY_RESTORE)
    assert full.status_code == 200
    assert b"<html" in full.content
    partial = client.get(url, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert "HX-Request" in full["Vary"]


# --- rate limit of guest registrations ----------------------------------------------------


def test_guest_registration_is_rate_limited_per_address(client, section):
    """Past ten requests a minute from one address, the form answers 429 in French."""
    event = EventFactory(organiser=section, visibility=Event.Visibility.PUBLIC, capacity=100)
    url = reverse("events:guest_register", args=[event.pk])
    for n in range(10):
        response = client.post(url, {"name": f"Invité {n}", "email": f"invite{n}@example.org"})
        assert response.status_code == 200
    response = client.post(url, {"name": "Encore", "email": "encore@example.org"})
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    assert not Registration.objects.filter(guest_email="encore@example.org").exists()


def test_guest_registration_is_rate_limited_per_email(client, section):
    """One e-mail address gets at most twenty requests an hour, whatever the client address."""
    event = EventFactory(organiser=section, visibility=Event.Visibility.PUBLIC)
    url = reverse("events:guest_register", args=[event.pk])
    data = {"name": "Lou", "email": "lou@example.org"}
    for n in range(20):
        response = client.post(url, data, REMOTE_ADDR=f"10.0.0.{n + 1}")
        assert response.status_code == 200
    response = client.post(url, data, REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
