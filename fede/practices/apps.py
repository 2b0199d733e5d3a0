from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "fede.practices"
    label = "practices"
    verbose_name = _("Partage des pratiques")

    def ready(self):
        from fede.core.memo import clear_on_change
        from fede.kits.models import Kit, KitVersion
        from fede.organization.models import Unit

        from .models import Post
        from .selectors import _KIT_CHOICES, _SCOPE_LISTS
        from .views import _CARDS

        # The kits offered on a post, kept a minute per process (selectors.py): forgotten
        # as soon as a kit or one of its versions changes here.
        clear_on_change(_KIT_CHOICES, Kit, KitVersion)
        # The popular tags and the highlighted cards per reader's scope, kept a minute
        # (selectors.py, views.py): forgotten as soon as a post or a unit (whose paths
        # decide the scope) changes here.
        clear_on_change(_SCOPE_LISTS, Post, Unit)
        clear_on_change(_CARDS, Post, Unit)
