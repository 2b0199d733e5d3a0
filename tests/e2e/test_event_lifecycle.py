"""An event from its draft to its attendance: the section secretary creates it as a draft
(in no agenda), publishes it; a member registers; the secretary checks them in (the counter
updates without reload) and exports the attendance, CSV and Excel, where they are present."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from openpyxl import load_workbook
from playwright.sync_api import expect

from fede.events.models import Event, Registration
from fede.events.tests.factories import in_days
from fede.organization.models import Role
from fede.organization.tests.factories import (
    TOTP_TEST_SECRET,
    DuesPaymentFactory,
    make_federation,
    make_member_user,
    make_officer,
    make_section,
)

from .conftest import PageRecord, run_axe, visit_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery"
MEMBER_EMAIL = "camille.rousseau@example.org"
SECRETARY_EMAIL = "secretaire.paris11@example.org"
TITLE = "Réunion de section : le budget participatif"


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@pytest.fixture
def member_page(browser, live_server):
    """A second browser, the member's, next to the secretary's (each keeps its session)."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 390, "height": 844},  # a phone
        reduced_motion="reduce",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    record = PageRecord()
    page._fede_record = record
    page.on("load", record.on_load)
    page.on("console", record.on_console)
    yield page
    context.close()
    assert not record.csp_errors, record.csp_errors
    unchecked = [url for i, url in enumerate(record.loads) if i not in record.checked]
    assert not unchecked, f"pages loaded without an axe check: {unchecked}"


def test_draft_publish_register_check_in_and_export(
    page, member_page, live_server, visit, axe_check, login
):
    federation = make_federation(code="FED75")
    section = make_section(federation, name="Paris 11 — Folie-Méricourt", code="S75-11-1")
    member_user = make_member_user(section, first_name="Camille", last_name="Rousseau")
    member_user.email = MEMBER_EMAIL
    member_user.save()
    verified(member_user)
    DuesPaymentFactory(member=member_user.member)
    verified(make_officer(section, Role.SECTION_SECRETARY, email=SECRETARY_EMAIL))
    start = in_days(10, 19)

    # The secretary writes the event: it is saved as a draft.
    login(page, live_server, SECRETARY_EMAIL, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    visit(page, "/evenements/organiser/nouveau/")
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Type").select_option(Event.Kind.SECTION_MEETING)
    page.get_by_label("Début").fill(f"{start:%Y-%m-%dT%H:%M}")
    page.get_by_label("Fin").fill(f"{start + datetime.timedelta(hours=2):%Y-%m-%dT%H:%M}")
    page.get_by_label("Adresse").fill("12 rue de la Folie-Méricourt, 75011 Paris")
    page.get_by_label("Nombre de places").fill("30")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/evenements/\d+-"))
    axe_check(page)
    event = Event.objects.get(title=TITLE)
    assert event.status == Event.Status.DRAFT
    expect(page.get_by_text("Brouillon — aperçu réservé aux organisateur·rices.")).to_be_visible()

    # Not in the agenda, not even the organiser's.
    visit(page, "/evenements/")
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)
    visit(page, f"/evenements/mois/?mois={start:%Y-%m}")
    expect(page.get_by_role("link", name=re.compile(re.escape(TITLE)))).to_have_count(0)

    # Published from its page, it appears in the agenda.
    visit(page, event.get_absolute_url())
    page.get_by_role("button", name="Publier l'événement").click()
    page.wait_for_load_state("load")
    axe_check(page)
    event.refresh_from_db()
    assert event.status == Event.Status.PUBLISHED
    visit(page, "/evenements/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()

    # The member, on a phone, finds it in the agenda and registers.
    login(member_page, live_server, MEMBER_EMAIL, PASSWORD)
    visit_page(member_page, "/evenements/")
    member_page.get_by_role("link", name=TITLE).click()
    member_page.wait_for_url(re.compile(rf"/evenements/{event.pk}-"))
    run_axe(member_page)
    member_page.get_by_role("button", name="M'inscrire").click()
    member_page.wait_for_load_state("load")
    run_axe(member_page)
    expect(member_page.get_by_text("Vous êtes inscrit·e.", exact=True)).to_be_visible()
    registration = Registration.objects.get(event=event, member=member_user.member)
    assert registration.status == Registration.Status.CONFIRMED

    # The secretary checks them in: the counter moves without reloading the page.
    visit(page, event.get_absolute_url())
    page.get_by_role("link", name="Participants et pointage").click()
    page.wait_for_url(re.compile(r"/participants/$"))
    axe_check(page)
    present = page.locator("#attendee-figures [data-figure=present]")
    expect(present).to_have_text("0")
    page.evaluate("window.fedeNoReload = true")
    row = page.locator(f"#registration-{registration.pk}")
    row.get_by_role("button", name=re.compile("Marquer présent·e")).click()
    expect(row.get_by_role("button", name=re.compile("^Présent·e"))).to_be_visible()
    expect(present).to_have_text("1")
    assert page.evaluate("window.fedeNoReload") is True
    axe_check(page)

    # The attendance exports: the member is present in the CSV and in the Excel file.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    [camille] = [r for r in rows if r["Nom"] == "Rousseau"]
    assert camille["Prénom"] == "Camille"
    assert camille["Présent·e"] == "oui"
    assert camille["Pointé·e le"]

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter (Excel)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True).active
    header, *data = list(sheet.iter_rows(values_only=True))
    by_name = {row[header.index("Nom")]: row for row in data}
    assert by_name["Rousseau"][header.index("Présent·e")] is True
