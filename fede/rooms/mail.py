"""The e-mails of rooms, written from templates in ``rooms/email/``.

One template per message renders both the text and the HTML part
(:func:`fede.core.mail.render_mail`). Messages go through the outbox (fede.core.mail):
stored with the action, sent after commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.mail import EmailMultiAlternatives

from fede.core.mail import absolute_url as absolute
from fede.core.mail import outbox_send, render_mail

__all__ = ["absolute", "queue_mail", "render_mail"]


def queue_mail(subject: str, template: str, context: dict, recipients: Iterable[str]) -> int:
    """Queue one message (text and HTML) per recipient in the outbox; returns how many."""
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return 0
    text, html = render_mail(template, {**context, "subject": subject})
    for recipient in recipients:
        message = EmailMultiAlternatives(subject=subject, body=text, to=[recipient])
        message.attach_alternative(html, "text/html")
        outbox_send(message)
    return len(recipients)
