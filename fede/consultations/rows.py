"""The comments of the paragraph page written once in Python (the hot paragraph has
hundreds of comments: 20 per page with their replies, about 50 articles per page).

The HTML is the template's (``paragraph_detail.html`` before it moved here): every value
coming from the database or a translation goes through ``escape`` as ``{{ … }}`` would, the
messages are the same msgids, each translated once per page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .models import Answer

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
            token = get_token(self.request)
            self._csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
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
            author = comment.author
            out.append(
                f'<p class="small mb-1"><strong>{escape(author.first_name)}</strong> · '
                f"{escape(author.section.name)} · "
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


def with_synthesis_rows(chapters) -> None:
    """The synthesis table's rows of each chapter (``chapter.rows_html``), written once in
    Python from the cells :func:`selectors.synthesis` computed: the template's HTML."""
    empty = '<span class="text-body-secondary small">—</span>'
    for chapter in chapters:
        out = []
        for p in chapter.paragraphs.all():
            tops = "".join(
                f'<div class="small mb-1"><strong>{escape(r.support_cell)}</strong> — '
                f"{escape(r.excerpt)}"
                + (
                    f' <span class="badge text-bg-light border">'
                    f"{escape(r.get_answer_display())}</span>"
                    if r.answer
                    else ""
                )
                + "</div>"
                for r in p.top_rewordings
            )
            out.append(
                "<tr>\n"
                f'<td><a href="{escape(p.row_url)}">{escape(p.ref)}</a> {escape(p.excerpt)}</td>\n'
                f'<td class="text-end">{escape(p.support_cell)}</td>\n'
                f'<td class="text-end">{escape(p.comment_cell)}</td>\n'
                f'<td class="text-end">{escape(p.rewording_cell)}</td>\n'
                f"<td>{tops or empty}</td>\n"
                "</tr>\n"
            )
        chapter.rows_html = mark_safe("".join(out))
