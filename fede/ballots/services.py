"""Every write of the ballots app: ballots, roll, rounds, online votes and section PVs.

Each service takes a keyword-only ``actor``, checks (``authorize`` or a domain rule),
writes inside one transaction and records an audit entry — except :func:`vote_cast`, whose
only trail is the register itself (an audit entry would date a vote to the second, which
the register deliberately does not).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from fede.core.access import authorize, is_system
from fede.core.audit import audit, changed_fields
from fede.core.mail import mail_message, outbox_send
from fede.organization.models import Member, Unit, up_to_date_q

from .models import (
    Ballot,
    CastBallot,
    Option,
    RollEntry,
    Round,
    RoundTally,
    SectionResult,
    SectionResultLine,
    VoteCode,
    VoteRecord,
    new_receipt,
)

CODE_VALIDITY = datetime.timedelta(minutes=15)
MAX_CODE_ATTEMPTS = 5
CODE_RESEND_DELAY = datetime.timedelta(minutes=1)


def vote_field(option: Option | int) -> str:
    """Name of the form field (and error key) of an option's votes in a PV."""
    return f"option_{getattr(option, 'pk', option)}"


def _fail(field: str, message: str):
    raise ValidationError({field: [message]})


def _user(actor):
    """The actor as a user to store on a row (None for SYSTEM)."""
    return None if is_system(actor) else actor


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _retally(round_id: int) -> RoundTally:
    """Recount a section round's kept tally from its PVs, in the caller's transaction.

    Called by every service that changes what the tally sums (a PV's status, figures or
    "registered", a PV added). The round row is locked first (``FOR NO KEY UPDATE``:
    votes' foreign-key locks do not wait for it), so two PV changes of one round recount
    one after the other, the second seeing the first committed: the tally is always the
    recount of the committed PVs."""
    from .selectors import tally_of

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("_retally runs inside the transaction that changed the PVs")
    Round.objects.select_for_update(no_key=True).filter(pk=round_id).values_list("pk").first()
    figures = tally_of(round_id)
    figures["votes"] = {str(k): v for k, v in sorted(figures["votes"].items())}
    tally, _created = RoundTally.objects.update_or_create(round_id=round_id, defaults=figures)
    return tally


# --- Ballots ------------------------------------------------------------------------------


BALLOT_FIELDS = (
    "title",
    "description",
    "kind",
    "mode",
    "majority",
    "runoff_size",
    "eligibility_date",
    "joined_before",
    "opens_at",
    "closes_at",
)


def _check_ballot(data: Mapping, options: Sequence[str]) -> list[str]:
    errors: dict[str, list[str]] = {}
    if data["closes_at"] <= data["opens_at"]:
        errors["closes_at"] = [_("La clôture doit venir après l'ouverture.")]
    labels = [o.strip() for o in options if o.strip()]
    if len(labels) < 2:
        errors["options"] = [_("Indiquez au moins deux candidat·es, motions ou réponses.")]
    elif len(set(labels)) != len(labels):
        errors["options"] = [_("Deux options portent le même libellé.")]
    if errors:
        raise ValidationError(errors)
    return labels


@transaction.atomic
def ballot_create(*, actor, federation: Unit, options: Sequence[str], **data) -> Ballot:
    """Create a ballot in preparation, with its candidates, motions or answers."""
    authorize(actor, "ballots.manage", federation)
    if federation.kind != Unit.Kind.FEDERATION:
        _fail(NON_FIELD_ERRORS, _("Un vote interne est organisé par une fédération."))
    labels = _check_ballot(data, options)
    ballot = Ballot.objects.create(federation=federation, **{k: data[k] for k in BALLOT_FIELDS})
    Option.objects.bulk_create(
        Option(ballot=ballot, label=label, order=i) for i, label in enumerate(labels)
    )
    audit(actor=actor, code="ballots.ballot_create", obj=ballot, params={"title": ballot.title})
    return ballot


@transaction.atomic
def ballot_update(*, actor, ballot: Ballot, options: Sequence[str], **data) -> Ballot:
    """Change a ballot while it is in preparation (the roll is not frozen yet)."""
    authorize(actor, "ballots.manage", ballot)
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if not ballot.is_draft:
        _fail(NON_FIELD_ERRORS, _("Ce vote est ouvert : il ne peut plus être modifié."))
    labels = _check_ballot(data, options)
    fields = {k: data[k] for k in BALLOT_FIELDS}
    changes = changed_fields(ballot, fields)
    before = list(ballot.options.values_list("label", flat=True))
    if before != labels:
        changes["options"] = [before, labels]
        ballot.options.all().delete()
        Option.objects.bulk_create(
            Option(ballot=ballot, label=label, order=i) for i, label in enumerate(labels)
        )
    for key, value in fields.items():
        setattr(ballot, key, value)
    ballot.save()
    audit(
        actor=actor,
        code="ballots.ballot_update",
        obj=ballot,
        params={"title": ballot.title},
        changes=changes,
    )
    return ballot


def eligible_members(ballot: Ballot):
    """Members who may vote: active members of the federation's sections, joined before
    the date, up to date with their dues on the cut-off day."""
    return (
        Member.objects.filter(
            status=Member.Status.ACTIVE,
            section__path__startswith=ballot.federation.path,
            section__kind=Unit.Kind.SECTION,
            joined_on__lt=ballot.joined_before,
        )
        .filter(up_to_date_q(ballot.eligibility_date))
        .order_by()
    )


def ineligibility_reason(ballot: Ballot, member: Member | None) -> str | None:
    """Why ``member`` may not vote in ``ballot`` (French, for the member), or None."""
    if member is None:
        return _("Votre compte n'est rattaché à aucune fiche d'adhérent·e.")
    # Unordered: at most one row (unique), and no join for the roll's name ordering.
    entry = RollEntry.objects.filter(ballot=ballot, member=member).order_by().first()
    if entry is not None and entry.struck_at is None:
        return None
    if entry is not None:
        return _("Vous avez été radié·e de la liste électorale de ce vote (%(reason)s).") % {
            "reason": entry.reason or _("sans motif indiqué")
        }
    if not member.section.path.startswith(ballot.federation.path):
        return _("Ce vote concerne les adhérent·es de la %(federation)s.") % {
            "federation": ballot.federation.name
        }
    if member.status != Member.Status.ACTIVE:
        return _("Votre adhésion n'est pas active.")
    if member.joined_on >= ballot.joined_before:
        return _(
            "Seul·es les adhérent·es inscrit·es avant le %(date)s votent ; vous avez adhéré "
            "le %(joined)s."
        ) % {"date": _day(ballot.joined_before), "joined": _day(member.joined_on)}
    if not Member.objects.filter(pk=member.pk).filter(up_to_date_q(ballot.eligibility_date)):
        return _(
            "Vous n'étiez pas à jour de votre cotisation au %(date)s, date d'arrêt de la "
            "liste électorale."
        ) % {"date": _day(ballot.eligibility_date)}
    return _("Vous n'êtes pas inscrit·e sur la liste électorale de ce vote.")


def _roll_counts(ballot: Ballot) -> dict[int, int]:
    return dict(
        RollEntry.objects.active()
        .filter(ballot=ballot)
        .values_list("section")
        .annotate(n=Count("pk"))
        .values_list("section", "n")
    )


def _open_round(ballot: Ballot, number: int, options, opens_at, closes_at) -> Round:
    round_ = Round.objects.create(
        ballot=ballot,
        number=number,
        status=Round.Status.OPEN,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    round_.options.set(options)
    if ballot.mode == Ballot.Mode.SECTION:
        counts = _roll_counts(ballot)
        SectionResult.objects.bulk_create(
            SectionResult(round=round_, section_id=section_id, registered=n)
            for section_id, n in sorted(counts.items())
        )
        _retally(round_.pk)
    return round_


@transaction.atomic
def ballot_open(*, actor, ballot: Ballot) -> Ballot:
    """Freeze the electoral roll and open the first round."""
    authorize(actor, "ballots.manage", ballot)
    ballot = Ballot.objects.select_for_update().select_related("federation").get(pk=ballot.pk)
    if not ballot.is_draft:
        _fail(NON_FIELD_ERRORS, _("Ce vote est déjà ouvert."))
    rows = eligible_members(ballot).values_list("pk", "section_id")
    RollEntry.objects.bulk_create(
        (RollEntry(ballot=ballot, member_id=pk, section_id=section) for pk, section in rows),
        batch_size=1000,
    )
    roll = RollEntry.objects.filter(ballot=ballot).count()
    if not roll:
        _fail(NON_FIELD_ERRORS, _("Personne n'est inscrit·e : vérifiez les dates d'éligibilité."))
    ballot.status = Ballot.Status.RUNNING
    ballot.roll_frozen_at = timezone.now()
    ballot.save(update_fields=["status", "roll_frozen_at", "updated_at"])
    _open_round(ballot, 1, ballot.options.all(), ballot.opens_at, ballot.closes_at)
    audit(
        actor=actor,
        code="ballots.ballot_open",
        obj=ballot,
        params={"title": ballot.title, "roll": roll},
        changes={"status": ["draft", "running"]},
    )
    return ballot


# --- Roll corrections -----------------------------------------------------------------------


def _correctable(ballot: Ballot) -> Round:
    current = ballot.rounds.order_by("-number").first()
    if ballot.status != Ballot.Status.RUNNING or current is None or not current.is_open:
        _fail(NON_FIELD_ERRORS, _("La liste ne se corrige que pendant un tour ouvert."))
    return current


def _sync_registered(ballot: Ballot, section_id: int) -> None:
    """Keep the "inscrits" of not-yet-entered PVs equal to the corrected roll."""
    n = RollEntry.objects.active().filter(ballot=ballot, section_id=section_id).count()
    pending = SectionResult.objects.filter(
        round__ballot=ballot,
        round__status=Round.Status.OPEN,
        section_id=section_id,
        status=SectionResult.Status.PENDING,
    )
    touched = set(pending.values_list("round_id", flat=True))
    updated = pending.update(registered=n)
    if not updated and ballot.mode == Ballot.Mode.SECTION:
        for round_ in ballot.rounds.filter(status=Round.Status.OPEN):
            SectionResult.objects.get_or_create(
                round=round_, section_id=section_id, defaults={"registered": n}
            )
            touched.add(round_.pk)
    for round_id in sorted(touched):
        _retally(round_id)


@transaction.atomic
def roll_add(*, actor, ballot: Ballot, member: Member, reason: str) -> RollEntry:
    """Add a member forgotten by the roll (payment recorded late…), with a reason."""
    authorize(actor, "ballots.manage", ballot)
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    _correctable(ballot)
    if not reason.strip():
        _fail("reason", _("Indiquez le motif de l'ajout."))
    if not member.section.path.startswith(ballot.federation.path):
        _fail("member", _("Cette personne n'est pas adhérente de la fédération."))
    entry = RollEntry.objects.filter(ballot=ballot, member=member).first()
    if entry is not None and entry.struck_at is None:
        _fail("member", _("Cette personne est déjà sur la liste."))
    if entry is None:
        entry = RollEntry.objects.create(
            ballot=ballot,
            member=member,
            section=member.section,
            added_by_correction=True,
            reason=reason.strip(),
        )
        changes = {"roll": [None, "added"]}
    else:
        entry.struck_at = None
        entry.reason = reason.strip()
        entry.save(update_fields=["struck_at", "reason"])
        changes = {"roll": ["struck", "restored"]}
    _sync_registered(ballot, entry.section_id)
    audit(
        actor=actor,
        code="ballots.roll_add",
        obj=entry,
        params={"title": ballot.title, "member": member.membership_number, "reason": reason},
        changes=changes,
        scope=entry.section,
    )
    return entry


@transaction.atomic
def roll_strike(*, actor, entry: RollEntry, reason: str) -> RollEntry:
    """Strike a member off the roll (deceased, transferred, added by mistake), with a reason."""
    authorize(actor, "ballots.manage", entry.ballot)
    entry = RollEntry.objects.select_for_update().select_related("ballot").get(pk=entry.pk)
    _correctable(entry.ballot)
    if not reason.strip():
        _fail("reason", _("Indiquez le motif de la radiation."))
    if entry.struck_at is not None:
        _fail(NON_FIELD_ERRORS, _("Cette personne est déjà radiée."))
    entry.struck_at = timezone.now()
    entry.reason = reason.strip()
    entry.save(update_fields=["struck_at", "reason"])
    _sync_registered(entry.ballot, entry.section_id)
    audit(
        actor=actor,
        code="ballots.roll_strike",
        obj=entry,
        params={
            "title": entry.ballot.title,
            "member": entry.member.membership_number,
            "reason": entry.reason,
        },
        changes={"roll": ["listed", "struck"]},
        scope=entry.section,
    )
    return entry


# --- Rounds -------------------------------------------------------------------------------


@transaction.atomic
def round_close(*, actor, round: Round, now: datetime.datetime | None = None) -> Round:  # noqa: A002
    """Close a round: no more votes nor PV entries; results are consolidated for the
    federation, not yet published."""
    authorize(actor, "ballots.manage", round.ballot)
    now = now or timezone.now()
    # FOR UPDATE waits for votes in flight (they hold a key-share lock through their
    # register row's foreign key) and makes votes after it see the round closed.
    round_ = Round.objects.select_for_update().select_related("ballot").get(pk=round.pk)
    if not round_.is_open:
        _fail(NON_FIELD_ERRORS, _("Ce tour est déjà clos."))
    if now < round_.closes_at:
        _fail(
            NON_FIELD_ERRORS,
            _("Le vote reste ouvert jusqu'au %(date)s.")
            % {"date": date_format(timezone.localtime(round_.closes_at), "DATETIME_FORMAT")},
        )
    if round_.ballot.mode == Ballot.Mode.SECTION:
        waiting = round_.section_results.exclude(
            status__in=[SectionResult.Status.PENDING, SectionResult.Status.VALIDATED]
        ).count()
        if waiting:
            _fail(
                NON_FIELD_ERRORS,
                _(
                    "%(n)s procès-verbaux attendent encore une validation ou une correction : "
                    "validez-les ou rectifiez-les avant de clore."
                )
                % {"n": waiting},
            )
    round_.status = Round.Status.CLOSED
    round_.closed_at = now
    round_.save(update_fields=["status", "closed_at"])
    audit(
        actor=actor,
        code="ballots.round_close",
        obj=round_.ballot,
        params={"title": round_.ballot.title, "round": round_.number},
        changes={"status": ["open", "closed"]},
    )
    return round_


@transaction.atomic
def round_publish(*, actor, round: Round) -> Round:  # noqa: A002
    """Publish a closed round's results; the ballot ends unless a further round is due."""
    from .selectors import round_results

    authorize(actor, "ballots.manage", round.ballot)
    round_ = Round.objects.select_for_update().select_related("ballot").get(pk=round.pk)
    if round_.status != Round.Status.CLOSED:
        _fail(NON_FIELD_ERRORS, _("Seul un tour clos peut être publié."))
    round_.status = Round.Status.PUBLISHED
    round_.published_at = timezone.now()
    round_.save(update_fields=["status", "published_at"])
    # Published figures are a recount of the PVs, and the kept tally is set to it.
    results = round_results(round_, recount=True)
    if round_.ballot.mode == Ballot.Mode.SECTION:
        _retally(round_.pk)
    ballot = round_.ballot
    audit(
        actor=actor,
        code="ballots.round_publish",
        obj=ballot,
        params={
            "title": ballot.title,
            "round": round_.number,
            "voters": results.voters,
            "expressed": results.expressed,
            "votes": {line.option.label: line.votes for line in results.lines},
        },
        changes={"status": ["closed", "published"]},
    )
    if not results.outcome.runoff:
        ballot.status = Ballot.Status.FINISHED
        ballot.save(update_fields=["status", "updated_at"])
        audit(actor=actor, code="ballots.ballot_finish", obj=ballot, params={"title": ballot.title})
    return round_


@transaction.atomic
def round_open_next(
    *, actor, ballot: Ballot, opens_at: datetime.datetime, closes_at: datetime.datetime
) -> Round:
    """Open the next round between the options qualified by the last published round."""
    from .selectors import round_results

    authorize(actor, "ballots.manage", ballot)
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    last = ballot.rounds.order_by("-number").first()
    if ballot.status == Ballot.Status.FINISHED:
        _fail(NON_FIELD_ERRORS, _("Ce vote est terminé."))
    if ballot.status != Ballot.Status.RUNNING or last is None or not last.is_published:
        _fail(NON_FIELD_ERRORS, _("Publiez d'abord les résultats du tour précédent."))
    outcome = round_results(last, recount=True).outcome
    if not outcome.runoff:
        _fail(NON_FIELD_ERRORS, _("Aucun tour supplémentaire n'est prévu par les résultats."))
    if closes_at <= opens_at:
        _fail("closes_at", _("La clôture doit venir après l'ouverture."))
    round_ = _open_round(ballot, last.number + 1, outcome.qualified, opens_at, closes_at)
    audit(
        actor=actor,
        code="ballots.round_open",
        obj=ballot,
        params={
            "title": ballot.title,
            "round": round_.number,
            "options": [o.label for o in outcome.qualified],
        },
    )
    return round_


# --- Online vote --------------------------------------------------------------------------


def current_round(ballot: Ballot) -> Round | None:
    return ballot.rounds.order_by("-number").first()


def _code_hash(round_: Round, member: Member, code: str) -> str:
    return salted_hmac("fede.ballots.vote_code", f"{round_.pk}:{member.pk}:{code}").hexdigest()


def totp_of(user):
    """The user's TOTP authenticator, or None (then the code goes by e-mail)."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()


def _voter(actor, ballot: Ballot, now) -> tuple[Member, RollEntry, Round]:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("login required")
    if not ballot.is_online:
        _fail(NON_FIELD_ERRORS, _("Ce vote a lieu dans les sections, pas en ligne."))
    round_ = current_round(ballot)
    if round_ is None or not round_.accepting_votes(now):
        _fail(NON_FIELD_ERRORS, _("Le vote n'est pas ouvert en ce moment."))
    # The voter's roll entry and member record in one query; the reason otherwise.
    entry = (
        RollEntry.objects.filter(ballot=ballot, member__user=actor, struck_at=None)
        .select_related("member")
        .first()
    )
    if entry is None:
        member = Member.objects.filter(user=actor).select_related("section").first()
        _fail(NON_FIELD_ERRORS, ineligibility_reason(ballot, member))
    return entry.member, entry, round_


@transaction.atomic
def vote_code_send(*, actor, ballot: Ballot, now: datetime.datetime | None = None) -> None:
    """Send a one-time voting code by e-mail to an eligible voter without TOTP."""
    now = now or timezone.now()
    member, _entry, round_ = _voter(actor, ballot, now)
    if VoteRecord.objects.filter(round=round_, member=member).exists():
        _fail(NON_FIELD_ERRORS, _("Vous avez déjà voté à ce tour."))
    email = actor.email or member.email
    if not email:
        _fail(NON_FIELD_ERRORS, _("Aucune adresse e-mail connue pour vous envoyer le code."))
    previous = VoteCode.objects.filter(round=round_, member=member).first()
    if previous is not None and previous.expires_at - CODE_VALIDITY > now - CODE_RESEND_DELAY:
        _fail(NON_FIELD_ERRORS, _("Un code vient de vous être envoyé : patientez une minute."))
    code = f"{secrets.randbelow(1_000_000):06d}"
    VoteCode.objects.update_or_create(
        round=round_,
        member=member,
        defaults={
            "code_hash": _code_hash(round_, member, code),
            "expires_at": now + CODE_VALIDITY,
            "attempts": 0,
        },
    )
    message = mail_message(
        _("Votre code de vote : %(code)s") % {"code": code},
        "ballots/email/vote_code.html",
        {"title": ballot.title, "round": round_.number, "code": code},
        [email],
    )
    outbox_send(message)
    audit(
        actor=actor,
        code="ballots.vote_code_send",
        obj=ballot,
        params={"title": ballot.title, "round": round_.number},
    )


def _count_failed_attempt(round_: Round, member: Member, code_id: int | None) -> None:
    """A wrong code: counted on the e-mailed code's row, or (TOTP) in the cache."""
    if code_id is not None:
        VoteCode.objects.filter(pk=code_id).update(attempts=F("attempts") + 1)
        return
    key = f"ballots.vote_attempts:{round_.pk}:{member.pk}"
    if not cache.add(key, 1, timeout=int(CODE_VALIDITY.total_seconds())):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=int(CODE_VALIDITY.total_seconds()))


def _check_second_factor(actor, entry, round_: Round, code: str, now) -> int | None:
    """TOTP when the user has it, else the e-mailed code (read with the roll entry); a few
    attempts only. Returns the id of the e-mailed code, consumed with the vote."""
    member = entry.member
    code = (code or "").strip().replace(" ", "")
    if entry.has_totp:
        if cache.get(f"ballots.vote_attempts:{round_.pk}:{member.pk}", 0) >= MAX_CODE_ATTEMPTS:
            _fail(
                "code", _("Trop d'essais : attendez quelques minutes ou demandez un nouveau code.")
            )
        from allauth.mfa.totp.internal.auth import TOTP

        if code and TOTP(totp_of(actor)).validate_code(code):
            return None
        _count_failed_attempt(round_, member, None)
        _fail("code", _("Code incorrect."))
    if entry.code_id is None or entry.code_expires_at <= now:
        _fail("code", _("Ce code a expiré ou n'a pas été demandé : demandez un nouveau code."))
    if entry.code_attempts >= MAX_CODE_ATTEMPTS:
        _fail("code", _("Trop d'essais : attendez quelques minutes ou demandez un nouveau code."))
    if code and constant_time_compare(entry.code_hash, _code_hash(round_, member, code)):
        return entry.code_id
    _count_failed_attempt(round_, member, entry.code_id)
    _fail("code", _("Code incorrect."))


@dataclass
class _Voter:
    """What a vote checks about its voter, read in one query (:func:`_voter_for_casting`)."""

    member_id: int
    section_id: int
    voted: bool
    option_ok: bool
    has_totp: bool
    code_id: int | None
    code_hash: str | None
    code_expires_at: datetime.datetime | None
    code_attempts: int

    @property
    def member(self) -> Member:
        return Member(pk=self.member_id)


_CASTING_SQL = """
WITH rnd AS (
  SELECT id, status, opens_at, closes_at, number FROM ballots_round
  WHERE ballot_id = %(ballot)s ORDER BY number DESC LIMIT 1
)
SELECT rnd.id, rnd.status, rnd.opens_at, rnd.closes_at, rnd.number,
       re.member_id, re.section_id,
       EXISTS (SELECT 1 FROM ballots_voterecord v
               WHERE v.round_id = rnd.id AND v.member_id = re.member_id),
       (CAST(%(option)s AS INTEGER) IS NULL OR EXISTS (
          SELECT 1 FROM ballots_round_options o
          WHERE o.round_id = rnd.id AND o.option_id = CAST(%(option)s AS INTEGER))),
       EXISTS (SELECT 1 FROM mfa_authenticator a
               WHERE a.user_id = %(user)s AND a.type = 'totp'),
       c.id, c.code_hash, c.expires_at, COALESCE(c.attempts, 0)
FROM rnd
LEFT JOIN (ballots_rollentry re JOIN organization_member m
           ON m.id = re.member_id AND m.user_id = %(user)s)
  ON re.ballot_id = %(ballot)s AND re.struck_at IS NULL
LEFT JOIN ballots_votecode c ON c.round_id = rnd.id AND c.member_id = re.member_id
"""


def _aware(value: datetime.datetime) -> datetime.datetime:
    """A raw query's datetime: SQLite gives it naive (stored in UTC)."""
    return timezone.make_aware(value, datetime.UTC) if timezone.is_naive(value) else value


def _voter_for_casting(actor, ballot: Ballot, option: Option | None, now):
    """Everything a vote checks, in one query: the current round, the voter's roll entry,
    whether they voted, whether the option is in the round, their TOTP and their e-mailed
    code. The vote is the one path run hundreds of times a second at the close of a
    national ballot (see the bench): no ORM query building on it."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("login required")
    if not ballot.is_online:
        _fail(NON_FIELD_ERRORS, _("Ce vote a lieu dans les sections, pas en ligne."))
    with connection.cursor() as cursor:
        cursor.execute(
            _CASTING_SQL,
            {"ballot": ballot.pk, "user": actor.pk, "option": option.pk if option else None},
        )
        row = cursor.fetchone()
    if row is None:
        _fail(NON_FIELD_ERRORS, _("Le vote n'est pas ouvert en ce moment."))
    row = [_aware(v) if isinstance(v, datetime.datetime) else v for v in row]
    round_ = Round(
        pk=row[0], ballot=ballot, status=row[1], opens_at=row[2], closes_at=row[3], number=row[4]
    )
    if not round_.accepting_votes(now):
        _fail(NON_FIELD_ERRORS, _("Le vote n'est pas ouvert en ce moment."))
    if row[5] is None:
        member = Member.objects.filter(user=actor).select_related("section").first()
        _fail(NON_FIELD_ERRORS, ineligibility_reason(ballot, member))
    return _Voter(*row[5:]), round_


def vote_cast(
    *,
    actor,
    ballot: Ballot,
    option: Option | None,
    code: str,
    now: datetime.datetime | None = None,
    verify: bool = True,
) -> str:
    """Cast the actor's ballot in the current round; returns the receipt code.

    ``option`` None is a blank vote. The second factor is checked first (a wrong code is
    counted, five close the door); then the register row, the ballot and the used code are
    written together: a second vote of the same person, even concurrent, fails on the
    register's unique constraint and leaves no ballot. ``verify=False`` is for the demo
    loader only.
    """
    now = now or timezone.now()
    entry, round_ = _voter_for_casting(actor, ballot, option, now)
    if not entry.option_ok:
        _fail("option", _("Ce choix ne fait pas partie de ce tour."))
    if entry.voted:
        _fail(NON_FIELD_ERRORS, _("Vous avez déjà voté à ce tour."))
    code_id = _check_second_factor(actor, entry, round_, code, now) if verify else None
    return _cast(
        member=entry.member,
        section_id=entry.section_id,
        round_=round_,
        option=option,
        now=now,
        code_id=code_id,
    )


class _RoundClosed(Exception):
    pass


def _cast(*, member: Member, section_id: int, round_: Round, option, now, code_id=None) -> str:
    """The register row, the ballot and the used code, in one transaction: all or none."""
    receipt = new_receipt()
    try:
        with transaction.atomic():
            if code_id is not None:
                VoteCode.objects.filter(pk=code_id).delete()
            VoteRecord.objects.create(
                round=round_,
                member=member,
                section_id=section_id,
                voted_on=timezone.localdate(now),
            )
            # The insert above waited for a closing in progress (foreign-key lock): read
            # the round again before putting the ballot in the box.
            if not Round.objects.filter(pk=round_.pk, status=Round.Status.OPEN).exists():
                raise _RoundClosed
            CastBallot.objects.create(round=round_, option=option, receipt=receipt)
    except IntegrityError:
        _fail(NON_FIELD_ERRORS, _("Vous avez déjà voté à ce tour."))
    except _RoundClosed:
        _fail(NON_FIELD_ERRORS, _("Le vote vient d'être clos."))
    return receipt


# --- Section PVs --------------------------------------------------------------------------


def pv_errors(
    *,
    result: SectionResult,
    registered: int,
    voters: int,
    blank: int,
    void: int,
    votes: Mapping[int, int],
    assessors: str,
    roll_count: int | None = None,
) -> dict[str, list[str]]:
    """Every inconsistency of a PV's figures, as ``{field: [French message]}``."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    figures = {"registered": registered, "voters": voters, "blank": blank, "void": void}
    for name, value in {**figures, **{vote_field(k): v for k, v in votes.items()}}.items():
        if value is None or value < 0:
            add(name, _("Indiquez un nombre positif ou nul."))
    if errors:
        return errors
    if roll_count is None:
        roll_count = (
            RollEntry.objects.active()
            .filter(ballot_id=result.round.ballot_id, section_id=result.section_id)
            .count()
        )
    if registered > roll_count:
        add(
            "registered",
            _(
                "La liste électorale de la section compte %(roll)s inscrit·es : le PV ne peut "
                "en déclarer %(registered)s."
            )
            % {"roll": roll_count, "registered": registered},
        )
    if voters > registered:
        add(
            "voters",
            _(
                "Plus de votants (%(voters)s) que d'inscrits (%(registered)s) : vérifiez le "
                "nombre de signatures sur la liste d'émargement."
            )
            % {"voters": voters, "registered": registered},
        )
    if blank + void > voters:
        add(
            "blank",
            _(
                "Les bulletins blancs (%(blank)s) et nuls (%(void)s) dépassent le nombre de "
                "votants (%(voters)s)."
            )
            % {"blank": blank, "void": void, "voters": voters},
        )
    expressed = voters - blank - void
    total = sum(votes.values())
    if not errors.get("blank") and total != expressed:
        first = vote_field(next(iter(votes))) if votes else NON_FIELD_ERRORS
        add(
            first,
            _(
                "Le total des voix (%(total)s) ne correspond pas aux suffrages exprimés : "
                "%(voters)s votants − %(blank)s blancs − %(void)s nuls = %(expressed)s."
            )
            % {
                "total": total,
                "voters": voters,
                "blank": blank,
                "void": void,
                "expressed": expressed,
            },
        )
    if not assessors.strip():
        add("assessors", _("Indiquez au moins un·e assesseur·e du bureau de vote."))
    return errors


def _pv_snapshot(result: SectionResult) -> dict:
    lines = {line.option.label: line.votes for line in result.lines.select_related("option")}
    return {
        "registered": result.registered,
        "voters": result.voters,
        "blank": result.blank,
        "void": result.void,
        "assessors": result.assessors,
        **{f"votes:{label}": n for label, n in lines.items()},
    }


def _pv_write(
    result: SectionResult,
    *,
    registered: int,
    voters: int,
    blank: int,
    void: int,
    votes: Mapping[int, int],
    assessors: str,
) -> dict:
    """Check and write the figures; returns ``{field: [before, after]}``."""
    option_ids = set(result.round.options.values_list("pk", flat=True))
    if set(votes) != option_ids:
        raise ValidationError(_("Le PV doit donner les voix de chaque option du tour."))
    errors = pv_errors(
        result=result,
        registered=registered,
        voters=voters,
        blank=blank,
        void=void,
        votes=votes,
        assessors=assessors,
    )
    if errors:
        raise ValidationError(errors)
    before = _pv_snapshot(result)
    result.registered, result.voters, result.blank, result.void = registered, voters, blank, void
    result.assessors = assessors.strip()
    result.save()
    for option_id, n in votes.items():
        SectionResultLine.objects.update_or_create(
            result=result, option_id=option_id, defaults={"votes": n}
        )
    after = _pv_snapshot(result)
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _locked_pv(result: SectionResult) -> SectionResult:
    return (
        SectionResult.objects.select_for_update()
        .select_related("round__ballot", "section")
        .get(pk=result.pk)
    )


def _pv_params(result: SectionResult, **extra) -> dict:
    return {
        "title": result.round.ballot.title,
        "section": result.section.name,
        "round": result.round.number,
        **extra,
    }


@transaction.atomic
def pv_enter(*, actor, result: SectionResult, **figures) -> SectionResult:
    """The section secretary enters (or corrects) the PV; it then awaits a countersignature."""
    authorize(actor, "ballots.enter_results", result)
    result = _locked_pv(result)
    if not result.round.is_open:
        _fail(NON_FIELD_ERRORS, _("Ce tour est clos : le PV ne peut plus être saisi."))
    if result.status == SectionResult.Status.VALIDATED:
        _fail(
            NON_FIELD_ERRORS,
            _("Ce PV est validé : seule la fédération peut le rectifier, avec un motif."),
        )
    status_before = result.status
    changes = _pv_write(result, **figures)
    result.status = SectionResult.Status.ENTERED
    result.entered_by = _user(actor)
    result.countersigned_by = None
    result.save(update_fields=["status", "entered_by", "countersigned_by", "updated_at"])
    if status_before != result.status:
        changes["status"] = [status_before, result.status]
    if "registered" in changes:  # a PV not validated counts in the tally by its roll only
        _retally(result.round_id)
    audit(
        actor=actor, code="ballots.pv_enter", obj=result, params=_pv_params(result), changes=changes
    )
    return result


@transaction.atomic
def pv_countersign(*, actor, result: SectionResult) -> SectionResult:
    """An assessor of the section countersigns the PV entered by the secretary."""
    authorize(actor, "ballots.countersign", result)
    result = _locked_pv(result)
    if result.status != SectionResult.Status.ENTERED:
        _fail(NON_FIELD_ERRORS, _("Seul un PV saisi et non encore contresigné se contresigne."))
    if actor.pk is not None and result.entered_by_id == actor.pk:
        _fail(
            NON_FIELD_ERRORS,
            _("Le PV doit être contresigné par une autre personne que celle qui l'a saisi."),
        )
    result.status = SectionResult.Status.COUNTERSIGNED
    result.countersigned_by = _user(actor)
    result.save(update_fields=["status", "countersigned_by", "updated_at"])
    audit(
        actor=actor,
        code="ballots.pv_countersign",
        obj=result,
        params=_pv_params(result),
        changes={"status": ["entered", "countersigned"]},
    )
    return result


@transaction.atomic
def pv_validate(*, actor, result: SectionResult) -> SectionResult:
    """The federation validates a countersigned PV: its figures enter the consolidation."""
    authorize(actor, "ballots.manage", result.round.ballot)
    result = _locked_pv(result)
    if result.round.status == Round.Status.PUBLISHED:
        _fail(NON_FIELD_ERRORS, _("Les résultats de ce tour sont publiés."))
    if result.status != SectionResult.Status.COUNTERSIGNED:
        _fail(NON_FIELD_ERRORS, _("Seul un PV contresigné par un·e assesseur·e se valide."))
    result.status = SectionResult.Status.VALIDATED
    result.validated_by = _user(actor)
    result.correction_note = ""
    result.save(update_fields=["status", "validated_by", "correction_note", "updated_at"])
    _retally(result.round_id)
    audit(
        actor=actor,
        code="ballots.pv_validate",
        obj=result,
        params=_pv_params(result),
        changes={"status": ["countersigned", "validated"]},
    )
    return result


@transaction.atomic
def pv_request_correction(*, actor, result: SectionResult, note: str) -> SectionResult:
    """The federation sends a PV back to the section with what to correct."""
    authorize(actor, "ballots.manage", result.round.ballot)
    result = _locked_pv(result)
    if not note.strip():
        _fail("note", _("Dites à la section ce qu'il faut corriger."))
    if not result.round.is_open:
        _fail(NON_FIELD_ERRORS, _("Ce tour est clos : rectifiez le PV vous-même, avec un motif."))
    if result.status == SectionResult.Status.PENDING:
        _fail(NON_FIELD_ERRORS, _("Ce PV n'a pas encore été saisi."))
    before = result.status
    result.status = SectionResult.Status.CORRECTION
    result.correction_note = note.strip()
    result.validated_by = None
    result.save(update_fields=["status", "correction_note", "validated_by", "updated_at"])
    if before == SectionResult.Status.VALIDATED:
        _retally(result.round_id)
    audit(
        actor=actor,
        code="ballots.pv_request_correction",
        obj=result,
        params=_pv_params(result, note=result.correction_note),
        changes={"status": [before, "correction"]},
    )
    return result


@transaction.atomic
def pv_rectify(*, actor, result: SectionResult, reason: str, **figures) -> SectionResult:
    """The federation rectifies a PV's figures itself, with a reason; the PV is validated."""
    authorize(actor, "ballots.manage", result.round.ballot)
    result = _locked_pv(result)
    if result.round.status == Round.Status.PUBLISHED:
        _fail(NON_FIELD_ERRORS, _("Les résultats de ce tour sont publiés : plus de rectification."))
    if not reason.strip():
        _fail("reason", _("Le motif de la rectification est obligatoire."))
    before = result.status
    changes = _pv_write(result, **figures)
    result.status = SectionResult.Status.VALIDATED
    result.validated_by = _user(actor)
    result.correction_note = ""
    result.save(update_fields=["status", "validated_by", "correction_note", "updated_at"])
    if before != result.status:
        changes["status"] = [before, result.status]
    _retally(result.round_id)
    audit(
        actor=actor,
        code="ballots.pv_rectify",
        obj=result,
        params=_pv_params(result, reason=reason.strip()),
        changes=changes,
    )
    return result
