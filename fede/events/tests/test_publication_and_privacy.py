"""Drafts, postponement, attendees out of the screen, links that can't be abused, and
members' names kept to those who may read the member file (issues 12, 10 and 11)."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from fede.core.access import SYSTEM
from fede.core.models import AccessLog
from fede.events import mail as event_mail
from fede.events import services
from fede.events.models import Event, EventMaterial, FeedToken, Registration, Speaker
from fede.events.tests.factories import EventFactory, RegistrationFactory, SpeakerFactory, in_days
from fede.events.tokens import TICKET, make_token
from fede.organization.models import Role
from fede.organization.tests.factories import (
    MemberFactory,
    make_federation,
    make_member_user,
    make_officer,
    make_section,
)

pytestmark = pytest.mark.django_db


def _register(event, n, section):
    rows = []
    for i in range(n):
        member = MemberFactory(section=section, last_name=f"Nom{chr(90 - i)}", first_name="Alex")
        rows.append(RegistrationFactory(event=event, member=member))
    return rows


# --- Drafts ------------------------------------------------------------------------------


def test_a_draft_is_in_no_agenda_feed_or_public_page(client, section, organiser, member_user):
    draft = EventFactory(
        organiser=section,
        title="Brouillon secret",
        visibility=Event.Visibility.PUBLIC,
        status=Event.Status.DRAFT,
    )
    pages = [
        reverse("events:agenda"),
        reverse("events:month") + f"?mois={timezone.localtime(draft.start):%Y-%m}",
        reverse("events:agenda") + "?q=secret",
        reverse("events:public_feed"),
    ]
    for user in (None, member_user, organiser):
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in pages:
            assert "Brouillon secret" not in client.get(url).content.decode(), (user, url)
    token = FeedToken.objects.create(user=organiser).token
    for url in (
        reverse("events:personal_feed", args=[token]),
        reverse("events:unit_feed", args=[token, section.pk]),
    ):
        assert "Brouillon secret" not in client.get(url).content.decode()
    # The page itself: 404 for the public and for members, a preview for organisers.
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("events:event_ics", args=[draft.pk])).status_code == 404
    client.force_login(member_user)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.post(reverse("events:register", args=[draft.pk])).status_code == 404
    client.force_login(organiser)
    preview = client.get(draft.get_absolute_url()).content.decode()
    assert "aperçu réservé aux organisateur" in preview
    client.post(reverse("events:event_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == Event.Status.PUBLISHED and draft.published_at
    client.logout()
    assert "Brouillon secret" in client.get(reverse("events:agenda")).content.decode()


def test_a_new_event_is_a_draft_and_nobody_can_register(section, organiser, member_user):
    event = services.event_create(
        actor=organiser,
        organiser=section,
        kind=Event.Kind.SECTION_MEETING,
        title="Réunion",
        start=in_days(5),
        end=in_days(5, 21),
        address="Local",
    )
    assert event.is_draft
    with pytest.raises(Exception, match="pas encore publié"):
        services.registration_create(actor=member_user, event=event, member=member_user.member)


def test_postponing_keeps_registrations_and_tells_each_registrant_once(
    section, organiser, django_capture_on_commit_callbacks
):
    event = EventFactory(organiser=section, start=in_days(5), end=in_days(5, 21))
    registrations = _register(event, 3, section)
    original = event.start
    with django_capture_on_commit_callbacks(execute=True):
        services.event_postpone(
            actor=organiser, event=event, start=in_days(12), end=in_days(12, 21), reason="Grève"
        )
    event.refresh_from_db()
    assert event.postponed_from == original and event.start == in_days(12)
    postponed = [m for m in mail.outbox if "reporté" in m.subject]
    assert sorted(m.to[0] for m in postponed) == sorted(r.email for r in registrations)
    assert all(r.status == Registration.Status.CONFIRMED for r in Registration.objects.all())


def test_cancelling_notifies_every_registrant_once(
    section, organiser, django_capture_on_commit_callbacks
):
    event = EventFactory(organiser=section)
    registrations = _register(event, 4, section)
    RegistrationFactory(
        event=event,
        member=MemberFactory(section=section),
        status=Registration.Status.CANCELLED,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(actor=organiser, event=event, reason="Salle inondée")
        services.event_cancel(actor=organiser, event=event, reason="Encore")
    cancelled = [m.to[0] for m in mail.outbox if "annulé" in m.subject]
    assert sorted(cancelled) == sorted(r.email for r in registrations)


# --- Attendees out of the screen -------------------------------------------------------------


def test_the_sign_in_sheet_holds_the_registrants_in_order(client, section, organiser):
    event = EventFactory(organiser=section)
    names = ["Zola", "Aubrac", "Michel", "Bernard"]
    for name in names:
        RegistrationFactory(event=event, member=MemberFactory(section=section, last_name=name))
    RegistrationFactory(
        event=event,
        member=MemberFactory(section=section, last_name="Absente"),
        status=Registration.Status.CANCELLED,
    )
    client.force_login(organiser)
    response = client.get(reverse("events:sign_in_sheet", args=[event.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    positions = [text.index(name.upper()) for name in sorted(names)]
    assert positions == sorted(positions)
    assert "ABSENTE" not in text
    log = AccessLog.objects.get(code="events.sign_in_sheet")
    assert log.row_count == 4


def test_registrations_export_is_logged_and_not_cached(client, section, organiser):
    event = EventFactory(organiser=section)
    _register(event, 3, section)
    client.force_login(organiser)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("events:registrations_export", args=[event.pk, fmt]))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        body = b"".join(response.streaming_content)
        assert body
        if fmt == "csv":
            assert "NomZ" in body.decode("utf-8-sig")
    assert AccessLog.objects.filter(code="events.registrations_export").count() == 2
    assert (
        client.get(reverse("events:registrations_export", args=[event.pk, "pdf"])).status_code
        == 404
    )


def test_check_in_updates_the_counter_in_the_same_response(client, section, organiser):
    event = EventFactory(organiser=section)
    (registration,) = _register(event, 1, section)
    client.force_login(organiser)
    response = client.post(
        reverse("events:attendee_toggle", args=[event.pk, registration.pk]),
        {"present": "1"},
        HTTP_HX_REQUEST="true",
    )
    content = response.content.decode()
    assert 'id="registration-' in content
    assert 'hx-swap-oob="true"' in content
    assert '<span class="fw-semibold" data-figure="present">1</span>' in content


def test_attendance_figures_of_the_series(client, section, organiser):
    past = EventFactory(organiser=section, start=in_days(-14), end=in_days(-14, 21))
    event = EventFactory(organiser=section, start=in_days(-7), end=in_days(-7, 21))
    for ev, present in ((past, 2), (event, 1)):
        for i, registration in enumerate(_register(ev, 3, section)):
            registration.attended = i < present
            registration.save()
    client.force_login(organiser)
    content = client.get(reverse("events:attendance", args=[event.pk])).content.decode()
    assert "67 %" in content and "33 %" in content


def test_attendee_page_query_count(client, section, organiser, django_assert_num_queries):
    """Session, user, the event (its few columns), its figures, the page of rows, the
    access log's line."""
    event = EventFactory(organiser=section)
    _register(event, 40, section)
    client.force_login(organiser)
    url = reverse("events:attendees", args=[event.pk])
    client.get(url)
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200


# --- Names only with the member-file capability (issue 10, item 4) ----------------------------


@pytest.fixture
def bureau(section):
    """A bureau member: organises events, may not read the member file."""
    return make_officer(section, Role.SECTION_BUREAU)


def test_a_bureau_member_gets_no_names_from_invitations_or_attendee_pages(
    client, section, bureau, organiser
):
    event = EventFactory(organiser=section, visibility=Event.Visibility.INVITATION)
    members = [MemberFactory(section=section, last_name=f"Secret{i}") for i in range(5)]
    registration = RegistrationFactory(event=event, member=members[0])
    RegistrationFactory(event=event, guest_name="Invitée", guest_email="guest@example.org")
    client.force_login(bureau)
    response = client.post(reverse("events:invitations", args=[event.pk]), {"section": section.pk})
    assert response.status_code == 400  # no "whole section" for them
    assert not event.invitations.exists()
    services.invitation_add(actor=SYSTEM, event=event, members=members)
    for url in (
        reverse("events:invitations", args=[event.pk]),
        reverse("events:attendees", args=[event.pk]),
        reverse("events:attendees", args=[event.pk]) + "?q=Secret",
    ):
        response = client.get(url)
        content = response.content.decode()
        assert response.status_code == 200
        assert not any(m.last_name in content for m in members)
        assert "guest@example.org" not in content and "Invitée" not in content
        assert "no-store" in response["Cache-Control"]
    assert (
        "5 invité·es" in client.get(reverse("events:invitations", args=[event.pk])).content.decode()
    )
    for url in (
        reverse("events:registrations_export", args=[event.pk, "csv"]),
        reverse("events:sign_in_sheet", args=[event.pk]),
    ):
        assert client.get(url).status_code == 403
    toggle = reverse("events:attendee_toggle", args=[event.pk, registration.pk])
    assert client.post(toggle, {"present": "1"}).status_code == 403
    assert not AccessLog.objects.exists()
    # The secretary (members.view) sees them, and the read is logged.
    client.force_login(organiser)
    assert "Secret0" in client.get(reverse("events:attendees", args=[event.pk])).content.decode()
    assert "Secret1" in client.get(reverse("events:invitations", args=[event.pk])).content.decode()
    assert AccessLog.objects.filter(code="events.invitations_list").count() == 1


# --- Links that can't be abused ------------------------------------------------------------------


def test_an_external_material_link_shows_an_interstitial(client, section):
    event = EventFactory(organiser=section, visibility=Event.Visibility.PUBLIC)
    material = EventMaterial.objects.create(
        event=event, title="Enregistrement", url="https://phishing.example.net/login"
    )
    response = client.get(reverse("events:material_download", args=[event.pk, material.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "phishing.example.net" in content and "quitter le site" in content
    with pytest.raises(Exception, match="http"):
        services.material_add(actor=SYSTEM, event=event, title="x", url="javascript:alert(1)")


def test_a_ticket_link_dies_with_the_registration_or_the_event(client, section, member_user):
    event = EventFactory(organiser=section)
    registration = RegistrationFactory(event=event, member=member_user.member)
    url = reverse("events:ticket", args=[make_token(registration, TICKET)])
    response = client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    response = client.post(url + "annuler/")
    assert (
        response.status_code == 200
        and member_user.member.last_name not in response.content.decode()
    )
    assert client.get(url).status_code == 404
    assert client.get(url + "calendrier.ics").status_code == 404

    other = RegistrationFactory(event=EventFactory(organiser=section), member=member_user.member)
    other_url = reverse("events:ticket", args=[make_token(other, TICKET)])
    services.event_cancel(actor=SYSTEM, event=other.event)
    assert client.get(other_url).status_code == 404


def test_a_ticket_link_expires_after_the_event(client, section, member_user):
    event = EventFactory(organiser=section, start=in_days(-3), end=in_days(-3, 21))
    registration = RegistrationFactory(event=event, member=member_user.member)
    assert (
        client.get(reverse("events:ticket", args=[make_token(registration, TICKET)])).status_code
        == 404
    )


# --- Mail races (issue 11, item 9) ---------------------------------------------------------------


def test_no_place_freed_mail_to_someone_who_cancelled_meanwhile(section):
    event = EventFactory(organiser=section, capacity=1)
    registration = RegistrationFactory(
        event=event, member=MemberFactory(section=section), status=Registration.Status.CANCELLED
    )
    mail.outbox.clear()
    assert event_mail.send_registration_mail(registration.pk, "promoted") is False
    assert not mail.outbox
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CANCELLED
    registration.status = Registration.Status.CONFIRMED
    registration.save()
    assert event_mail.send_registration_mail(registration.pk, "promoted") is True


# --- Speakers belong to a federation ------------------------------------------------------------


def test_a_lyon_officer_cannot_edit_a_paris_speaker(client, section, organiser, federation):
    lyon = make_federation(name="Fédération du Rhône", code="FED69")
    lyon_secretary = make_officer(make_section(lyon, name="Lyon 1er"), Role.SECTION_SECRETARY)
    speaker = SpeakerFactory(owner=federation, name="Historienne de Paris")
    client.force_login(lyon_secretary)
    url = reverse("events:speaker_update", args=[speaker.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "Piratée", "quality": "other"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.speaker_update(actor=lyon_secretary, speaker=speaker, bio="Changée")
    assert "Historienne de Paris" not in client.get(reverse("events:speaker_list")).content.decode()
    speaker.refresh_from_db()
    assert speaker.name == "Historienne de Paris" and speaker.bio != "Changée"
    # Paris organisers keep it; once shared, Lyon may put it on a programme (not edit it).
    client.force_login(organiser)
    assert client.get(url).status_code == 200
    lyon_event = EventFactory(organiser=lyon_secretary.member.section)
    with pytest.raises(PermissionDenied):
        services.event_speaker_add(actor=lyon_secretary, event=lyon_event, speaker=speaker)
    Speaker.objects.filter(pk=speaker.pk).update(shared=True)
    services.event_speaker_add(actor=lyon_secretary, event=lyon_event, speaker=speaker)
    with pytest.raises(PermissionDenied):
        services.speaker_update(actor=lyon_secretary, speaker=speaker, bio="Changée")


def test_a_speaker_created_from_an_event_brings_back_to_it(client, section, organiser, federation):
    event = EventFactory(organiser=section, kind=Event.Kind.CONFERENCE)
    back = reverse("events:event_speakers", args=[event.pk])
    client.force_login(organiser)
    response = client.post(
        reverse("events:speaker_create") + f"?next={back}",
        {"name": "Ada", "quality": "researcher", "next": back},
    )
    assert response.status_code == 302 and response["Location"] == back
    assert Speaker.objects.get().owner == federation
    evil = client.post(
        reverse("events:speaker_create"),
        {"name": "Bob", "quality": "researcher", "next": "https://evil.example"},
    )
    assert evil["Location"] == reverse("events:speaker_list")


def test_dates_in_mail_subjects_are_french(section, django_capture_on_commit_callbacks):
    event = EventFactory(organiser=section, start=in_days(1, 18, 30))
    member = make_member_user(section).member
    registration = RegistrationFactory(event=event, member=member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_mail.send_registration_mail(registration.pk, "reminder")
    local = timezone.localtime(event.start)
    assert f"{local:%d/%m/%Y} 18:30" in mail.outbox[0].subject
    assert isinstance(event.start, datetime.datetime)
