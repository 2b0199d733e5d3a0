"""Demo data of the ballots app: last congress's election of the first secretary, counted
in the sections over two rounds (every PV entered, countersigned, validated, published),
and this year's vote on the orientation motions, open online.

Runs after the organisation demo (federation "FED75", sections "S75-…"). Idempotent: a
ballot is matched by its federation and title and never created twice; figures come from
a seeded generator, so two runs produce the same results.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from fede.core.access import SYSTEM
from fede.organization.models import Member, Unit

from . import services
from .models import Ballot, RollEntry, Round, SectionResult, VoteRecord
from .selectors import round_results

SEED = 2026

CANDIDATES = ["Hélène Brunet", "Mathieu Keller", "Sabrina Oukaci"]
# Share of the expressed votes each candidate tends to get in the first round (no one
# reaches half: a second round between the first two).
FIRST_ROUND_WEIGHTS = [0.41, 0.36, 0.23]
SECOND_ROUND_WEIGHTS = [0.54, 0.46]

MOTIONS = [
    "Motion A — « Reconquérir Paris, quartier par quartier »",
    "Motion B — « Une fédération ouverte aux salarié·es et aux entreprises »",
    "Motion C — « Le parti des communs »",
]

CONGRESS_TEXT = (
    "Élection du premier ou de la première secrétaire fédérale par les adhérent·es, lors "
    "du congrès fédéral. Le vote a lieu dans chaque section ; le bureau de vote dépouille "
    "et le ou la secrétaire de section saisit le procès-verbal, contresigné par un·e "
    "assesseur·e. Majorité absolue des suffrages exprimés au premier tour, sinon second "
    "tour entre les deux candidat·es arrivé·es en tête."
)
MOTIONS_TEXT = (
    "Les trois motions d'orientation déposées pour le congrès sont soumises au vote de "
    "tous les adhérent·es à jour de cotisation. Le vote a lieu **en ligne, à bulletin "
    "secret** : la liste des votant·es et l'urne sont séparées. Après la clôture, la "
    "fédération publie les résultats et la liste des bulletins, que chacun·e peut "
    "recompter et où chacun·e retrouve son bulletin grâce à son code de vérification."
)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _split(rnd: random.Random, total: int, weights: list[float]) -> list[int]:
    """``total`` votes shared among options around ``weights`` (sums exactly to total)."""
    noisy = [max(0.01, w + rnd.uniform(-0.03, 0.03)) for w in weights]
    scale = sum(noisy)
    votes = [int(total * w / scale) for w in noisy]
    votes[0] += total - sum(votes)
    return votes


def _count_round(round_: Round, rnd: random.Random, weights: list[float]) -> None:
    """Every section's PV of ``round_``: entered, countersigned, validated."""
    options = list(round_.options.order_by("order", "pk"))
    for pv in round_.section_results.order_by("section__code"):
        voters = round(pv.registered * rnd.uniform(0.45, 0.75))
        blank = min(voters, rnd.randint(0, 3))
        void = min(voters - blank, rnd.randint(0, 2))
        votes = _split(rnd, voters - blank - void, weights)
        assessors = rnd.choice(
            ["Inès Moreau, Paul Garnier", "Fatou Diallo", "Léa Roux, Karim Saïdi", "Marc Petit"]
        )
        services.pv_enter(
            actor=SYSTEM,
            result=pv,
            registered=pv.registered,
            voters=voters,
            blank=blank,
            void=void,
            votes={o.pk: n for o, n in zip(options, votes, strict=True)},
            assessors=assessors,
        )
        services.pv_countersign(actor=SYSTEM, result=pv)
        services.pv_validate(actor=SYSTEM, result=pv)


def _congress(federation: Unit, today: datetime.date, rnd: random.Random) -> Ballot | None:
    year = today.year - 1
    title = f"Élection du premier secrétaire fédéral — congrès {year}"
    if Ballot.objects.filter(federation=federation, title=title).exists():
        return None
    first_day = today - datetime.timedelta(days=200)
    ballot = services.ballot_create(
        actor=SYSTEM,
        federation=federation,
        options=CANDIDATES,
        title=title,
        description=CONGRESS_TEXT,
        kind=Ballot.Kind.ELECTION,
        mode=Ballot.Mode.SECTION,
        majority=Ballot.Majority.ABSOLUTE,
        runoff_size=2,
        eligibility_date=first_day - datetime.timedelta(days=30),
        joined_before=first_day - datetime.timedelta(days=90),
        opens_at=_at(first_day, 9),
        closes_at=_at(first_day, 21),
    )
    services.ballot_open(actor=SYSTEM, ballot=ballot)
    first = ballot.rounds.get(number=1)
    _count_round(first, rnd, FIRST_ROUND_WEIGHTS)
    services.round_close(actor=SYSTEM, round=first, now=first.closes_at)
    services.round_publish(actor=SYSTEM, round=first)
    if not round_results(first).outcome.runoff:
        return ballot  # a winner in the first round: no second one
    second_day = first_day + datetime.timedelta(days=7)
    second = services.round_open_next(
        actor=SYSTEM, ballot=ballot, opens_at=_at(second_day, 9), closes_at=_at(second_day, 21)
    )
    _count_round(second, rnd, SECOND_ROUND_WEIGHTS)
    services.round_close(actor=SYSTEM, round=second, now=second.closes_at)
    services.round_publish(actor=SYSTEM, round=second)
    return ballot


def _motions(federation: Unit, today: datetime.date, rnd: random.Random) -> Ballot | None:
    title = f"Motions d'orientation — congrès {today.year}"
    if Ballot.objects.filter(federation=federation, title=title).exists():
        return None
    ballot = services.ballot_create(
        actor=SYSTEM,
        federation=federation,
        options=MOTIONS,
        title=title,
        description=MOTIONS_TEXT,
        kind=Ballot.Kind.MOTIONS,
        mode=Ballot.Mode.ONLINE,
        majority=Ballot.Majority.RELATIVE,
        runoff_size=2,
        eligibility_date=today - datetime.timedelta(days=10),
        joined_before=today - datetime.timedelta(days=90),
        opens_at=_at(today - datetime.timedelta(days=2), 9),
        closes_at=_at(today + datetime.timedelta(days=5), 20),
    )
    services.ballot_open(actor=SYSTEM, ballot=ballot)
    round_ = ballot.rounds.get()
    options = list(round_.options.order_by("order", "pk"))
    # A fifth of the roll has voted already — members without a login only, so that
    # every demo account can still vote.
    entries = list(
        RollEntry.objects.filter(ballot=ballot, member__user__isnull=True)
        .order_by("member__membership_number")
        .values_list("member_id", "section_id")
    )
    members = {m.pk: m for m in Member.objects.filter(pk__in=[pk for pk, _ in entries])}
    for member_id, section_id in rnd.sample(entries, len(entries) // 5):
        choice = rnd.choices(options + [None], weights=[0.41, 0.33, 0.22, 0.04])[0]
        services._cast(
            member=members[member_id],
            section_id=section_id,
            round_=round_,
            option=choice,
            now=timezone.now() - datetime.timedelta(days=rnd.randint(0, 2)),
        )
    return ballot


@transaction.atomic
def load(*, stdout, open_data=None) -> list:
    federation = Unit.objects.filter(code="FED75").first()
    if federation is None:
        stdout.write("Votes : pas de fédération de démonstration, rien à créer.")
        return []
    today = timezone.localdate()
    rnd = random.Random(SEED)
    congress = _congress(federation, today, rnd)
    motions = _motions(federation, today, rnd)
    done = [b.title for b in (congress, motions) if b is not None]
    if done:
        pvs = SectionResult.objects.filter(round__ballot=congress).count() if congress else 0
        voted = VoteRecord.objects.filter(round__ballot=motions).count() if motions else 0
        stdout.write(
            f"Votes : {len(done)} votes créés ({pvs} procès-verbaux, {voted} votes en ligne)."
        )
    else:
        stdout.write("Votes : déjà en place.")
    return []
