"""Every URL is public by the apps' declared lists (fede.public_urls), or refuses anonymous
users; every view of ours goes through fede.core.access.

The test walks the whole resolver of fede.urls (our apps, django-allauth, the admin), builds
a sample path for each pattern and checks it against PUBLIC_URL_NAMES.
"""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parse
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern

from fede.core.access import LOGIN, OBJECT, PERMISSION, PUBLIC
from fede.public_urls import public_url_names

PUBLIC_URL_NAMES = public_url_names()

SAMPLE_UUID = uuid.UUID("3f2b8c1e-5d4a-4f6b-9c2d-1e0f7a8b9c0d")

# Patterns for which no sample path can be written, with the reason. Keep it empty if you can.
UNSAMPLEABLE: dict[str, str] = {
    # By URL name: "/" is served by the public site, which renders this view for a
    # logged-in person; the name stays for reverse("core:home").
    "core:home": "« / » est servi par website:home, qui rend cet accueil une fois connecté·e",
}


@dataclass(frozen=True)
class Endpoint:
    route: str  # the pattern, for messages
    name: str | None  # "namespace:name", None when the pattern has no name
    path: str | None  # a sample path that resolves to this pattern
    callback: object

    @property
    def label(self) -> str:
        return self.name or f"<sans nom> {self.route}"


# --- sample values -------------------------------------------------------------------


def _converter_sample(converter) -> str:
    if isinstance(converter, IntConverter):
        return "999999"
    if isinstance(converter, UUIDConverter):
        return str(SAMPLE_UUID)
    if isinstance(converter, PathConverter | SlugConverter):
        return "x"
    # str and custom converters: the first of a few candidates their regex accepts.
    for candidate in ("x", "999999", str(SAMPLE_UUID), "2025-01-01"):
        if re.fullmatch(converter.regex, candidate):
            return candidate
    raise ValueError(f"no sample for converter {converter!r}")


_CANDIDATES = "xa0Z-_.~"


def _class_accepts(items, char: str) -> bool:
    """Whether a parsed character class ([...]) accepts ``char``."""
    negate = False
    found = False
    for op, value in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            found = found or ord(char) == value
        elif op is sre_constants.RANGE:
            found = found or value[0] <= ord(char) <= value[1]
        elif op is sre_constants.CATEGORY:
            pattern = {
                sre_constants.CATEGORY_DIGIT: r"\d",
                sre_constants.CATEGORY_NOT_DIGIT: r"\D",
                sre_constants.CATEGORY_WORD: r"\w",
                sre_constants.CATEGORY_NOT_WORD: r"\W",
                sre_constants.CATEGORY_SPACE: r"\s",
                sre_constants.CATEGORY_NOT_SPACE: r"\S",
            }[value]
            found = found or bool(re.fullmatch(pattern, char))
    return found != negate


def _regex_sample(parsed) -> str:
    """A short string matched by a parsed regular expression (the common subset)."""
    out = []
    for op, value in parsed:
        if op is sre_constants.LITERAL:
            out.append(chr(value))
        elif op is sre_constants.NOT_LITERAL:
            out.append(next(c for c in _CANDIDATES if ord(c) != value))
        elif op is sre_constants.ANY:
            out.append("x")
        elif op is sre_constants.IN:
            out.append(next(c for c in _CANDIDATES if _class_accepts(value, c)))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, _high, sub = value
            out.append(_regex_sample(sub) * max(low, 1))
        elif op is sre_constants.SUBPATTERN:
            out.append(_regex_sample(value[-1]))
        elif op is sre_constants.BRANCH:
            out.append(_regex_sample(value[1][0]))
        elif op is sre_constants.AT:
            continue
        elif op is sre_constants.CATEGORY:
            out.append(next(c for c in _CANDIDATES if _class_accepts([(op, value)], c)))
        else:
            raise ValueError(f"unsupported regex construct {op}")
    return "".join(out)


def _pattern_sample(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        route = str(pattern)
        for name, converter in pattern.converters.items():
            route = re.sub(rf"<(?:\w+:)?{name}>", _converter_sample(converter), route)
        return route
    if isinstance(pattern, RegexPattern):
        return _regex_sample(sre_parse.parse(pattern._regex))
    raise TypeError(f"unknown pattern type {type(pattern)}")


# --- walking the resolver ------------------------------------------------------------


def _walk(patterns, prefix="", route_prefix="", namespace=None):
    for entry in patterns:
        route = route_prefix + str(entry.pattern)
        try:
            sample = prefix + _pattern_sample(entry.pattern)
        except (ValueError, StopIteration, TypeError):
            sample = None
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            if sample is None:
                yield Endpoint(route=route + "…", name=None, path=None, callback=None)
                continue
            yield from _walk(entry.url_patterns, sample, route, ns)
        elif isinstance(entry, URLPattern):
            name = None
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Endpoint(
                route=route,
                name=name,
                path="/" + sample if sample is not None else None,
                callback=entry.callback,
            )


ENDPOINTS = list(_walk(get_resolver().url_patterns))


def is_public(view) -> bool:
    """Marked public by login_not_required (function, class-based or decorated view)."""
    candidates = [view]
    for attr in ("view_class", "cls"):
        klass = getattr(view, attr, None)
        if klass is not None:
            candidates += [klass, getattr(klass, "dispatch", None)]
    return any(getattr(c, "login_required", True) is False for c in candidates if c)


def _login_target(url: str) -> tuple[str, str | None]:
    """(path, next) of a redirect, ``next`` decoded."""
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query).get("next", [None])[0]


def _resolves_to_itself(endpoint: Endpoint) -> bool:
    try:
        match = resolve(endpoint.path)
    except Exception:  # noqa: BLE001 — Resolver404 or a converter refusing the sample
        return False
    return match.func is endpoint.callback


# --- tests ---------------------------------------------------------------------------


def test_walk_found_the_known_areas():
    """The walk reaches our views, allauth's and the admin's."""
    names = {e.name for e in ENDPOINTS}
    assert {"core:home", "accounts:security", "account_login", "mfa_activate_totp"} <= names
    assert "admin:index" in names


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.label)
def test_sample_path_resolves_to_the_pattern(endpoint):
    """Each pattern gets a sample path that really reaches it (else list it in UNSAMPLEABLE)."""
    if endpoint.route in UNSAMPLEABLE or endpoint.name in UNSAMPLEABLE:
        pytest.skip(UNSAMPLEABLE.get(endpoint.route) or UNSAMPLEABLE[endpoint.name])
    assert endpoint.path is not None, f"{endpoint.route}: aucun chemin d'exemple possible"
    assert _resolves_to_itself(endpoint), (
        f"{endpoint.route}: le chemin d'exemple {endpoint.path} mène à une autre vue"
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.label)
def test_every_url_is_listed_public_or_refuses_anonymous_users(client, endpoint):
    """A public view is listed in PUBLIC_URL_NAMES; any other sends anonymous users to login."""
    if endpoint.route in UNSAMPLEABLE:
        pytest.skip(UNSAMPLEABLE[endpoint.route])
    if is_public(endpoint.callback):
        assert endpoint.name in PUBLIC_URL_NAMES, (
            f"{endpoint.label} ({endpoint.route}) est public (login_not_required) mais absent "
            "de fede.public_urls.PUBLIC_URL_NAMES : ajoutez-le à la liste ou protégez la vue."
        )
        return
    assert endpoint.name not in PUBLIC_URL_NAMES or endpoint.name is None, (
        f"{endpoint.label} est listé public mais la vue n'est pas marquée public_view"
    )
    response = client.get(endpoint.path)
    assert response.status_code == 302, (
        f"{endpoint.label}: un visiteur anonyme reçoit {response.status_code} au lieu d'être "
        "renvoyé à la page de connexion"
    )
    if _login_target(response.url) == (reverse("admin:login"), endpoint.path):
        # Some admin views send to the admin's login page, which hands over to the site's
        # login (password, then MFA code): one more hop.
        response = client.get(response.url)
        assert response.status_code == 302
    assert _login_target(response.url) == (reverse("account_login"), endpoint.path), (
        f"{endpoint.label}: redirige vers {response.url}"
    )


def test_every_listed_name_is_a_public_view():
    """No stale entry in PUBLIC_URL_NAMES: each names an existing view marked public."""
    by_name = {e.name: e for e in ENDPOINTS if e.name}
    missing = sorted(n for n in PUBLIC_URL_NAMES if n not in by_name)
    assert not missing, f"noms publics qui ne correspondent à aucune URL : {missing}"
    not_public = sorted(n for n in PUBLIC_URL_NAMES if not is_public(by_name[n].callback))
    assert not not_public, f"noms listés publics dont la vue n'est pas public_view : {not_public}"


OUR_ENDPOINTS = [e for e in ENDPOINTS if getattr(e.callback, "__module__", "").startswith("fede.")]


def test_walk_found_our_views():
    assert len(OUR_ENDPOINTS) > 100


@pytest.mark.parametrize("endpoint", OUR_ENDPOINTS, ids=lambda e: e.label)
def test_every_view_of_ours_goes_through_the_core_access_helpers(endpoint):
    """Each of our views carries one of fede.core.access's decorators (public_view,
    login_view, permission_required, object_view): no view decides access by itself."""
    access = getattr(endpoint.callback, "fede_access", None)
    assert access is not None, (
        f"{endpoint.label}: la vue ne passe par aucun décorateur de fede.core.access"
    )
    assert access["kind"] in {PUBLIC, LOGIN, PERMISSION, OBJECT}
    if access["kind"] == PUBLIC:
        assert endpoint.name in PUBLIC_URL_NAMES


def test_a_view_without_the_helpers_fails_the_check():
    """The check above really catches a bare view."""

    def bare(request):  # pragma: no cover - never called
        return None

    endpoint = Endpoint(route="bare/", name="test:bare", path="/bare/", callback=bare)
    with pytest.raises(AssertionError):
        test_every_view_of_ours_goes_through_the_core_access_helpers(endpoint)


def test_admin_refuses_anonymous_users(client):
    """The admin ("gestion/") sends anonymous visitors to the site's login page."""
    response = client.get("/gestion/", follow=True)
    assert _login_target(response.redirect_chain[-1][0]) == (reverse("account_login"), "/gestion/")
    assert b'name="password"' in response.content


def test_admin_login_form_cannot_bypass_mfa(client, user_factory):
    """The admin's own login form is not served: a POST there logs nobody in."""
    user_factory(email="staff@example.org", password="correct horse battery", is_staff=True)
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    response = client.post(
        reverse("admin:login"),
        {"username": "staff@example.org", "password": "correct horse battery"},
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_admin_refuses_logged_in_users_without_staff_status(client, user_factory):
    """A logged-in member who is not staff cannot open the admin either."""
    client.force_login(user_factory())
    response = client.get("/gestion/accounts/user/", follow=True)
    assert response.status_code == 403


@pytest.mark.django_db
def test_admin_is_for_superusers_only(client):
    """A staff flag alone does not open the Django admin; a superuser (with MFA) does."""
    from fede.accounts.tests.factories import UserFactory, totp_activate

    staff = UserFactory(email="staff@example.org", is_staff=True)
    client.force_login(staff)
    response = client.get("/gestion/")
    assert response.status_code == 302
    assert "/gestion/login/" in response["Location"]

    superuser = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    # A superuser reads member data: MFA first.
    assert client.get("/gestion/")["Location"].startswith("/compte/securite/")
    totp_activate(superuser)
    assert client.get("/gestion/").status_code == 200
