"""Events as iCalendar: one file per event and subscription feeds.

UIDs come from ``Event.uid`` (a UUID fixed at creation), SEQUENCE from ``Event.sequence``
(incremented by the services on each significant change), so a subscribed calendar
updates an event in place and removes it when it is cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable

from icalendar import Calendar

from fede.core.ics import make_calendar, make_event
from fede.core.mail import absolute_url as absolute

from .models import Event


def site_url() -> str:
    """The public address of the site, for links in e-mails and calendars."""
    return absolute("")


def event_vevent(event: Event, *, cancelled: bool | None = None, for_attendee: bool = False):
    """The VEVENT of an event. ``cancelled=True`` marks it cancelled for this calendar.

    The video-conference link is given to registered people only (``for_attendee``).
    """
    is_cancelled = event.is_cancelled if cancelled is None else cancelled
    description = event.description
    if for_attendee and event.online_url:
        description = f"{description}\n\n{event.online_url}".strip()
    return make_event(
        uid=event.ics_uid,
        start=event.start,
        end=event.end,
        summary=event.title,
        description=description,
        location=event.place_label,
        url=absolute(event.get_absolute_url()),
        status="CANCELLED" if is_cancelled else "CONFIRMED",
        # A calendar that was told "registered" and now hears "cancelled" needs a higher
        # sequence to accept the change.
        sequence=event.sequence + (1 if is_cancelled and not event.is_cancelled else 0),
        last_modified=event.updated_at,
    )


def calendar_of(name: str, events: Iterable[Event], *, for_attendee: bool = False) -> Calendar:
    calendar = make_calendar(name)
    for event in events:
        calendar.add_component(event_vevent(event, for_attendee=for_attendee))
    return calendar


def calendar_with_states(name: str, rows: Iterable[tuple[Event, bool]]) -> Calendar:
    """A calendar of (event, still attending) pairs: the others are written cancelled."""
    calendar = make_calendar(name)
    for event, attending in rows:
        calendar.add_component(
            event_vevent(event, cancelled=not attending or None, for_attendee=attending)
        )
    return calendar
