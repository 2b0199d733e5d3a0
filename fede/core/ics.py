"""Calendars (iCalendar, RFC 5545) that phones and mail clients can import or subscribe to.

Usage in a view::

    from fede.core.ics import ics_response, make_calendar, make_event

    calendar = make_calendar("Réunions de la section Paris 11")
    for meeting in meetings:
        calendar.add_component(
            make_event(
                uid=f"meeting-{meeting.pk}@fede",
                start=meeting.starts_at,
                end=meeting.ends_at,
                summary=meeting.title,
                location=meeting.place,
                url=request.build_absolute_uri(meeting.get_absolute_url()),
                status="CANCELLED" if meeting.cancelled else "CONFIRMED",
                sequence=meeting.revision,
                last_modified=meeting.updated_at,
            )
        )
    return ics_response(calendar, "reunions.ics")

Rules that keep calendar clients in sync:

- ``uid`` must be stable for the life of the object (never the row's position, never
  random): clients match updates and cancellations by it. ``<kind>-<pk>@fede`` is fine.
- Bump ``sequence`` each time the date, time or place changes; a cancelled event stays
  in the feed with ``status="CANCELLED"`` (and a higher sequence) rather than vanishing,
  so subscribed clients remove it.
- Times are written in Europe/Paris with a ``VTIMEZONE`` in the calendar, so a meeting at
  18:30 stays at 18:30 Paris time whatever the device's time zone. ``DTSTAMP`` and
  ``LAST-MODIFIED`` are in UTC, as the RFC requires.
- A ``datetime.date`` (not datetime) for ``start``/``end`` gives an all-day event; ``end``
  is then the day after the last day (exclusive end, RFC 5545).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

PRODID = "-//Fédé//Fédé//FR"
TZID = "Europe/Paris"
PARIS = ZoneInfo(TZID)
STATUSES = frozenset({"TENTATIVE", "CONFIRMED", "CANCELLED"})


def paris_vtimezone() -> Timezone:
    """The VTIMEZONE of Europe/Paris, with the EU summer-time rules in force since 1996.

    Written by hand with RRULEs (rather than one RDATE per transition) so every client
    understands it and the feed stays small.
    """
    tz = Timezone()
    tz.add("TZID", TZID)
    tz.add("X-LIC-LOCATION", TZID)
    daylight = TimezoneDaylight()
    daylight.add("TZOFFSETFROM", dt.timedelta(hours=1))
    daylight.add("TZOFFSETTO", dt.timedelta(hours=2))
    daylight.add("TZNAME", "CEST")
    daylight.add("DTSTART", dt.datetime(1970, 3, 29, 2, 0, 0))  # noqa: DTZ001 — floating, as RFC 5545 wants
    daylight.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": 3, "BYDAY": "-1SU"})
    standard = TimezoneStandard()
    standard.add("TZOFFSETFROM", dt.timedelta(hours=2))
    standard.add("TZOFFSETTO", dt.timedelta(hours=1))
    standard.add("TZNAME", "CET")
    standard.add("DTSTART", dt.datetime(1970, 10, 25, 3, 0, 0))  # noqa: DTZ001
    standard.add("RRULE", {"FREQ": "YEARLY", "BYMONTH": 10, "BYDAY": "-1SU"})
    tz.add_component(daylight)
    tz.add_component(standard)
    return tz


def make_calendar(name: str) -> Calendar:
    """An empty calendar named ``name``, in Europe/Paris, ready for :func:`make_event`."""
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", name)
    calendar.add("X-WR-TIMEZONE", TZID)
    calendar.add_component(paris_vtimezone())
    return calendar


def _paris(value: dt.datetime | dt.date, field: str) -> dt.datetime | dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise ValueError(f"{field} doit être une date et heure avec fuseau (aware).")
        return value.astimezone(PARIS)
    return value


def _utc(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        raise ValueError("Les dates doivent être avec fuseau (aware).")
    return value.astimezone(dt.UTC)


def make_event(
    *,
    uid: str,
    start: dt.datetime | dt.date,
    end: dt.datetime | dt.date,
    summary: str,
    description: str = "",
    location: str = "",
    url: str = "",
    status: str = "CONFIRMED",
    sequence: int = 0,
    last_modified: dt.datetime | None = None,
) -> Event:
    """One VEVENT. Datetimes must be aware; they are written in Europe/Paris.

    Raises ``ValueError`` for a naive datetime, an unknown status, or an end before the
    start.
    """
    status = status.upper()
    if status not in STATUSES:
        raise ValueError(f"Statut inconnu : {status}")
    if isinstance(start, dt.datetime) != isinstance(end, dt.datetime):
        raise ValueError("Début et fin doivent être tous deux des dates, ou des dates et heures.")
    start = _paris(start, "start")
    end = _paris(end, "end")
    if end < start:
        raise ValueError("La fin précède le début.")
    event = Event()
    event.add("UID", uid)
    event.add("DTSTAMP", _utc(timezone.now()))
    event.add("DTSTART", start)
    event.add("DTEND", end)
    event.add("SUMMARY", summary)
    if description:
        event.add("DESCRIPTION", description)
    if location:
        event.add("LOCATION", location)
    if url:
        event.add("URL", url)
    event.add("STATUS", status)
    event.add("SEQUENCE", int(sequence))
    if last_modified is not None:
        event.add("LAST-MODIFIED", _utc(last_modified))
    return event


def ics_response(calendar: Calendar, filename: str, *, inline: bool = False) -> HttpResponse:
    """A ``text/calendar`` response with the calendar, as a download by default.

    ``inline=True`` suits subscription feeds (webcal), which clients poll without saving.
    """
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=not inline, filename=filename
    )
    return response
