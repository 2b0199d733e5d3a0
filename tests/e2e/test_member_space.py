"""A member's own space in a browser: a section secretary invites a member from the
member's file; the member follows the link of the mail, chooses a password, and finds
their section, its meeting place and the next meeting on their home page."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from fede.core.models import OutgoingMail
from fede.events.tests.factories import EventFactory
from fede.organization.models import Role
from fede.organization.tests.factories import (
    TOTP_TEST_SECRET,
    MemberFactory,
    make_federation,
    make_officer,
    make_section,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EMAIL = "secretaire.paris11@example.org"
PASSWORD = "correct horse battery"
MEMBER_PASSWORD = "une phrase de passe assez longue"


def test_secretary_invites_member_who_activates_and_sees_section(
    page, live_server, login, axe_check
):
    federation = make_federation(code="FED75")
    section = make_section(
        federation,
        name="Paris 11 — Folie-Méricourt",
        code="S75-11-1",
        meeting_place="Salle Louise-Michel, 12 rue de la Roquette",
    )
    secretary = make_officer(section, Role.SECTION_SECRETARY, email=EMAIL)
    EmailAddress.objects.create(user=secretary, email=EMAIL, primary=True, verified=True)
    rose = MemberFactory(
        section=section, first_name="Rose", last_name="Zéphyr", email="rose.zephyr@example.org"
    )
    start = timezone.now() + datetime.timedelta(days=5)
    EventFactory(
        organiser=section,
        title="Réunion de section de rentrée",
        start=start,
        end=start + datetime.timedelta(hours=2),
    )

    # The secretary opens the member's file and sends the invitation.
    login(page, live_server, EMAIL, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    page.goto(f"{live_server.url}/organisation/adherents/{rose.pk}/")
    axe_check(page)
    page.get_by_role("button", name="Inviter à activer son espace").click()
    expect(page.get_by_text("Invitation envoyée à Rose Zéphyr")).to_be_visible()
    axe_check(page)

    # The list of the section's spaces shows the pending invitation.
    page.goto(f"{live_server.url}/organisation/sections/{section.pk}/espaces/")
    axe_check(page)
    expect(page.get_by_role("row", name=re.compile("Rose Zéphyr"))).to_contain_text(
        "Invitation envoyée"
    )
    page.context.clear_cookies()

    # The member follows the link of the mail (its path, on the server under test).
    sent = OutgoingMail.objects.get(to=["rose.zephyr@example.org"])
    link = re.search(r"https?://\S+/activer/\S+/", sent.body).group(0)
    page.goto(live_server.url + urlsplit(link).path)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Activer mon espace")
    axe_check(page)
    page.locator("#id_password1").fill(MEMBER_PASSWORD)
    page.locator("#id_password2").fill(MEMBER_PASSWORD)
    page.get_by_role("button", name="Activer mon espace").click()
    page.wait_for_url(re.compile(r"/$"))
    axe_check(page)

    # Home: the section, its meeting place and the next meeting.
    expect(page.get_by_role("heading", name="Paris 11 — Folie-Méricourt")).to_be_visible()
    expect(page.get_by_text("Salle Louise-Michel, 12 rue de la Roquette")).to_be_visible()
    expect(page.get_by_role("link", name="Réunion de section de rentrée")).to_be_visible()

    # "Ma section" works for a member.
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Ma section").click()
    page.wait_for_url(re.compile(r"/organisation/ma-section/$"))
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Paris 11")

    # The link works once.
    page.goto(live_server.url + urlsplit(link).path)
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("ne fonctionne plus")
