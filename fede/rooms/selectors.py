"""Reads of the rooms app: the directory, week and day grids, bookings in a user's scope.

Bookings are reached through ``Booking.objects.in_scope`` (``booking_for_user``, and
``object_view`` in the views), which answers 404 outside the scope: an officer of
section A asking for a booking of section B gets the same answer as for a booking that
does not exist. Grids show every booking of a room, but only as "Réservé — <section>"
outside the viewer's scope: purpose, attendance and requester stay private.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.postgres.fields import DateTimeRangeField
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.utils import timezone

from fede.core.access import get_in_scope_or_404
from fede.core.periods import overlap_q, overlaps
from fede.organization.models import Territory, Unit
from fede.organization.roles import grant_paths, units_q
from fede.organization.selectors import sections_for_user

from . import cache, slots
from .models import (
    Booking,
    BookingSeries,
    Equipment,
    OpeningHours,
    Room,
    RoomPhoto,
    Venue,
    owner_reach_q,
    reach_key,
)

# --- Scope -----------------------------------------------------------------------------


def booking_detail_queryset() -> QuerySet[Booking]:
    """Bookings with what their page shows (the scope is applied by ``in_scope``)."""
    return Booking.objects.select_related(
        "room__venue", "section", "requested_by", "decided_by", "cancelled_by", "series"
    )


def booking_for_user(user, pk) -> Booking:
    """One booking in the user's scope, with its room and section, or 404."""
    return get_in_scope_or_404(
        booking_detail_queryset(), actor=user, capability="rooms.view", pk=pk
    )


def series_queryset() -> QuerySet[BookingSeries]:
    return BookingSeries.objects.select_related("room__venue", "section")


def scope_checker(user) -> Callable[[Unit], bool]:
    """A function telling, without a query, whether a unit is in the user's booking scope."""
    paths = tuple(grant_paths(user, "rooms.book") + grant_paths(user, "rooms.approve"))
    return lambda unit: bool(paths) and unit.path.startswith(paths)


def booking_units_for_user(user) -> QuerySet[Unit]:
    """Units the user may book for: their sections, and the federation itself if the user
    holds rooms.book on it (federal secretaries book for federation activities)."""
    sections = sections_for_user(user, "rooms.book")
    federations = Unit.objects.filter(
        units_q(user, "rooms.book"), kind=Unit.Kind.FEDERATION, is_active=True
    )
    return (sections | federations).order_by("kind", "name")


# --- Directory ---------------------------------------------------------------------------


@dataclass
class DirectoryFilters:
    arrondissement: Territory | None = None
    capacity: int | None = None
    step_free: bool = False
    equipment: list[Equipment] = field(default_factory=list)
    day: datetime.date | None = None
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None
    sections_space: bool = False

    @property
    def slot(self) -> tuple[datetime.datetime, datetime.datetime] | None:
        if self.day and self.start_time and self.end_time and self.end_time > self.start_time:
            return slots.at(self.day, self.start_time), slots.at(self.day, self.end_time)
        return None


class _Span(Func):
    """``tstzrange(start, "end", '[)')``: the expression of the bookings' GiST indexes."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def busy_room_ids(start: datetime.datetime, end: datetime.datetime) -> set[int]:
    """Rooms with a confirmed booking over [start, end) (half-open: back-to-back is free).

    On PostgreSQL the overlap is written as a range ``&&`` so that it is answered by the
    GiST index on the confirmed bookings' spans (migration 0003) instead of reading every
    booking that starts before ``end``.
    """
    bookings = Booking.objects.confirmed()
    if connection.vendor == "postgresql":
        bookings = bookings.alias(span=_Span("start", "end", Value("[)"))).filter(
            span__overlap=DateTimeTZRange(start, end, "[)")
        )
    else:
        bookings = bookings.overlapping(start, end)
    return set(bookings.order_by().values_list("room_id", flat=True))


def _directory_rooms(filters: DirectoryFilters, actor=None) -> QuerySet[Room]:
    """Active rooms of active venues matching the filters other than the slot (within
    ``actor``'s reach: their federation's rooms and the shared ones)."""
    qs = Room.objects.filter(is_active=True, venue__is_active=True)
    if actor is not None:
        qs = qs.filter(owner_reach_q(actor, "rooms.view", field="venue__owner__"))
    if filters.arrondissement is not None:
        qs = qs.filter(venue__arrondissement=filters.arrondissement)
    if filters.capacity:
        qs = qs.filter(capacity__gte=filters.capacity)
    if filters.step_free:
        qs = qs.filter(step_free=True)
    if filters.sections_space:
        qs = qs.filter(is_sections_space=True)
    for equipment in filters.equipment:
        # One EXISTS per item: "has all of them", without multiplying rows.
        qs = qs.filter(
            Exists(
                Room.equipment.through.objects.filter(
                    room_id=OuterRef("pk"), equipment_id=equipment.pk
                )
            )
        )
    return qs.order_by(
        "-is_sections_space", "venue__arrondissement__number", "venue__name", "name", "pk"
    )


def _filters_key(filters: DirectoryFilters) -> tuple:
    """The filters but the slot's day, as a hashable value (a key of ``cache.directory``)."""
    return (
        filters.arrondissement.pk if filters.arrondissement is not None else None,
        filters.capacity,
        filters.step_free,
        filters.sections_space,
        tuple(sorted({equipment.pk for equipment in filters.equipment})),
    )


def directory_room_ids(filters: DirectoryFilters | None = None, *, actor=None) -> list[int]:
    """Ids of the rooms matching the filters, in directory order (whole list, no page).

    With a slot, a room is kept when no confirmed booking overlaps it and, if it has opening
    hours, it is open then. The room query only reads two flags about the hours and the
    busy rooms come from a query of their own: put together as ``NOT EXISTS … AND (NOT
    EXISTS … OR EXISTS …)`` the planner expected a single row and rescanned venues and
    territories for each room.

    With ``actor``, the rooms open then in the actor's reach are kept a minute per scope
    (``cache.directory``, keyed on :func:`models.reach_key`, the filters and the slot's
    weekday and hours); the busy rooms are read at every call.
    """
    filters = filters or DirectoryFilters()
    slot = filters.slot
    hours_key = None
    if slot is not None:
        start, end = slot
        local_start, local_end = slots.local(start), slots.local(end)
        hours_key = (local_start.weekday(), local_start.time(), local_end.time())

    def open_rooms() -> list[int]:
        qs = _directory_rooms(filters, actor)
        if hours_key is None:
            return list(qs.values_list("pk", flat=True))
        weekday, opens, closes = hours_key
        any_hours = OpeningHours.objects.filter(room=OuterRef("pk"))
        open_then = any_hours.filter(weekday=weekday, opens__lte=opens, closes__gte=closes)
        rows = qs.annotate(has_hours=Exists(any_hours), open_then=Exists(open_then)).values_list(
            "pk", "has_hours", "open_then"
        )
        return [pk for pk, has_hours, is_open in rows if is_open or not has_hours]

    if actor is None:
        ids = open_rooms()
    else:
        key = (reach_key(actor, "rooms.view"), _filters_key(filters), hours_key)
        ids = cache.directory.get(key, open_rooms)
    if slot is None:
        return list(ids)
    busy = busy_room_ids(*slot)
    return [pk for pk in ids if pk not in busy]


def directory_rooms(ids: list[int]) -> list[Room]:
    """The rooms ``ids`` (a page of the directory) in that order, with what the list shows."""
    rooms = (
        Room.objects.filter(pk__in=ids)
        .select_related("venue", "venue__arrondissement")
        .defer(*(f"venue__arrondissement__{name}" for name in _TERRITORY_UNSHOWN))
        .prefetch_related("equipment")
    )
    by_pk = {room.pk: room for room in rooms}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def room_directory(filters: DirectoryFilters | None = None) -> list[Room]:
    """Active rooms of active venues matching the filters, with what the list shows."""
    return directory_rooms(directory_room_ids(filters))


def arrondissements() -> QuerySet[Territory]:
    return Territory.objects.filter(kind=Territory.Kind.ARRONDISSEMENT).order_by("number", "code")


def room_detail_queryset() -> QuerySet[Room]:
    """Rooms with what their page shows (the scope is applied by ``in_scope``)."""
    return Room.objects.select_related("venue", "venue__arrondissement").prefetch_related(
        "equipment",
        "opening_hours",
        Prefetch("photos", queryset=RoomPhoto.objects.order_by("pk")),
    )


def room_page_queryset() -> QuerySet[Room]:
    """Rooms with their venue (the room page: the rest comes from :func:`room_facts`)."""
    return Room.objects.select_related("venue")


#: What the pages never show of a territory (its outline above all: a large JSON).
_TERRITORY_UNSHOWN = ("geometry", "address", "latitude", "longitude")


def venue_queryset() -> QuerySet[Venue]:
    return Venue.objects.select_related("arrondissement").defer(
        *(f"arrondissement__{name}" for name in _TERRITORY_UNSHOWN)
    )


@dataclass(frozen=True)
class PhotoFacts:
    pk: int
    caption: str


@dataclass(frozen=True)
class RoomFacts:
    """What a room's page shows besides the room row: public, the same for everyone who
    reaches the room (kept a minute per room, ``cache.cards``)."""

    equipment: tuple[str, ...]  # names, in name order
    opening_hours: tuple[OpeningHours, ...]  # by weekday
    photos: tuple[PhotoFacts, ...]  # in upload order


def room_facts(room_id: int) -> RoomFacts:
    """The equipment, opening hours and photos of a room (the caller has checked that
    the viewer reaches the room)."""

    def read() -> RoomFacts:
        return RoomFacts(
            equipment=tuple(
                Equipment.objects.filter(rooms=room_id)
                .order_by("name")
                .values_list("name", flat=True)
            ),
            opening_hours=tuple(OpeningHours.objects.filter(room=room_id).order_by("weekday")),
            photos=tuple(
                PhotoFacts(pk, caption)
                for pk, caption in RoomPhoto.objects.filter(room=room_id)
                .order_by("pk")
                .values_list("pk", "caption")
            ),
        )

    return cache.cards.get(("facts", room_id), read)


@dataclass(frozen=True)
class VenueRoom:
    """An active room of a venue as its week and day grids show it."""

    pk: int
    name: str
    capacity: int
    opening_hours: tuple[OpeningHours, ...]  # by weekday


def venue_rooms(venue_id: int) -> tuple[VenueRoom, ...]:
    """The active rooms of a venue by name, with their opening hours (kept a minute per
    venue, ``cache.cards``; the caller has checked that the viewer reaches the venue)."""

    def read() -> tuple[VenueRoom, ...]:
        rooms = list(
            Room.objects.filter(venue=venue_id, is_active=True)
            .order_by("name")
            .values_list("pk", "name", "capacity")
        )
        hours = defaultdict(list)
        for o in OpeningHours.objects.filter(room__in=[pk for pk, _n, _c in rooms]).order_by(
            "room_id", "weekday"
        ):
            hours[o.room_id].append(o)
        return tuple(
            VenueRoom(pk, name, capacity, tuple(hours[pk])) for pk, name, capacity in rooms
        )

    return cache.cards.get(("venue-rooms", venue_id), read)


# --- Grids -------------------------------------------------------------------------------


@dataclass
class GridBooking:
    """A booking as a grid shows it: private details only when the viewer may see them."""

    booking: Booking
    visible: bool

    @property
    def start(self):
        return slots.local(self.booking.start)

    @property
    def end(self):
        return slots.local(self.booking.end)

    @property
    def label(self) -> str:
        return self.booking.purpose if self.visible else ""


@dataclass
class GridCell:
    """Half an hour of one day (``time``: the wall-clock start of the row)."""

    day: datetime.date
    time: datetime.time
    starting: list[GridBooking] = field(default_factory=list)
    busy: bool = False
    pending: bool = False
    closed: bool = False

    @property
    def hour(self) -> int:
        return self.time.hour


@dataclass
class GridDay:
    day: datetime.date
    bookings: list[GridBooking] = field(default_factory=list)
    closed: bool = False

    @property
    def is_today(self) -> bool:
        return self.day == slots.today()


@dataclass
class WeekGrid:
    """Monday..Sunday × half hours (local) from the room's earliest opening to its latest
    closing (08:00–23:00 for a room without opening hours)."""

    monday: datetime.date
    days: list[GridDay]
    rows: list[tuple[datetime.time, list[GridCell]]]

    @property
    def param(self) -> str:
        return slots.week_param(self.monday)

    @property
    def previous_param(self) -> str:
        return slots.week_param(self.monday - datetime.timedelta(days=7))

    @property
    def next_param(self) -> str:
        return slots.week_param(self.monday + datetime.timedelta(days=7))

    @property
    def sunday(self) -> datetime.date:
        return self.monday + datetime.timedelta(days=6)


def _week_bookings(rooms_filter: Q, monday: datetime.date):
    """Active bookings of a week, with only what the grids show (times, status, purpose,
    the section's name and path)."""
    start, _ = slots.day_bounds(monday)
    _, end = slots.day_bounds(monday + datetime.timedelta(days=6))
    return (
        Booking.objects.active()
        .filter(rooms_filter)
        .overlapping(start, end)
        .select_related("section")
        .only(*_GRID_FIELDS)
        .order_by("start")
    )


_GRID_FIELDS = (
    "pk",
    "room_id",
    "start",
    "end",
    "status",
    "purpose",
    "section__name",
    "section__path",
)


def _closed_slot(
    opening: dict[int, OpeningHours], day: datetime.date, start: datetime.time
) -> bool:
    """The whole half hour starting at ``start`` lies outside the room's opening hours."""
    if not opening:
        return False
    hours_of_day = opening.get(day.weekday())
    if hours_of_day is None:
        return True
    end = (datetime.datetime.combine(day, start) + slots.GRID_STEP).time()
    ends_before_opening = end != datetime.time.min and end <= hours_of_day.opens
    return ends_before_opening or start >= hours_of_day.closes


def room_week(
    room: Room,
    monday: datetime.date,
    *,
    can_see: Callable[[Unit], bool],
    opening_hours: list[OpeningHours] | tuple[OpeningHours, ...] | None = None,
) -> WeekGrid:
    """The week grid of a room, in half hours. One query for the bookings; opening hours
    given (:func:`room_facts`) or prefetched."""
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    opening_rows = list(room.opening_hours.all() if opening_hours is None else opening_hours)
    opening = {o.weekday: o for o in opening_rows}
    grid_days = {
        d: GridDay(day=d, closed=bool(opening) and d.weekday() not in opening) for d in days
    }
    times = slots.grid_times(opening_rows)

    cells = {
        (d, t): GridCell(day=d, time=t, closed=_closed_slot(opening, d, t))
        for d in days
        for t in times
    }
    # Each cell's [start, end) instant, computed once (wall clock: DST-proof).
    bounds = {(d, t): (slots.at(d, t), slots.slot_end(d, t)) for d in days for t in times}
    for booking in _week_bookings(Q(room=room), monday):
        item = GridBooking(booking=booking, visible=can_see(booking.section))
        start = item.start
        if start.date() in grid_days:
            grid_days[start.date()].bookings.append(item)
        first_day, last_day = start.date(), item.end.date()
        for d in days:
            if d < first_day or d > last_day:
                continue
            for t in times:
                cell_start, cell_end = bounds[(d, t)]
                if overlaps(booking.start, booking.end, cell_start, cell_end):
                    cell = cells[(d, t)]
                    if booking.holds_slot:
                        cell.busy = True
                    else:
                        cell.pending = True
        if start.date() in grid_days:
            cells[(start.date(), slots.row_of(start.time(), times))].starting.append(item)
    rows = [(t, [cells[(d, t)] for d in days]) for t in times]
    return WeekGrid(monday=monday, days=[grid_days[d] for d in days], rows=rows)


@dataclass
class VenueWeekRow:
    room: VenueRoom
    days: list[GridDay]


def venue_week(
    venue: Venue, monday: datetime.date, *, can_see: Callable[[Unit], bool]
) -> tuple[list[datetime.date], list[VenueWeekRow]]:
    """Rooms of a venue × days of the week, each cell listing that day's bookings.

    One query for the bookings (the rooms and their hours: :func:`venue_rooms`), whatever
    the number of rooms and bookings.
    """
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    rooms = venue_rooms(venue.pk)
    rows: dict[int, VenueWeekRow] = {}
    for room in rooms:
        opening = {o.weekday for o in room.opening_hours}
        rows[room.pk] = VenueWeekRow(
            room=room,
            days=[
                GridDay(day=d, closed=bool(opening) and d.weekday() not in opening) for d in days
            ],
        )
    for booking in _week_bookings(Q(room__in=[r.pk for r in rooms]), monday):
        row = rows.get(booking.room_id)
        day = slots.local(booking.start).date()
        if row is None or not (monday <= day <= days[-1]):
            continue
        row.days[(day - monday).days].bookings.append(
            GridBooking(booking=booking, visible=can_see(booking.section))
        )
    return days, list(rows.values())


@dataclass
class DayRow:
    room: Room
    cells: list[
        tuple[datetime.time, list[GridBooking], bool, bool]
    ]  # start, starting, busy, closed


def venue_day(
    venue: Venue, day: datetime.date, *, can_see: Callable[[Unit], bool]
) -> tuple[list[datetime.time], list[DayRow]]:
    """Rooms of a venue × half hours of one day (local), from the earliest opening to the
    latest closing of its rooms."""
    rooms = list(
        venue.rooms.filter(is_active=True).prefetch_related("opening_hours").order_by("name")
    )
    times = slots.grid_times([o for room in rooms for o in room.opening_hours.all()])
    start, end = slots.day_bounds(day)
    by_room: dict[int, list[Booking]] = defaultdict(list)
    for booking in (
        Booking.objects.active()
        .filter(room__in=[r.pk for r in rooms])
        .overlapping(start, end)
        .select_related("section")
        .order_by("start")
    ):
        by_room[booking.room_id].append(booking)
    rows = []
    for room in rooms:
        opening = {o.weekday: o for o in room.opening_hours.all()}
        starting_at: dict[datetime.time, list[GridBooking]] = defaultdict(list)
        for b in by_room[room.pk]:
            local_start = slots.local(b.start)
            row = times[0] if local_start.date() < day else slots.row_of(local_start.time(), times)
            starting_at[row].append(GridBooking(booking=b, visible=can_see(b.section)))
        cells = []
        for t in times:
            cell_start, cell_end = slots.at(day, t), slots.slot_end(day, t)
            busy = any(
                b.holds_slot and overlaps(b.start, b.end, cell_start, cell_end)
                for b in by_room[room.pk]
            )
            cells.append((t, starting_at[t], busy, _closed_slot(opening, day, t)))
        rows.append(DayRow(room=room, cells=cells))
    return times, rows


# --- Lists -------------------------------------------------------------------------------


def bookings_of_user_sections(user, *, upcoming: bool = True) -> QuerySet[Booking]:
    """Bookings of the sections where the user books, for "my bookings"."""
    now = timezone.now()
    qs = Booking.objects.in_scope(user, "rooms.book")
    qs = (
        qs.filter(end__gte=now).order_by("start")
        if upcoming
        else qs.filter(end__lt=now).order_by("-start")
    )
    return qs.select_related("room__venue", "section", "series")


def pending_for_approver(user) -> QuerySet[Booking]:
    """Pending requests the user may decide, oldest slot first, flagged when the slot is
    already held by a confirmed booking."""
    taken = Booking.objects.confirmed().filter(
        overlap_q(OuterRef("start"), OuterRef("end")), room=OuterRef("room")
    )
    return (
        Booking.objects.in_scope(user, "rooms.approve")
        .filter(status=Booking.Status.PENDING)
        .annotate(slot_taken=Exists(taken))
        .select_related("room__venue", "section", "requested_by", "series")
        .order_by("start", "pk")
    )


# --- Federation figures --------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, month, 1)
    nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt


def _open_hours_in(room: Room, first: datetime.date, nxt: datetime.date) -> float:
    opening = {o.weekday: o.hours for o in room.opening_hours.all()}
    default = float(slots.GRID_LAST_HOUR - slots.GRID_FIRST_HOUR)
    total = 0.0
    day = first
    while day < nxt:
        total += opening.get(day.weekday(), 0.0) if opening else default
        day += datetime.timedelta(days=1)
    return total


@dataclass
class Occupancy:
    room: Room
    booked_hours: float
    open_hours: float
    bookings: int

    @property
    def percent(self) -> int:
        if not self.open_hours:
            return 0
        return min(100, round(self.booked_hours * 100 / self.open_hours))


_DURATION = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())


def occupancy(year: int, month: int, *, actor=None) -> list[Occupancy]:
    """Hours booked (confirmed) / hours open of each active room over a month (the rooms
    ``actor`` manages or approves for, when given)."""
    first, nxt = month_bounds(year, month)
    start, end = slots.at(first, datetime.time.min), slots.at(nxt, datetime.time.min)
    totals = {
        row["room"]: row
        for row in Booking.objects.confirmed()
        .filter(start__gte=start, start__lt=end)
        .values("room")
        .annotate(total=Sum(_DURATION), n=Count("pk"))
    }
    rooms = Room.objects.filter(is_active=True)
    if actor is not None:
        rooms = rooms.filter(
            owner_reach_q(actor, "rooms.manage", field="venue__owner__")
            | units_q(actor, "rooms.approve", field="venue__owner__")
        )
    rooms = (
        rooms.select_related("venue")
        .prefetch_related("opening_hours")
        .order_by("-is_sections_space", "venue__name", "name")
    )
    result = []
    for room in rooms:
        row = totals.get(room.pk) or {}
        booked = row.get("total") or datetime.timedelta()
        result.append(
            Occupancy(
                room=room,
                booked_hours=booked.total_seconds() / 3600,
                open_hours=_open_hours_in(room, first, nxt),
                bookings=row.get("n", 0),
            )
        )
    return result


@dataclass
class SpaceUse:
    section: Unit
    bookings: int
    hours: float


def sections_space_use(year: int, month: int, *, actor=None) -> list[SpaceUse]:
    """Which sections used the espace sections over a month (confirmed bookings)."""
    first, nxt = month_bounds(year, month)
    start, end = slots.at(first, datetime.time.min), slots.at(nxt, datetime.time.min)
    bookings = Booking.objects.confirmed()
    if actor is not None:
        bookings = bookings.filter(
            owner_reach_q(actor, "rooms.manage", field="room__venue__owner__")
            | units_q(actor, "rooms.approve", field="room__venue__owner__")
        )
    rows = list(
        bookings.filter(room__is_sections_space=True, start__gte=start, start__lt=end)
        .values("section")
        .annotate(n=Count("pk"), total=Sum(_DURATION))
        .order_by("-n")
    )
    units = Unit.objects.in_bulk([r["section"] for r in rows])
    return [
        SpaceUse(
            section=units[r["section"]],
            bookings=r["n"],
            hours=(r["total"] or datetime.timedelta()).total_seconds() / 3600,
        )
        for r in rows
    ]


def competition_order(booking: Booking) -> tuple:
    """The federation's published rule for competing requests: sections without premises
    first, then the earliest request."""
    section = booking.section
    has_premises = section.kind == Unit.Kind.SECTION and section.has_premises
    return (has_premises, booking.created_at, booking.pk)


def attach_competitors(bookings: list[Booking]) -> list[Booking]:
    """Give each pending request ``competitors``: the other pending requests for the same
    room over an overlapping slot, in the order of the published rule (one query)."""
    for booking in bookings:
        booking.competitors = []
    if not bookings:
        return bookings
    q = Q(pk__in=[])
    for booking in bookings:
        q |= Q(room_id=booking.room_id) & overlap_q(booking.start, booking.end)
    others = list(
        Booking.objects.filter(status=Booking.Status.PENDING)
        .filter(q)
        .select_related("section")
        .order_by("created_at", "pk")
    )
    for booking in bookings:
        booking.competitors = sorted(
            (
                other
                for other in others
                if other.pk != booking.pk
                and other.room_id == booking.room_id
                and overlaps(booking.start, booking.end, other.start, other.end)
            ),
            key=competition_order,
        )
    return bookings


def free_alternatives(booking: Booking, *, limit: int = 5) -> list[Room]:
    """Rooms still free over a booking's slot that its section may book (same federation
    or shared), large enough, open then: what a refused section is offered."""
    start, end = booking.start, booking.end
    busy = busy_room_ids(start, end)
    local_start, local_end = slots.local(start), slots.local(end)
    any_hours = OpeningHours.objects.filter(room=OuterRef("pk"))
    open_then = any_hours.filter(
        weekday=local_start.weekday(), opens__lte=local_start.time(), closes__gte=local_end.time()
    )
    section = booking.section
    reach = Q(venue__owner__isnull=True) | Q(venue__shared=True)
    paths = section.ancestor_paths()
    reach |= Q(venue__owner__path__in=paths)
    rooms = (
        Room.objects.filter(reach, is_active=True, venue__is_active=True)
        .filter(capacity__gte=booking.expected_attendance)
        .exclude(pk=booking.room_id)
        .exclude(pk__in=busy)
        .filter(Q(Exists(open_then)) | ~Q(Exists(any_hours)))
        .select_related("venue")
        .order_by("venue__name", "name")
    )
    return list(rooms[:limit])


# --- Calendar ------------------------------------------------------------------------------


def is_festive(day: datetime.date) -> bool:
    """A French public holiday, or 24, 25 or 31 December (:func:`slots.is_festive`), for the
    apps that read rooms through its selectors (the events demo plans meetings with it)."""
    return slots.is_festive(day)
