from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "fede.consultations"
    label = "consultations"
    verbose_name = _("Consultations")

    def ready(self):
        from fede.core.memo import clear_on_change

        from . import rows, selectors
        from .models import Chapter, Comment, Paragraph, ParagraphSupport, Rewording, Version

        # Their keys already hold the version's stamp (the text) or its totals (the
        # participants): emptied on a change all the same, belt and braces.
        clear_on_change(rows.clear_text_caches, Version, Chapter, Paragraph)
        clear_on_change(selectors.clear_participants, Comment, Rewording, ParagraphSupport)
