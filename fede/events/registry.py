"""What the events app declares to core: capabilities and grants, menu, home card, public
URLs and the action codes of its trails."""

from django.utils.translation import gettext_lazy as _

from fede.core.registry import AppDeclaration, HomeCard, Link, register
from fede.organization.models import Role

ORGANISERS = (
    Role.SECTION_SECRETARY,
    Role.SECTION_BUREAU,
    Role.FIRST_SECRETARY,
    Role.FEDERAL_SECRETARY,
    Role.FEDERAL_STAFF,
)

register(
    AppDeclaration(
        label="events",
        capabilities={"events.manage": _("Organiser des événements")},
        grants={role: {"events.manage"} for role in ORGANISERS},
        menu=(
            Link("events:agenda", _("Agenda"), capability=None, order=50),
            Link("events:my_events", _("Mes événements"), order=60),
        ),
        home_cards=(
            HomeCard(
                title=_("Événements"),
                text=_(
                    "Réunions de section, conférences-débats et formations : s'inscrire en un "
                    "clic, retrouver ses événements."
                ),
                links=(
                    Link("events:agenda", _("Agenda"), capability=None),
                    Link("events:my_events", _("Mes événements")),
                    Link("events:manage", _("Organiser"), capability="events.manage"),
                ),
                order=30,
            ),
        ),
        # The agenda and the pages of public events (the views show only what
        # events_visible_to(user) allows: public events to anonymous visitors), the
        # federation's public calendar feed, the personal and unit feeds at a secret
        # per-user address, and the signed links of registration e-mails (ticket, guest
        # confirmation, cancellation).
        public_url_names=(
            "events:agenda",
            "events:month",
            "events:event_short",
            "events:event_detail",
            "events:event_ics",
            "events:event_image",
            "events:material_download",
            "events:speaker_photo",
            "events:guest_register",
            "events:guest_confirm",
            "events:ticket",
            "events:ticket_ics",
            "events:ticket_cancel",
            "events:public_feed",
            "events:personal_feed",
            "events:unit_feed",
        ),
        actions={
            # Audit trail (organisers' writes).
            "events.event_create": _("Création de l'événement n°%(event)s"),
            "events.event_update": _("Modification de l'événement n°%(event)s"),
            "events.event_cancel": _("Annulation de l'événement n°%(event)s"),
            "events.speaker_create": _("Ajout de l'intervenant·e n°%(speaker)s à l'annuaire"),
            "events.speaker_update": _("Modification de la fiche de l'intervenant·e n°%(speaker)s"),
            "events.programme_add": _(
                "Intervenant·e n°%(speaker)s au programme de l'événement n°%(event)s"
            ),
            "events.programme_remove": _(
                "Intervenant·e n°%(speaker)s retiré·e du programme de l'événement n°%(event)s"
            ),
            "events.material_add": _("Document n°%(material)s ajouté à l'événement n°%(event)s"),
            "events.material_remove": _(
                "Document n°%(material)s retiré de l'événement n°%(event)s"
            ),
            "events.registration_create": _(
                "Inscription n°%(registration)s à l'événement n°%(event)s par l'organisation"
            ),
            "events.registration_cancel": _(
                "Annulation de l'inscription n°%(registration)s à l'événement n°%(event)s "
                "par l'organisation"
            ),
            "events.check_in": _(
                "Présence pointée pour l'inscription n°%(registration)s à l'événement n°%(event)s"
            ),
            "events.check_in_undo": _(
                "Présence retirée pour l'inscription n°%(registration)s à l'événement n°%(event)s"
            ),
            "events.invitation_add": _("%(count)s invitation(s) à l'événement n°%(event)s"),
            "events.invitation_remove": _(
                "Invitation n°%(invitation)s à l'événement n°%(event)s retirée"
            ),
            # Access log (reads).
            "events.attendees_list": _("Participant·es de l'événement n°%(event)s"),
        },
    )
)
