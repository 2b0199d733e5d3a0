"""Reads of the convention app, with their joins and annotations."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from fede.events.models import Event
from fede.organization.models import Unit
from fede.organization.roles import can, units_q

from .models import (
    VIEW,
    Amendment,
    Citation,
    Contribution,
    Convention,
    Grouping,
    Paragraph,
    Topic,
)

CONTRIBUTE = "convention.contribute"


def conventions(user) -> QuerySet[Convention]:
    return Convention.objects.in_scope(user, VIEW).select_related("federation")


def convention_queryset():
    return Convention.objects.select_related("federation")


def topic_queryset():
    return Topic.objects.select_related("convention__federation")


def contribution_queryset():
    return Contribution.objects.select_related("topic__convention__federation", "section")


def paragraph_queryset():
    return Paragraph.objects.select_related("topic__convention__federation")


def amendment_queryset():
    return Amendment.objects.select_related(
        "paragraph__topic__convention__federation", "section", "result"
    )


def my_sections(user, convention: Convention) -> list[Unit]:
    """The sections of the convention's federation for which ``user`` deposits texts."""
    return list(
        Unit.objects.sections()
        .active()
        .filter(path__startswith=convention.federation.path)
        .filter(units_q(user, CONTRIBUTE))
        .order_by("name")
    )


def section_events(sections: list[Unit], convention: Convention) -> QuerySet[Event]:
    """Agenda events of these sections around the debates, to link to a debate."""
    return Event.objects.filter(
        organiser__in=sections,
        start__date__gte=convention.topics_published_on,
        start__lte=convention.contributions_deadline,
    ).order_by("start")


def _all_readable(user, convention: Convention) -> bool:
    """After the deadline every logged-in user reads every contribution of the convention
    (the first branch of ``ContributionQuerySet.in_scope``): no per-row scope filter then."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and convention.contributions_deadline <= timezone.now()
        and convention.topics_published_on <= timezone.localdate()
    )


def visible_contributions(user, topic: Topic) -> QuerySet[Contribution]:
    """The contributions of ``topic`` that ``user`` may read, by section name. After the
    deadline (everyone reads them all) the scope filter and its joins are left out, so the
    count is an index-only scan of the topic's contributions."""
    if _all_readable(user, topic.convention):
        contributions = Contribution.objects.filter(topic=topic)
    else:
        contributions = Contribution.objects.in_scope(user, VIEW).filter(topic=topic)
    return contributions.select_related("section").order_by("section__name", "pk")


def contribution_rows(contributions: QuerySet[Contribution]) -> QuerySet[Contribution]:
    """What a list of contributions shows: section name, excerpt, vote."""
    return contributions.select_related("section").only(
        "topic_id",
        "section_id",
        "section__name",
        "text",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "members_present",
    )


def vote_line(item) -> str:
    """The sentence of ``convention/includes/vote.html``, built once per row in Python."""
    return _(
        "Vote de la section : %(f)s pour, %(a)s contre, %(ab)s abstentions (%(p)s présent·es)."
    ) % {
        "f": item.votes_for,
        "a": item.votes_against,
        "ab": item.votes_abstain,
        "p": item.members_present,
    }


def coverage_filter(contributions: QuerySet[Contribution], coverage: str):
    full = Exists(Citation.objects.filter(contribution=OuterRef("pk"), extent=Citation.Extent.FULL))
    any_ = Exists(Citation.objects.filter(contribution=OuterRef("pk")))
    if coverage == Contribution.Coverage.FULL:
        return contributions.filter(full)
    if coverage == Contribution.Coverage.PARTIAL:
        return contributions.filter(any_).exclude(full)
    if coverage == Contribution.Coverage.NONE:
        return contributions.exclude(any_)
    return contributions


def _scalar(grouped: QuerySet) -> Coalesce:
    """The ``n`` of a one-group subquery, 0 when it has no row."""
    return Coalesce(Subquery(grouped.values("n")), 0)


def coverage_counts(topic: Topic) -> dict[str, int]:
    """How many contributions of the topic are taken up, partly, not at all (one query)."""
    # Citations link a paragraph and a contribution of the same topic (``citation_set``):
    # counted from the topic's citations rather than one EXISTS per contribution.
    # Still one query: three scalar subqueries (an index-only count of the contributions).
    contributions = Contribution.objects.filter(topic=OuterRef("pk")).order_by().values("topic")
    citations = Citation.objects.filter(paragraph__topic=OuterRef("pk")).order_by()
    citations = citations.values("paragraph__topic")
    full = Q(extent=Citation.Extent.FULL)
    counts = (
        Topic.objects.filter(pk=topic.pk)
        .annotate(
            total=_scalar(contributions.annotate(n=Count("pk"))),
            full=_scalar(citations.annotate(n=Count("contribution", distinct=True, filter=full))),
            cited=_scalar(citations.annotate(n=Count("contribution", distinct=True))),
        )
        .values("total", "full", "cited")
        .get()
    )
    return {
        "total": counts["total"],
        "full": counts["full"],
        "partial": counts["cited"] - counts["full"],
        "none": counts["total"] - counts["cited"],
    }


def coverage_from_citations(citations) -> str:
    """A contribution's coverage from its (prefetched) citations: taken up if one of them
    takes it fully, partly if they all take it in part, not at all without citation."""
    extents = {citation.extent for citation in citations}
    if Citation.Extent.FULL in extents:
        return Contribution.Coverage.FULL
    if Citation.Extent.PARTIAL in extents:
        return Contribution.Coverage.PARTIAL
    return Contribution.Coverage.NONE


def synthesis(topic: Topic) -> list[Paragraph]:
    """The paragraphs with their citations (and the cited sections) and amendment counts."""
    return list(
        topic.paragraphs.annotate(amendment_count=Count("amendments"))
        .prefetch_related(
            Prefetch(
                "citations",
                queryset=Citation.objects.select_related("contribution__section").order_by(
                    "contribution__section__name"
                ),
            )
        )
        .order_by("position")
    )


def citations_of(contribution: Contribution, user) -> list[Citation]:
    """The synthesis paragraphs citing a contribution that ``user`` may read."""
    paragraphs = Paragraph.objects.in_scope(user, VIEW).values("pk")
    return list(
        contribution.citations.filter(paragraph__in=paragraphs)
        .select_related("paragraph__topic")
        .order_by("paragraph__position")
    )


def latest_grouping(topic: Topic) -> Grouping | None:
    return topic.groupings.order_by("-created_at", "-pk").first()


def grouping_rows(grouping: Grouping, topic: Topic) -> list[dict]:
    """The groups with their contributions loaded in one query."""
    ids = [pk for group in grouping.groups for pk in group["contributions"]]
    by_id = {
        c.pk: c
        for c in Contribution.objects.filter(topic=topic, pk__in=ids).select_related("section")
    }
    rows = []
    for number, group in enumerate(grouping.groups, start=1):
        items = [by_id[pk] for pk in group["contributions"] if pk in by_id]
        if items:
            rows.append({"number": number, "phrases": group["phrases"], "contributions": items})
    return rows


def is_rapporteur(user, convention: Convention) -> bool:
    return can(user, "convention.rapporteur", convention.federation)


def is_manager(user, convention: Convention) -> bool:
    return can(user, "convention.manage", convention.federation)


def section_status(convention: Convention, sections: list[Unit]) -> list[dict]:
    """For each of ``sections``: its debate and its contribution on each topic."""
    topics = sorted(convention.topics.all(), key=lambda t: t.number)
    contributions = {
        (c.section_id, c.topic_id): c
        for c in Contribution.objects.filter(topic__convention=convention, section__in=sections)
    }
    debates = {d.section_id: d for d in convention.debates.filter(section__in=sections)}
    return [
        {
            "section": section,
            "debate": debates.get(section.pk),
            "topics": [(topic, contributions.get((section.pk, topic.pk))) for topic in topics],
        }
        for section in sections
    ]


def results(convention: Convention) -> dict:
    topics = sorted(convention.topics.select_related("result"), key=lambda t: t.number)
    amendments = list(
        Amendment.objects.filter(paragraph__topic__convention=convention)
        .select_related("paragraph__topic", "section", "result")
        .order_by("paragraph__topic__scope", "paragraph__position", "pk")
    )
    return {"topics": topics, "amendments": amendments}
