"""Every write of events goes through these functions.

Seats: every function that may give a seat (member registration, guest confirmation,
promotion from the waiting list, a larger capacity) first locks the event row
(``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the write transaction itself is
exclusive, ``BEGIN IMMEDIATE``), then counts the confirmed registrations. Two people
asking for the last seat at the same moment are therefore served one after the other:
one gets the seat, the other the waiting list.

Authorisation: every function takes the acting user as ``actor`` and checks it first
(``events.manage`` on the event's organiser for the organisers' writes, the member themself
for a one-click registration); the organisers' writes leave an audit entry. Guests act
through the signed links of their e-mails, which the views verify.

Mails are enqueued as tasks in ``transaction.on_commit``: nothing is sent for a write
that is rolled back, and a mail server that is down never makes the action fail.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from fede.core.access import authorize, is_system
from fede.core.audit import audit, changed_fields
from fede.organization.models import Member, Unit
from fede.organization.roles import can

from . import mail, tasks
from .models import (
    Event,
    EventMaterial,
    EventSpeaker,
    FeedToken,
    Invitation,
    Registration,
    Speaker,
    new_feed_token,
)
from .rules import registration_refusal

#: A change of one of these makes calendars update the event (SEQUENCE + 1).
SIGNIFICANT_FIELDS = (
    "title",
    "start",
    "end",
    "booking_id",
    "place_name",
    "address",
    "online_url",
    "description",
)
#: A change of one of these is mailed to the registrants.
NOTIFIED_FIELDS = ("start", "end", "booking_id", "place_name", "address", "online_url")

EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "programme",
    "start",
    "end",
    "booking",
    "place_name",
    "address",
    "online_url",
    "visibility",
    "registration_enabled",
    "capacity",
    "registration_opens",
    "registration_closes",
    "image_alt",
)

#: A guest asking again for the confirmation mail gets it at most this often.
RESEND_AFTER = datetime.timedelta(minutes=10)


def _mail_later(registration_id: int, kind: str) -> None:
    transaction.on_commit(partial(tasks.send_registration_mail.enqueue, registration_id, kind))


def _mail_many_later(registration_ids: list[int], kind: str) -> None:
    if registration_ids:
        transaction.on_commit(
            partial(tasks.send_registration_mails.enqueue, list(registration_ids), kind)
        )


def _lock_event(event_id: int) -> Event:
    """The event row, locked until the end of the transaction."""
    return Event.objects.select_for_update().get(pk=event_id)


def _seats_taken(event: Event) -> int:
    return Registration.objects.filter(
        event_id=event.pk, status=Registration.Status.CONFIRMED
    ).count()


def _status_for_newcomer(event: Event) -> str:
    """Confirmed while seats remain, else the waiting list. Call with the event locked."""
    if event.capacity is None or _seats_taken(event) < event.capacity:
        return Registration.Status.CONFIRMED
    return Registration.Status.WAITING


def _promote_waiting(event: Event, *, now=None) -> list[Registration]:
    """Give free seats to the first people waiting (event locked); mail each of them."""
    if event.is_cancelled or event.has_started(now):
        return []
    waiting = Registration.objects.filter(
        event_id=event.pk, status=Registration.Status.WAITING
    ).order_by("status_changed_at", "pk")
    if event.capacity is not None:
        free = event.capacity - _seats_taken(event)
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting)
    now = now or timezone.now()
    for registration in promoted:
        registration.status = Registration.Status.CONFIRMED
        registration.status_changed_at = now
        registration.save(update_fields=["status", "status_changed_at", "updated_at"])
        _mail_later(registration.pk, "promoted")
    return promoted


# --- Events ------------------------------------------------------------------------------


def _check_event(event: Event, *, actor, co_organisers: Iterable[Unit] | None = None) -> None:
    """Validate an event before saving it; raises ValidationError with French messages."""
    errors: dict[str, str] = {}
    organiser = event.organiser
    if organiser.kind not in (Unit.Kind.SECTION, Unit.Kind.FEDERATION) or not organiser.is_active:
        errors["organiser"] = _("Choisissez une section ou la fédération.")
    elif not is_system(actor) and not can(actor, "events.manage", organiser):
        errors["organiser"] = _("Vous n'organisez pas d'événements pour cette unité.")
    if event.start and event.end and event.end <= event.start:
        errors["end"] = _("La fin doit suivre le début.")
    if not (event.booking_id or event.address or event.online_url):
        errors["address"] = _(
            "Indiquez une salle réservée, une adresse ou un lien de visioconférence."
        )
    if event.booking_id:
        booking = event.booking
        units = {organiser.pk} | {u.pk for u in (co_organisers or [])}
        if booking.section_id not in units:
            errors["booking"] = _("Cette réservation n'est pas celle d'une unité organisatrice.")
        elif not booking.is_open:
            errors["booking"] = _("Cette réservation est annulée ou refusée.")
        elif event.start and event.end and (event.start < booking.start or event.end > booking.end):
            errors["booking"] = _(
                "L'événement doit se tenir pendant le créneau réservé (%(start)s – %(end)s)."
            ) % {
                "start": date_format(timezone.localtime(booking.start), "SHORT_DATETIME_FORMAT"),
                "end": time_format(timezone.localtime(booking.end), "H:i"),
            }
    if event.registration_opens and event.start and event.registration_opens >= event.start:
        errors["registration_opens"] = _("Les inscriptions doivent ouvrir avant le début.")
    if event.registration_closes and event.end and event.registration_closes > event.end:
        errors["registration_closes"] = _("Les inscriptions doivent fermer avant la fin.")
    if (
        event.registration_opens
        and event.registration_closes
        and event.registration_closes <= event.registration_opens
    ):
        errors["registration_closes"] = _("La clôture doit suivre l'ouverture.")
    if errors:
        raise ValidationError(errors)
    event.full_clean(exclude=["slug", "image"])


def _set_image(event: Event, image) -> None:
    if isinstance(image, UploadedFile):
        event.image = image
    elif image is False:
        event.image = ""


@transaction.atomic
def event_create(
    *,
    actor,
    organiser: Unit,
    kind: str,
    title: str,
    start: datetime.datetime,
    end: datetime.datetime,
    co_organisers: Iterable[Unit] = (),
    image=None,
    publish: bool = False,
    **fields,
) -> Event:
    """Create an event organised by ``organiser`` (the actor must organise events there).

    The event starts as a draft, seen only by its organisers (the preview), unless
    ``publish``; :func:`event_publish` puts a draft in the agendas."""
    authorize(actor, "events.manage")
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    co_organisers = [u for u in co_organisers if u.pk != organiser.pk]
    event = Event(
        organiser=organiser,
        kind=kind,
        title=title,
        start=start,
        end=end,
        created_by=None if is_system(actor) else actor,
        status=Event.Status.PUBLISHED if publish else Event.Status.DRAFT,
        published_at=timezone.now() if publish else None,
        **fields,
    )
    _check_event(event, actor=actor, co_organisers=co_organisers)
    event.slug = event.make_slug()
    _set_image(event, image)
    event.save()
    event.co_organisers.set(co_organisers)
    audit(
        actor=actor,
        code="events.event_create",
        obj=event,
        params={"event": event.pk},
        changes={"status": [None, event.status]},
    )
    return event


@transaction.atomic
def event_publish(*, actor, event: Event) -> Event:
    """Put a draft in the agendas, feeds and public pages (members may register)."""
    authorize(actor, "events.manage", event)
    locked = _lock_event(event.pk)
    authorize(actor, "events.manage", locked)
    if not locked.is_draft:
        raise ValidationError(_("Cet événement n'est pas un brouillon."))
    if locked.has_ended():
        raise ValidationError(_("Un événement terminé ne peut plus être publié."))
    locked.status = Event.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.sequence += 1
    locked.save(update_fields=["status", "published_at", "sequence", "updated_at"])
    audit(
        actor=actor,
        code="events.event_publish",
        obj=locked,
        params={"event": locked.pk},
        changes={"status": [Event.Status.DRAFT, Event.Status.PUBLISHED]},
    )
    return locked


@transaction.atomic
def event_postpone(
    *,
    actor,
    event: Event,
    start: datetime.datetime,
    end: datetime.datetime,
    reason: str = "",
) -> Event:
    """Move a published event to a new date: the original date is kept (« reporté »),
    calendars update and every registrant is told once, by mail."""
    authorize(actor, "events.manage", event)
    locked = _lock_event(event.pk)
    authorize(actor, "events.manage", locked)
    if locked.is_cancelled:
        raise ValidationError(_("Un événement annulé ne peut plus être modifié."))
    if locked.has_ended():
        raise ValidationError(_("Un événement terminé ne peut pas être reporté."))
    if end <= start:
        raise ValidationError({"end": _("La fin doit suivre le début.")})
    if start <= timezone.now():
        raise ValidationError({"start": _("La nouvelle date doit être à venir.")})
    if locked.booking_id and (start < locked.booking.start or end > locked.booking.end):
        raise ValidationError(
            {
                "start": _(
                    "La nouvelle date sort du créneau de la salle réservée : réservez la "
                    "salle pour la nouvelle date, puis changez le lieu de l'événement."
                )
            }
        )
    changes = changed_fields(locked, {"start": start, "end": end})
    if locked.postponed_from is None:
        locked.postponed_from = locked.start
    locked.start, locked.end = start, end
    if locked.registration_closes and locked.registration_closes > end:
        locked.registration_closes = None
    if locked.registration_opens and locked.registration_opens >= start:
        locked.registration_opens = None
    locked.cancellation_reason = reason.strip()
    locked.sequence += 1
    locked.save()
    audit(
        actor=actor,
        code="events.event_postpone",
        obj=locked,
        params={"event": locked.pk},
        changes=changes,
    )
    if not locked.is_draft:
        _mail_many_later(
            list(locked.registrations.active().values_list("pk", flat=True)), "event_postponed"
        )
    return locked


@transaction.atomic
def event_update(
    *,
    actor,
    event: Event,
    organiser: Unit | None = None,
    co_organisers: Iterable[Unit] | None = None,
    image=None,
    **changes,
) -> Event:
    """Change an event. Date, place or title changes raise its calendar SEQUENCE; date or
    place changes are mailed to the registrants; a larger capacity promotes people waiting.
    """
    authorize(actor, "events.manage", event)
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    locked = _lock_event(event.pk)
    authorize(actor, "events.manage", locked)  # the organiser as it is now in the database
    if locked.is_cancelled:
        raise ValidationError(_("Un événement annulé ne peut plus être modifié."))
    audited = changed_fields(
        locked, {**changes, **({"organiser": organiser} if organiser is not None else {})}
    )
    before = {field: getattr(locked, field) for field in SIGNIFICANT_FIELDS}
    old_capacity = locked.capacity
    if organiser is not None:
        locked.organiser = organiser
    for field, value in changes.items():
        setattr(locked, field, value)
    co_list = (
        [u for u in co_organisers if u.pk != locked.organiser_id]
        if co_organisers is not None
        else list(locked.co_organisers.all())
    )
    _check_event(locked, actor=actor, co_organisers=co_list)
    if "title" in changes:
        locked.slug = locked.make_slug()
    _set_image(locked, image)
    changed = [f for f in SIGNIFICANT_FIELDS if getattr(locked, f) != before[f]]
    if changed:
        locked.sequence += 1
    locked.save()
    if co_organisers is not None:
        old_co = sorted(locked.co_organisers.values_list("pk", flat=True))
        locked.co_organisers.set(co_list)
        new_co = sorted(u.pk for u in co_list)
        if old_co != new_co:
            audited["co_organisers"] = [old_co, new_co]
    if image is not None:
        audited["image"] = ["", "new" if image else "removed"]
    audit(
        actor=actor,
        code="events.event_update",
        obj=locked,
        params={"event": locked.pk},
        changes=audited,
    )
    if locked.capacity is None or (old_capacity is not None and locked.capacity > old_capacity):
        _promote_waiting(locked)
    if any(f in NOTIFIED_FIELDS for f in changed) and not locked.has_ended():
        _mail_many_later(
            list(locked.registrations.active().values_list("pk", flat=True)), "event_changed"
        )
    return locked


@transaction.atomic
def event_cancel(*, actor, event: Event, reason: str = "") -> Event:
    """Cancel an event: it stays in calendars as cancelled; registrants get an e-mail."""
    authorize(actor, "events.manage", event)
    locked = _lock_event(event.pk)
    authorize(actor, "events.manage", locked)
    if locked.is_cancelled:
        return locked
    if locked.has_ended():
        raise ValidationError(_("Un événement terminé ne peut pas être annulé."))
    before = locked.status
    locked.status = Event.Status.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancellation_reason = reason.strip()
    locked.sequence += 1
    locked.save()
    audit(
        actor=actor,
        code="events.event_cancel",
        obj=locked,
        params={"event": locked.pk},
        changes={"status": [before, Event.Status.CANCELLED]},
    )
    _mail_many_later(
        list(locked.registrations.active().values_list("pk", flat=True)), "event_cancelled"
    )
    return locked


# --- Speakers ----------------------------------------------------------------------------


SPEAKER_FIELDS = ("name", "quality", "affiliation", "bio")


def speaker_owner_ids(actor) -> list[int]:
    """Federations whose speakers ``actor`` keeps: those where they organise events
    (a section's officers: their section's federation)."""
    from fede.organization.roles import grant_paths

    paths = grant_paths(actor, "events.manage")
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path) | Q(path__in=_ancestor_paths(path))
    return list(
        Unit.objects.filter(q, kind=Unit.Kind.FEDERATION, is_active=True).values_list(
            "pk", flat=True
        )
    )


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split(".") if p]
    return [".".join(parts[: i + 1]) + "." for i in range(len(parts))]


@transaction.atomic
def speaker_create(
    *, actor, name: str, quality: str, owner: Unit | None = None, photo=None, **fields
) -> Speaker:
    """Add a speaker to the directory of ``owner`` (a federation where the actor organises
    events, or above which they do; every organiser of that federation may edit it)."""
    authorize(actor, "events.manage_speakers")
    if not is_system(actor):
        allowed = speaker_owner_ids(actor)
        if owner is None and len(allowed) == 1:
            owner = Unit.objects.get(pk=allowed[0])
        if owner is None:
            raise ValidationError({"owner": _("Choisissez la fédération de cette fiche.")})
        if owner.pk not in allowed:
            raise PermissionDenied("events.manage_speakers")
    unknown = set(fields) - {*SPEAKER_FIELDS, "shared"}
    if unknown:
        raise TypeError(f"Unknown speaker fields: {sorted(unknown)}")
    speaker = Speaker(
        name=name.strip(),
        quality=quality,
        owner=owner,
        created_by=None if is_system(actor) else actor,
        **fields,
    )
    if isinstance(photo, UploadedFile):
        speaker.photo = photo
    speaker.full_clean(exclude=["photo"])
    speaker.save()
    audit(actor=actor, code="events.speaker_create", obj=speaker, params={"speaker": speaker.pk})
    return speaker


@transaction.atomic
def speaker_update(*, actor, speaker: Speaker, photo=None, **changes) -> Speaker:
    """Change a speaker's record (an organiser of the federation that keeps it)."""
    authorize(actor, "events.manage_speakers")
    if not Speaker.objects.in_scope(actor, "events.manage_speakers").filter(pk=speaker.pk).exists():
        raise PermissionDenied("events.manage_speakers")
    unknown = set(changes) - {*SPEAKER_FIELDS, "shared"}
    if unknown:
        raise TypeError(f"Unknown speaker fields: {sorted(unknown)}")
    audited = changed_fields(speaker, changes)
    for field, value in changes.items():
        setattr(speaker, field, value)
    if isinstance(photo, UploadedFile):
        speaker.photo = photo
    elif photo is False:
        speaker.photo = ""
    if photo is not None:
        audited["photo"] = ["", "new" if photo else "removed"]
    speaker.full_clean(exclude=["photo"])
    speaker.save()
    audit(
        actor=actor,
        code="events.speaker_update",
        obj=speaker,
        params={"speaker": speaker.pk},
        changes=audited,
    )
    return speaker


@transaction.atomic
def event_speaker_add(
    *,
    actor,
    event: Event,
    speaker: Speaker,
    part: str = EventSpeaker.Part.SPEAKER,
    order: int | None = None,
) -> EventSpeaker:
    """Put a speaker on an event's programme (again: updates their part and order)."""
    authorize(actor, "events.manage", event)
    if (
        not is_system(actor)
        and not Speaker.objects.in_scope(actor, "events.view").filter(pk=speaker.pk).exists()
    ):
        raise PermissionDenied("speaker of another federation, not shared")
    if order is None:
        order = (event.speaker_parts.count() + 1) * 10
    link, _created = EventSpeaker.objects.update_or_create(
        event=event, speaker=speaker, defaults={"part": part, "order": order}
    )
    audit(
        actor=actor,
        code="events.programme_add",
        obj=link,
        scope=event,
        params={"event": event.pk, "speaker": speaker.pk, "part": part},
    )
    return link


@transaction.atomic
def event_speaker_remove(*, actor, link: EventSpeaker) -> None:
    """Take a speaker off an event's programme."""
    authorize(actor, "events.manage", link.event)
    audit(
        actor=actor,
        code="events.programme_remove",
        obj=link,
        scope=link.event,
        params={"event": link.event_id, "speaker": link.speaker_id},
    )
    link.delete()


# --- Registrations -----------------------------------------------------------------------


def _is_member_themself(actor, member: Member | None) -> bool:
    return (
        member is not None
        and getattr(actor, "is_authenticated", False)
        and member.user_id is not None
        and member.user_id == actor.pk
    )


@transaction.atomic
def registration_create(*, actor, event: Event, member: Member) -> Registration:
    """Register a member in one click: a seat if one is left, else the waiting list.

    The member registers themself (any eligible member may), or an organiser of the event
    registers them (audited). Registering again while registered or waiting changes
    nothing (double clicks are harmless); after a cancellation, the member starts again at
    the end of the queue.
    """
    by_organiser = not _is_member_themself(actor, member)
    if by_organiser:
        authorize(actor, "events.manage", event)
    locked = _lock_event(event.pk)
    existing = Registration.objects.filter(event=locked, member=member).first()
    if existing is not None and existing.status in (
        Registration.Status.CONFIRMED,
        Registration.Status.WAITING,
    ):
        return existing
    refusal = registration_refusal(locked, member)
    if refusal:
        raise ValidationError(refusal)
    now = timezone.now()
    status = _status_for_newcomer(locked)
    if existing is None:
        registration = Registration.objects.create(
            event=locked, member=member, status=status, status_changed_at=now
        )
    else:
        registration = existing
        registration.status = status
        registration.status_changed_at = now
        registration.cancelled_at = None
        registration.attended = False
        registration.checked_in_at = None
        registration.reminded_at = None
        registration.save()
    if by_organiser:
        audit(
            actor=actor,
            code="events.registration_create",
            obj=registration,
            scope=locked,
            params={"event": locked.pk, "registration": registration.pk, "status": status},
        )
    _mail_later(
        registration.pk, "confirmed" if status == Registration.Status.CONFIRMED else "waiting"
    )
    return registration


@transaction.atomic
def registration_create_guest(*, actor, event: Event, name: str, email: str) -> Registration:
    """A guest asks to attend a public event: a pending registration and a mail to confirm.

    Open to anyone (``actor`` is usually anonymous): only public events take guests, which
    :func:`registration_refusal` checks.

    The guest's seat is decided when they confirm (see :func:`registration_confirm_guest`).
    Asking again sends the mail again (at most every ten minutes) and never tells the
    person on the page whether that address was already registered.
    """
    locked = _lock_event(event.pk)
    refusal = registration_refusal(locked, None)
    if refusal:
        raise ValidationError(refusal)
    email = email.strip()
    name = name.strip()
    now = timezone.now()
    registration = Registration.objects.filter(
        event=locked, member__isnull=True, guest_email__iexact=email
    ).first()
    if registration is None:
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    event=locked,
                    guest_name=name,
                    guest_email=email,
                    status=Registration.Status.PENDING,
                    status_changed_at=now,
                )
        except IntegrityError:
            registration = Registration.objects.get(
                event=locked, member__isnull=True, guest_email__iexact=email
            )
    elif registration.status == Registration.Status.CANCELLED:
        registration.status = Registration.Status.PENDING
        registration.status_changed_at = now
        registration.guest_name = name
        registration.cancelled_at = None
        registration.confirmation_sent_at = None
        registration.save()
    if (
        registration.confirmation_sent_at is None
        or now - registration.confirmation_sent_at >= RESEND_AFTER
    ):
        registration.confirmation_sent_at = now
        registration.save(update_fields=["confirmation_sent_at", "updated_at"])
        kind = (
            "guest_confirm"
            if registration.status == Registration.Status.PENDING
            else ("confirmed" if registration.holds_seat else "waiting")
        )
        _mail_later(registration.pk, kind)
    return registration


@transaction.atomic
def registration_confirm_guest(*, actor, registration: Registration) -> Registration:
    """The guest clicked the link of their mail: now they get a seat, or wait for one.

    The signed link the view verified is the authorisation (``actor`` is usually
    anonymous)."""
    locked = _lock_event(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Registration.Status.PENDING:
        return registration
    refusal = registration_refusal(locked, None)
    if refusal:
        raise ValidationError(refusal)
    registration.status = _status_for_newcomer(locked)
    registration.status_changed_at = timezone.now()
    registration.save(update_fields=["status", "status_changed_at", "updated_at"])
    _mail_later(registration.pk, "confirmed" if registration.holds_seat else "waiting")
    return registration


@transaction.atomic
def registration_cancel(
    *, actor, registration: Registration, from_link: bool = False
) -> Registration:
    """Cancel a registration. A freed seat goes at once to the first person waiting.

    Allowed to the registered member themself, to whoever holds the signed link of the
    registration's e-mail (``from_link``: the view verified it) and to the event's
    organisers (audited).
    """
    by_organiser = not from_link and not _is_member_themself(actor, registration.member)
    if by_organiser:
        authorize(actor, "events.manage", registration.event)
    locked = _lock_event(registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == Registration.Status.CANCELLED:
        return registration
    if locked.has_ended():
        raise ValidationError(_("L'événement est terminé."))
    held_seat = registration.holds_seat
    now = timezone.now()
    registration.status = Registration.Status.CANCELLED
    registration.status_changed_at = now
    registration.cancelled_at = now
    registration.attended = False
    registration.save()
    if by_organiser:
        audit(
            actor=actor,
            code="events.registration_cancel",
            obj=registration,
            scope=locked,
            params={"event": locked.pk, "registration": registration.pk},
        )
    if held_seat:
        _promote_waiting(locked, now=now)
    return registration


@transaction.atomic
def registration_check_in(*, actor, registration: Registration, present: bool) -> Registration:
    """Mark a registrant present (or not) at the door."""
    authorize(actor, "events.manage", registration.event)
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("event__organiser")
        .get(pk=registration.pk)
    )
    if registration.status != Registration.Status.CONFIRMED:
        raise ValidationError(_("Seules les personnes inscrites peuvent être pointées."))
    changes = changed_fields(registration, {"attended": present})
    registration.attended = present
    registration.checked_in_at = timezone.now() if present else None
    registration.checked_in_by = actor if present and not is_system(actor) else None
    registration.save(update_fields=["attended", "checked_in_at", "checked_in_by", "updated_at"])
    audit(
        actor=actor,
        code="events.check_in" if present else "events.check_in_undo",
        obj=registration,
        scope=registration.event,
        params={"event": registration.event_id, "registration": registration.pk},
        changes=changes,
    )
    return registration


def reminders_send(*, actor, now=None) -> int:
    """Mail a reminder to everyone registered for an event of tomorrow (or later today).

    Run by the scheduler (``actor=SYSTEM``). Idempotent: each registration is claimed with
    a conditional UPDATE of ``reminded_at`` before its mail goes, so two runs (cron twice,
    two workers) never remind anyone twice.
    """
    if not is_system(actor):
        raise PermissionDenied("reminders are sent by the scheduler")
    now = now or timezone.now()
    tomorrow_end = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate(now) + datetime.timedelta(days=2), datetime.time()
        )
    )
    pending = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        reminded_at__isnull=True,
        event__status=Event.Status.PUBLISHED,
        event__start__gt=now,
        event__start__lt=tomorrow_end,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(pending):
        claimed = Registration.objects.filter(pk=pk, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if not claimed:
            continue
        try:
            if mail.send_registration_mail(pk, "reminder"):
                sent += 1
        except Exception:
            # Let the next run try again.
            Registration.objects.filter(pk=pk).update(reminded_at=None)
            raise
    return sent


# --- After the event, invitations, feeds -------------------------------------------------


@transaction.atomic
def material_add(
    *, actor, event: Event, title: str, file: UploadedFile | None = None, url: str = ""
) -> EventMaterial:
    """Attach a file or a link (recording, slides) to an event."""
    authorize(actor, "events.manage", event)
    if not file and not url:
        raise ValidationError({"file": _("Joignez un fichier ou indiquez un lien.")})
    if url and not url.lower().startswith(("http://", "https://")):
        raise ValidationError({"url": _("Seuls les liens http:// et https:// sont acceptés.")})
    material = EventMaterial(
        event=event,
        title=title.strip(),
        url=url,
        created_by=None if is_system(actor) else actor,
    )
    if file:
        material.file = file
        material.original_name = getattr(file, "original_name", "")[:255]
    material.full_clean(exclude=["file"])
    material.save()
    audit(
        actor=actor,
        code="events.material_add",
        obj=material,
        scope=event,
        params={"event": event.pk, "material": material.pk},
    )
    return material


@transaction.atomic
def material_remove(*, actor, material: EventMaterial) -> None:
    """Take a file or a link off an event (the file is deleted)."""
    authorize(actor, "events.manage", material.event)
    audit(
        actor=actor,
        code="events.material_remove",
        obj=material,
        scope=material.event,
        params={"event": material.event_id, "material": material.pk},
    )
    if material.file:
        material.file.delete(save=False)
    material.delete()


@transaction.atomic
def invitation_add(*, actor, event: Event, members: Iterable[Member]) -> list[Invitation]:
    """Invite members to an event "sur invitation" and mail each new invitee."""
    authorize(actor, "events.manage", event)
    existing = set(event.invitations.values_list("member_id", flat=True))
    created = Invitation.objects.bulk_create(
        [
            Invitation(event=event, member=member, invited_by=None if is_system(actor) else actor)
            for member in {m.pk: m for m in members}.values()
            if member.pk not in existing
        ]
    )
    if created:
        audit(
            actor=actor,
            code="events.invitation_add",
            obj=event,
            params={"event": event.pk, "count": len(created)},
            changes={"members": [None, sorted(inv.member_id for inv in created)]},
        )
        member_ids = [inv.member_id for inv in created]
        if not event.is_cancelled and not event.has_ended():
            transaction.on_commit(
                partial(tasks.send_invitation_mails.enqueue, event.pk, member_ids)
            )
    return created


@transaction.atomic
def invitation_remove(*, actor, invitation: Invitation) -> None:
    """Withdraw an invitation."""
    authorize(actor, "events.manage", invitation.event)
    audit(
        actor=actor,
        code="events.invitation_remove",
        obj=invitation,
        scope=invitation.event,
        params={"event": invitation.event_id, "invitation": invitation.pk},
    )
    invitation.delete()


def _own_account(actor) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("a logged-in user only")


def feed_token_get(*, actor) -> FeedToken:
    """The actor's calendar subscription token (created on first use)."""
    _own_account(actor)
    token, _created = FeedToken.objects.get_or_create(user=actor)
    return token


@transaction.atomic
def feed_token_renew(*, actor) -> FeedToken:
    """A new token: every subscription URL given out so far stops working."""
    _own_account(actor)
    token, created = FeedToken.objects.get_or_create(user=actor)
    if not created:
        token.token = new_feed_token()
        token.save(update_fields=["token"])
    return token
