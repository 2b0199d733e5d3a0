"""What each app declares about itself, assembled in one place.

An app never edits another app to plug itself in. It writes a ``registry.py`` module in its
own folder that calls :func:`register` with an :class:`AppDeclaration`:

- its **capabilities** (``"rooms.book"``…) and the **default grants** of each role (role
  codes are strings: core knows nothing of the organisation's roles);
- its **menu entries** and **home cards**, shown to the users who hold their capability;
- the names of its **public URLs** (every other URL requires a login);
- the **action codes** of its audit trail and access log, with their translatable text
  (rendered in the reader's language at display time, never stored translated);
- its part of a person's **personal data** export (a callable ``(user, member) -> dict``).

Core imports every ``<app>.registry`` module when Django starts
(:meth:`fede.core.apps.CoreConfig.ready`); readers call :func:`apps` or the helpers below.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Menu entries and card links with this "capability" are shown to every logged-in user;
#: with ``None``, to everybody (anonymous visitors included).
AUTHENTICATED = "authenticated"


@dataclass(frozen=True)
class Link:
    """A link of the menu or of a home card, shown when the user holds ``capability``."""

    url_name: str
    label: str | Promise
    capability: str | None = AUTHENTICATED
    #: Hide the link when the user holds this capability (e.g. "Ma section" for federal
    #: offices, who reach every section through "Fédération").
    unless: str | None = None
    order: int = 100
    #: The entry stays highlighted on every page whose path starts with its URL.
    prefix_match: bool = False

    def visible_to(self, caps: frozenset[str], authenticated: bool) -> bool:
        if self.unless and self.unless in caps:
            return False
        if self.capability is None:
            return True
        if not authenticated:
            return False
        return self.capability == AUTHENTICATED or self.capability in caps

    @cached_property
    def url(self) -> str:
        """The link's path, resolved once per process (URLs are fixed once Django started)."""
        try:
            return reverse(self.url_name)
        except NoReverseMatch:  # pragma: no cover - a declaration error, caught by tests
            return "#"


@dataclass(frozen=True)
class HomeCard:
    """A card of the home page: a title, one sentence, and links."""

    title: str | Promise
    text: str | Promise
    links: tuple[Link, ...]
    order: int = 100

    def visible_links(self, caps: frozenset[str], authenticated: bool) -> list[Link]:
        return [link for link in self.links if link.visible_to(caps, authenticated)]


@dataclass(frozen=True)
class HomePanel:
    """A block of the logged-in home page, filled for the user who reads it.

    ``build(request)`` returns the template's context, or ``None`` to hide the panel (e.g.
    for a login with no member record). The default template shows a title, ``lines``
    (each a mapping with ``text`` and optional ``url`` and ``meta``), an ``empty`` text
    when there are none, and ``links`` (``(label, url)`` pairs).
    """

    key: str
    title: str | Promise
    build: Callable[[Any], dict | None]
    template: str = "core/includes/home_panel.html"
    order: int = 100


@dataclass(frozen=True)
class AppDeclaration:
    """Everything an app tells core about itself (see the module's docstring)."""

    label: str
    capabilities: Mapping[str, str | Promise] = field(default_factory=dict)
    #: role code → capabilities that role grants on its unit and subtree
    grants: Mapping[str, Iterable[str]] = field(default_factory=dict)
    #: capabilities that read member data: the offices holding one must use MFA
    member_data_capabilities: Iterable[str] = ()
    menu: tuple[Link, ...] = ()
    home_cards: tuple[HomeCard, ...] = ()
    #: blocks of the logged-in home page, built per user (see :class:`HomePanel`)
    home_panels: tuple[HomePanel, ...] = ()
    public_url_names: Iterable[str] = ()
    #: action code → translatable text with ``%(name)s`` placeholders for its parameters
    actions: Mapping[str, str | Promise] = field(default_factory=dict)
    #: ``(user, member) -> {section title: data}``; ``member`` may be None
    personal_data: Callable[[Any, Any], dict] | None = None


_APPS: dict[str, AppDeclaration] = {}


def register(declaration: AppDeclaration) -> AppDeclaration:
    """Add an app's declaration (once per label; re-importing replaces it)."""
    _APPS[declaration.label] = declaration
    return declaration


_discovered = False
_discovering = False


def _all() -> list[AppDeclaration]:
    """Every declaration; the first reader triggers the discovery (whichever app's ready()
    asks first, e.g. rules' autodiscovery, which runs before core's). A discovery that
    failed half-way is tried again by the next reader rather than left partial."""
    global _discovered, _discovering
    if not _discovered and not _discovering:
        _discovering = True
        try:
            autodiscover()
            _discovered = True
        finally:
            _discovering = False
    return list(_APPS.values())


def apps() -> list[AppDeclaration]:
    return _all()


def capabilities() -> dict[str, str | Promise]:
    result: dict[str, str | Promise] = {}
    for app in _all():
        result.update(app.capabilities)
    return result


def grants() -> dict[str, frozenset[str]]:
    """role code → every capability any app grants it."""
    merged: dict[str, set[str]] = {}
    for app in _all():
        for role, caps in app.grants.items():
            merged.setdefault(role, set()).update(caps)
    return {role: frozenset(caps) for role, caps in merged.items()}


def member_data_capabilities() -> frozenset[str]:
    return frozenset(c for app in _all() for c in app.member_data_capabilities)


def menu() -> list[Link]:
    return sorted((link for app in _all() for link in app.menu), key=lambda x: x.order)


def home_cards() -> list[HomeCard]:
    return sorted((c for app in _all() for c in app.home_cards), key=lambda c: c.order)


def home_panels() -> list[HomePanel]:
    return sorted((p for app in _all() for p in app.home_panels), key=lambda p: p.order)


def public_url_names() -> frozenset[str]:
    return frozenset(name for app in _all() for name in app.public_url_names)


def action_text(code: str) -> str | Promise | None:
    for app in _all():
        if code in app.actions:
            return app.actions[code]
    return None


def personal_data_sections(user, member) -> dict:
    """Every app's part of a person's data, in the order apps were registered."""
    data: dict = {}
    for app in _all():
        if app.personal_data is not None:
            data.update(app.personal_data(user, member))
    return data


def autodiscover() -> None:
    """Import ``<app>.registry`` for every installed app that has one."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("registry")


# Core's own entries: the home page and the technical URLs anyone may reach.
register(
    AppDeclaration(
        label="core",
        # Granted by the organisation's roles (core knows no role): the federation's staff.
        capabilities={"outbox.manage": _("Renvoyer les e-mails abandonnés")},
        menu=(Link("core:home", _("Accueil"), capability=None, order=0),),
        home_cards=(
            HomeCard(
                title=_("Exploitation"),
                text=_("Les e-mails que le serveur d'envoi n'a pas pu remettre."),
                links=(Link("core:outbox", _("Boîte d'envoi"), capability="outbox.manage"),),
                order=90,
            ),
        ),
        public_url_names=("core:home", "core:healthz", "core:theme_css"),
        actions={"outbox.resend": _("Renvoi d'un e-mail abandonné")},
    )
)
