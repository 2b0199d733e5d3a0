"""What the events app declares to core: capabilities and grants, menu, home card, public
URLs and the action codes of its trails."""

import datetime
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from fede.core.registry import AppDeclaration, HomeCard, HomePanel, Link, register
from fede.organization.models import Role


class _Shown(NamedTuple):
    """An event as a line of the home panel shows it (what ``event_url_maker`` reads)."""

    pk: int
    title: str
    slug: str
    start: datetime.datetime


def _home_events(request):
    """The member's home: next meetings of their section, then their registrations."""
    from django.urls import reverse
    from django.utils import formats, timezone

    from .selectors import audience_member, event_url_maker, home_meetings, home_registrations

    member = audience_member(request.user)
    if member is None:
        return None
    now = timezone.now()
    # A line shows the title, the start and the link: no other column, no join (the
    # planning of the joins cost more than reading these few rows). Both reads are
    # statements compiled once (selectors.home_meetings, home_registrations).
    meetings = home_meetings(request.user, member, now)
    # Only the next five registrations (not the whole history "Mes événements" shows).
    registered = home_registrations(member, now)
    registered_ids = {row[0] for row in registered}
    lines, seen = [], set()
    url = event_url_maker()
    for event in map(_Shown._make, [*meetings, *registered]):
        if event.pk in seen:
            continue
        seen.add(event.pk)
        when = formats.date_format(timezone.localtime(event.start), "l j F Y, H\\hi")
        registered_label = _("inscrit·e") if event.pk in registered_ids else ""
        lines.append(
            {
                "text": event.title,
                "url": url(event),
                "meta": ", ".join(str(x) for x in (when, registered_label) if x),
            }
        )
    return {
        "lines": lines,
        "empty": _("Aucune réunion ni inscription à venir."),
        "links": [
            (_("Agenda"), reverse("events:agenda")),
            (_("Mes événements"), reverse("events:my_events")),
        ],
    }


def _personal_data(user, member):
    """Registrations, attendance and trainings of the person (for "Mes données")."""
    from .selectors import my_registrations

    if member is None:
        return {}
    rows = []
    for registration in my_registrations(member).order_by("event__start", "pk"):
        event = registration.event
        rows.append(
            {
                "event": event.title,
                "kind": str(event.get_kind_display()),
                "start": event.start.isoformat(),
                "organiser": event.organiser.name,
                "status": registration.status,
                "status_label": str(registration.get_status_display()),
                "attended": getattr(registration, "attended", None),
                "registered_at": registration.created_at.isoformat(),
            }
        )
    return {"registrations": rows}


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
        home_panels=(HomePanel("events", _("Mes prochaines réunions"), _home_events, order=20),),
        personal_data=_personal_data,
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
            "events.event_publish": _("Publication de l'événement n°%(event)s"),
            "events.event_postpone": _("Report de l'événement n°%(event)s"),
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
            "events.registrations_export": _(
                "Export (%(format)s) des inscriptions de l'événement n°%(event)s"
            ),
            "events.sign_in_sheet": _("Feuille d'émargement de l'événement n°%(event)s"),
            "events.invitations_list": _("Invité·es de l'événement n°%(event)s"),
            "events.checkin_scan": _(
                "Billet de l'inscription n°%(registration)s lu à l'entrée de l'événement "
                "n°%(event)s"
            ),
        },
    )
)
