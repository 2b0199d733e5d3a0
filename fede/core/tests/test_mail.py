"""The outbox: actions succeed when the mail server is down, and no mail is lost."""

import datetime
import signal
import smtplib
import socket
import threading
import time
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail as django_mail
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from fede.core.mail import (
    Delivery,
    outbox_deliver,
    outbox_resend,
    outbox_retry_due,
    outbox_send,
)
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
    assert "0 e-mail(s) envoyé(s), 0 en échec" in capsys.readouterr().out


@pytest.fixture
def blackhole_smtp():
    """A mail server that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield SimpleNamespace(port=server.getsockname()[1], accepted=accepted)
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    server.close()


def _database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_a_mail_server_that_never_answers_holds_neither_the_action_nor_the_worker(
    settings, blackhole_smtp, django_capture_on_commit_callbacks
):
    """The action only stores the mail; the worker's attempt gives up after EMAIL_TIMEOUT
    and the mail is sent later, once the server answers."""
    from django_tasks_db.models import DBTaskResult

    _database_tasks(settings)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", blackhole_smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 1

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_send(_message())
    # The action never talks to the mail server: it only stores the mail and queues it
    # (the bound is loose so a loaded machine does not make it flaky; a blocking send
    # would hang here forever).
    assert blackhole_smtp.accepted == []
    assert time.monotonic() - started < 5
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "fede.core.mail.outbox_deliver_task"

    # The worker runs the task: bounded by the timeout, the mail stays waiting.
    mail = OutgoingMail.objects.get()

    def hung(signum, frame):
        raise AssertionError("the delivery hung on a silent mail server")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(15)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            outcome = outbox_deliver(mail.pk)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert outcome == Delivery.FAILED
    mail.refresh_from_db()
    assert mail.sent_at is None and mail.attempts == 1
    assert "timed out" in mail.last_error.lower() or "timeout" in mail.last_error.lower()
    # ... and the worker itself is asked to try again at the next attempt's time.
    retry = DBTaskResult.objects.exclude(pk=queued.pk).get()
    assert retry.run_after == mail.next_attempt_at

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_retry_due(now=mail.next_attempt_at) == (1, 0)
    assert len(django_mail.outbox) == 1


def test_a_long_outage_abandons_the_mail_where_the_staff_sees_and_resends_it(
    monkeypatch, django_capture_on_commit_callbacks, capsys
):
    """Past the retry window (a long weekend) the mail is abandoned, not lost: counted by
    the cron command and /healthz, and put back in the queue by "Renvoyer"."""
    from fede.core.access import SYSTEM

    def broken_send(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("connexion refusée")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken_send)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_send(_message())
    mail = OutgoingMail.objects.get()
    start = mail.created_at
    attempts_on_friday_evening = 1
    now = start
    with time_machine.travel(start, tick=False) as traveller:
        while mail.abandoned_at is None:
            now = mail.next_attempt_at
            traveller.move_to(now)
            outbox_retry_due(now=now)
            mail.refresh_from_db()
            attempts_on_friday_evening += 1
            assert attempts_on_friday_evening < 100
    # Still retried after two and a half days (a weekend), given up after four.
    assert mail.abandoned_at - start >= datetime.timedelta(hours=72)
    assert mail.abandoned_at - start <= datetime.timedelta(hours=100)
    assert OutgoingMail.objects.abandoned().count() == 1
    assert outbox_retry_due(now=now + datetime.timedelta(days=30)) == (0, 0)

    call_command("send_outbox")
    assert "1 abandonné(s)" in capsys.readouterr().out

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_resend(actor=SYSTEM, mail=mail)
    mail.refresh_from_db()
    assert mail.sent_at is not None and mail.abandoned_at is None
    assert len(django_mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_mail_once_and_count_truly(settings):
    """Two cron runs overlapping: each mail leaves once, the two counts add up to 12."""
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL row locks")
    sent_to = []
    lock = threading.Lock()

    def slow_send(self, fail_silently=False):
        time.sleep(0.02)
        with lock:
            sent_to.append(tuple(self.to))
        return 1

    for n in range(12):
        OutgoingMail.objects.create(subject=f"m{n}", body=".", to=[f"m{n}@example.org"])
    results = []
    barrier = threading.Barrier(2)

    def sender():
        try:
            barrier.wait()
            results.append(outbox_retry_due(now=timezone.now() + datetime.timedelta(seconds=1)))
        finally:
            connections.close_all()

    original = EmailMultiAlternatives.send
    EmailMultiAlternatives.send = slow_send
    try:
        threads = [threading.Thread(target=sender) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        EmailMultiAlternatives.send = original
    assert sorted(sent_to) == sorted({tuple(m.to) for m in OutgoingMail.objects.all()})
    assert sum(sent for sent, _failed in results) == 12
    assert sum(failed for _sent, failed in results) == 0
