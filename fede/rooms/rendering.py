"""HTML of a room's week grid, written in Python.

A week is 7 days × up to 30 half hours: as template nodes (a class chosen per cell, a
loop, labels) that is several thousand lookups per page, most of its time. Here each
cell is escaped and joined once; ``rooms/room_detail.html`` only places the rows. The
booking blocks are those of ``rooms/includes/grid_booking.html`` (kept for the lists).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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
