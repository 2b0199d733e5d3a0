"""Helpers for the apps' tests (imported by tests only)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.http import Http404

from .access import get_in_scope_compiled_or_404, get_in_scope_or_404


def check_compiled_fetch(
    build: Callable,
    capability: str,
    readers: Iterable,
    objects: Iterable,
    shown: Callable,
) -> set[str]:
    """For each reader and object: :func:`get_in_scope_compiled_or_404` gives what
    :func:`get_in_scope_or_404` gives (``shown(obj)`` equal), or a 404 where it does.
    Returns the outcomes met ({"found", "404"}), for the test to assert both were."""
    outcomes = set()
    for reader in readers:
        for obj in objects:
            args = {"actor": reader, "capability": capability}
            try:
                expected = get_in_scope_or_404(build(), **args, pk=obj.pk)
            except Http404:
                expected = None
            try:
                got = get_in_scope_compiled_or_404(build, **args, field="pk", value=obj.pk)
            except Http404:
                got = None
            assert (got is None) == (expected is None), (reader, obj, expected)
            if expected is None:
                outcomes.add("404")
                continue
            assert shown(got) == shown(expected), (reader, obj)
            outcomes.add("found")
    return outcomes


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')


def without_csrf(html: str) -> str:
    """A page's HTML without its CSRF tokens (they change from one rendering to the
    next): to compare two renderings of the same page."""
    return _CSRF.sub("", html)


def mail_parts(message) -> tuple[str, str]:
    """The text body and the one HTML alternative of a message (both must exist)."""
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return message.body, html
