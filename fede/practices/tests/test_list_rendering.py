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


#: The row template these pages used before rows were built in Python (views._row_html).
ROW_TEMPLATE = """{% load i18n %}{% translate "Question" as t_question %}{% translate "Mis en avant" as t_highlighted %}{% translate "Masquée" as t_hidden %}{% translate "réponse retenue" as t_accepted %}{% translate "dont le vôtre" as t_yours %}{% for post in posts %}
<li class="list-group-item py-3">
  <div class="d-flex flex-wrap gap-2 align-items-baseline">
    {% if post.is_question %}<span class="badge text-bg-info">{{ t_question }}</span>{% endif %}
    {% if post.highlighted_at %}<span class="badge text-bg-warning">{{ t_highlighted }}</span>{% endif %}
    {% if post.hidden_at %}<span class="badge text-bg-dark">{{ t_hidden }}</span>{% endif %}
    <h2 class="h5 mb-0"><a href="{{ post.row_url }}">{% if post.title_html %}{{ post.title_html }}{% else %}{{ post.title }}{% endif %}</a></h2>
  </div>
  {% if post.snippet_html %}<p class="mb-1 mt-1">{{ post.snippet_html }}</p>{% endif %}
  <div class="d-flex flex-wrap gap-3 mt-1 small">
    <span class="text-body-secondary small">{{ post.byline_author }}{% if post.byline_unit %} · {{ post.byline_unit }}{% endif %} · <time datetime="{{ post.created_iso }}">{{ post.created_label }}</time></span>
    <span>{{ post.category_label }}</span>
    <span>{{ post.answers_label }}{% if post.is_question and post.accepted_answer_id %} · <span class="text-success">{{ t_accepted }}</span>{% endif %}</span>
    <span>{{ post.useful_label }}{% if post.voted %} <span class="visually-hidden">{{ t_yours }}</span>✓{% endif %}</span>
  </div>
  {% if post.tag_list %}<ul class="list-inline mb-0 mt-1 small">{% for tag in post.tag_list %}<li class="list-inline-item"><a href="{{ post.tag_base }}{{ tag }}">#{{ tag }}</a></li>{% endfor %}</ul>{% endif %}
</li>
{% endfor %}"""

#: The byline include of a post and its answers, before it was built in Python.
BYLINE_TEMPLATE = (
    "{% load i18n %}"
    '<span class="text-body-secondary small">{% if item.author %}{% if item.author.member %}'
    "{{ item.author.member.full_name }}{% else %}{{ item.author }}{% endif %}{% else %}"
    '{% translate "Compte supprimé" %}{% endif %}{% if item.author_unit %} · '
    "{{ item.author_unit.name }}{% endif %} · <time datetime=\"{{ item.created_at|date:'c' }}\">"
    '{{ item.created_at|date:"j F Y" }}</time></span>'
)


def _squeeze(html: str) -> str:
    return "".join(html.split())


def test_rows_built_in_python_are_those_of_the_template_and_escape_what_was_written(
    p11_secretary, p15_secretary
):
    from fede.practices import selectors

    p11_secretary.member.first_name = "<script>alert(1)</script>"
    p11_secretary.member.save()
    question = make_question(
        p11_secretary, 0, title="Tom & Jerry <b>gras</b>", tags="<i>x</i>, a&b"
    )
    services.answer_accept(actor=p11_secretary, comment=make_answer(p15_secretary, question))
    services.vote_set(actor=p15_secretary, post=question, useful=True)
    make_post(p15_secretary, 1, title="Une pratique")
    for language in ("fr", "en"):
        with translation.override(language):
            posts = views._rows(list(selectors.posts(p15_secretary)))
            built = "".join(post.row_html for post in posts)
            expected = Template(ROW_TEMPLATE).render(Context({"posts": posts}))
            assert _squeeze(built) == _squeeze(expected)
    assert "<script>" not in built and "&lt;script&gt;" in built
    assert "Tom &amp; Jerry &lt;b&gt;gras&lt;/b&gt;" in built
    assert "<i>" not in built


def test_the_byline_built_in_python_is_that_of_the_template(p11_secretary, p15_secretary):
    from fede.practices.models import Comment

    p15_secretary.member.last_name = "O'Brien & <b>Fils</b>"
    p15_secretary.member.save()
    post = make_question(p11_secretary, 0, title="Une question")
    answer = make_answer(p15_secretary, post)
    orphan = make_answer(p11_secretary, post)
    Comment.objects.filter(pk=orphan.pk).update(author=None, author_unit=None)
    orphan.refresh_from_db()
    for language in ("fr", "en"):
        with translation.override(language):
            deleted = translation.gettext("Compte supprimé")
            for item in (post, answer, orphan):
                expected = Template(BYLINE_TEMPLATE).render(Context({"item": item}))
                assert views._byline(item, deleted) == expected
    assert "&lt;b&gt;Fils&lt;/b&gt;" in views._byline(answer, "")


def test_the_kept_fields_of_a_post_page_are_those_the_forms_render(
    client, p11_secretary, p15_secretary
):
    from fede.practices.forms import CommentForm, HideForm

    views._DETAIL_FIELDS.clear()
    post = make_question(p11_secretary, 0, title="Une question")
    client.force_login(p15_secretary)
    page = client.get(post.get_absolute_url()).content.decode()
    assert str(CommentForm()["body"].as_field_group()) in page
    assert str(HideForm(auto_id="hide_%s")["reason"].as_field_group()) not in page  # no moderator
    # A sent form with an error is rendered with its own value and error, not the kept one.
    response = client.post(post.get_absolute_url(), {"body": ""})
    assert 'aria-invalid="true"' in response.content.decode()


#: The highlighted cards as the list's template gave them before they were built in Python.
CARDS_TEMPLATE = """{% load i18n fede %}{% for post in highlighted %}
      <div class="col">
        <div class="card h-100 border-warning">
          <div class="card-body">
            <p class="small text-body-secondary mb-1">{{ post.get_category_display }}{% if post.is_question %} · {% translate "Question" %}{% endif %}</p>
            <h3 class="h5 card-title"><a href="{{ post.get_absolute_url }}" class="stretched-link">{{ post.title }}</a></h3>
            <p class="card-text small mb-0">{{ post.body|markdown|striptags|truncatewords:24 }}</p>
          </div>
        </div>
      </div>
{% endfor %}"""


def test_highlighted_cards_built_in_python_are_those_of_the_template(
    p11_secretary, p15_secretary, paris_first
):
    from fede.practices import selectors

    long_body = "**Gras** & <script>alert(1)</script> [lien](https://exemple.org) " + " ".join(
        f"mot{i}" for i in range(40)
    )
    question = make_question(p11_secretary, 0, title="Tom & Jerry <b>gras</b>", body=long_body)
    practice = make_post(p15_secretary, 1, title="Une <i>pratique</i>", body="Court & net")
    make_post(p15_secretary, 2, title="Pas mise en avant")
    for post in (question, practice):
        services.post_highlight(actor=paris_first, post=post, highlighted=True)
    for language in ("fr", "en"):
        with translation.override(language):
            built = views._highlighted_html(p15_secretary)
            posts = list(selectors.highlighted_posts(p15_secretary)[:3])
            expected = Template(CARDS_TEMPLATE).render(Context({"highlighted": posts}))
            assert _squeeze(built) == _squeeze(expected)
            assert views._highlighted_html(p15_secretary) is built  # kept
    assert "Pas mise en avant" not in built
    assert "<script>" not in built and "Tom &amp; Jerry &lt;b&gt;gras&lt;/b&gt;" in built
    assert "Une &lt;i&gt;pratique&lt;/i&gt;" in built


def test_kept_tags_and_cards_are_per_federation_and_follow_the_posts(
    client, world, p11_secretary, p15_secretary, lyon_secretary, paris_first
):
    """Tags and highlighted cards are kept per reader's scope: a Lyon reader never gets
    those kept for Paris (nor the reverse), and a change to a post shows at once."""
    lyon_first = world.lyon.officers["first_secretary"]
    paris = make_post(p11_secretary, 0, title="Carte de Paris", tags="seulement-paris")
    lyon = make_post(lyon_secretary, 1, title="Carte de Lyon", tags="seulement-lyon")
    services.post_highlight(actor=paris_first, post=paris, highlighted=True)
    services.post_highlight(actor=lyon_first, post=lyon, highlighted=True)
    index = reverse("practices:index")

    def page_of(user):
        client.force_login(user)
        return client.get(index).content.decode()

    for _round in range(2):  # the second round reads what the first one kept
        for paris_page in (page_of(p11_secretary), page_of(p15_secretary)):
            assert "#seulement-paris" in paris_page and "Carte de Paris" in paris_page
            assert "seulement-lyon" not in paris_page and "Carte de Lyon" not in paris_page
        lyon_page = page_of(lyon_secretary)
        assert "#seulement-lyon" in lyon_page and "Carte de Lyon" in lyon_page
        assert "seulement-paris" not in lyon_page and "Carte de Paris" not in lyon_page
    # One entry per reader's paths (two sections of Paris, one of Lyon), none shared.
    from fede.practices.selectors import visible_scope_key

    scopes = {visible_scope_key(u) for u in (p11_secretary, p15_secretary, lyon_secretary)}
    assert len(scopes) == 3 and {key[0] for key in views._CARDS._data} == scopes

    # A post hidden, edited or put forward is seen on the next request.
    services.post_hide(actor=paris_first, post=paris, hidden=True, reason="Doublon")
    paris_page = page_of(p15_secretary)
    assert "Carte de Paris" not in paris_page and "seulement-paris" not in paris_page
    other = make_post(p15_secretary, 2, title="Autre carte", tags="nouveau")
    services.post_highlight(actor=paris_first, post=other, highlighted=True)
    paris_page = page_of(p11_secretary)
    assert "Autre carte" in paris_page and "#nouveau" in paris_page
    assert "Carte de Lyon" not in paris_page
