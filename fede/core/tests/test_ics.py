"""Calendars import cleanly: stable UIDs, Paris times with their VTIMEZONE, cancellations."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from fede.core.ics import ics_response, make_calendar, make_event

PARIS = ZoneInfo("Europe/Paris")


def _roundtrip(calendar):
    return Calendar.from_ical(calendar.to_ical())


def test_calendar_header_and_paris_timezone():
    """The calendar names itself and declares Europe/Paris with a VTIMEZONE."""
    parsed = _roundtrip(make_calendar("Réunions de la section Paris 11"))
    assert str(parsed["VERSION"]) == "2.0"
    assert "Fédé" in str(parsed["PRODID"])
    assert str(parsed["X-WR-CALNAME"]) == "Réunions de la section Paris 11"
    assert str(parsed["X-WR-TIMEZONE"]) == "Europe/Paris"
    timezones = parsed.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Paris"]
    assert {c.name for c in timezones[0].subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_event_times_are_written_in_paris_time():
    """An event given in UTC is written with TZID=Europe/Paris and the same instant."""
    calendar = make_calendar("Agenda")
    summer_start = dt.datetime(2025, 7, 1, 16, 30, tzinfo=dt.UTC)
    winter_start = dt.datetime(2025, 12, 1, 17, 30, tzinfo=dt.UTC)
    calendar.add_component(
        make_event(
            uid="meeting-1@fede",
            start=summer_start,
            end=summer_start + dt.timedelta(hours=2),
            summary="Assemblée générale, été",
            description="Ordre du jour : rapport; vote",
            location="Salle Jean-Jaurès, 12 rue X",
            url="https://fede.example/evenements/1/",
        )
    )
    calendar.add_component(
        make_event(
            uid="meeting-2@fede",
            start=winter_start,
            end=winter_start + dt.timedelta(hours=1),
            summary="Bureau",
        )
    )
    raw = calendar.to_ical().decode()
    assert "DTSTART;TZID=Europe/Paris:20250701T183000" in raw
    assert "DTSTART;TZID=Europe/Paris:20251201T183000" in raw

    events = {str(e["UID"]): e for e in Calendar.from_ical(raw).walk("VEVENT")}
    summer = events["meeting-1@fede"]
    start = summer.decoded("DTSTART")
    assert start == summer_start
    assert start.utcoffset() == dt.timedelta(hours=2)
    assert events["meeting-2@fede"].decoded("DTSTART").utcoffset() == dt.timedelta(hours=1)
    assert str(summer["SUMMARY"]) == "Assemblée générale, été"
    assert str(summer["DESCRIPTION"]) == "Ordre du jour : rapport; vote"
    assert str(summer["LOCATION"]) == "Salle Jean-Jaurès, 12 rue X"
    assert str(summer["URL"]) == "https://fede.example/evenements/1/"
    assert str(summer["STATUS"]) == "CONFIRMED"
    assert summer.decoded("DTSTAMP").utcoffset() == dt.timedelta(0)


def test_cancelled_event_stays_in_the_feed_with_a_higher_sequence():
    """Clients remove a cancelled event when they see STATUS:CANCELLED and a new SEQUENCE."""
    calendar = make_calendar("Agenda")
    start = dt.datetime(2025, 3, 10, 19, 0, tzinfo=PARIS)
    changed = dt.datetime(2025, 3, 5, 9, 0, tzinfo=PARIS)
    calendar.add_component(
        make_event(
            uid="meeting-7@fede",
            start=start,
            end=start + dt.timedelta(hours=2),
            summary="Réunion annulée",
            status="cancelled",
            sequence=3,
            last_modified=changed,
        )
    )
    (event,) = _roundtrip(calendar).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 3
    assert event.decoded("LAST-MODIFIED") == changed
    assert "LAST-MODIFIED:20250305T080000Z" in calendar.to_ical().decode()


def test_all_day_event_uses_dates():
    calendar = make_calendar("Agenda")
    calendar.add_component(
        make_event(
            uid="congress@fede",
            start=dt.date(2025, 11, 22),
            end=dt.date(2025, 11, 24),
            summary="Congrès",
        )
    )
    raw = calendar.to_ical().decode()
    assert "DTSTART;VALUE=DATE:20251122" in raw
    (event,) = Calendar.from_ical(raw).walk("VEVENT")
    assert event.decoded("DTEND") == dt.date(2025, 11, 24)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": dt.datetime(2025, 1, 1, 10), "end": dt.datetime(2025, 1, 1, 11)}, "fuseau"),
        ({"status": "MAYBE"}, "Statut"),
        (
            {
                "start": dt.datetime(2025, 1, 1, 11, tzinfo=PARIS),
                "end": dt.datetime(2025, 1, 1, 10, tzinfo=PARIS),
            },
            "précède",
        ),
        ({"start": dt.date(2025, 1, 1)}, "tous deux"),
    ],
)
def test_invalid_events_are_refused(kwargs, message):
    """Naive datetimes, unknown statuses and inverted times are programming errors."""
    values = {
        "uid": "x@fede",
        "start": dt.datetime(2025, 1, 1, 10, tzinfo=PARIS),
        "end": dt.datetime(2025, 1, 1, 11, tzinfo=PARIS),
        "summary": "x",
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        make_event(**values)


def test_ics_response():
    """text/calendar in UTF-8, downloaded, parseable."""
    calendar = make_calendar("Agenda")
    response = ics_response(calendar, "réunions.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "r%C3%A9unions.ics" in response["Content-Disposition"]
    assert str(Calendar.from_ical(response.content)["X-WR-CALNAME"]) == "Agenda"

    feed = ics_response(calendar, "agenda.ics", inline=True)
    assert feed["Content-Disposition"] == 'inline; filename="agenda.ics"'
