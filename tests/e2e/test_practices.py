"""The practices space in a browser: an officer asks a question, another answers, the first
accepts the answer, and the search finds it without the accents. axe checks every page."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache

from fede.organization.models import Role
from fede.organization.tests.factories import (
    TOTP_TEST_SECRET,
    make_federation,
    make_officer,
    make_section,
)
from fede.practices.models import Post

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser"), pytest.mark.django_db]

PASSWORD = "correct horse battery"
ASKER = "secretaire.paris11@example.org"
HELPER = "secretaire.paris15@example.org"


def _officer(section, email):
    user = make_officer(section, Role.SECTION_SECRETARY, email=email)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def test_a_question_is_asked_answered_accepted_and_found(
    page, live_server, visit, axe_check, login
):
    federation = make_federation(code="FED75")
    _officer(make_section(federation, name="Paris 11"), ASKER)
    _officer(make_section(federation, name="Paris 15"), HELPER)

    # The asker opens the space from the menu and asks a question.
    login(page, live_server, ASKER, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    page.get_by_role("link", name="Pratiques").first.click()
    page.wait_for_url(re.compile(r"/pratiques/$"))
    axe_check(page)
    page.get_by_role("link", name="Poser une question").first.click()
    page.wait_for_url(re.compile(r"/pratiques/nouveau/"))
    axe_check(page)
    page.get_by_label("Titre").fill("Préparer les élections municipales : par où commencer ?")
    page.get_by_label("Thème").select_option(label="Élections")
    page.get_by_label("Texte").fill("Six mois avant le scrutin, quelles sont les **priorités** ?")
    page.get_by_label("Mots-clés").fill("élections, rétroplanning")
    page.get_by_role("button", name="Publier").click()
    page.wait_for_url(re.compile(r"/pratiques/\d+/$"))
    axe_check(page)
    assert page.get_by_text("Question publiée.").is_visible()
    post = Post.objects.get()
    assert post.kind == Post.Kind.QUESTION

    # Another section's secretary answers.
    page.context.clear_cookies()
    login(page, live_server, HELPER, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    visit(page, f"/pratiques/{post.pk}/")
    page.get_by_label("Votre réponse").fill("Cartographier les bureaux de vote, puis recruter.")
    page.get_by_role("button", name="Publier la réponse").click()
    page.wait_for_url(re.compile(rf"/pratiques/{post.pk}/"))
    axe_check(page)
    page.get_by_role("button", name=re.compile(r"^Utile \(0\)")).click()
    page.wait_for_url(re.compile(rf"/pratiques/{post.pk}/"))
    axe_check(page)
    assert page.get_by_role("button", name=re.compile(r"Utile ✓ \(1\)")).is_visible()

    # The asker accepts it; it shows first, marked. (Their TOTP code of a minute ago is
    # remembered as used: forget it, as the next 30-second window would.)
    page.context.clear_cookies()
    cache.clear()
    login(page, live_server, ASKER, PASSWORD, totp_secret=TOTP_TEST_SECRET)
    visit(page, f"/pratiques/{post.pk}/")
    page.get_by_role("button", name="Retenir cette réponse").click()
    page.wait_for_url(re.compile(rf"/pratiques/{post.pk}/"))
    axe_check(page)
    assert page.get_by_text("✓ Réponse retenue").is_visible()
    post.refresh_from_db()
    assert post.accepted_answer is not None

    # The search finds it without accents, with the word highlighted.
    visit(page, "/pratiques/")
    page.get_by_label("Rechercher dans l'espace").fill("elections")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url(re.compile(r"/pratiques/recherche/\?q=elections"))
    axe_check(page)
    result = page.get_by_role("link", name=re.compile("Préparer les élections municipales"))
    assert result.is_visible()
    assert page.locator("mark").first.inner_text().lower().startswith("élection")

    # On a phone.
    page.set_viewport_size({"width": 360, "height": 800})
    visit(page, f"/pratiques/{post.pk}/")
    visit(page, "/pratiques/")
