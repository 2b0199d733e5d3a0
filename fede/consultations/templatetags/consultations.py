"""Template helpers of the consultations app."""

import functools

from django import template

from ..text import word_diff as _word_diff

register = template.Library()


@functools.lru_cache(maxsize=2048)
def cached_word_diff(old: str, new: str):
    # A pure function of the two texts (no user, no language): the rewordings of a busy
    # paragraph are diffed once per process, not on every page view.
    return _word_diff(old, new)


@register.simple_tag
def word_diff(old: str, new: str):
    """The change from ``old`` to ``new``, word by word (<del>/<ins>, escaped)."""
    return cached_word_diff(old or "", new or "")
