"""Who may do what with events.

- ``events.manage`` (from organization.rules) on an event checks the capability on its
  organiser unit: section officers on their section's events, federation offices on
  every event of the federation's subtree.
- ``events.manage_speakers``: the speakers directory is shared by the whole federation;
  anyone who organises events somewhere keeps it.
- ``events.register``: may a member register for an event? :func:`registration_refusal`
  gives the reason, in French, when they may not.
"""

from __future__ import annotations

import rules
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fede.organization.models import Member
from fede.organization.roles import can
from fede.organization.selectors import member_of_user

from .models import Event, Invitation

UP_TO_DATE_ONLY_MESSAGE = gettext_lazy(
    "Cet événement est réservé aux adhérent·es à jour de cotisation."
)


@rules.predicate
def manages_events_somewhere(user):
    return can(user, "events.manage")


def registration_refusal(event: Event, member, *, now=None) -> str | None:
    """Why ``member`` may not register for ``event`` now, or ``None`` if they may."""
    now = now or timezone.now()
    state = event.registration_state(now)
    if state == "none":
        return _("Cet événement ne prend pas d'inscriptions.")
    if state == "cancelled":
        return _("Cet événement est annulé.")
    if state == "draft":
        return _("Cet événement n'est pas encore publié.")
    if state == "not_yet":
        return _("Les inscriptions ouvrent le %(date)s.") % {
            "date": date_format(timezone.localtime(event.registration_opens), "j F Y à H:i")
        }
    if state == "closed":
        return _("Les inscriptions sont closes.")
    if member is not None and member.status not in (Member.Status.ACTIVE, Member.Status.LAPSED):
        member = None  # former members are treated as the public
    if member is None:
        if event.visibility == Event.Visibility.PUBLIC:
            return None
        return _("Cet événement est réservé aux adhérent·es.")
    visibility = event.visibility
    if visibility == Event.Visibility.UNIT_MEMBERS:
        paths = member.section.ancestor_paths()
        units = [event.organiser, *event.co_organisers.all()]
        if not any(unit.path in paths for unit in units):
            return _("Cet événement est réservé aux adhérent·es des unités organisatrices.")
    elif visibility == Event.Visibility.UP_TO_DATE:
        if not member.is_up_to_date_on(timezone.localdate(now)):
            return str(UP_TO_DATE_ONLY_MESSAGE)
    elif (
        visibility == Event.Visibility.INVITATION
        and not Invitation.objects.filter(event=event, member=member).exists()
    ):
        return _("Cet événement est sur invitation.")
    return None


@rules.predicate
def may_register(user, event):
    if event is None:
        return False
    return registration_refusal(event, member_of_user(user)) is None


rules.add_perm("events.manage_speakers", manages_events_somewhere)
rules.add_perm("events.register", rules.is_authenticated & may_register)
