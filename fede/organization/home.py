"""The organisation's panels of the logged-in home page (see core.registry.HomePanel)."""

from __future__ import annotations

from collections import namedtuple

from django.db import router
from django.db.models import IntegerField
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fede.core.statements import Slot, values

from . import memo
from .models import DuesPayment, Mandate, Member, up_to_date_in, up_to_date_years


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
            "name": f"{first_name} {last_name}".strip(),
            "role": roles.get(role, role),
            "portfolio": portfolio,
            "email": email if shares else "",
            "phone": phone if shares else "",
        }
        for first_name, last_name, role, portfolio, email, phone, shares in memo.OFFICERS.get(
            (section.pk, today), lambda: _officer_rows(section, today)
        )
    ]
    # One query for the payment of the year and "à jour" (up_to_date_in reads cancelled_at,
    # year and paid_on; the panel shows paid_on and amount).
    payments = dues_payments(member.pk, up_to_date_years(today))
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


#: The columns of the panel's dues read (:func:`dues_payments`), and its rows.
DUES_FIELDS = ("pk", "year", "paid_on", "amount", "cancelled_at")
DuesRow = namedtuple("DuesRow", DUES_FIELDS)


def dues_queryset(member_id, years, using: str = "default"):
    """The member's valid payments of ``years`` (the ORM read :func:`dues_payments`
    compiles once: ``member_id`` and ``years`` may be :class:`~fede.core.statements.Slot`)."""
    return (
        DuesPayment.objects.using(using)
        .valid()
        .filter(member_id=member_id, year__in=years)
        .values_list(*DUES_FIELDS)
    )


def dues_payments(member_id: int, years: list[int]) -> list[DuesRow]:
    """:func:`dues_queryset`'s rows as ``values_list(..., named=True)`` gives them, from a
    statement compiled once (fede.core.statements) per database and number of years: the
    member and the years are given at execution."""
    alias = router.db_for_read(DuesPayment)

    def build():
        return dues_queryset(
            Slot("member", IntegerField()),
            [Slot(f"year{i}", IntegerField()) for i in range(len(years))],
            alias,
        )

    key = ("organization.home_dues", alias, len(years))
    slots = {"member": member_id} | {f"year{i}": year for i, year in enumerate(years)}
    return [DuesRow._make(row) for row in values(key, build, slots, alias)]


def _officer_rows(section, today) -> list[tuple]:
    """The section's current officers as plain values of the columns shown (no model built
    per officer, no column unread). The same for every member of the section: kept a
    minute per process (memo.OFFICERS); each officer's consent decides, when the panel is
    built, whether their e-mail and phone are shown."""
    return list(
        Mandate.objects.current(today)
        .filter(unit=section)
        .order_by("role", "member__last_name", "pk")
        .values_list(
            "member__first_name",
            "member__last_name",
            "role",
            "portfolio",
            "member__email",
            "member__phone",
            "member__consent_share_contact",
        )
    )


def news_home(request) -> dict:
    """News of the section and of the federation (none published yet)."""
    return {
        "lines": [],
        "empty": _("Pas encore d'actualité de votre section ni de la fédération."),
        "links": [],
    }
