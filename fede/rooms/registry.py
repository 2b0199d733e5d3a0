"""What the rooms app declares to core: capabilities and grants, menu, home card, public
URLs and the action codes of its trails."""

from django.utils.translation import gettext_lazy as _

from fede.core.registry import AppDeclaration, HomeCard, Link, register
from fede.organization.models import Role

BOOKERS = (
    Role.SECTION_SECRETARY,
    Role.SECTION_TREASURER,
    Role.SECTION_BUREAU,
    Role.FIRST_SECRETARY,
    Role.FEDERAL_SECRETARY,
    Role.FEDERAL_STAFF,
)
ROOM_MANAGERS = (Role.FIRST_SECRETARY, Role.FEDERAL_STAFF)

register(
    AppDeclaration(
        label="rooms",
        capabilities={
            "rooms.book": _("Réserver une salle pour sa section"),
            "rooms.approve": _("Valider les demandes de réservation"),
            "rooms.manage": _("Gérer l'annuaire des salles"),
        },
        grants={
            **{role: {"rooms.book"} for role in BOOKERS},
            **{role: {"rooms.approve", "rooms.manage"} for role in ROOM_MANAGERS},
            Role.FEDERAL_SECRETARY: {"rooms.book", "rooms.approve"},
        },
        menu=(Link("rooms:directory", _("Salles"), order=40, prefix_match=True),),
        home_cards=(
            HomeCard(
                title=_("Salles de réunion"),
                text=_(
                    "Trouver une salle libre, l'espace sections de la fédération, réserver "
                    "pour sa section."
                ),
                links=(
                    Link("rooms:directory", _("Annuaire des salles")),
                    Link(
                        "rooms:my_bookings",
                        _("Réservations de ma section"),
                        capability="rooms.book",
                    ),
                ),
                order=20,
            ),
        ),
        # A room's calendar feed for calendar apps, at an unguessable per-room address; it
        # shows "Réservé — <section>" and times only.
        public_url_names=("rooms:room_ics",),
        actions={},
    )
)
