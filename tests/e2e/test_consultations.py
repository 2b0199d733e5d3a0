"""A member reads the federal plan, comments a paragraph and supports a proposed rewording;
the first secretary answers the rewording; the member reads the answer."""

import re

import pytest
from allauth.account.models import EmailAddress

from fede.consultations import services
from fede.consultations.models import Comment, RewordingSupport
from fede.consultations.tests.factories import make_consultation, paragraphs
from fede.organization.models import Role
from fede.organization.tests.factories import (
    TOTP_TEST_SECRET,
    make_federation,
    make_member_user,
    make_officer,
    make_section,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery"
MEMBER = "adherente.paris11@example.org"
AUTHOR = "premier.secretaire@example.org"


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def test_member_comments_and_supports_a_rewording_then_the_author_answers(
    page, live_server, visit, axe_check, login
):
    federation = make_federation(code="FED75")
    section = make_section(federation, name="Paris 11 — Oberkampf")
    other = make_section(federation, name="Paris 20 — Belleville")
    member = verified(make_member_user(section))
    member.email = MEMBER
    member.save()
    EmailAddress.objects.filter(user=member).update(email=MEMBER)
    verified(make_officer(federation, Role.FIRST_SECRETARY, section=section, email=AUTHOR))
    consultation = make_consultation(federation, title="Projet fédéral parisien")
    paragraph = paragraphs(consultation)[0]
    rewording = services.rewording_create(
        actor=make_member_user(other),
        paragraph=paragraph,
        text="Création de kits pratiques pour les sections, relus chaque année.",
        explanation="Dire que les kits seront tenus à jour.",
    )

    login(page, live_server, MEMBER, PASSWORD)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Consultations"
    ).click()
    page.wait_for_url(re.compile(r"/consultations/$"))
    axe_check(page)
    page.get_by_role("link", name="Projet fédéral parisien").click()
    page.wait_for_url(re.compile(rf"/consultations/{consultation.pk}/$"))
    axe_check(page)
    page.get_by_role("link", name=re.compile(r"Paragraphe 1\.1")).click()
    page.wait_for_url(re.compile(r"/paragraphes/\d+/"))
    axe_check(page)

    page.get_by_label("Votre commentaire").fill("Un kit « réunion publique » serait le plus utile.")
    page.get_by_role("button", name="Publier mon commentaire").click()
    page.wait_for_load_state("load")
    axe_check(page)
    assert page.get_by_text("Votre commentaire est publié.").is_visible()
    assert page.get_by_text("Un kit « réunion publique » serait le plus utile.").is_visible()

    page.get_by_role("button", name="Je soutiens cette rédaction").click()
    page.wait_for_load_state("load")
    axe_check(page)
    assert page.get_by_role("button", name="Je soutiens cette rédaction ✓").is_visible()
    assert RewordingSupport.objects.filter(rewording=rewording, member=member.member).exists()
    assert Comment.objects.filter(paragraph=paragraph, author=member.member).count() == 1

    page.context.clear_cookies()
    login(page, live_server, AUTHOR, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    visit(page, f"/consultations/paragraphes/{paragraph.pk}/")
    page.get_by_role("link", name="Répondre à la proposition").click()
    page.wait_for_url(re.compile(r"/reformulations/\d+/repondre/"))
    axe_check(page)
    page.get_by_label("Retenu", exact=True).check()
    page.get_by_label("Motif").fill("Nous reprenons cette rédaction dans la version 2.")
    page.get_by_role("button", name="Publier la réponse").click()
    page.wait_for_url(re.compile(r"/paragraphes/\d+/"))
    axe_check(page)
    assert page.get_by_text("Nous reprenons cette rédaction dans la version 2.").is_visible()

    page.set_viewport_size({"width": 360, "height": 800})
    visit(page, f"/consultations/{consultation.pk}/synthese/")
    visit(page, f"/consultations/{consultation.pk}/")
