"""Template helpers of the consultations app."""

from django import template

from ..text import word_diff as _word_diff

register = template.Library()


@register.simple_tag
def word_diff(old: str, new: str):
    """The change from ``old`` to ``new``, word by word (<del>/<ins>, escaped)."""
    return _word_diff(old or "", new or "")
