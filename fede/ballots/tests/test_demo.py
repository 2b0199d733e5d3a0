import datetime
import io

import pytest
from django.utils import timezone

from fede.organization.tests.factories import (
    DuesPaymentFactory,
    MemberFactory,
    make_federation,
    make_section,
)

from .. import demo
from ..models import Ballot, CastBallot, Round, SectionResult, VoteRecord
from ..selectors import round_results

pytestmark = pytest.mark.django_db


@pytest.fixture
def paris(db):
    federation = make_federation(code="FED75")
    today = timezone.localdate()
    for code in ("S75-11-1", "S75-15-3", "S75-20-1"):
        section = make_section(federation, name=code, code=code)
        for _ in range(30):
            member = MemberFactory(section=section, joined_on=datetime.date(2015, 1, 1))
            for year in (today.year - 1, today.year):
                DuesPaymentFactory(member=member, year=year, paid_on=datetime.date(year, 1, 2))
    return federation


def test_demo_has_last_congress_in_two_rounds_and_an_open_online_motion_vote(paris):
    """Two rounds, every section's PV validated and published; an online vote open with
    some ballots in the box; a second run creates nothing."""
    demo.load(stdout=io.StringIO())
    congress = Ballot.objects.get(mode=Ballot.Mode.SECTION)
    assert congress.status == Ballot.Status.FINISHED
    assert list(congress.rounds.values_list("number", "status")) == [
        (1, "published"),
        (2, "published"),
    ]
    assert SectionResult.objects.filter(round__ballot=congress).count() == 6
    assert (
        not SectionResult.objects.filter(round__ballot=congress)
        .exclude(status="validated")
        .exists()
    )
    final = round_results(congress.rounds.get(number=2))
    assert final.outcome.winner is not None and final.complete
    motions = Ballot.objects.get(mode=Ballot.Mode.ONLINE)
    round_ = motions.rounds.get()
    assert round_.status == Round.Status.OPEN and round_.accepting_votes()
    assert (
        VoteRecord.objects.filter(round=round_).count()
        == CastBallot.objects.filter(round=round_).count()
        > 0
    )
    counts = (Ballot.objects.count(), SectionResult.objects.count(), CastBallot.objects.count())
    demo.load(stdout=io.StringIO())
    assert (
        Ballot.objects.count(),
        SectionResult.objects.count(),
        CastBallot.objects.count(),
    ) == counts
