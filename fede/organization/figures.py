"""Figures of the federation and of its treasury: reads only, in SQL, within a scope.

A scope is a list of unit paths (the user's grant paths for a capability, or the one unit
they picked inside it): every function here reads the members of the sections under those
paths and nothing else. Monthly series are grouped by the database (``TruncMonth``) or
computed as conditional aggregates, one statement per series; no member row is loaded.

:func:`bar_chart` turns a series into the geometry of a server-drawn SVG bar chart (no
script): the template draws the bars and prints the same figures in a table.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import formats, timezone

from fede.core.sorting import natural_key

from .models import DuesPayment, Member, Unit, up_to_date_q

MONTHS = 24
CENTS = Decimal("0.01")


def _money(value) -> Decimal:
    """A sum of amounts with two decimals, whatever the database returned (or nothing)."""
    return Decimal(value or 0).quantize(CENTS)


def scope_q(paths: list[str], field: str = "section__") -> Q:
    """Q selecting rows whose unit (through ``field``) lies under one of ``paths``."""
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}path__startswith": path})
    return q


def months_back(on: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    """The first day of each of the ``count`` months ending with ``on``'s, oldest first."""
    year, month = on.year, on.month
    firsts = []
    for _ in range(count):
        firsts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def month_end(first: datetime.date, on: datetime.date) -> datetime.date:
    """The last day of ``first``'s month, or ``on`` for the current month."""
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return min(following - datetime.timedelta(days=1), on)


def _month_key(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


# --- Members -------------------------------------------------------------------------------


def totals(paths: list[str], on: datetime.date | None = None) -> dict[str, int]:
    """Members (active), up to date, new this year, lapsed: one query."""
    on = on or timezone.localdate()
    active = Q(status=Member.Status.ACTIVE)
    figures = Member.objects.filter(scope_q(paths)).aggregate(
        members=Count("pk", filter=active),
        up_to_date=Count("pk", filter=active & up_to_date_q(on)),
        new=Count("pk", filter=Q(joined_on__year=on.year, joined_on__lte=on)),
        lapsed=Count("pk", filter=Q(status=Member.Status.LAPSED)),
    )
    figures["up_to_date_percent"] = _percent(figures["up_to_date"], figures["members"])
    return figures


def _percent(part, whole) -> int:
    return round(part * 100 / whole) if whole else 0


def monthly_members(paths: list[str], on: datetime.date | None = None) -> dict[str, list]:
    """Over the last 24 months: members on the roll at each month's end, joins and
    departures of each month. Three queries (two grouped by month, one of conditional
    counts), whatever the size of the scope."""
    on = on or timezone.localdate()
    firsts = months_back(on)
    start = firsts[0]
    members = Member.objects.filter(scope_q(paths))

    def per_month(field: str) -> dict:
        rows = (
            members.filter(**{f"{field}__gte": start, f"{field}__lte": on})
            .annotate(month=TruncMonth(field))
            .values("month")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return {_month_key(row["month"]): row["n"] for row in rows}

    joined = per_month("joined_on")
    left = per_month("left_on")
    ends = [month_end(first, on) for first in firsts]
    roll = members.aggregate(
        **{
            f"m{i}": Count(
                "pk",
                filter=Q(joined_on__lte=end) & (Q(left_on__isnull=True) | Q(left_on__gt=end)),
            )
            for i, end in enumerate(ends)
        }
    )
    return {
        "months": firsts,
        "roll": [roll[f"m{i}"] for i in range(len(firsts))],
        "joined": [joined.get(first, 0) for first in firsts],
        "left": [left.get(first, 0) for first in firsts],
    }


@dataclass
class SectionRow:
    unit: Unit
    members: int
    up_to_date: int
    new: int
    lapsed: int

    @property
    def up_to_date_percent(self) -> int:
        return _percent(self.up_to_date, self.members)


COMPARISON_SORTS = {
    "name": lambda row: natural_key(row.unit.name),
    "members": lambda row: row.members,
    "up_to_date": lambda row: row.up_to_date_percent,
    "new": lambda row: row.new,
    "lapsed": lambda row: row.lapsed,
}


def section_comparison(
    paths: list[str], on: datetime.date | None = None, sort: str = "name"
) -> list[SectionRow]:
    """Open sections of the scope with their figures (one query), in natural order of
    their names by default; ``sort`` is a key of COMPARISON_SORTS, "-" first to reverse."""
    on = on or timezone.localdate()
    active = Q(members__status=Member.Status.ACTIVE)
    units = (
        Unit.objects.filter(scope_q(paths, field=""))
        .sections()
        .active()
        .annotate(
            n_members=Count("members", filter=active),
            n_up_to_date=Count("members", filter=active & up_to_date_q(on, "members__")),
            n_new=Count(
                "members", filter=Q(members__joined_on__year=on.year, members__joined_on__lte=on)
            ),
            n_lapsed=Count("members", filter=Q(members__status=Member.Status.LAPSED)),
        )
        .order_by("sort_name", "pk")
    )
    rows = [SectionRow(u, u.n_members, u.n_up_to_date, u.n_new, u.n_lapsed) for u in units]
    key = sort.removeprefix("-")
    if key in COMPARISON_SORTS and key != "name":
        # Ties keep the natural order of names (the sort is stable).
        rows.sort(key=COMPARISON_SORTS[key], reverse=sort.startswith("-"))
    elif sort == "-name":
        rows.reverse()
    return rows


# --- Treasury ------------------------------------------------------------------------------


def payments_in(paths: list[str]) -> QuerySet[DuesPayment]:
    """Valid (not cancelled) payments of the members of the scope."""
    return DuesPayment.objects.valid().filter(scope_q(paths, field="member__section__"))


def dues_by_year(paths: list[str], on: datetime.date | None = None, years: int = 5) -> list:
    """Amount and number of payments received in each of the last ``years`` calendar
    years (by payment date), oldest first. One query."""
    on = on or timezone.localdate()
    first = on.year - years + 1
    rows = (
        payments_in(paths)
        .filter(paid_on__year__gte=first, paid_on__lte=on)
        .annotate(y=ExtractYear("paid_on"))
        .values("y")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    found = {row["y"]: row for row in rows}
    return [
        {
            "year": year,
            "total": _money(found.get(year, {}).get("total")),
            "count": found.get(year, {}).get("n", 0),
        }
        for year in range(first, on.year + 1)
    ]


def dues_by_month(paths: list[str], year: int) -> list:
    """Amount and number of payments received in each month of ``year``. One query."""
    rows = (
        payments_in(paths)
        .filter(paid_on__year=year)
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    found = {_month_key(row["month"]): row for row in rows}
    months = [datetime.date(year, m, 1) for m in range(1, 13)]
    return [
        {
            "month": month,
            "total": _money(found.get(month, {}).get("total")),
            "count": found.get(month, {}).get("n", 0),
        }
        for month in months
    ]


def not_up_to_date(paths: list[str], year: int) -> QuerySet[Member]:
    """Active members of the scope without a valid payment of ``year``'s dues, by
    section (natural order) then name."""
    paid = Exists(DuesPayment.objects.valid().filter(member=OuterRef("pk"), year=year))
    last_year = (
        DuesPayment.objects.valid().filter(member=OuterRef("pk")).order_by("-year").values("year")
    )
    return (
        Member.objects.filter(scope_q(paths), status=Member.Status.ACTIVE)
        .filter(~paid)
        .select_related("section")
        .annotate(last_dues_year=Subquery(last_year[:1]))
        .order_by("section__sort_name", "section_id", "last_name", "first_name", "pk")
    )


def statement_payments(member: Member, year: int) -> list[DuesPayment]:
    """The valid payments a member made during calendar year ``year``."""
    return list(member.payments.valid().filter(paid_on__year=year).order_by("paid_on", "pk"))


# --- Charts --------------------------------------------------------------------------------

CHART_WIDTH = 640
CHART_LEFT = 48
CHART_TOP = 12
CHART_HEIGHT = 160
CHART_BOTTOM = 28


def month_label(first: datetime.date, short: bool = True) -> str:
    """ "janv. 2025"-like label of a month, in the reader's language."""
    return formats.date_format(first, "M Y" if short else "F Y")


def bar_chart(key: str, title: str, desc: str, points: list[tuple[str, str, float]]) -> dict:
    """Geometry of a vertical bar chart. ``points``: (long label, tick label or "",
    value). The template (``organization/figures/bar_chart.html``) draws each bar with its
    value in ``data-value`` and lists the same (label, value) pairs in its table."""
    count = max(1, len(points))
    top = max((float(value) for _label, _tick, value in points), default=0) or 1
    slot = (CHART_WIDTH - CHART_LEFT) / count
    bar_width = max(2.0, slot * 0.7)
    bars = []
    for index, (label, tick, value) in enumerate(points):
        height = round(float(value) / top * CHART_HEIGHT, 1)
        x = round(CHART_LEFT + index * slot + (slot - bar_width) / 2, 1)
        bars.append(
            {
                "label": label,
                "tick": tick,
                "value": value,
                "x": x,
                "y": round(CHART_TOP + CHART_HEIGHT - height, 1),
                "width": round(bar_width, 1),
                "height": height,
                "tick_x": round(x + bar_width / 2, 1),
            }
        )
    axis_y = CHART_TOP + CHART_HEIGHT
    return {
        "key": key,
        "title": title,
        "desc": desc,
        "bars": bars,
        "width": CHART_WIDTH,
        "height": axis_y + CHART_BOTTOM,
        "axis_y": axis_y,
        "tick_y": axis_y + 18,
        "left": CHART_LEFT,
        "top": CHART_TOP,
        "max": top,
        "max_y": CHART_TOP + 4,
    }
