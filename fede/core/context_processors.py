from django.conf import settings


def site(request):
    """Site-wide values the base layout needs."""
    return {
        "FEDE_SITE_NAME": settings.FEDE_SITE_NAME,
        "FEDE_BRAND_COLOR": settings.FEDE_BRAND_COLOR,
        "FEDE_RELAX_MFA": settings.FEDE_RELAX_MFA,
        "FEDE_DEMO": settings.DEMO,
    }
