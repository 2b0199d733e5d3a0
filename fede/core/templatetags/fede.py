"""Template helpers of the whole project: ``{% load fede %}``."""

from django import template

from fede.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown", is_safe=True)
def markdown_filter(value):
    """``{{ text|markdown }}``: user Markdown rendered as sanitised HTML."""
    return render_markdown(value or "")


def _caps_of(context) -> tuple[frozenset, bool]:
    user = context.get("user")
    authenticated = bool(getattr(user, "is_authenticated", False))
    return frozenset(context.get("user_caps") or ()), authenticated


@register.simple_tag(takes_context=True)
def main_menu(context) -> list[dict]:
    """The menu entries every app declared, those this user may see: ``{% main_menu as m %}``."""
    from fede.core import registry

    caps, authenticated = _caps_of(context)
    request = context.get("request")
    path = getattr(request, "path", "")
    entries = []
    for link in registry.menu():
        if not link.visible_to(caps, authenticated):
            continue
        url = link.url
        active = path == url or (link.prefix_match and path.startswith(url))
        entries.append({"label": link.label, "url": url, "active": active})
    return entries


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
