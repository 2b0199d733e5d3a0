"""Template helpers of the whole project: ``{% load fede %}``."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from fede.core.markdown import render_markdown
from fede.core.memo import TimedCache

register = template.Library()


@register.filter(name="markdown", is_safe=True)
def markdown_filter(value):
    """``{{ text|markdown }}``: user Markdown rendered as sanitised HTML."""
    return render_markdown(value or "")


def _caps_of(context) -> tuple[frozenset, bool]:
    user = context.get("user")
    authenticated = bool(getattr(user, "is_authenticated", False))
    return frozenset(context.get("user_caps") or ()), authenticated


#: The menu's visible links per (capabilities, logged in, language), and the rendered bar
#: per the same and its highlighted entries: the same for everyone with the same offices.
#: Neither depends on anything else (the registry and URLs are fixed once Django started);
#: the user's e-mail is put in the bar afterwards.
_MENU_LINKS = TimedCache(ttl=None, max_size=256)
_NAV_BARS = TimedCache(ttl=None, max_size=1024)
_EMAIL_MARK = "fede-user-email-mark"


def _menu_links(caps: frozenset, authenticated: bool) -> tuple[tuple[str, str, bool], ...]:
    from fede.core import registry

    def read():
        return tuple(
            (str(link.label), link.url, link.prefix_match)
            for link in registry.menu()
            if link.visible_to(caps, authenticated)
        )

    return _MENU_LINKS.get((caps, authenticated, get_language()), read)


def _entries(links, path: str) -> list[dict]:
    return [
        {
            "label": label,
            "url": url,
            "active": path == url or (prefix_match and path.startswith(url)),
        }
        for label, url, prefix_match in links
    ]


@register.simple_tag(takes_context=True)
def main_menu(context) -> list[dict]:
    """The menu entries every app declared, those this user may see: ``{% main_menu as m %}``."""
    caps, authenticated = _caps_of(context)
    request = context.get("request")
    return _entries(_menu_links(caps, authenticated), getattr(request, "path", ""))


@register.simple_tag(takes_context=True)
def site_nav(context) -> str:
    """The navigation bar (includes/nav.html) for this user and page: rendered once per
    set of offices, language and highlighted entry, then kept."""
    caps, authenticated = _caps_of(context)
    request = context.get("request")
    language = get_language()
    entries = _entries(_menu_links(caps, authenticated), getattr(request, "path", ""))
    active = tuple(i for i, entry in enumerate(entries) if entry["active"])

    def render():
        return render_to_string(
            "includes/nav.html",
            {
                "entries": entries,
                "authenticated": authenticated,
                "user_email": _EMAIL_MARK,
                "FEDE_SITE_NAME": context.get("FEDE_SITE_NAME"),
            },
        )

    html = _NAV_BARS.get((caps, authenticated, language, active), render)
    if authenticated:
        html = html.replace(_EMAIL_MARK, escape(context["user"].email))
    return mark_safe(html)  # noqa: S308 — rendered by the template engine, e-mail escaped


@register.simple_tag(takes_context=True)
def home_cards(context) -> list[dict]:
    """The home cards every app declared, with the links this user may follow."""
    from fede.core import registry

    caps, authenticated = _caps_of(context)
    cards = []
    for card in registry.home_cards():
        links = card.visible_links(caps, authenticated)
        if links:
            cards.append({"title": card.title, "text": card.text, "links": links})
    return cards
