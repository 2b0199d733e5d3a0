"""Reads of the convention app, with their joins and annotations."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

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


def visible_contributions(user, topic: Topic) -> QuerySet[Contribution]:
    return (
        Contribution.objects.in_scope(user, VIEW)
        .filter(topic=topic)
        .select_related("section")
        .order_by("section__name", "pk")
    )


def with_coverage(contributions: QuerySet[Contribution]) -> QuerySet[Contribution]:
    """Each contribution with ``full_citations`` / ``partial_citations`` counts."""
    return contributions.annotate(
        full_citations=Count("citations", filter=Q(citations__extent=Citation.Extent.FULL)),
        partial_citations=Count("citations", filter=Q(citations__extent=Citation.Extent.PARTIAL)),
    )


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


def coverage_counts(topic: Topic) -> dict[str, int]:
    """How many contributions of the topic are taken up, partly, not at all (one query)."""
    full = Exists(Citation.objects.filter(contribution=OuterRef("pk"), extent=Citation.Extent.FULL))
    any_ = Exists(Citation.objects.filter(contribution=OuterRef("pk")))
    counts = Contribution.objects.filter(topic=topic).aggregate(
        total=Count("pk"),
        full=Count("pk", filter=Q(full)),
        cited=Count("pk", filter=Q(any_)),
    )
    return {
        "total": counts["total"],
        "full": counts["full"],
        "partial": counts["cited"] - counts["full"],
        "none": counts["total"] - counts["cited"],
    }


def coverage_of(contribution) -> str:
    if getattr(contribution, "full_citations", 0):
        return Contribution.Coverage.FULL
    if getattr(contribution, "partial_citations", 0):
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
