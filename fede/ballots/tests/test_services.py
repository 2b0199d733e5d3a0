import datetime
import logging
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.core.models import AuditEntry
from fede.organization.models import Member
from fede.organization.tests.factories import make_member_user

from .. import services
from ..models import Ballot, CastBallot, RollEntry, Round, SectionResult, VoteCode, VoteRecord
from ..selectors import round_results
from .factories import CUTOFF, make_ballot, member_of, paid_member

pytestmark = pytest.mark.django_db


def figures(
    result, *, registered=None, voters=4, blank=1, void=0, votes=(2, 1, 0), assessors="A. B."
):
    options = list(result.round.options.order_by("order", "pk"))
    return {
        "registered": result.registered if registered is None else registered,
        "voters": voters,
        "blank": blank,
        "void": void,
        "votes": {o.pk: n for o, n in zip(options, votes, strict=True)},
        "assessors": assessors,
    }


def pv_of(ballot, section, number=1):
    return SectionResult.objects.get(round__ballot=ballot, round__number=number, section=section)


# --- Eligibility and roll ----------------------------------------------------------------


def test_roll_is_frozen_with_members_up_to_date_at_the_cutoff(
    federation, section_a, section_b, other_section, voters_a, voters_b
):
    """Only members who joined before the date and paid by the cut-off are on the roll."""
    late = paid_member(section_a, joined=datetime.date(2025, 1, 3))
    unpaid = paid_member(section_a, paid=False)
    paid_after = paid_member(section_a, paid=False)
    from fede.organization.tests.factories import DuesPaymentFactory

    DuesPaymentFactory(member=paid_after, year=2025, paid_on=CUTOFF + datetime.timedelta(days=1))
    elsewhere = paid_member(other_section)
    ballot = make_ballot(federation, open_it=True)
    on_roll = set(RollEntry.objects.filter(ballot=ballot).values_list("member_id", flat=True))
    assert on_roll == {m.pk for m in voters_a + voters_b}
    assert not {late.pk, unpaid.pk, paid_after.pk, elsewhere.pk} & on_roll
    # One PV to enter per section with voters, "inscrits" prefilled from the roll.
    assert pv_of(ballot, section_a).registered == 5
    assert pv_of(ballot, section_b).registered == 3
    assert services.ineligibility_reason(ballot, late).startswith("Seul·es les adhérent·es")
    assert "pas à jour de votre cotisation au 15 janvier 2025" in services.ineligibility_reason(
        ballot, unpaid
    )
    assert "Fédération de Paris" in services.ineligibility_reason(ballot, elsewhere)


def test_roll_corrections_are_audited_with_their_reason(federation, section_a, voters_a, staff):
    ballot = make_ballot(federation, open_it=True)
    forgotten = paid_member(section_a, paid=False)
    entry = services.roll_add(
        actor=staff, ballot=ballot, member=forgotten, reason="Chèque reçu le 14"
    )
    assert pv_of(ballot, section_a).registered == 6
    services.roll_strike(actor=staff, entry=entry, reason="Erreur de saisie")
    assert pv_of(ballot, section_a).registered == 5
    codes = list(
        AuditEntry.objects.filter(object_type="ballots.rollentry").values_list("code", "params")
    )
    assert [c for c, _ in codes] == ["ballots.roll_add", "ballots.roll_strike"] or sorted(
        c for c, _ in codes
    ) == ["ballots.roll_add", "ballots.roll_strike"]
    assert {p["reason"] for _, p in codes} == {"Chèque reçu le 14", "Erreur de saisie"}
    with pytest.raises(ValidationError) as exc:
        services.roll_strike(
            actor=staff,
            entry=RollEntry.objects.filter(ballot=ballot).exclude(pk=entry.pk).first(),
            reason=" ",
        )
    assert "motif" in exc.value.message_dict["reason"][0]


def test_section_secretary_cannot_manage_a_ballot(federation, section_a, secretary_a, voters_a):
    with pytest.raises(PermissionDenied):
        make_ballot(federation)  # SYSTEM may
        services.ballot_open(actor=secretary_a, ballot=Ballot.objects.get())


def test_ballot_needs_two_options_and_dates_in_order(federation, staff):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.ballot_create(
            actor=staff,
            federation=federation,
            options=["Seule"],
            title="T",
            description="",
            kind=Ballot.Kind.QUESTION,
            mode=Ballot.Mode.ONLINE,
            majority=Ballot.Majority.RELATIVE,
            runoff_size=2,
            eligibility_date=CUTOFF,
            joined_before=CUTOFF,
            opens_at=now,
            closes_at=now - datetime.timedelta(hours=1),
        )
    assert set(exc.value.message_dict) == {"options", "closes_at"}


# --- PV consistency checks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"voters": 9}, "voters", "Plus de votants (9) que d'inscrits (6)"),
        (
            {"registered": 8, "voters": 4},
            "registered",
            "La liste électorale de la section compte 6",
        ),
        ({"blank": 3, "void": 2}, "blank", "Les bulletins blancs (3) et nuls (2) dépassent"),
        ({"votes": (3, 1, 0)}, "option", "Le total des voix (4) ne correspond pas"),
        ({"assessors": "  "}, "assessors", "au moins un·e assesseur·e"),
        ({"voters": -1}, "voters", "nombre positif"),
    ],
)
def test_impossible_pv_is_refused_with_a_french_message_next_to_the_field(
    federation, section_a, voters_a, secretary_a, change, field, message
):
    ballot = make_ballot(federation, open_it=True)
    result = pv_of(ballot, section_a)
    data = figures(result)
    data.update({k: v for k, v in change.items() if k != "votes"})
    if "votes" in change:
        data["votes"] = dict(zip(data["votes"], change["votes"], strict=True))
    with pytest.raises(ValidationError) as exc:
        services.pv_enter(actor=secretary_a, result=result, **data)
    errors = exc.value.message_dict
    key = (
        services.vote_field(result.round.options.order_by("order").first())
        if field == "option"
        else field
    )
    assert message in " ".join(errors[key])
    result.refresh_from_db()
    assert result.status == SectionResult.Status.PENDING
    assert not result.lines.exists()
    assert not AuditEntry.objects.filter(code="ballots.pv_enter").exists()


def test_the_database_refuses_more_voters_than_registered(federation, section_a, voters_a):
    ballot = make_ballot(federation, open_it=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        SectionResult.objects.filter(pk=pv_of(ballot, section_a).pk).update(voters=99)


# --- PV workflow and audit trail ------------------------------------------------------------


def test_every_pv_change_is_in_the_audit_trail_with_its_figures(
    federation, section_a, voters_a, secretary_a, assessor_a, staff
):
    ballot = make_ballot(federation, open_it=True)
    result = pv_of(ballot, section_a)
    services.pv_enter(actor=secretary_a, result=result, **figures(result))
    services.pv_countersign(actor=assessor_a, result=result)
    services.pv_request_correction(actor=staff, result=result, note="Un bulletin nul oublié")
    services.pv_enter(actor=secretary_a, result=result, **figures(result, void=1, votes=(1, 1, 0)))
    services.pv_countersign(actor=assessor_a, result=result)
    services.pv_validate(actor=staff, result=result)
    services.pv_rectify(
        actor=staff,
        result=result,
        reason="Recomptage",
        **figures(result, voters=5, void=1, votes=(2, 1, 0)),
    )
    trail = list(
        AuditEntry.objects.filter(object_type="ballots.sectionresult", object_id=str(result.pk))
        .order_by("pk")
        .values_list("code", "changes", "params", "actor")
    )
    assert [t[0] for t in trail] == [
        "ballots.pv_enter",
        "ballots.pv_countersign",
        "ballots.pv_request_correction",
        "ballots.pv_enter",
        "ballots.pv_countersign",
        "ballots.pv_validate",
        "ballots.pv_rectify",
    ]
    first = trail[0][1]
    assert first["voters"] == [0, 4] and first["blank"] == [0, 1]
    assert first["votes:Louise Michel"] == [None, 2]
    assert trail[3][1]["void"] == [0, 1] and trail[3][1]["votes:Louise Michel"] == [2, 1]
    assert trail[6][1]["voters"] == [4, 5] and trail[6][2]["reason"] == "Recomptage"
    assert trail[2][2]["note"] == "Un bulletin nul oublié"
    assert [t[3] for t in trail] == [
        secretary_a.pk,
        assessor_a.pk,
        staff.pk,
        secretary_a.pk,
        assessor_a.pk,
        staff.pk,
        staff.pk,
    ]
    result.refresh_from_db()
    assert result.status == SectionResult.Status.VALIDATED and result.voters == 5


def test_pv_rules_countersign_by_someone_else_and_validated_pvs_locked(
    federation, section_a, voters_a, secretary_a, assessor_a, staff, secretary_b
):
    ballot = make_ballot(federation, open_it=True)
    result = pv_of(ballot, section_a)
    with pytest.raises(PermissionDenied):
        services.pv_enter(actor=secretary_b, result=result, **figures(result))
    services.pv_enter(actor=secretary_a, result=result, **figures(result))
    with pytest.raises(PermissionDenied):
        services.pv_countersign(actor=secretary_a, result=result)
    with pytest.raises(ValidationError):
        services.pv_validate(actor=staff, result=result)  # not countersigned
    services.pv_countersign(actor=assessor_a, result=result)
    services.pv_validate(actor=staff, result=result)
    with pytest.raises(ValidationError, match="seule la fédération"):
        services.pv_enter(actor=secretary_a, result=result, **figures(result))
    with pytest.raises(ValidationError) as exc:
        services.pv_rectify(actor=staff, result=result, reason="", **figures(result))
    assert "reason" in exc.value.message_dict


def test_consolidation_counts_validated_pvs_and_lists_missing_sections(
    federation, section_a, section_b, voters_a, voters_b, secretary_a, assessor_a, staff
):
    ballot = make_ballot(federation, open_it=True)
    result = pv_of(ballot, section_a)
    r = round_results(result.round)
    assert r.voters == 0 and len(r.missing) == 2
    services.pv_enter(actor=secretary_a, result=result, **figures(result))
    services.pv_countersign(actor=assessor_a, result=result)
    assert round_results(result.round).voters == 0  # not validated yet
    services.pv_validate(actor=staff, result=result)
    r = round_results(result.round)
    # 5 voters, the secretary and the assessor are on the roll of section A.
    assert (r.registered, r.voters, r.blank, r.expressed) == (7, 4, 1, 3)
    assert [line.votes for line in r.lines] == [2, 1, 0]
    assert [line.share for line in r.lines] == [66.67, 33.33, 0.0]
    assert [row.section for row in r.missing] == [section_b]
    assert r.roll == 10


def test_close_refuses_pvs_awaiting_validation_then_two_rounds_to_a_winner(
    federation,
    section_a,
    section_b,
    voters_a,
    voters_b,
    secretary_a,
    assessor_a,
    secretary_b,
    staff,
):
    ballot = make_ballot(federation, open_it=True)
    r1 = ballot.rounds.get()
    result = pv_of(ballot, section_a)
    services.pv_enter(
        actor=secretary_a, result=result, **figures(result, voters=5, blank=0, votes=(2, 2, 1))
    )
    later = r1.closes_at + datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="attendent encore"):
        services.round_close(actor=staff, round=r1, now=later)
    services.pv_countersign(actor=assessor_a, result=result)
    services.pv_validate(actor=staff, result=result)
    with pytest.raises(ValidationError, match="reste ouvert"):
        services.round_close(actor=staff, round=r1, now=r1.closes_at - datetime.timedelta(hours=1))
    services.round_close(actor=staff, round=r1, now=later)
    with pytest.raises(ValidationError, match="clos"):
        services.pv_enter(
            actor=secretary_b,
            result=pv_of(ballot, section_b),
            **figures(pv_of(ballot, section_b), votes=(2, 1, 0)),
        )
    services.round_publish(actor=staff, round=r1)
    outcome = round_results(Round.objects.get(pk=r1.pk)).outcome
    assert outcome.runoff and [o.label for o in outcome.qualified] == [
        "Louise Michel",
        "Jean Jaurès",
    ]
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.RUNNING
    now = timezone.now()
    r2 = services.round_open_next(
        actor=staff, ballot=ballot, opens_at=now - datetime.timedelta(hours=1), closes_at=now
    )
    assert [o.label for o in r2.options.all()] == ["Louise Michel", "Jean Jaurès"]
    for section, secretary, votes in (
        (section_a, secretary_a, (3, 2)),
        (section_b, secretary_b, (1, 1)),
    ):
        pv = pv_of(ballot, section, 2)
        services.pv_enter(
            actor=secretary, result=pv, **figures(pv, voters=sum(votes), blank=0, votes=votes)
        )
        services.pv_rectify(
            actor=staff,
            result=pv,
            reason="Validation directe",
            **figures(pv, voters=sum(votes), blank=0, votes=votes),
        )
    services.round_close(actor=staff, round=r2)
    services.round_publish(actor=staff, round=r2)
    final = round_results(Round.objects.get(pk=r2.pk))
    assert final.outcome.winner.label == "Louise Michel" and final.voters == 7
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.FINISHED


# --- Online vote ----------------------------------------------------------------------------


def test_five_wrong_codes_close_the_door_even_to_the_right_code(
    federation, section_a, voters_a, django_capture_on_commit_callbacks
):
    ballot = make_ballot(
        federation, mode=Ballot.Mode.ONLINE, kind=Ballot.Kind.MOTIONS, open_it=True
    )
    user = make_member_user(section_a)
    member = member_of(user)
    services.roll_add(actor=SYSTEM, ballot=ballot, member=member, reason="Test")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_code_send(actor=user, ballot=ballot)
    code = mail.outbox[0].subject.rsplit(" ", 1)[-1]
    wrong = "000000" if code != "000000" else "111111"
    option = ballot.options.first()
    for _ in range(services.MAX_CODE_ATTEMPTS):
        with pytest.raises(ValidationError, match="Code incorrect"):
            services.vote_cast(actor=user, ballot=ballot, option=option, code=wrong)
    assert VoteCode.objects.get(member=member).attempts == services.MAX_CODE_ATTEMPTS
    with pytest.raises(ValidationError, match="Trop d'essais"):
        services.vote_cast(actor=user, ballot=ballot, option=option, code=code)
    assert not VoteRecord.objects.exists() and not CastBallot.objects.exists()
    # A new code (a minute later) opens the door again.
    VoteCode.objects.update(expires_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_code_send(actor=user, ballot=ballot)
    code = mail.outbox[-1].subject.rsplit(" ", 1)[-1]
    assert services.vote_cast(actor=user, ballot=ballot, option=option, code=code)
    assert not VoteCode.objects.exists()  # consumed with the vote


def test_online_vote_with_an_emailed_code_leaves_no_link_from_ballot_to_voter(
    federation, section_a, voters_a, django_capture_on_commit_callbacks
):
    ballot = make_ballot(
        federation, mode=Ballot.Mode.ONLINE, kind=Ballot.Kind.MOTIONS, open_it=True
    )
    user = make_member_user(section_a)
    member = member_of(user)
    member.joined_on = datetime.date(2020, 1, 1)
    member.save()
    from fede.organization.tests.factories import DuesPaymentFactory

    DuesPaymentFactory(member=member, year=2025, paid_on=CUTOFF)
    services.roll_add(actor=SYSTEM, ballot=ballot, member=member, reason="Test")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_code_send(actor=user, ballot=ballot)
    assert len(mail.outbox) == 1
    code = mail.outbox[0].subject.rsplit(" ", 1)[-1]
    option = ballot.options.first()
    with pytest.raises(ValidationError, match="Code incorrect"):
        services.vote_cast(
            actor=user,
            ballot=ballot,
            option=option,
            code="000000" if code != "000000" else "111111",
        )
    receipt = services.vote_cast(actor=user, ballot=ballot, option=option, code=code)
    assert len(receipt) == 17
    record = VoteRecord.objects.get()
    assert record.member == member and record.voted_on == timezone.localdate()
    ballot_row = CastBallot.objects.get()
    assert ballot_row.receipt == receipt and ballot_row.option == option
    # The box knows nothing of voters nor time: only id, round, option, receipt.
    assert {f.name for f in CastBallot._meta.concrete_fields} == {
        "id",
        "round",
        "option",
        "receipt",
    }
    assert {f.name for f in VoteRecord._meta.concrete_fields} == {
        "id",
        "round",
        "member",
        "section",
        "voted_on",
    }
    assert not VoteCode.objects.exists()  # the code served once
    assert not AuditEntry.objects.filter(params__icontains=receipt).exists()
    with pytest.raises(ValidationError, match="déjà voté"):
        services.vote_cast(actor=user, ballot=ballot, option=option, code=code)
    assert CastBallot.objects.count() == 1


def test_the_vote_code_mail_has_the_code_in_its_text_and_html_parts_only(
    federation, section_a, voters_a, caplog, django_capture_on_commit_callbacks
):
    """One template gives the mail its text and its HTML part, both with the code; the
    ballot's title is escaped in the HTML only; the code is in the mail and nowhere else."""
    ballot = make_ballot(
        federation,
        mode=Ballot.Mode.ONLINE,
        kind=Ballot.Kind.MOTIONS,
        open_it=True,
        title="Motion <b>& orientation",
    )
    user = make_member_user(section_a)
    services.roll_add(actor=SYSTEM, ballot=ballot, member=member_of(user), reason="Test")
    mail.outbox.clear()
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        services.vote_code_send(actor=user, ballot=ballot)
    [message] = mail.outbox
    code = message.subject.rsplit(" ", 1)[-1]
    assert re.fullmatch(r"\d{6}", code)
    assert message.subject == f"Votre code de vote : {code}"
    assert message.to == [user.email] and message.from_email == settings.DEFAULT_FROM_EMAIL
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    text = message.body
    assert text.startswith("Bonjour,\n\n")
    assert f"Votre code pour voter à « Motion <b>& orientation » (tour 1) : {code}" in text
    assert (
        "Il est valable 15 minutes et ne sert qu'une fois. Si vous n'avez pas demandé ce "
        "code, ignorez ce message." in text
    )
    assert (
        f"Votre code pour voter à « Motion &lt;b&gt;&amp; orientation » (tour 1) : {code}" in html
    )
    assert "Il est valable 15 minutes et ne sert qu'une fois." in html
    assert "<b>&" not in html
    # Nowhere else: not in the audit trail, not in the logs, not stored in clear.
    assert not AuditEntry.objects.filter(params__icontains=code).exists()
    assert code not in caplog.text
    assert not VoteCode.objects.filter(code_hash__icontains=code).exists()


def test_one_vote_per_member_per_round_is_a_database_constraint(federation, section_a, voters_a):
    ballot = make_ballot(federation, mode=Ballot.Mode.ONLINE, open_it=True)
    round_ = ballot.rounds.get()
    VoteRecord.objects.create(
        round=round_, member=voters_a[0], section=section_a, voted_on=timezone.localdate()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteRecord.objects.create(
            round=round_, member=voters_a[0], section=section_a, voted_on=timezone.localdate()
        )


def test_ineligible_member_is_refused_with_the_reason(federation, section_a, voters_a):
    ballot = make_ballot(federation, mode=Ballot.Mode.ONLINE, open_it=True)
    user = make_member_user(section_a, joined_on=datetime.date(2020, 1, 1))  # dues never paid
    with pytest.raises(ValidationError) as exc:
        services.vote_cast(actor=user, ballot=ballot, option=None, code="123456")
    assert "pas à jour de votre cotisation au 15 janvier 2025" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.vote_code_send(actor=user, ballot=ballot)
    assert not VoteRecord.objects.exists() and not CastBallot.objects.exists()


def test_voting_with_totp_and_outside_the_window(federation, section_a, secretary_a, voters_a):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from fede.organization.tests.factories import TOTP_TEST_SECRET

    ballot = make_ballot(federation, mode=Ballot.Mode.ONLINE, open_it=True)
    code = format_hotp_value(hotp_value(TOTP_TEST_SECRET, int(timezone.now().timestamp()) // 30))
    services.vote_cast(actor=secretary_a, ballot=ballot, option=None, code=code)
    assert CastBallot.objects.get().option is None  # blank vote
    round_ = ballot.rounds.get()
    with pytest.raises(ValidationError, match="pas ouvert"):
        services.vote_cast(
            actor=make_member_user(section_a),
            ballot=ballot,
            option=None,
            code="1",
            now=round_.closes_at + datetime.timedelta(seconds=1),
        )


def test_online_tally_equals_the_published_ballots(federation, section_a, voters_a, staff):
    ballot = make_ballot(
        federation, mode=Ballot.Mode.ONLINE, open_it=True, majority=Ballot.Majority.RELATIVE
    )
    options = list(ballot.options.all())
    from django.contrib.auth import get_user_model

    for i, member in enumerate(voters_a):
        member.user = get_user_model().objects.create_user(email=f"v{i}@example.org", password="x")
        member.save()
        services.vote_cast(
            actor=member.user, ballot=ballot, option=options[i % 2], code="", verify=False
        )
    round_ = ballot.rounds.get()
    services.round_close(actor=staff, round=round_, now=round_.closes_at)
    services.round_publish(actor=staff, round=round_)
    r = round_results(Round.objects.get(pk=round_.pk))
    assert r.voters == 5 == CastBallot.objects.count()
    assert [line.votes for line in r.lines] == [3, 2, 0]
    assert r.outcome.winner == options[0]
    assert Ballot.objects.get().status == Ballot.Status.FINISHED
    assert Member.objects.count() >= 5


def test_personal_data_holds_the_register_never_the_ballot(federation, section_a, voters_a):
    from ..registry import personal_data

    ballot = make_ballot(federation, mode=Ballot.Mode.ONLINE, open_it=True)
    member = voters_a[0]
    member.user = get_user_model().objects.create_user(email="moi@example.org", password="x")
    member.save()
    receipt = services.vote_cast(
        actor=member.user, ballot=ballot, option=ballot.options.first(), code="", verify=False
    )
    data = personal_data(member.user, member)
    text = str(data)
    assert "Élection du premier secrétaire fédéral" in text
    assert timezone.localdate().isoformat() in text
    assert receipt not in text and "Louise Michel" not in text
