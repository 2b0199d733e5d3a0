"""HTML of the month grid, written in Python.

A month shows up to 42 days and about a hundred events, twice (the grid for wide screens,
a list for small ones): as template nodes that is thousands of variable lookups and tags
per page, most of the page's time. Here each piece is escaped and joined once; the
template (``events/month.html``) only places the results.
"""

from __future__ import annotations

from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .selectors import MonthDay


def _more_link(day: MonthDay, day_url: str) -> str:
    return (
        f'<a class="d-block small fw-semibold" href="{escape(day_url)}jour={day.iso}">'
        f'{escape(day.more_label)}<span class="visually-hidden"> ({escape(day.name)})</span></a>'
    )


def month_rows(weeks: list[list[MonthDay]], day_url: str) -> list[SafeString]:
    """One ``<tr>`` per week of the grid (the wide-screen table)."""
    today = gettext("Aujourd'hui")  # as {% translate %}: not escaped
    cancelled = gettext("annulé")
    rows = []
    for week in weeks:
        cells = []
        for day in week:
            css = "" if day.in_month else "bg-body-tertiary text-body-secondary"
            if day.is_today:
                css += " month-today"
            parts = [f'<td class="{css}">\n<div class="small fw-semibold">']
            if day.is_today:
                parts.append(f'<span class="visually-hidden">{today} </span>')
            parts.append(f"{day.number}</div>\n")
            for event in day.events:
                is_cancelled = event.is_cancelled
                strike = " text-decoration-line-through" if is_cancelled else ""
                parts.append(
                    f'<a class="d-block small month-event{strike}" href="{escape(event.url)}">\n'
                    f"{event.time_label} {conditional_escape(event.title)} "
                    f'<span class="small text-body-secondary">· '
                    f"{conditional_escape(event.organiser_name)}</span>"
                )
                if is_cancelled:
                    parts.append(f' <span class="visually-hidden">({cancelled})</span>')
                parts.append("\n</a>\n")
            if day.more:
                parts.append(_more_link(day, day_url))
            parts.append("</td>")
            cells.append("".join(parts))
        rows.append(mark_safe("<tr>\n" + "\n".join(cells) + "\n</tr>"))  # noqa: S308 - escaped
    return rows


def month_list(weeks: list[list[MonthDay]], day_url: str) -> SafeString:
    """The days that have events, as list items (the small-screen view)."""
    cancelled = gettext("Annulé")
    items = []
    for week in weeks:
        for day in week:
            if not day.events:
                continue
            parts = [
                f'<li class="mb-3">\n<h3 class="h6 border-bottom pb-1">{escape(day.label)}</h3>\n'
                '<ul class="list-unstyled ms-2">\n'
            ]
            for event in day.events:
                parts.append(
                    f'<li><a href="{escape(event.url)}">{event.time_label} · '
                    f"{conditional_escape(event.title)}</a>\n"
                    f'<span class="small text-body-secondary">· '
                    f"{conditional_escape(event.organiser_name)}</span>\n"
                )
                if event.is_cancelled:
                    parts.append(f'<span class="badge text-bg-danger">{cancelled}</span>')
                parts.append("</li>\n")
            if day.more:
                parts.append(f"<li>{_more_link(day, day_url)}</li>\n")
            parts.append("</ul>\n</li>")
            items.append("".join(parts))
    return mark_safe("\n".join(items))  # noqa: S308 - every piece is escaped
