"""The practices space as its users meet it: who reaches it, what they read, what they do."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fede.core.models import AuditEntry, OutgoingMail
from fede.kits.tests.factories import make_kit
from fede.practices import services
from fede.practices.models import Attachment, KitProposal, Post, Vote

from .factories import make_answer, make_post, make_question

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def _every_url(post, comment, attachment, proposal):
    """(method, url) of every URL of the space, with real objects of Paris."""
    return [
        ("get", reverse("practices:index")),
        ("get", reverse("practices:search") + "?q=permanence"),
        ("get", reverse("practices:create")),
        ("get", reverse("practices:detail", args=[post.pk])),
        ("get", reverse("practices:edit", args=[post.pk])),
        ("post", reverse("practices:vote", args=[post.pk])),
        ("post", reverse("practices:follow", args=[post.pk])),
        ("post", reverse("practices:highlight", args=[post.pk])),
        ("post", reverse("practices:hide", args=[post.pk])),
        ("post", reverse("practices:attachment_add", args=[post.pk])),
        ("post", reverse("practices:unaccept", args=[post.pk])),
        ("post", reverse("practices:propose_kit", args=[post.pk])),
        ("get", reverse("practices:attachment", args=[attachment.pk])),
        ("post", reverse("practices:accept", args=[comment.pk])),
        ("post", reverse("practices:comment_hide", args=[comment.pk])),
        ("get", reverse("practices:proposals")),
        ("post", reverse("practices:proposal_decide", args=[proposal.pk])),
    ]


@pytest.fixture
def paris_objects(world, p11_secretary, p15_secretary, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    post = make_question(p11_secretary, title="Organiser un porte-à-porte")
    comment = make_answer(p15_secretary, post)
    pdf = SimpleUploadedFile("guide.pdf", b"%PDF-1.4\n%fake pdf for tests\n", "application/pdf")
    from fede.core.uploads import validate_upload

    validate_upload(pdf, kinds={"pdf"})
    attachment = services.attachment_add(actor=p11_secretary, post=post, file=pdf)
    proposal = services.kit_propose(actor=p11_secretary, post=post, kit=make_kit())
    return post, comment, attachment, proposal


def test_a_plain_member_gets_404_on_every_url_of_the_space(client, plain_member, paris_objects):
    """The space exists, its content is private: a member without office gets 404 on the
    list, a post, the search, and every other URL of the space."""
    login(client, plain_member)
    for method, url in _every_url(*paris_objects):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
    assert Vote.objects.count() == 0


def test_a_lyon_officer_gets_404_on_paris_posts(client, lyon_secretary, paris_objects):
    """Posts belong to their federation: Lyon does not read (nor answer, vote…) Paris."""
    login(client, lyon_secretary)
    post = paris_objects[0]
    for method, url in _every_url(*paris_objects):
        if url in (reverse("practices:index"), reverse("practices:create")) or "?q=" in url:
            continue
        response = getattr(client, method)(url)
        assert response.status_code == 404, (method, url)
    listing = client.get(reverse("practices:index")).content.decode()
    assert post.title not in listing
    found = client.get(reverse("practices:search"), {"q": "porte-à-porte"}).content.decode()
    assert post.title not in found


def test_officers_of_every_paris_office_read_the_post(client, world, paris_objects, p11_treasurer):
    post = paris_objects[0]
    for user in (p11_treasurer, world.two_offices, world.paris.officers["staff"]):
        response = login(client, user).get(reverse("practices:detail", args=[post.pk]))
        assert response.status_code == 200
        assert "Organiser un porte-à-porte" in response.content.decode()


def test_an_officer_asks_a_question_with_a_file(client, p11_secretary, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login(client, p11_secretary)
    page = client.get(reverse("practices:create") + "?type=question")
    assert 'value="question"' in page.content.decode()
    pdf = SimpleUploadedFile("budget.pdf", b"%PDF-1.4\n%budget\n", "application/pdf")
    response = client.post(
        reverse("practices:create"),
        {
            "kind": "question",
            "title": "Budget d'une fête de section",
            "category": "finances",
            "body": "Combien prévoir pour **50 personnes** ?",
            "tags": "Fête, Trésorerie",
            "attachment": pdf,
        },
    )
    post = Post.objects.get()
    assert response.status_code == 302 and response.url == post.get_absolute_url()
    assert post.tag_list == ["fete", "tresorerie"] and post.author == p11_secretary
    assert post.author_unit.name == "Paris 11" and post.federation.code == "FED75"
    attachment = Attachment.objects.get()
    assert attachment.original_name == "budget.pdf"
    page = client.get(post.get_absolute_url()).content.decode()
    assert "<strong>50 personnes</strong>" in page and "budget.pdf" in page
    download = client.get(attachment.get_absolute_url())
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_an_image_renamed_pdf_is_refused(client, p11_secretary, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    post = make_post(p11_secretary)
    login(client, p11_secretary)
    fake = SimpleUploadedFile("tract.pdf", b"just some text, not a pdf", "application/pdf")
    client.post(reverse("practices:attachment_add", args=[post.pk]), {"file": fake})
    assert not Attachment.objects.exists()
    page = client.get(post.get_absolute_url()).content.decode()
    assert "type de fichier n&#x27;est pas accepté" in page or "pas accepté" in page


def test_useful_vote_is_one_per_person_even_on_a_double_submit(client, p15_secretary, world):
    post = make_post(world.paris.officers["staff"])
    login(client, p15_secretary)
    url = reverse("practices:vote", args=[post.pk])
    client.post(url, {"utile": "1"})
    client.post(url, {"utile": "1"})  # the second click of a double submit
    assert Vote.objects.filter(post=post).count() == 1
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Utile ✓ (1)" in page
    client.post(url, {"utile": "0"})
    assert not Vote.objects.exists()
    assert "Utile (0)" in client.get(post.get_absolute_url()).content.decode()


def test_the_vote_constraint_holds_without_the_service(world, p11_secretary):
    from django.db import IntegrityError, transaction

    post = make_post(p11_secretary)
    Vote.objects.create(post=post, user=p11_secretary)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(post=post, user=p11_secretary)


def test_followers_get_one_mail_per_reply_and_its_writer_none(
    client, world, p11_secretary, p15_secretary, paris_first, django_capture_on_commit_callbacks
):
    """The asker follows their question; another officer follows it too. Each reply sends
    one mail to each follower but its own writer."""
    post = make_question(p11_secretary, title="Préparer une AG")
    services.follow_set(actor=paris_first, post=post, follow=True)
    mail.outbox.clear()
    login(client, p15_secretary)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(post.get_absolute_url(), {"body": "Convoquez 15 jours avant."})
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([p11_secretary.email, paris_first.email])
    assert all("Préparer une AG" in m.subject for m in mail.outbox)
    assert "Convoquez 15 jours avant." in mail.outbox[0].body
    [(html, mimetype)] = mail.outbox[0].alternatives
    assert mimetype == "text/html" and "Convoquez 15 jours avant." in html
    assert OutgoingMail.objects.count() == 2
    # The writer of the reply now follows; the asker answers: two mails, none to the asker.
    mail.outbox.clear()
    login(client, p11_secretary)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(post.get_absolute_url(), {"body": "Merci !"})
    assert sorted(m.to[0] for m in mail.outbox) == sorted([p15_secretary.email, paris_first.email])


def test_an_unfollowed_post_sends_nothing(client, p11_secretary, p15_secretary):
    post = make_question(p11_secretary)
    services.follow_set(actor=p11_secretary, post=post, follow=False)
    mail.outbox.clear()
    make_answer(p15_secretary, post)
    assert OutgoingMail.objects.count() == 0


def test_the_accepted_answer_is_shown_first(client, p11_secretary, p15_secretary, world):
    post = make_question(p11_secretary)
    make_answer(p15_secretary, post, "Première réponse, au hasard.", n=0)
    second = make_answer(world.paris.officers["staff"], post, "La bonne réponse : la mairie.", n=1)
    login(client, p11_secretary)
    page = client.get(post.get_absolute_url()).content.decode()
    assert page.index("Première réponse") < page.index("La bonne réponse")
    response = client.post(reverse("practices:accept", args=[second.pk]))
    assert response.status_code == 302
    page = client.get(post.get_absolute_url()).content.decode()
    assert page.index("La bonne réponse") < page.index("Première réponse")
    assert "Réponse retenue" in page
    post.refresh_from_db()
    assert post.accepted_answer == second
    assert AuditEntry.objects.filter(
        code="practices.answer_accept", object_id=str(post.pk)
    ).exists()


def test_only_the_asker_or_the_federation_accepts(
    client, p11_secretary, p15_secretary, paris_first
):
    post = make_question(p11_secretary)
    answer = make_answer(p15_secretary, post)
    login(client, p15_secretary)
    assert client.post(reverse("practices:accept", args=[answer.pk])).status_code == 403
    login(client, paris_first)
    assert client.post(reverse("practices:accept", args=[answer.pk])).status_code == 302
    post.refresh_from_db()
    assert post.accepted_answer == answer


def test_a_hidden_post_is_invisible_to_non_moderators(
    client, p11_secretary, p15_secretary, paris_first
):
    post = make_post(p11_secretary, title="Une publication hors sujet")
    login(client, paris_first)
    client.post(reverse("practices:hide", args=[post.pk]), {"masquer": "1", "reason": "Hors sujet"})
    post.refresh_from_db()
    assert post.hidden_at is not None and post.hidden_reason == "Hors sujet"
    entry = AuditEntry.objects.get(code="practices.post_hide")
    assert entry.actor == paris_first and entry.object_id == str(post.pk)
    for user in (p15_secretary, p11_secretary):  # even its author
        login(client, user)
        assert client.get(post.get_absolute_url()).status_code == 404
        assert "hors sujet" not in client.get(reverse("practices:index")).content.decode()
        found = client.get(reverse("practices:search"), {"q": "publication hors sujet"})
        assert "Aucune publication ne correspond" in found.content.decode()
    login(client, paris_first)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Publication masquée" in page and "Hors sujet" in page
    assert Post.objects.filter(pk=post.pk).exists()  # never a silent delete


def test_hiding_needs_a_reason_and_a_moderator(client, p11_secretary, p15_secretary, paris_first):
    post = make_post(p11_secretary)
    login(client, p15_secretary)
    url = reverse("practices:hide", args=[post.pk])
    assert client.post(url, {"masquer": "1", "reason": "x"}).status_code == 403
    login(client, paris_first)
    client.post(url, {"masquer": "1", "reason": ""})
    post.refresh_from_db()
    assert post.hidden_at is None


def test_a_hidden_answer_is_kept_for_moderators_only(
    client, p11_secretary, p15_secretary, paris_first
):
    post = make_question(p11_secretary)
    answer = make_answer(p15_secretary, post, "Une réponse déplacée.")
    login(client, paris_first)
    client.post(
        reverse("practices:comment_hide", args=[answer.pk]), {"masquer": "1", "reason": "Insulte"}
    )
    assert "Une réponse déplacée." in client.get(post.get_absolute_url()).content.decode()
    login(client, p11_secretary)
    assert "Une réponse déplacée." not in client.get(post.get_absolute_url()).content.decode()
    assert AuditEntry.objects.filter(code="practices.comment_hide").count() == 1


def test_highlighted_posts_come_first_and_on_a_card(client, p11_secretary, paris_first):
    old = make_post(p11_secretary, 0, title="Réussir sa fête de section")
    make_post(p11_secretary, 5, title="Tracter au marché")
    login(client, p11_secretary)
    assert (
        client.post(reverse("practices:highlight", args=[old.pk]), {"en_avant": "1"}).status_code
        == 403
    )
    login(client, paris_first)
    client.post(reverse("practices:highlight", args=[old.pk]), {"en_avant": "1"})
    page = login(client, p11_secretary).get(reverse("practices:index")).content.decode()
    assert "Mis en avant par la fédération" in page
    cards, rows = page.split('id="rows"', 1)
    assert "Réussir sa fête de section" in cards
    assert rows.index("Réussir sa fête de section") < rows.index("Tracter au marché")


def test_search_ignores_accents_and_plurals(client, p11_secretary):
    """« elections » finds « élection », « réunions » finds « réunion »; words are
    highlighted in the results (on PostgreSQL and on the SQLite fallback alike)."""
    make_post(p11_secretary, 0, title="Préparer l'élection municipale", body="Le bureau de vote.")
    make_post(p11_secretary, 1, title="Animer une réunion publique", body="Une salle, un micro.")
    make_post(p11_secretary, 2, title="Tracts du marché", body="Distribuer le samedi.")
    login(client, p11_secretary)
    page = client.get(reverse("practices:search"), {"q": "elections"}).content.decode()
    assert "Préparer l&#x27;<mark>élection</mark> municipale" in page
    assert "réunion" not in page.lower().split("résultats")[-1]
    page = client.get(reverse("practices:search"), {"q": "réunions"}).content.decode()
    assert "<mark>réunion</mark>" in page and "élection municipale" not in page
    page = client.get(reverse("practices:search"), {"q": "REUNION publique"}).content.decode()
    assert "Animer une" in page
    page = client.get(reverse("practices:search"), {"q": "vélo"}).content.decode()
    assert "Aucune publication ne correspond" in page


def test_search_snippets_escape_what_was_written(client, p11_secretary):
    make_post(
        p11_secretary,
        title="Permanence <script>alert(1)</script>",
        body="Tenir une permanence <img src=x onerror=alert(1)> le samedi.",
    )
    login(client, p11_secretary)
    page = client.get(reverse("practices:search"), {"q": "permanence"}).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "<mark>permanence</mark>" in page.lower() or "<mark>Permanence</mark>" in page


def test_search_ranks_a_title_match_first(client, p11_secretary):
    make_post(p11_secretary, 5, title="Les tracts", body="Parler de la trésorerie en passant.")
    make_post(p11_secretary, 0, title="Tenir la trésorerie", body="Un cahier, une banque.")
    login(client, p11_secretary)
    page = client.get(reverse("practices:search"), {"q": "trésorerie"}).content.decode()
    assert page.index("Tenir la") < page.index("Les tracts")


def test_filters_by_theme_tag_and_unanswered(client, p11_secretary, p15_secretary):
    make_post(p11_secretary, 0, title="Nos cotisations", category="finances", tags="cotisations")
    answered = make_question(p11_secretary, 1, title="Question réglée")
    services.answer_accept(actor=p11_secretary, comment=make_answer(p15_secretary, answered))
    make_question(p11_secretary, 2, title="Question ouverte")
    login(client, p11_secretary)
    index = reverse("practices:index")
    page = client.get(index, {"categorie": "finances"}).content.decode()
    assert "Nos cotisations" in page and "Question ouverte" not in page
    page = client.get(index, {"mot_cle": "cotisations"}).content.decode()
    assert "Nos cotisations" in page and "Question réglée" not in page
    page = client.get(index, {"sans_reponse": "on"}).content.decode()
    assert "Question ouverte" in page and "Question réglée" not in page
    partial = client.get(index, {"type": "question"}, HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="rows"')
    assert "Nos cotisations" not in partial.content.decode()


def test_an_author_edits_their_post_not_others(client, p11_secretary, p15_secretary):
    post = make_post(p11_secretary)
    login(client, p15_secretary)
    data = {"title": "Autre", "category": "autre", "body": "Autre texte", "tags": ""}
    assert client.post(reverse("practices:edit", args=[post.pk]), data).status_code == 403
    login(client, p11_secretary)
    client.post(reverse("practices:edit", args=[post.pk]), {**data, "title": "Permanence, v2"})
    post.refresh_from_db()
    assert post.title == "Permanence, v2" and post.search_title == "permanence, v2"
    assert AuditEntry.objects.filter(code="practices.post_update").count() == 1


def test_a_post_is_proposed_to_improve_a_kit_and_the_kit_authors_decide(
    client, p11_secretary, p15_secretary, paris_first, world, django_capture_on_commit_callbacks
):
    kit = make_kit()
    post = make_post(p11_secretary, title="Le porte-à-porte en binôme")
    login(client, p15_secretary)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Kit de test" in page  # the form proposes the published kits
    client.post(reverse("practices:propose_kit", args=[post.pk]), {"kit": kit.pk, "note": "À J-10"})
    client.post(reverse("practices:propose_kit", args=[post.pk]), {"kit": kit.pk})  # twice
    proposal = KitProposal.objects.get()
    assert proposal.proposed_by == p15_secretary and proposal.note == "À J-10"
    entry = AuditEntry.objects.get(code="practices.kit_propose")
    assert entry.params["kit"] == "Kit de test" and entry.actor == p15_secretary
    assert (
        "Kit « Kit de test » : En attente" in client.get(post.get_absolute_url()).content.decode()
    )
    # Section officers do not decide (not even see the list); the kits' authors do.
    assert client.get(reverse("practices:proposals")).status_code == 404
    url = reverse("practices:proposal_decide", args=[proposal.pk])
    assert client.post(url, {"decision": "accept"}).status_code == 404
    login(client, paris_first)
    page = client.get(reverse("practices:proposals")).content.decode()
    assert "Le porte-à-porte en binôme" in page and "À J-10" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "accept", "answer": "Repris dans la version 2."})
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.decided_by == paris_first
    assert AuditEntry.objects.filter(code="practices.kit_proposal_accept").count() == 1
    assert [m.to for m in mail.outbox if "Kit de test" in m.subject] == [[p15_secretary.email]]
    [decision] = [m for m in mail.outbox if "Kit de test" in m.subject]
    [(html, mimetype)] = decision.alternatives
    assert mimetype == "text/html" and "Repris dans la version 2." in html
    assert "Repris dans la version 2." in decision.body
    # Lyon's first secretary writes kits too, but not for Paris: 404.
    login(client, world.lyon.officers["first_secretary"])
    assert "porte-à-porte" not in client.get(reverse("practices:proposals")).content.decode()


def test_menu_and_home_show_the_space_to_officers_only(client, p11_secretary, plain_member):
    page = login(client, p11_secretary).get(reverse("core:home")).content.decode()
    assert reverse("practices:index") in page and "Partage des pratiques" in page
    page = login(client, plain_member).get(reverse("core:home")).content.decode()
    assert reverse("practices:index") not in page


# --- Query counts ---------------------------------------------------------------------------


def _busy_space(world, n: int):
    officers = [
        world.paris.officers["secretary_S75-11"],
        world.paris.officers["secretary_S75-15"],
        world.paris.officers["staff"],
    ]
    posts = []
    for i in range(n):
        author = officers[i % 3]
        post = make_question(author, i, title=f"Réunion de section n° {i}", tags="reunion, ag")
        for j, other in enumerate(officers):
            if other != author:
                make_answer(other, post, f"Réponse {j} à la réunion {i}", n=j)
                services.vote_set(actor=other, post=post, useful=True)
        posts.append(post)
    services.post_highlight(
        actor=world.paris.officers["first_secretary"], post=posts[0], highlighted=True
    )
    return posts


@pytest.mark.parametrize("n", [3, 12])
def test_query_counts_are_pinned(client, world, p11_secretary, n, django_assert_num_queries):
    """The same number of queries with 3 or 12 posts (each with answers and votes)."""
    posts = _busy_space(world, n)
    login(client, p11_secretary)
    # Session, user, the list's rows, the highlighted cards and the popular tags; then
    # the cards and tags are kept a minute for the readers of the same federations.
    with django_assert_num_queries(5):
        client.get(reverse("practices:index"))
    with django_assert_num_queries(3):
        response = client.get(reverse("practices:index"))
    assert response.content.decode().count('class="list-group-item') == n
    with django_assert_num_queries(3):
        client.get(
            reverse("practices:index"), {"categorie": "organisation"}, HTTP_HX_REQUEST="true"
        )
    with django_assert_num_queries(3):
        response = client.get(reverse("practices:search"), {"q": "réunions"})
    assert response.content.decode().count('class="list-group-item') == n
    # Session, user, post, answers, votes/follow/files/proposals, and the kits the first
    # time (kept a minute); no file nor proposal here: no query for them.
    with django_assert_num_queries(6):
        response = client.get(posts[-1].get_absolute_url())
    assert response.content.decode().count('id="reponse-') == 2
    with django_assert_num_queries(5):
        client.get(posts[-1].get_absolute_url())


def test_personal_data_lists_posts_answers_votes_and_follows(world, p11_secretary, p15_secretary):
    from fede.core.registry import personal_data_sections

    post = make_question(p11_secretary, title="Ma question")
    make_answer(p15_secretary, post, "Ma réponse")
    services.vote_set(actor=p15_secretary, post=post, useful=True)
    data = personal_data_sections(p15_secretary, None)
    assert data["Pratiques — réponses"][0]["réponse"] == "Ma réponse"
    assert data["Pratiques — votes « utile »"][0]["publication"] == "Ma question"
    assert data["Pratiques — publications suivies"][0]["publication"] == "Ma question"
    assert personal_data_sections(p11_secretary, None)["Pratiques — publications"][0]["titre"] == (
        "Ma question"
    )


def test_mail_link_points_at_the_answer(p11_secretary, p15_secretary):
    post = make_question(p11_secretary)
    mail.outbox.clear()
    answer = make_answer(p15_secretary, post)
    stored = OutgoingMail.objects.get()
    assert re.search(rf"/pratiques/{post.pk}/#reponse-{answer.pk}", stored.body)
    [html] = stored.alternatives
    assert html["mimetype"] == "text/html"
    assert re.search(rf'<a href="\S+/pratiques/{post.pk}/#reponse-{answer.pk}">', html["content"])
