"""Wall-clock time in Paris: slots are built from local dates and times, stored in UTC.

A booking "every Thursday 19:00–21:00" must stay at 19:00 in Paris across the changes of
summer time, so occurrences and grid rows are computed from the local date and time with
``zoneinfo`` and only then converted to aware datetimes.
"""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

from django.utils import formats, timezone
from django.utils.translation import gettext

PARIS = ZoneInfo("Europe/Paris")

#: Hours shown by the week grid (local time): rows 08:00 … 22:00, the last ending at 23:00.
GRID_FIRST_HOUR = 8
GRID_LAST_HOUR = 23

_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def local(value: datetime.datetime) -> datetime.datetime:
    """An aware datetime seen in Paris."""
    return value.astimezone(PARIS)


def at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The aware instant of ``time`` on ``day``, Paris wall clock."""
    return datetime.datetime.combine(day, time, tzinfo=PARIS)


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of a local day (23 or 25 hours long on the days the clocks change)."""
    return at(day, datetime.time.min), at(day + datetime.timedelta(days=1), datetime.time.min)


def today() -> datetime.date:
    return timezone.localdate(timezone=PARIS)


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_param(monday: datetime.date) -> str:
    """``2026-W13``: the ISO week of ``monday``, as used in ``?semaine=``."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(value: str | None) -> datetime.date | None:
    """The Monday of an ISO week written ``2026-W13``; ``None`` if absent or invalid."""
    match = _WEEK_RE.match((value or "").strip())
    if not match:
        return None
    try:
        return datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def parse_day(value: str | None) -> datetime.date | None:
    """A date written ``2026-03-26``; ``None`` if absent or invalid."""
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def format_day(value: datetime.datetime | datetime.date) -> str:
    """``jeudi 3 décembre 2026`` (the day in Paris)."""
    if isinstance(value, datetime.datetime):
        value = local(value).date()
    return formats.date_format(value, "l j F Y")


def format_time(value: datetime.datetime) -> str:
    """``19:00`` (Paris)."""
    return local(value).strftime("%H:%M")


def format_slot(start: datetime.datetime, end: datetime.datetime) -> str:
    """``jeudi 3 décembre 2026, de 19:00 à 21:00`` (Paris)."""
    return gettext("%(day)s, de %(start)s à %(end)s") % {
        "day": format_day(start),
        "start": format_time(start),
        "end": format_time(end),
    }


def format_duration(minutes: int) -> str:
    """``2 h``, ``1 h 30``, ``45 min``."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return gettext("%(minutes)s min") % {"minutes": rest}
    if not rest:
        return gettext("%(hours)s h") % {"hours": hours}
    return gettext("%(hours)s h %(minutes)02d") % {"hours": hours, "minutes": rest}


def add_months(day: datetime.date, months: int) -> datetime.date | None:
    """The same day of the month ``months`` later; ``None`` when that month is too short."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    try:
        return day.replace(year=year, month=month)
    except ValueError:
        return None
