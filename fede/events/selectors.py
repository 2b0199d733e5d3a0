"""Reads of events, always through what the user may see.

:func:`events_visible_to` is the one place where visibility is decided, in SQL: the
agenda, the month view, the event page (404 when not visible), the ICS files, the feeds
and the search all start from it (the agenda and the month view through its SQL, compiled
once per reader's scope: :func:`listed_where`).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from math import ceil
from urllib.parse import quote

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import connection, connections, router
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import ngettext

from fede.core.access import get_in_scope_or_404
from fede.core.lists import Page, page_number
from fede.core.memo import TimedCache
from fede.core.statements import Slot, bind, compiled, prepared_cursor, where_of
from fede.core.statements import values as compiled_values
from fede.organization.models import Member, Territory, Unit
from fede.organization.roles import grant_paths, units_q
from fede.organization.selectors import member_of_user

from .models import (
    VIEW_SCOPE,
    Event,
    EventMaterial,
    EventSpeaker,
    FeedToken,
    Invitation,
    Registration,
)

#: Member statuses that still count as "adhérent·e" for members-only events.
MEMBER_STATUSES = (Member.Status.ACTIVE, Member.Status.LAPSED)

#: How far back subscription feeds go (clients keep what they already have).
FEED_PAST_DAYS = 90


def audience_member(user) -> Member | None:
    """The member record that decides what ``user`` sees, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_events_member"):
        member = member_of_user(user)
        if member is not None and member.status not in MEMBER_STATUSES:
            member = None
        user._events_member = member
    return user._events_member


def visibility_q(user, member: Member | None = None) -> Q:
    """Q on Event: the events ``user`` may see.

    - everybody sees public events;
    - a member (active or not renewed) sees events for all members and for members up to
      date with dues (registration is refused later with a message if dues are late),
      events of the units their section belongs to (organiser or co-organiser), and
      invitation-only events they are invited to;
    - organisers see every event of the units where they hold ``events.manage``, drafts
      included (the preview); nobody else ever sees a draft.
    """
    published = ~Q(status=Event.Status.DRAFT)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(visibility=Event.Visibility.PUBLIC) & published
    if user.is_superuser:
        return Q()
    return (_audience_q(user, member) & published) | _organiser_q(user)


def _organiser_q(user) -> Q:
    # Units are matched by id through subqueries (not by joining the organiser): the
    # database then reads a handful of units instead of hashing the whole tree.
    if grant_paths(user, "events.manage"):
        managed = Unit.objects.filter(units_q(user, "events.manage")).values("pk")
        return Q(organiser_id__in=managed)
    return Q(pk__in=[])


def _audience_q(user, member: Member | None) -> Q:
    q = Q(visibility=Event.Visibility.PUBLIC)
    member = member if member is not None else audience_member(user)
    if member is not None:
        q |= Q(visibility__in=[Event.Visibility.MEMBERS, Event.Visibility.UP_TO_DATE])
        # The section and the units above it, by id: a unit's path is made of the ids of
        # its ancestors and its own ("00000001.00000038."), so these are the units whose
        # path is one of the section's ancestor paths — without a subquery to build.
        ancestors = [int(part) for part in member.section.path.split(".") if part]
        # An uncorrelated ``id IN (…)`` (hashed once), not a correlated EXISTS: the planner
        # prices an EXISTS per candidate row and then prefers a bitmap scan through the
        # heap over the index-only scan of ``events_event_start_cover`` (27 → 4 ms for the
        # count of upcoming events).
        co_organised = Event.co_organisers.through.objects.filter(unit_id__in=ancestors).values(
            "event_id"
        )
        q |= Q(visibility=Event.Visibility.UNIT_MEMBERS) & (
            Q(organiser_id__in=ancestors) | Q(pk__in=co_organised)
        )
        invited = Invitation.objects.filter(event=OuterRef("pk"), member=member)
        q |= Q(visibility=Event.Visibility.INVITATION) & Q(Exists(invited))
    return q


def own_section_visibility_q(user, member: Member) -> Q:
    """``visibility_q(user, member)`` on the published events organised by the member's own
    section (the home panel's meetings), written for that case: the section is one of
    its own ancestors (so "unit members" events are seen), and the user manages it or
    not (then they see every published event of it). Same rows, a much smaller query to
    build."""
    return own_section_rule_q(own_section_rule(user, member), member)


def own_section_rule(user, member: Member) -> str:
    """Which condition :func:`own_section_visibility_q` is for ``user``: ``"public"`` (not
    logged in, or inactive), ``"all"`` (superuser, or organiser of the member's section)
    or ``"member"`` (the others: the condition then depends on the member alone, for the
    invitations). With the member given as a ``Slot``, this is everything the condition's
    SQL depends on (the key of a statement compiled once: :func:`home_meetings`)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return "public"
    if user.is_superuser or any(
        member.section.path.startswith(path) for path in grant_paths(user, "events.manage")
    ):
        return "all"
    return "member"


def own_section_rule_q(rule: str, member) -> Q:
    """The condition :func:`own_section_rule` names; ``member``: the member, or an
    expression giving their id (a ``Slot``), read by the ``"member"`` rule only."""
    if rule == "public":
        return Q(visibility=Event.Visibility.PUBLIC)
    if rule == "all":
        return Q()
    invited = Invitation.objects.filter(event=OuterRef("pk"), member=member)
    return Q(
        visibility__in=[
            Event.Visibility.PUBLIC,
            Event.Visibility.MEMBERS,
            Event.Visibility.UP_TO_DATE,
            Event.Visibility.UNIT_MEMBERS,
        ]
    ) | (Q(visibility=Event.Visibility.INVITATION) & Q(Exists(invited)))


def events_visible_to(user) -> QuerySet[Event]:
    """Every event ``user`` may see (anonymous visitors: public events only); organisers
    also reach their drafts, for the preview."""
    return Event.objects.in_scope(user, VIEW_SCOPE)


def listed_events(user) -> QuerySet[Event]:
    """What agendas, month views, searches and feeds list: visible and published (or
    cancelled, so calendars drop it) — never a draft, not even for its organisers."""
    return events_visible_to(user).published()


# --- SQL compiled once: the reader's visibility, the filters ---------------------------------
#
# Building ``visibility_q`` and compiling it (with the filters, the time bounds, the
# annotations and joins of a list) costs the agenda and the month view more than their SQL
# does. What they compile to depends on few things: the visibility condition only on what
# ``visibility_q`` reads of the reader (member id and section, the units where they
# organise), the filters' and time bounds' SQL on nobody at all (the instants are
# ``Slot``s, given at execution). Each piece is compiled once by the ORM, from the same
# ``visibility_q``, ``apply_filters`` and ``ending_after`` (fede.core.statements); the
# statements of the pages (below) are written around them.


def _visibility_key(user) -> tuple:
    """Everything ``visibility_q(user)`` depends on."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ("public",)
    if user.is_superuser:
        return ("all",)
    member = audience_member(user)
    return (
        "reader",
        member.pk if member is not None else None,
        member.section.path if member is not None else None,
        tuple(grant_paths(user, "events.manage")),
    )


def listed_where(user, db: str = "default") -> tuple[str, tuple]:
    """``listed_events(user)``'s condition, as SQL on ``"events_event"`` (the table not
    aliased: a statement's top level, never a subquery of an ORM query, which would alias
    it), compiled once per :func:`_visibility_key`."""

    def build() -> tuple[str, tuple]:
        return where_of(listed_events(user).query, db)

    return compiled(("events.listed", db, _visibility_key(user)), build)


#: How the agenda reads time: events not ended at ``now``, ended before ``now``, or
#: held between ``from`` and ``to`` (a day, a month).
UPCOMING, PAST, BETWEEN = "upcoming", "past", "between"


def _filters_key(filters: AgendaFilters) -> tuple | None:
    """What ``apply_filters`` reads of ``filters``; None for a search (not kept)."""
    if filters.q.split():
        return None
    return (
        filters.arrondissement or None,
        filters.kind if filters.kind in Event.Kind.values else "",
        filters.organiser or None,
    )


def _scope(filters: AgendaFilters, mode: str, db: str = "default") -> tuple[str, str, tuple]:
    """(FROM, WHERE, parameters) of the events a page lists, visibility aside: the filters
    and the time bounds of ``mode`` (``Slot``s among the parameters)."""

    def build() -> tuple[str, str, tuple]:
        events = apply_filters(Event.objects.using(db).all(), filters)
        if mode == UPCOMING:
            events = events.ending_after(Slot("now"))
        elif mode == PAST:
            events = events.filter(end__lt=Slot("now"))
        else:
            events = events.ending_after(Slot("from")).filter(start__lt=Slot("to"))
        query = events.query
        query.get_initial_alias()
        from_parts, from_params = query.get_compiler(using=db).get_from_clause()
        where, where_params = where_of(query, db)
        return " ".join(from_parts), where, (*from_params, *where_params)

    key = _filters_key(filters)
    if key is None:
        return build()
    return compiled(("events.scope", db, mode, key), build)


def _listed_scope(user, filters: AgendaFilters, mode: str, values: dict, db: str):
    """(FROM, WHERE, bound parameters) of what ``user`` may see among the events of
    ``filters`` in ``mode``, its instants ``values``. Nothing parameterised may come
    between the FROM and the WHERE of a statement written around them."""
    from_sql, scope_where, scope_params = _scope(filters, mode, db)
    visible, visible_params = listed_where(user, db)
    where = " AND ".join(f"({part})" for part in (scope_where, visible) if part) or "1 = 1"
    return from_sql, where, bind(scope_params, values, db) + list(visible_params)


#: Whether an event has speakers, documents and co-organisers (``event_parts``), read
#: with the event: most have none of one or the other, and their query is then skipped.
EVENT_PARTS_SQL = {
    "has_speakers": (
        'EXISTS (SELECT 1 FROM "events_eventspeaker" "ev_part" '
        'WHERE "ev_part"."event_id" = "events_event"."id")'
    ),
    "has_materials": (
        'EXISTS (SELECT 1 FROM "events_eventmaterial" "ev_part" '
        'WHERE "ev_part"."event_id" = "events_event"."id")'
    ),
    "has_co_organisers": (
        'EXISTS (SELECT 1 FROM "events_event_co_organisers" "ev_part" '
        'WHERE "ev_part"."event_id" = "events_event"."id")'
    ),
}


def event_for_user(user, pk, *, parts: bool = False) -> Event:
    """One event the user may see, or 404 (the same answer as for a missing event).

    The event is read by its id first and the common cases (a public event, an event for
    all members, an event of one of the member's own units) are decided on that row in
    Python: building ``visibility_q`` costs more than the page's SQL. Anything else (a
    draft, an invitation, a co-organised event, a refusal) is decided in SQL as before.
    With ``parts``, the event says whether it has speakers, documents and co-organisers
    (for ``event_parts``).
    """
    events = Event.objects.select_related("organiser", "booking__room__venue")
    if parts:
        events = events.annotate(
            **{
                # Fixed SQL, no values; on the query's own (top-level) table.
                name: RawSQL(sql, (), output_field=BooleanField())  # noqa: S611
                for name, sql in EVENT_PARTS_SQL.items()
            }
        )
    try:
        event = events.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError, ValidationError) as exc:
        raise Http404 from exc
    if _plainly_visible(user, event):
        return event
    return get_in_scope_or_404(events, actor=user, capability=VIEW_SCOPE, pk=pk)


def _plainly_visible(user, event: Event) -> bool:
    """True only when ``visibility_q(user)`` certainly matches ``event`` (False: ask SQL)."""
    if event.status == Event.Status.DRAFT:
        return False
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return event.visibility == Event.Visibility.PUBLIC
    if user.is_superuser or event.visibility == Event.Visibility.PUBLIC:
        return True
    member = audience_member(user)
    if member is None:
        return False
    if event.visibility in (Event.Visibility.MEMBERS, Event.Visibility.UP_TO_DATE):
        return True
    if event.visibility == Event.Visibility.UNIT_MEMBERS:
        # Unit paths are made of the units' ids: the same test as ``organiser_id IN
        # (units whose path is one of the section's ancestor paths)``.
        return event.organiser.path in member.section.ancestor_paths()
    return False


def events_managed_by(user) -> QuerySet[Event]:
    """Events organised by a unit where the user holds ``events.manage``."""
    return Event.objects.in_scope(user, "events.manage")


#: What the check-in page (``views.attendees``) reads of its event and organiser.
CHECKIN_EVENT_FIELDS = (
    "title",
    "slug",
    "start",
    "end",
    "capacity",
    "status",
    "organiser__name",
    "organiser__path",
)


def checkin_events() -> QuerySet[Event]:
    """``managed_events`` for the check-in page: its few columns, no room."""
    return Event.objects.select_related("organiser").only(*CHECKIN_EVENT_FIELDS)


def managed_events() -> QuerySet[Event]:
    """What the organisers' pages of one event show (for ``object_view``)."""
    return Event.objects.select_related("organiser", "booking__room__venue")


def organiser_units_for(user) -> QuerySet[Unit]:
    """Active units on which the user may organise events (for the form's picker)."""
    return Unit.objects.filter(units_q(user, "events.manage")).active().order_by("path")


def _confirmed_count():
    counted = (
        Registration.objects.filter(event=OuterRef("pk"), status=Registration.Status.CONFIRMED)
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_listing_data(events: QuerySet[Event], user) -> QuerySet[Event]:
    """Add what every list row shows, in the same query: seats taken and my registration."""
    events = events.select_related("organiser", "booking__room__venue").annotate(
        confirmed_count=_confirmed_count()
    )
    member = audience_member(user)
    if member is not None:
        mine = (
            Registration.objects.filter(event=OuterRef("pk"), member=member)
            .order_by()
            .values("status")[:1]
        )
        events = events.annotate(my_status=Subquery(mine))
    else:
        events = events.annotate(my_status=Value(None, output_field=CharField()))
    return events


@dataclass
class AgendaFilters:
    arrondissement: int | None = None
    kind: str = ""
    organiser: int | None = None
    q: str = ""
    past: bool = False
    #: One day (the month view's "+ N autres" link): the events held that day, past or not.
    day: datetime.date | None = None


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime(day.year, day.month, day.day, tzinfo=tz)
    following = day + datetime.timedelta(days=1)
    return start, datetime.datetime(following.year, following.month, following.day, tzinfo=tz)


def agenda_events(user, filters: AgendaFilters, *, now=None) -> QuerySet[Event]:
    """The agenda: visible events, filtered, upcoming first (or the past, latest first).

    With a day, the events held that day (started or not), in order.
    """
    now = now or timezone.now()
    events = listed_events(user)
    events = apply_filters(events, filters)
    if filters.day:
        start, following = day_bounds(filters.day)
        events = events.ending_after(start).filter(start__lt=following).order_by("start", "pk")
    elif filters.past:
        events = events.past(now).order_by("-start", "-pk")
    else:
        events = events.upcoming(now).order_by("start", "pk")
    return with_listing_data(events, user).only(*AGENDA_ROW_FIELDS)


#: What an agenda row shows (``rendering.agenda_rows``), and nothing else: the query has
#: fewer columns to write and read.
AGENDA_ROW_FIELDS = (
    "slug",
    "title",
    "start",
    "end",
    "kind",
    "status",
    "visibility",
    "registration_enabled",
    "capacity",
    "place_name",
    "address",
    "online_url",
    "organiser__name",
    "booking__room__name",
    "booking__room__venue__name",
    "booking__room__venue__address",
    "booking__room__venue__postal_code",
)


def _agenda_mode(filters: AgendaFilters, now) -> tuple[str, dict, str]:
    """(time mode, its instants, direction of the order) as ``agenda_events`` reads them."""
    if filters.day:
        start, following = day_bounds(filters.day)
        return BETWEEN, {"from": start, "to": following}, "ASC"
    if filters.past:
        return PAST, {"now": now}, "DESC"
    return UPCOMING, {"now": now}, "ASC"


#: The agenda's page and its count in one statement: ``{mine}`` (the reader's
#: registration, or NULL), ``{from}`` and ``{where}`` (``_listed_scope``) and ``{order}``
#: filled per request, ``{columns}`` once. Aliases prefixed ``ev_`` (none of the ORM's).
AGENDA_SQL = (
    "SELECT {columns}, "
    '(SELECT COUNT(*) FROM "events_registration" "ev_reg" '
    'WHERE "ev_reg"."event_id" = "events_event"."id" AND "ev_reg"."status" = %s), '
    "{mine}, "
    '"ev_unit"."name", "ev_booking"."room_id", "ev_room"."name", "ev_room"."venue_id", '
    '"ev_venue"."name", "ev_venue"."address", "ev_venue"."postal_code", '
    '(SELECT COUNT(*) FROM (SELECT 1 FROM {from} WHERE {where} LIMIT %s) "ev_capped") '
    "FROM {from} "
    'INNER JOIN "organization_unit" "ev_unit" ON "ev_unit"."id" = "events_event"."organiser_id" '
    'LEFT OUTER JOIN "rooms_booking" "ev_booking" '
    'ON "ev_booking"."id" = "events_event"."booking_id" '
    'LEFT OUTER JOIN "rooms_room" "ev_room" ON "ev_room"."id" = "ev_booking"."room_id" '
    'LEFT OUTER JOIN "rooms_venue" "ev_venue" ON "ev_venue"."id" = "ev_room"."venue_id" '
    "WHERE {where} "
    'ORDER BY "events_event"."start" {order}, "events_event"."id" {order} '
    "LIMIT %s OFFSET %s"
)
AGENDA_MINE_SQL = (
    '(SELECT "ev_mine"."status" FROM "events_registration" "ev_mine" '
    'WHERE "ev_mine"."event_id" = "events_event"."id" AND "ev_mine"."member_id" = %s LIMIT 1)'
)
COUNT_SQL = "SELECT COUNT(*) FROM {from} WHERE {where}"


def _agenda_fields() -> list:
    """The Event fields an agenda row reads, in the model's order (``from_db``)."""
    shown = {name.split("__")[0] for name in AGENDA_ROW_FIELDS} | {"id"}
    return [f for f in Event._meta.concrete_fields if f.name in shown]


def _partial(model, db: str, *attnames: str):
    """A function ``values`` (of ``attnames``) → a ``model`` instance with only those
    loaded (as ``only()`` gives it)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in attnames]

    def load(values: dict):
        return model.from_db(db, names, [values[name] for name in names])

    return load


def _converters(fields, db: str) -> list[tuple[int, list, object]]:
    """(position, converters, column) of the fields whose values the backend converts
    (what the ORM applies to what it reads: SQLite's dates, for instance)."""
    conn = connections[db]
    found = []
    for position, field in enumerate(fields):
        column = field.get_col(field.model._meta.db_table)
        converters = conn.ops.get_db_converters(column) + column.get_db_converters(conn)
        if converters:
            found.append((position, converters, column))
    return found


#: The agenda counts its events up to this many (then "plus de 1 000 événements"): the
#: national agenda of a member holds some 15,000 upcoming events, and counting them all
#: cost more than reading the page.
AGENDA_COUNT_CAP = 1000


def agenda_page(
    user,
    filters: AgendaFilters,
    page_param,
    *,
    per_page: int,
    now=None,
    count_cap: int = AGENDA_COUNT_CAP,
) -> Page:
    """``paginate(agenda_events(user, filters, now=now), page_param, per_page=per_page)``:
    the same rows (with ``organiser``, ``booking.room.venue``, ``confirmed_count`` and
    ``my_status``) and count, in one statement written around SQL compiled once
    (``listed_where``, ``_scope``), instead of building and compiling two ORM queries on
    every request. Beyond ``count_cap`` events the count is not computed
    (``page.count`` None, ``page.extra["count_over"]`` the cap): the pages then go on
    from one to the next, without a last page."""
    from fede.rooms.models import Booking, Room, Venue

    db = Event.objects.db
    conn = connections[db]
    now = now or timezone.now()
    mode, instants, order = _agenda_mode(filters, now)
    from_sql, where, scope_params = _listed_scope(user, filters, mode, instants, db)
    fields = _agenda_fields()
    names = [f.attname for f in fields]
    member = audience_member(user)
    sql = (
        AGENDA_SQL.replace("{mine}", "NULL" if member is None else AGENDA_MINE_SQL)
        .replace("{from}", from_sql)
        .replace("{where}", where)
        .replace("{order}", order)
        .replace("{columns}", ", ".join(f'"events_event"."{f.column}"' for f in fields))
    )
    head = [
        Registration.Status.CONFIRMED.value,
        *([] if member is None else [member.pk]),
        *scope_params,
        count_cap + 1,
        *scope_params,
    ]
    converters = _converters(fields, db)
    width = len(fields)
    organiser = Event._meta.get_field("organiser")
    booking_field = Event._meta.get_field("booking")
    room_field = Booking._meta.get_field("room")
    venue_field = Room._meta.get_field("venue")

    load_unit = _partial(Unit, db, "id", "name")
    load_venue = _partial(Venue, db, "id", "name", "address", "postal_code")
    load_room = _partial(Room, db, "id", "venue_id", "name")
    load_booking = _partial(Booking, db, "id", "room_id")

    def rows_at(number: int) -> tuple[list[Event], int | None]:
        with conn.cursor() as cursor:
            cursor.execute(sql, [*head, per_page + 1, (number - 1) * per_page])
            fetched = cursor.fetchall()
        events = []
        for row in fetched:
            values = list(row[:width])
            for position, functions, column in converters:
                for convert in functions:
                    values[position] = convert(values[position], column, conn)
            event = Event.from_db(db, names, values)
            (confirmed, my_status, unit_name, room_id, room_name, venue_id) = row[width : width + 6]
            venue_name, venue_address, postal_code = row[width + 6 : width + 9]
            event.confirmed_count = confirmed
            event.my_status = my_status
            unit = load_unit({"id": event.organiser_id, "name": unit_name})
            organiser.set_cached_value(event, unit)
            booking = None
            if event.booking_id is not None:
                venue = load_venue(
                    {
                        "id": venue_id,
                        "name": venue_name,
                        "address": venue_address,
                        "postal_code": postal_code,
                    }
                )
                room = load_room({"id": room_id, "venue_id": venue_id, "name": room_name})
                venue_field.set_cached_value(room, venue)
                booking = load_booking({"id": event.booking_id, "room_id": room_id})
                room_field.set_cached_value(booking, room)
            booking_field.set_cached_value(event, booking)
            events.append(event)
        return events, (fetched[0][-1] if fetched else None)

    number = page_number(page_param)
    rows, total = rows_at(number)
    if not rows:
        # Nothing, or past the last page: the count, then the last page (as ``paginate``).
        total = 0
        if number > 1:
            with conn.cursor() as cursor:
                cursor.execute(
                    COUNT_SQL.replace("{from}", from_sql).replace("{where}", where), scope_params
                )
                total = cursor.fetchone()[0]
            last = max(1, ceil(total / per_page))
            if number > last:
                number = last
                rows, _total = rows_at(number)
    page = Page(
        object_list=rows[:per_page],
        number=number,
        per_page=per_page,
        has_next=len(rows) > per_page,
        count=total,
    )
    if total is not None and total > count_cap:
        page.count = None
        page.extra["count_over"] = count_cap
    return page


def listing_rows(events: list[Event]) -> list[Event]:
    """Give each event of a list page what its row shows, formatted once here (the URL
    from one ``reverse``, the dates in the current time zone and language) rather than by
    template filters on each row."""
    url = event_url_maker()
    tz = timezone.get_current_timezone()
    # The labels of a day are formatted once for all its events: ("D", "M", "l j F Y").
    days: dict[datetime.date, tuple[str, str, str]] = {}
    for event in events:
        start = event.start.astimezone(tz)
        day = start.date()
        labels = days.get(day)
        if labels is None:
            labels = days[day] = (
                date_format(day, "D"),
                date_format(day, "M"),
                date_format(day, "l j F Y"),
            )
        event.url = url(event)
        event.day_abbr = labels[0]
        event.day_number = str(start.day)
        event.month_abbr = labels[1]
        # What date_format writes for "c" and "l j F Y, H:i".
        event.start_iso = start.isoformat()
        event.when = f"{labels[2]}, {start:%H:%M}"
        event.end_time = f"{event.end.astimezone(tz):%H:%M}"
    return events


def apply_filters(events: QuerySet[Event], filters: AgendaFilters) -> QuerySet[Event]:
    if filters.arrondissement:
        events = events.filter(
            organiser__territory__kind=Territory.Kind.ARRONDISSEMENT,
            organiser__territory__number=filters.arrondissement,
        )
    if filters.kind in Event.Kind.values:
        events = events.filter(kind=filters.kind)
    if filters.organiser:
        co_organised = Event.co_organisers.through.objects.filter(
            event=OuterRef("pk"), unit_id=filters.organiser
        )
        events = events.filter(Q(organiser_id=filters.organiser) | Q(Exists(co_organised)))
    return search_events(events, filters.q)


def search_events(events: QuerySet[Event], q: str) -> QuerySet[Event]:
    """Every word must appear in the title, the description or the organiser's name."""
    for word in q.split()[:6]:
        events = events.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(organiser__name__icontains=word)
        )
    return events


def event_search(user, q: str) -> QuerySet[Event]:
    """Search among the events ``user`` may see (for the agenda and any global search)."""
    return search_events(listed_events(user), q).order_by("-start", "-pk")


#: Events shown in one day of the month grid; the others are behind a link to that day.
MONTH_DAY_LIMIT = 3


@dataclass
class MonthDay:
    date: datetime.date
    in_month: bool
    is_today: bool
    events: list[MonthEvent]
    #: Visible events of the day that are not shown in the grid.
    more: int = 0
    #: What the template shows, computed once here rather than by filters in each cell.
    number: str = ""
    iso: str = ""
    #: "lundi 7 décembre" (the "+ N autres" link), "Lundi 7 décembre" (small screens).
    name: str = ""
    label: str = ""
    more_label: str = ""


def event_url_maker():
    """A function event → its page's URL, from a single ``reverse`` (lists of many events:
    ``get_absolute_url`` resolves the URL pattern anew for each one)."""
    pattern = reverse("events:event_detail", args=[987654321, "slug-mark"])
    head, rest = pattern.split("987654321", 1)
    middle, tail = rest.split("slug-mark", 1)

    def url(event: Event) -> str:
        return f"{head}{event.pk}{middle}{quote(event.slug or 'evenement')}{tail}"

    return url


def month_bounds(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    first = datetime.datetime(year, month, 1, tzinfo=tz)
    if month == 12:
        following = datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    else:
        following = datetime.datetime(year, month + 1, 1, tzinfo=tz)
    return first, following


#: A month in one statement: for each day (``{days}``: its date and the instants its
#: events start between, in the current time zone — the first day from the earliest, so
#: an event begun before the month shows on it), the number of the events of ``{from}`` /
#: ``{where}`` (``_listed_scope``) starting that day and the ids of its first ones
#: (``{ranks}``: ``RANK_SQL`` for each place); then what a cell shows of these. Each day
#: reads a range of ``start`` (the covering index ``events_event_start_cover``): no time
#: zone to convert, nothing to sort.
MONTH_SQL = (
    'SELECT e."id", e."title", e."slug", e."start", e."status", u."name", d."total" '
    "FROM (SELECT "
    '(SELECT COUNT(*) FROM {from} WHERE {where} AND {in_day}) AS "total", {ranks} '
    # The LIMIT (the number of days) keeps the days apart: each day's subqueries run once.
    'FROM (VALUES {days}) "ev_days" LIMIT {day_count}) d '
    'INNER JOIN "events_event" e ON e."id" IN ({rank_columns}) '
    'INNER JOIN "organization_unit" u ON u."id" = e."organiser_id" '
    'ORDER BY e."start", e."id"'
)
RANK_SQL = (
    '(SELECT "events_event"."id" FROM {from} WHERE {where} AND {in_day} '
    'ORDER BY "events_event"."start", "events_event"."id" LIMIT 1 OFFSET {place}) AS "r{place}"'
)
#: ``VALUES`` names its columns ``column1``… (PostgreSQL and SQLite alike).
IN_DAY_SQL = (
    '"events_event"."start" >= "ev_days"."column1" AND "events_event"."start" < "ev_days"."column2"'
)
#: The lower bound of the first day of a month: no event starts before.
EARLIEST = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)


def _month_days(year: int, month: int) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """(from, to) of each day of a month, in the current time zone; the first from the
    earliest instant."""
    days = []
    for number in range(1, calendar.monthrange(year, month)[1] + 1):
        start, following = day_bounds(datetime.date(year, month, number))
        days.append((EARLIEST if number == 1 else start, following))
    return days


@dataclass(slots=True)
class MonthEvent:
    """What a month cell shows of an event (read by ``SHOWN_EVENTS_SQL``)."""

    pk: int
    title: str
    slug: str
    start: datetime.datetime
    status: str
    organiser_name: str
    url: str = ""
    #: "19:00", in the current time zone.
    time_label: str = ""

    @property
    def is_cancelled(self) -> bool:
        return self.status == Event.Status.CANCELLED


def month_grid(
    user, filters: AgendaFilters, year: int, month: int, *, per_day: int = MONTH_DAY_LIMIT
) -> list[list[MonthDay]]:
    """Weeks (Monday first) of a month, each day with the visible events starting on it.

    An event that began before the month shows on its first day. Each day keeps its first
    ``per_day`` events and counts the others (``more``): one query, whatever the number of
    events in the country, written around SQL compiled once (``listed_where``, ``_scope``).
    """
    first, following = month_bounds(year, month)
    db = Event.objects.db
    conn = connections[db]
    from_sql, where, scope_params = _listed_scope(
        user, filters, BETWEEN, {"from": first, "to": following}, db
    )
    days = _month_days(year, month)
    places = range(per_day)
    sql = (
        MONTH_SQL.replace("{ranks}", ", ".join(RANK_SQL.replace("{place}", str(p)) for p in places))
        .replace("{rank_columns}", ", ".join(f'd."r{p}"' for p in places))
        .replace("{days}", ", ".join(["(%s, %s)"] * len(days)))
        .replace("{day_count}", str(len(days)))
        .replace("{in_day}", IN_DAY_SQL)
        .replace("{from}", from_sql)
        .replace("{where}", where)
    )
    adapt = conn.ops.adapt_datetimefield_value
    # Prepared on PostgreSQL: planning its 31 days of subqueries cost as much as running them.
    with prepared_cursor(conn) as cursor:
        cursor.execute(
            sql,
            [
                *(scope_params * (1 + per_day)),
                *(adapt(value) for day in days for value in day),
            ],
        )
        fetched = cursor.fetchall()
    start_field = Event._meta.get_field("start")
    converters = _converters([start_field], db)
    tz = timezone.get_current_timezone()
    by_day: dict[datetime.date, list[MonthEvent]] = {}
    totals: dict[datetime.date, int] = {}
    url = event_url_maker()
    for pk, title, slug, start, status, organiser_name, day_total in fetched:
        for _position, functions, column in converters:
            for convert in functions:
                start = convert(start, column, conn)
        local_start = start.astimezone(tz)
        shown_on = max(local_start.date(), first.date())
        event = MonthEvent(pk, title, slug, start, status, organiser_name)
        event.url = url(event)
        event.time_label = f"{local_start:%H:%M}"
        by_day.setdefault(shown_on, []).append(event)
        totals[shown_on] = day_total
    today = timezone.localdate()
    # date_format(date, "l j F") for the days of this month: its name and the days' names
    # translated once.
    weekdays = [str(name) for _number, name in sorted(WEEKDAYS.items())]
    month_name = str(MONTHS[month])
    more_labels: dict[int, str] = {}
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        days = []
        for date in week:
            shown = by_day.get(date, []) if date.month == month else []
            more = totals.get(date, 0) - len(shown) if date.month == month else 0
            day = MonthDay(
                date=date,
                in_month=date.month == month,
                is_today=date == today,
                events=shown,
                more=more,
                number=str(date.day),
                iso=date.isoformat(),
            )
            if shown or more:
                day.name = f"{weekdays[date.weekday()]} {date.day} {month_name}"
                day.label = capfirst(day.name)
            if more:
                day.more_label = more_labels.get(more) or more_labels.setdefault(
                    more,
                    ngettext("+ %(counter)s autre", "+ %(counter)s autres", more)
                    % {"counter": more},
                )
            days.append(day)
        weeks.append(days)
    return weeks


def event_parts(event: Event) -> dict[str, list]:
    """The speakers, documents and co-organisers of an event read by ``event_for_user(…,
    parts=True)``: a query for each only when it has some."""
    return {
        "speakers": event_speakers(event) if event.has_speakers else [],
        "materials": event_materials(event) if event.has_materials else [],
        "co_organisers": list(event.co_organisers.all()) if event.has_co_organisers else [],
    }


def event_speakers(event: Event) -> list[EventSpeaker]:
    return list(event.speaker_parts.select_related("speaker").order_by("order", "pk"))


def event_materials(event: Event) -> list[EventMaterial]:
    return list(event.materials.order_by("created_at", "pk"))


#: The figures of one event's registrations, in one pass over its index. Written once
#: rather than compiled from six filtered ``Count`` per page (the ORM's compiling cost
#: more than the query). ``mine``: the id of one member's registration (or NULL).
FIGURES_SQL = (
    "SELECT "
    "COUNT(*) FILTER (WHERE status = %(confirmed)s), "
    "COUNT(*) FILTER (WHERE status = %(confirmed)s AND attended), "
    "COUNT(*) FILTER (WHERE status = %(confirmed)s AND NOT attended), "
    "COUNT(*) FILTER (WHERE status = %(waiting)s), "
    "COUNT(*) FILTER (WHERE status = %(pending)s), "
    "COUNT(*) FILTER (WHERE status = %(cancelled)s), "
    "MAX(id) FILTER (WHERE member_id = %(member)s) "
    "FROM events_registration WHERE event_id = %(event)s"
)
FIGURES = ("registered", "present", "absent", "waiting", "pending", "cancelled")


def _figures_row(event: Event, member_pk: int | None) -> tuple:
    s = Registration.Status
    with connection.cursor() as cursor:
        cursor.execute(
            FIGURES_SQL,
            {
                "confirmed": s.CONFIRMED.value,
                "waiting": s.WAITING.value,
                "pending": s.PENDING.value,
                "cancelled": s.CANCELLED.value,
                "member": member_pk,
                "event": event.pk,
            },
        )
        return cursor.fetchone()


def _with_derived(event: Event, counts, now=None) -> dict[str, int]:
    figures = dict(zip(FIGURES, counts, strict=True))
    # "No-show" only means something once the event has started.
    figures["no_show"] = figures["absent"] if event.has_started(now or timezone.now()) else 0
    if event.capacity is not None:
        figures["free"] = max(0, event.capacity - figures["registered"])
    return figures


def event_figures(event: Event, *, now=None) -> dict[str, int]:
    """Registered, present, no-show, waiting, pending and cancelled, in one query."""
    return _with_derived(event, _figures_row(event, None)[:-1], now)


def figures_and_registration_of(
    event: Event, member: Member | None, *, now=None
) -> tuple[dict[str, int], Registration | None]:
    """``event_figures`` and ``registration_of`` together: the member's registration id
    comes with the figures (the registration itself is then read only if there is one)."""
    *counts, registration_pk = _figures_row(event, member.pk if member is not None else None)
    figures = _with_derived(event, counts, now)
    if registration_pk is None:
        return figures, None
    return figures, Registration.objects.filter(pk=registration_pk).first()


def registration_of(event: Event, member: Member | None) -> Registration | None:
    if member is None:
        return None
    return Registration.objects.filter(event=event, member=member).first()


def waiting_position(registration: Registration) -> int | None:
    """1 for the first person on the waiting list."""
    if registration.status != Registration.Status.WAITING:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=Registration.Status.WAITING
    ).filter(
        Q(status_changed_at__lt=registration.status_changed_at)
        | Q(status_changed_at=registration.status_changed_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


#: What a check-in row prints (``views._attendee_rows``), and nothing else.
ATTENDEE_ROW_FIELDS = (
    "event_id",
    "status",
    "attended",
    "guest_name",
    "guest_email",
    "member__first_name",
    "member__last_name",
    "member__section__name",
)


def attendees(event: Event, q: str = "") -> QuerySet[Registration]:
    """Check-in list: confirmed and waiting registrations, searchable by name or e-mail."""
    rows = (
        event.registrations.filter(
            status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITING]
        )
        .select_related("member", "member__section")
        .only(*ATTENDEE_ROW_FIELDS)
        .order_by("status", "member__last_name", "member__first_name", "guest_name", "pk")
    )
    for word in q.split()[:4]:
        rows = rows.filter(
            Q(member__last_name__icontains=word)
            | Q(member__first_name__icontains=word)
            | Q(member__membership_number__icontains=word)
            | Q(guest_name__icontains=word)
            | Q(guest_email__icontains=word)
        )
    return rows


#: A check-in row's values (``views.AttendeeRow.from_values``): no model instances.
ATTENDEE_ROW_VALUES = (
    "pk",
    "status",
    "attended",
    "guest_name",
    "guest_email",
    "member_id",
    "member__first_name",
    "member__last_name",
    "member__section__name",
)


def attendee_values(event: Event, q: str = "") -> QuerySet:
    """``attendees(event, q)``, as tuples of ``ATTENDEE_ROW_VALUES``."""
    return attendees(event, q).values_list(*ATTENDEE_ROW_VALUES)


def registration_of_event(event: Event, pk) -> Registration:
    """One registration of an event the caller already fetched in scope, or 404."""
    return get_object_or_404(
        Registration.objects.select_related("member", "event"), event=event, pk=pk
    )


def my_registrations(member: Member) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(member=member)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related(
            "event",
            "event__organiser",
            "event__organiser__territory",
            "event__booking__room__venue",
        )
    )


#: What a line of the home panel shows of an event: (pk, title, slug, start).
HOME_EVENT_COLUMNS = ("pk", "title", "slug", "start")


def home_meetings(user, member: Member, now) -> list[tuple]:
    """(pk, title, slug, start) of the next three events of the member's section that
    ``user`` may see (:func:`own_section_visibility_q`), neither cancelled nor drafts, ending
    at or after ``now``: the home panel's meetings. One statement compiled once per
    database and :func:`own_section_rule` (fede.core.statements); the section, the member
    and the instant are given at execution."""
    alias = router.db_for_read(Event)
    rule = own_section_rule(user, member)

    def build():
        return (
            Event.objects.using(alias)
            .filter(organiser_id=Slot("section", IntegerField()))
            .filter(own_section_rule_q(rule, Slot("member", IntegerField())))
            .ending_after(Slot("now"))
            .exclude(status__in=[Event.Status.CANCELLED, "draft"])
            .order_by("start", "pk")
            .values_list(*HOME_EVENT_COLUMNS)[:3]
        )

    slots = {"section": member.section_id, "member": member.pk, "now": now}
    return compiled_values(("events.home_meetings", alias, rule), build, slots, alias)


def home_registrations(member: Member, now) -> list[tuple]:
    """(pk, title, slug, start) of the events of the member's next five registrations
    (:func:`my_registrations` whose event ends at or after ``now``): the home panel's. One
    statement compiled once per database (fede.core.statements); the member and the
    instant are given at execution."""
    alias = router.db_for_read(Registration)

    def build():
        return (
            my_registrations(Slot("member", IntegerField()))
            .using(alias)
            .filter(event__end__gte=Slot("now"))
            .order_by("event__start", "pk")
            .values_list(*(f"event__{name}" for name in HOME_EVENT_COLUMNS))[:5]
        )

    slots = {"member": member.pk, "now": now}
    return compiled_values(("events.home_registrations", alias), build, slots, alias)


def my_events(member: Member | None, *, now=None) -> dict[str, list[Registration]]:
    """Upcoming (registered or waiting), past (with attendance) and trainings attended."""
    if member is None:
        return {"upcoming": [], "past": [], "trainings": []}
    now = now or timezone.now()
    rows = my_registrations(member)
    upcoming = list(rows.filter(event__end__gte=now).order_by("event__start", "pk"))
    past = list(
        rows.filter(event__end__lt=now, status=Registration.Status.CONFIRMED).order_by(
            "-event__start", "-pk"
        )[:50]
    )
    trainings = list(
        rows.filter(
            event__kind=Event.Kind.TRAINING,
            event__end__lt=now,
            status=Registration.Status.CONFIRMED,
            attended=True,
        ).order_by("-event__start", "-pk")
    )
    return {"upcoming": upcoming, "past": past, "trainings": trainings}


def invitations_of(event: Event) -> QuerySet[Invitation]:
    return event.invitations.select_related("member", "member__section").order_by(
        "member__last_name", "member__first_name", "pk"
    )


def feed_token_user(token: str):
    """The active user behind a feed token, or 404."""
    feed = get_object_or_404(
        FeedToken.objects.select_related("user"), token=token, user__is_active=True
    )
    return feed.user


def feed_window(now=None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=FEED_PAST_DAYS)


def public_feed_events(*, now=None) -> QuerySet[Event]:
    """The federation's public feed: public events, cancelled ones included."""
    return (
        listed_events(AnonymousUser())
        .ending_after(feed_window(now))
        .for_listing()
        .order_by("start", "pk")
    )


def unit_feed_events(user, unit: Unit, *, now=None) -> QuerySet[Event]:
    """Events a unit organises or co-organises, among those ``user`` may see."""
    co_organised = Event.co_organisers.through.objects.filter(event=OuterRef("pk"), unit=unit)
    return (
        listed_events(user)
        .filter(Q(organiser=unit) | Q(Exists(co_organised)))
        .ending_after(feed_window(now))
        .for_listing()
        .order_by("start", "pk")
    )


def personal_feed_events(user, *, now=None) -> list[tuple[Event, bool]]:
    """(event, still registered) for the events of the user's registrations.

    A registration the member cancelled stays in the feed as a cancelled event, so the
    subscribed calendar removes it.
    """
    member = audience_member(user)
    if member is None:
        return []
    rows = (
        Registration.objects.filter(member=member, event__end__gte=feed_window(now))
        .exclude(status=Registration.Status.PENDING)
        .filter(event__in=listed_events(user))
        .select_related("event", "event__organiser", "event__booking__room__venue")
        .order_by("event__start", "pk")
    )
    return [(r.event, r.status != Registration.Status.CANCELLED) for r in rows]


def arrondissements() -> QuerySet[Territory]:
    return Territory.objects.filter(
        kind=Territory.Kind.ARRONDISSEMENT, number__isnull=False
    ).order_by("number")


# --- The agenda's filter lists, kept a minute per process ----------------------------------
#
# The organiser and arrondissement selects list the names of units and territories: the
# same for every viewer (what differs per viewer is only *which* federations' sections are
# offered, decided per request from their own member record and offices). A unit opened,
# closed or renamed a minute ago may be missing from a *filter list* for up to
# FILTER_LIST_SECONDS in another worker (this process forgets everything as soon as a unit
# or a territory is saved here); nothing here is a right or member data.

FILTER_LIST_SECONDS = 60
_FILTER_LISTS = TimedCache(ttl=FILTER_LIST_SECONDS, max_size=4000)
_filter_list = _FILTER_LISTS.get
clear_filter_lists = _FILTER_LISTS.clear


def arrondissement_choices() -> list[tuple[int, str]]:
    """(number, name) of the arrondissements, for the agenda's filter."""
    return _filter_list(
        ("arrondissements",), lambda: list(arrondissements().values_list("number", "name"))
    )


def _active_federations() -> list[tuple[int, str]]:
    return _filter_list(
        ("federations",),
        lambda: list(
            Unit.objects.active()
            .filter(kind=Unit.Kind.FEDERATION)
            .order_by("name", "pk")
            .values_list("pk", "name")
        ),
    )


def _units_at(paths: list[str]) -> list[tuple[int, str, int | None]]:
    """(id, kind, parent id) of the units at ``paths`` (a viewer's offices)."""
    return _filter_list(
        ("units_at", tuple(paths)),
        lambda: list(Unit.objects.filter(path__in=paths).values_list("pk", "kind", "parent_id")),
    )


def _parent_of(pk: int) -> int | None:
    return _filter_list(
        ("parent_of", pk),
        lambda: Unit.objects.filter(pk=pk).values_list("parent_id", flat=True).first(),
    )


def _active_sections_of(parent_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """{parent id: [(section id, name)] by name} for each of ``parent_ids`` (empty lists
    included), the missing ones read in one query."""
    keys = {parent_id: ("sections_of", parent_id) for parent_id in parent_ids}
    kept = _FILTER_LISTS.get_many(keys.values())
    found = {parent_id: kept[key] for parent_id, key in keys.items() if key in kept}
    missing = [parent_id for parent_id in parent_ids if parent_id not in found]
    if missing:
        generation = _FILTER_LISTS.generation()
        read: dict[int, list[tuple[int, str]]] = {parent_id: [] for parent_id in missing}
        rows = (
            Unit.objects.active()
            .sections()
            .filter(parent_id__in=sorted(missing))
            .order_by("name", "pk")
            .values_list("pk", "name", "parent_id")
        )
        for pk, name, parent_id in rows:
            read[parent_id].append((pk, name))
        _FILTER_LISTS.set_many({keys[pid]: units for pid, units in read.items()}, generation)
        found.update(read)
    return found


def _office_paths(user) -> list[str]:
    """Paths of the units where the user holds an office (none for superusers)."""
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return []
    paths: set[str] = set()
    for capability in ("events.manage", "section.view", "federation.view"):
        paths.update(grant_paths(user, capability))
    return sorted(paths)


@dataclass
class OrganiserChoices:
    """The agenda's organiser filter: every federation, and the sections worth offering."""

    federations: list[tuple[int, str]]
    #: (federation name, [(section id, name)]) for each federation whose sections are offered.
    sections: list[tuple[str, list[tuple[int, str]]]]
    #: The units whose sections are offered: with the lists kept here, all the choices
    #: depend on (a key for what is built from them).
    scope: tuple[int, ...] = ()

    @property
    def ids(self) -> frozenset[str]:
        """The values a filter may take (as a select's options compare them: text)."""
        ids = {str(pk) for pk, _name in self.federations}
        for _federation, units in self.sections:
            ids.update(str(pk) for pk, _name in units)
        return frozenset(ids)


def organiser_choices(user, selected: int | None = None) -> OrganiserChoices:
    """Organisers the agenda's filter offers to ``user``: no query once the lists of the
    units involved are kept (at most three small ones when they are not).

    Every active federation, plus the sections of: the selected organiser (a federation)
    or its federation (a section); the viewer's federation; the federations where the
    viewer holds an office, or of the sections where they do. Anonymous visitors pick a
    federation first, then its sections. National offices bring no sections (there would
    be thousands).
    """
    federations = _active_federations()
    own: set[int] = set()
    member = audience_member(user)
    if member is not None and member.section.parent_id:
        own.add(member.section.parent_id)
    offices = _office_paths(user)
    if offices:
        for pk, kind, parent_id in _units_at(offices):
            if kind == Unit.Kind.FEDERATION:
                own.add(pk)
            elif kind == Unit.Kind.SECTION and parent_id:
                own.add(parent_id)
    if selected:
        own.add(selected)
        parent_of_selected = _parent_of(selected)
        if parent_of_selected is not None:
            own.add(parent_of_selected)
    sections: list[tuple[str, list[tuple[int, str]]]] = []
    if own:
        names = dict(federations)
        grouped = _active_sections_of(own)
        sections = sorted(
            ((names.get(parent_id, ""), units) for parent_id, units in grouped.items() if units),
            # By federation name; ties (units outside the list of federations) in the
            # order of their first section, as the single query sorted them.
            key=lambda group: (group[0], group[1][0][1], group[1][0][0]),
        )
    return OrganiserChoices(federations=federations, sections=sections, scope=tuple(sorted(own)))


# --- Registrations out of the screen -------------------------------------------------------


def _export_queryset(event: Event) -> QuerySet[Registration]:
    return (
        event.registrations.exclude(status=Registration.Status.PENDING)
        .select_related("member", "member__section")
        .order_by("member__last_name", "member__first_name", "guest_name", "pk")
    )


def export_count(event: Event) -> int:
    return _export_queryset(event).count()


def export_rows(event: Event):
    """One row per registration (pending guests excepted), streamed from the database."""
    for r in _export_queryset(event).iterator(chunk_size=500):
        member = r.member
        yield (
            member.last_name if member else r.guest_name,
            member.first_name if member else "",
            member.membership_number if member else "",
            member.section.name if member else "",
            "" if member else r.guest_email,
            r.get_status_display(),
            timezone.localtime(r.created_at),
            r.attended,
            timezone.localtime(r.checked_in_at) if r.checked_in_at else None,
        )


def sign_in_rows(event: Event) -> list[tuple[str, str]]:
    """(name, section or "invité·e") of the confirmed registrants, in alphabetical order
    (last name, first name; guests by the name they gave)."""
    rows = []
    for r in event.registrations.confirmed().select_related("member", "member__section"):
        if r.member_id:
            key = (r.member.last_name.casefold(), r.member.first_name.casefold())
            rows.append(
                (key, f"{r.member.last_name.upper()} {r.member.first_name}", r.member.section.name)
            )
        else:
            name = r.guest_name or r.guest_email
            rows.append(((name.casefold(), ""), name, ""))
    rows.sort(key=lambda row: row[0])
    return [(name, section) for _key, name, section in rows]


@dataclass
class SeriesRow:
    event: Event
    registered: int
    present: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.present / self.registered) if self.registered else None


def series_attendance(event: Event) -> list[SeriesRow]:
    """Attendance of the events of the same series: held in the slots of one recurring
    room booking, or else of the same kind by the same organiser, over the past year."""
    s = Registration.Status
    events = Event.objects.published().filter(organiser_id=event.organiser_id)
    if event.booking_id and event.booking.series_id:
        events = events.filter(booking__series_id=event.booking.series_id)
    else:
        since = event.start - datetime.timedelta(days=365)
        events = events.filter(kind=event.kind, start__gte=since, start__lte=event.start)
    events = (
        events.exclude(status=Event.Status.CANCELLED)
        .annotate(
            registered=Count("registrations", filter=Q(registrations__status=s.CONFIRMED)),
            present=Count(
                "registrations",
                filter=Q(registrations__status=s.CONFIRMED, registrations__attended=True),
            ),
        )
        .order_by("start", "pk")
    )
    return [SeriesRow(event=e, registered=e.registered, present=e.present) for e in events]
