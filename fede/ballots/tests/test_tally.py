"""The kept tally of a section round (``RoundTally``) is always the recount of its PVs:
after each service that changes a PV, a roll correction, a correction request (a PV leaving
the count) and a publication; the results page reads it and shows what a recount shows."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from fede.organization.tests.factories import make_section

from .. import services
from ..models import Round, RoundTally
from ..selectors import round_results, tally_of
from .factories import make_ballot, paid_member
from .test_services import figures, pv_of

pytestmark = pytest.mark.django_db


def kept(round_) -> dict:
    tally = RoundTally.objects.get(round=round_)
    return {
        "pvs": tally.pvs,
        "counted": tally.counted,
        "roll": tally.roll,
        "registered": tally.registered,
        "voters": tally.voters,
        "blank": tally.blank,
        "void": tally.void,
        "votes": {int(k): v for k, v in tally.votes.items()},
    }


def assert_kept_is_recount(round_) -> dict:
    round_ = Round.objects.select_related("ballot").get(pk=round_.pk)
    recount = tally_of(round_.pk)
    assert kept(round_) == recount
    read, summed = round_results(round_), round_results(round_, recount=True)
    for name in ("roll", "registered", "voters", "blank", "void", "section_count"):
        assert getattr(read, name) == getattr(summed, name), name
    assert read.missing_count == summed.missing_count
    assert [(line.option, line.votes, line.share) for line in read.lines] == [
        (line.option, line.votes, line.share) for line in summed.lines
    ]
    assert read.outcome == summed.outcome
    return recount


def test_kept_tally_equals_a_recount_through_a_pvs_life(
    federation, section_a, section_b, voters_a, voters_b, secretary_a, assessor_a, staff
):
    ballot = make_ballot(federation, open_it=True)
    round_ = ballot.rounds.get()
    assert assert_kept_is_recount(round_)["pvs"] == 2  # opened: every PV, nothing counted
    pv = pv_of(ballot, section_a)

    # A roll correction changes the "inscrits" of a PV not entered yet.
    forgotten = paid_member(section_a, paid=False)
    entry = services.roll_add(actor=staff, ballot=ballot, member=forgotten, reason="Chèque")
    assert assert_kept_is_recount(round_)["roll"] == 11
    services.roll_strike(actor=staff, entry=entry, reason="Erreur")
    assert assert_kept_is_recount(round_)["roll"] == 10

    # Entered (with fewer "inscrits"), countersigned: in the roll only.
    pv = pv_of(ballot, section_a)
    services.pv_enter(actor=secretary_a, result=pv, **figures(pv, registered=6))
    assert assert_kept_is_recount(round_)["roll"] == 9
    services.pv_countersign(actor=assessor_a, result=pv)
    assert assert_kept_is_recount(round_)["counted"] == 0

    # Recorded: validated, its figures enter the count.
    services.pv_validate(actor=staff, result=pv)
    counted = assert_kept_is_recount(round_)
    assert (counted["counted"], counted["voters"], counted["blank"]) == (1, 4, 1)
    assert sorted(counted["votes"].values()) == [0, 1, 2]

    # Cancelled: a correction request takes a validated PV out of the count.
    services.pv_request_correction(actor=staff, result=pv, note="Recompter")
    out = assert_kept_is_recount(round_)
    assert (out["counted"], out["voters"], out["votes"]) == (0, 0, {})

    # Corrected: entered again, then rectified (validated) by the federation.
    pv = pv_of(ballot, section_a)
    services.pv_enter(actor=secretary_a, result=pv, **figures(pv, voters=5, votes=(1, 1, 2)))
    assert assert_kept_is_recount(round_)["counted"] == 0
    services.pv_rectify(
        actor=staff, result=pv, reason="Erreur d'addition", **figures(pv, voters=5, votes=(1, 2, 1))
    )
    rectified = assert_kept_is_recount(round_)
    assert (rectified["counted"], rectified["voters"]) == (1, 5)

    # The other section, rectified directly; then close and publish.
    pv_b = pv_of(ballot, section_b)
    services.pv_rectify(
        actor=staff,
        result=pv_b,
        reason="Saisie fédérale",
        **figures(pv_b, voters=3, blank=0, votes=(0, 1, 2)),
    )
    assert assert_kept_is_recount(round_)["counted"] == 2
    services.round_close(
        actor=staff, round=round_, now=round_.closes_at + datetime.timedelta(minutes=1)
    )
    services.round_publish(actor=staff, round=round_)
    assert assert_kept_is_recount(round_)["voters"] == 8

    # A second round has its own tally from its opening.
    now = timezone.now()
    second = services.round_open_next(
        actor=staff, ballot=ballot, opens_at=now - datetime.timedelta(hours=1), closes_at=now
    )
    assert assert_kept_is_recount(second)["pvs"] == 2


def test_a_section_added_by_a_roll_correction_enters_the_tally(
    federation, section_a, voters_a, staff
):
    ballot = make_ballot(federation, open_it=True)
    round_ = ballot.rounds.get()
    newcomer = paid_member(make_section(federation, name="Nouvelle section"), paid=False)
    services.roll_add(actor=staff, ballot=ballot, member=newcomer, reason="Oubli")
    assert assert_kept_is_recount(round_)["pvs"] == 2


def test_results_page_reads_the_kept_tally_and_a_round_without_one_is_summed(
    client, federation, section_a, voters_a, secretary_a, assessor_a, staff
):
    ballot = make_ballot(federation, open_it=True)
    pv = pv_of(ballot, section_a)
    services.pv_enter(actor=secretary_a, result=pv, **figures(pv))
    services.pv_countersign(actor=assessor_a, result=pv)
    services.pv_validate(actor=staff, result=pv)
    client.force_login(staff)
    url = reverse("ballots:results", args=[ballot.pk])
    with_tally = _page(client, url)
    assert '<div class="fs-5">4 <span class="small">' in with_tally
    # Rows loaded without the services (no tally): the page sums the PVs, same page.
    RoundTally.objects.all().delete()
    assert _page(client, url) == with_tally


def _page(client, url) -> str:
    html = client.get(url).content.decode()
    return re.sub(r"[A-Za-z0-9]{64}", "", html)  # the CSRF tokens
