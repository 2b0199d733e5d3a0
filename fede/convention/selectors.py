"""Reads of the convention app, with their joins and annotations."""

from __future__ import annotations

from math import ceil
from typing import NamedTuple

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fede.core.lists import Page, page_number, paginate
from fede.core.memo import TimedCache
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


def _deadline_passed(convention: Convention) -> bool:
    return (
        convention.contributions_deadline <= timezone.now()
        and convention.topics_published_on <= timezone.localdate()
    )


def _all_readable(user, convention: Convention) -> bool:
    """After the deadline every logged-in user reads every contribution of the convention
    (the first branch of ``ContributionQuerySet.in_scope``): no per-row scope filter then."""
    return bool(getattr(user, "is_authenticated", False)) and _deadline_passed(convention)


def visible_contributions(user, topic: Topic) -> QuerySet[Contribution]:
    """The contributions of ``topic`` that ``user`` may read, by section name. After the
    deadline (everyone reads them all) the scope filter and its joins are left out, so the
    count is an index-only scan of the topic's contributions."""
    if _all_readable(user, topic.convention):
        contributions = Contribution.objects.filter(topic=topic)
    else:
        contributions = Contribution.objects.in_scope(user, VIEW).filter(topic=topic)
    return contributions.select_related("section").order_by("section__name", "pk")


# --- What every reader of a topic shares once the deadline has passed ----------------------
#
# After the deadline every logged-in user reads all the contributions of a topic, and they
# no longer change: their order (by section name), the rows of a page and what the
# synthesis cites of each are the same for everyone. They are kept here for a minute, per
# process, keyed on what changes them:
# - the convention's ``updated_at`` (its dates move the deadline) for the order and the
#   rows;
# - the topic's ``updated_at``, which the services writing citations, rapporteurs' notes
#   and documents bump, for the citations, the coverage rows and the documents: another
#   process sees such a change on its next request;
# - a new or deleted contribution and a renamed section clear this process's copies
#   (``apps.py``); another process sees them within the minute.
# Nothing here depends on the reader: the shared order and rows are only used for a reader
# who reads them all (``_all_readable``), the scope filter in SQL stays for everyone else.

_SHARED = TimedCache(ttl=60, max_size=64)
#: The rows of the pages read (their HTML), apart: many pages must not push out the
#: topic's order and citations.
_SHARED_ROWS = TimedCache(ttl=60, max_size=256)


def _shared_value(key: tuple, compute, store: TimedCache = _SHARED):
    return store.get(key, compute)


def forget_shared() -> None:
    """Drop this process's copies (a contribution, a citation or a section changed)."""
    _SHARED.clear()
    _SHARED_ROWS.clear()


def contribution_order(topic: Topic) -> list[int]:
    """The ids of all the topic's contributions, by section name (the lists' order)."""
    return _shared_value(
        ("order", topic.pk, topic.convention.updated_at),
        lambda: list(
            Contribution.objects.filter(topic=topic)
            .order_by("section__name", "pk")
            .values_list("pk", flat=True)
        ),
    )


class TopicCitations(NamedTuple):
    #: {contribution id: "full" or "partial"} for the contributions the synthesis cites (a
    #: contribution cited fully once is taken up); the others are not taken up.
    coverage: dict[int, str]
    #: {contribution id: [(position, paragraph id, note)]}: the paragraphs citing it, by
    #: position.
    paragraphs: dict[int, list[tuple[int, int, str]]]


def topic_citations(topic: Topic) -> TopicCitations:
    """What the topic's synthesis cites of each contribution (one query for the topic)."""

    def compute():
        # Citations link a paragraph and a contribution of the same topic (``citation_set``).
        coverage: dict[int, str] = {}
        paragraphs: dict[int, list[tuple[int, int, str]]] = {}
        rows = (
            Citation.objects.filter(paragraph__topic=topic)
            .order_by()
            .values_list("contribution_id", "extent", "paragraph__position", "paragraph_id", "note")
        )
        for contribution_id, extent, position, paragraph_id, note in rows:
            if coverage.get(contribution_id) != Citation.Extent.FULL:
                coverage[contribution_id] = extent
            cited = paragraphs.get(contribution_id)
            if cited is None:
                paragraphs[contribution_id] = [(position, paragraph_id, note)]
            else:
                cited.append((position, paragraph_id, note))
        # A contribution is cited once per paragraph: the positions differ.
        for cited in paragraphs.values():
            if len(cited) > 1:
                cited.sort()
        return TopicCitations(coverage, paragraphs)

    return _shared_value(("citations", topic.pk, topic.updated_at), compute)


def topic_coverage(topic: Topic) -> dict[int, str]:
    return topic_citations(topic).coverage


def topic_documents(topic: Topic) -> tuple:
    """The topic's documents (``document_add`` bumps the topic's ``updated_at``)."""
    return _shared_value(
        ("documents", topic.pk, topic.updated_at), lambda: tuple(topic.documents.all())
    )


def _covered_order(topic: Topic, coverage: str) -> list[int]:
    """``contribution_order`` kept to one coverage (as :func:`coverage_filter`)."""
    order = contribution_order(topic)
    if coverage not in Contribution.Coverage.values:
        return order

    def compute():
        cited = topic_coverage(topic)
        return [pk for pk in order if cited.get(pk, Contribution.Coverage.NONE) == coverage]

    key = ("covered", topic.pk, topic.updated_at, topic.convention.updated_at, coverage)
    return _shared_value(key, compute)


def contribution_page(
    user,
    topic: Topic,
    page_param,
    *,
    per_page: int,
    rows,
    html,
    html_key: tuple,
    coverage: str | None = None,
) -> Page:
    """One page of the topic's contributions that ``user`` may read, by section name
    (kept to a coverage of the synthesis when ``coverage`` is given): ``object_list`` holds
    their ids, ``extra["rows_html"]`` their rows, read by ``rows`` (QuerySet → QuerySet)
    and written by ``html`` (rows → HTML).

    Once the user reads them all, the page is cut from the shared order and its HTML is
    shared too, keyed on the rows and ``html_key`` (the list's name and what else its HTML
    depends on): the rows no longer change after the deadline, but for what clears this
    process's copies (``forget_shared``)."""
    if not _all_readable(user, topic.convention):
        contributions = visible_contributions(user, topic)
        if coverage is not None:
            contributions = coverage_filter(contributions, coverage)
        page = paginate(contributions, page_param, per_page=per_page, annotate=rows)
        page.extra["rows_html"] = html(page.object_list) if page.object_list else ""
        page.object_list = [row.pk for row in page.object_list]
        return page
    order = contribution_order(topic) if coverage is None else _covered_order(topic, coverage)
    total = len(order)
    number = min(page_number(page_param), max(1, ceil(total / per_page)))
    offset = (number - 1) * per_page
    ids = order[offset : offset + per_page]

    def write():
        by_pk = {r.pk: r for r in rows(Contribution.objects.filter(pk__in=ids).order_by())}
        return html([by_pk[pk] for pk in ids if pk in by_pk]) if by_pk else ""

    key = ("rows", topic.pk, topic.convention.updated_at, *html_key, get_language(), *ids)
    return Page(
        object_list=ids,
        number=number,
        per_page=per_page,
        has_next=total > offset + per_page,
        count=total,
        extra={"rows_html": _shared_value(key, write, _SHARED_ROWS) if ids else ""},
    )


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
    """How many contributions of the topic are taken up, partly, not at all: after the
    deadline from the shared order and coverage, before it in one query."""
    if _deadline_passed(topic.convention):

        def compute():
            cited = topic_coverage(topic)
            total = len(contribution_order(topic))
            full = sum(1 for extent in cited.values() if extent == Citation.Extent.FULL)
            return {
                "total": total,
                "full": full,
                "partial": len(cited) - full,
                "none": total - len(cited),
            }

        key = ("counts", topic.pk, topic.updated_at, topic.convention.updated_at)
        return dict(_shared_value(key, compute))
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
