"""The public site's identity and footer, for its templates."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def site_identity() -> dict:
    """Name, description and logo of the federation (settings-driven: FEDE_SITE_NAME,
    FEDE_SITE_DESCRIPTION, FEDE_SITE_LOGO; the colour is FEDE_BRAND_COLOR, see theme.css)."""
    return {
        "name": settings.FEDE_SITE_NAME,
        "description": getattr(settings, "FEDE_SITE_DESCRIPTION", ""),
        "logo": getattr(settings, "FEDE_SITE_LOGO", "") or "website/logo.svg",
    }


@register.simple_tag
def footer_pages() -> list:
    from fede.website.selectors import footer_pages as pages

    return pages()
