"""The rows of the topic's and the coverage lists written once in Python (30 rows a page,
read by every section at national scale).

The HTML is the templates' (``topic.html`` and ``coverage.html`` before the rows moved
here): every value from the database or a translation goes through ``escape`` as
``{{ … }}`` would, the messages are the same msgids. After the deadline a page's rows are
written once and shared (``selectors.contribution_page``).
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from fede.core.lists import with_row_urls

from .models import Contribution
from .selectors import TopicCitations, vote_line


def topic_rows_html(contributions) -> str:
    """The ``<li>`` of each contribution of the topic page: section, excerpt, vote."""
    return mark_safe(
        "".join(
            f'<li class="list-group-item">\n'
            f'<a href="{escape(c.row_url)}">{escape(c.section.name)}</a>\n'
            f'<p class="small mb-1">{escape(c.excerpt)}</p>\n'
            f'<p class="small mb-0">{escape(vote_line(c))}</p>\n'
            f"</li>\n"
            for c in with_row_urls(contributions, "convention:contribution")
        )
    )


def coverage_rows_html(
    contributions, *, citations: TopicCitations, synthesis_url: str, topic_number: int
) -> str:
    """The ``<tr>`` of each contribution of the coverage page: section, how much the
    synthesis takes it up, the paragraphs citing it (from the topic's ``citations``), the
    rapporteurs' note."""
    badges = {
        Contribution.Coverage.FULL: (
            f'<span class="badge text-bg-success">{escape(_("Reprise"))}</span>'
        ),
        Contribution.Coverage.PARTIAL: (
            f'<span class="badge text-bg-warning">{escape(_("En partie"))}</span>'
        ),
        Contribution.Coverage.NONE: (
            f'<span class="badge text-bg-secondary">{escape(_("Non reprise"))}</span>'
        ),
    }
    link = f'<a href="{escape(synthesis_url)}#p'
    number = escape(topic_number)
    out = []
    for row in with_row_urls(contributions, "convention:contribution"):
        coverage = citations.coverage.get(row.pk, Contribution.Coverage.NONE)
        cited = ", ".join(
            f'{link}{escape(paragraph_id)}">§ {number}.{escape(position)}</a>'
            + (f' <span class="small">({escape(note)})</span>' if note else "")
            for position, paragraph_id, note in citations.paragraphs.get(row.pk, ())
        )
        note = escape(row.rapporteur_note) if row.rapporteur_note else "—"
        out.append(
            f'<tr>\n<td><a href="{escape(row.row_url)}">{escape(row.section.name)}</a></td>\n'
            f"<td>{badges[coverage]}</td>\n"
            f"<td>{cited or '—'}</td>\n"
            f'<td class="small">{note}</td>\n'
            "</tr>\n"
        )
    return mark_safe("".join(out))
