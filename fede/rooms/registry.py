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
            role: {"rooms.book"}
            | ({"rooms.approve", "rooms.manage"} if role in ROOM_MANAGERS else set())
            | ({"rooms.approve"} if role == Role.FEDERAL_SECRETARY else set())
            for role in BOOKERS
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
        actions={
            "rooms.booking_create": _("Réservation n° %(booking)s de %(room)s le %(day)s"),
            "rooms.booking_update": _("Réservation n° %(booking)s modifiée"),
            "rooms.booking_cancel": _("Réservation n° %(booking)s de %(room)s annulée"),
            "rooms.booking_approve": _("Réservation n° %(booking)s de %(room)s validée"),
            "rooms.booking_refuse": _("Réservation n° %(booking)s de %(room)s refusée"),
            "rooms.series_create": _("Série n° %(series)s de %(room)s : %(count)s dates réservées"),
            "rooms.series_cancel": _("Série n° %(series)s : %(count)s dates annulées"),
            "rooms.venue_create": _("Lieu « %(venue)s » créé"),
            "rooms.venue_update": _("Lieu « %(venue)s » modifié"),
            "rooms.room_create": _("Salle « %(room)s » créée"),
            "rooms.room_update": _("Salle « %(room)s » modifiée"),
            "rooms.photo_add": _("Photo ajoutée à la salle « %(room)s »"),
            "rooms.ics_reset": _("Nouvelle adresse du calendrier de la salle « %(room)s »"),
        },
    )
)
