"""The mails of the member's space (invitation, ambiguous address): a text part and one HTML
part from one template, the same facts in both, names escaped in the HTML only."""

import logging
import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail

from fede.core.access import SYSTEM
from fede.core.models import AuditEntry, OutgoingMail
from fede.core.testing import mail_parts as parts
from fede.organization import invitations

from .factories import MemberFactory, UserFactory, make_federation, make_section

pytestmark = pytest.mark.django_db

NAME = "Zoé <b>&"
NAME_HTML = "Zoé &lt;b&gt;&amp;"
SECTION = "Paris 11 <b>& Roquette"
SECTION_HTML = "Paris 11 &lt;b&gt;&amp; Roquette"


@pytest.fixture
def section(db):
    return make_section(make_federation(), name=SECTION, contact_email="paris11@example.org")


def test_the_invitation_mail_carries_its_link_in_both_parts_and_nowhere_else(
    section, caplog, django_capture_on_commit_callbacks
):
    member = MemberFactory(section=section, first_name=NAME, email="zoe@example.org")
    mail.outbox.clear()
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.member_invite(actor=SYSTEM, member=member)
    [message] = mail.outbox
    assert message.subject == f"[{settings.FEDE_SITE_NAME}] Activez votre espace adhérent·e"
    assert message.to == ["zoe@example.org"]
    assert message.reply_to == ["paris11@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    text, html = parts(message)

    url = re.search(r"https?://\S+/activer/\S+/", text)[0]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert invitations.invitation_from_token(token) == invitation
    for fact in [
        f"Bonjour {NAME},",
        f"Votre section {SECTION} vous invite à activer votre espace adhérent·e sur "
        f"{settings.FEDE_SITE_NAME}",
        "Pour l'activer, choisissez votre mot de passe à cette adresse :\n" + url,
        "Ce lien ne sert qu'une fois et expire dans 30 jours.",
        invitations.site_url("/"),
    ]:
        assert fact in text, fact
    for fact in [
        f"Bonjour {NAME_HTML},",
        f"Votre section {SECTION_HTML} vous invite",
        f'<a href="{url}">{url}</a>',
        "Activer mon espace",
        "Ce lien ne sert qu'une fois et expire dans 30 jours.",
        f'<a href="{invitations.site_url("/")}">',
    ]:
        assert fact in html, fact
    assert "<b>&" not in html and "&lt;" not in text

    # The link is in the mail only: not in the audit trail, nor in the logs.
    assert not any(token in str(entry.params) for entry in AuditEntry.objects.all())
    assert token not in caplog.text
    stored = OutgoingMail.objects.get()
    assert stored.body == text
    assert stored.alternatives == [{"content": html, "mimetype": "text/html"}]


def test_the_ambiguous_address_mail_links_the_records_in_both_parts(
    section, django_capture_on_commit_callbacks
):
    one = MemberFactory(section=section, email="famille@example.org")
    two = MemberFactory(section=section, email="famille@example.org")
    user = UserFactory(email="famille@example.org")
    EmailAddress.objects.create(user=user, email="famille@example.org", verified=True, primary=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = invitations.link_verified_email(user=user, email="famille@example.org")
    assert result == invitations.LinkResult.AMBIGUOUS
    [message] = mail.outbox
    assert message.subject == (
        f"[{settings.FEDE_SITE_NAME}] Un compte n'a pas pu être relié à une fiche"
    )
    assert message.to == ["paris11@example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    text, html = parts(message)
    links = [invitations.site_url(m.get_absolute_url()) for m in (one, two)]
    assert "Une personne vient de confirmer une adresse e-mail que portent 2 fiches" in text
    assert f"dont au moins une de la section {SECTION}." in text
    assert "Vérifiez ces fiches (une adresse par personne)" in text
    assert f"dont au moins une de la section {SECTION_HTML}." in html
    for link in links:
        assert f"{link}\n" in text
        assert f'<a href="{link}">{link}</a>' in html
    assert "<b>&" not in html
    assert "famille@example.org" not in text and "famille@example.org" not in html
