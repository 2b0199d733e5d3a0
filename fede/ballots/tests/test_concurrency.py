"""One ballot per voter per round, even when voters and double clicks arrive together."""

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.organization.models import DuesPayment, Member
from fede.organization.tests.factories import make_federation, make_section

from .. import services
from ..models import Ballot, CastBallot, RollEntry, VoteRecord
from ..selectors import round_results
from .factories import CUTOFF, make_ballot

THREADS = 8
VOTERS_PER_THREAD = 125


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_thousand_concurrent_online_ballots_one_per_voter_none_lost():
    """8 threads, each with its own connection, cast the ballots of 1,000 voters — every
    voter twice, from two different threads at about the same time. Exactly one ballot
    per voter is in the box, none is lost, and the tally equals the receipts handed out."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (concurrent transactions on one database)")
    federation = make_federation(code="FEDV")
    sections = [make_section(federation, name=f"Section {i}") for i in range(4)]
    User = get_user_model()
    users = User.objects.bulk_create(
        User(email=f"votant{i}@example.org", password="!")
        for i in range(THREADS * VOTERS_PER_THREAD)
    )
    members = Member.objects.bulk_create(
        Member(
            membership_number=f"V{i:07d}",
            first_name="Votant",
            last_name=f"N{i}",
            joined_on=datetime.date(2020, 1, 1),
            section=sections[i % 4],
            user=user,
        )
        for i, user in enumerate(users)
    )
    DuesPayment.objects.bulk_create(
        DuesPayment(member=m, year=CUTOFF.year, amount=30, paid_on=CUTOFF, method="transfer")
        for m in members
    )
    ballot = make_ballot(
        federation,
        mode=Ballot.Mode.ONLINE,
        kind=Ballot.Kind.MOTIONS,
        options=("Motion A", "Motion B", "Motion C"),
        majority=Ballot.Majority.RELATIVE,
        open_it=True,
    )
    assert RollEntry.objects.filter(ballot=ballot).count() == len(users)
    options = list(ballot.options.all())
    receipts: list[str] = []
    refused: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def run(worker: int):
        # Thread w votes for its own slice, then again for the next thread's slice: every
        # voter is attempted twice, by two threads running at the same moment.
        mine = list(range(worker * VOTERS_PER_THREAD, (worker + 1) * VOTERS_PER_THREAD))
        nxt = (worker + 1) % THREADS
        theirs = list(range(nxt * VOTERS_PER_THREAD, (nxt + 1) * VOTERS_PER_THREAD))
        order = [i for pair in zip(mine, theirs, strict=True) for i in pair]
        try:
            barrier.wait(timeout=60)
            for i in order:
                try:
                    receipt = services.vote_cast(
                        actor=users[i], ballot=ballot, option=options[i % 3], code="", verify=False
                    )
                    with lock:
                        receipts.append(receipt)
                except services.ValidationError as exc:
                    with lock:
                        refused.append(exc.messages[0])
                except Exception as exc:  # noqa: BLE001 — reported by the assertion
                    with lock:
                        errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    total = THREADS * VOTERS_PER_THREAD
    assert not errors, errors[:5]
    assert len(receipts) == total
    assert len(refused) == total and set(refused) == {"Vous avez déjà voté à ce tour."}
    assert VoteRecord.objects.count() == total
    assert VoteRecord.objects.values("member").distinct().count() == total
    assert CastBallot.objects.count() == total
    assert set(CastBallot.objects.values_list("receipt", flat=True)) == set(receipts)
    round_ = ballot.rounds.get()
    services.round_close(
        actor=SYSTEM, round=round_, now=timezone.now() + datetime.timedelta(days=3)
    )
    results = round_results(round_)
    assert results.voters == total == sum(line.votes for line in results.lines) + results.blank
    assert [line.votes for line in results.lines] == [334, 333, 333]
