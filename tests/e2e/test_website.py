"""A visitor of the 11e finds their section on the public site and joins; they confirm by
the e-mail link; the 11e secretary accepts: the member exists and the activation mail is
queued. axe runs on every page visited."""

import re

import pytest
from allauth.account.models import EmailAddress

from fede.core.access import SYSTEM
from fede.core.models import OutgoingMail
from fede.events.models import Event
from fede.events.tests.factories import EventFactory, in_days
from fede.organization.models import Member, Role, Territory, Unit
from fede.organization.tests.factories import (
    TOTP_TEST_SECRET,
    make_federation,
    make_officer,
    make_section,
)
from fede.website import services
from fede.website.models import JoinRequest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery"
SECRETARY_EMAIL = "secretaire.paris11@example.org"
APPLICANT_EMAIL = "nour.haddad@example.org"


def _square(x, y, size=0.02):
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_a_visitor_of_the_11th_joins_and_the_secretary_accepts(
    page, live_server, visit, axe_check, login
):
    federation = make_federation(code="FED75")
    a11 = Territory.objects.create(
        kind=Territory.Kind.ARRONDISSEMENT,
        code="75111",
        number=11,
        name="11e arrondissement (Popincourt)",
        geometry=_square(2.37, 48.85),
    )
    section = make_section(
        federation,
        name="Paris 11 – Folie-Méricourt",
        code="S75-11-1",
        section_kind=Unit.SectionKind.TERRITORIAL,
        territory=a11,
        meeting_place="Local de la section, 12 rue Oberkampf, 75011 Paris",
        presentation="La section se réunit **chaque mardi**.",
    )
    secretary = make_officer(section, Role.SECTION_SECRETARY, email=SECRETARY_EMAIL)
    EmailAddress.objects.create(user=secretary, email=SECRETARY_EMAIL, primary=True, verified=True)
    post = services.news_save(
        actor=SYSTEM,
        unit=federation,
        slug="rentree",
        title="Rentrée des sections",
        summary="Tous les rendez-vous de septembre.",
        body="Les sections reprennent.",
    )
    services.news_publish(actor=SYSTEM, post=post)
    EventFactory(
        organiser=section,
        title="Réunion publique sur le logement",
        start=in_days(4, 19),
        end=in_days(4, 21),
        visibility=Event.Visibility.PUBLIC,
    )

    # The home page: news, the next public event, the finder and the join call.
    visit(page, "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Fédération de Paris"
    assert page.get_by_role("link", name="Rentrée des sections").is_visible()
    assert page.get_by_role("link", name="Réunion publique sur le logement").is_visible()
    page.get_by_label("Code postal, arrondissement ou nom").fill("75011")
    page.get_by_role("button", name="Chercher").click()
    page.wait_for_url(re.compile(r"/sections/\?q=75011"))
    axe_check(page)
    page.get_by_role("link", name="Paris 11 – Folie-Méricourt").click()
    page.wait_for_url(re.compile(rf"/sections/{section.pk}/$"))
    axe_check(page)
    assert page.get_by_text("12 rue Oberkampf").is_visible()
    assert page.get_by_role("heading", name="Écrire à la section").is_visible()
    visit(page, "/sections/carte/")
    assert page.locator("svg a").count() == 1
    visit(page, "/actualites/")
    assert page.get_by_role("link", name="Rentrée des sections").is_visible()

    # The join form: postcode 75011, the 11e is proposed.
    visit(page, "/adherer/")
    page.locator("#id_first_name").fill("Nour")
    page.locator("#id_last_name").fill("Haddad")
    page.locator("#id_email").fill(APPLICANT_EMAIL)
    page.locator("#id_postal_code").fill("75011")
    page.get_by_label(re.compile("J'accepte que ces informations")).check()
    page.get_by_label(re.compile("J'adhère aux valeurs")).check()
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url(re.compile(r"/adherer/envoyee/$"))
    axe_check(page)
    join_request = JoinRequest.objects.get(email=APPLICANT_EMAIL)
    assert join_request.section == section and join_request.status == "unconfirmed"

    # The confirmation link of the mail.
    mail = OutgoingMail.objects.get(to=[APPLICANT_EMAIL])
    link = re.search(r"https?://\S+/adherer/confirmer/\S+/", mail.body).group(0)
    visit(page, link)
    page.get_by_role("button", name="Confirmer ma demande").click()
    page.wait_for_load_state("load")
    axe_check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Demande confirmée"
    assert OutgoingMail.objects.filter(to=[SECRETARY_EMAIL]).exists()

    # The secretary accepts.
    login(page, live_server, SECRETARY_EMAIL, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    visit(page, "/demandes-adhesion/")
    page.get_by_role("link", name="Nour Haddad").click()
    page.wait_for_url(re.compile(rf"/demandes-adhesion/{join_request.pk}/$"))
    axe_check(page)
    page.get_by_role("button", name="Accepter l'adhésion").click()
    page.wait_for_url(re.compile(r"/demandes-adhesion/$"))
    axe_check(page)
    assert page.get_by_text("Adhésion acceptée").is_visible()

    member = Member.objects.get(email=APPLICANT_EMAIL)
    assert member.section == section and member.first_name == "Nour"
    subjects = list(
        OutgoingMail.objects.filter(to=[APPLICANT_EMAIL]).values_list("subject", flat=True)
    )
    assert any("Activez votre espace" in s for s in subjects)
    assert any("Bienvenue" in s for s in subjects)
