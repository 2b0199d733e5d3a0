"""The outbox: a mail is written to the database with the action, and sent after commit.

Why: the action of a user (a booking, a registration) must succeed even when the mail
server is down or hangs, and no mail may be lost. :func:`outbox_send` stores the message in
:class:`~fede.core.models.OutgoingMail` inside the caller's transaction (so a rolled-back
action sends nothing) and, once committed, enqueues :func:`outbox_deliver_task` — a
background task run by the worker, never by the request (except in tests, where the task
backend runs tasks at once so ``django.core.mail.outbox`` sees the message).

A failed delivery stays in the outbox with its error. The worker tries again by itself
(the task is re-enqueued to run at the next attempt's time) and ``manage.py send_outbox``,
run every minute from cron, catches up on anything due. Delays grow from 2 minutes to
4 hours; a mail still not sent after ``FEDE_MAIL_RETRY_HOURS`` (96 h: a long weekend) is
**abandoned**: it stays in the outbox, is listed for the federation's staff with a
"Renvoyer" button, and counted on ``/healthz``. The SMTP connection is bounded by
``EMAIL_TIMEOUT``: a server that accepts and never answers costs a worker seconds, not
hours.
"""

from __future__ import annotations

import base64
import datetime
import enum
import logging
import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import default_task_backend, task

from .models import OutgoingMail

logger = logging.getLogger(__name__)

_BLANK_LINES = re.compile(r"\n{3,}")


def absolute_url(path: str) -> str:
    """A link for a mail, a QR code or a calendar: the address the site is served at
    (``FEDE_SITE_URL``), never the request's host."""
    return settings.FEDE_SITE_URL.rstrip("/") + path


def render_mail(template: str, context: dict) -> tuple[str, str]:
    """The text and the HTML body of one message, from its one template.

    The template extends ``core/email/base.html`` and fills ``{% block text %}`` (plain,
    not escaped) and ``{% block html %}``, side by side, so both parts say the same facts.
    """
    context = {"site_name": settings.FEDE_SITE_NAME, **context}
    text = render_to_string(template, {**context, "mail_part": "text"})
    text = _BLANK_LINES.sub("\n\n", text).strip("\n") + "\n"
    html = render_to_string(template, {**context, "mail_part": "html"})
    return text, html


def mail_message(subject: str, template: str, context: dict, to: list[str], *, reply_to=()):
    """A message with its text body and its HTML alternative, ready for :func:`outbox_send`
    (sent from ``DEFAULT_FROM_EMAIL``; answers go to ``reply_to`` when given)."""
    text, html = render_mail(template, {**context, "subject": subject})
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, reply_to=list(reply_to))
    message.attach_alternative(html, "text/html")
    return message


#: The longest wait between two attempts.
MAX_DELAY = datetime.timedelta(hours=4)


class Delivery(enum.Enum):
    SENT = "sent"  # sent by this call
    FAILED = "failed"  # tried by this call, failed (retried later, or abandoned)
    SKIPPED = "skipped"  # sent or being sent by someone else, or abandoned: not counted


def retry_window() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "FEDE_MAIL_RETRY_HOURS", 96))


def next_delay(attempts: int) -> datetime.timedelta:
    """2, 4, 8… minutes, then every 4 hours."""
    return min(datetime.timedelta(minutes=2 ** min(attempts, 10)), MAX_DELAY)


def outbox_send(message: EmailMultiAlternatives) -> OutgoingMail:
    """Store ``message`` in the outbox; it is delivered after the transaction commits."""
    alternatives = [
        {"content": content, "mimetype": mimetype}
        for content, mimetype in getattr(message, "alternatives", [])
    ]
    attachments = []
    for attachment in message.attachments:
        filename, content, mimetype = attachment
        if isinstance(content, str):
            content = content.encode()
        attachments.append(
            {
                "filename": filename,
                "content": base64.b64encode(content).decode("ascii"),
                "mimetype": mimetype or "application/octet-stream",
            }
        )
    mail = OutgoingMail.objects.create(
        subject=message.subject,
        body=message.body,
        from_email=message.from_email or "",
        to=list(message.to),
        cc=list(message.cc),
        bcc=list(message.bcc),
        reply_to=list(message.reply_to),
        alternatives=alternatives,
        attachments=attachments,
    )
    transaction.on_commit(lambda: outbox_deliver_task.enqueue(mail.pk))
    return mail


def _build(mail: OutgoingMail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.body,
        from_email=mail.from_email or None,
        to=mail.to,
        cc=mail.cc,
        bcc=mail.bcc,
        reply_to=mail.reply_to,
    )
    for alternative in mail.alternatives:
        message.attach_alternative(alternative["content"], alternative["mimetype"])
    for attachment in mail.attachments:
        message.attach(
            attachment["filename"],
            base64.b64decode(attachment["content"]),
            attachment["mimetype"],
        )
    return message


def outbox_deliver(mail_id: int) -> Delivery:
    """Try to send one mail of the outbox (the row is locked: one sender at a time)."""
    with transaction.atomic():
        mail = (
            OutgoingMail.objects.select_for_update(skip_locked=True)
            .filter(pk=mail_id, sent_at__isnull=True, abandoned_at__isnull=True)
            .first()
        )
        if mail is None:
            return Delivery.SKIPPED
        now = timezone.now()
        try:
            _build(mail).send()
        except Exception as error:  # noqa: BLE001 — any failure: keep it and retry later
            mail.attempts += 1
            mail.last_error = f"{type(error).__name__}: {error}"[:1000]
            mail.next_attempt_at = now + next_delay(mail.attempts)
            if mail.next_attempt_at > mail.created_at + retry_window():
                mail.abandoned_at = now
                logger.error(
                    "Mail %s abandoned after %s attempts: %s", mail.pk, mail.attempts, error
                )
            else:
                logger.warning("Mail %s not sent (attempt %s): %s", mail.pk, mail.attempts, error)
            mail.save(
                update_fields=[
                    "attempts",
                    "last_error",
                    "next_attempt_at",
                    "abandoned_at",
                    "updated_at",
                ]
            )
            if mail.abandoned_at is None:
                retry_at = mail.next_attempt_at
                transaction.on_commit(lambda: _schedule_retry(mail.pk, retry_at))
            return Delivery.FAILED
        mail.sent_at = now
        mail.attempts += 1
        mail.save(update_fields=["sent_at", "attempts", "updated_at"])
        return Delivery.SENT


def _schedule_retry(mail_id: int, when: datetime.datetime) -> None:
    """Let the worker try again at ``when`` (backends that cannot defer rely on cron)."""
    if not default_task_backend.supports_defer:
        return
    try:
        outbox_deliver_task.using(run_after=when).enqueue(mail_id)
    except Exception:  # noqa: BLE001 — send_outbox from cron still catches it up
        logger.exception("Could not schedule the retry of mail %s", mail_id)


@task()
def outbox_deliver_task(mail_id: int) -> str:
    return outbox_deliver(mail_id).value


def outbox_retry_due(*, now: datetime.datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """Deliver the mails whose retry time has come. Returns (sent, failed) by this call:
    mails another sender is handling at the same moment are counted by that sender only."""
    now = now or timezone.now()
    due = list(
        OutgoingMail.objects.waiting()
        .filter(next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    results = [outbox_deliver(pk) for pk in due]
    return results.count(Delivery.SENT), results.count(Delivery.FAILED)


@transaction.atomic
def outbox_resend(*, actor, mail: OutgoingMail) -> OutgoingMail:
    """Put an abandoned mail back in the outbox for a new series of attempts."""
    from .access import authorize
    from .audit import audit

    authorize(actor, "outbox.manage")
    mail = OutgoingMail.objects.select_for_update().get(pk=mail.pk)
    if mail.sent_at is not None or mail.abandoned_at is None:
        return mail
    now = timezone.now()
    mail.abandoned_at = None
    mail.created_at = now  # a new retry window starts now
    mail.next_attempt_at = now
    mail.save(update_fields=["abandoned_at", "created_at", "next_attempt_at", "updated_at"])
    audit(actor=actor, code="outbox.resend", obj=mail, params={"attempts": mail.attempts})
    transaction.on_commit(lambda: outbox_deliver_task.enqueue(mail.pk))
    return mail
