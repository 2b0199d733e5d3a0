"""Markdown written by users, turned into HTML that is safe to show.

Any text a user types and that is shown as formatted text (news, event descriptions,
motions…) goes through :func:`render_markdown`, in Python or in a template::

    {% load fede %}
    {{ event.description|markdown }}

How it works:

1. ``markdown`` converts the text with the extensions ``extra`` (tables, fenced code,
   footnotes, definition lists, abbreviations), ``sane_lists`` and, by default, ``nl2br``
   (a single line break stays a line break, as people who do not know Markdown expect).
2. ``nh3`` sanitises the result with an allow-list: paragraphs, emphasis, lists, links,
   headings ``h2``–``h6``, quotes, code, tables, rules. Everything else is stripped:
   ``<script>``/``<style>`` with their content, ``on*`` handlers, ``style`` and ``class``
   attributes, images (the CSP only allows our own images anyway), iframes, forms.
   Links keep only ``http``, ``https``, ``mailto`` and ``tel`` URLs (or relative ones) and
   get ``rel="noopener noreferrer nofollow"``.

A Markdown ``# Titre`` becomes an ``<h2>``: every page has exactly one ``<h1>``, its own.
"""

from __future__ import annotations

import functools
import re

import markdown as _markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "b",
        "i",
        "del",
        "s",
        "sup",
        "sub",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "a",
        "abbr",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "code",
        "pre",
        "hr",
        "div",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "caption",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
}
# Table alignment is the only presentational attribute kept, and only with these values.
ALLOWED_ATTRIBUTE_VALUES = {
    "th": {"align": {"left", "right", "center"}},
    "td": {"align": {"left", "right", "center"}},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
LINK_REL = "noopener noreferrer nofollow"

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)

_H1 = re.compile(r"<(/?)h1\b", re.IGNORECASE)


def sanitize_html(html: str) -> SafeString:
    """Sanitise an HTML fragment with the allow-list above and mark it safe."""
    return mark_safe(_cleaner.clean(html))  # nh3 output is safe by construction


def render_markdown(text: str | None, *, nl2br: bool = True) -> SafeString:
    """Markdown → sanitised HTML, ready for a template (empty text gives an empty string).

    ``nl2br=False`` keeps the strict Markdown rule (a blank line separates paragraphs,
    a single line break is a space). The result depends on the text alone: it is kept per
    process (:func:`_render`, least recently used first out), so a page of a hundred
    paragraphs is not converted again on every request — and no reader's data can leak
    into another's, the key being the text itself.
    """
    if not text:
        return mark_safe("")
    return mark_safe(_render(str(text), nl2br))


@functools.lru_cache(maxsize=4096)
def _render(text: str, nl2br: bool) -> str:
    extensions = ["extra", "sane_lists"]
    if nl2br:
        extensions.append("nl2br")
    # A Markdown instance keeps state between conversions: one per call is thread-safe.
    converter = _markdown.Markdown(
        extensions=extensions,
        extension_configs={"extra": {"tables": {"use_align_attribute": True}}},
        output_format="html",
    )
    html = converter.convert(text)
    html = _H1.sub(r"<\1h2", html)
    return str(sanitize_html(html))
