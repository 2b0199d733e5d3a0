from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KitsConfig(AppConfig):
    name = "fede.kits"
    label = "kits"
    verbose_name = _("Kits")
