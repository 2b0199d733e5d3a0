import io

import pytest

from fede.convention import demo
from fede.convention.models import (
    Amendment,
    Citation,
    Contribution,
    Convention,
    Phase,
    VoteResult,
)
from fede.organization.tests.factories import make_federation, make_section

pytestmark = pytest.mark.django_db


def test_demo_has_last_years_convention_complete_and_this_years_in_debates():
    """Last year: results published, syntheses citing contributions, answered amendments;
    this year: section debates with contributions; a second run adds nothing; the texts
    are the same on every run."""
    federation = make_federation(code="FED75")
    for n in range(30):
        make_section(federation, name=f"Paris {n}", code=f"S75-{n:02d}-1")
    demo.load(stdout=io.StringIO())
    last, current = Convention.objects.order_by("year")
    assert last.phase == Phase.RESULTS and current.phase == Phase.DEBATES
    assert Contribution.objects.filter(topic__convention=last).count() > 40
    assert Contribution.objects.filter(topic__convention=current).count() > 20
    assert Citation.objects.filter(paragraph__topic__convention=last).exists()
    assert Amendment.objects.exclude(status=Amendment.Status.TABLED).exists()
    assert VoteResult.objects.filter(topic__isnull=False).count() == 3
    assert not Contribution.objects.filter(
        topic__convention=current, section__code="S75-11-1", topic__scope="paris"
    ).exists()
    texts = list(Contribution.objects.order_by("pk").values_list("text", flat=True))
    assert "La section propose de" in texts[0]
    counts = (Contribution.objects.count(), Citation.objects.count(), Amendment.objects.count())
    demo.load(stdout=io.StringIO())
    assert (
        Contribution.objects.count(),
        Citation.objects.count(),
        Amendment.objects.count(),
    ) == counts
