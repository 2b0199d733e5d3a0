"""Reads of the practices space, with their joins: the list, a post with its answers,
search, the kits' proposals, the federations an officer writes for, personal data."""

from __future__ import annotations

from django.db import connections, router
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from fede.core.access import is_system
from fede.core.lists import Page, page_number, paginate
from fede.core.memo import TimedCache
from fede.core.statements import Slot, bind, compiled, instances, sql_of
from fede.kits.models import Kit, KitVersion
from fede.organization.models import Mandate, Unit
from fede.organization.roles import grant_paths

from . import search as fulltext
from .models import (
    MODERATE,
    PARTICIPATE,
    Attachment,
    Comment,
    Follow,
    KitProposal,
    Post,
    Vote,
    federation_q,
)


def _first_when(**condition):
    """An ordering key that puts the rows matching ``condition`` first."""
    return Case(When(Q(**condition), then=Value(0)), default=Value(1), output_field=IntegerField())


def _count(model, **filters):
    """A correlated COUNT of ``model`` rows of the outer post (no join multiplies rows)."""
    rows = (
        model.objects.filter(post=OuterRef("pk"), **filters)
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_figures(queryset, actor):
    """Votes, visible answers, and whether ``actor`` voted: in the same query."""
    return _with_figures(queryset, getattr(actor, "pk", None))


def _with_figures(queryset, voter):
    """:func:`with_figures` for the user id ``voter`` (or a Slot giving it; None: nobody)."""
    voted = (
        Exists(Vote.objects.filter(post=OuterRef("pk"), user_id=voter))
        if voter is not None
        else Value(False, output_field=BooleanField())
    )
    return queryset.annotate(
        useful_count=_count(Vote),
        answer_count=_count(Comment, hidden_at__isnull=True),
        voted=voted,
    )


def _list_queryset(actor):
    return (
        Post.objects.in_scope(actor)
        .select_related("author__member", "author_unit", "federation")
        .defer("search_vector", "search_text", "search_title")
    )


#: The names a byline prints (views._byline), for ``only()`` after ``author__member`` and
#: ``author_unit`` are joined.
BYLINE_FIELDS = (
    "created_at",
    "author__first_name",
    "author__last_name",
    "author__email",
    "author__member__first_name",
    "author__member__last_name",
    "author_unit__name",
)


#: The columns a row of the list prints (views._row_html): no body, no federation.
LIST_ROW_FIELDS = (
    "kind",
    "title",
    "category",
    "tags",
    "accepted_answer",
    "highlighted_at",
    "hidden_at",
    *BYLINE_FIELDS,
)


def posts(actor):
    """The posts ``actor`` reads, highlighted first, then the most recently active (the
    list's filters are in filters.py); only the columns a row prints."""
    rows = (
        Post.objects.in_scope(actor)
        .select_related("author__member", "author_unit")
        .only(*LIST_ROW_FIELDS)
    )
    return with_figures(rows, actor).order_by(
        F("highlighted_at").desc(nulls_last=True), "-last_activity_at", "-pk"
    )


def highlighted_posts(actor):
    """The posts put forward by the federation (cards at the top of the list)."""
    return (
        _list_queryset(actor)
        .filter(highlighted_at__isnull=False, hidden_at__isnull=True)
        .order_by("-highlighted_at", "-pk")
    )


# --- What every reader of the same federations sees alike, kept a minute per process -----
#
# The popular tags and the highlighted cards of the list are read among the *visible*
# posts of the reader's scope: they depend on nothing but the paths where the reader takes
# part (``federation_q``; the moderators' extra reach only adds hidden posts, which both
# leave out) and on the posts themselves. Kept per those paths for a minute (the tags
# here, the rendered cards in views._CARDS); forgotten as soon as a post or a unit is
# saved or deleted here (apps.py), within the minute in another worker.

_SCOPE_LISTS = TimedCache(ttl=60, max_size=512)


def visible_scope_key(actor) -> tuple:
    """Everything :meth:`PostQuerySet.in_scope` + ``visible()`` depends on for ``actor``."""
    if is_system(actor):
        return ("system",)
    return tuple(grant_paths(actor, PARTICIPATE))


#: What a highlighted card prints (views._highlighted_html), and the body's stamp.
CARD_FIELDS = ("pk", "kind", "title", "body", "category", "updated_at")


def highlighted_cards(actor, limit: int = 3) -> list[dict]:
    """The first ``limit`` :func:`highlighted_posts`, as dicts of :data:`CARD_FIELDS`
    (no author: the cards show none). The list keeps the cards it renders a minute per
    scope (:func:`visible_scope_key`)."""
    return list(
        Post.objects.in_scope(actor)
        .filter(highlighted_at__isnull=False, hidden_at__isnull=True)
        .order_by("-highlighted_at", "-pk")
        .values(*CARD_FIELDS)[:limit]
    )


#: What a line of the home page's panel prints (registry._home_highlighted).
PANEL_FIELDS = ("pk", "title", "category")


def highlighted_panel_rows(actor, limit: int = 4) -> list[tuple]:
    """(pk, title, category) of the first ``limit`` :func:`highlighted_posts`: the same
    visible posts as :func:`highlighted_cards`, kept like them a minute per scope
    (:func:`visible_scope_key`, :data:`_SCOPE_LISTS`, forgotten when a post or a unit
    changes)."""
    return list(
        _SCOPE_LISTS.get(
            ("home_highlighted", limit, visible_scope_key(actor)),
            lambda: tuple(highlighted_posts(actor).values_list(*PANEL_FIELDS)[:limit]),
        )
    )


def search_posts(actor, text: str):
    """Posts of ``actor``'s scope matching ``text``, best first (see search.py)."""
    hidden = Q(hidden_at__isnull=True)
    # Only what a row prints: PostgreSQL brings the snippets; the fallback cuts them from
    # the body in Python.
    fields = LIST_ROW_FIELDS if fulltext.is_postgresql() else (*LIST_ROW_FIELDS, "body")
    qs = (
        Post.objects.in_scope(actor)
        .filter(hidden)
        .select_related("author__member", "author_unit")
        .only(*fields)
    )
    return with_figures(fulltext.search(qs, text), actor)


def search_page(actor, text: str, page_param, *, per_page: int) -> Page:
    """``paginate(search_posts(actor, text), page_param, per_page=per_page, count=False)``:
    on PostgreSQL the same posts, snippets and figures from a statement compiled once
    (fede.core.statements) per reader's scope (the ``Q`` itself), voter or not and page;
    the words and the voter are given at execution, the plan made for them (not
    prepared)."""
    if not fulltext.is_postgresql():
        return paginate(search_posts(actor, text), page_param, per_page=per_page, count=False)
    text = (text or "").strip()[:200]
    number = page_number(page_param)
    if not text:
        return Page(object_list=[], number=number, per_page=per_page, has_next=False)
    alias = router.db_for_read(Post)
    scope = Post.objects.all().scope_q(actor)
    voter = getattr(actor, "pk", None)
    offset = (number - 1) * per_page

    def build():
        posts = (
            Post.objects.using(alias)
            .filter(scope)
            .filter(hidden_at__isnull=True)
            .select_related("author__member", "author_unit")
            .only(*LIST_ROW_FIELDS)
        )
        posts = fulltext.ranked(posts, Slot("text", CharField()))
        posts = _with_figures(posts, None if voter is None else Slot("user", IntegerField()))
        return posts[offset : offset + per_page + 1]

    key = ("practices.search_page", alias, scope, voter is not None, offset, per_page)
    # Not prepared: a generic plan computed the snippets of every match (twice slower).
    rows = instances(key, build, {"text": text, "user": voter}, alias, prepared=False)
    return Page(
        object_list=rows[:per_page],
        number=number,
        per_page=per_page,
        has_next=len(rows) > per_page,
    )


def detail_queryset():
    # Who highlighted or hid a post is written, never shown: no join to them (three
    # tables fewer for the planner of every request on a post).
    return Post.objects.select_related("author__member", "author_unit", "federation").defer(
        "search_vector", "search_text", "search_title"
    )


def post_page_queryset():
    """:func:`detail_queryset` with only what the post page reads: the post without its
    search columns, its federation's path and name (the rules and the page's rights), the
    byline's names. Any other column still loads when read (after a POST, say)."""
    return Post.objects.select_related("author__member", "author_unit", "federation").only(
        "kind",
        "title",
        "body",
        "category",
        "tags",
        "accepted_answer",
        "last_activity_at",
        "highlighted_at",
        "hidden_at",
        "hidden_reason",
        "updated_at",
        "federation__path",
        "federation__name",
        *BYLINE_FIELDS,
    )


def answers(post: Post, actor, *, moderator: bool):
    """The answers of ``post``: the accepted one first, then in order; hidden ones only for
    moderators (marked as such)."""
    qs = post.comments.select_related("author__member", "author_unit").only(
        "post", "body", "hidden_at", "hidden_reason", *BYLINE_FIELDS
    )
    if not moderator:
        qs = qs.filter(hidden_at__isnull=True)
    rows = list(qs.order_by("created_at", "pk"))
    rows.sort(key=lambda c: c.pk != post.accepted_answer_id)  # stable: accepted first
    return rows


_STATE_NAMES = ("useful_count", "voted", "following", "has_attachments", "has_proposals")


def _post_state_statement(alias: str) -> tuple[str, tuple]:
    def build():
        post, user = Slot("post", IntegerField()), Slot("user", IntegerField())
        return sql_of(
            Post.objects.using(alias)
            .filter(pk=post)
            .annotate(
                useful_count=_count(Vote),
                voted=Exists(Vote.objects.filter(post=OuterRef("pk"), user=user)),
                following=Exists(Follow.objects.filter(post=OuterRef("pk"), user=user)),
                has_attachments=Exists(Attachment.objects.filter(post=OuterRef("pk"))),
                has_proposals=Exists(KitProposal.objects.filter(post=OuterRef("pk"))),
            )
            .values(*_STATE_NAMES)
        )

    return compiled(("practices.post_state", alias), build)


def post_state(post: Post, actor) -> dict:
    """Votes, whether ``actor`` voted and follows, and whether the post has files and kit
    proposals (most have neither: no query for them then), in one query — the ORM's
    statement, built once per process (:func:`_post_state_statement`)."""
    alias = router.db_for_read(Post)
    sql, params = _post_state_statement(alias)
    values = bind(params, {"post": post.pk, "user": getattr(actor, "pk", None)}, alias)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        raise Post.DoesNotExist
    count, *flags = row
    return dict(zip(_STATE_NAMES, (count or 0, *(bool(flag) for flag in flags)), strict=True))


def post_extras(post: Post, state: dict | None = None) -> dict:
    """Attachments and kit proposals of a post (read only when ``state`` says there are)."""
    state = state or {}
    return {
        "attachments": list(post.attachments.order_by("pk"))
        if state.get("has_attachments", True)
        else [],
        "proposals": list(post.kit_proposals.select_related("kit").annotate(kit_title=_kit_title()))
        if state.get("has_proposals", True)
        else [],
    }


def _kit_title(field: str = "kit"):
    """The title of a kit's current version (published, else the newest)."""
    versions = KitVersion.objects.filter(kit=OuterRef(field)).order_by(
        _first_when(status=KitVersion.Status.PUBLISHED), "-number"
    )
    return Subquery(versions.values("title")[:1])


# --- The kits a post may be proposed for, kept a minute per process ------------------------
#
# The same list for every officer (the published kits and their titles): read once per
# minute and process; forgotten as soon as a kit or a kit version is saved or
# deleted here (apps.py), within the minute in another worker.

_KIT_CHOICES = TimedCache(ttl=60, max_size=4)


def proposable_kit_choices() -> tuple[tuple[int, str], ...]:
    """(id, title — else slug) of the kits :func:`proposable_kits` lists, in its order."""
    return _KIT_CHOICES.get(
        "kits",
        lambda: tuple(
            (kit.pk, getattr(kit, "title", None) or kit.slug) for kit in proposable_kits(None)
        ),
    )


def proposable_kits(actor):
    """Kits an officer may propose a post for (those the library shows them)."""
    return (
        Kit.objects.published()
        .annotate(title=_kit_title("pk"))
        .order_by("title")
        .only("pk", "slug")
    )


def kit_proposals(actor, *, status: str = ""):
    """Proposals for the federations where ``actor`` writes kits."""
    qs = KitProposal.objects.in_scope(actor, "kits.author")
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("post", "proposed_by__member", "decided_by__member")
        .defer("post__search_vector", "post__search_text", "post__search_title", "post__body")
        .annotate(kit_title=_kit_title())
        .order_by(_first_when(status=KitProposal.Status.PENDING), "-created_at", "-pk")
    )


def federations_for(actor):
    """Federations where ``actor`` may write (the post form's choice when several)."""
    return Unit.objects.filter(kind=Unit.Kind.FEDERATION, is_active=True).filter(
        federation_q(actor, field="")
    )


def author_unit_for(actor, federation: Unit):
    """The unit of the office ``actor`` writes under in ``federation`` (a section for
    a section officer, else the federation): shown next to their name."""
    if is_system(actor) or not getattr(actor, "pk", None):
        return None
    mandate = (
        Mandate.objects.current()
        .filter(member__user=actor, unit__path__startswith=federation.path)
        .select_related("unit")
        .order_by("-unit__depth", "pk")
        .first()
    )
    return mandate.unit if mandate else None


def can_moderate_anywhere(actor) -> bool:
    return bool(grant_paths(actor, MODERATE))


def participates(actor) -> bool:
    return bool(grant_paths(actor, PARTICIPATE))


def popular_tags(actor, limit: int = 20) -> list[str]:
    """The most used tags of the recent posts in ``actor``'s scope (one query), kept a
    minute per scope (see :data:`_SCOPE_LISTS`)."""

    def read():
        counts: dict[str, int] = {}
        rows = Post.objects.in_scope(actor).visible().exclude(tags="").order_by("-last_activity_at")
        for tags in rows.values_list("tags", flat=True)[:300]:
            for tag in tags.split(","):
                if tag:
                    counts[tag] = counts.get(tag, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return tuple(t for t, _n in ranked)

    return list(_SCOPE_LISTS.get(("tags", limit, visible_scope_key(actor)), read))


def followers_to_notify(comment: Comment) -> list:
    """Active followers of the comment's post with an e-mail, but not its author, who
    still take part in the post's federation."""
    from .models import reaches_federation

    follows = (
        Follow.objects.filter(post=comment.post, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    )
    if comment.author_id:
        follows = follows.exclude(user_id=comment.author_id)
    return [f.user for f in follows if reaches_federation(f.user, comment.post.federation)]


# --- Personal data -------------------------------------------------------------------------


def personal_data_of(user) -> dict:
    """What the practices space holds about a person (for « Mes données »)."""
    if user is None or not getattr(user, "pk", None):
        return {}
    posts_ = [
        {
            "titre": p.title,
            "type": p.get_kind_display(),
            "thème": p.get_category_display(),
            "le": p.created_at.isoformat(),
            "texte": p.body,
            "masquée": bool(p.hidden_at),
        }
        for p in Post.objects.filter(author=user).defer("search_vector").order_by("created_at")
    ]
    comments = [
        {"publication": c.post.title, "le": c.created_at.isoformat(), "réponse": c.body}
        for c in Comment.objects.filter(author=user).select_related("post").order_by("created_at")
    ]
    votes = [
        {"publication": v.post.title, "le": v.created_at.isoformat()}
        for v in Vote.objects.filter(user=user).select_related("post").order_by("created_at")
    ]
    follows = [
        {"publication": f.post.title, "depuis le": f.created_at.isoformat()}
        for f in Follow.objects.filter(user=user).select_related("post").order_by("created_at")
    ]
    proposals = [
        {"publication": k.post.title, "kit": k.kit.slug, "le": k.created_at.isoformat()}
        for k in KitProposal.objects.filter(proposed_by=user).select_related("post", "kit")
    ]
    if not (posts_ or comments or votes or follows or proposals):
        return {}
    return {
        "Pratiques — publications": posts_,
        "Pratiques — réponses": comments,
        "Pratiques — votes « utile »": votes,
        "Pratiques — publications suivies": follows,
        "Pratiques — propositions pour les kits": proposals,
    }
