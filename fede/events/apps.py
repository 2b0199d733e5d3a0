from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "fede.events"
    label = "events"
    verbose_name = _("Événements")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from fede.organization.models import Territory, Unit

        from .selectors import clear_filter_lists

        # The agenda's filter lists kept by this process: forgotten as soon as a unit or a
        # territory changes here (other processes within a minute).
        for model in (Unit, Territory):
            post_save.connect(clear_filter_lists, sender=model, dispatch_uid=f"events-{model}")
            post_delete.connect(clear_filter_lists, sender=model, dispatch_uid=f"events-d-{model}")
