from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BallotsConfig(AppConfig):
    name = "fede.ballots"
    label = "ballots"
    verbose_name = _("Votes internes")

    def ready(self):
        from fede.core.memo import clear_on_change
        from fede.organization.models import Unit

        from .models import Ballot, Option, Round
        from .selectors import OPEN_ONLINE, ROUND_OPTIONS

        clear_on_change(OPEN_ONLINE, Ballot, Round, Unit)
        clear_on_change(ROUND_OPTIONS, Option, Round, m2m=[Round.options.through])
