"""The organisation in a browser: a section secretary logs in with MFA, finds a member,
records a payment and downloads the export of their section's members; federation staff
go through the federation's pages and approve a transfer."""

import csv
import io
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone
from playwright.sync_api import expect

from fede.core.access import SYSTEM
from fede.core.models import AccessLog
from fede.organization import services
from fede.organization.models import DuesPayment, Role, Transfer, Unit
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


def test_secretary_finds_member_records_payment_and_exports(page, live_server, login, axe_check):
    """A section secretary with MFA finds a member, records dues and exports the list."""
    federation = make_federation(code="FED75")
    section = make_section(federation, name="Paris 11 — Folie-Méricourt", code="S75-11-1")
    other = make_section(federation, name="Paris 15 — Grenelle", code="S75-15-1")
    secretary = make_officer(section, Role.SECTION_SECRETARY, email=EMAIL)
    EmailAddress.objects.create(user=secretary, email=EMAIL, primary=True, verified=True)
    louise = MemberFactory(
        section=section, first_name="Louise", last_name="Zapatéro", membership_number="7511871"
    )
    MemberFactory.create_batch(12, section=section)
    MemberFactory(
        section=other, first_name="Jules", last_name="Vallès", membership_number="7515871"
    )
    year = timezone.localdate().year

    # Log in with the password and the code of the authenticator app.
    login(page, live_server, EMAIL, PASSWORD, totp_secret=TOTP_TEST_SECRET)

    # The section's dashboard.
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Ma section").click()
    page.wait_for_url(re.compile(rf"/organisation/sections/{section.pk}/$"))
    axe_check(page)
    assert "Paris 11" in page.get_by_role("heading", level=1).inner_text()

    # Find the member by searching (the rows are replaced in place, the URL follows).
    nav.get_by_role("link", name="Adhérents").click()
    page.wait_for_url(re.compile(r"/organisation/adherents/$"))
    axe_check(page)
    expect(page.locator("#rows tbody tr")).to_have_count(14)
    page.get_by_label("Rechercher", exact=True).fill("zapat")
    rows = page.locator("#rows tbody tr")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=zapat"))
    assert "ZAPATÉRO Louise" in rows.first.inner_text()
    axe_check(page)
    page.get_by_role("link", name="ZAPATÉRO Louise").click()
    page.wait_for_url(re.compile(rf"/organisation/adherents/{louise.pk}/$"))
    axe_check(page)

    # Record this year's payment.
    page.get_by_role("link", name="Enregistrer une cotisation").click()
    page.wait_for_url(re.compile(r"/cotisation/$"))
    axe_check(page)
    assert page.get_by_label("Année de cotisation").input_value() == str(year)
    page.get_by_label("Montant (€)").fill("36")
    page.get_by_label("Moyen de paiement").select_option(label="Chèque")
    page.get_by_role("button", name="Enregistrer la cotisation").click()
    page.wait_for_url(re.compile(rf"/organisation/adherents/{louise.pk}/$"))
    axe_check(page)
    assert page.get_by_text(f"Cotisation {year} enregistrée pour Louise Zapatéro.").is_visible()
    payment = DuesPayment.objects.get(member=louise)
    assert (payment.year, payment.amount, payment.method) == (year, 36, "cheque")

    # A second payment for the same year is refused next to the field.
    page.get_by_role("link", name="Enregistrer une cotisation").click()
    page.wait_for_url(re.compile(r"/cotisation/$"))
    axe_check(page)
    page.get_by_label("Montant (€)").fill("36")
    page.get_by_role("button", name="Enregistrer la cotisation").click()
    page.wait_for_load_state("load")
    axe_check(page)
    assert page.locator("#id_year_error").inner_text().startswith(f"La cotisation {year}")
    assert DuesPayment.objects.filter(member=louise).count() == 1

    # Download the export of the section's members and read it.
    nav.get_by_role("link", name="Adhérents").click()
    page.wait_for_url(re.compile(r"/organisation/adherents/$"))
    axe_check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exporter en CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    numbers = {row["Numéro"] for row in rows}
    assert "7511871" in numbers and "7515871" not in numbers
    assert len(rows) == 14
    louise_row = next(row for row in rows if row["Numéro"] == "7511871")
    assert louise_row["À jour de cotisation"] == "oui"
    assert louise_row["Dernière cotisation"] == str(year)
    export = AccessLog.objects.get(action="export")
    assert export.row_count == 14 and export.actor.email == EMAIL


STAFF_EMAIL = "permanent@example.org"


def test_federation_staff_reviews_sections_and_approves_a_transfer(
    page, live_server, login, visit, axe_check
):
    """Federation staff look through the federation's pages, then approve a transfer."""
    federation = make_federation(code="FED75")
    s11 = make_section(federation, name="Paris 11 — Folie-Méricourt", code="S75-11-1")
    s15 = make_section(federation, name="Paris 15 — Grenelle", code="S75-15-1")
    make_section(
        federation,
        name="RATP — Bus",
        code="SE75-1",
        section_kind=Unit.SectionKind.WORKPLACE,
        sector=Unit.Sector.TRANSPORT,
        has_premises=False,
    )
    staff = make_officer(federation, Role.FEDERAL_STAFF, email=STAFF_EMAIL, section=s15)
    EmailAddress.objects.create(user=staff, email=STAFF_EMAIL, primary=True, verified=True)
    mover = MemberFactory(section=s11, first_name="Jean", last_name="Allemane")
    MemberFactory.create_batch(5, section=s11)
    transfer = services.transfer_request(
        actor=SYSTEM, member=mover, to_unit=s15, reason="Déménagement"
    )

    login(page, live_server, STAFF_EMAIL, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    for path in [
        "/organisation/federation/",
        "/organisation/federation/sections-entreprise/",
        "/organisation/federation/sections-sans-local/",
        "/organisation/federation/responsabilites/",
        "/organisation/federation/responsabilites/nommer/?q=allemane",
        "/organisation/federation/journal/",
        f"/organisation/sections/{s11.pk}/fusionner/",
        f"/organisation/sections/{s11.pk}/fermer/",
        "/organisation/federation/sections/nouvelle/",
    ]:
        visit(page, path)
        assert page.get_by_role("heading", level=1).count() == 1

    visit(page, "/organisation/transferts/")
    page.get_by_role("link", name="Jean Allemane").click()
    page.wait_for_url(re.compile(rf"/organisation/transferts/{transfer.pk}/$"))
    axe_check(page)
    page.get_by_label("Valider le transfert").check()
    page.get_by_label("Note de décision").fill("Bienvenue dans le 15e")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_url(re.compile(r"/organisation/transferts/$"))
    axe_check(page)
    assert page.get_by_text("Transfert validé : Jean Allemane rejoint Paris 15").is_visible()
    mover.refresh_from_db()
    transfer.refresh_from_db()
    assert mover.section == s15
    assert transfer.status == Transfer.Status.APPROVED
