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
from django.utils.translation import gettext, ngettext

from .models import Booking
from .selectors import GridBooking, WeekGrid

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


def room_badges_html(room) -> str:
    """``rooms/includes/room_badges.html`` for one room (its equipment prefetched)."""
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
    html.extend(
        '<li class="list-inline-item"><span class="badge text-bg-light border">'
        f"{escape(item.name)}</span></li>"
        for item in room.equipment.all()
    )
    html.append("\n</ul>\n")
    return "".join(html)


def directory_cards(rooms, *, book_query: str = "", bookable: bool = False) -> None:
    """Each room's ``card_html``: its card in the directory (``rooms/directory.html``),
    written once here rather than by template tags per card; ``bookable``: a slot is
    chosen and the viewer may book (the "book this slot" button)."""
    room_head, room_tail = _url_parts("rooms:room_detail")
    venue_head, venue_tail = _url_parts("rooms:venue_detail")
    book_head, book_tail = _url_parts("rooms:booking_create")
    query = conditional_escape(book_query)
    for room in rooms:
        pk = room.pk
        name = escape(room.name)
        venue = room.venue
        arrondissement = venue.arrondissement
        where = f" · {escape(arrondissement.name)}" if arrondissement else ""
        footer = ""
        if bookable:
            # As {% blocktranslate %}: the translation as is, the name escaped.
            label = gettext("Réserver « %(name)s » sur ce créneau") % {"name": name}
            footer = (
                '\n              <div class="card-footer bg-transparent">\n'
                f'                <a class="btn btn-sm btn-brand" href="{book_head}{pk}{book_tail}'
                f'?{query}">{label}</a>\n'
                "              </div>\n            "
            )
        room.card_html = mark_safe(  # noqa: S308 - every piece is escaped
            '\n        <li class="col-md-6 col-xl-4">\n'
            f'          <article class="card h-100" aria-labelledby="room-{pk}">\n'
            '            <div class="card-body">\n'
            f'              <h3 class="h5 card-title" id="room-{pk}"><a href="{room_head}{pk}'
            f'{room_tail}">{name}</a></h3>\n'
            '              <p class="card-subtitle mb-2 text-body-secondary">\n'
            f'                <a class="link-secondary" href="{venue_head}{venue.pk}{venue_tail}">'
            f"{escape(venue.name)}</a>\n"
            f"                · {escape(venue.address)}{where}\n"
            "              </p>\n"
            f"              {room_badges_html(room)}\n"
            "            </div>\n"
            f"            {footer}\n"
            "          </article>\n"
            "        </li>\n      "
        )


def _url_parts(name: str) -> tuple[str, str]:
    head, tail = reverse(name, args=[PK_MARK]).rsplit(str(PK_MARK), 1)
    return head, tail
