from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConventionConfig(AppConfig):
    name = "fede.convention"
    label = "convention"
    verbose_name = _("Convention")

    def ready(self):
        from fede.core.memo import clear_on_change
        from fede.organization.models import Unit

        from .models import Contribution
        from .selectors import forget_shared

        # A new or deleted contribution, a renamed section: this process's shared lists of
        # the topics are dropped (selectors.py).
        clear_on_change(forget_shared, Contribution, Unit)
