from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebsiteConfig(AppConfig):
    name = "fede.website"
    label = "website"
    verbose_name = _("Site public")
