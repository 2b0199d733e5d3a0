"""Helpers to build consultations in tests (through the services, as SYSTEM)."""

import datetime

from django.utils import timezone

from fede.consultations import services
from fede.consultations.models import Consultation, Paragraph
from fede.core.access import SYSTEM

TEXT = """# Aider les sections

Création de kits pour les tâches matérielles des sections.

Refonte du site Internet de la Fédération.

## Débattre

Organiser le travail sur trois sujets chaque année.
"""


def make_consultation(
    unit,
    *,
    source=TEXT,
    open_=True,
    audience="federation",
    section=None,
    opens_at=None,
    closes_at=None,
    title="Projet fédéral",
):
    now = timezone.now()
    consultation = services.consultation_create(
        actor=SYSTEM,
        unit=unit,
        title=title,
        source=source,
        opens_at=opens_at or now - datetime.timedelta(days=1),
        closes_at=closes_at or now + datetime.timedelta(days=10),
        audience=audience,
        section=section,
    )
    if open_:
        consultation.status = Consultation.Status.PUBLISHED
        consultation.save(update_fields=["status"])
    return consultation


def paragraphs(consultation):
    return list(
        Paragraph.objects.filter(chapter__version__consultation=consultation).order_by(
            "chapter__version__number", "chapter__position", "position"
        )
    )
