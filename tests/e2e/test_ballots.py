"""A section secretary enters the PV of their polling station; once an assessor has
countersigned it, the federation validates it and the consolidated results update."""

import pytest
from allauth.account.models import EmailAddress

from fede.ballots import services
from fede.ballots.models import SectionResult
from fede.ballots.tests.factories import make_ballot, paid_member
from fede.organization.models import Role
from fede.organization.tests.factories import (
    TOTP_TEST_SECRET,
    make_federation,
    make_officer,
    make_section,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery"
SECRETARY = "secretaire.paris11@example.org"
STAFF = "permanent@example.org"


def officer(unit, role, email, **kwargs):
    user = make_officer(unit, role, email=email, **kwargs)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def test_secretary_enters_a_pv_the_federation_validates_it_and_results_update(
    page, live_server, visit, axe_check, login
):
    federation = make_federation(code="FED75")
    section = make_section(federation, name="Paris 11 — Oberkampf")
    other = make_section(federation, name="Paris 20 — Belleville")
    for _ in range(6):
        paid_member(section)
    for _ in range(4):
        paid_member(other)
    officer(section, Role.SECTION_SECRETARY, SECRETARY)
    officer(federation, Role.FEDERAL_STAFF, STAFF, section=other)
    assessor = make_officer(section, Role.SECTION_BUREAU, mfa=False)
    ballot = make_ballot(federation, options=("Hélène Brunet", "Mathieu Keller"), open_it=True)
    pv = SectionResult.objects.get(round__ballot=ballot, section=section)

    # The secretary finds the PV waiting for them and enters it; a first try is refused.
    login(page, live_server, SECRETARY, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    visit(page, "/votes/")
    page.get_by_role("link", name="Élection du premier secrétaire fédéral — Paris 11").click()
    axe_check(page)
    page.get_by_role("link", name="Saisir le PV").click()
    axe_check(page)
    assert page.get_by_label("Inscrits").input_value() == "6"
    page.get_by_label("Votants").fill("7")
    page.get_by_label("Bulletins blancs").fill("0")
    page.get_by_label("Bulletins nuls").fill("1")
    page.get_by_label("Voix pour Hélène Brunet").fill("3")
    page.get_by_label("Voix pour Mathieu Keller").fill("1")
    page.get_by_label("Assesseur·es").fill("Inès Moreau, Paul Garnier")
    page.get_by_role("button", name="Enregistrer le PV").click()
    axe_check(page)
    assert page.get_by_text("Plus de votants (7) que d'inscrits (6)").is_visible()
    page.get_by_label("Votants").fill("5")
    page.get_by_role("button", name="Enregistrer le PV").click()
    axe_check(page)
    assert page.get_by_text("PV enregistré").is_visible()
    assert page.locator(".badge", has_text="Saisi, à contresigner").is_visible()

    services.pv_countersign(actor=assessor, result=pv)
    page.context.clear_cookies()

    # The federation sees no figure until the PV is validated, then the consolidation.
    login(page, live_server, STAFF, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    visit(page, f"/votes/{ballot.pk}/resultats/")
    assert (
        page.get_by_text("0 section comptée sur 2").count()
        or page.get_by_text("0 sections comptées sur 2").count()
    )
    page.get_by_role("link", name="Contresigné, à valider").click()
    axe_check(page)
    page.get_by_role("button", name="Valider le PV").click()
    axe_check(page)
    assert page.get_by_text("PV validé").is_visible()
    visit(page, f"/votes/{ballot.pk}/resultats/")
    table = page.get_by_role("table", name="Résultats du tour 1")
    assert table.get_by_role("row", name="Hélène Brunet 3 75,00 %").is_visible()
    assert page.get_by_text("1 section comptée sur 2 ; 1 manque encore.").is_visible()
    assert page.locator("svg title", has_text="Voix par option, tour 1").count() == 1
    pv.refresh_from_db()
    assert pv.status == SectionResult.Status.VALIDATED
