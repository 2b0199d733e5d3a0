from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fede.core"
    label = "core"
    verbose_name = _("Socle")

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the deploy checks)
            registry,
        )

        # Every app's registry.py: capabilities, grants, menus, public URLs, actions.
        registry.autodiscover()
