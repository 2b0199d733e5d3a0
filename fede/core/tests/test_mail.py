"""The outbox: actions succeed when the mail server is down, and no mail is lost."""

import datetime
import smtplib

import pytest
from django.core import mail as django_mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from fede.core.mail import outbox_retry_due, outbox_send
from fede.core.models import OutgoingMail

pytestmark = pytest.mark.django_db


def _message():
    message = EmailMultiAlternatives(
        subject="Votre réservation", body="Confirmée.", to=["a@example.org"]
    )
    message.attach_alternative("<p>Confirmée.</p>", "text/html")
    message.attach("salle.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    return message


def test_mail_is_sent_after_commit_with_its_parts(django_capture_on_commit_callbacks):
    """The mail leaves only once the action's transaction commits, whole."""
    with django_capture_on_commit_callbacks(execute=True):
        outbox_send(_message())
        assert django_mail.outbox == []
    assert len(django_mail.outbox) == 1
    sent = django_mail.outbox[0]
    assert sent.subject == "Votre réservation"
    assert sent.alternatives[0][1] == "text/html"
    assert sent.attachments[0][0] == "salle.ics"
    assert OutgoingMail.objects.get().sent_at is not None


def test_rolled_back_action_sends_nothing(django_capture_on_commit_callbacks):
    """A mail written in a transaction that fails is never sent."""
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox_send(_message())
        raise RuntimeError("the action failed")
    assert django_mail.outbox == []
    assert not OutgoingMail.objects.exists()


def test_mail_server_down_keeps_the_mail_and_retries(
    monkeypatch, django_capture_on_commit_callbacks
):
    """SMTP down: the action succeeds, the mail waits; the retry command sends it later."""

    def broken_send(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("connexion refusée")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken_send)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_send(_message())
    waiting = OutgoingMail.objects.get()
    assert waiting.sent_at is None
    assert waiting.attempts == 1
    assert "connexion refusée" in waiting.last_error
    assert waiting.next_attempt_at > timezone.now()

    # Not yet due: nothing happens.
    assert outbox_retry_due() == (0, 0)

    monkeypatch.undo()
    later = timezone.now() + datetime.timedelta(hours=1)
    assert outbox_retry_due(now=later) == (1, 0)
    assert len(django_mail.outbox) == 1
    waiting.refresh_from_db()
    assert waiting.sent_at is not None


def test_send_outbox_command_reports(capsys):
    """The cron command says what it did."""
    call_command("send_outbox")
    assert "0 e-mail(s) envoyé(s)" in capsys.readouterr().out
