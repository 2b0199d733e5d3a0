"""Every write of the consultations app.

Authors (``consultations.manage`` on the organising unit) create, import, open, close,
publish new versions and answer; moderators (``consultations.moderate``) hide and restore
contributions. Members take part through :func:`comment_create`,
:func:`paragraph_support`, :func:`rewording_create`, :func:`rewording_support` and
:func:`comment_report`, allowed by a domain rule (:func:`participation_check`): a member
of the audience, while the consultation is open.

Counters are recomputed from a ``COUNT`` while the paragraph (or rewording) row is locked
(``select_for_update``): two supports at the same moment are counted twice, never once;
the unique constraints make a second support of the same person a harmless no-op.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fede.core.access import authorize
from fede.core.audit import audit, changed_fields
from fede.core.mail import mail_message, outbox_send
from fede.organization.models import Unit

from . import text as textlib
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
    audience_q,
)

# --- Rules -----------------------------------------------------------------------------------


def participant(actor):
    """The member behind ``actor``, or PermissionDenied (participation needs a member)."""
    member = _member_of(actor)
    if member is None or member.status != "active":
        raise PermissionDenied(_("Seul·es les adhérent·es peuvent participer."))
    return member


def participation_check(actor, consultation: Consultation, *, now=None):
    """Raise unless ``actor`` may contribute to ``consultation`` now; returns the member.

    PermissionDenied outside the audience; ValidationError (a French message the form
    shows) when the consultation is not open.
    """
    member = participant(actor)
    # Read afresh: the dates may have changed since the caller loaded the consultation.
    consultation = Consultation.objects.filter(audience_q(actor), pk=consultation.pk).first()
    if consultation is None:
        raise PermissionDenied(_("Cette consultation ne vous est pas ouverte."))
    now = now or timezone.now()
    if consultation.status != Consultation.Status.PUBLISHED or now < consultation.opens_at:
        raise ValidationError(_("La consultation n'est pas encore ouverte."))
    if now >= consultation.closes_at:
        raise ValidationError(
            _(
                "La consultation est close depuis le %(date)s : elle ne reçoit plus de contributions."
            )
            % {"date": timezone.localtime(consultation.closes_at).strftime("%d/%m/%Y à %H:%M")}
        )
    return member


def _validate_settings(
    *, unit: Unit, audience: str, section: Unit | None, opens_at, closes_at
) -> Unit | None:
    errors: dict[str, list[str]] = {}
    if closes_at <= opens_at:
        errors["closes_at"] = [_("La clôture doit venir après l'ouverture.")]
    if audience == Consultation.Audience.SECTION:
        if section is None:
            errors["section"] = [_("Choisissez la section consultée.")]
        elif not section.is_section or not section.path.startswith(unit.path):
            errors["section"] = [_("Cette section ne dépend pas de l'unité organisatrice.")]
    else:
        section = None
    if errors:
        raise ValidationError(errors)
    return section


def _build_version(consultation, *, number, source, note, actor, previous=None) -> Version:
    chapters = textlib.parse(source)
    version = Version.objects.create(
        consultation=consultation,
        number=number,
        source=source,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    old = []
    if previous is not None:
        old = list(
            Paragraph.objects.filter(chapter__version=previous)
            .order_by("chapter__position", "position")
            .values_list("pk", "text")
        )
    flat = [text for chapter in chapters for text in chapter.paragraphs]
    matches = iter(textlib.match(old, flat))
    for c_pos, parsed in enumerate(chapters, start=1):
        chapter = Chapter.objects.create(version=version, position=c_pos, title=parsed.title)
        Paragraph.objects.bulk_create(
            Paragraph(
                chapter=chapter,
                position=p_pos,
                text=body,
                previous_id=prev,
                change=change,
            )
            for p_pos, body in enumerate(parsed.paragraphs, start=1)
            for prev, change in [next(matches)]
        )
    return version


def _check_source(source: str) -> None:
    problems = textlib.errors(source)
    if problems:
        raise ValidationError({"source": problems})


# --- Consultations (authors) -----------------------------------------------------------------


@transaction.atomic
def consultation_create(
    *,
    actor,
    unit: Unit,
    title: str,
    source: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    audience: str = Consultation.Audience.FEDERATION,
    section: Unit | None = None,
    summary: str = "",
) -> Consultation:
    """Create a consultation (a draft) and import its text as version 1."""
    authorize(actor, "consultations.manage", unit)
    section = _validate_settings(
        unit=unit, audience=audience, section=section, opens_at=opens_at, closes_at=closes_at
    )
    _check_source(source)
    consultation = Consultation.objects.create(
        title=title,
        summary=summary,
        unit=unit,
        audience=audience,
        section=section,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    version = _build_version(consultation, number=1, source=source, note="", actor=actor)
    audit(
        actor=actor,
        code="consultations.consultation_create",
        obj=consultation,
        params={"consultation": consultation.pk, "paragraphs": _count(version)},
    )
    return consultation


def _count(version: Version) -> int:
    return Paragraph.objects.filter(chapter__version=version).count()


@transaction.atomic
def consultation_update(
    *,
    actor,
    consultation: Consultation,
    title: str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    audience: str,
    section: Unit | None = None,
    summary: str = "",
) -> Consultation:
    """Change the title, presentation, dates or audience."""
    authorize(actor, "consultations.manage", consultation)
    section = _validate_settings(
        unit=consultation.unit,
        audience=audience,
        section=section,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    data = {
        "title": title,
        "summary": summary,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "audience": audience,
        "section": section,
    }
    changes = changed_fields(consultation, data)
    for name, value in data.items():
        setattr(consultation, name, value)
    consultation.save()
    audit(
        actor=actor,
        code="consultations.consultation_update",
        obj=consultation,
        params={"consultation": consultation.pk},
        changes=changes,
    )
    return consultation


def _locked(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


@transaction.atomic
def consultation_open(*, actor, consultation: Consultation, now=None) -> Consultation:
    """Publish the consultation and open it now (or keep its later opening date).

    A consultation already past its closing date is reopened for a week."""
    authorize(actor, "consultations.manage", consultation)
    now = now or timezone.now()
    consultation = _locked(consultation)
    before = {"status": consultation.status, "opens_at": consultation.opens_at}
    consultation.status = Consultation.Status.PUBLISHED
    if consultation.opens_at > now:
        consultation.opens_at = now
    if consultation.closes_at <= now:
        consultation.closes_at = now + datetime.timedelta(days=7)
    consultation.save(update_fields=["status", "opens_at", "closes_at", "updated_at"])
    audit(
        actor=actor,
        code="consultations.consultation_open",
        obj=consultation,
        params={"consultation": consultation.pk},
        changes={"status": [before["status"], consultation.status]},
    )
    return consultation


@transaction.atomic
def consultation_close(*, actor, consultation: Consultation, now=None) -> Consultation:
    """Close the consultation now: the text stays readable, contributions stop."""
    authorize(actor, "consultations.manage", consultation)
    now = now or timezone.now()
    consultation = _locked(consultation)
    if consultation.status == Consultation.Status.DRAFT:
        raise ValidationError(_("Un brouillon n'a pas été ouvert : il n'y a rien à clore."))
    if consultation.closes_at <= now:
        return consultation  # already closed: a second click changes nothing
    if consultation.opens_at >= now:
        consultation.opens_at = now - datetime.timedelta(seconds=1)
    consultation.closes_at = now
    consultation.save(update_fields=["opens_at", "closes_at", "updated_at"])
    audit(
        actor=actor,
        code="consultations.consultation_close",
        obj=consultation,
        params={"consultation": consultation.pk},
    )
    return consultation


@transaction.atomic
def version_create(*, actor, consultation: Consultation, source: str, note: str = "") -> Version:
    """Publish the next version of the text; each paragraph is linked to the one it comes
    from, so the version page shows what changed, and the answers given there say why."""
    authorize(actor, "consultations.manage", consultation)
    consultation = _locked(consultation)
    _check_source(source)
    previous = consultation.versions.order_by("-number").first()
    if previous is not None and previous.source.strip() == source.strip() and not note:
        raise ValidationError({"source": [_("Le texte n'a pas changé.")]})
    number = (previous.number if previous else 0) + 1
    version = _build_version(
        consultation, number=number, source=source, note=note, actor=actor, previous=previous
    )
    audit(
        actor=actor,
        code="consultations.version_create",
        obj=consultation,
        params={"consultation": consultation.pk, "version": number},
    )
    return version


def source_with_accepted(version: Version) -> str:
    """The markdown of ``version`` where each paragraph with an accepted rewording takes it
    (the most supported one): the starting point of the next version."""
    accepted = {}
    for rewording in (
        Rewording.objects.filter(
            paragraph__chapter__version=version, answer=Answer.ACCEPTED, hidden_at__isnull=True
        )
        .order_by("paragraph_id", "-support_count", "pk")
        .only("paragraph_id", "text")
    ):
        accepted.setdefault(rewording.paragraph_id, rewording.text)
    chapters = [
        (chapter.title, [accepted.get(p.pk, p.text) for p in chapter.paragraphs.all()])
        for chapter in version.chapters.prefetch_related("paragraphs")
    ]
    return textlib.to_markdown(chapters)


# --- Participation (members) -----------------------------------------------------------------


def _current_paragraph(paragraph: Paragraph, consultation: Consultation) -> None:
    latest = consultation.versions.order_by("-number").values_list("pk", flat=True).first()
    if paragraph.chapter.version_id != latest:
        raise ValidationError(
            _(
                "Ce paragraphe appartient à une version antérieure du texte : commentez la version en cours."
            )
        )


def _recount_comments(paragraph_id: int) -> int:
    count = Comment.objects.filter(paragraph_id=paragraph_id, hidden_at__isnull=True).count()
    Paragraph.objects.filter(pk=paragraph_id).update(comment_count=count)
    return count


@transaction.atomic
def comment_create(
    *, actor, paragraph: Paragraph, text: str, parent: Comment | None = None
) -> Comment:
    """A member comments a paragraph, or replies to a comment (one level: a reply to a
    reply is attached to the comment it answers)."""
    consultation = paragraph.chapter.version.consultation
    member = participation_check(actor, consultation)
    _current_paragraph(paragraph, consultation)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Écrivez votre commentaire.")]})
    if parent is not None:
        if parent.paragraph_id != paragraph.pk:
            raise ValidationError(_("Ce commentaire ne porte pas sur ce paragraphe."))
        if parent.parent_id is not None:
            parent = parent.parent
    Paragraph.objects.select_for_update().filter(pk=paragraph.pk).first()
    comment = Comment.objects.create(paragraph=paragraph, author=member, parent=parent, text=text)
    paragraph.comment_count = _recount_comments(paragraph.pk)
    audit(
        actor=actor,
        code="consultations.comment_create",
        obj=comment,
        params={"consultation": consultation.pk, "paragraph": paragraph.pk},
        scope=consultation.unit,
    )
    return comment


@transaction.atomic
def paragraph_support(*, actor, paragraph: Paragraph, support: bool = True) -> int:
    """« Je soutiens » (or withdraw it). Returns the paragraph's count. Repeating is harmless."""
    consultation = paragraph.chapter.version.consultation
    member = participation_check(actor, consultation)
    _current_paragraph(paragraph, consultation)
    # The lock serialises supports of one paragraph: the COUNT below sees every commit.
    Paragraph.objects.select_for_update().filter(pk=paragraph.pk).first()
    if support:
        _row, created = _insert_once(ParagraphSupport, paragraph=paragraph, member=member)
    else:
        created = bool(
            ParagraphSupport.objects.filter(paragraph=paragraph, member=member).delete()[0]
        )
    count = ParagraphSupport.objects.filter(paragraph=paragraph).count()
    Paragraph.objects.filter(pk=paragraph.pk).update(support_count=count)
    paragraph.support_count = count
    if created:
        audit(
            actor=actor,
            code="consultations.paragraph_support"
            if support
            else "consultations.paragraph_unsupport",
            obj=paragraph,
            params={"consultation": consultation.pk, "paragraph": paragraph.pk},
            scope=consultation.unit,
        )
    return count


def _insert_once(model, **fields):
    """Create the row unless it exists; a concurrent duplicate is absorbed by the unique
    constraint inside a savepoint."""
    existing = model.objects.filter(**fields).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return model.objects.create(**fields), True
    except IntegrityError:
        return model.objects.get(**fields), False


@transaction.atomic
def rewording_create(*, actor, paragraph: Paragraph, text: str, explanation: str = "") -> Rewording:
    """A member proposes a new wording of a paragraph."""
    consultation = paragraph.chapter.version.consultation
    member = participation_check(actor, consultation)
    _current_paragraph(paragraph, consultation)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Écrivez la rédaction que vous proposez.")]})
    if " ".join(text.split()) == " ".join(paragraph.text.split()):
        raise ValidationError({"text": [_("Votre proposition est identique au texte actuel.")]})
    Paragraph.objects.select_for_update().filter(pk=paragraph.pk).first()
    rewording = Rewording.objects.create(
        paragraph=paragraph, author=member, text=text, explanation=(explanation or "").strip()
    )
    count = Rewording.objects.filter(paragraph=paragraph, hidden_at__isnull=True).count()
    Paragraph.objects.filter(pk=paragraph.pk).update(rewording_count=count)
    audit(
        actor=actor,
        code="consultations.rewording_create",
        obj=rewording,
        params={"consultation": consultation.pk, "paragraph": paragraph.pk},
        scope=consultation.unit,
    )
    return rewording


@transaction.atomic
def rewording_support(*, actor, rewording: Rewording, support: bool = True) -> int:
    """« Je soutiens » a proposed rewording (or withdraw it). Returns its count."""
    paragraph = rewording.paragraph
    consultation = paragraph.chapter.version.consultation
    member = participation_check(actor, consultation)
    if rewording.is_hidden:
        raise ValidationError(_("Cette proposition a été masquée par la modération."))
    Rewording.objects.select_for_update().filter(pk=rewording.pk).first()
    if support:
        _row, created = _insert_once(RewordingSupport, rewording=rewording, member=member)
    else:
        created = bool(
            RewordingSupport.objects.filter(rewording=rewording, member=member).delete()[0]
        )
    count = RewordingSupport.objects.filter(rewording=rewording).count()
    Rewording.objects.filter(pk=rewording.pk).update(support_count=count)
    rewording.support_count = count
    if created:
        audit(
            actor=actor,
            code="consultations.rewording_support"
            if support
            else "consultations.rewording_unsupport",
            obj=rewording,
            params={"consultation": consultation.pk, "rewording": rewording.pk},
            scope=consultation.unit,
        )
    return count


@transaction.atomic
def comment_report(*, actor, comment: Comment, reason: str = "") -> Report:
    """A member reports a comment to the moderators (once; a second report changes nothing).
    Reporting stays possible after the closing date."""
    member = participant(actor)
    consultation = comment.paragraph.chapter.version.consultation
    if not Consultation.objects.filter(audience_q(actor), pk=consultation.pk).exists():
        raise PermissionDenied(_("Cette consultation ne vous est pas ouverte."))
    report, created = _insert_once(Report, comment=comment, member=member)
    if created and reason:
        report.reason = reason.strip()[:300]
        report.save(update_fields=["reason"])
    if created:
        audit(
            actor=actor,
            code="consultations.comment_report",
            obj=comment,
            params={"consultation": consultation.pk, "comment": comment.pk},
            scope=consultation.unit,
        )
    return report


# --- Moderation ------------------------------------------------------------------------------


def _hide(actor, contribution, reason: str, code: str):
    authorize(actor, "consultations.moderate", contribution)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": [_("Indiquez le motif : il est affiché à la place du texte.")]}
        )
    model = type(contribution)
    locked = model.objects.select_for_update().get(pk=contribution.pk)
    if locked.hidden_at is None:
        locked.hidden_at = timezone.now()
    locked.hidden_reason = reason[:300]
    locked.hidden_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "updated_at"])
    audit(
        actor=actor,
        code=code,
        obj=locked,
        params={"paragraph": locked.paragraph_id, "reason": locked.hidden_reason},
        scope=locked.paragraph.chapter.version.consultation.unit,
    )
    return locked


def _unhide(actor, contribution, code: str):
    authorize(actor, "consultations.moderate", contribution)
    model = type(contribution)
    locked = model.objects.select_for_update().get(pk=contribution.pk)
    locked.hidden_at = None
    locked.hidden_reason = ""
    locked.hidden_by = None
    locked.save(update_fields=["hidden_at", "hidden_reason", "hidden_by", "updated_at"])
    audit(
        actor=actor,
        code=code,
        obj=locked,
        params={"paragraph": locked.paragraph_id},
        scope=locked.paragraph.chapter.version.consultation.unit,
    )
    return locked


@transaction.atomic
def comment_hide(*, actor, comment: Comment, reason: str) -> Comment:
    """Hide a comment everywhere (page, synthesis, exports); the reason is shown instead."""
    comment = _hide(actor, comment, reason, "consultations.comment_hide")
    Report.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
    _recount_comments(comment.paragraph_id)
    return comment


@transaction.atomic
def comment_unhide(*, actor, comment: Comment) -> Comment:
    """Show a hidden comment again."""
    comment = _unhide(actor, comment, "consultations.comment_unhide")
    _recount_comments(comment.paragraph_id)
    return comment


@transaction.atomic
def reports_dismiss(*, actor, comment: Comment) -> int:
    """Keep a reported comment visible: its reports are marked as dealt with."""
    authorize(actor, "consultations.moderate", comment)
    count = Report.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )
    audit(
        actor=actor,
        code="consultations.reports_dismiss",
        obj=comment,
        params={"comment": comment.pk, "count": count},
        scope=comment.paragraph.chapter.version.consultation.unit,
    )
    return count


@transaction.atomic
def rewording_hide(*, actor, rewording: Rewording, reason: str) -> Rewording:
    """Hide a proposed rewording everywhere; the reason is shown instead."""
    rewording = _hide(actor, rewording, reason, "consultations.rewording_hide")
    count = Rewording.objects.filter(
        paragraph_id=rewording.paragraph_id, hidden_at__isnull=True
    ).count()
    Paragraph.objects.filter(pk=rewording.paragraph_id).update(rewording_count=count)
    return rewording


@transaction.atomic
def rewording_unhide(*, actor, rewording: Rewording) -> Rewording:
    rewording = _unhide(actor, rewording, "consultations.rewording_unhide")
    count = Rewording.objects.filter(
        paragraph_id=rewording.paragraph_id, hidden_at__isnull=True
    ).count()
    Paragraph.objects.filter(pk=rewording.paragraph_id).update(rewording_count=count)
    return rewording


# --- Answers (authors) -----------------------------------------------------------------------


def _answer(actor, contribution, answer: str, text: str, code: str):
    authorize(actor, "consultations.manage", contribution)
    if answer not in Answer.values:
        raise ValidationError({"answer": [_("Choisissez une réponse.")]})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"answer_text": [_("Expliquez votre réponse en quelques mots.")]})
    model = type(contribution)
    locked = model.objects.select_for_update().select_related("author").get(pk=contribution.pk)
    changes = changed_fields(locked, {"answer": answer, "answer_text": text})
    first = not locked.answer
    locked.answer = answer
    locked.answer_text = text
    locked.answered_at = timezone.now()
    locked.answered_by = actor if getattr(actor, "pk", None) else None
    locked.save(update_fields=["answer", "answer_text", "answered_at", "answered_by", "updated_at"])
    consultation = locked.paragraph.chapter.version.consultation
    audit(
        actor=actor,
        code=code,
        obj=locked,
        params={"paragraph": locked.paragraph_id, "answer": answer},
        changes=changes,
        scope=consultation.unit,
    )
    email = locked.author.email
    if first and email and not locked.is_hidden:
        subject = _("Réponse à votre contribution : %(title)s") % {"title": consultation.title}
        context = {
            "first_name": locked.author.first_name,
            "title": consultation.title,
            "answer": Answer(answer).label,
            "text": text,
            "url": settings.FEDE_SITE_URL.rstrip("/") + locked.get_absolute_url(),
        }
        # Stored in the outbox with the answer; delivered after commit, retried if needed.
        outbox_send(mail_message(subject, "consultations/email/answer.html", context, [email]))
    return locked


@transaction.atomic
def comment_answer(*, actor, comment: Comment, answer: str, answer_text: str) -> Comment:
    """The authors answer a comment: retenu, pris en compte or non retenu, with a reason."""
    return _answer(actor, comment, answer, answer_text, "consultations.comment_answer")


@transaction.atomic
def rewording_answer(*, actor, rewording: Rewording, answer: str, answer_text: str) -> Rewording:
    """The authors answer a proposed rewording, with a reason."""
    return _answer(actor, rewording, answer, answer_text, "consultations.rewording_answer")
