"""HTML of the month grid, written in Python.

A month shows up to 42 days and about a hundred events, twice (the grid for wide screens,
a list for small ones): as template nodes that is thousands of variable lookups and tags
per page, most of the page's time. Here each piece is escaped and joined once; the
template (``events/month.html``) only places the results.
"""

from __future__ import annotations

import html

from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from .selectors import MonthDay, _filter_list


def _text(value) -> str:
    """``conditional_escape`` of a piece of a row: a plain string (most of them: titles,
    names, labels) through ``html.escape`` directly, as Django's ``escape`` does, without
    its lazy wrapper."""
    if type(value) is str:
        return html.escape(value)
    return conditional_escape(value)


#: For other modules writing HTML (the check-in rows).
escape_text = _text


def _escape(value) -> str:
    """Django's ``escape`` (even of a safe string), without its lazy wrapper."""
    return html.escape(str(value))


def _more_link(day: MonthDay, day_url: str) -> str:
    return (
        f'<a class="d-block small fw-semibold" href="{_escape(day_url)}jour={day.iso}">'
        f'{_escape(day.more_label)}<span class="visually-hidden"> ({_escape(day.name)})</span></a>'
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
                    f'<a class="d-block small month-event{strike}" href="{_escape(event.url)}">\n'
                    f"{event.time_label} {_text(event.title)} "
                    f'<span class="small text-body-secondary">· '
                    f"{_text(event.organiser_name)}</span>"
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
                f'<li class="mb-3">\n<h3 class="h6 border-bottom pb-1">{_escape(day.label)}</h3>\n'
                '<ul class="list-unstyled ms-2">\n'
            ]
            for event in day.events:
                parts.append(
                    f'<li><a href="{_escape(event.url)}">{event.time_label} · '
                    f"{_text(event.title)}</a>\n"
                    f'<span class="small text-body-secondary">· '
                    f"{_text(event.organiser_name)}</span>\n"
                )
                if event.is_cancelled:
                    parts.append(f'<span class="badge text-bg-danger">{cancelled}</span>')
                parts.append("</li>\n")
            if day.more:
                parts.append(f"<li>{_more_link(day, day_url)}</li>\n")
            parts.append("</ul>\n</li>")
            items.append("".join(parts))
    return mark_safe("\n".join(items))  # noqa: S308 - every piece is escaped


def agenda_rows(events) -> SafeString:
    """The agenda's list items (``events/agenda.html`` placed each row through template
    tags and lookups: most of the page's time). The events come from
    ``selectors.listing_rows``, which formatted their dates and URL."""
    from .models import Event

    kinds = {value: str(label) for value, label in Event.Kind.choices}
    visibilities = {value: str(label) for value, label in Event.Visibility.choices}
    # As {% translate %} writes them: not escaped.
    cancelled = gettext("Annulé")
    registered = gettext("Inscrit·e")
    waiting = gettext("Liste d'attente")
    full = gettext("Complet — liste d'attente")
    items = []
    for event in events:
        place = event.place_label
        is_cancelled = event.is_cancelled
        parts = [
            '<li class="list-group-item py-3">\n<div class="d-flex gap-3">\n'
            '<div class="event-date text-center flex-shrink-0" aria-hidden="true">\n'
            f'<div class="small text-uppercase">{_text(event.day_abbr)}</div>\n'
            f'<div class="fs-4 fw-bold lh-1">{_text(event.day_number)}</div>\n'
            f'<div class="small">{_text(event.month_abbr)}</div>\n'
            '</div>\n<div class="flex-grow-1 min-w-0">\n'
            f'<h3 class="h5 mb-1"><a href="{_text(event.url)}">'
            f"{_text(event.title)}</a></h3>\n"
            '<p class="mb-1 small">\n'
            f'<time datetime="{_text(event.start_iso)}">{_text(event.when)}</time>\n'
            f"– {_text(event.end_time)}\n"
            f"· {_text(event.organiser.name)}\n"
        ]
        if place:
            parts.append(f"· {_text(place)}")
        parts.append(
            '\n</p>\n<p class="mb-0">\n'
            f'<span class="badge text-bg-light border">'
            f"{_text(kinds.get(event.kind, event.kind))}</span>\n"
        )
        if is_cancelled:
            parts.append(f'<span class="badge text-bg-danger">{cancelled}</span>')
        parts.append("\n")
        if event.visibility != "public":
            label = visibilities.get(event.visibility, event.visibility)
            parts.append(
                f'<span class="badge text-bg-secondary text-wrap text-start">{_text(label)}</span>'
            )
        parts.append("\n")
        if event.my_status == "confirmed":
            parts.append(f'<span class="badge text-bg-success">{registered}</span>')
        elif event.my_status == "waiting":
            parts.append(f'<span class="badge text-bg-warning">{waiting}</span>')
        parts.append("\n")
        if event.registration_enabled and not is_cancelled and event.capacity:
            seats = event.seats_left
            if seats == 0:
                parts.append(
                    f'<span class="badge text-bg-dark text-wrap text-start">{full}</span>\n'
                )
            else:
                # {% blocktranslate count %}: the number localized and escaped.
                text = ngettext("%(free)s place restante", "%(free)s places restantes", seats) % {
                    "free": _text(localize(seats))
                }
                parts.append(f'<span class="small text-body-secondary">{text}</span>\n')
        parts.append("</p>\n</div>\n</div>\n</li>")
        items.append("".join(parts))
    return mark_safe("\n".join(items))  # noqa: S308 - every piece is escaped


#: The fields of the agenda's filter form, in the order of their values in a kept copy.
FILTER_FIELDS = ("q", "arrondissement", "kind", "organiser", "periode", "jour")


def agenda_filters(form, *, action: str, target: str, month_value: str = "") -> SafeString:
    """The agenda's (or the month's) filter form, ``events/includes/filters.html``.

    Without a search typed in, the HTML is kept ``FILTER_LIST_SECONDS`` in this process
    (cleared with the filter lists when a unit or a territory is saved), under everything
    it is written from: the language, the page, the values asked for (as the widgets show
    them) and the units whose sections the organiser list offers (``scope``), with which
    the kept lists of units decide every option. Nothing of the viewer but that scope.
    """
    values = tuple(form.data.get(name) for name in FILTER_FIELDS) if form.is_bound else None

    def compute() -> SafeString:
        return render_to_string(
            "events/includes/filters.html",
            {"form": form, "action": action, "target": target, "month_value": month_value},
        )

    if values is not None and (values[0] or any(len(v or "") > 20 for v in values)):
        return compute()  # a search, or values no link writes: not worth keeping
    key = (
        "filter_form",
        get_language(),
        action,
        target,
        month_value,
        form.organiser_options.scope,
        values,
    )
    return _filter_list(key, compute)
