"""Details users notice (issue 12, item 6): mails in text and HTML from one template,
French dates, the organiser in the month view, co-organisers chosen without Ctrl-click."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fede.core.testing import mail_parts as parts
from fede.events import mail as event_mail
from fede.events import services
from fede.events.forms import EventForm, InvitationForm
from fede.events.models import Event, Registration
from fede.events.rules import registration_refusal
from fede.organization.models import Unit
from fede.organization.tests.factories import MemberFactory, make_section
from fede.rooms.models import Booking, Room, Venue

from .factories import EventFactory

pytestmark = pytest.mark.django_db

PARIS = datetime.timezone(datetime.timedelta(hours=1))
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)
START = datetime.datetime(2026, 12, 3, 19, 0, tzinfo=PARIS)
#: Pinned query counts of the pages whose unit lists this module checks.
QUERIES_EVENT_FORM = 6
QUERIES_INVITATIONS = 7


def visible_text(html: str) -> str:
    """What a reader of the HTML part sees, roughly: tags removed, entities decoded."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_confirmation_mail_has_text_and_html_with_the_same_facts(
    frozen, section, member_user, django_capture_on_commit_callbacks
):
    event = EventFactory(
        organiser=section,
        title="Logement : <quelles> réponses ?",
        start=START,
        end=START + datetime.timedelta(hours=2),
        online_url="https://visio.example.org/reunion",
        capacity=10,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(actor=member_user, event=event, member=member_user.member)
    [message] = mail.outbox
    text, html = parts(message)
    ticket_url = re.search(r"https?://\S+/evenements/inscription/\S+", text)[0]
    facts = [
        "Votre inscription est confirmée.",
        "Jeudi 3 décembre 2026, 19:00 – 21:00",
        "Section Paris 11",
        "https://visio.example.org/reunion",
        ticket_url,
        event.get_absolute_url(),
    ]
    for fact in facts:
        assert fact in text, fact
        assert fact in html, fact
    # Plain text as typed; HTML escaped, and shown as typed.
    assert "Logement : <quelles> réponses ?" in text
    assert "&lt;quelles&gt;" in html and "<quelles>" not in html
    assert "Logement : <quelles> réponses ?" in visible_text(html)
    assert html.lstrip().startswith("<!DOCTYPE html>") and 'lang="fr"' in html
    assert f'href="{ticket_url}"' in html
    assert "\n\n\n" not in text and text.rstrip().endswith(settings.FEDE_SITE_NAME)
    # The attachments stay with the two parts.
    assert [a[0] for a in message.attachments] == ["billet-qr.png", "evenement.ics"]


def test_cancellation_mail_has_the_reason_in_both_parts(
    frozen, section, organiser, django_capture_on_commit_callbacks
):
    event = EventFactory(organiser=section, start=START, end=START + datetime.timedelta(hours=2))
    Registration.objects.create(
        event=event, member=MemberFactory(section=section), status="confirmed"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(actor=organiser, event=event, reason="Grève des transports")
    [message] = mail.outbox
    text, html = parts(message)
    for fact in ("est annulé", "Grève des transports", "Jeudi 3 décembre 2026, 19:00"):
        assert fact in text and fact in visible_text(html), fact


@pytest.mark.parametrize("kind", event_mail.KINDS)
def test_every_event_mail_renders_both_parts_from_one_template(kind, section):
    """Each kind of mail has one template; both parts carry the event, the date and the
    links the text gives."""
    event = EventFactory(
        organiser=section,
        title="Assemblée de rentrée",
        start=START,
        end=START + datetime.timedelta(hours=2),
        cancellation_reason="Salle indisponible",
        postponed_from=START - datetime.timedelta(days=7),
    )
    context = {
        "event": event,
        "name": "Camille",
        "start": timezone.localtime(event.start),
        "end": timezone.localtime(event.end),
        "place": event.place_label,
        "site_name": "Fédé",
        "event_url": "https://fede.example.org/evenements/1-a/",
        "ticket_url": "https://fede.example.org/evenements/inscription/t/",
        "confirm_url": "https://fede.example.org/evenements/confirmer/c/",
    }
    text, html = event_mail.render_mail(f"events/email/{kind}.html", context)
    shown = visible_text(html)
    assert "Bonjour Camille," in text and "Bonjour Camille," in shown
    assert "Assemblée de rentrée" in text and "Assemblée de rentrée" in shown
    assert "3 décembre 2026, 19:00" in text and "3 décembre 2026, 19:00" in shown
    for url in re.findall(r"https://\S+", text):
        assert url in html, (kind, url)
    assert "<" not in text and "{%" not in text and "{%" not in html


def test_registration_refusal_gives_the_opening_date_in_french(section):
    opens = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=PARIS)
    event = EventFactory(organiser=section, start=START, registration_opens=opens)
    event.registration_enabled = True
    with time_machine.travel(NOW, tick=False):
        message = registration_refusal(event, None)
    assert message == "Les inscriptions ouvrent le 1 décembre 2026 à 09:30."


def test_booking_outside_the_event_slot_is_refused_with_french_dates(section, organiser):
    room = Room.objects.create(
        venue=Venue.objects.create(name="Maison des associations", address="1 rue X"),
        name="Salle A",
        capacity=40,
    )
    booking = Booking.objects.create(
        room=room,
        section=section,
        start=START,
        end=START + datetime.timedelta(hours=2),
        status=Booking.Status.CONFIRMED,
        purpose="AG",
        expected_attendance=20,
    )
    with time_machine.travel(NOW, tick=False), pytest.raises(ValidationError) as refused:
        services.event_create(
            actor=organiser,
            organiser=section,
            kind=Event.Kind.SECTION_MEETING,
            title="AG",
            start=START - datetime.timedelta(hours=1),
            end=START + datetime.timedelta(hours=1),
            booking=booking,
            visibility=Event.Visibility.MEMBERS,
        )
    assert "(03/12/2026 19:00 – 21:00)" in " ".join(refused.value.messages)


def test_month_view_shows_who_organises(client, section, django_assert_max_num_queries):
    event = EventFactory(
        organiser=section,
        title="Réunion du mois",
        visibility="public",
        start=START,
        end=START + datetime.timedelta(hours=2),
    )
    with django_assert_max_num_queries(3):
        response = client.get(reverse("events:month"), {"mois": "2026-12"})
    page = response.content.decode()
    # On wide screens (the grid) and on phones (the list).
    assert page.count("· Section Paris 11") == 2
    assert event.title in page


def test_co_organisers_are_boxes_in_natural_order(federation, section, organiser):
    for name in ("Paris 10", "Paris 2", "Paris 1er"):
        make_section(federation, name=name)
    other = Unit.objects.get(name="Paris 2")
    form = EventForm(
        user=organiser,
        organiser_units=Unit.objects.filter(pk=section.pk),
        initial={"co_organisers": [other]},
    )
    html = str(form["co_organisers"].as_field_group())
    assert 'type="checkbox"' in html and "multiple" not in html
    assert 'data-filter-for="id_co_organisers_choices"' in html
    assert "Ctrl" not in html
    labels = [
        unescape(x)
        for x in re.findall(r'<label[^>]*for="id_co_organisers_\d+"[^>]*>([^<]+)<', html)
    ]
    federation_first, *sections = labels
    assert federation_first == federation.name
    assert [n for n in sections if n.startswith("Paris")] == ["Paris 1er", "Paris 2", "Paris 10"]


def test_invitation_form_section_list_is_filterable_and_natural(federation, section):
    for name in ("Paris 10", "Paris 2"):
        make_section(federation, name=name)
    form = InvitationForm(
        scope_units=Unit.objects.all(), section_units=Unit.objects.filter(kind="section")
    )
    html = str(form["section"].as_field_group())
    assert 'data-filter-for="id_section"' in html
    names = re.findall(r'<option value="\d+">([^<]+)</option>', html)
    assert names.index("Paris 2") < names.index("Paris 10")


def test_speaker_created_from_an_event_ignores_a_foreign_next(client, organiser):
    client.force_login(organiser)
    page = client.get(
        reverse("events:speaker_create"), {"next": "https://phishing.example.net/"}
    ).content.decode()
    assert 'value="https://phishing' not in page
    assert 'href="https://phishing' not in page


@pytest.mark.parametrize("sections", [2, 30])
def test_event_form_query_count_does_not_grow_with_sections(
    client, federation, federal_organiser, sections, django_assert_num_queries
):
    """The co-organiser boxes list every section: the page costs the same with 2 or 30."""
    for n in range(sections):
        make_section(federation, name=f"Paris {n + 1}")
    client.force_login(federal_organiser)
    with django_assert_num_queries(QUERIES_EVENT_FORM):
        response = client.get(reverse("events:event_create"))
    html = response.content.decode()
    assert html.count('name="co_organisers"') >= sections
    names = re.findall(r">(Paris \d+)</label>", html)
    assert names == sorted(names, key=lambda n: int(n.split()[1]))


@pytest.mark.parametrize("sections", [2, 30])
def test_invitation_page_query_count_does_not_grow_with_sections(
    client, federation, section, federal_organiser, sections, django_assert_num_queries
):
    for n in range(sections):
        make_section(federation, name=f"Paris {n + 1}")
    event = EventFactory(organiser=federation, visibility=Event.Visibility.INVITATION)
    client.force_login(federal_organiser)
    with django_assert_num_queries(QUERIES_INVITATIONS):
        response = client.get(reverse("events:invitations", args=[event.pk]))
    assert response.status_code == 200
