"""Kits for tests: a small published kit, and the federation's real ones."""

from __future__ import annotations

from fede.core.access import SYSTEM
from fede.kits import services
from fede.kits.content import KITS
from fede.kits.models import Kit

SMALL_KIT = {
    "slug": "kit-de-test",
    "category": "tractage",
    "title": "Kit de test",
    "summary": "Un kit court.",
    "effort": "2 personnes",
    "steps": [
        {
            "title": "Préparer",
            "offset": -21,
            "office": "section_secretary",
            "checklist": ["Salle", "Tract"],
        },
        {"title": "Faire", "offset": 0, "office": "section_bureau"},
        {"title": "Remercier", "offset": 3},
    ],
    "templates": [
        {
            "kind": "convocation",
            "title": "Convocation",
            "body": "# Convocation\n\nSection {section}, le {date} à {heure}, {lieu}.\n\n"
            "Secrétaire : {secretaire}. Trésorerie : {tresorier}. {inconnu}",
        },
    ],
}


def make_kit(data: dict | None = None) -> Kit:
    data = data or SMALL_KIT
    services.kits_load(actor=SYSTEM, kits=[data])
    return Kit.objects.get(slug=data["slug"])


def load_all_kits() -> dict[str, Kit]:
    services.kits_load(actor=SYSTEM, kits=KITS)
    return {k.slug: k for k in Kit.objects.all()}
