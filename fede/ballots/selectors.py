"""Reads of the ballots app: consolidated results, who may see them, lists.

Results of a round are computed from the validated PVs (votes in sections) or from the
ballot box and the register (online votes). The same function feeds the pages, the PDF
and the publication, so what is published is exactly what anyone can recompute.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch

from fede.organization.roles import can

from .models import (
    Ballot,
    CastBallot,
    Option,
    RollEntry,
    Round,
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
    round: Round
    roll: int  # everyone on the roll
    registered: int  # registered in the sections counted
    voters: int
    blank: int
    void: int
    lines: list[Line]
    sections: list[SectionRow]
    missing: list[SectionRow]
    outcome: Outcome

    @property
    def expressed(self) -> int:
        return self.voters - self.blank - self.void

    @property
    def turnout(self) -> float:
        return share(self.voters, self.registered)

    @property
    def counted(self) -> int:
        return len(self.sections) - len(self.missing)

    @property
    def complete(self) -> bool:
        return not self.missing

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


def round_results(round_: Round) -> Results:
    """The consolidated results of a round (whoever asks: check :func:`results_visible`)."""
    ballot = round_.ballot
    options = list(round_.options.order_by("order", "pk"))
    roll = _roll_by_section(ballot)
    if ballot.mode == Ballot.Mode.SECTION:
        return _section_results(round_, ballot, options, roll)
    return _online_results(round_, ballot, options, roll)


def _section_results(round_, ballot, options, roll) -> Results:
    pvs = (
        round_.section_results.select_related("section")
        .prefetch_related(Prefetch("lines", queryset=SectionResultLine.objects.order_by()))
        .order_by("section__name")
    )
    totals = {o.pk: 0 for o in options}
    rows, missing = [], []
    registered = voters = blank = void = 0
    for pv in pvs:
        per_option = {line.option_id: line.votes for line in pv.lines.all()}
        row = SectionRow(
            section=pv.section,
            registered=pv.registered,
            voters=pv.voters,
            blank=pv.blank,
            void=pv.void,
            votes=[per_option.get(o.pk, 0) for o in options],
            status=pv.status,
            status_label=pv.get_status_display(),
            result=pv,
        )
        rows.append(row)
        if pv.status != SectionResult.Status.VALIDATED:
            missing.append(row)
            continue
        registered += pv.registered
        voters += pv.voters
        blank += pv.blank
        void += pv.void
        for option_id, n in per_option.items():
            if option_id in totals:
                totals[option_id] += n
    expressed = voters - blank - void
    lines = [Line(o, totals[o.pk], share(totals[o.pk], expressed)) for o in options]
    return Results(
        round=round_,
        roll=sum(roll.values()),
        registered=registered,
        voters=voters,
        blank=blank,
        void=void,
        lines=lines,
        sections=rows,
        missing=missing,
        outcome=outcome_of(ballot, round_, lines, expressed),
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
        sections=rows,
        missing=[],
        outcome=outcome_of(ballot, round_, lines, expressed),
    )


def results_visible(user, round_: Round) -> bool:
    """No partial result: members see a round once published; the federation sees the live
    consolidation of section PVs, and an online tally only once the round is closed."""
    if round_.is_published:
        return True
    if not can(user, "ballots.manage", round_.ballot.federation):
        return False
    return round_.ballot.mode == Ballot.Mode.SECTION or round_.status == Round.Status.CLOSED


def ballots_for(user):
    """Ballots shown on the list page: those of the user's federation (not drafts), and
    every ballot of the federations they manage."""
    return (
        Ballot.objects.in_scope(user, "ballots.participate")
        .select_related("federation")
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
        .order_by("round__ballot__title", "section__name")
        .distinct()
    )


def pv_list(round_: Round, user):
    """The PVs of a round the user reaches (the federation: all)."""
    return (
        SectionResult.objects.in_scope(user, "ballots.view_pv")
        .filter(round=round_)
        .select_related("section")
        .order_by("section__name")
    )


def roll_by_section(ballot: Ballot, user):
    """(section, count) of the roll, in the sections the user reaches."""
    return (
        RollEntry.objects.in_scope(user, "ballots.view_roll")
        .active()
        .filter(ballot=ballot)
        .order_by()
        .values("section", "section__name")
        .annotate(n=Count("pk"))
        .order_by("section__name")
    )


def published_ballots(round_: Round, receipt: str = ""):
    qs = CastBallot.objects.filter(round=round_).select_related("option").order_by("receipt")
    if receipt:
        qs = qs.filter(receipt__iexact=receipt.strip())
    return qs


def has_voted(member, round_: Round) -> bool:
    return member is not None and VoteRecord.objects.filter(round=round_, member=member).exists()
