"""Parts of the reading pages written once in Python rather than by template loops: the
chapters and paragraphs of the text page, the comments and rewordings of the paragraph
page (the hot paragraph has hundreds of comments: 20 per page with their replies, about
50 articles per page), the rows of the synthesis.

The HTML is the templates' (as they were before their loops moved here, checked by
``tests/test_pages.py``): every value coming from the database goes through ``escape``
as ``{{ … }}`` would, the messages are the same msgids, each translated once per page.

What only changes with the text (its HTML, links, labels, excerpts) is kept per process,
keyed on the version's id, its modification stamp and the language; the counters, the
reader's own supports and the forms' tokens are read on every request.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from html import escape as _html_escape

from django.urls import reverse
from django.utils.formats import localize
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from fede.core.forms import csrf_input
from fede.core.lists import PK_MARK
from fede.core.markdown import render_markdown
from fede.core.memo import TimedCache

from . import selectors
from .models import Answer
from .templatetags.consultations import cached_word_diff


def escape(value) -> str:
    """What ``django.utils.html.escape`` writes (``html.escape`` of the text), without its
    lazy-string wrapper: called a few hundred times per page. Every piece escaped here is
    joined into HTML marked safe once, whole."""
    return _html_escape(str(value))


_BADGE = {Answer.ACCEPTED: "text-bg-success", Answer.CONSIDERED: "text-bg-primary"}


@dataclass
class CommentContext:
    """What the page's template context says about the viewer, read once per page."""

    request: object
    allowed: bool
    is_current: bool
    authenticated: bool
    can_manage: bool
    can_moderate: bool
    create_url: str
    _csrf: str | None = None

    @property
    def csrf_input(self) -> str:
        # What ``{% csrf_token %}`` writes (the token read only when a form is written).
        if self._csrf is None:
            self._csrf = csrf_input(self.request)
        return self._csrf


def answer_html(item) -> str:
    """``consultations/includes/answer.html`` for ``item`` (a comment or a rewording)."""
    if not item.answer:
        return ""
    badge = _BADGE.get(item.answer, "text-bg-secondary")
    return (
        '<div class="alert alert-light border small mb-2 mt-2">\n'
        f"  <strong>{escape(_('Réponse des auteur·es'))} :</strong>\n"
        f'  <span class="badge {badge}">{escape(item.get_answer_display())}</span>\n'
        f'  <div class="consultation-text mt-1">{escape(item.answer_text)}</div>\n'
        "</div>\n"
    )


class RewordingWriter:
    """The proposed rewordings of the paragraph page (its template's loop before it moved
    here): every value escaped as ``{{ … }}`` did, the same msgids."""

    def __init__(self, ctx: CommentContext, paragraph_text: str):
        self.ctx = ctx
        self.paragraph_text = paragraph_text or ""
        self.support = _("Je soutiens cette rédaction")
        self.hidden_message = _("Proposition masquée par la modération : %(reason)s")
        self.restore = _("Rétablir")
        self.change_answer = _("Modifier la réponse")
        self.answer = _("Répondre à la proposition")
        self.hide = _("Masquer")

    def item(self, rewording, supported: bool) -> str:
        ctx = self.ctx
        out = [
            '\n    <article class="card mb-3 consultation-contribution" '
            f'id="reformulation-{rewording.pk}"><div class="card-body">\n      '
        ]
        if rewording.hidden_at:
            message = self.hidden_message % {"reason": escape(rewording.hidden_reason)}
            out.append(
                f'\n        <p class="text-body-secondary fst-italic mb-1">{message}</p>\n        '
            )
            if ctx.can_moderate:
                out.append(
                    f'<form method="post" action="{escape(rewording.unhide_url)}">'
                    f'{ctx.csrf_input}<button class="btn btn-sm btn-link p-0" type="submit">'
                    f"{self.restore}</button></form>"
                )
            out.append("\n      ")
        else:
            out.append(
                f'\n        <p class="small mb-1"><strong>{escape(rewording.first_name)}</strong>'
                f" · {escape(rewording.section_name)} · {escape(rewording.created_label)}</p>\n"
                '        <div class="consultation-diff mb-2">'
                f"{cached_word_diff(self.paragraph_text, rewording.text or '')}</div>\n        "
            )
            if rewording.explanation:
                out.append(
                    '<p class="small consultation-text mb-2"><em>'
                    f"{escape(rewording.explanation)}</em></p>"
                )
            out.append(
                '\n        <div class="d-flex flex-wrap gap-2 align-items-center small">\n'
                f"          <span>{escape(rewording.support_label)}</span>\n          "
            )
            if ctx.allowed and ctx.is_current:
                out.append(
                    f'\n            <form method="post" action="{escape(rewording.support_url)}">'
                    f"{ctx.csrf_input}\n              "
                )
                if supported:
                    out.append(
                        '<input type="hidden" name="action" value="retirer"><button class="btn '
                        'btn-sm btn-success" type="submit" aria-pressed="true">'
                        f"{self.support} ✓</button>\n              "
                    )
                else:
                    out.append(
                        '<button class="btn btn-sm btn-outline-success" type="submit">'
                        f"{self.support}</button>"
                    )
                out.append("\n            </form>\n          ")
            out.append("\n          ")
            if ctx.can_manage:
                label = self.change_answer if rewording.answer else self.answer
                out.append(f'<a href="{escape(rewording.answer_url)}">{label}</a>')
            out.append("\n          ")
            if ctx.can_moderate:
                out.append(
                    f'<a class="text-danger" href="{escape(rewording.hide_url)}">{self.hide}</a>'
                )
            out.append("\n        </div>\n        ")
            if rewording.answer:
                out.append(f"\n\n{answer_html(rewording)}\n")
            out.append("\n      ")
        out.append("\n    </div></article>\n  ")
        return "".join(out)

    def page(self, rewordings, supported: set[int]) -> str:
        if not rewordings:
            return mark_safe(
                '\n    <p class="text-body-secondary">'
                + _("Aucune proposition de rédaction pour l'instant.")
                + "</p>\n  "
            )
        return mark_safe("".join(self.item(r, r.pk in supported) for r in rewordings))


#: The empty forms of the paragraph page (their fields' HTML depends on the language and,
#: for the rewording form, on the paragraph's text only), per process.
_FORM_FIELDS = TimedCache(ttl=None, max_size=256)


def comment_form_html() -> str:
    """``{{ comment_form.text.as_field_group }}`` of the page's empty comment form."""
    from .forms import CommentForm

    return _FORM_FIELDS.get(
        ("comment", get_language()),
        lambda: CommentForm(auto_id="commentaire_%s")["text"].as_field_group(),
    )


def rewording_form_html(paragraph_text: str) -> str:
    """The text and explanation fields of the page's empty rewording form (its text
    prefilled with the paragraph's)."""
    from .forms import RewordingForm

    def build():
        form = RewordingForm(initial={"text": paragraph_text}, auto_id="reformulation_%s")
        return mark_safe(  # noqa: S308 — both parts are the form renderer's safe output
            f"{form['text'].as_field_group()}\n      {form['explanation'].as_field_group()}"
        )

    return _FORM_FIELDS.get(("rewording", get_language(), paragraph_text), build)


class CommentWriter:
    """Writes a page of comments (each with its replies and its reply form)."""

    def __init__(self, ctx: CommentContext):
        self.ctx = ctx
        self.reply = escape(_("Répondre"))
        self.report = escape(_("Signaler"))
        self.restore = escape(_("Rétablir"))
        self.hide = escape(_("Masquer"))
        self.change_answer = escape(_("Modifier la réponse"))
        self.answer_as_author = escape(_("Répondre en tant qu'auteur·e"))
        self.hidden_message = _("Commentaire masqué par la modération : %(reason)s")

    def item(self, comment) -> str:
        """The ``comment`` partial: one comment or reply."""
        ctx = self.ctx
        pk = comment.pk
        out = [f'<article class="consultation-contribution mb-3" id="commentaire-{pk}">\n']
        if comment.hidden_at:
            message = self.hidden_message % {"reason": escape(comment.hidden_reason)}
            out.append(f'<p class="text-body-secondary fst-italic mb-1">{message}</p>\n')
            if ctx.can_moderate:
                out.append(
                    f'<form method="post" action="{escape(comment.unhide_url)}" class="d-inline">'
                    f'{ctx.csrf_input}<button class="btn btn-sm btn-link p-0" type="submit">'
                    f"{self.restore}</button></form>\n"
                )
        else:
            out.append(
                f'<p class="small mb-1"><strong>{escape(comment.first_name)}</strong> · '
                f"{escape(comment.section_name)} · "
                f'<time datetime="{escape(comment.created_iso)}">'
                f"{escape(comment.created_label)}</time></p>\n"
                f'<div class="consultation-text">{escape(comment.text)}</div>\n'
            )
            if comment.answer:
                out.append(answer_html(comment))
            out.append('<p class="small mb-0">\n')
            if ctx.allowed and not comment.parent_id:
                out.append(f'<a href="#repondre-{pk}" class="me-2">{self.reply}</a>\n')
            if ctx.authenticated:
                out.append(
                    f'<a href="{escape(comment.report_url)}" class="me-2">{self.report}</a>\n'
                )
            if ctx.can_manage:
                label = self.change_answer if comment.answer else self.answer_as_author
                out.append(f'<a href="{escape(comment.answer_url)}" class="me-2">{label}</a>\n')
            if ctx.can_moderate:
                out.append(
                    f'<a href="{escape(comment.hide_url)}" class="text-danger">{self.hide}</a>\n'
                )
            out.append("</p>\n")
        out.append("</article>\n")
        return "".join(out)

    def block(self, comment) -> str:
        """A top comment, its replies and the form to reply to it."""
        ctx = self.ctx
        out = [self.item(comment)]
        replies = comment.reply_list
        form = ctx.allowed and ctx.is_current and not comment.hidden_at
        if replies or form:
            out.append('<div class="consultation-replies mb-3">\n')
            out.extend(self.item(reply) for reply in replies)
            if form:
                pk = comment.pk
                out.append(
                    f'<form method="post" action="{escape(ctx.create_url)}" '
                    f'id="repondre-{pk}" novalidate>\n'
                    f'{ctx.csrf_input}<input type="hidden" name="parent" value="{pk}">\n'
                    f'<label class="form-label small" for="reponse-{pk}">'
                    f"{escape(comment.reply_to_label)}</label>\n"
                    f'<textarea class="form-control form-control-sm mb-1" id="reponse-{pk}" '
                    'name="text" rows="2" maxlength="4000" required></textarea>\n'
                    f'<button type="submit" class="btn btn-sm btn-outline-secondary">'
                    f"{self.reply}</button>\n"
                    "</form>\n"
                )
            out.append("</div>\n")
        return "".join(out)

    def page(self, comments) -> str:
        return mark_safe("".join(self.block(comment) for comment in comments))


# --- The text page ----------------------------------------------------------------------------

#: The parts of the text page that only change with the text (its HTML, ids, links,
#: labels), per process: key (version id, version stamp, language).
_TEXT_PARTS = TimedCache(ttl=None, max_size=32)


def _text_parts(version_id: int) -> tuple:
    """``((chapter id, chapter head, [(paragraph id, its HTML up to its counts, its
    support URL)…] or the empty chapter's message)…)``, every piece escaped as the
    template wrote it."""
    link_label = _("Paragraphe %(chapter)s.%(ref)s : commentaires et propositions")
    mark = str(PK_MARK)
    row_url = reverse("consultations:paragraph", args=[PK_MARK])
    support_url = reverse("consultations:paragraph_support", args=[PK_MARK])
    empty = (
        '\n      <p class="text-body-secondary">'
        + _("Ce chapitre n'a pas de paragraphe.")
        + "</p>\n    "
    )
    chapters = []
    for chapter_pk, position, title, paragraphs in selectors.version_text(version_id):
        head = (
            f'\n  <section class="mb-4" aria-labelledby="chapitre-{chapter_pk}">\n'
            f'    <h2 id="chapitre-{chapter_pk}" class="h4">{escape(title)}</h2>\n    '
        )
        rows = []
        for ref, (pk, _position, text) in enumerate(paragraphs, start=1):
            label = link_label % {"chapter": position, "ref": ref}
            rows.append(
                (
                    pk,
                    f'\n      <div class="consultation-paragraph mb-3" id="paragraphe-{pk}">\n'
                    f"        {render_markdown(text)}\n"
                    '        <div class="d-flex flex-wrap gap-2 align-items-center small">\n'
                    f'          <a href="{escape(row_url.replace(mark, str(pk)))}" '
                    f'aria-label="{escape(label)}">',
                    escape(support_url.replace(mark, str(pk))),
                )
            )
        chapters.append((chapter_pk, head, rows or empty))
    return tuple(chapters)


#: The count messages of the pages: ``blocktranslate count`` as the templates wrote them.
COUNT_MESSAGES = {
    "comments": lambda n: ngettext("%(n)s commentaire", "%(n)s commentaires", n),
    "proposals": lambda n: ngettext("%(n)s proposition", "%(n)s propositions", n),
    "supports": lambda n: ngettext("%(n)s soutien", "%(n)s soutiens", n),
    # A bare number, as ``{{ n }}`` writes it.
    "number": lambda n: "%(n)s",
}
#: Per process, per (message, language): {count: escaped label}.
_COUNT_LABELS = TimedCache(ttl=None, max_size=32)


def count_label(kind: str):
    """A function ``n → escape(message(n) % {"n": localize(n)})`` for the active
    language, each label computed once per process (they depend on the count and the
    language only)."""
    labels = _COUNT_LABELS.get((kind, get_language()), dict)
    message = COUNT_MESSAGES[kind]

    def label(n: int) -> str:
        text = labels.get(n)
        if text is None:
            if len(labels) > 5000:
                labels.clear()
            text = labels[n] = escape(message(n) % {"n": localize(n)})
        return text

    return label


def text_html(request, version, *, allowed: bool, member=None) -> str:
    """The chapters and paragraphs of the text page (``consultation_detail.html``'s loop
    before it moved here), each paragraph with its counters read now and, for a member
    who may take part, the form to support it."""
    if version is None:
        parts = ()
    else:
        parts = _TEXT_PARTS.get(
            (version.pk, version.updated_at, get_language()), lambda: _text_parts(version.pk)
        )
    if not parts:
        return mark_safe(
            '\n\n  <div class="alert alert-info">'
            + _("Le texte n'est pas encore disponible.")
            + "</div>\n\n"
        )
    counts = selectors.paragraph_counts(version.pk, member)
    comments, proposals = count_label("comments"), count_label("proposals")
    supports = count_label("supports")
    if allowed:
        label = _("Je soutiens")
        csrf = csrf_input(request)
        withdraw = (
            '<input type="hidden" name="action" value="retirer"><button class="btn btn-sm '
            f'btn-success" type="submit" aria-pressed="true">{label} ✓</button>\n              '
        )
        give = f'<button class="btn btn-sm btn-outline-success" type="submit">{label}</button>'
    out = ["\n"]
    for _chapter_pk, head, rows in parts:
        out.append(head)
        if isinstance(rows, str):
            out.append(rows)
        else:
            for pk, start, support_url in rows:
                n_supports, n_comments, n_rewordings, supported = counts.get(pk, (0, 0, 0, False))
                out.append(start)
                out.append(
                    f"{comments(n_comments)} · {proposals(n_rewordings)}</a>\n"
                    f"          <span>{supports(n_supports)}</span>\n          "
                )
                if allowed:
                    out.append(
                        f'\n            <form method="post" action="{support_url}">{csrf}'
                        '<input type="hidden" name="next" value="texte">\n              '
                        f"{withdraw if supported else give}\n            </form>\n          "
                    )
                out.append("\n        </div>\n      </div>\n    ")
        out.append("\n  </section>\n")
    out.append("\n")
    return mark_safe("".join(out))


# --- The synthesis page -----------------------------------------------------------------------

#: The parts of the synthesis that only change with the text (references, excerpts,
#: links), per process: key (version id, version stamp, language).
_SYNTHESIS_PARTS = TimedCache(ttl=None, max_size=32)


@functools.lru_cache(maxsize=1024)
def _excerpt(text: str, words: int) -> str:
    # A pure function of the text: ``|truncatewords`` as the synthesis writes it, escaped.
    return escape(Truncator(text).words(words, truncate=" …"))


def _synthesis_parts(version_id: int) -> tuple:
    """``((chapter id, the chapter's heading and table up to its rows, [(paragraph id,
    the row's first cell)…])…)``."""
    mark = str(PK_MARK)
    row_url = reverse("consultations:paragraph", args=[PK_MARK])
    caption = _("Contributions du chapitre %(title)s")
    thead = (
        f'<thead><tr><th scope="col">{_("Paragraphe")}</th>'
        f'<th scope="col" class="text-end">{_("Soutiens")}</th>'
        f'<th scope="col" class="text-end">{_("Commentaires")}</th>'
        f'<th scope="col" class="text-end">{_("Propositions")}</th>'
        f'<th scope="col">{_("Rédactions les plus soutenues")}</th></tr></thead>'
    )
    return tuple(
        (
            chapter_pk,
            f'\n  <h2 class="h4 mt-4">{escape(title)}</h2>\n'
            '  <div class="table-responsive">\n'
            '  <table class="table table-sm align-middle">\n'
            '    <caption class="visually-hidden">'
            f"{caption % {'title': escape(title)}}</caption>\n"
            f"    {thead}\n"
            "    <tbody>\n    ",
            [
                (
                    pk,
                    f'<tr>\n<td><a href="{escape(row_url.replace(mark, str(pk)))}">'
                    f"{escape(localize(position))}.{escape(localize(p_position))}</a> "
                    f"{_excerpt(text, 14)}</td>\n",
                )
                for pk, p_position, text in paragraphs
            ],
        )
        for chapter_pk, position, title, paragraphs in selectors.version_text(version_id)
    )


def synthesis_html(version) -> tuple[str, dict]:
    """The synthesis of a version (``synthesis.html``'s loop before it moved here): per
    chapter its heading and its table, a row per paragraph with its counters read now and
    its three most supported visible rewordings; and the totals of the text."""
    if version is None:
        parts = ()
    else:
        parts = _SYNTHESIS_PARTS.get(
            (version.pk, version.updated_at, get_language()), lambda: _synthesis_parts(version.pk)
        )
    if not parts:
        return mark_safe(
            f'\n  <div class="alert alert-info">{_("Pas encore de texte.")}</div>\n'
        ), ({} if version is None else _totals(version, 0, 0, 0, 0))
    counts = selectors.paragraph_counts(version.pk)
    top = selectors.top_rewordings(version.pk)
    number = count_label("number")
    answers = {value: escape(label) for value, label in Answer.choices}
    empty = '<span class="text-body-secondary small">—</span>'
    supports = comments = rewordings = paragraphs = 0
    out = []
    for _chapter_pk, head, rows in parts:
        out.append(head)
        for pk, first_cell in rows:
            n_supports, n_comments, n_rewordings, _supported = counts.get(pk, (0, 0, 0, False))
            supports += n_supports
            comments += n_comments
            rewordings += n_rewordings
            paragraphs += 1
            tops = "".join(
                f'<div class="small mb-1"><strong>{number(n)}</strong> — '
                f"{_excerpt(text, 16)}"
                + (
                    f' <span class="badge text-bg-light border">'
                    f"{answers.get(answer, escape(answer))}</span>"
                    if answer
                    else ""
                )
                + "</div>"
                for text, n, answer in top.get(pk, ())
            )
            out.append(
                f"{first_cell}"
                f'<td class="text-end">{number(n_supports)}</td>\n'
                f'<td class="text-end">{number(n_comments)}</td>\n'
                f'<td class="text-end">{number(n_rewordings)}</td>\n'
                f"<td>{tops or empty}</td>\n"
                "</tr>\n"
            )
        out.append("\n    </tbody>\n  </table>\n  </div>\n")
    return mark_safe("".join(out)), _totals(version, supports, comments, rewordings, paragraphs)


def _totals(version, supports: int, comments: int, rewordings: int, paragraphs: int) -> dict:
    return {
        "supports": supports,
        "comments": comments,
        "rewordings": rewordings,
        "paragraphs": paragraphs,
        "participants": selectors.participants_count_recent(
            version.pk, (supports, comments, rewordings)
        ),
    }


def clear_text_caches() -> None:
    """Forget the text parts kept for the text and synthesis pages (a text changed)."""
    _TEXT_PARTS.clear()
    _SYNTHESIS_PARTS.clear()
