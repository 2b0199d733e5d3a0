import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fede.consultations import selectors, services
from fede.consultations.models import (
    Answer,
    Comment,
    Consultation,
    Paragraph,
    ParagraphSupport,
    Report,
)
from fede.consultations.tests.factories import make_consultation, paragraphs
from fede.core.access import SYSTEM
from fede.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_import_builds_chapters_and_paragraphs(consultation):
    """The markdown becomes version 1: two chapters, three paragraphs, in order."""
    version = consultation.versions.get()
    chapters = selectors.version_chapters(version)
    assert [c.title for c in chapters] == ["Aider les sections", "Débattre"]
    assert [p.text for p in chapters[0].paragraphs.all()][
        1
    ] == "Refonte du site Internet de la Fédération."
    assert AuditEntry.objects.filter(code="consultations.consultation_create").exists()


def test_a_closed_consultation_refuses_new_comments(paragraph, member_a):
    """After the closing date, a member's comment is refused with a French message and
    nothing is written."""
    consultation = paragraph.chapter.version.consultation
    with time_machine.travel(consultation.closes_at + datetime.timedelta(minutes=1)):
        with pytest.raises(ValidationError, match="close"):
            services.comment_create(actor=member_a, paragraph=paragraph, text="Trop tard ?")
        with pytest.raises(ValidationError):
            services.paragraph_support(actor=member_a, paragraph=paragraph)
        with pytest.raises(ValidationError):
            services.rewording_create(actor=member_a, paragraph=paragraph, text="Autre texte")
    assert not Comment.objects.exists()


def test_closing_now_stops_contributions(author, paragraph, member_a):
    consultation = paragraph.chapter.version.consultation
    services.consultation_close(actor=author, consultation=consultation)
    with pytest.raises(ValidationError):
        services.comment_create(actor=member_a, paragraph=paragraph, text="Bonjour")


def test_a_draft_and_an_upcoming_consultation_refuse_comments(federation, member_a):
    draft = make_consultation(federation, open_=False)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.comment_create(actor=member_a, paragraph=paragraphs(draft)[0], text="x")
    later = make_consultation(
        federation,
        opens_at=timezone.now() + datetime.timedelta(days=2),
        closes_at=timezone.now() + datetime.timedelta(days=9),
    )
    with pytest.raises(ValidationError, match="pas encore ouverte"):
        services.comment_create(actor=member_a, paragraph=paragraphs(later)[0], text="x")


def test_comment_and_one_level_of_replies(paragraph, member_a, member_b):
    """A reply to a reply is attached to the first comment; the paragraph counts both."""
    first = services.comment_create(actor=member_a, paragraph=paragraph, text="Bonne idée.")
    reply = services.comment_create(actor=member_b, paragraph=paragraph, text="Oui.", parent=first)
    deeper = services.comment_create(
        actor=member_a, paragraph=paragraph, text="Merci.", parent=reply
    )
    assert reply.parent == first and deeper.parent == first
    paragraph.refresh_from_db()
    assert paragraph.comment_count == 3


def test_supporting_twice_is_harmless_and_can_be_withdrawn(paragraph, member_a, member_b):
    assert services.paragraph_support(actor=member_a, paragraph=paragraph) == 1
    assert services.paragraph_support(actor=member_a, paragraph=paragraph) == 1
    assert services.paragraph_support(actor=member_b, paragraph=paragraph) == 2
    assert services.paragraph_support(actor=member_a, paragraph=paragraph, support=False) == 1
    paragraph.refresh_from_db()
    assert paragraph.support_count == 1 == ParagraphSupport.objects.count()


def test_rewording_support_and_identical_rewording_refused(paragraph, member_a, member_b):
    with pytest.raises(ValidationError, match="identique"):
        services.rewording_create(actor=member_a, paragraph=paragraph, text=paragraph.text)
    rewording = services.rewording_create(
        actor=member_a, paragraph=paragraph, text="Des kits pratiques, relus par les sections."
    )
    assert services.rewording_support(actor=member_b, rewording=rewording) == 1
    assert services.rewording_support(actor=member_b, rewording=rewording) == 1
    paragraph.refresh_from_db()
    assert paragraph.rewording_count == 1


def test_a_user_without_member_record_cannot_take_part(paragraph):
    from fede.organization.tests.factories import UserFactory

    with pytest.raises(PermissionDenied):
        services.comment_create(actor=UserFactory(), paragraph=paragraph, text="x")


def test_reports_are_once_per_member_and_hiding_resolves_them(
    author, paragraph, member_a, member_b
):
    comment = services.comment_create(actor=member_a, paragraph=paragraph, text="Propos blessant")
    services.comment_report(actor=member_b, comment=comment, reason="Insulte")
    services.comment_report(actor=member_b, comment=comment, reason="Encore")
    assert Report.objects.count() == 1
    with pytest.raises(ValidationError):
        services.comment_hide(actor=author, comment=comment, reason="")
    services.comment_hide(actor=author, comment=comment, reason="Propos injurieux")
    comment.refresh_from_db()
    paragraph.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "Propos injurieux"
    assert paragraph.comment_count == 0
    assert not Report.objects.filter(resolved_at__isnull=True).exists()
    services.comment_unhide(actor=author, comment=comment)
    paragraph.refresh_from_db()
    assert paragraph.comment_count == 1


def test_members_cannot_moderate_or_answer(paragraph, member_a, member_b):
    comment = services.comment_create(actor=member_a, paragraph=paragraph, text="Texte")
    with pytest.raises(PermissionDenied):
        services.comment_hide(actor=member_b, comment=comment, reason="Non")
    with pytest.raises(PermissionDenied):
        services.comment_answer(
            actor=member_b, comment=comment, answer="accepted", answer_text="ok"
        )


def test_author_of_another_federation_cannot_answer(paragraph, member_a, lyon_author):
    comment = services.comment_create(actor=member_a, paragraph=paragraph, text="Texte")
    with pytest.raises(PermissionDenied):
        services.comment_answer(
            actor=lyon_author, comment=comment, answer="accepted", answer_text="ok"
        )


def test_answer_needs_a_reason_and_mails_the_author_once(author, paragraph, member_a):
    rewording = services.rewording_create(
        actor=member_a, paragraph=paragraph, text="Des kits relus par les sections."
    )
    with pytest.raises(ValidationError):
        services.rewording_answer(
            actor=author, rewording=rewording, answer="accepted", answer_text=""
        )
    services.rewording_answer(
        actor=author, rewording=rewording, answer="accepted", answer_text="Nous la reprenons."
    )
    services.rewording_answer(
        actor=author, rewording=rewording, answer="considered", answer_text="Finalement en partie."
    )
    rewording.refresh_from_db()
    assert rewording.answer == "considered"
    from fede.core.models import OutgoingMail

    mails = [m for m in OutgoingMail.objects.all() if member_a.email in m.to]
    assert len(mails) == 1
    assert "Nous la reprenons." in mails[0].body
    [html] = [a["content"] for a in mails[0].alternatives if a["mimetype"] == "text/html"]
    assert len(mails[0].alternatives) == 1 and "Nous la reprenons." in html


def test_the_answer_mail_says_the_same_in_text_and_html(
    author, paragraph, member_a, django_capture_on_commit_callbacks
):
    """One template, two parts: the answer, its reason and the link in both; the names
    escaped in the HTML only."""
    from django.conf import settings
    from django.core import mail

    Consultation.objects.filter(pk=paragraph.chapter.version.consultation.pk).update(
        title="Projet <b>& fédéral"
    )
    member_a.member.first_name = "Zoé <b>&"  # the contribution's author is the member
    member_a.member.save(update_fields=["first_name"])
    comment = services.comment_create(actor=member_a, paragraph=paragraph, text="Et les kits ?")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_answer(
            actor=author,
            comment=comment,
            answer="accepted",
            answer_text="Nous la reprenons <b>& merci.\nDeuxième ligne.",
        )
    [message] = mail.outbox
    assert message.to == [member_a.email]
    assert message.subject == "Réponse à votre contribution : Projet <b>& fédéral"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    text = message.body
    url = settings.FEDE_SITE_URL.rstrip("/") + comment.get_absolute_url()
    label = str(Answer("accepted").label)
    assert text.startswith("Bonjour Zoé <b>&,\n\n")
    assert (
        f"Les auteur·es du texte « Projet <b>& fédéral » ont répondu à votre contribution : "
        f"{label}.\n\nNous la reprenons <b>& merci.\nDeuxième ligne.\n\nLire la réponse : {url}"
    ) in text
    assert "Bonjour Zoé &lt;b&gt;&amp;," in html
    assert "« Projet &lt;b&gt;&amp; fédéral » ont répondu à votre contribution : " + label in html
    assert "Nous la reprenons &lt;b&gt;&amp; merci.<br>Deuxième ligne." in html
    assert f'Lire la réponse : <a href="{url}">{url}</a>' in html
    assert "<b>&" not in html


def test_next_version_takes_accepted_rewordings_and_links_paragraphs(author, paragraph, member_a):
    """The next version starts from the accepted rewording; the changed paragraph keeps a
    link to the one it comes from, and the answer explains why."""
    consultation = paragraph.chapter.version.consultation
    rewording = services.rewording_create(
        actor=member_a,
        paragraph=paragraph,
        text="Création de kits pratiques, relus par les sections.",
    )
    services.rewording_answer(
        actor=author, rewording=rewording, answer="accepted", answer_text="Reprise telle quelle."
    )
    source = services.source_with_accepted(consultation.versions.get())
    assert "kits pratiques, relus" in source
    version = services.version_create(
        actor=author, consultation=consultation, source=source, note="Reformulations retenues."
    )
    assert version.number == 2
    changed = Paragraph.objects.get(chapter__version=version, previous=paragraph)
    assert changed.change == "changed"
    rows = [row for _title, rows in selectors.version_changes(version) for row in rows]
    assert [r.change for r in rows] == ["changed", "same", "same"]
    assert rows[0].reasons == [rewording]
    # Old paragraphs no longer take comments.
    with pytest.raises(ValidationError, match="version antérieure"):
        services.comment_create(actor=member_a, paragraph=paragraph, text="x")
    with pytest.raises(ValidationError, match="pas changé"):
        services.version_create(actor=author, consultation=consultation, source=source)


def test_open_publishes_a_draft_and_close_twice_is_harmless(author, federation):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        draft = make_consultation(
            federation,
            open_=False,
            opens_at=now + datetime.timedelta(days=3),
            closes_at=now + datetime.timedelta(days=9),
        )
        services.consultation_open(actor=author, consultation=draft)
        draft.refresh_from_db()
        assert draft.status == Consultation.Status.PUBLISHED and draft.is_open()
        services.consultation_close(actor=author, consultation=draft)
        services.consultation_close(actor=author, consultation=draft)
        draft.refresh_from_db()
        assert not draft.is_open()


def test_section_audience_must_be_a_section_of_the_unit(author, federation, lyon_section):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.consultation_create(
            actor=author,
            unit=federation,
            title="T",
            source="# A\n\nB",
            opens_at=now,
            closes_at=now + datetime.timedelta(days=1),
            audience="section",
            section=lyon_section,
        )
    assert "section" in exc.value.error_dict


def test_personal_data_lists_the_persons_contributions(paragraph, member_a):
    from fede.core.registry import personal_data_sections

    services.comment_create(actor=member_a, paragraph=paragraph, text="Mon avis")
    services.paragraph_support(actor=member_a, paragraph=paragraph)
    data = personal_data_sections(member_a, member_a.member)["consultations"]
    assert data["comments"][0]["text"] == "Mon avis"
    assert data["paragraph_supports"][0]["paragraph"] == paragraph.pk


def test_system_can_create(federation):
    c = make_consultation(federation)
    assert c.versions.count() == 1 and SYSTEM
