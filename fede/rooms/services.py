"""Every write of the rooms app: bookings, series, decisions, rooms and venues.

Public entry points for other apps (``events`` books a room through here):
:func:`booking_create`, :func:`booking_cancel`, :func:`booking_rule_errors` and the
exceptions :class:`BookingError` / :class:`SlotTaken`.

No double booking: on PostgreSQL the exclusion constraint of migration 0002 refuses an
overlapping confirmed row even when two requests pass the Python check at the same time;
on SQLite every write transaction starts with ``BEGIN IMMEDIATE`` (settings), so the
check and the insert below run while holding the database's write lock.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fede.core.access import authorize, is_system
from fede.core.audit import audit, changed_fields
from fede.core.periods import overlaps
from fede.organization.models import Mandate, Unit
from fede.organization.roles import can, grant_paths, roles_with

from . import slots
from .mail import absolute, queue_mail
from .models import (
    NO_OVERLAP_CONSTRAINT,
    Booking,
    BookingSeries,
    OpeningHours,
    Room,
    RoomPhoto,
    Venue,
    owner_reach_q,
)


class BookingError(ValidationError):
    """A booking refused for a reason the user can fix; messages are in French.

    Built from a dict ``{field: [messages]}``: ``expected_attendance`` for capacity,
    ``__all__`` for everything else, so a form can ``add_error(None, exc)``.
    """


class SlotTaken(BookingError):
    """The slot overlaps a confirmed booking of the room."""


# --- Rules ------------------------------------------------------------------------------


def _opening_by_weekday(room: Room) -> dict[int, OpeningHours]:
    # ``.all()`` so a prefetch (``prefetch_related("opening_hours")``) is reused.
    return {o.weekday: o for o in room.opening_hours.all()}


def booking_rule_errors(
    *,
    room: Room,
    section: Unit,
    start: datetime.datetime,
    end: datetime.datetime,
    expected_attendance: int,
    now: datetime.datetime | None = None,
) -> dict[str, list[str]]:
    """The booking rules of ``room`` that the request breaks, as ``{field: [messages]}``.

    Checks: dates in order and not past, same local day, who may book the room, capacity,
    maximum duration, how far ahead (longer for sections without premises when the room
    says so), opening hours of the weekday. Empty dict: the request follows the rules.
    Does not look at other bookings (see :func:`booking_conflicts`).
    """
    errors: dict[str, list[str]] = {}

    def add(message: str, key: str = NON_FIELD_ERRORS) -> None:
        errors.setdefault(key, []).append(message)

    now = now or timezone.now()
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("start and end must be aware datetimes")
    if not room.is_active or not room.venue.is_active:
        add(_("Cette salle n'est plus proposée à la réservation."))
    if end <= start:
        add(_("L'heure de fin doit être après l'heure de début."))
        return errors
    if start < now:
        add(_("Ce créneau est déjà commencé ou passé."))
    local_start, local_end = slots.local(start), slots.local(end)
    same_day = local_end.date() == local_start.date() or (
        local_end.date() == local_start.date() + datetime.timedelta(days=1)
        and local_end.time() == datetime.time.min
    )
    if not same_day:
        add(_("Une réservation commence et finit le même jour."))

    if room.booking_policy == Room.Policy.FEDERATION and section.kind != Unit.Kind.FEDERATION:
        add(_("Cette salle est réservée aux activités de la fédération."))
    elif (
        room.booking_policy == Room.Policy.NO_PREMISES
        and section.kind == Unit.Kind.SECTION
        and section.has_premises
    ):
        add(_("Cette salle de l'espace sections est réservée aux sections qui n'ont pas de local."))

    if expected_attendance > room.capacity:
        add(
            _(
                "La salle « %(room)s » accueille au plus %(capacity)s personnes : vous en "
                "attendez %(expected)s. Choisissez une salle plus grande."
            )
            % {"room": room.name, "capacity": room.capacity, "expected": expected_attendance},
            "expected_attendance",
        )

    minutes = (end - start).total_seconds() / 60
    if room.max_duration_minutes and minutes > room.max_duration_minutes:
        add(
            _("Cette salle se réserve au plus %(duration)s d'affilée.")
            % {"duration": slots.format_duration(room.max_duration_minutes)}
        )

    window = room.window_days_for(section)
    last_day = slots.local(now).date() + datetime.timedelta(days=window)
    if local_start.date() > last_day:
        add(
            _(
                "Cette salle se réserve au plus %(days)s jours à l'avance : "
                "jusqu'au %(date)s pour l'instant."
            )
            % {"days": window, "date": slots.format_day(last_day)}
        )

    opening = _opening_by_weekday(room)
    if opening and same_day:
        weekday = local_start.weekday()
        hours = opening.get(weekday)
        day_name = OpeningHours.Weekday(weekday).label
        if hours is None:
            add(_("La salle est fermée le %(weekday)s.") % {"weekday": day_name})
        else:
            end_time = local_end.time() if local_end.date() == local_start.date() else None
            if local_start.time() < hours.opens or end_time is None or end_time > hours.closes:
                add(
                    _("Le %(weekday)s, la salle est ouverte de %(opens)s à %(closes)s.")
                    % {
                        "weekday": day_name,
                        "opens": slots.format_time(hours.opens),
                        "closes": slots.format_time(hours.closes),
                    }
                )
    return errors


def booking_conflicts(
    *, room: Room, start: datetime.datetime, end: datetime.datetime, exclude_pk=None
):
    """Confirmed bookings of ``room`` overlapping [start, end) (back-to-back is fine)."""
    qs = Booking.objects.confirmed().filter(room=room).overlapping(start, end)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("section").order_by("start")


def _taken_error(conflict: Booking) -> SlotTaken:
    return SlotTaken(
        {
            NON_FIELD_ERRORS: [
                _(
                    "Ce créneau est déjà réservé : la salle est prise %(slot)s. "
                    "Choisissez un autre horaire ou une autre salle."
                )
                % {"slot": slots.format_slot(conflict.start, conflict.end)}
            ]
        }
    )


def _race_error() -> SlotTaken:
    return SlotTaken(
        {NON_FIELD_ERRORS: [_("Ce créneau vient d'être réservé par une autre section.")]}
    )


def _is_overlap_violation(exc: IntegrityError) -> bool:
    diag = getattr(exc.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None) or ""
    return name == NO_OVERLAP_CONSTRAINT or NO_OVERLAP_CONSTRAINT in str(exc)


def _save_holding_slot(booking: Booking, *, update_fields: list[str] | None = None) -> None:
    """Save a booking that is (or becomes) confirmed, turning a lost race into SlotTaken.

    The caller already checked for conflicts in Python (friendly message). The savepoint
    keeps an enclosing transaction usable after the constraint refuses the row.
    """
    try:
        with transaction.atomic():
            booking.save(update_fields=update_fields)
    except IntegrityError as exc:
        if _is_overlap_violation(exc):
            raise _race_error() from exc
        raise


# --- Mail ------------------------------------------------------------------------------


def _booking_context(booking: Booking) -> dict:
    return {
        "booking": booking,
        "slot": slots.format_slot(booking.start, booking.end),
        "booking_url": absolute(booking.get_absolute_url()),
    }


def _approver_emails(section: Unit) -> list[str]:
    """E-mails of the people who may approve bookings for ``section``."""
    return list(
        Mandate.objects.current()
        .filter(
            role__in=roles_with("rooms.approve"),
            unit__path__in=section.ancestor_paths(),
            member__user__is_active=True,
        )
        .exclude(member__user__email="")
        .values_list("member__user__email", flat=True)
    )


def _notify_pending(bookings: list[Booking]) -> None:
    if not bookings:
        return
    first = bookings[0]
    with translation.override("fr"):
        queue_mail(
            _("Demande de réservation à valider : %(room)s") % {"room": first.room.name},
            "rooms/email/booking_pending.html",
            {
                "first": first,
                "slots": [slots.format_slot(b.start, b.end) for b in bookings],
                "link": absolute(reverse("rooms:federation")),
            },
            _approver_emails(first.section),
        )


def _notify_requester(booking: Booking, subject: str, template: str, **context) -> None:
    """Tell the person who asked for ``booking`` (call inside ``translation.override``)."""
    requester = booking.requested_by
    if requester is None or not requester.email:
        return
    queue_mail(
        subject,
        f"rooms/email/{template}.html",
        {**_booking_context(booking), **context},
        [requester.email],
    )


# --- Bookings --------------------------------------------------------------------------


def _user(actor):
    """The login to store as requester or decider: none for the system actor."""
    return None if is_system(actor) else actor


def authorize_manage(actor, venue: Venue) -> None:
    """rooms.manage on the venue's owner (a venue with no owner: from the top of the tree,
    see ``models.owner_reach_q``)."""
    authorize(actor, "rooms.manage")
    if is_system(actor):
        return
    if venue.owner_id is not None:
        authorize(actor, "rooms.manage", venue.owner)
    elif not Venue.objects.filter(owner_reach_q(actor, "rooms.manage"), owner__isnull=True).filter(
        pk=venue.pk
    ).exists() and not (venue.pk is None and _manages_top(actor)):
        raise PermissionDenied("rooms.manage")


def _manages_top(actor) -> bool:
    return any(p.count(".") <= 1 for p in grant_paths(actor, "rooms.manage"))


def _approval_unit(booking: Booking) -> Unit:
    """Requests are decided by the federation owning the room (by the section's
    federation for a room with no owner)."""
    return booking.room.venue.owner or booking.section


def _authorize_approve(actor, booking: Booking) -> None:
    authorize(actor, "rooms.approve", _approval_unit(booking))


def _authorize_book_or_approve(actor, obj) -> None:
    """Officers of the section (rooms.book) and federation staff (rooms.approve) on it."""
    try:
        authorize(actor, "rooms.book", obj)
    except PermissionDenied:
        if isinstance(obj, Booking):
            _authorize_approve(actor, obj)
        else:
            authorize(actor, "rooms.approve", obj)


def _check_open_to(room: Room, section: Unit) -> None:
    """A room of another federation is bookable only when its owner shares it."""
    if not room.venue.open_to(section):
        raise PermissionDenied("rooms.book: room of another federation")


def _booking_params(booking: Booking) -> dict:
    return {
        "booking": booking.pk,
        "room": booking.room.name,
        "day": slots.local(booking.start).date(),
    }


def _book(
    *,
    actor,
    room: Room,
    section: Unit,
    start: datetime.datetime,
    end: datetime.datetime,
    purpose: str,
    expected_attendance: int,
    notes: str,
    series: BookingSeries | None,
    now: datetime.datetime | None,
) -> Booking:
    """Check the rules and the slot, then write one booking (authorised by the caller)."""
    errors = booking_rule_errors(
        room=room,
        section=section,
        start=start,
        end=end,
        expected_attendance=expected_attendance,
        now=now,
    )
    if errors:
        raise BookingError(errors)
    conflict = booking_conflicts(room=room, start=start, end=end).first()
    if conflict is not None:
        raise _taken_error(conflict)

    needs_approval = room.requires_approval and not (
        not is_system(actor) and can(actor, "rooms.approve", room.venue.owner or section)
    )
    booking = Booking(
        room=room,
        section=section,
        start=start,
        end=end,
        purpose=purpose.strip(),
        expected_attendance=expected_attendance,
        notes=notes.strip(),
        requested_by=_user(actor),
        series=series,
        status=Booking.Status.PENDING if needs_approval else Booking.Status.CONFIRMED,
    )
    if not booking.holds_slot:
        booking.save()
    else:
        _save_holding_slot(booking)
    audit(
        actor=actor,
        code="rooms.booking_create",
        obj=booking,
        params=_booking_params(booking),
        changes={"status": [None, booking.status]},
    )
    return booking


@transaction.atomic
def booking_create(
    *,
    actor,
    room: Room,
    section: Unit,
    start: datetime.datetime,
    end: datetime.datetime,
    purpose: str,
    expected_attendance: int,
    notes: str = "",
    notify: bool = True,
    now: datetime.datetime | None = None,
) -> Booking:
    """Book ``room`` for ``section`` over [start, end) (aware datetimes).

    Returns the booking, confirmed — or pending when the room needs approval and the
    actor may not approve. Raises ``PermissionDenied`` when ``actor`` may not book for
    ``section`` (rooms.book on it), :class:`BookingError` (French messages) when a rule
    is broken, :class:`SlotTaken` when a confirmed booking overlaps (also when another
    request wins the race for the slot). ``SYSTEM`` books with no requester (pending on
    rooms that need approval). Approvers are mailed about a pending request after commit
    (unless ``notify=False``).
    """
    authorize(actor, "rooms.book", section)
    _check_open_to(room, section)
    booking = _book(
        actor=actor,
        room=room,
        section=section,
        start=start,
        end=end,
        purpose=purpose,
        expected_attendance=expected_attendance,
        notes=notes,
        series=None,
        now=now,
    )
    if notify and not booking.holds_slot:
        _notify_pending([booking])
    return booking


@transaction.atomic
def booking_update(
    *, actor, booking: Booking, purpose: str, expected_attendance: int, notes: str = ""
) -> Booking:
    """Change what a booking is for (not its slot: cancel and book again for that)."""
    authorize(actor, "rooms.book", booking)
    if not booking.is_open:
        raise BookingError({NON_FIELD_ERRORS: [_("Cette réservation n'est plus active.")]})
    if expected_attendance > booking.room.capacity:
        raise BookingError(
            {
                "expected_attendance": [
                    _("La salle « %(room)s » accueille au plus %(capacity)s personnes.")
                    % {"room": booking.room.name, "capacity": booking.room.capacity}
                ]
            }
        )
    data = {
        "purpose": purpose.strip(),
        "expected_attendance": expected_attendance,
        "notes": notes.strip(),
    }
    changes = changed_fields(booking, data)
    for name, value in data.items():
        setattr(booking, name, value)
    booking.save(update_fields=[*data, "updated_at"])
    audit(
        actor=actor,
        code="rooms.booking_update",
        obj=booking,
        params={"booking": booking.pk},
        changes=changes,
    )
    return booking


def _lock(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update()
        .select_related("room__venue", "section")
        .get(pk=booking.pk)
    )


@transaction.atomic
def booking_cancel(*, actor, booking: Booking, now: datetime.datetime | None = None) -> Booking:
    """Cancel a pending or confirmed booking: the slot is free again at once.

    ``actor`` must hold rooms.book on the booking's section, or rooms.approve (federation
    staff); the requester is told by mail when someone else cancels.
    """
    _authorize_book_or_approve(actor, booking)
    locked = _lock(booking)
    now = now or timezone.now()
    if not locked.is_open:
        raise BookingError(
            {NON_FIELD_ERRORS: [_("Cette réservation est déjà annulée ou refusée.")]}
        )
    if locked.end <= now:
        raise BookingError(
            {NON_FIELD_ERRORS: [_("Une réservation passée ne peut plus être annulée.")]}
        )
    before = locked.status
    locked.status = Booking.Status.CANCELLED
    locked.cancelled_by = _user(actor)
    locked.cancelled_at = now
    locked.save(update_fields=["status", "cancelled_by", "cancelled_at", "updated_at"])
    audit(
        actor=actor,
        code="rooms.booking_cancel",
        obj=locked,
        params=_booking_params(locked),
        changes={"status": [before, locked.status]},
    )
    if not is_system(actor) and locked.requested_by_id and locked.requested_by_id != actor.pk:
        with translation.override("fr"):
            _notify_requester(
                locked,
                _("Réservation annulée : %(room)s") % {"room": locked.room.name},
                "booking_cancelled",
            )
    booking.status, booking.cancelled_at = locked.status, locked.cancelled_at
    return locked


@transaction.atomic
def booking_approve(*, actor, booking: Booking) -> Booking:
    """Confirm a pending request (rooms.approve on the booking's section); refused with
    SlotTaken if the slot went meanwhile."""
    _authorize_approve(actor, booking)
    locked = _lock(booking)
    if locked.status != Booking.Status.PENDING:
        raise BookingError({NON_FIELD_ERRORS: [_("Cette demande a déjà été traitée.")]})
    conflict = booking_conflicts(
        room=locked.room, start=locked.start, end=locked.end, exclude_pk=locked.pk
    ).first()
    if conflict is not None:
        raise _taken_error(conflict)
    locked.status = Booking.Status.CONFIRMED
    locked.decided_by = _user(actor)
    locked.decided_at = timezone.now()
    _save_holding_slot(locked, update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit(
        actor=actor,
        code="rooms.booking_approve",
        obj=locked,
        params=_booking_params(locked),
        changes={"status": [Booking.Status.PENDING, locked.status]},
    )
    with translation.override("fr"):
        _notify_requester(
            locked,
            _("Réservation confirmée : %(room)s") % {"room": locked.room.name},
            "booking_confirmed",
        )
    # Pending requests for an overlapping slot of the room can only be refused now: they
    # are, at once, and each section is offered the rooms still free.
    locked.refused_competitors = []
    competitors = (
        Booking.objects.select_for_update(of=("self",))
        .filter(room_id=locked.room_id, status=Booking.Status.PENDING)
        .overlapping(locked.start, locked.end)
        .select_related("room__venue__owner", "section", "requested_by")
    )
    for other in competitors:
        locked.refused_competitors.append(
            _refuse(
                actor,
                other,
                _("Le créneau a été attribué à la section %(section)s.")
                % {"section": locked.section.name},
            )
        )
    return locked


@transaction.atomic
def booking_refuse(*, actor, booking: Booking, reason: str) -> Booking:
    """Refuse a pending request (rooms.approve on the booking's section) with a reason,
    which is sent to the requester."""
    _authorize_approve(actor, booking)
    reason = (reason or "").strip()
    if not reason:
        raise BookingError({"reason": [_("Indiquez le motif du refus.")]})
    locked = _lock(booking)
    if locked.status != Booking.Status.PENDING:
        raise BookingError({NON_FIELD_ERRORS: [_("Cette demande a déjà été traitée.")]})
    return _refuse(actor, locked, reason)


def _refuse(actor, locked: Booking, reason: str) -> Booking:
    """Refuse a locked pending request; the requester gets the reason and the rooms still
    free over the slot."""
    locked.status = Booking.Status.REFUSED
    locked.decided_by = _user(actor)
    locked.decided_at = timezone.now()
    locked.refusal_reason = reason
    locked.save(
        update_fields=["status", "decided_by", "decided_at", "refusal_reason", "updated_at"]
    )
    # The reason is free text sent to a person: the trail keeps the decision only.
    audit(
        actor=actor,
        code="rooms.booking_refuse",
        obj=locked,
        params=_booking_params(locked),
        changes={"status": [Booking.Status.PENDING, locked.status]},
    )
    from .selectors import free_alternatives

    alternatives = free_alternatives(locked)
    with translation.override("fr"):
        _notify_requester(
            locked,
            _("Réservation refusée : %(room)s") % {"room": locked.room.name},
            "booking_refused",
            reason=reason,
            alternatives=[
                {
                    "venue": room.venue,
                    "name": room.name,
                    "capacity": room.capacity,
                    "url": absolute(room.get_absolute_url()),
                }
                for room in alternatives
            ],
        )
    return locked


# --- Recurring bookings ----------------------------------------------------------------

MAX_OCCURRENCES = 60


@dataclass
class Occurrence:
    """One date of a recurring request, as shown in the preview."""

    start: datetime.datetime
    end: datetime.datetime
    conflicts: list[Booking] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def day(self) -> datetime.date:
        return slots.local(self.start).date()

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.errors


def series_dates(
    *, first: datetime.date, frequency: str, until: datetime.date
) -> list[datetime.date]:
    """Local dates of a series, ``first`` included, up to ``until`` (at most 60).

    Monthly series keep the day of the month and skip months without it (the 31st).
    """
    days: list[datetime.date] = []
    step = 0
    while len(days) < MAX_OCCURRENCES:
        if frequency == BookingSeries.Frequency.WEEKLY:
            day = first + datetime.timedelta(weeks=step)
        else:
            day = slots.add_months(first, step)
            if day is None:
                step += 1
                continue
        if day > until:
            break
        days.append(day)
        step += 1
    return days


def series_preview(
    *,
    room: Room,
    section: Unit,
    first: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    frequency: str,
    until: datetime.date,
    expected_attendance: int,
    now: datetime.datetime | None = None,
) -> list[Occurrence]:
    """Every occurrence of a series with what prevents it: conflicts and broken rules.

    Times are Paris wall-clock times, so an occurrence after a change of summer time is
    still at the same local hour. Two queries whatever the number of occurrences.
    """
    occurrences = [
        Occurrence(start=slots.at(day, start_time), end=slots.at(day, end_time))
        for day in series_dates(first=first, frequency=frequency, until=until)
    ]
    if not occurrences:
        return []
    room = Room.objects.select_related("venue").prefetch_related("opening_hours").get(pk=room.pk)
    taken = list(booking_conflicts(room=room, start=occurrences[0].start, end=occurrences[-1].end))
    for occ in occurrences:
        occ.conflicts = [b for b in taken if overlaps(b.start, b.end, occ.start, occ.end)]
        errors = booking_rule_errors(
            room=room,
            section=section,
            start=occ.start,
            end=occ.end,
            expected_attendance=expected_attendance,
            now=now,
        )
        occ.errors = [m for messages in errors.values() for m in messages]
    return occurrences


@dataclass
class SeriesResult:
    series: BookingSeries | None
    created: list[Booking]
    skipped: list[tuple[datetime.date, str]]


@transaction.atomic
def booking_series_create(
    *,
    room: Room,
    section: Unit,
    first: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    frequency: str,
    until: datetime.date,
    purpose: str,
    expected_attendance: int,
    actor,
    skip: Iterable[datetime.date] = (),
    notes: str = "",
    now: datetime.datetime | None = None,
) -> SeriesResult:
    """Book every date of a series except those in ``skip``; each date is its own row.

    A date that cannot be booked (taken since the preview, rule broken) is skipped and
    reported in ``SeriesResult.skipped`` with its French reason; the others are kept.
    Raises :class:`BookingError` when no date at all could be booked.
    """
    authorize(actor, "rooms.book", section)
    _check_open_to(room, section)
    if frequency not in BookingSeries.Frequency.values:
        raise BookingError({"frequency": [_("Choisissez une fréquence.")]})
    skip = set(skip)
    series = BookingSeries.objects.create(
        room=room, section=section, frequency=frequency, until=until, requested_by=_user(actor)
    )
    created: list[Booking] = []
    skipped: list[tuple[datetime.date, str]] = []
    for day in series_dates(first=first, frequency=frequency, until=until):
        if day in skip:
            continue
        try:
            # A savepoint per date: a date lost to a race leaves the others usable.
            with transaction.atomic():
                created.append(
                    _book(
                        actor=actor,
                        room=room,
                        section=section,
                        start=slots.at(day, start_time),
                        end=slots.at(day, end_time),
                        purpose=purpose,
                        expected_attendance=expected_attendance,
                        notes=notes,
                        series=series,
                        now=now,
                    )
                )
        except BookingError as exc:
            skipped.append((day, " ".join(exc.messages)))
    if not created:
        raise BookingError({NON_FIELD_ERRORS: [_("Aucune date de la série n'a pu être réservée.")]})
    audit(
        actor=actor,
        code="rooms.series_create",
        obj=series,
        params={"series": series.pk, "room": room.name, "count": len(created)},
    )
    _notify_pending([b for b in created if not b.holds_slot])
    return SeriesResult(series=series, created=created, skipped=skipped)


@transaction.atomic
def booking_series_cancel(
    *, actor, series: BookingSeries, now: datetime.datetime | None = None
) -> int:
    """Cancel every remaining (future, pending or confirmed) date of a series.

    Same rule as for one booking: rooms.book or rooms.approve on the series' section.
    """
    _authorize_book_or_approve(actor, series)
    now = now or timezone.now()
    remaining = Booking.objects.active().filter(series=series, start__gt=now)
    ids = list(remaining.values_list("pk", flat=True))
    count = Booking.objects.filter(pk__in=ids).update(
        status=Booking.Status.CANCELLED, cancelled_by=_user(actor), cancelled_at=now, updated_at=now
    )
    audit(
        actor=actor,
        code="rooms.series_cancel",
        obj=series,
        params={"series": series.pk, "count": count, "bookings": ids},
    )
    return count


# --- Venues and rooms (federation) -------------------------------------------------------

#: Never copied into the trail: the calendar's secret address, and timestamps.
_UNAUDITED = {"ics_token", "created_at", "updated_at"}


def _changes_against_db(instance) -> dict[str, list]:
    """``{field: [stored, new]}`` for an existing row whose instance was edited in memory
    (a ModelForm applies its data to the instance while validating)."""
    if instance.pk is None:
        return {}
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    if stored is None:
        return {}
    return changed_fields(
        stored,
        {
            f.attname: getattr(instance, f.attname)
            for f in instance._meta.concrete_fields
            if f.attname not in _UNAUDITED and not f.primary_key
        },
    )


@transaction.atomic
def venue_save(*, actor, venue: Venue) -> Venue:
    """Create or update a venue (rooms.manage on its owner, before and after the change)."""
    creating = venue.pk is None
    if not creating:
        authorize_manage(actor, Venue.objects.select_related("owner").get(pk=venue.pk))
    authorize_manage(actor, venue)
    changes = _changes_against_db(venue)
    venue.full_clean()
    venue.save()
    audit(
        actor=actor,
        code="rooms.venue_create" if creating else "rooms.venue_update",
        obj=venue,
        params={"venue": venue.name},
        changes=changes,
    )
    return venue


@transaction.atomic
def room_save(
    *,
    actor,
    room: Room,
    equipment: Iterable | None = None,
    opening_hours: dict[int, tuple[datetime.time, datetime.time]] | None = None,
) -> Room:
    """Create or update a room, its equipment and its opening hours (rooms.manage).

    ``opening_hours`` maps a weekday (0 = Monday) to (opens, closes); a weekday left out
    is closed. ``None`` leaves the hours as they are.
    """
    if room.pk is not None:
        authorize_manage(actor, Room.objects.select_related("venue").get(pk=room.pk).venue)
    authorize_manage(actor, room.venue)
    creating = room.pk is None
    changes = _changes_against_db(room)
    if opening_hours is not None:
        for opens, closes in opening_hours.values():
            if closes <= opens:
                raise BookingError(
                    {NON_FIELD_ERRORS: [_("La fermeture doit être après l'ouverture.")]}
                )
    room.full_clean(exclude=["ics_token"])
    room.save()
    if equipment is not None:
        before = set() if creating else set(room.equipment.values_list("pk", flat=True))
        after = {getattr(item, "pk", item) for item in equipment}
        if before != after:
            changes["equipment"] = [sorted(before), sorted(after)]
        room.equipment.set(equipment)
    if opening_hours is not None:
        before = [
            [o.weekday, o.opens.isoformat(), o.closes.isoformat()]
            for o in ([] if creating else room.opening_hours.all())
        ]
        after = [
            [weekday, opens.isoformat(), closes.isoformat()]
            for weekday, (opens, closes) in sorted(opening_hours.items())
        ]
        if before != after:
            changes["opening_hours"] = [before, after]
        room.opening_hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(room=room, weekday=weekday, opens=opens, closes=closes)
            for weekday, (opens, closes) in sorted(opening_hours.items())
        )
    audit(
        actor=actor,
        code="rooms.room_create" if creating else "rooms.room_update",
        obj=room,
        params={"room": room.name},
        changes=changes,
    )
    return room


@transaction.atomic
def room_photo_add(*, actor, room: Room, image, caption: str) -> RoomPhoto:
    """Attach a photo, already checked by ``core.uploads`` in the form (rooms.manage)."""
    authorize_manage(actor, room.venue)
    photo = RoomPhoto.objects.create(room=room, image=image, caption=caption.strip())
    audit(
        actor=actor,
        code="rooms.photo_add",
        obj=photo,
        params={"room": room.name, "photo": photo.pk},
    )
    return photo


@transaction.atomic
def room_ics_token_reset(*, actor, room: Room) -> Room:
    """Give the room's calendar feed a new secret address (the old one stops working)."""
    from .models import new_ics_token

    authorize_manage(actor, room.venue)
    room.ics_token = new_ics_token()
    room.save(update_fields=["ics_token", "updated_at"])
    # The addresses themselves are secrets: the trail says only that it changed.
    audit(actor=actor, code="rooms.ics_reset", obj=room, params={"room": room.name})
    return room
