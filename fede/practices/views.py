"""Views of the practices space (thin: services write, selectors read).

The space is for officers only, and its content is private: a login without an office
gets **404** on every URL of the space (its existence is no secret, its content is). The
pages without an object use :func:`space_view` — ``permission_required`` answered with 404
rather than 403 — and the pages of a post, an answer, a file or a proposal fetch it in the
user's scope (``object_view``): another federation's post is a 404 too.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_format
from django.template.defaultfilters import striptags, truncatewords
from django.urls import reverse
from django.utils.dates import MONTHS
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fede.core.access import object_view, permission_required
from fede.core.forms import submit
from fede.core.lists import PK_MARK, paginate, render_partial
from fede.core.markdown import render_markdown
from fede.core.memo import TimedCache
from fede.core.uploads import protected_file_response
from fede.kits.models import Kit
from fede.organization.roles import capabilities_anywhere, grant_paths

from . import search as fulltext
from . import selectors, services
from .filters import PostFilter
from .forms import (
    AttachmentForm,
    CommentForm,
    DecisionForm,
    HideForm,
    KitProposalForm,
    PostForm,
)
from .models import (
    HIGHLIGHT,
    KITS_MANAGE,
    PARTICIPATE,
    VIEW,
    Attachment,
    Category,
    Comment,
    KitProposal,
    Post,
    moderates,
)

PAGE_SIZE = 20


def space_view(capability: str = PARTICIPATE):
    """``permission_required(capability)``, but 404 (not 403) for whoever lacks it."""

    def decorator(view):
        guarded = permission_required(capability)(view)

        @functools.wraps(guarded)
        def wrapped(request, *args, **kwargs):
            if capability not in capabilities_anywhere(request.user):
                raise Http404
            return guarded(request, *args, **kwargs)

        return wrapped

    return decorator


def _crumbs(*items):
    return [(_("Pratiques"), reverse("practices:index")), *items]


def _is_author(request, obj) -> bool:
    return obj.author_id is not None and obj.author_id == request.user.pk


# --- Lists -------------------------------------------------------------------------------


#: The filter fields of the unfiltered list, rendered once per language (see _filter_fields).
_FILTER_FIELDS: dict[str, str] = {}


def _filter_fields(filterset) -> str:
    """The filter fields of the list when nothing is filtered (an unbound form): the same
    HTML for everyone (labels and fixed choices, no data of the user), so it is rendered
    once per language and process instead of once per request. Empty when filtered."""
    if filterset.is_bound:
        return ""
    language = get_language()
    html = _FILTER_FIELDS.get(language)
    if html is None:
        html = mark_safe("".join(str(field.as_field_group()) for field in filterset.form))
        _FILTER_FIELDS[language] = html
    return html


def _rows(posts) -> list:
    """Give each post of a list what its row prints (views._row_html), in one pass:
    link, byline, dates, theme, the figures' sentences and the tag links. The template
    then copies strings: no include, filter, url tag or translation per row."""
    detail = reverse("practices:detail", args=[PK_MARK])
    mark = str(PK_MARK)
    tag_base = reverse("practices:index") + "?mot_cle="
    deleted = _("Compte supprimé")
    # get_category_display() translates every choice at each call: once per list instead;
    # the same for the months of the dates and the figures' sentences (per figure).
    categories = {value: str(label) for value, label in Category.choices}
    months = {number: str(name) for number, name in MONTHS.items()}
    answers_labels: dict[int, str] = {}
    useful_labels: dict[int, str] = {}
    labels = _row_labels()
    for post in posts:
        post.row_url = detail.replace(mark, str(post.pk))
        # Set by search.decorate on a search; a missing attribute costs the template a dir().
        post.__dict__.setdefault("title_html", "")
        post.__dict__.setdefault("snippet_html", "")
        author = post.author
        if author is None:
            post.byline_author = deleted
        else:
            member = getattr(author, "member", None)
            post.byline_author = member.full_name if member else str(author)
        post.byline_unit = post.author_unit.name if post.author_unit else ""
        # The date filter's "c" and "j F Y", without parsing the format at each row.
        created = template_localtime(post.created_at)
        post.created_iso = created.isoformat()
        post.created_label = f"{created.day} {months[created.month]} {created.year:04d}"
        post.category_label = categories.get(post.category, post.category)
        answers, useful = post.answer_count, post.useful_count
        if answers not in answers_labels:
            answers_labels[answers] = mark_safe(
                ngettext("%(n)s réponse", "%(n)s réponses", answers) % {"n": localize(answers)}
            )
        if useful not in useful_labels:
            useful_labels[useful] = mark_safe(
                ngettext("%(n)s « utile »", "%(n)s « utile »", useful) % {"n": localize(useful)}
            )
        post.answers_label = answers_labels[answers]
        post.useful_label = useful_labels[useful]
        post.tag_base = tag_base
        post.row_html = _row_html(post, labels)
    return posts


def _row_labels() -> dict:
    return {
        "question": format_html('<span class="badge text-bg-info">{}</span>', _("Question")),
        "highlighted": format_html(
            '<span class="badge text-bg-warning">{}</span>', _("Mis en avant")
        ),
        "hidden": format_html('<span class="badge text-bg-dark">{}</span>', _("Masquée")),
        "accepted": format_html(' · <span class="text-success">{}</span>', _("réponse retenue")),
        "yours": format_html(' <span class="visually-hidden">{}</span>✓', _("dont le vôtre")),
    }


def _row_html(post, labels: dict) -> str:
    """One <li> of a list of posts (what the row template gave: the tests compare them),
    every piece escaped (``esc`` leaves the safe strings as they are: the labels, and
    title_html and snippet_html that come escaped from search.decorate)."""
    esc = conditional_escape
    badges = (
        (labels["question"] if post.is_question else "")
        + (labels["highlighted"] if post.highlighted_at else "")
        + (labels["hidden"] if post.hidden_at else "")
    )
    snippet = f'<p class="mb-1 mt-1">{esc(post.snippet_html)}</p>' if post.snippet_html else ""
    tags = post.tag_list
    if tags:
        base = esc(post.tag_base)
        links = "".join(
            f'<li class="list-inline-item"><a href="{base}{tag}">#{tag}</a></li>'
            for tag in map(esc, tags)
        )
        tag_list = f'<ul class="list-inline mb-0 mt-1 small">{links}</ul>'
    else:
        tag_list = ""
    unit = f" · {esc(post.byline_unit)}" if post.byline_unit else ""
    accepted = labels["accepted"] if post.is_question and post.accepted_answer_id else ""
    yours = labels["yours"] if post.voted else ""
    return mark_safe(  # noqa: S308 - every piece escaped above or here
        '<li class="list-group-item py-3">'
        f'<div class="d-flex flex-wrap gap-2 align-items-baseline">{badges}'
        f'<h2 class="h5 mb-0"><a href="{esc(post.row_url)}">{esc(post.title_html or post.title)}'
        f"</a></h2></div>{snippet}"
        '<div class="d-flex flex-wrap gap-3 mt-1 small">'
        f'<span class="text-body-secondary small">{esc(post.byline_author)}{unit} · '
        f'<time datetime="{esc(post.created_iso)}">{esc(post.created_label)}</time></span>'
        f"<span>{esc(post.category_label)}</span>"
        f"<span>{esc(post.answers_label)}{accepted}</span>"
        f"<span>{esc(post.useful_label)}{yours}</span></div>{tag_list}</li>"
    )


#: The highlighted cards of the list per (reader's scope, language), as HTML: the same for
#: every reader of the same federations (selectors.visible_scope_key), a minute per
#: process, forgotten when a post or a unit changes (apps.py).
_CARDS = TimedCache(ttl=60, max_size=512)
#: The summary of a card (the body's Markdown as text, cut at 24 words) per post and
#: stamp: the same in every scope and language.
_SUMMARIES = TimedCache(ttl=None, max_size=512)


def _summary(card: dict) -> str:
    """``body|markdown|striptags|truncatewords:24``, as the template gave it."""
    return _SUMMARIES.get(
        (card["pk"], card["updated_at"]),
        lambda: truncatewords(striptags(render_markdown(card["body"] or "")), 24),
    )


def _highlighted_html(user) -> str:
    """The cards of the posts put forward in ``user``'s scope (empty: no section), every
    piece escaped; the summary is safe HTML (sanitised Markdown without its tags)."""

    def render_cards():
        cards = selectors.highlighted_cards(user)
        if not cards:
            return ""
        detail = reverse("practices:detail", args=[PK_MARK])
        categories = {value: str(label) for value, label in Category.choices}
        question = " · " + conditional_escape(_("Question"))
        esc = conditional_escape
        return mark_safe(  # noqa: S308 - every piece escaped (the summary is safe HTML)
            "".join(
                '<div class="col"><div class="card h-100 border-warning"><div class="card-body">'
                '<p class="small text-body-secondary mb-1">'
                f"{esc(categories.get(card['category'], card['category']))}"
                f"{question if card['kind'] == Post.Kind.QUESTION else ''}</p>"
                '<h3 class="h5 card-title"><a href="'
                f'{esc(detail.replace(str(PK_MARK), str(card["pk"])))}" class="stretched-link">'
                f"{esc(card['title'])}</a></h3>"
                f'<p class="card-text small mb-0">{esc(_summary(card))}</p></div></div></div>'
                for card in cards
            )
        )

    return _CARDS.get((selectors.visible_scope_key(user), get_language()), render_cards)


@require_GET
@space_view()
def index(request):
    """Posts and questions of the user's federation, highlighted first (with cards)."""
    filterset = PostFilter(request.GET or None, queryset=selectors.posts(request.user))
    page = paginate(filterset.qs, request.GET.get("page"), per_page=PAGE_SIZE, count=False)
    filtered = any(request.GET.get(k) for k in filterset.filters)
    highlighted = _highlighted_html(request.user) if not filtered and page.number == 1 else ""
    return render_partial(
        request,
        "practices/index.html",
        {
            "filter": filterset,
            "filter_fields": _filter_fields(filterset),
            "page": page,
            "posts": _rows(page.object_list),
            "highlighted": highlighted,
            "tags": selectors.popular_tags(request.user),
            "current_tag": request.GET.get("mot_cle", ""),
            "is_kits_author": KITS_MANAGE in capabilities_anywhere(request.user),
            "breadcrumbs": [(_("Pratiques"), None)],
        },
    )


@require_GET
@space_view()
def search(request):
    """Full-text search (French, accents ignored), best first, with highlighted snippets."""
    query = request.GET.get("q", "").strip()[:200]
    page = None
    if query:
        page = selectors.search_page(
            request.user, query, request.GET.get("page"), per_page=PAGE_SIZE
        )
        fulltext.decorate(page.object_list, query)
    return render_partial(
        request,
        "practices/search.html",
        {
            "query": query,
            "page": page,
            "posts": _rows(page.object_list) if page else [],
            "breadcrumbs": _crumbs((_("Recherche"), None)),
        },
    )


# --- Writing -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@space_view()
def create(request):
    """Share a practice or ask a question (``?type=question``)."""
    federations = selectors.federations_for(request.user)
    kind = Post.Kind.QUESTION if request.GET.get("type") == "question" else Post.Kind.PRACTICE
    form = PostForm(
        request.POST or None,
        request.FILES or None,
        federations=federations,
        initial={"kind": kind},
    )
    if request.method == "POST" and (
        post := submit(
            form, lambda data: services.post_create(actor=request.user, **_post_data(data))
        )
    ):
        messages.success(
            request,
            _("Question publiée.") if post.is_question else _("Publication enregistrée."),
        )
        return redirect(post)
    return render(
        request,
        "practices/form.html",
        {
            "form": form,
            "multipart": True,
            "heading": _("Poser une question")
            if kind == Post.Kind.QUESTION
            else _("Partager une pratique"),
            "breadcrumbs": _crumbs((_("Nouvelle publication"), None)),
        },
    )


def _post_data(data: dict) -> dict:
    data = dict(data)
    if not data.get("federation"):
        data.pop("federation", None)
    if not data.get("attachment"):
        data.pop("attachment", None)
    return data


@require_http_methods(["GET", "POST"])
@object_view(selectors.detail_queryset, VIEW)
def edit(request, post):
    form = PostForm(
        request.POST or None,
        initial={
            "title": post.title,
            "category": post.category,
            "body": post.body,
            "tags": ", ".join(post.tag_list),
        },
        editing=True,
    )
    if request.method == "POST" and submit(
        form, lambda data: services.post_update(actor=request.user, post=post, **data)
    ):
        messages.success(request, _("Modifications enregistrées."))
        return redirect(post)
    return render(
        request,
        "practices/form.html",
        {
            "form": form,
            "post": post,
            "heading": _("Modifier « %(title)s »") % {"title": post.title},
            "breadcrumbs": _crumbs((post.title, post.get_absolute_url()), (_("Modifier"), None)),
        },
    )


# --- A post ------------------------------------------------------------------------------


#: Fields of the post page's forms as an unbound form renders them: the same HTML for every
#: reader (labels, empty inputs, the published kits), per language and process.
_DETAIL_FIELDS = TimedCache(ttl=None, max_size=64)


def _static_fields(name: str, render_fields) -> str:
    return _DETAIL_FIELDS.get((name, get_language()), lambda: mark_safe(str(render_fields())))


def _kit_fields() -> str:
    """The kit select and the note of the « proposer pour un kit » form; empty when there
    is no kit to propose for. Kept with the kits it lists (selectors.proposable_kit_choices
    reads them again each minute)."""
    choices = selectors.proposable_kit_choices()
    if not choices:
        return ""

    def render_fields():
        form = KitProposalForm(kits=Kit.objects.none(), auto_id="kit_%s")
        form.show_kit_choices(choices)
        return mark_safe(f"{form['kit'].as_field_group()}{form['note'].as_field_group()}")

    return _DETAIL_FIELDS.get(("kit", get_language(), choices), render_fields)


def _byline(item, deleted: str) -> str:
    """Who wrote a post or an answer, under which office, when (as
    includes/byline.html, which the tests compare), every piece escaped."""
    author = item.author
    if author is None:
        name = deleted
    else:
        member = getattr(author, "member", None)
        name = member.full_name if member else str(author)
    unit = item.author_unit
    created = template_localtime(item.created_at)
    return format_html(
        '<span class="text-body-secondary small">{}{} · <time datetime="{}">{}</time></span>',
        name,
        format_html(" · {}", unit.name) if unit else "",
        date_format(created, "c"),
        date_format(created, "j F Y"),
    )


@require_http_methods(["GET", "POST"])
@object_view(selectors.post_page_queryset, VIEW)
def detail(request, post):
    """A post, its files and answers (the accepted one first); POST: answer it."""
    form = CommentForm(request.POST or None)
    if request.method == "POST" and (
        comment := submit(
            form,
            lambda data: services.comment_create(actor=request.user, post=post, **data),
        )
    ):
        messages.success(request, _("Réponse publiée."))
        return redirect(comment.get_absolute_url())
    moderator = moderates(request.user, post.federation)
    caps = capabilities_anywhere(request.user)
    kit_fields = _kit_fields()
    state = selectors.post_state(post, request.user)
    deleted = _("Compte supprimé")
    post.byline_html = _byline(post, deleted)
    answers = selectors.answers(post, request.user, moderator=moderator)
    for answer in answers:
        answer.byline_html = _byline(answer, deleted)
    return render(
        request,
        "practices/detail.html",
        {
            "post": post,
            "answers": answers,
            "state": state,
            **selectors.post_extras(post, state),
            "form": form,
            "body_field": _static_fields("body", lambda: form["body"].as_field_group())
            if not form.is_bound
            else form["body"].as_field_group(),
            "kit_fields": kit_fields,
            "has_kits": bool(kit_fields),
            "attachment_field": _static_fields(
                "file", lambda: AttachmentForm(auto_id="file_%s")["file"].as_field_group()
            ),
            "hide_field": _static_fields(
                "hide", lambda: HideForm(auto_id="hide_%s")["reason"].as_field_group()
            ),
            "moderator": moderator,
            "can_edit": moderator or _is_author(request, post),
            "can_accept": post.is_question and (moderator or _is_author(request, post)),
            "can_highlight": HIGHLIGHT in caps
            and any(
                post.federation.path.startswith(p) for p in grant_paths(request.user, HIGHLIGHT)
            ),
            "breadcrumbs": _crumbs((post.title, None)),
        },
    )


def _flag(request, name: str) -> bool:
    return request.POST.get(name) == "1"


@require_POST
@object_view(selectors.detail_queryset, VIEW)
def vote(request, post):
    useful = services.vote_set(actor=request.user, post=post, useful=_flag(request, "utile"))
    messages.success(
        request,
        _("Merci : vous avez trouvé cette publication utile.") if useful else _("Vote retiré."),
    )
    return redirect(post)


@require_POST
@object_view(selectors.detail_queryset, VIEW)
def follow(request, post):
    following = services.follow_set(actor=request.user, post=post, follow=_flag(request, "suivre"))
    messages.success(
        request,
        _("Vous recevrez un e-mail à chaque nouvelle réponse.")
        if following
        else _("Vous ne suivez plus cette publication."),
    )
    return redirect(post)


@require_POST
@object_view(selectors.detail_queryset, VIEW)
def highlight(request, post):
    highlighted = _flag(request, "en_avant")
    services.post_highlight(actor=request.user, post=post, highlighted=highlighted)
    messages.success(
        request,
        _("Publication mise en avant.") if highlighted else _("Publication retirée de la une."),
    )
    return redirect(post)


@require_POST
@object_view(selectors.detail_queryset, VIEW)
def hide(request, post):
    form = HideForm(request.POST)
    hidden = _flag(request, "masquer")
    if submit(
        form,
        lambda data: services.post_hide(actor=request.user, post=post, hidden=hidden, **data),
    ):
        messages.success(
            request, _("Publication masquée.") if hidden else _("Publication de nouveau visible.")
        )
    else:
        messages.error(request, _("Indiquez le motif pour masquer la publication."))
    return redirect(post)


@require_POST
@object_view(selectors.detail_queryset, VIEW)
def attachment_add(request, post):
    form = AttachmentForm(request.POST, request.FILES)
    if submit(form, lambda data: services.attachment_add(actor=request.user, post=post, **data)):
        messages.success(request, _("Fichier ajouté."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(post)


@require_GET
@object_view(lambda: Attachment.objects.select_related("post"), VIEW)
def attachment(request, attachment):
    return protected_file_response(
        attachment.file, filename=attachment.original_name or f"piece-jointe-{attachment.pk}"
    )


@require_POST
@object_view(selectors.detail_queryset, VIEW)
def unaccept(request, post):
    services.answer_unaccept(actor=request.user, post=post)
    messages.success(request, _("La question n'a plus de réponse retenue."))
    return redirect(post)


@require_POST
@object_view(lambda: Comment.objects.select_related("post__federation"), VIEW)
def accept(request, comment):
    services.answer_accept(actor=request.user, comment=comment)
    messages.success(request, _("Réponse retenue : elle s'affiche désormais en premier."))
    return redirect(comment.get_absolute_url())


@require_POST
@object_view(lambda: Comment.objects.select_related("post__federation"), VIEW)
def comment_hide(request, comment):
    form = HideForm(request.POST)
    hidden = _flag(request, "masquer")
    if submit(
        form,
        lambda data: services.comment_hide(
            actor=request.user, comment=comment, hidden=hidden, **data
        ),
    ):
        messages.success(
            request, _("Réponse masquée.") if hidden else _("Réponse de nouveau visible.")
        )
    else:
        messages.error(request, _("Indiquez le motif pour masquer la réponse."))
    return redirect(comment.post)


# --- Kits --------------------------------------------------------------------------------


@require_POST
@object_view(selectors.detail_queryset, VIEW)
def propose_kit(request, post):
    form = KitProposalForm(request.POST, kits=selectors.proposable_kits(request.user))
    if submit(form, lambda data: services.kit_propose(actor=request.user, post=post, **data)):
        messages.success(request, _("Proposition transmise aux auteur·es du kit."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(post)


@require_GET
@space_view(KITS_MANAGE)
def proposals(request):
    """Posts proposed to improve the kits (for the kits' authors), pending first."""
    status = request.GET.get("etat", "")
    if status not in KitProposal.Status.values:
        status = ""
    page = paginate(
        selectors.kit_proposals(request.user, status=status),
        request.GET.get("page"),
        per_page=PAGE_SIZE,
        count=False,
    )
    return render_partial(
        request,
        "practices/proposals.html",
        {
            "page": page,
            "proposals": page.object_list,
            "status": status,
            "statuses": KitProposal.Status.choices,
            "breadcrumbs": _crumbs((_("Propositions pour les kits"), None)),
        },
    )


@require_POST
@object_view(lambda: KitProposal.objects.select_related("post", "kit"), KITS_MANAGE)
def proposal_decide(request, kitproposal):
    form = DecisionForm(request.POST)
    accepted = request.POST.get("decision") == "accept"
    if submit(
        form,
        lambda data: services.kit_proposal_decide(
            actor=request.user, proposal=kitproposal, accepted=accepted, **data
        ),
    ):
        messages.success(
            request, _("Proposition retenue.") if accepted else _("Proposition non retenue.")
        )
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("practices:proposals")
