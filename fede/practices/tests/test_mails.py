"""The mails of the practices space (a new answer, a kit proposal decided): a text part and
one HTML part from one template, the same facts and links in both, names escaped in the
HTML only."""

import pytest
from django.conf import settings
from django.core import mail

from fede.core.testing import mail_parts as parts
from fede.kits.tests.factories import SMALL_KIT, make_kit
from fede.practices import services

from .factories import make_post, make_question

pytestmark = pytest.mark.django_db

NAME = "Zoé <b>&"
NAME_HTML = "Zoé &lt;b&gt;&amp;"
TITLE = "Réserver <b>& payer"
TITLE_HTML = "Réserver &lt;b&gt;&amp; payer"


def check_escaping(text: str, html: str) -> None:
    assert "<b>&" not in html, "a name reaches the HTML unescaped"
    assert "&lt;" not in text and "&amp;" not in text, "the text part is escaped"


@pytest.mark.parametrize("question", [True, False])
def test_reply_mail(p11_secretary, p15_secretary, question, django_capture_on_commit_callbacks):
    p11_secretary.member.first_name = NAME
    p11_secretary.member.save(update_fields=["first_name"])
    post = (make_question if question else make_post)(p11_secretary, title=TITLE)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(
            actor=p15_secretary, post=post, body="Voyez la mairie <b>& le bailleur."
        )
    [message] = mail.outbox
    assert message.to == [p11_secretary.email]
    assert message.subject == (
        f"Nouvelle réponse à « {TITLE} »" if question else f"Nouveau commentaire sur « {TITLE} »"
    )
    text, html = parts(message)
    url = f"{settings.FEDE_SITE_URL.rstrip('/')}{post.get_absolute_url()}#reponse-{comment.pk}"
    said = (
        f"Une nouvelle réponse a été publiée à la question « {TITLE} » :"
        if question
        else f"Un nouveau commentaire a été publié sur « {TITLE} » :"
    )
    assert (
        f"Bonjour {NAME},\n\n{said}\n\nVoyez la mairie <b>& le bailleur.\n\n"
        f"Pour la lire et répondre :\n{url}\n\nVous recevez ce message parce que vous suivez "
        "cette publication."
    ) in text
    assert f"Bonjour {NAME_HTML}," in html
    assert said.replace(TITLE, TITLE_HTML) in html
    assert "Voyez la mairie &lt;b&gt;&amp; le bailleur." in html
    assert f'<a href="{url}">{url}</a>' in html
    assert "Vous recevez ce message parce que vous suivez cette publication." in html
    check_escaping(text, html)


@pytest.mark.parametrize("accepted", [True, False])
def test_kit_proposal_decision_mail(
    p11_secretary, p15_secretary, paris_first, accepted, django_capture_on_commit_callbacks
):
    kit = make_kit({**SMALL_KIT, "title": "Kit <b>& test"})
    post = make_post(p15_secretary, title=TITLE)
    proposal = services.kit_propose(actor=p15_secretary, post=post, kit=kit)
    mail.outbox.clear()
    answer = "Repris <b>& résumé." if accepted else ""
    with django_capture_on_commit_callbacks(execute=True):
        services.kit_proposal_decide(
            actor=paris_first, proposal=proposal, accepted=accepted, answer=answer
        )
    [message] = mail.outbox
    assert message.to == [p15_secretary.email]
    assert message.subject == "Votre proposition pour le kit « Kit <b>& test »"
    text, html = parts(message)
    url = settings.FEDE_SITE_URL.rstrip("/") + post.get_absolute_url()
    verb = "ont retenu" if accepted else "n'ont pas retenu"
    said = f"Les auteur·es du kit « Kit <b>& test » {verb} votre proposition tirée de « {TITLE} »."
    assert f"Bonjour,\n\n{said}\n\n" + (f"{answer}\n\n" if answer else "") + url in text
    assert (
        f"Les auteur·es du kit « Kit &lt;b&gt;&amp; test » {verb} votre proposition tirée de "
        f"« {TITLE_HTML} »."
    ) in html
    assert ("Repris &lt;b&gt;&amp; résumé." in html) == accepted
    assert f'<a href="{url}">{url}</a>' in html
    check_escaping(text, html)
