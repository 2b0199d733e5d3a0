"""A section secretary deposits the section's contribution on a convention topic; after the
deadline a rapporteur writes a synthesis paragraph citing it and publishes it; the
synthesis shows the section it draws on, with a link back to the contribution."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from fede.convention.models import Citation, Contribution
from fede.convention.tests.factories import make_convention
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
RAPPORTEUR = "rapporteure@example.org"


def officer(unit, role, email, **kwargs):
    user = make_officer(unit, role, email=email, **kwargs)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def test_from_a_sections_contribution_to_the_synthesis_that_cites_it(
    page, live_server, visit, axe_check, login
):
    federation = make_federation(code="FED75")
    section = make_section(federation, name="Paris 11 — Oberkampf")
    make_section(federation, name="Paris 20 — Belleville")
    officer(section, Role.SECTION_SECRETARY, SECRETARY)
    officer(federation, Role.FEDERAL_SECRETARY, RAPPORTEUR, section=section)
    # The convention's phases placed around now: the section debates are under way.
    now = timezone.now()
    convention = make_convention(federation, year=now.year, now=now)
    topic = convention.topics.get(scope="paris")
    # A long walk through many pages: allow for a slow, shared test machine.
    page.set_default_timeout(60_000)

    login(page, live_server, SECRETARY, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Convention"
    ).click()
    page.wait_for_url(re.compile(r"/convention/$"))
    axe_check(page)
    page.get_by_role("link", name=re.compile(convention.title)).click()
    page.wait_for_url(re.compile(r"/convention/\d+/$"))
    axe_check(page)
    assert page.get_by_text("Débats en section").first.is_visible()
    page.get_by_role("listitem").filter(has_text="Le logement à Paris").get_by_role(
        "link", name="déposer la contribution"
    ).click()
    page.wait_for_url(re.compile(r"/contribuer/$"))
    axe_check(page)
    page.get_by_label("Contribution de la section").fill(
        "La section demande l'encadrement strict des loyers et la construction de "
        "logements sociaux dans chaque quartier."
    )
    page.get_by_label("Adhérent·es présent·es").fill("23")
    page.locator("#id_votes_for").fill("20")
    page.locator("#id_votes_against").fill("1")
    page.locator("#id_votes_abstain").fill("2")
    page.get_by_role("button", name="Déposer la contribution").click()
    page.wait_for_url(re.compile(r"/convention/contributions/\d+/$"))
    axe_check(page)
    assert page.get_by_text("Contribution déposée.").is_visible()
    contribution = Contribution.objects.get()
    assert contribution.section == section and contribution.topic == topic
    assert contribution.members_present == 23

    # The deadline passes: the synthesis phase begins.
    convention.contributions_deadline = timezone.now() - datetime.timedelta(hours=1)
    convention.save(update_fields=["contributions_deadline"])
    page.context.clear_cookies()

    login(page, live_server, RAPPORTEUR, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    visit(page, f"/convention/sujets/{topic.pk}/synthese/")
    page.get_by_role("link", name="Ajouter un paragraphe").click()
    page.wait_for_url(re.compile(r"/synthese/paragraphe/$"))
    axe_check(page)
    page.get_by_label("Intertitre (facultatif)").fill("Se loger à Paris")
    page.get_by_label("Texte du paragraphe").fill(
        "Les sections demandent d'encadrer les loyers et de construire du logement social "
        "dans tous les arrondissements."
    )
    page.get_by_role("button", name="Ajouter le paragraphe").click()
    page.wait_for_url(re.compile(r"/convention/paragraphes/\d+/$"))
    axe_check(page)
    page.locator("#id_contribution").select_option(label="Paris 11 — Oberkampf")
    page.get_by_label("Ce qui est repris").fill("Encadrement des loyers")
    page.get_by_role("button", name="Citer").click()
    page.wait_for_url(re.compile(r"/convention/paragraphes/\d+/$"))
    axe_check(page)
    assert page.get_by_text("Contribution citée.").is_visible()
    assert Citation.objects.get().contribution == contribution

    page.get_by_role("link", name="Retour à la synthèse").click()
    page.wait_for_url(re.compile(r"/synthese/"))
    axe_check(page)
    page.get_by_role("button", name="Publier la synthèse").click()
    page.wait_for_url(re.compile(r"/synthese/$"))
    axe_check(page)
    assert page.get_by_text("Synthèse publiée").first.is_visible()
    cited = page.locator("article").get_by_role("link", name="Paris 11 — Oberkampf")
    assert cited.is_visible()
    cited.click()
    page.wait_for_url(re.compile(r"/convention/contributions/\d+/$"))
    axe_check(page)
    assert page.get_by_role("link", name="Paragraphe 1.1").is_visible()

    visit(page, f"/convention/sujets/{topic.pk}/couverture/")
    assert page.locator("#rows .badge").get_by_text("Reprise", exact=True).is_visible()
