"""Background work of events: e-mails and the reminders of the day before.

Task arguments are ids and strings (stored as JSON by the task backend).
"""

from __future__ import annotations

from django_tasks import task

from . import mail


@task()
def send_registration_mail(registration_id: int, kind: str) -> bool:
    return mail.send_registration_mail(registration_id, kind)


@task()
def send_registration_mails(registration_ids: list[int], kind: str) -> int:
    """The same mail to many registrations (cancellation or change of an event)."""
    return sum(1 for pk in registration_ids if mail.send_registration_mail(pk, kind))


@task()
def send_invitation_mails(event_id: int, member_ids: list[int]) -> int:
    return sum(1 for pk in member_ids if mail.send_invitation_mail(event_id, pk))


@task()
def send_event_reminders() -> int:
    """Remind registrants of tomorrow's events (also run by ``manage.py send_event_reminders``)."""
    from fede.core.access import SYSTEM

    from .services import reminders_send  # services enqueue the tasks of this module

    return reminders_send(actor=SYSTEM)
