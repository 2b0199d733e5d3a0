"""Builders of ballots for the tests (and the browser test)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fede.core.access import SYSTEM
from fede.organization.models import Member
from fede.organization.tests.factories import DuesPaymentFactory, MemberFactory

from .. import services
from ..models import Ballot

CUTOFF = datetime.date(2025, 1, 15)


def paid_member(section, *, user=None, joined=datetime.date(2023, 5, 1), paid=True, **fields):
    """A member of ``section`` who joined before the cut-off and paid the year's dues."""
    member = MemberFactory(section=section, user=user, joined_on=joined, **fields)
    if user is not None and not member.email:
        member.email = user.email
        member.save(update_fields=["email"])
    if paid:
        DuesPaymentFactory(
            member=member, year=CUTOFF.year, paid_on=CUTOFF - datetime.timedelta(days=5)
        )
    return member


def make_ballot(
    federation,
    *,
    mode=Ballot.Mode.SECTION,
    kind=Ballot.Kind.ELECTION,
    options=("Louise Michel", "Jean Jaurès", "Rosa Luxemburg"),
    opens_at=None,
    closes_at=None,
    open_it=False,
    **extra,
) -> Ballot:
    opens_at = opens_at or timezone.now() - datetime.timedelta(hours=1)
    closes_at = closes_at or opens_at + datetime.timedelta(days=2)
    ballot = services.ballot_create(
        actor=SYSTEM,
        federation=federation,
        options=list(options),
        title=extra.pop("title", "Élection du premier secrétaire fédéral"),
        description=extra.pop("description", ""),
        kind=kind,
        mode=mode,
        majority=extra.pop("majority", Ballot.Majority.ABSOLUTE),
        runoff_size=extra.pop("runoff_size", 2),
        eligibility_date=extra.pop("eligibility_date", CUTOFF),
        joined_before=extra.pop("joined_before", datetime.date(2024, 12, 31)),
        opens_at=opens_at,
        closes_at=closes_at,
    )
    if open_it:
        ballot = services.ballot_open(actor=SYSTEM, ballot=ballot)
    return ballot


def member_of(user) -> Member:
    return Member.objects.get(user=user)
