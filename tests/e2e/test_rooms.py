"""A section secretary finds a free step-free room for 30 people next Thursday 19:00–21:00
with the directory's filters, and books it."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress

from fede.organization.models import Role
from fede.organization.tests.factories import (
    TOTP_TEST_SECRET,
    make_federation,
    make_officer,
    make_section,
)
from fede.rooms import slots
from fede.rooms.models import Booking
from fede.rooms.tests.factories import (
    ArrondissementFactory,
    RoomFactory,
    VenueFactory,
    make_booking,
    open_every_day,
    slot,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EMAIL = "secretaire.paris11@example.org"
PASSWORD = "correct horse battery"


def make_secretary(section):
    """A section secretary with a verified e-mail and TOTP, who logs in through the form."""
    user = make_officer(section, Role.SECTION_SECRETARY, email=EMAIL)
    EmailAddress.objects.create(user=user, email=EMAIL, primary=True, verified=True)
    return user


def next_thursday() -> datetime.date:
    today = slots.today()
    return today + datetime.timedelta(days=(3 - today.weekday()) % 7 or 7)


def test_find_a_free_step_free_room_for_30_next_thursday_evening_and_book_it(
    page, live_server, visit, axe_check, login
):
    federation = make_federation(code="FED75")
    section = make_section(federation, name="Paris 11 — Oberkampf")
    other = make_section(federation, name="Paris 20 — Belleville")
    make_secretary(section)
    eleventh = ArrondissementFactory(number=11)
    thursday = next_thursday()
    fits = open_every_day(
        RoomFactory(
            name="Salle Louise-Michel",
            capacity=40,
            step_free=True,
            venue=VenueFactory(name="Maison des associations du 11e", arrondissement=eleventh),
        )
    )
    taken = open_every_day(
        RoomFactory(
            name="Salle Rosa-Luxemburg",
            capacity=50,
            step_free=True,
            venue=VenueFactory(name="Café de la Commune", arrondissement=eleventh),
        )
    )
    make_booking(taken, other, *slot(thursday, "18:30", "20:30"))
    open_every_day(
        RoomFactory(name="Salle à l'étage", capacity=60, step_free=False, venue=VenueFactory())
    )
    open_every_day(
        RoomFactory(name="Petit bureau", capacity=10, step_free=True, venue=VenueFactory())
    )

    login(page, live_server, EMAIL, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Salles"
    ).click()
    page.wait_for_url(re.compile(r"/salles/$"))
    axe_check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Salles de réunion"

    page.get_by_label("Au moins (personnes)").fill("30")
    page.get_by_label("Accessible de plain-pied").check()
    page.get_by_label("Libre le").fill(thursday.isoformat())
    page.get_by_label("de", exact=True).fill("19:00")
    page.get_by_label("à", exact=True).fill("21:00")
    page.get_by_role("button", name="Chercher").click()
    results = page.locator("#results")
    results.get_by_text("libres le").wait_for()
    axe_check(page)
    assert "1 salle" in results.get_by_role("heading", level=2).inner_text()
    assert results.get_by_role("link", name="Salle Louise-Michel", exact=True).is_visible()
    for hidden in ("Salle Rosa-Luxemburg", "Salle à l'étage", "Petit bureau"):
        assert results.get_by_text(hidden).count() == 0
    assert "capacite=30" in page.url  # the filters stay in the address (htmx push)

    results.get_by_role("link", name=re.compile("Réserver « Salle Louise-Michel »")).click()
    page.wait_for_url(re.compile(r"/salles/\d+/reserver/"))
    axe_check(page)
    assert page.get_by_label("Date").input_value() == thursday.isoformat()
    assert page.get_by_label("Début").input_value() == "19:00"
    assert page.get_by_label("Participants attendus").input_value() == "30"
    page.get_by_label("Objet de la réunion").fill("Réunion publique sur le logement")
    page.get_by_role("button", name="Réserver").click()
    page.wait_for_url(re.compile(r"/salles/reservations/\d+/$"))
    axe_check(page)
    assert page.get_by_text("La salle est réservée pour vous.").is_visible()

    booking = Booking.objects.get(section=section)
    assert booking.room == fits and booking.status == Booking.Status.CONFIRMED
    assert slots.local(booking.start).strftime("%H:%M") == "19:00"
    assert slots.local(booking.end).strftime("%H:%M") == "21:00"
    assert booking.expected_attendance == 30

    # The week grid shows it, and the next week comes through htmx with a real link.
    visit(page, f"/salles/{fits.pk}/?jour={thursday.isoformat()}")
    assert page.locator("#grid").get_by_text("Réunion publique sur le logement").first.is_visible()
    page.get_by_role("link", name=re.compile("Semaine suivante")).click()
    page.wait_for_url(re.compile(r"semaine=\d{4}-W\d{2}"))
    page.locator("#grid").get_by_text("Du lundi").wait_for()
    axe_check(page)
    visit(page, "/salles/reservations/")
    assert page.get_by_text("Réunion publique sur le logement").is_visible()


def test_small_screen_week_grid_and_directory_are_accessible(page, live_server, visit, login):
    federation = make_federation(code="FED75")
    section = make_section(federation, name="Paris 11 — Oberkampf")
    make_secretary(section)
    room = open_every_day(RoomFactory(name="Salle Jean-Jaurès", is_sections_space=True))
    thursday = next_thursday()
    make_booking(room, section, *slot(thursday, "19:00", "21:00"), purpose="Bureau de section")
    page.set_viewport_size({"width": 360, "height": 800})
    login(page, live_server, EMAIL, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    visit(page, "/salles/")
    visit(page, f"/salles/{room.pk}/?jour={thursday.isoformat()}")
    assert page.locator(".rooms-agenda").get_by_text("Bureau de section").is_visible()
    visit(page, f"/salles/lieux/{room.venue.pk}/?jour={thursday.isoformat()}")
    visit(page, f"/salles/lieux/{room.venue.pk}/jour/?jour={thursday.isoformat()}")
