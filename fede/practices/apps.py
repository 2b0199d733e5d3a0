from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "fede.practices"
    label = "practices"
    verbose_name = _("Partage des pratiques")

    def ready(self):
        from fede.core.memo import clear_on_change
        from fede.kits.models import Kit, KitVersion

        from .selectors import _KIT_CHOICES

        # The kits offered on a post, kept a minute per process (selectors.py): forgotten
        # as soon as a kit or one of its versions changes here.
        clear_on_change(_KIT_CHOICES, Kit, KitVersion)
