"""Wall-clock time in Paris: slots are built from local dates and times, stored in UTC.

A booking "every Thursday 19:00–21:00" must stay at 19:00 in Paris across the changes of
summer time, so occurrences and grid rows are computed from the local date and time with
``zoneinfo`` and only then converted to aware datetimes.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.utils import formats, timezone
from django.utils.translation import gettext

PARIS = ZoneInfo("Europe/Paris")

#: Hours shown by the grids of a room without opening hours (local time): 08:00 to 23:00.
GRID_FIRST_HOUR = 8
GRID_LAST_HOUR = 23
#: The grids show half-hour rows: a room open until 23:30 shows its last half hour.
GRID_STEP = datetime.timedelta(minutes=30)

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


def format_time(value: datetime.datetime | datetime.time) -> str:
    """``19:00`` (Paris)."""
    if isinstance(value, datetime.datetime):
        value = local(value)
    return formats.time_format(value, "H:i")


def _floor_half_hour(value: datetime.time) -> datetime.time:
    return value.replace(minute=value.minute - value.minute % 30, second=0, microsecond=0)


def grid_times(opening_hours: Iterable) -> list[datetime.time]:
    """The half-hour rows of a grid (local wall clock): from the earliest opening to the
    latest closing of ``opening_hours`` (``OpeningHours`` rows, of one room or several),
    or 08:00–23:00 when there are none. A room open until 23:30 gets its 23:00 row."""
    spans = [(o.opens, o.closes) for o in opening_hours]
    if spans:
        first = _floor_half_hour(min(opens for opens, _closes in spans))
        last = max(closes for _opens, closes in spans)
    else:
        first, last = datetime.time(GRID_FIRST_HOUR), datetime.time(GRID_LAST_HOUR)
    times, cursor = [], datetime.datetime.combine(datetime.date.min, first)
    while cursor.time() < last and cursor.date() == datetime.date.min:
        times.append(cursor.time())
        cursor += GRID_STEP
    return times


def slot_end(day: datetime.date, start: datetime.time) -> datetime.datetime:
    """The aware end of the grid row starting at ``start`` on ``day`` (wall clock)."""
    naive = datetime.datetime.combine(day, start) + GRID_STEP
    return at(naive.date(), naive.time())


def row_of(value: datetime.time, times: list[datetime.time]) -> datetime.time:
    """The row where something starting at ``value`` is shown (clamped to the grid)."""
    row = _floor_half_hour(value)
    return min(max(row, times[0]), times[-1])


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


# --- French public holidays ------------------------------------------------------------------


def easter_sunday(year: int) -> datetime.date:
    """Easter Sunday of ``year`` (Gregorian calendar; anonymous algorithm, Meeus/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * weekday_shift) // 433
    month = (h + weekday_shift - 7 * m + 90) // 25
    day = (h + weekday_shift - 7 * m + 33 * month + 19) % 32
    return datetime.date(year, month, day)


def public_holidays(year: int) -> dict[datetime.date, str]:
    """The public holidays of metropolitan France in ``year``: eight fixed dates and three
    set from Easter (Easter Monday, Ascension Thursday, Whit Monday)."""
    easter = easter_sunday(year)
    days = {
        datetime.date(year, 1, 1): gettext("Jour de l'an"),
        easter + datetime.timedelta(days=1): gettext("Lundi de Pâques"),
        datetime.date(year, 5, 1): gettext("Fête du travail"),
        datetime.date(year, 5, 8): gettext("Victoire 1945"),
        easter + datetime.timedelta(days=39): gettext("Ascension"),
        easter + datetime.timedelta(days=50): gettext("Lundi de Pentecôte"),
        datetime.date(year, 7, 14): gettext("Fête nationale"),
        datetime.date(year, 8, 15): gettext("Assomption"),
        datetime.date(year, 11, 1): gettext("Toussaint"),
        datetime.date(year, 11, 11): gettext("Armistice 1918"),
        datetime.date(year, 12, 25): gettext("Noël"),
    }
    return dict(sorted(days.items()))


def is_festive(day: datetime.date) -> bool:
    """A public holiday, or Christmas Eve or New Year's Eve: no meeting is held then."""
    return (day.month == 12 and day.day in (24, 25, 31)) or day in public_holidays(day.year)
