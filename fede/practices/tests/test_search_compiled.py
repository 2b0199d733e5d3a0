"""The search page's statement compiled once (selectors.search_page) gives what the ORM's
paging of search_posts gives: same posts in the same order, same snippets and figures,
for readers of two federations, a moderator who sees hidden posts, a user with two
offices, and words that a query language would read specially."""

import pytest

from fede.core.lists import paginate
from fede.practices import selectors, services

from .factories import make_answer, make_post, make_question

pytestmark = pytest.mark.django_db


def _shown(post):
    member = getattr(post.author, "member", None)
    return (
        post.pk,
        post.title,
        round(post.rank, 6),
        post.title_snippet,
        post.body_snippet,
        post.useful_count,
        post.answer_count,
        post.voted,
        post.author.email,
        getattr(member, "last_name", None),
        post.author_unit.name if post.author_unit_id else None,
        post.created_at,
    )


def test_search_page_is_the_orm_paging_of_search_posts(
    world, p11_secretary, p15_secretary, lyon_secretary, paris_first
):
    from fede.practices.search import is_postgresql

    if not is_postgresql():
        pytest.skip("PostgreSQL full-text search (SQLite keeps the ORM paging)")
    posts = []
    for n in range(7):
        posts.append(
            make_post(
                p11_secretary if n % 2 else p15_secretary,
                n,
                title=f"Réussir les élections n° {n}",
                body="Des élections préparées avec des porte-à-porte et des réunions.",
            )
        )
    question = make_question(p15_secretary, 9, body="Les élections : qui contacter ?")
    make_answer(p11_secretary, question)
    make_post(lyon_secretary, 10, title="Élections à Lyon", body="Nos élections lyonnaises.")
    services.vote_set(actor=p11_secretary, post=posts[2], useful=True)
    services.post_hide(actor=paris_first, post=posts[3], hidden=True, reason="Doublon")
    readers = [p11_secretary, p15_secretary, lyon_secretary, paris_first, world.two_offices]
    found = set()
    for reader in readers:
        for text in ("élections", "election", "réunions -lyon", '"porte-à-porte"', "'%_", "lyon"):
            for asked in (None, "2", "3", "9"):
                expected = paginate(
                    selectors.search_posts(reader, text), asked, per_page=3, count=False
                )
                got = selectors.search_page(reader, text, asked, per_page=3)
                assert [_shown(p) for p in got.object_list] == [
                    _shown(p) for p in expected.object_list
                ], (reader, text, asked)
                assert (got.number, got.has_next, got.count) == (
                    expected.number,
                    expected.has_next,
                    expected.count,
                )
                found.update(p.pk for p in got.object_list)
    assert posts[3].pk not in found  # hidden: not even for its moderator in a search
    assert question.pk in found and len(found) == 8
