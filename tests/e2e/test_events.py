"""A member registers for a conference-debate, finds it in "Mes événements", downloads its
.ics; then the section secretary checks them in on the attendee list."""

import datetime
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from icalendar import Calendar
from playwright.sync_api import expect

from fede.events.models import Event, EventSpeaker, Registration
from fede.events.tests.factories import EventFactory, EventSpeakerFactory, SpeakerFactory, in_days
from fede.organization.models import Role
from fede.organization.tests.factories import (
    TOTP_TEST_SECRET,
    DuesPaymentFactory,
    MemberFactory,
    make_federation,
    make_member_user,
    make_officer,
    make_section,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery"
MEMBER_EMAIL = "camille.rousseau@example.org"
SECRETARY_EMAIL = "secretaire.paris11@example.org"
TITLE = "Se loger à Paris : quelles réponses publiques ?"


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def main_nav(page):
    return page.get_by_role("navigation", name="Navigation principale")


def test_member_registers_downloads_ics_and_is_checked_in(
    page, live_server, visit, axe_check, login
):
    federation = make_federation(code="FED75")
    section = make_section(federation, name="Paris 11 — Folie-Méricourt", code="S75-11-1")
    member_user = make_member_user(section, first_name="Camille", last_name="Rousseau")
    member_user.email = MEMBER_EMAIL
    member_user.save()
    verified(member_user)
    DuesPaymentFactory(member=member_user.member)
    verified(make_officer(section, Role.SECTION_SECRETARY, email=SECRETARY_EMAIL))
    start = in_days(3, 19)
    event = EventFactory(
        organiser=section,
        kind=Event.Kind.CONFERENCE,
        title=TITLE,
        description="Loyers, logement social : **chercheuse et élue** confrontent leurs diagnostics.",
        programme="**19 h** — Interventions\n\n**20 h** — Débat avec la salle",
        start=start,
        end=start + datetime.timedelta(hours=2),
        visibility=Event.Visibility.PUBLIC,
        capacity=40,
    )
    EventSpeakerFactory(event=event, speaker=SpeakerFactory(name="Maëlle Kervadec"), order=1)
    EventSpeakerFactory(
        event=event,
        speaker=SpeakerFactory(name="Lucien Ardoise", affiliation="journaliste"),
        part=EventSpeaker.Part.MODERATOR,
        order=2,
    )
    EventFactory(
        organiser=section,
        title="Réunion de section : préparer la convention",
        visibility=Event.Visibility.MEMBERS,
    )
    for _ in range(5):
        Registration.objects.create(
            event=event, member=MemberFactory(section=section), status="confirmed"
        )

    # The member finds the conference in the agenda and registers in one click.
    login(page, live_server, MEMBER_EMAIL, PASSWORD)
    main_nav(page).get_by_role("link", name="Agenda").click()
    page.wait_for_url(re.compile(r"/evenements/$"))
    axe_check(page)
    page.locator("#agenda-results").get_by_text("2 événements").wait_for()
    page.get_by_label("Type").select_option("conference")
    page.locator("#agenda-results").get_by_text("1 événement").wait_for()
    page.wait_for_url(re.compile(r"kind=conference"))  # the filters stay in the address
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(re.compile(rf"/evenements/{event.pk}-"))
    axe_check(page)
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    assert page.get_by_role("heading", name="Programme").is_visible()
    assert page.get_by_role("heading", name="Maëlle Kervadec").is_visible()
    assert page.get_by_text("35 places restantes.").is_visible()
    page.get_by_role("button", name="M'inscrire").click()
    page.wait_for_load_state("load")
    axe_check(page)
    assert page.get_by_text("Vous êtes inscrit·e.", exact=True).is_visible()
    assert page.get_by_role("img", name=re.compile("QR code de pointage")).is_visible()
    registration = Registration.objects.get(event=event, member=member_user.member)
    assert registration.status == Registration.Status.CONFIRMED

    # The month view shows it too.
    visit(page, f"/evenements/mois/?mois={event.start:%Y-%m}")
    assert page.get_by_role("link", name=re.compile(re.escape(TITLE))).first.is_visible()

    # "Mes événements" lists it; its .ics downloads and parses, with the event's UID.
    main_nav(page).get_by_role("link", name="Mes événements").click()
    page.wait_for_url(re.compile(r"/evenements/mes-evenements/$"))
    axe_check(page)
    upcoming = page.get_by_role("region", name="À venir")
    assert upcoming.get_by_role("link", name=TITLE, exact=True).is_visible()
    with page.expect_download() as download_info:
        upcoming.get_by_role("link", name=re.compile("Ajouter à mon agenda")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == event.ics_uid
    assert str(vevent["SUMMARY"]) == TITLE
    assert vevent.decoded("DTSTART") == event.start

    # The section secretary finds them on the attendee list and checks them in.
    page.context.clear_cookies()
    login(page, live_server, SECRETARY_EMAIL, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    visit(page, "/evenements/organiser/")
    visit(page, "/evenements/organiser/nouveau/")
    visit(page, event.get_absolute_url())
    page.get_by_role("link", name="Participants et pointage").click()
    page.wait_for_url(re.compile(r"/participants/$"))
    axe_check(page)
    page.get_by_label("Chercher par nom, numéro ou e-mail").fill("Rousseau")
    rows = page.locator("#attendee-rows tbody tr")
    expect(rows).to_have_count(1)
    assert "Camille Rousseau" in rows.first.inner_text()
    rows.first.get_by_role("button", name=re.compile("Marquer présent·e")).click()
    page.locator(f"#registration-{registration.pk}").get_by_role(
        "button", name=re.compile("^Présent·e")
    ).wait_for()
    axe_check(page)
    registration.refresh_from_db()
    assert registration.attended
    assert registration.checked_in_at is not None
