"""The e-mails of events, written from templates in ``events/email/``.

One template per message renders both the text and the HTML part (:func:`render_mail`):
it extends ``core/email/base.html`` and fills ``{% block text %}`` and
``{% block html %}``, so the two parts are written side by side and say the same facts.

They are built by tasks (``tasks.py``) that services enqueue in ``transaction.on_commit``,
then handed to the outbox (fede.core.mail), which retries when the mail server is down:
an action never fails because the mail server is down, and in production the task
backend retries later. Each mail is built from the database when it is sent, so it says
what is true at that moment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from fede.core.mail import mail_message, outbox_send, render_mail

__all__ = ["mail_message", "render_mail", "send_invitation_mail", "send_registration_mail"]
from fede.organization.models import Member

from .calendars import absolute, calendar_of
from .models import Event, Registration
from .qr import qr_png
from .tokens import CHECKIN, CONFIRM, TICKET, make_token

KINDS = (
    "confirmed",
    "waiting",
    "promoted",
    "guest_confirm",
    "reminder",
    "event_cancelled",
    "event_changed",
    "event_postponed",
    "invitation",
)

_S = Registration.Status
#: The registration states in which each mail still makes sense when it is built: a mail
#: enqueued a moment before the person cancelled (or was promoted) is not sent.
STILL_RELEVANT = {
    "confirmed": {_S.CONFIRMED},
    "promoted": {_S.CONFIRMED},
    "reminder": {_S.CONFIRMED},
    "waiting": {_S.WAITING},
    "guest_confirm": {_S.PENDING},
    "event_cancelled": {_S.CONFIRMED, _S.WAITING},
    "event_changed": {_S.CONFIRMED, _S.WAITING},
    "event_postponed": {_S.CONFIRMED, _S.WAITING},
}


def _subject(kind: str, event: Event) -> str:
    subjects = {
        "confirmed": gettext("Inscription confirmée : %(title)s"),
        "waiting": gettext("Liste d'attente : %(title)s"),
        "promoted": gettext("Une place s'est libérée : %(title)s"),
        "guest_confirm": gettext("Confirmez votre inscription : %(title)s"),
        "reminder": gettext("Rappel : %(title)s, %(when)s"),
        "event_cancelled": gettext("Événement annulé : %(title)s"),
        "event_changed": gettext("Changement de date ou de lieu : %(title)s"),
        "event_postponed": gettext("Événement reporté au %(when)s : %(title)s"),
        "invitation": gettext("Invitation : %(title)s"),
    }
    start = timezone.localtime(event.start)
    return settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subjects[kind] % {
        "title": event.title,
        "when": date_format(start, "SHORT_DATETIME_FORMAT"),
    }


def registration_links(registration: Registration) -> dict[str, str]:
    event = registration.event
    return {
        "event_url": absolute(event.get_absolute_url()),
        "ticket_url": absolute(reverse("events:ticket", args=[make_token(registration, TICKET)])),
        "confirm_url": absolute(
            reverse("events:guest_confirm", args=[make_token(registration, CONFIRM)])
        ),
        "checkin_url": absolute(
            reverse("events:checkin_scan", args=[event.pk, make_token(registration, CHECKIN)])
        ),
        "ics_url": absolute(reverse("events:ticket_ics", args=[make_token(registration, TICKET)])),
    }


def send_registration_mail(registration_id: int, kind: str) -> bool:
    """Send one mail about a registration; ``False`` when there is nobody to write to, or
    when the mail no longer fits the registration as it is now (``STILL_RELEVANT``).

    The row is read locked (``SELECT … FOR UPDATE`` on PostgreSQL) so that a cancellation
    committing at the same moment is either seen here or waits until the mail is queued.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown mail kind: {kind}")
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related(
                "event", "event__organiser", "event__booking__room__venue", "member", "member__user"
            )
            .filter(pk=registration_id)
            .first()
        )
        if registration is None or not registration.email:
            return False
        if registration.status not in STILL_RELEVANT[kind]:
            return False
        event = registration.event
        if kind == "event_cancelled" and not event.is_cancelled:
            return False
        if kind in ("confirmed", "promoted", "reminder", "waiting") and event.is_cancelled:
            return False
        return _send(registration, event, kind)


def _send(registration: Registration, event: Event, kind: str) -> bool:
    with translation.override(settings.LANGUAGE_CODE):
        links = registration_links(registration)
        context = {
            "registration": registration,
            "event": event,
            "name": registration.display_name,
            "start": timezone.localtime(event.start),
            "end": timezone.localtime(event.end),
            "place": event.place_label,
            "site_name": settings.FEDE_SITE_NAME,
            **links,
        }
        message = mail_message(
            _subject(kind, event), f"events/email/{kind}.html", context, [registration.email]
        )
        if kind in ("confirmed", "promoted", "reminder") and registration.holds_seat:
            message.attach("billet-qr.png", qr_png(links["checkin_url"]), "image/png")
        if kind in ("confirmed", "promoted", "event_changed", "event_postponed", "event_cancelled"):
            calendar = calendar_of(event.title, [event], for_attendee=registration.holds_seat)
            message.attach("evenement.ics", calendar.to_ical(), "text/calendar")
        outbox_send(message)
    return True


def send_invitation_mail(event_id: int, member_id: int) -> bool:
    event = Event.objects.select_related("organiser", "booking__room__venue").get(pk=event_id)
    member = Member.objects.select_related("user").get(pk=member_id)
    email = member.email or (member.user.email if member.user_id else "")
    if not email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "event": event,
            "name": member.full_name,
            "start": timezone.localtime(event.start),
            "end": timezone.localtime(event.end),
            "place": event.place_label,
            "site_name": settings.FEDE_SITE_NAME,
            "event_url": absolute(event.get_absolute_url()),
        }
        message = mail_message(
            _subject("invitation", event), "events/email/invitation.html", context, [email]
        )
        outbox_send(message)
    return True
