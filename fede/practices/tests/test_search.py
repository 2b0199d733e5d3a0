"""French search without accents: the PostgreSQL configuration and the SQLite fallback."""

import pytest
from django.db import connection

from fede.practices import search
from fede.practices.models import Post

from .factories import make_post

pytestmark = pytest.mark.django_db


def test_folding_keeps_positions_and_stems_strip_plurals():
    assert search.fold("Élections à Paris") == "elections a paris"
    assert len(search.fold("Œuvre ÉTÉ")) == len("Œuvre ÉTÉ")
    assert search.query_stems("Les élections des réunions, journaux") == [
        "election",
        "reunion",
        "journa",
    ]
    assert search.query_stems("de la") == []


@pytest.fixture
def posts(world, p11_secretary):
    return [
        make_post(p11_secretary, 0, title="Préparer l'élection", body="Le bureau de vote."),
        make_post(p11_secretary, 1, title="La réunion de rentrée", body="Ordre du jour."),
        make_post(p11_secretary, 2, title="Tracts", body="Avant les ÉLECTIONS municipales."),
    ]


def test_the_fallback_finds_accented_words_from_plain_ones(posts, monkeypatch):
    """The SQLite path (forced here on any database): « elections » finds « élection »
    and « ÉLECTIONS », the title match first; « réunions » finds « réunion »."""
    monkeypatch.setattr(search, "is_postgresql", lambda: False)
    found = list(search.search(Post.objects.all(), "elections"))
    assert [p.title for p in found] == ["Préparer l'élection", "Tracts"]
    assert [p.title for p in search.search(Post.objects.all(), "réunions")] == [
        "La réunion de rentrée"
    ]
    search.decorate(found, "elections")
    assert found[0].title_html == "Préparer l&#x27;<mark>élection</mark>"
    assert "<mark>ÉLECTIONS</mark>" in found[1].snippet_html


@pytest.mark.postgres
def test_postgresql_uses_the_stored_vector_and_its_index(posts):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    vector = Post.objects.values_list("search_vector", flat=True).get(pk=posts[0].pk)
    assert "'elect':" in vector  # unaccent then the French stemmer, title weighed A
    qs = search.search(Post.objects.all(), "elections")
    assert "@@" in str(qs.query) and "french_unaccent" in str(qs.query)
    assert [p.title for p in qs] == ["Préparer l'élection", "Tracts"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'practices_post_search_gin'"
        )
        assert "gin (search_vector)" in cursor.fetchone()[0]
    # The trigger follows an edit of the title.
    Post.objects.filter(pk=posts[1].pk).update(title="Assemblée générale")
    assert not search.search(Post.objects.filter(pk=posts[1].pk), "réunions").exists()
