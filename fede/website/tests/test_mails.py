"""The mails of the public site (contact form, join requests): a text part and one HTML part
from one template, the same facts and links in both, names escaped in the HTML only."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail

from fede.core.models import OutgoingMail
from fede.organization.models import Unit
from fede.website import services
from fede.website.models import JoinRequest

pytestmark = pytest.mark.django_db

NAME = "Zoé <b>&"
NAME_HTML = "Zoé &lt;b&gt;&amp;"
P11 = "Paris 11 <b>& Folie"
P11_HTML = "Paris 11 &lt;b&gt;&amp; Folie"
P16 = "Paris 16 <b>& Auteuil"
P16_HTML = "Paris 16 &lt;b&gt;&amp; Auteuil"
NOTE = "Voir <b>& rappeler.\nMardi soir."
NOTE_HTML = "Voir &lt;b&gt;&amp; rappeler.<br>Mardi soir."
SITE_URL = services.site_url("/")


def parts(stored: OutgoingMail) -> tuple[str, str]:
    """The text body and the one HTML alternative of a mail of the outbox."""
    [alternative] = stored.alternatives
    assert alternative["mimetype"] == "text/html"
    return stored.body, alternative["content"]


def check_escaping(text: str, html: str) -> None:
    assert "<b>&" not in html, "a name reaches the HTML unescaped"
    assert "&lt;" not in text and "&amp;" not in text, "the text part is escaped"
    assert text.rstrip().endswith(f"-- \n{settings.FEDE_SITE_NAME}")
    assert f'<a href="{SITE_URL}">{SITE_URL}</a>' in html and f"{SITE_URL}\n" in text


@pytest.fixture
def odd(site):
    """The sections of the fixture renamed with characters HTML must escape."""
    Unit.objects.filter(pk=site["p11"].pk).update(name=P11)
    Unit.objects.filter(pk=site["p16"].pk).update(name=P16)
    for key in ("p11", "p16"):
        site[key].refresh_from_db()
    return site


def join(site) -> JoinRequest:
    return services.join_request_create(
        actor=AnonymousUser(),
        postal_code="75011",
        section=site["p11"],
        first_name=NAME,
        last_name="Rousseau",
        email="zoe@example.org",
        consent_newsletter=False,
    )


def confirmed(site) -> JoinRequest:
    join_request = join(site)
    return services.join_request_confirm(
        actor=AnonymousUser(), token=services.confirm_token(join_request)
    )


def test_contact_mail(odd, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.contact_send(
            actor=AnonymousUser(),
            section=odd["p11"],
            name=NAME,
            email="zoe@example.org",
            message="Quand vous réunissez-vous ? <b>&\nMerci.",
        )
    [message] = mail.outbox
    assert message.subject == f"[{settings.FEDE_SITE_NAME}] Message du site pour {P11}"
    assert message.to == ["secretaire11@example.org"]
    assert message.reply_to == ["zoe@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    text, html = parts(OutgoingMail.objects.get())
    assert (message.body, message.alternatives[0][0]) == (text, html)
    assert (
        f"Bonjour,\n\nUn message pour la section {P11} a été envoyé depuis le site public.\n\n"
        f"De : {NAME} <zoe@example.org>\n\nQuand vous réunissez-vous ? <b>&\nMerci.\n\n"
        "Répondez directement à cet e-mail pour écrire à cette personne"
    ) in text
    assert "<p>Bonjour,</p>" in html
    assert f"Un message pour la section {P11_HTML} a été envoyé depuis le site public." in html
    assert f"De : {NAME_HTML} &lt;zoe@example.org&gt;" in html
    assert "Quand vous réunissez-vous ? &lt;b&gt;&amp;<br>Merci." in html
    assert "Répondez directement à cet e-mail pour écrire à cette personne" in html
    check_escaping(text, html)


def test_join_confirmation_mail(odd):
    join_request = join(odd)
    stored = OutgoingMail.objects.get()
    assert stored.subject == f"[{settings.FEDE_SITE_NAME}] Confirmez votre demande d'adhésion"
    assert stored.to == ["zoe@example.org"] and stored.from_email == settings.DEFAULT_FROM_EMAIL
    text, html = parts(stored)
    url = re.search(r"https?://\S+/adherer/confirmer/\S+/", text)[0]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert services.join_request_from_token(token) == join_request
    assert (
        f"Bonjour {NAME},\n\nVous avez demandé à adhérer, à la section {P11}. Pour confirmer "
        f"votre demande, suivez ce lien :\n{url}\n\nCe lien ne sert qu'une fois et expire dans "
        "7 jours."
    ) in text
    assert f"Bonjour {NAME_HTML}," in html
    assert f"Vous avez demandé à adhérer, à la section {P11_HTML}." in html
    assert f'<a href="{url}">{url}</a>' in html
    assert "Ce lien ne sert qu'une fois et expire dans 7 jours." in html
    check_escaping(text, html)


def test_officers_mail_for_a_confirmed_request(odd):
    join_request = confirmed(odd)
    stored = OutgoingMail.objects.get(to=["secretaire11@example.org"])
    assert stored.subject == f"[{settings.FEDE_SITE_NAME}] Nouvelle demande d'adhésion — {P11}"
    text, html = parts(stored)
    url = services.site_url(join_request.get_absolute_url())
    assert (
        f"Une nouvelle demande d'adhésion pour {P11} vient d'être confirmée par e-mail.\n\n"
        f"Pour l'accepter, la réorienter ou la refuser :\n{url}\n"
    ) in text
    assert f"Une nouvelle demande d'adhésion pour {P11_HTML} vient d'être confirmée" in html
    assert f'<a href="{url}">{url}</a>' in html
    assert NAME not in text, "the applicant's name stays on the site"
    check_escaping(text, html)


def test_redirection_mails_to_the_officers_and_the_applicant(odd):
    join_request = confirmed(odd)
    services.join_request_redirect(
        actor=odd["sec11"], join_request=join_request, section=odd["p16"], note=NOTE
    )
    officers = OutgoingMail.objects.get(to=["secretaire16@example.org"])
    text, html = parts(officers)
    url = services.site_url(join_request.get_absolute_url())
    assert (
        f"La section {P11} vous transmet une demande d'adhésion pour {P16}.\n\n"
        f"Sa note :\n{NOTE}\n\nPour l'accepter, la réorienter ou la refuser :\n{url}\n"
    ) in text
    assert f"La section {P11_HTML} vous transmet une demande d'adhésion pour {P16_HTML}." in html
    assert "<p>Sa note :</p>" in html and NOTE_HTML in html
    assert f'<a href="{url}">{url}</a>' in html
    check_escaping(text, html)

    applicant = OutgoingMail.objects.filter(to=["zoe@example.org"]).latest("pk")
    assert applicant.subject == (
        f"[{settings.FEDE_SITE_NAME}] Votre demande d'adhésion est transmise à {P16}"
    )
    text, html = parts(applicant)
    assert (
        f"Bonjour {NAME},\n\nLa section {P11} a transmis votre demande d'adhésion à la section "
        f"{P16}, qui vous recontactera.\n\n{NOTE}\n"
    ) in text
    assert f"Bonjour {NAME_HTML}," in html
    assert (
        f"La section {P11_HTML} a transmis votre demande d'adhésion à la section {P16_HTML}" in html
    )
    assert NOTE_HTML in html
    check_escaping(text, html)


def test_acceptance_mail(odd):
    join_request = confirmed(odd)
    services.join_request_accept(actor=odd["sec11"], join_request=join_request)
    to_applicant = OutgoingMail.objects.filter(to=["zoe@example.org"])
    welcome = to_applicant.get(subject=f"[{settings.FEDE_SITE_NAME}] Bienvenue à {P11}")
    assert welcome.reply_to == [] and welcome.from_email == settings.DEFAULT_FROM_EMAIL
    text, html = parts(welcome)
    assert (
        f"Bonjour {NAME},\n\nBienvenue ! La section {P11} a accepté votre adhésion. Vous allez "
        "recevoir un second e-mail pour activer votre espace adhérent·e"
    ) in text
    assert "Les responsables de la section vous contacteront pour votre première réunion" in text
    assert f"Bonjour {NAME_HTML}," in html
    assert f"Bienvenue ! La section {P11_HTML} a accepté votre adhésion." in html
    assert "Les responsables de la section vous contacteront pour votre première réunion" in html
    check_escaping(text, html)
    # The invitation that comes with it has its two parts too (organization.invitations).
    invitation = to_applicant.get(subject__contains="Activez votre espace")
    text, html = parts(invitation)
    url = re.search(r"https?://\S+/activer/\S+/", text)[0]
    assert f'<a href="{url}">{url}</a>' in html and f"Bonjour {NAME_HTML}," in html


def test_acceptance_mail_answers_to_the_section_contact(odd):
    join_request = services.join_request_create(
        actor=AnonymousUser(),
        postal_code="75016",
        section=odd["p16"],
        first_name=NAME,
        last_name="Rousseau",
        email="zoe@example.org",
    )
    join_request = services.join_request_confirm(
        actor=AnonymousUser(), token=services.confirm_token(join_request)
    )
    services.join_request_accept(actor=odd["sec16"], join_request=join_request)
    welcome = OutgoingMail.objects.get(subject=f"[{settings.FEDE_SITE_NAME}] Bienvenue à {P16}")
    assert welcome.reply_to == ["auteuil@example.org"]
    assert len(welcome.alternatives) == 1


@pytest.mark.parametrize("note", ["", NOTE])
def test_decline_mail(odd, note):
    join_request = confirmed(odd)
    services.join_request_decline(actor=odd["sec11"], join_request=join_request, note=note)
    told = OutgoingMail.objects.filter(to=["zoe@example.org"]).latest("pk")
    assert told.subject == f"[{settings.FEDE_SITE_NAME}] Votre demande d'adhésion"
    text, html = parts(told)
    said = f"La section {P11} n'a pas donné suite à votre demande d'adhésion.\n\n"
    said += f"{note}\n\n" if note else ""
    assert f"Bonjour {NAME},\n\n{said}Vos informations seront effacées dans 90 jours." in text
    assert f"Bonjour {NAME_HTML}," in html
    assert f"La section {P11_HTML} n'a pas donné suite à votre demande d'adhésion." in html
    assert "Vos informations seront effacées dans 90 jours." in html
    assert (NOTE_HTML in html) == bool(note)
    assert ("<blockquote" in html) == bool(note)
    check_escaping(text, html)
