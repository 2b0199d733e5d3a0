"""Every write of the practices space. Each service checks the actor's right, writes, and
records the action in the audit trail; mails go through the outbox (sent after commit).

Rights (see rules.py and registry.py):
- any officer of the post's federation reads, asks, shares, answers, votes and follows;
- the author of a post edits it and adds files; the asker (or the federation) accepts an
  answer;
- the federation (``practices.moderate``) hides and shows again, edits any post;
  ``practices.highlight`` puts a post forward;
- the kits' authors (``kits.author``) accept or decline the proposals made for their kits.

Votes and follows carry the state wanted (``useful=True``), not a toggle: a double submit
then asks twice for the same state, and the unique constraints keep one row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from fede.core.access import authorize, is_system
from fede.core.audit import audit, changed_fields
from fede.core.mail import mail_message, outbox_send
from fede.kits.models import Kit
from fede.organization.models import Unit

from . import search, selectors
from .models import (
    HIGHLIGHT,
    KITS_MANAGE,
    MODERATE,
    VIEW,
    Attachment,
    Comment,
    Follow,
    KitProposal,
    Post,
    Vote,
    moderates,
)

MAX_TAGS = 8


def normalise_tags(value) -> str:
    """ "Porte-à-porte, Tracts ; tracts" → ",porte-a-porte,tracts," (at most 8 tags)."""
    if isinstance(value, list | tuple):
        raw = value
    else:
        raw = str(value or "").replace(";", ",").split(",")
    tags: list[str] = []
    for item in raw:
        tag = slugify(str(item))[:30].strip("-")
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError(
            {"tags": _("Pas plus de %(n)s mots-clés.") % {"n": MAX_TAGS}}, code="too_many_tags"
        )
    return f",{','.join(tags)}," if tags else ""


def _is_author(actor, obj) -> bool:
    return getattr(actor, "pk", None) is not None and obj.author_id == actor.pk


def _author_or_moderator(actor, obj, federation) -> None:
    authorize(actor, VIEW, obj)
    if not (is_system(actor) or _is_author(actor, obj) or moderates(actor, federation)):
        raise PermissionDenied("practices: author or moderator")


def _user(actor):
    return None if is_system(actor) else actor


# --- Posts -------------------------------------------------------------------------------


@transaction.atomic
def post_create(
    *,
    actor,
    title: str,
    body: str,
    category: str,
    kind: str = Post.Kind.PRACTICE,
    tags="",
    federation: Unit | None = None,
    attachment=None,
    created_at=None,
) -> Post:
    """Share a practice or ask a question in a federation's space; the author follows it."""
    if federation is None:
        federations = list(selectors.federations_for(actor)[:2])
        if len(federations) != 1:
            raise ValidationError(
                {"federation": _("Choisissez la fédération où publier.")}, code="federation"
            )
        federation = federations[0]
    if federation.kind != Unit.Kind.FEDERATION:
        raise ValidationError({"federation": _("Choisissez une fédération.")})
    authorize(actor, VIEW, federation)
    now = created_at or timezone.now()
    tags = normalise_tags(tags)
    post = Post.objects.create(
        federation=federation,
        author=_user(actor),
        author_unit=selectors.author_unit_for(actor, federation),
        kind=kind,
        title=title.strip(),
        body=body,
        category=category,
        tags=tags,
        last_activity_at=now,
        **search.folded_fields(title=title, body=body, tags=tags),
    )
    if created_at is not None:
        Post.objects.filter(pk=post.pk).update(created_at=created_at, updated_at=created_at)
    if post.author_id:
        Follow.objects.create(post=post, user_id=post.author_id)
    if attachment is not None:
        _attach(post, attachment, actor)
    audit(
        actor=actor,
        code="practices.post_create",
        obj=post,
        params={"post": post.pk, "kind": kind, "category": category},
    )
    return post


@transaction.atomic
def post_update(*, actor, post: Post, title: str, body: str, category: str, tags="", **_ignored):
    """Edit a post (its author, or the federation)."""
    _author_or_moderator(actor, post, post.federation)
    data = {
        "title": title.strip(),
        "body": body,
        "category": category,
        "tags": normalise_tags(tags),
    }
    changes = changed_fields(post, data)
    if not changes:
        return post
    for name, value in data.items():
        setattr(post, name, value)
    for name, value in search.folded_fields(
        title=post.title, body=post.body, tags=post.tags
    ).items():
        setattr(post, name, value)
    post.save(update_fields=[*data, "search_title", "search_text", "updated_at"])
    # The body can be long: the trail says which fields changed, not their text.
    audit(
        actor=actor,
        code="practices.post_update",
        obj=post,
        params={"post": post.pk},
        changes={name: ["…", "…"] if name == "body" else value for name, value in changes.items()},
    )
    return post


def _attach(post: Post, file, actor) -> Attachment:
    return Attachment.objects.create(
        post=post,
        file=file,
        original_name=getattr(file, "original_name", "")[:255],
        size=getattr(file, "size", 0) or 0,
        uploaded_by=_user(actor),
    )


@transaction.atomic
def attachment_add(*, actor, post: Post, file) -> Attachment:
    """Join a file (checked by content: fede.core.uploads) to a post (author, federation)."""
    _author_or_moderator(actor, post, post.federation)
    attachment = _attach(post, file, actor)
    audit(
        actor=actor,
        code="practices.attachment_add",
        obj=post,
        params={"post": post.pk, "attachment": attachment.pk},
    )
    return attachment


@transaction.atomic
def post_highlight(*, actor, post: Post, highlighted: bool) -> Post:
    """Put a post forward (first in the list, on a card) or stop doing so."""
    authorize(actor, HIGHLIGHT, post)
    if post.is_highlighted == highlighted:
        return post
    post.highlighted_at = timezone.now() if highlighted else None
    post.highlighted_by = _user(actor) if highlighted else None
    post.save(update_fields=["highlighted_at", "highlighted_by", "updated_at"])
    audit(
        actor=actor,
        code="practices.post_highlight" if highlighted else "practices.post_unhighlight",
        obj=post,
        params={"post": post.pk},
    )
    return post


@transaction.atomic
def post_hide(*, actor, post: Post, hidden: bool, reason: str = "") -> Post:
    """Hide a post from everyone but the moderators (kept, with who, when and why)."""
    authorize(actor, MODERATE, post)
    if hidden and not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif.")}, code="reason")
    if post.is_hidden == hidden:
        return post
    before = post.hidden_at
    post.hidden_at = timezone.now() if hidden else None
    post.hidden_by = _user(actor) if hidden else None
    post.hidden_reason = reason.strip() if hidden else ""
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    audit(
        actor=actor,
        code="practices.post_hide" if hidden else "practices.post_unhide",
        obj=post,
        params={"post": post.pk},
        changes={"hidden_at": [before, post.hidden_at], "reason": ["", post.hidden_reason]},
    )
    return post


# --- Answers -----------------------------------------------------------------------------


def _reply_mail(comment: Comment, user) -> EmailMultiAlternatives:
    post = comment.post
    with translation.override(settings.LANGUAGE_CODE):
        url = settings.FEDE_SITE_URL.rstrip("/") + reverse("practices:detail", args=[post.pk])
        member = getattr(user, "member", None)
        context = {
            "post": post,
            "comment": comment,
            "url": f"{url}#reponse-{comment.pk}",
            "name": (member.first_name if member else "") or user.first_name or user.email,
            "unfollow_url": url,
            "site_name": settings.FEDE_SITE_NAME,
        }
        subject = (
            _("Nouvelle réponse à « %(title)s »")
            if post.is_question
            else _("Nouveau commentaire sur « %(title)s »")
        ) % {"title": post.title}
        return mail_message(subject, "practices/email/reply.html", context, [user.email])


@transaction.atomic
def comment_create(
    *, actor, post: Post, body: str, created_at=None, notify: bool = True
) -> Comment:
    """Answer a question or comment a practice; every follower but the writer gets one mail
    (queued in the outbox, sent after commit); the writer now follows the post.
    ``notify=False`` (the demo's past answers) queues no mail."""
    authorize(actor, VIEW, post)
    if post.is_hidden and not moderates(actor, post.federation):
        raise PermissionDenied("practices: hidden post")
    if not body.strip():
        raise ValidationError({"body": _("Écrivez votre réponse.")}, code="empty")
    now = created_at or timezone.now()
    comment = Comment.objects.create(
        post=post,
        author=_user(actor),
        author_unit=selectors.author_unit_for(actor, post.federation),
        body=body,
    )
    if created_at is not None:
        Comment.objects.filter(pk=comment.pk).update(created_at=now, updated_at=now)
        comment.created_at = now
    Post.objects.filter(pk=post.pk).update(last_activity_at=now)
    post.last_activity_at = now
    audit(
        actor=actor,
        code="practices.comment_create",
        obj=comment,
        params={"post": post.pk, "comment": comment.pk},
    )
    for user in selectors.followers_to_notify(comment) if notify else ():
        outbox_send(_reply_mail(comment, user))
    if comment.author_id:
        Follow.objects.bulk_create(
            [Follow(post=post, user_id=comment.author_id)], ignore_conflicts=True
        )
    return comment


@transaction.atomic
def answer_accept(*, actor, comment: Comment) -> Post:
    """Mark the answer that settled a question (its asker, or the federation)."""
    post = Post.objects.select_for_update().get(pk=comment.post_id)
    _author_or_moderator(actor, post, post.federation)
    if not post.is_question:
        raise ValidationError(_("Seule une question a une réponse retenue."), code="not_question")
    if comment.post_id != post.pk or comment.is_hidden:
        raise ValidationError(_("Cette réponse ne peut pas être retenue."), code="bad_answer")
    if post.accepted_answer_id == comment.pk:
        return post
    before = post.accepted_answer_id
    post.accepted_answer = comment
    post.save(update_fields=["accepted_answer", "updated_at"])
    audit(
        actor=actor,
        code="practices.answer_accept",
        obj=post,
        params={"post": post.pk, "comment": comment.pk},
        changes={"accepted_answer": [before, comment.pk]},
    )
    return post


@transaction.atomic
def answer_unaccept(*, actor, post: Post) -> Post:
    _author_or_moderator(actor, post, post.federation)
    if post.accepted_answer_id is None:
        return post
    before = post.accepted_answer_id
    post.accepted_answer = None
    post.save(update_fields=["accepted_answer", "updated_at"])
    audit(
        actor=actor,
        code="practices.answer_unaccept",
        obj=post,
        params={"post": post.pk},
        changes={"accepted_answer": [before, None]},
    )
    return post


@transaction.atomic
def comment_hide(*, actor, comment: Comment, hidden: bool, reason: str = "") -> Comment:
    """Hide an answer from everyone but the moderators (kept, with who, when and why)."""
    authorize(actor, MODERATE, comment)
    if hidden and not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif.")}, code="reason")
    if comment.is_hidden == hidden:
        return comment
    before = comment.hidden_at
    comment.hidden_at = timezone.now() if hidden else None
    comment.hidden_by = _user(actor) if hidden else None
    comment.hidden_reason = reason.strip() if hidden else ""
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    if hidden:
        # A hidden answer cannot stay the accepted one.
        Post.objects.filter(pk=comment.post_id, accepted_answer=comment).update(
            accepted_answer=None
        )
    audit(
        actor=actor,
        code="practices.comment_hide" if hidden else "practices.comment_unhide",
        obj=comment,
        params={"post": comment.post_id, "comment": comment.pk},
        changes={"hidden_at": [before, comment.hidden_at], "reason": ["", comment.hidden_reason]},
    )
    return comment


# --- « Utile » and follows ---------------------------------------------------------------


def _set_row(model, *, post: Post, user, wanted: bool) -> bool:
    if wanted:
        # The unique constraint decides between two concurrent requests: one row stays.
        model.objects.bulk_create([model(post=post, user=user)], ignore_conflicts=True)
    else:
        model.objects.filter(post=post, user=user).delete()
    return wanted


@transaction.atomic
def vote_set(*, actor, post: Post, useful: bool) -> bool:
    """Say a post is useful (or take it back): one vote per person."""
    authorize(actor, VIEW, post)
    if is_system(actor):
        raise PermissionDenied("a vote needs a person")
    return _set_row(Vote, post=post, user=actor, wanted=useful)


@transaction.atomic
def follow_set(*, actor, post: Post, follow: bool) -> bool:
    """Get (or stop getting) a mail on each new answer to a post."""
    authorize(actor, VIEW, post)
    if is_system(actor):
        raise PermissionDenied("a follow needs a person")
    return _set_row(Follow, post=post, user=actor, wanted=follow)


# --- Proposals to improve a kit ----------------------------------------------------------


def kit_title(kit: Kit) -> str:
    version = kit.versions.order_by("-number").only("title").first()
    return version.title if version else kit.slug


@transaction.atomic
def kit_propose(*, actor, post: Post, kit: Kit, note: str = "") -> KitProposal:
    """Propose a post as an improvement to a published kit; its authors decide."""
    authorize(actor, VIEW, post)
    if not Kit.objects.published().filter(pk=kit.pk).exists():
        raise ValidationError({"kit": _("Choisissez un kit publié.")}, code="kit")
    try:
        with transaction.atomic():
            proposal = KitProposal.objects.create(
                post=post, kit=kit, note=note.strip(), proposed_by=_user(actor)
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"kit": _("Cette publication est déjà proposée pour ce kit.")}, code="duplicate"
        ) from exc
    audit(
        actor=actor,
        code="practices.kit_propose",
        obj=proposal,
        params={"post": post.pk, "kit": kit_title(kit), "proposal": proposal.pk},
    )
    return proposal


def _decision_mail(proposal: KitProposal) -> EmailMultiAlternatives:
    with translation.override(settings.LANGUAGE_CODE):
        url = settings.FEDE_SITE_URL.rstrip("/") + proposal.post.get_absolute_url()
        context = {
            "proposal": proposal,
            "kit": kit_title(proposal.kit),
            "url": url,
            "site_name": settings.FEDE_SITE_NAME,
        }
        return mail_message(
            _("Votre proposition pour le kit « %(kit)s »") % {"kit": context["kit"]},
            "practices/email/proposal_decided.html",
            context,
            [proposal.proposed_by.email],
        )


@transaction.atomic
def kit_proposal_decide(
    *, actor, proposal: KitProposal, accepted: bool, answer: str = ""
) -> KitProposal:
    """The kits' authors accept or decline a proposal; its author is told by mail."""
    authorize(actor, KITS_MANAGE, proposal)
    proposal = (
        KitProposal.objects.select_for_update().select_related("post", "kit").get(pk=proposal.pk)
    )
    if proposal.status != KitProposal.Status.PENDING:
        raise ValidationError(_("Cette proposition a déjà reçu une réponse."), code="decided")
    proposal.status = KitProposal.Status.ACCEPTED if accepted else KitProposal.Status.DECLINED
    proposal.answer = answer.strip()
    proposal.decided_by = _user(actor)
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "answer", "decided_by", "decided_at", "updated_at"])
    audit(
        actor=actor,
        code="practices.kit_proposal_accept" if accepted else "practices.kit_proposal_decline",
        obj=proposal,
        params={"proposal": proposal.pk, "kit": kit_title(proposal.kit), "post": proposal.post_id},
        changes={"status": [KitProposal.Status.PENDING, proposal.status]},
    )
    if proposal.proposed_by_id and proposal.proposed_by.email and proposal.proposed_by.is_active:
        outbox_send(_decision_mail(proposal))
    return proposal
