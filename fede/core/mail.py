"""The outbox: a mail is written to the database with the action, and sent after commit.

Why: the action of a user (a booking, a registration) must succeed even when the mail
server is down, and no mail may be lost. :func:`outbox_send` stores the message in
:class:`~fede.core.models.OutgoingMail` inside the caller's transaction (so a rolled-back
action sends nothing) and, once committed, enqueues :func:`outbox_deliver_task`. A failed
delivery stays in the outbox with its error and is retried with a growing delay by
``manage.py send_outbox`` (run it every minute from cron or a timer). In tests and the
demo the task runs at once, so ``django.core.mail.outbox`` sees the message immediately.
"""

from __future__ import annotations

import base64
import datetime
import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import OutgoingMail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


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


def outbox_deliver(mail_id: int) -> bool:
    """Try to send one mail of the outbox. True when sent (now or before)."""
    with transaction.atomic():
        mail = (
            OutgoingMail.objects.select_for_update(skip_locked=True)
            .filter(pk=mail_id, sent_at__isnull=True)
            .first()
        )
        if mail is None:
            return OutgoingMail.objects.filter(pk=mail_id, sent_at__isnull=False).exists()
        try:
            _build(mail).send()
        except Exception as error:  # noqa: BLE001 — any failure: keep it and retry later
            mail.attempts += 1
            mail.last_error = f"{type(error).__name__}: {error}"[:1000]
            delay = datetime.timedelta(minutes=2 ** min(mail.attempts, 10))
            mail.next_attempt_at = timezone.now() + delay
            mail.save(update_fields=["attempts", "last_error", "next_attempt_at", "updated_at"])
            logger.warning("Mail %s not sent (attempt %s): %s", mail.pk, mail.attempts, error)
            return False
        mail.sent_at = timezone.now()
        mail.attempts += 1
        mail.save(update_fields=["sent_at", "attempts", "updated_at"])
        return True


@task()
def outbox_deliver_task(mail_id: int) -> bool:
    return outbox_deliver(mail_id)


def outbox_retry_due(*, now: datetime.datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """Deliver the mails whose retry time has come. Returns (sent, still failing)."""
    now = now or timezone.now()
    due = list(
        OutgoingMail.objects.filter(
            sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = sum(1 for pk in due if outbox_deliver(pk))
    return sent, len(due) - sent
