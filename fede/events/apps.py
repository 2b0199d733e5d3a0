from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "fede.events"
    label = "events"
    verbose_name = _("Événements")

    def ready(self):
        from fede.core.memo import clear_on_change
        from fede.organization.models import Territory, Unit

        from .selectors import clear_filter_lists

        # The agenda's filter lists kept by this process: forgotten as soon as a unit or a
        # territory changes here (other processes within a minute).
        clear_on_change(clear_filter_lists, Unit, Territory)
