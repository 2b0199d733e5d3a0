"""The organisation's panels of the logged-in home page (see core.registry.HomePanel)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Mandate, Member, up_to_date_in, up_to_date_years


def member_home(request) -> dict | None:
    """The member's section, its meeting place and officers, and their dues of the year.

    An officer's e-mail and phone are shown only if that officer agreed to share their
    contact details; otherwise the section's own contact is.
    """
    from .selectors import member_of_user

    member = member_of_user(request.user)
    if member is None:
        return {"member": None}
    if member.anonymised_at is not None:
        return None
    section = member.section
    today = timezone.localdate()
    # get_role_display() translates every role at each call: once for the panel instead.
    roles = {value: str(label) for value, label in Mandate._meta.get_field("role").flatchoices}
    officers = [
        {
            "name": mandate.member.full_name,
            "role": roles.get(mandate.role, mandate.role),
            "portfolio": mandate.portfolio,
            "email": mandate.member.email if mandate.member.consent_share_contact else "",
            "phone": mandate.member.phone if mandate.member.consent_share_contact else "",
        }
        for mandate in Mandate.objects.current(today)
        .filter(unit=section)
        .select_related("member")
        .order_by("role", "member__last_name", "pk")
    ]
    # One query for the payment of the year and "à jour" (up_to_date_q, in Python).
    payments = list(member.payments.valid().filter(year__in=up_to_date_years(today)))
    payment = min((p for p in payments if p.year == today.year), key=lambda p: p.pk, default=None)
    return {
        "member": member,
        "section": section,
        "officers": officers,
        "is_current": member.status in (Member.Status.ACTIVE, Member.Status.LAPSED),
        "year": today.year,
        "payment": payment,
        "is_up_to_date": up_to_date_in(payments, today),
        "section_url": reverse("organization:my_sections"),
    }


def news_home(request) -> dict:
    """News of the section and of the federation (none published yet)."""
    return {
        "lines": [],
        "empty": _("Pas encore d'actualité de votre section ni de la fédération."),
        "links": [],
    }
