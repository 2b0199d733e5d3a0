"""The list of posts as it is rendered for speed: rows computed in Python (views._rows)
and the filter fields of the unfiltered list rendered once per language
(views._filter_fields). Same page as the template would give, and nobody sees another
reader's posts, votes or federation."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from fede.practices import services, views
from fede.practices.filters import PostFilter
from fede.practices.models import Post

from .factories import make_answer, make_post, make_question

pytestmark = pytest.mark.django_db


def _fields_by_template(filterset) -> str:
    template = Template("{% for field in form %}{{ field.as_field_group }}{% endfor %}")
    return template.render(Context({"form": filterset.form}))


def test_the_kept_filter_fields_are_those_the_template_renders(world):
    views._FILTER_FIELDS.clear()
    for language in ("fr", "en"):
        with translation.override(language):
            unbound = PostFilter(None, queryset=Post.objects.none())
            kept = views._filter_fields(unbound)
            assert kept == _fields_by_template(PostFilter(None, queryset=Post.objects.none()))
            assert views._filter_fields(unbound) is kept  # rendered once
    assert set(views._FILTER_FIELDS) == {"fr", "en"}
    assert views._FILTER_FIELDS["fr"] != views._FILTER_FIELDS["en"]
    bound = PostFilter({"categorie": "finances"}, queryset=Post.objects.none())
    assert views._filter_fields(bound) == ""  # a filtered list renders its own form


def test_two_readers_see_their_own_posts_and_votes_under_the_same_filter_fields(
    client, p11_secretary, p15_secretary, lyon_secretary
):
    paris = make_question(p11_secretary, 0, title="Question de Paris", tags="porte-à-porte")
    make_answer(p15_secretary, paris)
    services.vote_set(actor=p15_secretary, post=paris, useful=True)
    lyon = make_post(lyon_secretary, 1, title="Pratique de Lyon")
    index = reverse("practices:index")

    client.force_login(p11_secretary)
    paris_page = client.get(index).content.decode()
    client.force_login(lyon_secretary)
    lyon_page = client.get(index).content.decode()

    assert "Question de Paris" in paris_page and "Pratique de Lyon" not in paris_page
    assert "Pratique de Lyon" in lyon_page and "Question de Paris" not in lyon_page
    assert f'href="{paris.get_absolute_url()}"' in paris_page
    assert f'href="{lyon.get_absolute_url()}"' in lyon_page
    assert "1 réponse" in paris_page and "0 réponse" in lyon_page
    assert "1 « utile »" in paris_page and "0 « utile »" in lyon_page
    # The vote is p15's: its mark is not on p11's page.
    assert "dont le vôtre" not in paris_page
    client.force_login(p15_secretary)
    assert "dont le vôtre" in client.get(index).content.decode()
    assert f'href="{index}?mot_cle=porte-a-porte"' in paris_page
    # The filter fields are the same for both (no data of the reader in them).
    fields = _fields_by_template(PostFilter(None, queryset=Post.objects.none()))
    assert fields in paris_page and fields in lyon_page


def test_a_row_prints_its_byline_figures_and_badges(client, p11_secretary, p15_secretary):
    question = make_question(p11_secretary, 0, title="Une question")
    services.answer_accept(actor=p11_secretary, comment=make_answer(p15_secretary, question))
    client.force_login(p15_secretary)
    page = client.get(reverse("practices:index")).content.decode()
    row = page.split('id="rows"', 1)[1]
    member = p11_secretary.member
    assert f"{member.first_name} {member.last_name}" in row
    assert '<span class="badge text-bg-info">Question</span>' in row
    assert "réponse retenue" in row and "0 « utile »" in row
    assert "<time datetime=" in row
