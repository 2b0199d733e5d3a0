from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebsiteConfig(AppConfig):
    name = "fede.website"
    label = "website"
    verbose_name = _("Site public")

    def ready(self):
        from fede.core.memo import clear_on_change
        from fede.events.models import Event
        from fede.organization.models import Territory, Unit
        from fede.rooms.models import Booking, Room, Venue

        from .models import NewsPost, Page
        from .selectors import _PUBLIC

        # What the public pages keep a minute per process (selectors.py): forgotten as soon
        # as anything they show changes here (other processes within the minute).
        clear_on_change(
            _PUBLIC,
            NewsPost,
            Page,
            Unit,
            Territory,
            Event,
            Booking,
            Room,
            Venue,
            m2m=[Event.co_organisers.through],
        )
