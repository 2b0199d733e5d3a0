"""Calendars: the .ics of an event and the subscription feeds, read back with icalendar."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from fede.events import services
from fede.events.models import Event, Registration
from fede.events.tokens import TICKET, make_token

from .factories import EventFactory, RegistrationFactory, in_days

pytestmark = pytest.mark.django_db


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def vevents(calendar: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_event_ics_is_valid_and_stable_across_edits(client, section, organiser):
    """Same UID after edits; SEQUENCE goes up with each change of date or place."""
    event = EventFactory(organiser=section, visibility=Event.Visibility.PUBLIC, title="Conférence")
    url = reverse("events:event_ics", args=[event.pk])
    first = parse(client.get(url))
    assert "attachment" in client.get(url)["Content-Disposition"]
    (vevent,) = first.walk("VEVENT")
    uid = str(vevent["UID"])
    assert uid == f"event-{event.uid}@fede"
    assert int(vevent["SEQUENCE"]) == 0
    assert vevent["SUMMARY"] == "Conférence"
    assert vevent.decoded("DTSTART") == event.start
    assert str(vevent["DTSTART"].params["TZID"]) == "Europe/Paris"
    assert first.walk("VTIMEZONE")

    services.event_update(
        actor=organiser,
        event=event,
        start=event.start + datetime.timedelta(days=1),
        end=event.end + datetime.timedelta(days=1),
    )
    services.event_update(actor=organiser, event=event, address="Autre adresse, 75020 Paris")
    (vevent,) = parse(client.get(url)).walk("VEVENT")
    assert str(vevent["UID"]) == uid
    assert int(vevent["SEQUENCE"]) == 2
    assert "Autre adresse" in str(vevent["LOCATION"])


def test_cancelled_event_stays_in_the_public_feed_as_cancelled(client, section, organiser):
    event = EventFactory(organiser=section, visibility=Event.Visibility.PUBLIC)
    services.event_cancel(actor=organiser, event=event, reason="Intempéries")
    feed = vevents(parse(client.get(reverse("events:public_feed"))))
    vevent = feed[event.ics_uid]
    assert vevent["STATUS"] == "CANCELLED"
    assert int(vevent["SEQUENCE"]) == 1


def test_public_feed_leaves_out_members_only_events(client, section):
    public = EventFactory(organiser=section, visibility=Event.Visibility.PUBLIC)
    internal = EventFactory(organiser=section, visibility=Event.Visibility.MEMBERS)
    response = client.get(reverse("events:public_feed"))
    assert "inline" in response["Content-Disposition"]
    feed = vevents(parse(response))
    assert public.ics_uid in feed
    assert internal.ics_uid not in feed


def test_personal_feed_works_without_cookies_and_shows_my_events(client, section, member_user):
    member = member_user.member
    mine = EventFactory(organiser=section, title="Ma réunion")
    dropped = EventFactory(organiser=section, title="Réunion quittée")
    other = EventFactory(organiser=section, title="Pas inscrit")
    RegistrationFactory(event=mine, member=member)
    RegistrationFactory(event=dropped, member=member, status=Registration.Status.CANCELLED)
    token = services.feed_token_get(actor=member_user).token
    feed = vevents(parse(client.get(reverse("events:personal_feed", args=[token]))))
    assert feed[mine.ics_uid]["STATUS"] == "CONFIRMED"
    assert feed[dropped.ics_uid]["STATUS"] == "CANCELLED"  # removed from the subscribed calendar
    assert int(feed[dropped.ics_uid]["SEQUENCE"]) == 1
    assert other.ics_uid not in feed


def test_unit_feed_shows_only_what_the_token_user_may_see(
    client, section, other_section, member_user
):
    """A section's feed through a member's token: members events yes, other units' restricted ones no."""
    members_event = EventFactory(organiser=section, visibility=Event.Visibility.MEMBERS)
    unit_only = EventFactory(organiser=section, visibility=Event.Visibility.UNIT_MEMBERS)
    invitation = EventFactory(organiser=section, visibility=Event.Visibility.INVITATION)
    elsewhere = EventFactory(organiser=other_section, visibility=Event.Visibility.UNIT_MEMBERS)
    token = services.feed_token_get(actor=member_user).token
    feed = vevents(parse(client.get(reverse("events:unit_feed", args=[token, section.pk]))))
    assert members_event.ics_uid in feed and unit_only.ics_uid in feed
    assert invitation.ics_uid not in feed
    other = vevents(parse(client.get(reverse("events:unit_feed", args=[token, other_section.pk]))))
    assert elsewhere.ics_uid not in other


def test_bad_or_renewed_token_is_404(client, member_user, section):
    old = services.feed_token_get(actor=member_user).token
    assert client.get(reverse("events:personal_feed", args=["inconnu"])).status_code == 404
    services.feed_token_renew(actor=member_user)
    assert client.get(reverse("events:personal_feed", args=[old])).status_code == 404
    member_user.is_active = False
    member_user.save()
    new = services.feed_token_get(actor=member_user).token
    assert client.get(reverse("events:personal_feed", args=[new])).status_code == 404


def test_feeds_page_gives_the_addresses(client, member_user, section):
    client.force_login(member_user)
    response = client.get(reverse("events:feeds"))
    token = services.feed_token_get(actor=member_user).token
    content = response.content.decode()
    assert f"/evenements/flux/{token}/mes-evenements.ics" in content
    assert f"/evenements/flux/{token}/unite-{section.pk}.ics" in content
    client.post(reverse("events:feed_renew"))
    assert services.feed_token_get(actor=member_user).token != token


def test_ticket_ics_works_for_members_events_without_login(client, section, member_user):
    event = EventFactory(organiser=section, visibility=Event.Visibility.MEMBERS)
    registration = RegistrationFactory(event=event, member=member_user.member)
    token = make_token(registration, TICKET)
    (vevent,) = parse(client.get(reverse("events:ticket_ics", args=[token]))).walk("VEVENT")
    assert str(vevent["UID"]) == event.ics_uid


def test_feeds_keep_recent_past_but_not_old_events(client, section):
    recent = EventFactory(
        organiser=section, visibility="public", start=in_days(-30), end=in_days(-30, 21)
    )
    old = EventFactory(
        organiser=section, visibility="public", start=in_days(-200), end=in_days(-200, 21)
    )
    feed = vevents(parse(client.get(reverse("events:public_feed"))))
    assert recent.ics_uid in feed and old.ics_uid not in feed


def test_public_feed_query_count(client, section, django_assert_max_num_queries):
    for _ in range(30):
        EventFactory(organiser=section, visibility="public")
    with django_assert_max_num_queries(1):
        assert client.get(reverse("events:public_feed")).status_code == 200


def test_video_link_is_only_in_the_calendars_of_registered_people(client, section, member_user):
    event = EventFactory(
        organiser=section,
        visibility=Event.Visibility.PUBLIC,
        online_url="https://visio.example.org/salle-secrete",
    )
    public = client.get(reverse("events:event_ics", args=[event.pk])).content.decode()
    assert "salle-secrete" not in public
    registration = RegistrationFactory(event=event, member=member_user.member)
    ticket = reverse("events:ticket_ics", args=[make_token(registration, TICKET)])
    assert "salle-secrete" in client.get(ticket).content.decode()
    client.force_login(member_user)
    mine = client.get(reverse("events:event_ics", args=[event.pk])).content.decode()
    assert "salle-secrete" in mine
