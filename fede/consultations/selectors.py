"""Reads of the consultations app, always through ``in_scope``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import router
from django.db.models import Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.formats import localize
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fede.core.lists import PK_MARK, Page, page_number, with_row_links
from fede.core.memo import TimedCache
from fede.core.statements import Slot, instances, values
from fede.organization.roles import can

from .models import (
    Answer,
    Chapter,
    Comment,
    Consultation,
    Paragraph,
    ParagraphSupport,
    Report,
    Rewording,
    RewordingSupport,
    Version,
    _member_of,
    consultation_scope_q,
)

#: What the member pages need of a contribution's author: first name and section only.
AUTHOR_FIELDS = ("author__first_name", "author__section__name")


def consultations_for(user):
    """Consultations the user may read, newest first, with their organising unit."""
    return (
        Consultation.objects.in_scope(user, "consultations.view")
        .select_related("unit", "section")
        .order_by("-opens_at", "-pk")
    )


def current_version(consultation: Consultation) -> Version | None:
    return consultation.versions.order_by("-number").first()


def consultation_page_queryset():
    """Consultations with their units and, in the same query, what the reading pages need
    of the current version (as :func:`current_version` picks it): its id, number and
    modification stamp (``current_version_id``, ``…_number``, ``…_stamp``)."""
    current = Version.objects.filter(consultation_id=OuterRef("pk")).order_by("-number")
    return Consultation.objects.select_related("unit", "section").annotate(
        current_version_id=Subquery(current.values("pk")[:1]),
        current_version_number=Subquery(current.values("number")[:1]),
        current_version_stamp=Subquery(current.values("updated_at")[:1]),
    )


def annotated_version(consultation: Consultation) -> Version | None:
    """The current version of a consultation read by :func:`consultation_page_queryset`
    (id, number and stamp only: no query)."""
    if consultation.current_version_id is None:
        return None
    return Version(
        pk=consultation.current_version_id,
        consultation_id=consultation.pk,
        number=consultation.current_version_number,
        updated_at=consultation.current_version_stamp,
    )


def version_text(version_id: int) -> list[tuple[int, int, str, list[tuple[int, int, str]]]]:
    """The text of a version as it was written (two small queries, no counters):
    ``[(chapter id, position, title, [(paragraph id, position, text)…])…]`` in text order.
    Chapters and paragraphs never change once their version is published."""
    chapters = list(
        Chapter.objects.filter(version_id=version_id)
        .order_by("position")
        .values_list("pk", "position", "title")
    )
    by_chapter: dict[int, list] = {pk: [] for pk, _position, _title in chapters}
    if by_chapter:
        for pk, chapter_id, position, text in (
            Paragraph.objects.filter(chapter_id__in=list(by_chapter))
            .order_by("position")
            .values_list("pk", "chapter_id", "position", "text")
        ):
            by_chapter[chapter_id].append((pk, position, text))
    return [(pk, position, title, by_chapter[pk]) for pk, position, title in chapters]


def paragraph_counts(version_id: int, member=None) -> dict[int, tuple[int, int, int, bool]]:
    """Per paragraph of a version, its counters read now: ``{id: (supports, comments,
    rewordings, supported)}``, ``supported`` saying whether ``member`` supports it (False
    without a member), in one query compiled once (fede.core.statements)."""
    alias = router.db_for_read(Paragraph)

    def build():
        supported = (
            Exists(
                ParagraphSupport.objects.filter(
                    member_id=Slot("member", IntegerField()), paragraph_id=OuterRef("pk")
                )
            )
            if member is not None
            else Value(False)
        )
        return (
            Paragraph.objects.using(alias)
            .filter(chapter__version_id=Slot("version", IntegerField()))
            .annotate(supported=supported)
            .order_by()
            .values_list("pk", "support_count", "comment_count", "rewording_count", "supported")
        )

    key = ("consultations.paragraph_counts", alias, member is not None)
    slots = {"version": version_id}
    if member is not None:
        slots["member"] = member.pk
    return {row[0]: row[1:] for row in values(key, build, slots, alias)}


def version_chapters(version: Version) -> list[Chapter]:
    """Chapters with their paragraphs (two queries)."""
    return list(
        version.chapters.prefetch_related(
            Prefetch("paragraphs", queryset=Paragraph.objects.order_by("position"))
        )
    )


def _per_count(message):
    """``message(n) % {"n": localize(n)}``, computed once per count (the number localised
    as the template would write it)."""
    done: dict[int, str] = {}

    def text(n: int) -> str:
        if n not in done:
            done[n] = message(n) % {"n": localize(n)}
        return done[n]

    return text


@dataclass
class Participation:
    """Whether the user may contribute now, and what to tell them otherwise."""

    allowed: bool
    message: str = ""
    member: object = None


def participation(user, consultation: Consultation, now=None) -> Participation:
    """What the page offers (the services decide again when a form is sent)."""
    now = now or timezone.now()
    member = _member_of(user)
    if consultation.status == Consultation.Status.DRAFT:
        return Participation(False, _("Brouillon : la consultation n'est pas encore publiée."))
    if now < consultation.opens_at:
        return Participation(
            False,
            _("La consultation ouvrira le %(date)s.")
            % {"date": timezone.localtime(consultation.opens_at).strftime("%d/%m/%Y")},
        )
    if now >= consultation.closes_at:
        return Participation(
            False, _("La consultation est close : les contributions sont terminées.")
        )
    if not getattr(user, "is_authenticated", False):
        return Participation(False, _("Connectez-vous pour commenter, soutenir ou proposer."))
    if member is None or member.status != "active":
        return Participation(False, _("Seul·es les adhérent·es peuvent participer."))
    if not _in_audience(member, consultation):
        return Participation(False, _("Cette consultation n'est pas ouverte à votre section."))
    return Participation(True, member=member)


def _in_audience(member, consultation: Consultation) -> bool:
    """``audience_q`` for one published consultation and an active member, read on the
    objects already loaded rather than by a query."""
    audience = consultation.audience
    if audience == Consultation.Audience.PUBLIC:
        return True
    if audience == Consultation.Audience.FEDERATION:
        return consultation.unit.path in member.section.ancestor_paths()
    if audience == Consultation.Audience.SECTION:
        return consultation.section_id == member.section_id
    return False


def supported_paragraphs(member, version: Version) -> set[int]:
    if member is None:
        return set()
    return set(
        ParagraphSupport.objects.filter(
            member=member, paragraph__chapter__version=version
        ).values_list("paragraph_id", flat=True)
    )


def paragraph_queryset():
    return Paragraph.objects.select_related("chapter__version__consultation__unit", "previous")


def paragraph_page_queryset(user):
    """Paragraphs with their chapter, version, consultation and unit (as
    :func:`paragraph_queryset`, without the version's markdown nor the link to the previous
    paragraph) and, in the same query, what the paragraph page asks next: the
    consultation's current version (``current_version_id``, as
    :func:`current_version` picks it) and whether the user's member supports the
    paragraph (``member_supports``, as :func:`supported_paragraphs` says)."""
    member = _member_of(user)
    return _paragraph_page_queryset(member.pk if member is not None else None)


def _paragraph_page_queryset(member) -> QuerySet[Paragraph]:
    """:func:`paragraph_page_queryset` for a member's id (or a :class:`Slot`), or None."""
    return (
        Paragraph.objects.select_related("chapter__version__consultation__unit")
        # The version's markdown (the whole text) and notes are not shown here.
        .defer("chapter__version__source", "chapter__version__note")
        .annotate(
            current_version_id=Subquery(
                Version.objects.filter(
                    consultation_id=OuterRef("chapter__version__consultation_id")
                )
                .order_by("-number")
                .values("pk")[:1]
            ),
            member_supports=Exists(
                ParagraphSupport.objects.filter(member_id=member, paragraph_id=OuterRef("pk"))
            )
            if member is not None
            else Value(False),
        )
    )


#: The largest id a database column holds (a larger one in a URL is a 404).
_MAX_ID = 2**63 - 1


def paragraph_for_page(user, pk: int) -> Paragraph:
    """``get_in_scope_or_404(paragraph_page_queryset(user), capability="consultations.view",
    pk=pk)``: the same query and the same objects, compiled once per reader's scope
    (fede.core.statements). The key is the scope's condition itself (a ``Q`` compares by
    value): two readers share a statement only when their scopes are written alike. Http404
    outside the scope, like get_in_scope_or_404."""
    if not 0 < pk <= _MAX_ID:
        raise Http404
    member = _member_of(user)
    scope = consultation_scope_q(user, "consultations.view", "chapter__version__consultation__")
    alias = router.db_for_read(Paragraph)

    def build():
        supporter = Slot("member", IntegerField()) if member is not None else None
        return (
            _paragraph_page_queryset(supporter)
            .using(alias)
            .filter(scope, pk=Slot("pk", IntegerField()))
            .order_by()
        )

    key = ("consultations.paragraph_page", alias, scope, member is not None)
    slots = {"pk": pk, "member": getattr(member, "pk", None)}
    found = instances(key, build, slots, alias)
    if len(found) != 1:
        raise Http404
    return found[0]


class ContributionRow:
    """A comment or a rewording as the paragraph page shows it, read as values (no model
    instances: a page holds about fifty of them): the attributes the page's writers
    (``consultations.rows``) read, the author reduced to a first name and a section."""

    __slots__ = (
        "pk",
        "parent_id",
        "created_at",
        "hidden_at",
        "hidden_reason",
        "answer",
        "answer_text",
        "text",
        "first_name",
        "section_name",
        "explanation",
        "support_count",
        "member_supports",
        "reply_list",
        "reply_to_label",
        "created_iso",
        "created_label",
        "support_label",
        "report_url",
        "answer_url",
        "hide_url",
        "unhide_url",
        "support_url",
    )

    def __init__(self, values: tuple, fields: tuple[str, ...]):
        for name, value in zip(fields, values, strict=True):
            setattr(self, name, value)

    def get_answer_display(self) -> str:
        """As the model's ``get_answer_display()``."""
        return str(Answer(self.answer).label) if self.answer in Answer.values else self.answer


#: What the paragraph page reads of a comment (and of its author: first name, section),
#: then the names :class:`ContributionRow` gives them.
COMMENT_VALUES = (
    "pk",
    "parent_id",
    "created_at",
    "hidden_at",
    "hidden_reason",
    "answer",
    "answer_text",
    "text",
    *AUTHOR_FIELDS,
)
COMMENT_ROW = (*COMMENT_VALUES[:-2], "first_name", "section_name")


def comment_page(paragraph: Paragraph, page_param, per_page: int) -> Page:
    """A page of a paragraph's comments (not replies), oldest first, each with its replies
    (``comment.reply_list``, oldest first), their authors reduced to first names and
    sections, in one query: the page's comments are picked by a subquery on the comments
    index (``LIMIT``/``OFFSET``, one more row telling whether a next page exists), their
    replies by the same subquery. No count (the page says "Page n"). The statement is
    compiled once per process and page window (fede.core.statements)."""
    number = page_number(page_param)
    offset = (number - 1) * per_page
    alias = router.db_for_read(Comment)

    def build():
        paragraph_id = Slot("paragraph", IntegerField())
        tops = (
            Comment.objects.filter(paragraph_id=paragraph_id, parent__isnull=True)
            .order_by("created_at", "pk")
            .values("pk")
        )
        return (
            Comment.objects.using(alias)
            .filter(paragraph_id=paragraph_id)
            .filter(
                Q(pk__in=tops[offset : offset + per_page + 1])
                | Q(parent_id__in=tops[offset : offset + per_page])
            )
            .order_by("created_at", "pk")
            .values_list(*COMMENT_VALUES)
        )

    # Compiled once per page window (the offset and size are written in the SQL).
    key = ("consultations.comment_page", alias, offset, per_page)
    rows = [
        ContributionRow(row, COMMENT_ROW)
        for row in values(key, build, {"paragraph": paragraph.pk}, alias)
    ]
    comments = [row for row in rows if row.parent_id is None]
    page = Page(
        object_list=comments[:per_page],
        number=number,
        per_page=per_page,
        has_next=len(comments) > per_page,
    )
    by_parent: dict[int, list[ContributionRow]] = {}
    for comment in page.object_list:
        comment.reply_list = by_parent[comment.pk] = []
    for row in rows:
        if row.parent_id is not None and row.parent_id in by_parent:
            by_parent[row.parent_id].append(row)
    return page


def with_comment_display(comments: list[ContributionRow]) -> list[ContributionRow]:
    """Give each comment of a page (:func:`comment_page`) and each of its replies,
    computed once in Python: its date as the page writes it and its links (one
    ``reverse`` per link kind)."""
    reply_to = _("Répondre à %(name)s")
    for comment in comments:
        comment.reply_to_label = reply_to % {"name": comment.first_name}
    items = [item for comment in comments for item in (comment, *comment.reply_list)]
    with_row_links(
        items,
        {
            "report_url": "consultations:comment_report",
            "answer_url": "consultations:comment_answer",
            "hide_url": "consultations:comment_hide",
            "unhide_url": "consultations:comment_unhide",
        },
    )
    months: dict[int, str] = {}
    for item in items:
        # What ``|date:"c"`` and ``|date:"j F Y, H:i"`` write, without the format parser.
        created = timezone.localtime(item.created_at)
        if created.month not in months:
            months[created.month] = str(MONTHS[created.month])
        item.created_iso = created.isoformat()
        item.created_label = (
            f"{created.day} {months[created.month]} {created.year}, {created:%H:%M}"
        )
    return comments


REWORDING_VALUES = (
    "pk",
    "created_at",
    "hidden_at",
    "hidden_reason",
    "answer",
    "answer_text",
    "text",
    "explanation",
    "support_count",
    "member_supports",
    *AUTHOR_FIELDS,
)
REWORDING_ROW = (*REWORDING_VALUES[:-2], "first_name", "section_name")


def rewordings_of(paragraph: Paragraph, supported_by=None):
    """The rewordings of a paragraph as value tuples (``REWORDING_VALUES``), each with
    ``member_supports``: whether the member ``supported_by`` supports it (as
    :func:`supported_rewordings` says; False without a member), in the same query —
    compiled once per process (fede.core.statements)."""
    alias = router.db_for_read(Rewording)

    def build():
        member = Slot("member", IntegerField()) if supported_by is not None else None
        return (
            Rewording.objects.using(alias)
            .filter(paragraph_id=Slot("paragraph", IntegerField()))
            .annotate(
                member_supports=Exists(
                    RewordingSupport.objects.filter(member_id=member, rewording_id=OuterRef("pk"))
                )
                if member is not None
                else Value(False)
            )
            .order_by("hidden_at", "-support_count", "created_at", "pk")
            .values_list(*REWORDING_VALUES)
        )

    key = ("consultations.rewordings", alias, supported_by is not None)
    slots = {"paragraph": paragraph.pk, "member": getattr(supported_by, "pk", None)}
    return values(key, build, slots, alias)


def with_rewording_display(rewordings) -> list[ContributionRow]:
    """The rewordings of the paragraph page (value tuples of :func:`rewordings_of`) as
    rows with, computed once in Python: their links, their date as ``|date:"j F Y"``
    writes it and their count of supports (the template's message)."""
    rewordings = [ContributionRow(values, REWORDING_ROW) for values in rewordings]
    with_row_links(
        rewordings,
        {
            "support_url": "consultations:rewording_support",
            "answer_url": "consultations:rewording_answer",
            "hide_url": "consultations:rewording_hide",
            "unhide_url": "consultations:rewording_unhide",
        },
    )
    supports = _per_count(lambda n: ngettext("%(n)s soutien", "%(n)s soutiens", n))
    for rewording in rewordings:
        created = timezone.localtime(rewording.created_at)
        rewording.created_label = f"{created.day} {MONTHS[created.month]} {created.year}"
        rewording.support_label = supports(rewording.support_count)
    return rewordings


def supported_rewordings(member, paragraph: Paragraph) -> set[int]:
    if member is None:
        return set()
    return set(
        RewordingSupport.objects.filter(member=member, rewording__paragraph=paragraph).values_list(
            "rewording_id", flat=True
        )
    )


def reported_comments(user):
    """Comments with open reports in the moderator's scope, most reported first."""
    from django.db.models import Count

    return (
        Comment.objects.in_scope(user, "consultations.moderate")
        .annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        .filter(open_reports__gt=0)
        .select_related("author__section", "paragraph__chapter__version__consultation")
        .order_by("-open_reports", "created_at", "pk")
    )


def report_reasons(comment_ids) -> dict[int, list[str]]:
    reasons: dict[int, list[str]] = {}
    for comment_id, reason in Report.objects.filter(
        comment_id__in=comment_ids, resolved_at__isnull=True
    ).values_list("comment_id", "reason"):
        if reason:
            reasons.setdefault(comment_id, []).append(reason)
    return reasons


def may_manage(user, consultation) -> bool:
    """For showing the authors' buttons; the services decide again."""
    return can(user, "consultations.manage", consultation.unit)


def may_moderate(user, consultation) -> bool:
    return can(user, "consultations.moderate", consultation.unit)


# --- Versions -------------------------------------------------------------------------------


@dataclass
class ParagraphChange:
    paragraph: Paragraph | None
    previous: Paragraph | None
    change: str  # same, changed, new, removed
    reasons: list  # answered contributions of the previous paragraph (accepted/considered)


def version_changes(version: Version) -> list[tuple[str, list[ParagraphChange]]]:
    """Chapter by chapter, each paragraph with what it comes from and the answers that
    explain the change; paragraphs of the previous version that disappeared come last."""
    previous = (
        Version.objects.filter(consultation_id=version.consultation_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    chapters = version_chapters(version)
    answered = {}
    removed: list[ParagraphChange] = []
    if previous is not None:
        kept = {p.previous_id for c in chapters for p in c.paragraphs.all() if p.previous_id}
        old = Paragraph.objects.filter(chapter__version=previous).select_related("chapter")
        old_by_pk = {p.pk: p for p in old}
        for rewording in Rewording.objects.filter(
            paragraph__in=old_by_pk.keys(),
            hidden_at__isnull=True,
            answer__in=["accepted", "considered"],
        ).order_by("-support_count", "pk"):
            answered.setdefault(rewording.paragraph_id, []).append(rewording)
        for comment in Comment.objects.filter(
            paragraph__in=old_by_pk.keys(),
            hidden_at__isnull=True,
            answer__in=["accepted", "considered"],
        ).order_by("pk"):
            answered.setdefault(comment.paragraph_id, []).append(comment)
        removed = [
            ParagraphChange(None, p, "removed", answered.get(p.pk, []))
            for pk, p in sorted(
                old_by_pk.items(), key=lambda i: (i[1].chapter.position, i[1].position)
            )
            if pk not in kept
        ]
    else:
        old_by_pk = {}
    result = []
    for chapter in chapters:
        rows = []
        for p in chapter.paragraphs.all():
            change = p.change if previous is not None else "same"
            rows.append(
                ParagraphChange(
                    p, old_by_pk.get(p.previous_id), change, answered.get(p.previous_id, [])
                )
            )
        result.append((chapter.title, rows))
    if removed:
        result.append((_("Paragraphes retirés"), removed))
    return result


# --- Synthesis and export -------------------------------------------------------------------


def synthesis(version: Version):
    """Per chapter and paragraph: counts and the three most supported visible rewordings."""
    chapters = version_chapters(version)
    # The page's cells, computed once in Python: excerpts as ``|truncatewords`` writes them,
    # numbers localised once per distinct value (hundreds of cells, few distinct counts).
    number = _per_count(lambda n: "%(n)s")
    top: dict[int, list[Rewording]] = {}
    for rewording in (
        Rewording.objects.filter(paragraph__chapter__version=version, hidden_at__isnull=True)
        .only("paragraph_id", "text", "support_count", "answer")
        .order_by("paragraph_id", "-support_count", "created_at", "pk")
    ):
        rows = top.setdefault(rewording.paragraph_id, [])
        if len(rows) < 3:
            rewording.excerpt = Truncator(rewording.text).words(16, truncate=" …")
            rewording.support_cell = number(rewording.support_count)
            rows.append(rewording)
    totals = {"supports": 0, "comments": 0, "rewordings": 0, "paragraphs": 0}
    pattern, mark = reverse("consultations:paragraph", args=[PK_MARK]), str(PK_MARK)
    for chapter in chapters:
        for p in chapter.paragraphs.all():
            p.top_rewordings = top.get(p.pk, [])
            p.row_url = pattern.replace(mark, str(p.pk))
            p.ref = f"{number(chapter.position)}.{number(p.position)}"
            p.excerpt = Truncator(p.text).words(14, truncate=" …")
            p.support_cell = number(p.support_count)
            p.comment_cell = number(p.comment_count)
            p.rewording_cell = number(p.rewording_count)
            totals["supports"] += p.support_count
            totals["comments"] += p.comment_count
            totals["rewordings"] += p.rewording_count
            totals["paragraphs"] += 1
    totals["participants"] = participants_count(version)
    return chapters, totals


def top_rewordings(version_id: int) -> dict[int, list[tuple[str, int, str]]]:
    """Per paragraph of a version, its three most supported visible rewordings (as
    :func:`synthesis` picks them): ``{paragraph id: [(text, supports, answer)…]}``; the
    statement compiled once (fede.core.statements)."""
    alias = router.db_for_read(Rewording)

    def build():
        return (
            Rewording.objects.using(alias)
            .filter(
                paragraph__chapter__version_id=Slot("version", IntegerField()),
                hidden_at__isnull=True,
            )
            .order_by("paragraph_id", "-support_count", "created_at", "pk")
            .values_list("paragraph_id", "text", "support_count", "answer")
        )

    top: dict[int, list] = {}
    rows = values(("consultations.top_rewordings", alias), build, {"version": version_id}, alias)
    for paragraph_id, text, supports, answer in rows:
        kept = top.setdefault(paragraph_id, [])
        if len(kept) < 3:
            kept.append((text, supports, answer))
    return top


#: Participants of a version, per process for a minute at most: key (version id and its
#: totals of supports, comments and rewordings, which every contribution changes).
_PARTICIPANTS = TimedCache(ttl=60, max_size=64)


def clear_participants() -> None:
    _PARTICIPANTS.clear()


def participants_count_recent(version_id: int, totals: tuple[int, int, int]) -> int:
    """:func:`participants_count` of the version, kept per process while its totals
    stay the same (a minute at most): the count reads every contribution of the text."""
    return _PARTICIPANTS.get(
        (version_id, *totals), lambda: participants_count(Version(pk=version_id))
    )


def participants_count(version: Version) -> int:
    """Members who commented, proposed a rewording or supported a paragraph of the
    version, counted once each: a ``UNION`` (distinct) counted in SQL."""
    in_version = {"paragraph__chapter__version": version}
    comments = Comment.objects.filter(**in_version).order_by().values_list("author_id")
    rewordings = Rewording.objects.filter(**in_version).order_by().values_list("author_id")
    supports = ParagraphSupport.objects.filter(**in_version).order_by().values_list("member_id")
    return comments.union(rewordings, supports).count()


def export_rows(version: Version):
    """One row per paragraph, comment and rewording, in text order; hidden contributions
    are left out, their text never leaves the database. Streamed with ``iterator()``."""
    chapters = version_chapters(version)
    comments = (
        Comment.objects.filter(paragraph__chapter__version=version, hidden_at__isnull=True)
        .select_related("author__section")
        .order_by("paragraph_id", "created_at", "pk")
        .only(
            "paragraph_id",
            "parent_id",
            "text",
            "created_at",
            "answer",
            "answer_text",
            *AUTHOR_FIELDS,
        )
    )
    rewordings = (
        Rewording.objects.filter(paragraph__chapter__version=version, hidden_at__isnull=True)
        .select_related("author__section")
        .order_by("paragraph_id", "-support_count", "pk")
        .only(
            "paragraph_id",
            "text",
            "explanation",
            "created_at",
            "support_count",
            "answer",
            "answer_text",
            *AUTHOR_FIELDS,
        )
    )
    by_paragraph: dict[int, list] = {}
    for c in comments.iterator(chunk_size=500):
        by_paragraph.setdefault(c.paragraph_id, []).append(("comment", c))
    for r in rewordings.iterator(chunk_size=500):
        by_paragraph.setdefault(r.paragraph_id, []).append(("rewording", r))
    for c_index, chapter in enumerate(chapters, start=1):
        for p in chapter.paragraphs.all():
            ref = f"{c_index}.{p.position}"
            yield (ref, chapter.title, _("Paragraphe"), p.text, "", "", p.support_count, "", "")
            for kind, item in by_paragraph.get(p.pk, []):
                label = (
                    _("Reformulation")
                    if kind == "rewording"
                    else (_("Réponse") if item.parent_id else _("Commentaire"))
                )
                yield (
                    ref,
                    chapter.title,
                    label,
                    item.text,
                    item.author.first_name,
                    item.author.section.name,
                    item.support_count if kind == "rewording" else "",
                    item.get_answer_display() if item.answer else "",
                    item.answer_text,
                )


# --- Personal data --------------------------------------------------------------------------


def person_contributions(member) -> dict:
    """Everything the app holds about ``member``: comments, rewordings, supports, reports."""

    def when(value):
        return value.isoformat() if value else None

    return {
        "comments": [
            {
                "consultation": c.paragraph.chapter.version.consultation.title,
                "paragraph": c.paragraph_id,
                "text": c.text,
                "created_at": when(c.created_at),
                "hidden": c.hidden_at is not None,
                "answer": c.answer,
                "answer_text": c.answer_text,
            }
            for c in Comment.objects.filter(author=member).select_related(
                "paragraph__chapter__version__consultation"
            )
        ],
        "rewordings": [
            {
                "consultation": r.paragraph.chapter.version.consultation.title,
                "paragraph": r.paragraph_id,
                "text": r.text,
                "explanation": r.explanation,
                "created_at": when(r.created_at),
                "hidden": r.hidden_at is not None,
                "answer": r.answer,
                "answer_text": r.answer_text,
            }
            for r in Rewording.objects.filter(author=member).select_related(
                "paragraph__chapter__version__consultation"
            )
        ],
        "paragraph_supports": [
            {"paragraph": s.paragraph_id, "created_at": when(s.created_at)}
            for s in ParagraphSupport.objects.filter(member=member)
        ],
        "rewording_supports": [
            {"rewording": s.rewording_id, "created_at": when(s.created_at)}
            for s in RewordingSupport.objects.filter(member=member)
        ],
        "reports": [
            {"comment": r.comment_id, "reason": r.reason, "created_at": when(r.created_at)}
            for r in Report.objects.filter(member=member)
        ],
    }
