"""Template helpers of the whole project: ``{% load fede %}``."""

from django import template

from fede.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown", is_safe=True)
def markdown_filter(value):
    """``{{ text|markdown }}``: user Markdown rendered as sanitised HTML."""
    return render_markdown(value or "")
