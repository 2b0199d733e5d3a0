"""Reads of the ballots app: consolidated results, who may see them, lists.

Results of a round are computed from the validated PVs (votes in sections) or from the
ballot box and the register (online votes). The same function feeds the pages, the PDF
and the publication, so what is published is exactly what anyone can recompute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Q, Sum, Value

from fede.core.memo import TimedCache
from fede.organization.roles import can

from .models import (
    Ballot,
    CastBallot,
    Option,
    RollEntry,
    Round,
    RoundTally,
    SectionResult,
    SectionResultLine,
    VoteRecord,
)


def share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


@dataclass
class Line:
    option: Option
    votes: int
    share: float = 0.0


@dataclass
class Outcome:
    winner: Option | None = None
    runoff: bool = False
    qualified: list[Option] = field(default_factory=list)
    tie: bool = False


@dataclass
class SectionRow:
    section: object
    registered: int
    voters: int
    blank: int = 0
    void: int = 0
    votes: list[int] = field(default_factory=list)
    status: str = ""
    status_label: str = ""
    result: SectionResult | None = None

    @property
    def expressed(self) -> int:
        return self.voters - self.blank - self.void

    @property
    def turnout(self) -> float:
        return share(self.voters, self.registered)


@dataclass
class Results:
    """Consolidated figures of a round. Totals come from SQL aggregates; the per-section
    rows (8,000 at national scale) are built only when read (``sections``, ``missing``),
    or a page at a time with :func:`section_rows_page`."""

    round: Round
    roll: int  # everyone on the roll
    registered: int  # registered in the sections counted
    voters: int
    blank: int
    void: int
    lines: list[Line]
    outcome: Outcome
    section_count: int = 0
    missing_count: int = 0
    load_rows: Callable[[], list[SectionRow]] = field(default=list, repr=False, compare=False)

    @cached_property
    def sections(self) -> list[SectionRow]:
        return self.load_rows()

    @cached_property
    def missing(self) -> list[SectionRow]:
        return [row for row in self.sections if row.status and row.status != "validated"]

    @property
    def expressed(self) -> int:
        return self.voters - self.blank - self.void

    @property
    def turnout(self) -> float:
        return share(self.voters, self.registered)

    @property
    def counted(self) -> int:
        return self.section_count - self.missing_count

    @property
    def complete(self) -> bool:
        return not self.missing_count

    @property
    def chart(self) -> dict:
        """Geometry of the bar chart (SVG drawn by the template, no script)."""
        row, bar_max = 28, 300
        rows = [
            {
                "line": line,
                "y": 4 + i * row,
                "text_y": 4 + i * row + 15,
                "width": round(bar_max * line.votes / self.expressed) if self.expressed else 0,
                "winner": self.outcome.winner == line.option,
            }
            for i, line in enumerate(self.lines)
        ]
        for r in rows:
            r["label_x"] = 256 + r["width"]
        return {"height": 8 + row * len(rows), "rows": rows}


def outcome_of(ballot: Ballot, round_: Round, lines: list[Line], expressed: int) -> Outcome:
    """Winner, or the options qualified for a further round, or a tie."""
    ordered = sorted(lines, key=lambda line: -line.votes)
    if not ordered or expressed == 0:
        return Outcome()
    top = ordered[0]
    two_rounds = ballot.majority == Ballot.Majority.ABSOLUTE and round_.number == 1
    if two_rounds and len(ordered) > ballot.runoff_size:
        if top.votes * 2 > expressed:
            return Outcome(winner=top.option)
        threshold = ordered[ballot.runoff_size - 1].votes
        qualified = [line.option for line in ordered if line.votes >= threshold and line.votes]
        return Outcome(runoff=True, qualified=qualified)
    # As many options as places in a second round: an absolute majority or a tie.
    if two_rounds and top.votes * 2 > expressed:
        return Outcome(winner=top.option)
    if len(ordered) > 1 and ordered[1].votes == top.votes:
        return Outcome(tie=True)
    return Outcome(winner=top.option)


def _roll_by_section(ballot: Ballot) -> dict[int, int]:
    return dict(
        RollEntry.objects.active()
        .filter(ballot=ballot)
        .order_by()
        .values("section")
        .annotate(n=Count("pk"))
        .values_list("section", "n")
    )


def round_results(round_: Round, *, recount: bool = False, options=None) -> Results:
    """The consolidated results of a round (whoever asks: check :func:`results_visible`).

    A section round is read from its kept tally (:class:`RoundTally`, loaded with the round
    by ``select_related("tally")`` or here) unless ``recount`` or it has none. ``options``:
    the round's, in order, when the caller has them (:func:`round_options`)."""
    ballot = round_.ballot
    if options is None:
        # Sorted here: the options prefetched with the round are used without a new query.
        options = sorted(round_.options.all(), key=lambda option: (option.order, option.pk))
    if ballot.mode == Ballot.Mode.SECTION:
        figures = None if recount else _kept_tally(round_)
        return _section_results(round_, ballot, options, figures or tally_of(round_.pk))
    return _online_results(round_, ballot, options, _roll_by_section(ballot))


def _kept_tally(round_: Round) -> dict | None:
    if Round.tally.is_cached(round_):
        kept = round_._state.fields_cache.get("tally")
    else:
        kept = RoundTally.objects.filter(round_id=round_.pk).first()
    if kept is None:
        return None
    return {
        "pvs": kept.pvs,
        "counted": kept.counted,
        "roll": kept.roll,
        "registered": kept.registered,
        "voters": kept.voters,
        "blank": kept.blank,
        "void": kept.void,
        "votes": {int(k): v for k, v in kept.votes.items()},
    }


def tally_of(round_id: int) -> dict:
    """The figures of a section round summed from its PVs (what :class:`RoundTally` keeps):
    every PV counts in ``pvs`` and ``roll``, only validated ones in the rest."""
    validated = Q(status=SectionResult.Status.VALIDATED)
    figures = SectionResult.objects.filter(round_id=round_id).aggregate(
        pvs=Count("pk"),
        counted=Count("pk", filter=validated),
        roll=Sum("registered"),
        registered=Sum("registered", filter=validated),
        voters=Sum("voters", filter=validated),
        blank=Sum("blank", filter=validated),
        void=Sum("void", filter=validated),
    )
    figures = {key: value or 0 for key, value in figures.items()}
    figures["votes"] = dict(
        SectionResultLine.objects.filter(
            result__round_id=round_id, result__status=SectionResult.Status.VALIDATED
        )
        .order_by()
        .values("option")
        .annotate(n=Sum("votes"))
        .values_list("option", "n")
    )
    return figures


def section_rows(pvs, options) -> list[SectionRow]:
    """Rows of the per-section table for these PVs (their votes in one query)."""
    pvs = list(pvs)
    votes: dict[int, dict[int, int]] = {pv.pk: {} for pv in pvs}
    for result_id, option_id, n in (
        SectionResultLine.objects.filter(result__in=[pv.pk for pv in pvs])
        .order_by()
        .values_list("result_id", "option_id", "votes")
    ):
        votes[result_id][option_id] = n
    labels = {value: str(label) for value, label in SectionResult.Status.choices}
    return [
        SectionRow(
            section=pv.section,
            registered=pv.registered,
            voters=pv.voters,
            blank=pv.blank,
            void=pv.void,
            votes=[votes[pv.pk].get(o.pk, 0) for o in options],
            status=pv.status,
            status_label=labels.get(pv.status, pv.status),
            result=pv,
        )
        for pv in pvs
    ]


@dataclass(frozen=True, slots=True)
class _Ref:
    """What a row of the results page reads of its section (name) and PV (pk)."""

    pk: int | None = None
    name: str = ""


def _section_rows_of_values(pvs, options) -> list[SectionRow]:
    """:func:`section_rows` for ``(pk, section name, status, registered, voters, blank,
    void)`` tuples."""
    votes: dict[int, dict[int, int]] = {pv[0]: {} for pv in pvs}
    for result_id, option_id, n in (
        SectionResultLine.objects.filter(result__in=list(votes))
        .order_by()
        .values_list("result_id", "option_id", "votes")
    ):
        votes[result_id][option_id] = n
    labels = {value: str(label) for value, label in SectionResult.Status.choices}
    option_ids = [o.pk for o in options]
    return [
        SectionRow(
            section=_Ref(name=name),
            registered=registered,
            voters=voters,
            blank=blank,
            void=void,
            votes=[votes[pk].get(o, 0) for o in option_ids],
            status=status,
            status_label=labels.get(status, status),
            result=_Ref(pk=pk),
        )
        for pk, name, status, registered, voters, blank, void in pvs
    ]


def _pvs(round_: Round):
    return round_.section_results.select_related("section").order_by("section__sort_name", "pk")


def section_rows_page(round_: Round, results: Results, page_param, per_page: int = 50):
    """One page of the per-section table of a round (PVs, or the online register)."""
    from fede.core.lists import Page, page_number, paginate

    options = [line.option for line in results.lines]
    if round_.ballot.mode == Ballot.Mode.SECTION:
        # The table shows the section's name and the PV's figures and status only: read
        # as tuples, no model instance per row.
        pvs = _pvs(round_).values_list(
            "pk", "section__name", "status", "registered", "voters", "blank", "void"
        )
        page = paginate(pvs, page_param, per_page=per_page, count=False)
        page.object_list = _section_rows_of_values(page.object_list, options)
        page.count = results.section_count
        return page
    rows = results.sections
    number = min(page_number(page_param), max(1, -(-len(rows) // per_page)))
    window = rows[(number - 1) * per_page : number * per_page + 1]
    return Page(
        object_list=window[:per_page],
        number=number,
        per_page=per_page,
        has_next=len(window) > per_page,
        count=len(rows),
    )


def _section_results(round_, ballot, options, figures: dict) -> Results:
    totals = figures["votes"]
    registered, voters = figures["registered"], figures["voters"]
    blank, void = figures["blank"], figures["void"]
    expressed = voters - blank - void
    lines = [Line(o, totals.get(o.pk, 0), share(totals.get(o.pk, 0), expressed)) for o in options]
    return Results(
        round=round_,
        # Each PV's "registered" follows the roll (corrections included): their sum is
        # the roll, without counting 400,000 rows.
        roll=figures["roll"],
        registered=registered,
        voters=voters,
        blank=blank,
        void=void,
        lines=lines,
        outcome=outcome_of(ballot, round_, lines, expressed),
        section_count=figures["pvs"],
        missing_count=figures["pvs"] - figures["counted"],
        load_rows=lambda: section_rows(_pvs(round_), options),
    )


def _online_results(round_, ballot, options, roll) -> Results:
    counts = dict(
        CastBallot.objects.filter(round=round_)
        .order_by()
        .values("option")
        .annotate(n=Count("pk"))
        .values_list("option", "n")
    )
    blank = counts.pop(None, 0)
    by_section = dict(
        VoteRecord.objects.filter(round=round_)
        .order_by()
        .values("section")
        .annotate(n=Count("pk"))
        .values_list("section", "n")
    )
    from fede.organization.models import Unit

    sections = Unit.objects.filter(pk__in=set(roll) | set(by_section)).order_by("name")
    rows = [
        SectionRow(section=s, registered=roll.get(s.pk, 0), voters=by_section.get(s.pk, 0))
        for s in sections
    ]
    voters = sum(by_section.values())
    expressed = voters - blank
    lines = [Line(o, counts.get(o.pk, 0), share(counts.get(o.pk, 0), expressed)) for o in options]
    return Results(
        round=round_,
        roll=sum(roll.values()),
        registered=sum(roll.values()),
        voters=voters,
        blank=blank,
        void=0,
        lines=lines,
        outcome=outcome_of(ballot, round_, lines, expressed),
        section_count=len(rows),
        load_rows=lambda: rows,
    )


def results_visible(user, round_: Round) -> bool:
    """No partial result: members see a round once published; the federation sees the live
    consolidation of section PVs, and an online tally only once the round is closed."""
    if round_.is_published:
        return True
    if not can(user, "ballots.manage", round_.ballot.federation):
        return False
    return round_.ballot.mode == Ballot.Mode.SECTION or round_.status == Round.Status.CLOSED


#: The options of each round, in order: set when the round is opened and never changed
#: after (a ballot's options change only in preparation, before any round); emptied when
#: an option or a round changes (``apps.py``).
ROUND_OPTIONS = TimedCache(ttl=60, max_size=256)


def round_options(round_ids: list[int]) -> dict[int, list[Option]]:
    """{round id: its options, by order}: kept per process, the missing ones in one query.
    Read only after the caller checked who may see the round."""
    found = ROUND_OPTIONS.get_many(round_ids)
    missing = [pk for pk in round_ids if pk not in found]
    if missing:
        generation = ROUND_OPTIONS.generation()
        read: dict[int, list[Option]] = {pk: [] for pk in missing}
        for link in (
            Round.options.through.objects.filter(round_id__in=missing)
            .select_related("option")
            .order_by("option__order", "option__pk")
        ):
            read[link.round_id].append(link.option)
        ROUND_OPTIONS.set_many({pk: tuple(v) for pk, v in read.items()}, generation)
        found.update({pk: tuple(v) for pk, v in read.items()})
    return {pk: list(found[pk]) for pk in round_ids}


#: The online ballots with an open round, the same for everyone (the home panel filters
#: them per reader): emptied when a ballot, a round or a unit is saved (``apps.py``),
#: other processes see a change within the lifetime.
OPEN_ONLINE = TimedCache(ttl=30, max_size=4)


def open_online_ballots() -> tuple[tuple[int, str, str, str], ...]:
    """(pk, title, federation path, status) of every ballot held online with an open round,
    latest opening first (the order of the list page)."""

    def read():
        return tuple(
            Ballot.objects.filter(mode=Ballot.Mode.ONLINE, rounds__status=Round.Status.OPEN)
            .order_by("-opens_at", "-pk")
            .values_list("pk", "title", "federation__path", "status")
            .distinct()
        )

    return OPEN_ONLINE.get("all", read)


def ballots_for(user):
    """Ballots shown on the list page: those of the user's federation (not drafts), and
    every ballot of the federations they manage."""
    return (
        Ballot.objects.in_scope(user, "ballots.participate")
        .select_related("federation")
        # What a line shows (the DISTINCT of the scope runs over these columns only).
        .only(
            "title",
            "kind",
            "mode",
            "status",
            "opens_at",
            "closes_at",
            "federation__name",
        )
        .annotate(n_rounds=Count("rounds", distinct=True))
        .order_by("-opens_at", "-pk")
    )


def pv_tasks(user):
    """The PVs waiting for the user: to enter (secretary), to countersign (assessor)."""
    to_enter = SectionResult.objects.in_scope(user, "ballots.enter_results").filter(
        round__status=Round.Status.OPEN,
        status__in=[SectionResult.Status.PENDING, SectionResult.Status.CORRECTION],
    )
    to_sign = SectionResult.objects.in_scope(user, "ballots.countersign").filter(
        round__status=Round.Status.OPEN, status=SectionResult.Status.ENTERED
    )
    return (
        (to_enter | to_sign)
        .select_related("round__ballot", "section")
        .order_by("round__ballot__title", "section__sort_name")
        .distinct()
    )


def pv_list(round_: Round, user):
    """The PVs of a round the user reaches (the federation: all)."""
    return (
        SectionResult.objects.in_scope(user, "ballots.view_pv")
        .filter(round=round_)
        .select_related("section")
        .order_by("section__sort_name")
    )


def roll_by_section(ballot: Ballot, user):
    """(section, count) of the roll, in the sections the user reaches."""
    return (
        RollEntry.objects.in_scope(user, "ballots.view_roll")
        .active()
        .filter(ballot=ballot)
        .order_by()
        .values("section", "section__name", "section__sort_name")
        .annotate(n=Count("pk"))
        .order_by("section__sort_name")
    )


def published_ballots(round_: Round, receipt: str = ""):
    qs = CastBallot.objects.filter(round=round_).select_related("option").order_by("receipt")
    if receipt:
        qs = qs.filter(receipt__iexact=receipt.strip())
    return qs


def voting_round(ballot: Ballot, user, member) -> Round | None:
    """The ballot's current round (``services.current_round``) with, in the same query,
    whether ``member`` voted in it (:func:`has_voted`: ``voted``) and whether ``user``
    confirms with a TOTP app (``services.totp_of``: ``uses_totp``)."""
    from allauth.mfa.models import Authenticator

    voted = (
        Exists(VoteRecord.objects.filter(round=OuterRef("pk"), member=member))
        if member is not None
        else Value(False)
    )
    totp = Exists(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP))
    return ballot.rounds.order_by("-number").annotate(voted=voted, uses_totp=totp).first()


def has_voted(member, round_: Round) -> bool:
    return member is not None and VoteRecord.objects.filter(round=round_, member=member).exists()
