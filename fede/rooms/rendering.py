"""HTML of a room's week grid, written in Python.

A week is 7 days × up to 30 half hours: as template nodes (a class chosen per cell, a
loop, labels) that is several thousand lookups per page, most of its time. Here each
cell is escaped and joined once; ``rooms/room_detail.html`` only places the rows. The
booking blocks are those of ``rooms/includes/grid_booking.html`` (kept for the lists).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from . import cache
from .models import Booking
from .selectors import GridBooking, WeekGrid, directory_rooms

PK_MARK = 987654321


def _booking_html(item: GridBooking, url_head: str, url_tail: str) -> str:
    booking = item.booking
    pending = booking.status == Booking.Status.PENDING
    html = [
        f'<div class="rooms-booking{" rooms-booking-pending" if pending else ""}">\n'
        f'<span class="rooms-time">{item.start:%H:%M}–{item.end:%H:%M}</span>\n'
    ]
    section = escape(booking.section.name)
    if item.visible:
        html.append(
            f'<a href="{url_head}{booking.pk}{url_tail}">{section} : {escape(item.label)}</a>\n'
        )
    else:
        # As {% blocktranslate %}: the translation as is, the section escaped.
        html.append(gettext("Réservé — %(section)s") % {"section": section} + "\n")
    if pending:
        html.append(f'<span class="badge text-bg-warning">{gettext("en attente")}</span>\n')
    html.append("</div>")
    return "".join(html)


def week_rows(grid: WeekGrid) -> list[SafeString]:
    """The ``<tr>`` of each half hour of the grid (wide screens)."""
    head, tail = reverse("rooms:booking_detail", args=[PK_MARK]).rsplit(str(PK_MARK), 1)
    busy_note = f'<span class="visually-hidden">{gettext("occupé")}</span>'
    closed_note = f'<span class="visually-hidden">{gettext("fermé")}</span>'
    rows = []
    for start, cells in grid.rows:
        html = [f'<tr>\n<th scope="row" class="rooms-hour">{start:%H:%M}</th>\n']
        for cell in cells:
            if cell.busy:
                css, note = "rooms-busy", busy_note
            elif cell.pending:
                css, note = "rooms-pending", ""
            elif cell.closed:
                css, note = "rooms-closed", closed_note
            else:
                css, note = "", ""
            if cell.starting:
                inner = "\n".join(_booking_html(item, head, tail) for item in cell.starting)
            else:
                inner = note
            html.append(f'<td class="{css}">\n{inner}\n</td>\n')
        html.append("</tr>")
        rows.append(mark_safe("".join(html)))  # noqa: S308 - every piece is escaped
    return rows


def grid_booking_html(item: GridBooking, url: tuple[str, str]) -> str:
    """``rooms/includes/grid_booking.html`` for one booking (``url``: the head and tail of
    a booking's address around its id, see :func:`_url_parts`)."""
    booking = item.booking
    pending = booking.status == Booking.Status.PENDING
    section = escape(booking.section.name)
    if item.visible:
        who = f'<a href="{url[0]}{booking.pk}{url[1]}">{section} : {escape(item.label)}</a>\n  '
    else:
        # As {% blocktranslate %}: the translation as is, the section escaped.
        who = gettext("Réservé — %(section)s") % {"section": section}
    badge = f'<span class="badge text-bg-warning">{gettext("en attente")}</span>' if pending else ""
    return (
        f'<div class="rooms-booking{" rooms-booking-pending" if pending else ""}">\n'
        f'  <span class="rooms-time">{item.start:%H:%M}–{item.end:%H:%M}</span>\n'
        f"  {who}\n"
        f"  {badge}\n"
        "</div>\n"
    )


def agenda_days_html(grid: WeekGrid) -> None:
    """Each day's ``agenda_html``: its bookings as the small-screen list shows them
    (``grid_booking.html`` each, or "Aucune réservation")."""
    url = _url_parts("rooms:booking_detail")
    empty = f'<p class="small text-body-secondary mb-0">{gettext("Aucune réservation")}</p>'
    for day in grid.days:
        day.agenda_html = mark_safe(  # noqa: S308 - every piece is escaped
            "".join(grid_booking_html(item, url) for item in day.bookings) or empty
        )


def venue_week_rows(rows) -> list[SafeString]:
    """The ``<tr>`` of each room of a venue's week (``rooms/venue_detail.html``)."""
    room_url = _url_parts("rooms:room_detail")
    booking_url = _url_parts("rooms:booking_detail")
    closed = f'<span class="small">{gettext("fermé")}</span>'
    free = f'<span class="visually-hidden">{gettext("libre")}</span>'
    html_rows = []
    for row in rows:
        room = row.room
        # As {% blocktranslate count %}: the translation as is, the number localised.
        capacity = ngettext("%(n)s pers.", "%(n)s pers.", room.capacity) % {
            "n": conditional_escape(localize(room.capacity))
        }
        html = [
            "\n          <tr>\n"
            f'            <th scope="row"><a href="{room_url[0]}{room.pk}{room_url[1]}">'
            f'{escape(room.name)}</a><br><span class="small fw-normal">{capacity}</span></th>\n'
            "            "
        ]
        for day in row.days:
            if day.bookings:
                inner = "".join(grid_booking_html(item, booking_url) for item in day.bookings)
            else:
                inner = closed if day.closed else free
            css = ' class="rooms-closed"' if day.closed else ""
            html.append(
                f"\n              <td{css}>\n"
                f"                {inner}\n"
                "              </td>\n            "
            )
        html.append("\n          </tr>\n        ")
        html_rows.append(mark_safe("".join(html)))  # noqa: S308 - every piece is escaped
    return html_rows


def room_badges_html(room, equipment=None) -> str:
    """``rooms/includes/room_badges.html`` for one room (its equipment prefetched, or
    ``equipment``: the names of its equipment, in order)."""
    # As {% blocktranslate count %}: the translation as is, the number localised.
    capacity = ngettext("%(n)s personne", "%(n)s personnes", room.capacity) % {
        "n": conditional_escape(localize(room.capacity))
    }
    html = [
        '<ul class="list-inline mb-0 small">\n'
        f'  <li class="list-inline-item"><span class="badge text-bg-light border">{capacity}</span></li>\n  '
    ]
    if room.step_free:
        html.append(
            '<li class="list-inline-item"><span class="badge text-bg-info">'
            f"{gettext('Plain-pied')}</span></li>"
        )
    html.append("\n  ")
    if room.is_sections_space:
        html.append(
            '<li class="list-inline-item"><span class="badge bg-brand">'
            f"{gettext('Espace sections')}</span></li>"
        )
    html.append("\n  ")
    if room.requires_approval:
        html.append(
            '<li class="list-inline-item"><span class="badge text-bg-warning">'
            f"{gettext('Sur validation')}</span></li>"
        )
    html.append("\n  ")
    if room.booking_policy != "all":
        html.append(
            '<li class="list-inline-item"><span class="badge text-bg-secondary">'
            f"{conditional_escape(room.get_booking_policy_display())}</span></li>"
        )
    html.append("\n  ")
    if equipment is None:
        equipment = [item.name for item in room.equipment.all()]
    html.extend(
        '<li class="list-inline-item"><span class="badge text-bg-light border">'
        f"{escape(name)}</span></li>"
        for name in equipment
    )
    html.append("\n</ul>\n")
    return "".join(html)


def _card_parts(room, room_url: tuple[str, str], venue_url: tuple[str, str]) -> tuple:
    """A room's directory card around its footer: (head, escaped name, tail)."""
    pk = room.pk
    name = escape(room.name)
    venue = room.venue
    arrondissement = venue.arrondissement
    where = f" · {escape(arrondissement.name)}" if arrondissement else ""
    head = (
        '\n        <li class="col-md-6 col-xl-4">\n'
        f'          <article class="card h-100" aria-labelledby="room-{pk}">\n'
        '            <div class="card-body">\n'
        f'              <h3 class="h5 card-title" id="room-{pk}"><a href="{room_url[0]}{pk}'
        f'{room_url[1]}">{name}</a></h3>\n'
        '              <p class="card-subtitle mb-2 text-body-secondary">\n'
        f'                <a class="link-secondary" href="{venue_url[0]}{venue.pk}{venue_url[1]}">'
        f"{escape(venue.name)}</a>\n"
        f"                · {escape(venue.address)}{where}\n"
        "              </p>\n"
        f"              {room_badges_html(room)}\n"
        "            </div>\n"
        "            "
    )
    tail = "\n          </article>\n        </li>\n      "
    return head, name, tail


def _card_footer(pk: int, name: str, book_url: tuple[str, str], query: str) -> str:
    """The "book this slot" button of a card (``name`` escaped, ``query`` too)."""
    # As {% blocktranslate %}: the translation as is, the name escaped.
    label = gettext("Réserver « %(name)s » sur ce créneau") % {"name": name}
    return (
        '\n              <div class="card-footer bg-transparent">\n'
        f'                <a class="btn btn-sm btn-brand" href="{book_url[0]}{pk}{book_url[1]}'
        f'?{query}">{label}</a>\n'
        "              </div>\n            "
    )


def directory_cards(rooms, *, book_query: str = "", bookable: bool = False) -> None:
    """Each room's ``card_html``: its card in the directory (``rooms/directory.html``),
    written once here rather than by template tags per card; ``bookable``: a slot is
    chosen and the viewer may book (the "book this slot" button)."""
    room_url, venue_url = _url_parts("rooms:room_detail"), _url_parts("rooms:venue_detail")
    book_url = _url_parts("rooms:booking_create")
    query = conditional_escape(book_query)
    for room in rooms:
        head, name, tail = _card_parts(room, room_url, venue_url)
        footer = _card_footer(room.pk, name, book_url, query) if bookable else ""
        room.card_html = mark_safe(head + footer + tail)  # noqa: S308 - every piece is escaped


def directory_card_list(
    ids: list[int], *, book_query: str = "", bookable: bool = False
) -> list[SafeString]:
    """The cards of the rooms ``ids`` (a page of the directory, in scope), in that order.

    A card shows only public facts of its room (name, venue, capacity, equipment…): it is
    kept a minute per room and language (``cache.cards``), the rooms not kept are read
    in one go. Ids of rooms that no longer exist are left out.
    """
    language = get_language()
    keys = [(pk, language) for pk in ids]
    found = cache.cards.get_many(keys)
    missing = [pk for pk, key in zip(ids, keys, strict=True) if key not in found]
    if missing:
        generation = cache.cards.generation()
        room_url, venue_url = _url_parts("rooms:room_detail"), _url_parts("rooms:venue_detail")
        fresh = {
            (room.pk, language): _card_parts(room, room_url, venue_url)
            for room in directory_rooms(missing)
        }
        cache.cards.set_many(fresh, generation)
        found.update(fresh)
    book_url = _url_parts("rooms:booking_create") if bookable else None
    query = conditional_escape(book_query)
    cards = []
    for pk, key in zip(ids, keys, strict=True):
        parts = found.get(key)
        if parts is None:
            continue
        head, name, tail = parts
        footer = _card_footer(pk, name, book_url, query) if bookable else ""
        cards.append(mark_safe(head + footer + tail))  # noqa: S308 - every piece is escaped
    return cards


def _url_parts(name: str) -> tuple[str, str]:
    head, tail = reverse(name, args=[PK_MARK]).rsplit(str(PK_MARK), 1)
    return head, tail
