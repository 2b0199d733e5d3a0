"""Pages of events as members, guests and organisers use them."""

import datetime
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fede.core.models import AccessLog
from fede.events.models import (
    Event,
    EventMaterial,
    EventSpeaker,
    Invitation,
    Registration,
    Speaker,
)
from fede.events.tokens import CHECKIN, TICKET, make_token
from fede.organization.models import Role
from fede.organization.tests.factories import MemberFactory, make_member_user, make_officer

from .factories import (
    EventFactory,
    EventSpeakerFactory,
    RegistrationFactory,
    SpeakerFactory,
    in_days,
)

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def link_in(body: str, fragment: str) -> str:
    match = re.search(r"https?://[^\s]+" + re.escape(fragment) + r"[^\s]*", body)
    assert match, body
    return re.sub(r"^https?://[^/]+", "", match.group(0))


# --- agenda and event page ---------------------------------------------------------------


def test_anonymous_visitor_sees_public_events_only(client, section):
    EventFactory(organiser=section, title="Conférence ouverte", visibility=Event.Visibility.PUBLIC)
    EventFactory(organiser=section, title="Réunion interne", visibility=Event.Visibility.MEMBERS)
    response = client.get(reverse("events:agenda"))
    assert response.status_code == 200
    assert "Conférence ouverte" in response.content.decode()
    assert "Réunion interne" not in response.content.decode()


def test_members_only_event_page_is_404_for_anonymous(client, section):
    event = EventFactory(organiser=section, visibility=Event.Visibility.MEMBERS)
    assert client.get(event.get_absolute_url()).status_code == 404
    assert client.get(reverse("events:event_ics", args=[event.pk])).status_code == 404


def test_member_sees_members_events_and_registers_in_one_click(
    client, section, member_user, django_capture_on_commit_callbacks
):
    event = EventFactory(organiser=section, title="Assemblée de rentrée", capacity=30)
    client.force_login(member_user)
    page = client.get(event.get_absolute_url())
    assert page.status_code == 200
    assert "M&#x27;inscrire" in page.content.decode() or "M'inscrire" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:register", args=[event.pk]), follow=True)
    content = response.content.decode()
    assert "Vous êtes inscrit·e" in content
    assert "data:image/svg+xml;base64," in content  # the check-in QR code
    assert Registration.objects.get(event=event).member == member_user.member
    assert len(mail.outbox) == 1


def test_get_on_register_changes_nothing(client, section, member_user):
    event = EventFactory(organiser=section)
    client.force_login(member_user)
    assert client.get(reverse("events:register", args=[event.pk])).status_code == 405
    assert not Registration.objects.exists()


def test_lapsed_member_sees_the_dues_message_on_the_page_and_on_post(client, section, lapsed_user):
    event = EventFactory(organiser=section, visibility=Event.Visibility.UP_TO_DATE)
    client.force_login(lapsed_user)
    message = "Cet événement est réservé aux adhérent·es à jour de cotisation."
    assert message in client.get(event.get_absolute_url()).content.decode()
    response = client.post(reverse("events:register", args=[event.pk]), follow=True)
    assert message in response.content.decode()
    assert not Registration.objects.exists()


def test_conference_page_shows_programme_and_speakers(client, section):
    event = EventFactory(
        organiser=section,
        kind=Event.Kind.CONFERENCE,
        visibility=Event.Visibility.PUBLIC,
        programme="1. Accueil\n2. **Débat** avec la salle",
        description="<script>alert(1)</script>Un débat.",
    )
    EventSpeakerFactory(event=event, speaker=SpeakerFactory(name="Jeanne Exemple"))
    EventSpeakerFactory(
        event=event, speaker=SpeakerFactory(name="Paul Modèle"), part=EventSpeaker.Part.MODERATOR
    )
    content = client.get(event.get_absolute_url()).content.decode()
    assert "<strong>Débat</strong>" in content
    assert "Jeanne Exemple" in content and "Modérateur·rice" in content
    assert "<script>alert(1)</script>" not in content


def test_event_page_with_wrong_slug_redirects(client, section):
    event = EventFactory(organiser=section, visibility=Event.Visibility.PUBLIC)
    response = client.get(reverse("events:event_detail", args=[event.pk, "ancien-titre"]))
    assert response.status_code == 301
    assert response["Location"] == event.get_absolute_url()
    assert client.get(reverse("events:event_short", args=[event.pk])).status_code == 302


def test_agenda_filters_by_kind_arrondissement_organiser_and_search(client, federation):
    from fede.organization.tests.factories import TerritoryFactory, make_section

    eleventh = make_section(
        federation, name="Paris 11", territory=TerritoryFactory(number=11, code="75111")
    )
    twentieth = make_section(
        federation, name="Paris 20", territory=TerritoryFactory(number=20, code="75120")
    )
    public = Event.Visibility.PUBLIC
    EventFactory(
        organiser=eleventh,
        title="Formation trésorerie",
        kind=Event.Kind.TRAINING,
        visibility=public,
    )
    EventFactory(
        organiser=twentieth,
        title="Conférence logement",
        kind=Event.Kind.CONFERENCE,
        visibility=public,
    )
    url = reverse("events:agenda")

    def titles(**params):
        content = client.get(url, params).content.decode()
        return {t for t in ("Formation trésorerie", "Conférence logement") if t in content}

    assert titles() == {"Formation trésorerie", "Conférence logement"}
    assert titles(kind="training") == {"Formation trésorerie"}
    assert titles(arrondissement=20) == {"Conférence logement"}
    assert titles(organiser=eleventh.pk) == {"Formation trésorerie"}
    assert titles(q="logement") == {"Conférence logement"}
    assert titles(kind="nimporte") == {"Formation trésorerie", "Conférence logement"}


def test_agenda_partial_for_htmx(client, section):
    EventFactory(organiser=section, title="Réunion publique", visibility=Event.Visibility.PUBLIC)
    response = client.get(
        reverse("events:agenda"),
        {"kind": ""},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="agenda-results",
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="agenda-results"')
    assert "<html" not in content
    assert "Réunion publique" in content


def test_past_events_are_listed_apart(client, section):
    EventFactory(
        organiser=section,
        title="Réunion ancienne",
        visibility="public",
        start=in_days(-10),
        end=in_days(-10, 21),
    )
    EventFactory(organiser=section, title="Futur", visibility="public")
    assert "Réunion ancienne" not in client.get(reverse("events:agenda")).content.decode()
    assert (
        "Réunion ancienne"
        in client.get(reverse("events:agenda"), {"periode": "passes"}).content.decode()
    )


def test_month_view_lists_the_month_events(client, section):
    start = in_days(3)
    EventFactory(
        organiser=section,
        title="Réunion du mois",
        visibility="public",
        start=start,
        end=start + datetime.timedelta(hours=2),
    )
    response = client.get(reverse("events:month"), {"mois": f"{start:%Y-%m}"})
    assert response.status_code == 200
    assert "Réunion du mois" in response.content.decode()
    partial = client.get(
        reverse("events:month"),
        {"mois": f"{start:%Y-%m}"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="month-calendar",
    ).content.decode()
    assert partial.lstrip().startswith('<section id="month-calendar"')
    assert client.get(reverse("events:month"), {"mois": "n'importe"}).status_code == 200


def test_month_cells_written_in_python(client, section):
    """The grid and the small-screen list (rendering.month_rows / month_list): title,
    organiser, a cancelled event struck through, "+ N autres" beyond three a day."""
    start = in_days(3).replace(hour=18, minute=0)
    for i in range(4):
        EventFactory(
            organiser=section,
            title=f"Réunion <{i}>",
            visibility="public",
            status="cancelled" if i == 0 else "published",
            start=start + datetime.timedelta(minutes=i),
            end=start + datetime.timedelta(hours=2),
        )
    html = client.get(reverse("events:month"), {"mois": f"{start:%Y-%m}"}).content.decode()
    assert "Réunion &lt;0&gt;" in html and "Réunion &lt;2&gt;" in html
    assert "Réunion &lt;3&gt;" not in html
    assert "month-event text-decoration-line-through" in html
    assert '<span class="visually-hidden">(annulé)</span>' in html
    assert '<span class="badge text-bg-danger">Annulé</span>' in html
    assert f"· {section.name}</span>" in html
    assert "+ 1 autre" in html


#: Session, user, member record, the filter lists (arrondissements, federations, the
#: member's federation's sections: kept after the first request of the process), and the
#: page's one statement (the agenda's page and count together).
AGENDA_QUERIES = {"agenda": 7, "month": 7, "partial": 7}


@pytest.mark.parametrize("page", ["agenda", "month", "partial"])
def test_agenda_query_count_does_not_grow_with_events(
    client, federation, member_user, django_assert_num_queries, page
):
    """Forty events with speakers, registrations, co-organisers and rooms: a fixed number of queries."""
    from fede.organization.tests.factories import make_section

    sections = [make_section(federation) for _ in range(4)]
    for i in range(40):
        event = EventFactory(
            organiser=sections[i % 4],
            visibility=[
                Event.Visibility.PUBLIC,
                Event.Visibility.MEMBERS,
                Event.Visibility.UNIT_MEMBERS,
            ][i % 3],
            capacity=10,
            start=in_days(1 + i % 20),
            end=in_days(1 + i % 20, 21),
        )
        event.co_organisers.add(sections[(i + 1) % 4])
        RegistrationFactory(event=event, member=MemberFactory(section=sections[0]))
    client.force_login(member_user)
    url, params, headers = {
        "agenda": (reverse("events:agenda"), {}, {}),
        "month": (reverse("events:month"), {}, {}),
        "partial": (
            reverse("events:agenda"),
            {"kind": "section_meeting"},
            {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "agenda-results"},
        ),
    }[page]
    with django_assert_num_queries(AGENDA_QUERIES[page]):
        response = client.get(url, params, **headers)
    assert response.status_code == 200


@pytest.mark.parametrize("parts", [(), ("speakers",), ("speakers", "materials", "co_organisers")])
def test_event_page_query_count(
    client, section, other_section, member_user, parts, django_assert_num_queries
):
    """Session, user, member record, the event (with whether it has speakers, documents
    and co-organisers), its figures and the visitor's registration; then one query for
    each of its speakers, documents and co-organisers, only when it has some — and the
    page shows them."""
    event = EventFactory(organiser=section, kind=Event.Kind.CONFERENCE, capacity=100)
    for _ in range(8):
        RegistrationFactory(event=event, member=MemberFactory(section=section))
    if "speakers" in parts:
        for _ in range(3):
            EventSpeakerFactory(event=event)
    if "materials" in parts:
        EventMaterial.objects.create(
            event=event, title="Compte rendu <final>", url="https://example.org/cr"
        )
    if "co_organisers" in parts:
        event.co_organisers.add(other_section)
    client.force_login(member_user)
    with django_assert_num_queries(5 + len(parts)):
        response = client.get(event.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert ("Compte rendu &lt;final&gt;" in html) == ("materials" in parts)
    assert (f"{section.name}, {other_section.name}" in html) == ("co_organisers" in parts)
    speakers = [part.speaker.name for part in event.speaker_parts.all()]
    assert all(name in html for name in speakers) and len(speakers) == 3 * ("speakers" in parts)


# --- guests and tokens -------------------------------------------------------------------


def test_guest_registers_confirms_by_mail_and_cancels_without_login(
    client, section, django_capture_on_commit_callbacks
):
    event = EventFactory(organiser=section, visibility=Event.Visibility.PUBLIC, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:guest_register", args=[event.pk]),
            {"name": "Lou Invitée", "email": "lou@example.org"},
        )
    assert response.status_code == 200
    assert "Vérifiez votre messagerie" in response.content.decode()
    assert Registration.objects.get().status == "pending"

    confirm_url = link_in(mail.outbox[0].body, "/confirmer/")
    page = client.get(confirm_url)
    assert "Je confirme mon inscription" in page.content.decode()
    assert Registration.objects.get().status == "pending"  # nothing changes on GET
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(confirm_url, follow=True)
    assert "Votre inscription est confirmée" in response.content.decode()
    assert Registration.objects.get().status == "confirmed"

    ticket_url = link_in(mail.outbox[-1].body, "/evenements/inscription/")
    ics = client.get(ticket_url + "calendrier.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    response = client.post(ticket_url + "annuler/", follow=True)
    assert "Votre inscription est annulée" in response.content.decode()
    assert Registration.objects.get().status == "cancelled"


def test_guest_form_errors_are_shown_next_to_the_fields(client, section):
    event = EventFactory(organiser=section, visibility=Event.Visibility.PUBLIC)
    response = client.post(
        reverse("events:guest_register", args=[event.pk]), {"name": "", "email": "pas-une-adresse"}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Ce champ est obligatoire" in content
    assert "Saisissez une adresse de courriel valide" in content
    assert not Registration.objects.exists()


def test_guest_cannot_register_for_members_events(client, section):
    event = EventFactory(organiser=section, visibility=Event.Visibility.MEMBERS)
    response = client.post(
        reverse("events:guest_register", args=[event.pk]), {"name": "X", "email": "x@example.org"}
    )
    assert response.status_code == 404


def test_forged_or_cross_purpose_tokens_are_refused(client, section, member_user):
    event = EventFactory(organiser=section)
    registration = RegistrationFactory(event=event, member=member_user.member)
    checkin = make_token(registration, CHECKIN)
    assert client.get(reverse("events:ticket", args=[checkin])).status_code == 404
    assert client.get(reverse("events:ticket", args=["abc:def"])).status_code == 404
    assert client.post(reverse("events:ticket_cancel", args=[checkin])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == "confirmed"


# --- my events and feeds -----------------------------------------------------------------


def test_my_events_lists_upcoming_past_attendance_and_trainings(client, section, member_user):
    member = member_user.member
    upcoming = EventFactory(organiser=section, title="Prochaine réunion")
    waiting = EventFactory(organiser=section, title="Conférence complète")
    training = EventFactory(
        organiser=section,
        title="Formation prise de parole",
        kind=Event.Kind.TRAINING,
        start=in_days(-30),
        end=in_days(-30, 22),
    )
    missed = EventFactory(
        organiser=section, title="Réunion manquée", start=in_days(-20), end=in_days(-20, 22)
    )
    RegistrationFactory(event=upcoming, member=member)
    RegistrationFactory(event=waiting, member=member, status=Registration.Status.WAITING)
    RegistrationFactory(event=training, member=member, attended=True)
    RegistrationFactory(event=missed, member=member, attended=False)
    client.force_login(member_user)
    content = client.get(reverse("events:my_events")).content.decode()
    assert "Prochaine réunion" in content and "Conférence complète" in content
    assert "Liste d&#x27;attente" in content or "Liste d'attente" in content
    assert "Formation prise de parole" in content
    assert "Absent·e" in content and "Présent·e" in content


def test_my_events_needs_login(client):
    response = client.get(reverse("events:my_events"))
    assert response.status_code == 302
    assert "/compte/login/" in response["Location"]


# --- organisers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("secretary", 200),
        ("bureau", 200),
        ("federal_secretary", 200),
        ("treasurer", 403),
        ("member", 403),
        ("other_secretary", 404),
    ],
)
def test_attendee_list_permission_per_role(
    client, section, other_section, federation, who, expected
):
    event = EventFactory(organiser=section)
    user = {
        "secretary": lambda: make_officer(section, Role.SECTION_SECRETARY),
        "bureau": lambda: make_officer(section, Role.SECTION_BUREAU),
        "federal_secretary": lambda: make_officer(
            federation, Role.FEDERAL_SECRETARY, section=section
        ),
        "treasurer": lambda: make_officer(section, Role.SECTION_TREASURER),
        "member": lambda: make_member_user(section),
        "other_secretary": lambda: make_officer(other_section, Role.SECTION_SECRETARY),
    }[who]()
    client.force_login(user)
    assert client.get(reverse("events:attendees", args=[event.pk])).status_code == expected
    assert client.get(reverse("events:event_update", args=[event.pk])).status_code == expected


def test_organiser_searches_attendees_and_checks_them_in(
    client, section, organiser, django_assert_max_num_queries
):
    event = EventFactory(organiser=section, start=in_days(0, 0, 1), end=in_days(0, 23, 59))
    for i in range(30):
        RegistrationFactory(
            event=event, member=MemberFactory(section=section, last_name=f"Nom{i:02d}")
        )
    target = RegistrationFactory(
        event=event, member=MemberFactory(section=section, last_name="Zéphyrine")
    )
    client.force_login(organiser)
    with django_assert_max_num_queries(6):
        page = client.get(reverse("events:attendees", args=[event.pk]))
    assert page.status_code == 200
    assert AccessLog.objects.filter(action="list", object_id=str(event.pk)).exists()
    with django_assert_max_num_queries(7):
        partial = client.get(
            reverse("events:attendees", args=[event.pk]),
            {"q": "zéph"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="attendee-rows",
        ).content.decode()
    assert "Zéphyrine" in partial and "Nom01" not in partial and "<html" not in partial
    row = client.post(
        reverse("events:attendee_toggle", args=[event.pk, target.pk]),
        {"present": "1"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert row.lstrip().startswith(f'<tr id="registration-{target.pk}"')
    assert 'aria-pressed="true"' in row
    target.refresh_from_db()
    assert target.attended and target.checked_in_by == organiser


def test_qr_code_check_in(client, section, organiser, member_user):
    event = EventFactory(organiser=section)
    registration = RegistrationFactory(event=event, member=member_user.member)
    url = reverse("events:checkin_scan", args=[event.pk, make_token(registration, CHECKIN)])
    client.force_login(member_user)
    assert client.get(url).status_code == 403  # a member cannot check themself in
    client.force_login(organiser)
    page = client.get(url)
    assert member_user.member.full_name in page.content.decode()
    registration.refresh_from_db()
    assert not registration.attended
    client.post(url)
    registration.refresh_from_db()
    assert registration.attended
    ticket = reverse("events:checkin_scan", args=[event.pk, make_token(registration, TICKET)])
    assert client.get(ticket).status_code == 404


def test_organiser_creates_an_event_with_an_image(client, section, organiser):
    client.force_login(organiser)
    assert client.get(reverse("events:event_create")).status_code == 200
    start = in_days(15)
    data = {
        "organiser": section.pk,
        "kind": Event.Kind.CONFERENCE,
        "title": "Quelle ville pour demain ?",
        "description": "Un débat.",
        "start": f"{start:%Y-%m-%dT%H:%M}",
        "end": f"{start + datetime.timedelta(hours=2):%Y-%m-%dT%H:%M}",
        "address": "Maison des associations",
        "visibility": Event.Visibility.PUBLIC,
        "registration_enabled": "on",
        "capacity": "80",
        "image": SimpleUploadedFile("affiche.png", PNG, content_type="image/png"),
        "image_alt": "Affiche",
    }
    response = client.post(reverse("events:event_create"), data)
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert event.image.name.startswith("evenements/") and event.image.name.endswith(".png")
    image = client.get(reverse("events:event_image", args=[event.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_event_form_shows_errors_in_french(client, section, other_section, organiser):
    client.force_login(organiser)
    start = in_days(15)
    response = client.post(
        reverse("events:event_create"),
        {
            "organiser": other_section.pk,
            "kind": "conference",
            "title": "",
            "start": f"{start:%Y-%m-%dT%H:%M}",
            "end": f"{start - datetime.timedelta(hours=2):%Y-%m-%dT%H:%M}",
            "visibility": "public",
            "image": SimpleUploadedFile("x.png", b"not an image"),
        },
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Sélectionnez un choix valide" in content  # not one of the user's units
    assert "Ce champ est obligatoire" in content
    assert (
        "type de fichier n&#x27;est pas accepté" in content
        or "type de fichier n'est pas accepté" in content
    )
    assert not Event.objects.exists()


def test_organiser_edits_and_cancels(
    client, section, organiser, member_user, django_capture_on_commit_callbacks
):
    event = EventFactory(organiser=section, title="Réunion", capacity=5)
    RegistrationFactory(event=event, member=member_user.member)
    client.force_login(organiser)
    form = client.get(reverse("events:event_update", args=[event.pk]))
    assert form.status_code == 200
    data = {
        "organiser": section.pk,
        "kind": event.kind,
        "title": "Réunion déplacée",
        "start": f"{event.start + datetime.timedelta(days=1):%Y-%m-%dT%H:%M}",
        "end": f"{event.end + datetime.timedelta(days=1):%Y-%m-%dT%H:%M}",
        "address": event.address,
        "visibility": event.visibility,
        "registration_enabled": "on",
        "capacity": "5",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("events:event_update", args=[event.pk]), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Réunion déplacée" and event.sequence == 1
    assert "Changement de date ou de lieu" in mail.outbox[-1].subject
    assert client.get(reverse("events:event_cancel", args=[event.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("events:event_cancel", args=[event.pk]), {"reason": "Salle indisponible"}
        )
    event.refresh_from_db()
    assert event.is_cancelled
    assert "Événement annulé" in mail.outbox[-1].subject
    assert "Cet événement est annulé" in client.get(event.get_absolute_url()).content.decode()


def test_speakers_directory_and_programme(client, section, organiser, member_user):
    event = EventFactory(organiser=section, kind=Event.Kind.CONFERENCE)
    client.force_login(member_user)
    assert client.get(reverse("events:speaker_list")).status_code == 403
    client.force_login(organiser)
    response = client.post(
        reverse("events:speaker_create"),
        {
            "name": "Aline Imaginaire",
            "quality": "researcher",
            "affiliation": "sociologue",
            "bio": "Autrice d'un livre inventé.",
            "photo": SimpleUploadedFile("photo.png", PNG),
        },
    )
    assert response.status_code == 302
    speaker = Speaker.objects.get()
    assert client.get(reverse("events:speaker_photo", args=[speaker.pk])).status_code == 200
    client.post(
        reverse("events:event_speakers", args=[event.pk]),
        {"speaker": speaker.pk, "part": "moderator", "order": "1"},
    )
    link = EventSpeaker.objects.get()
    assert link.part == "moderator"
    assert "Aline Imaginaire" in client.get(event.get_absolute_url()).content.decode()
    client.post(reverse("events:event_speaker_remove", args=[event.pk, link.pk]))
    assert not EventSpeaker.objects.exists()


def test_speaker_list_query_count(client, organiser, django_assert_max_num_queries):
    for _ in range(30):
        SpeakerFactory()
    client.force_login(organiser)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("events:speaker_list")).status_code == 200
    with django_assert_max_num_queries(6):
        response = client.get(
            reverse("events:speaker_list"),
            {"q": "Intervenante 1"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="speaker-rows",
        )
    assert "<html" not in response.content.decode()


def test_materials_after_the_event(client, section, organiser, member_user):
    event = EventFactory(organiser=section, start=in_days(-2), end=in_days(-2, 21))
    client.force_login(organiser)
    client.post(
        reverse("events:materials", args=[event.pk]),
        {"title": "Diaporama", "file": SimpleUploadedFile("d.pdf", b"%PDF-1.4\n%%EOF\n")},
    )
    client.post(
        reverse("events:materials", args=[event.pk]),
        {"title": "Vidéo", "url": "https://video.example.org/x"},
    )
    response = client.post(reverse("events:materials", args=[event.pk]), {"title": "Rien"})
    assert response.status_code == 400
    assert "Joignez un fichier ou indiquez un lien" in response.content.decode()
    assert EventMaterial.objects.count() == 2
    client.force_login(member_user)
    content = client.get(event.get_absolute_url()).content.decode()
    assert "Diaporama" in content and "https://video.example.org/x" in content
    pdf = EventMaterial.objects.get(title="Diaporama")
    download = client.get(reverse("events:material_download", args=[event.pk, pdf.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    client.logout()
    assert (
        client.get(reverse("events:material_download", args=[event.pk, pdf.pk])).status_code == 404
    )


def test_invitations(client, section, organiser, member_user, django_capture_on_commit_callbacks):
    event = EventFactory(organiser=section, visibility=Event.Visibility.INVITATION)
    client.force_login(member_user)
    assert client.get(event.get_absolute_url()).status_code == 404
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("events:invitations", args=[event.pk]),
            {"numbers": f"{member_user.member.membership_number}, 999"},
            follow=True,
        )
    assert "1 invitation(s) envoyée(s)" in response.content.decode()
    assert "1 numéro(s) introuvable(s)" in response.content.decode()
    assert Invitation.objects.filter(event=event, member=member_user.member).exists()
    assert mail.outbox[-1].subject.startswith("[Fédé] Invitation")
    client.force_login(member_user)
    assert client.get(event.get_absolute_url()).status_code == 200


def test_agenda_search_hides_members_only_events_from_anonymous(client, section, member_user):
    EventFactory(organiser=section, title="Débat logement ouvert", visibility="public")
    EventFactory(organiser=section, title="Stratégie logement interne", visibility="members")
    content = client.get(reverse("events:agenda"), {"q": "logement"}).content.decode()
    assert "Débat logement ouvert" in content
    assert "Stratégie logement interne" not in content
    client.force_login(member_user)
    content = client.get(reverse("events:agenda"), {"q": "logement"}).content.decode()
    assert "Stratégie logement interne" in content


# --- agenda at national scale ------------------------------------------------------------


def organiser_options(content: str) -> str:
    match = re.search(r'<select name="organiser".*?</select>', content, re.S)
    assert match, content
    return match.group(0)


def test_anonymous_organiser_filter_offers_federations_then_their_sections(client, section):
    """Visitors pick a federation first; its sections are offered once it is chosen."""
    from fede.organization.tests.factories import make_federation
    from fede.organization.tests.factories import make_section as new_section

    north = make_federation(name="Fédération du Nord")
    lille = new_section(north, name="Section Lille-Centre")
    federation = section.parent
    options = organiser_options(client.get(reverse("events:agenda")).content.decode())
    assert "Fédération du Nord" in options and federation.name in options
    assert "Section Lille-Centre" not in options and section.name not in options

    options = organiser_options(
        client.get(reverse("events:agenda"), {"organiser": north.pk}).content.decode()
    )
    assert "Section Lille-Centre" in options and section.name not in options
    # A link to one section's events keeps it selected, among its federation's sections.
    options = organiser_options(
        client.get(reverse("events:agenda"), {"organiser": lille.pk}).content.decode()
    )
    assert f'<option value="{lille.pk}" selected>Section Lille-Centre</option>' in options


def test_member_organiser_filter_offers_their_federation_sections(client, section, member_user):
    """A member is offered the sections of their federation, not those of the whole country."""
    from fede.organization.tests.factories import make_federation
    from fede.organization.tests.factories import make_section as new_section

    new_section(make_federation(name="Fédération du Nord"), name="Section Lille-Centre")
    neighbour = new_section(section.parent, name="Section Paris 12")
    EventFactory(organiser=neighbour, title="Réunion du 12e", visibility="public")
    client.force_login(member_user)
    content = client.get(reverse("events:agenda")).content.decode()
    options = organiser_options(content)
    assert section.name in options and "Section Paris 12" in options
    assert "Fédération du Nord" in options and "Section Lille-Centre" not in options
    content = client.get(reverse("events:agenda"), {"organiser": neighbour.pk}).content.decode()
    assert "Réunion du 12e" in content


def test_htmx_results_refresh_the_organiser_filter(client, section):
    """Choosing a federation with htmx swaps in the organiser list with its sections."""
    response = client.get(
        reverse("events:agenda"),
        {"organiser": section.parent.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="agenda-results",
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="agenda-results"')
    assert 'id="agenda-organiser" hx-swap-oob="true"' in content
    assert section.name in organiser_options(content)
    full = client.get(reverse("events:agenda")).content.decode()
    assert "hx-swap-oob" not in full


def test_month_day_shows_its_first_events_and_links_to_the_others(client, section):
    """A busy day shows three events and "+ 2 autres", which lists that day's events."""
    day = in_days(10)
    for hour in range(5):
        EventFactory(
            organiser=section,
            title=f"Permanence {hour + 10}h",
            visibility="public",
            start=day.replace(hour=hour + 10),
            end=day.replace(hour=hour + 11),
        )
    content = client.get(reverse("events:month"), {"mois": f"{day:%Y-%m}"}).content.decode()
    assert "Permanence 12h" in content and "Permanence 13h" not in content
    assert "+ 2 autres" in content
    iso = f"{day:%Y-%m-%d}"
    link = re.search(r'href="([^"]*jour=' + iso + '[^"]*)"', content).group(1)
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert "5 événements" in listed
    assert "Permanence 10h" in listed and "Permanence 14h" in listed


def test_agenda_of_one_day_includes_the_past(client, section):
    """The list of a day shows its events even once they are over."""
    EventFactory(
        organiser=section,
        title="Réunion passée",
        visibility="public",
        start=in_days(-3, 18),
        end=in_days(-3, 20),
    )
    EventFactory(
        organiser=section,
        title="Réunion du lendemain",
        visibility="public",
        start=in_days(-2, 18),
        end=in_days(-2, 20),
    )
    content = client.get(
        reverse("events:agenda"), {"jour": f"{in_days(-3):%Y-%m-%d}"}
    ).content.decode()
    assert "Réunion passée" in content and "Réunion du lendemain" not in content
    assert "Tous les jours" in content
    assert client.get(reverse("events:agenda"), {"jour": "hier"}).status_code == 200


def test_busy_month_query_count_stays_fixed(
    client, section, member_user, django_assert_max_num_queries
):
    """Thirty events on the same days: same number of queries, three shown per day."""
    for i in range(30):
        start = in_days(1 + i % 3, 8 + i % 12)
        EventFactory(organiser=section, start=start, end=start + datetime.timedelta(hours=1))
    client.force_login(member_user)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("events:month"), {"mois": f"{in_days(1):%Y-%m}"})
    assert response.status_code == 200


def test_attendee_rows_written_in_python_escape_names_and_search(client, section, organiser):
    """Check-in rows are written by ``views._attendee_rows``: names, e-mails and the
    search kept in each form are escaped; confirmed rows get a toggle form, waiting ones
    a dash; the htmx toggle answers the same row."""
    event = EventFactory(organiser=section, start=in_days(0, 0, 1), end=in_days(0, 23, 59))
    guest = RegistrationFactory(
        event=event, guest_name='<b>Invitée</b> "x"', guest_email="a<b@example.org"
    )
    waiting = RegistrationFactory(
        event=event,
        member=MemberFactory(section=section, last_name="<i>Attente</i>"),
        status=Registration.Status.WAITING,
    )
    client.force_login(organiser)
    html = client.get(
        reverse("events:attendees", args=[event.pk]), {"q": '<b>Invitée</b> "x"'}
    ).content.decode()
    assert "&lt;b&gt;Invitée&lt;/b&gt; &quot;x&quot;" in html and "<b>Invitée" not in html
    assert "a&lt;b@example.org" in html
    assert 'name="q" value="&lt;b&gt;Invitée&lt;/b&gt; &quot;x&quot;"' in html
    toggle = reverse("events:attendee_toggle", args=[event.pk, guest.pk])
    assert f'action="{toggle}"' in html and 'name="csrfmiddlewaretoken" value="' in html
    html = client.get(reverse("events:attendees", args=[event.pk])).content.decode()
    row = html.split(f'<tr id="registration-{waiting.pk}">', 1)[1].split("</tr>", 1)[0]
    assert "&lt;i&gt;Attente&lt;/i&gt;" in row and "—" in row and "<form" not in row
    assert '<input type="hidden" name="q"' not in html


def test_attendee_rows_read_as_values_show_what_the_registrations_show(section):
    """The check-in page reads its rows as values: the same name, section or e-mail,
    state and presence as the registrations themselves give."""
    from fede.events.selectors import attendee_values, attendees
    from fede.events.views import AttendeeRow

    event = EventFactory(organiser=section)
    RegistrationFactory(event=event, guest_name="Lou <Invitée>", guest_email="lou@example.org")
    RegistrationFactory(event=event, guest_name="", guest_email="sans.nom@example.org")
    RegistrationFactory(
        event=event,
        member=MemberFactory(section=section, first_name="", last_name="Sansprénom"),
        status=Registration.Status.WAITING,
    )
    RegistrationFactory(event=event, member=MemberFactory(section=section), attended=True)
    RegistrationFactory(
        event=event, member=MemberFactory(section=section), status=Registration.Status.CANCELLED
    )
    fields = ("pk", "status", "attended", "name", "where", "is_guest")
    got = [
        tuple(getattr(AttendeeRow.from_values(v), f) for f in fields)
        for v in attendee_values(event)
    ]
    expected = [tuple(getattr(AttendeeRow.of(r), f) for f in fields) for r in attendees(event)]
    assert got == expected and len(got) == 4
