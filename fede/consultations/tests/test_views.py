import csv
import io

import pytest
from django.contrib.auth.models import AnonymousUser  # noqa: F401
from django.urls import reverse
from pypdf import PdfReader

from fede.consultations import services
from fede.consultations.models import Comment, Paragraph, ParagraphSupport
from fede.consultations.tests.factories import make_consultation, paragraphs
from fede.core.models import AccessLog
from fede.organization.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_anonymous_reads_public_consultations_but_is_sent_to_login_to_comment(client, federation):
    public = make_consultation(federation, audience="public", title="Texte public")
    internal = make_consultation(federation, title="Texte interne")
    paragraph = paragraphs(public)[0]
    page = client.get(reverse("consultations:list")).content.decode()
    assert "Texte public" in page and "Texte interne" not in page
    assert client.get(public.get_absolute_url()).status_code == 200
    response = client.get(paragraph.get_absolute_url())
    assert "Connectez-vous" in response.content.decode()
    assert client.get(internal.get_absolute_url()).status_code == 404
    response = client.post(
        reverse("consultations:comment_create", args=[paragraph.pk]), {"text": "x"}
    )
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert not Comment.objects.exists()


def test_out_of_scope_ids_are_404(client, federation, lyon_member, lyon_author, member_a):
    consultation = make_consultation(federation)
    paragraph = paragraphs(consultation)[0]
    comment = services.comment_create(actor=member_a, paragraph=paragraph, text="Paris")
    client.force_login(lyon_member)
    for url in (
        consultation.get_absolute_url(),
        paragraph.get_absolute_url(),
        reverse("consultations:synthesis", args=[consultation.pk]),
        reverse("consultations:version", args=[consultation.pk, 1]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("consultations:comment_create", args=[paragraph.pk]), {"text": "x"}
        ).status_code
        == 404
    )
    client.force_login(lyon_author)
    assert client.get(reverse("consultations:comment_hide", args=[comment.pk])).status_code == 404
    assert (
        client.get(reverse("consultations:export_csv", args=[consultation.pk])).status_code == 404
    )
    assert client.get(reverse("consultations:edit", args=[consultation.pk])).status_code == 404


def test_member_comments_supports_and_rewords_through_the_page(client, paragraph, member_a):
    client.force_login(member_a)
    url = reverse("consultations:comment_create", args=[paragraph.pk])
    response = client.post(url, {"text": "Très bonne idée."})
    assert response.status_code == 302
    client.post(reverse("consultations:paragraph_support", args=[paragraph.pk]))
    client.post(
        reverse("consultations:rewording_create", args=[paragraph.pk]),
        {"text": "Des kits relus par les sections.", "explanation": "Plus précis"},
    )
    page = client.get(paragraph.get_absolute_url()).content.decode()
    assert "Très bonne idée." in page
    assert "Je soutiens ce paragraphe ✓" in page
    assert "<ins>relus" in page and "Plus précis" in page
    member = member_a.member
    assert f"<strong>{member.first_name}</strong>" in page
    content = page[page.find('id="titre-reformulations"') :]
    assert member.email not in content and member.last_name not in content


def test_members_cannot_reach_author_or_moderator_screens(client, paragraph, member_a):
    comment = services.comment_create(actor=member_a, paragraph=paragraph, text="Moi")
    client.force_login(member_a)
    consultation = paragraph.chapter.version.consultation
    assert client.get(reverse("consultations:create")).status_code == 403
    assert client.get(reverse("consultations:moderation")).status_code == 403
    assert client.get(reverse("consultations:comment_hide", args=[comment.pk])).status_code == 404
    assert (
        client.get(reverse("consultations:export_csv", args=[consultation.pk])).status_code == 404
    )


def test_author_creates_a_consultation_from_markdown(client, author, federation):
    client.force_login(author)
    response = client.post(
        reverse("consultations:create"),
        {
            "title": "Plan d'action",
            "unit": federation.pk,
            "audience": "federation",
            "opens_at": "2030-01-01T10:00",
            "closes_at": "2030-02-01T10:00",
            "source": "# Chapitre\n\nPremier paragraphe.\n\nSecond paragraphe.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Paragraph.objects.count() == 2


def test_create_form_shows_errors_next_to_the_fields(client, author, federation):
    client.force_login(author)
    response = client.post(
        reverse("consultations:create"),
        {
            "title": "Plan",
            "unit": federation.pk,
            "audience": "section",
            "opens_at": "2030-02-01T10:00",
            "closes_at": "2030-01-01T10:00",
            "source": "# Seulement un titre",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "La clôture doit venir après" in page
    assert not Paragraph.objects.exists()


def test_moderation_hides_everywhere_page_synthesis_and_exports(
    client, author, paragraph, member_a, member_b
):
    consultation = paragraph.chapter.version.consultation
    comment = services.comment_create(actor=member_a, paragraph=paragraph, text="Propos INSULTANT")
    services.comment_create(actor=member_b, paragraph=paragraph, text="Avis courtois")
    rewording = services.rewording_create(
        actor=member_a, paragraph=paragraph, text="Rédaction OFFENSANTE proposée"
    )
    client.force_login(member_b)
    client.post(reverse("consultations:comment_report", args=[comment.pk]), {"reason": "Insulte"})
    client.force_login(author)
    moderation = client.get(reverse("consultations:moderation")).content.decode()
    assert "Propos INSULTANT" in moderation
    client.post(reverse("consultations:comment_hide", args=[comment.pk]), {"reason": "Injure"})
    client.post(reverse("consultations:rewording_hide", args=[rewording.pk]), {"reason": "Injure"})

    client.force_login(member_b)
    page = client.get(paragraph.get_absolute_url()).content.decode()
    assert "INSULTANT" not in page and "OFFENSANTE" not in page
    assert "Commentaire masqué par la modération : Injure" in page
    assert "Avis courtois" in page
    synthesis = client.get(reverse("consultations:synthesis", args=[consultation.pk]))
    assert "OFFENSANTE" not in synthesis.content.decode()
    assert "Aucun commentaire signalé" not in page

    client.force_login(author)
    response = client.get(reverse("consultations:export_csv", args=[consultation.pk]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    texts = [row[3] for row in rows]
    assert "Avis courtois" in texts
    assert not any("INSULTANT" in t or "OFFENSANTE" in t for t in texts)
    assert rows[0][:3] == ["Réf.", "Chapitre", "Type"]
    response = client.get(reverse("consultations:export_pdf", args=[consultation.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Avis courtois" in text and "INSULTANT" not in text and "OFFENSANTE" not in text
    assert AccessLog.objects.filter(code="consultations.export").count() == 2
    moderation = client.get(reverse("consultations:moderation")).content.decode()
    assert "Aucun commentaire signalé" in moderation, moderation[moderation.find("<main") :][:3000]


def test_author_answers_a_rewording(client, author, paragraph, member_a):
    rewording = services.rewording_create(
        actor=member_a, paragraph=paragraph, text="Des kits pratiques et relus."
    )
    client.force_login(author)
    url = reverse("consultations:rewording_answer", args=[rewording.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"answer": "accepted", "answer_text": "Nous la reprenons."})
    assert response.status_code == 302
    client.force_login(member_a)
    page = client.get(paragraph.get_absolute_url()).content.decode()
    assert "Nous la reprenons." in page and "Retenu" in page


def test_version_page_shows_the_change_and_why(client, author, paragraph, member_a):
    consultation = paragraph.chapter.version.consultation
    rewording = services.rewording_create(
        actor=member_a, paragraph=paragraph, text="Création de kits pratiques pour les sections."
    )
    services.rewording_answer(
        actor=author, rewording=rewording, answer="accepted", answer_text="Plus concret."
    )
    client.force_login(author)
    form = client.get(reverse("consultations:version_create", args=[consultation.pk]))
    assert "kits pratiques" in form.content.decode()
    source = services.source_with_accepted(consultation.versions.get())
    response = client.post(
        reverse("consultations:version_create", args=[consultation.pk]),
        {"source": source, "note": "Reprise des propositions."},
    )
    assert response.status_code == 302
    client.force_login(member_a)
    page = client.get(reverse("consultations:version", args=[consultation.pk, 2])).content.decode()
    assert "<ins>pratiques</ins>" in page
    assert "Plus concret." in page and "Reprise des propositions." in page


def test_a_paragraph_with_500_comments_stays_within_its_query_budget(
    client, django_assert_num_queries, paragraph, member_a, section_a
):
    """500 comments (some with replies, some hidden) by 50 members: the page loads one page
    of comments with their replies and authors in a fixed number of queries."""
    authors = [MemberFactory(section=section_a) for _ in range(50)]
    tops = Comment.objects.bulk_create(
        Comment(paragraph=paragraph, author=authors[i % 50], text=f"Commentaire {i}")
        for i in range(400)
    )
    Comment.objects.bulk_create(
        Comment(
            paragraph=paragraph,
            author=authors[i % 50],
            parent=tops[i % 40],
            text=f"Réponse {i}",
            hidden_at=None if i % 7 else paragraph.chapter.version.created_at,
            hidden_reason="Hors sujet",
        )
        for i in range(100)
    )
    for i in range(5):
        services.rewording_create(actor=member_a, paragraph=paragraph, text=f"Autre rédaction {i}")
    ParagraphSupport.objects.bulk_create(
        ParagraphSupport(paragraph=paragraph, member=m) for m in authors
    )
    client.force_login(member_a)
    client.get(paragraph.get_absolute_url())  # warm the session
    # Session, user, member, the paragraph, its page of comments with their replies, the
    # rewordings.
    with django_assert_num_queries(6):
        response = client.get(paragraph.get_absolute_url())
    assert response.status_code == 200
    assert "Commentaire 0" in response.content.decode()
    # The comments' partial (htmx): no rewordings read.
    with django_assert_num_queries(5):
        response = client.get(
            paragraph.get_absolute_url() + "?page=20", headers={"HX-Request": "true"}
        )
    assert "Commentaire 399" in response.content.decode()


def test_text_page_and_list_keep_their_query_budget(
    client, django_assert_max_num_queries, django_assert_num_queries, federation, member_a
):
    source = "\n\n".join(
        f"# Chapitre {c}\n\n" + "\n\n".join(f"Paragraphe {c}.{p}" for p in range(10))
        for c in range(6)
    )
    consultation = make_consultation(federation, source=source)
    for i in range(30):
        make_consultation(federation, title=f"Consultation {i}")
    client.force_login(member_a)
    # The text as written is read once per process (chapters, paragraphs), then only
    # the consultation and the counters: session, user, member, consultation, counters.
    with django_assert_num_queries(7):
        assert client.get(consultation.get_absolute_url()).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(consultation.get_absolute_url()).status_code == 200
    synthesis = reverse("consultations:synthesis", args=[consultation.pk])
    with django_assert_num_queries(9):
        assert client.get(synthesis).status_code == 200
    # Then: the consultation, the counters, the top rewordings (the participants kept).
    with django_assert_num_queries(6):
        assert client.get(synthesis).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(reverse("consultations:list")).status_code == 200


def test_paragraph_comments_written_in_python_for_authors_and_members(
    client, author, paragraph, member_a, member_b
):
    """The comments of the paragraph page (written in Python, consultations.rows): the
    authors' links, the hidden comment's restore form, an answer, a reply, escaping."""
    hidden = services.comment_create(actor=member_a, paragraph=paragraph, text="Propos <b>vif</b>")
    services.comment_hide(actor=author, comment=hidden, reason="Injure <i>")
    answered = services.comment_create(actor=member_b, paragraph=paragraph, text="Avis & idée")
    services.comment_answer(actor=author, comment=answered, answer="accepted", answer_text="Oui")
    reply = services.comment_create(
        actor=member_a, paragraph=paragraph, text="Une réponse", parent=answered
    )

    client.force_login(author)
    page = client.get(paragraph.get_absolute_url()).content.decode()
    assert "Commentaire masqué par la modération : Injure &lt;i&gt;" in page
    assert "<b>vif</b>" not in page
    unhide = reverse("consultations:comment_unhide", args=[hidden.pk])
    assert f'<form method="post" action="{unhide}" class="d-inline">' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "Avis &amp; idée" in page
    assert '<span class="badge text-bg-success">Retenu</span>' in page
    answer = reverse("consultations:comment_answer", args=[answered.pk])
    assert f'<a href="{answer}" class="me-2">Modifier la réponse</a>' in page
    hide = reverse("consultations:comment_hide", args=[reply.pk])
    assert f'<a href="{hide}" class="text-danger">Masquer</a>' in page

    client.force_login(member_b)
    page = client.get(paragraph.get_absolute_url()).content.decode()
    assert f'id="commentaire-{reply.pk}"' in page
    assert f'id="repondre-{answered.pk}"' in page and f'href="#repondre-{answered.pk}"' in page
    assert f'href="#repondre-{reply.pk}"' not in page  # no reply to a reply
    assert "Masquer" not in page and "Modifier la réponse" not in page
