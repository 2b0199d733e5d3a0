"""The « Pratiques mises en avant » panel of the home page (registry._home_highlighted):
its (pk, title, category) rows are kept a minute per reader's scope like the list's
highlighted cards (selectors.highlighted_panel_rows): the same rows as the ORM's read for
every kind of reader, never those of another federation, and a change to a post shows at
once."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from fede.core.testing import without_csrf
from fede.practices import selectors, services
from fede.practices.models import Category
from fede.practices.registry import _home_highlighted

from .factories import make_post, make_question

pytestmark = pytest.mark.django_db


def orm_rows(actor, limit=4):
    """The read as it was written before being kept."""
    return list(selectors.highlighted_posts(actor).values_list("pk", "title", "category")[:limit])


def panel(user):
    request = RequestFactory().get("/")
    request.user = user
    return _home_highlighted(request)


@pytest.fixture
def posts(world, p11_secretary, p15_secretary, lyon_secretary, paris_first):
    """Six Paris posts put forward (one hidden), one not; two Lyon posts put forward."""
    lyon_first = world.lyon.officers["first_secretary"]
    paris = [
        make_post(p11_secretary, n, title=f"Paris {n}", category=Category.ORGANISATION)
        for n in range(4)
    ]
    paris += [make_question(p15_secretary, n, title=f"Question de Paris {n}") for n in (4, 5)]
    for post in paris:
        services.post_highlight(actor=paris_first, post=post, highlighted=True)
    services.post_hide(actor=paris_first, post=paris[-1], hidden=True, reason="Doublon")
    make_post(p11_secretary, 6, title="Paris pas en avant")
    lyon = [make_post(lyon_secretary, n, title=f"Lyon {n}") for n in (7, 8)]
    for post in lyon:
        services.post_highlight(actor=lyon_first, post=post, highlighted=True)
    return {"paris": paris, "lyon": lyon}


def readers(world, plain_member):
    return {
        "p11_secretary": world.paris.officers["secretary_S75-11"],
        "p15_secretary": world.paris.officers["secretary_S75-15"],
        "paris_first (moderator)": world.paris.officers["first_secretary"],
        "two_offices": world.two_offices,
        "lyon_secretary": world.lyon.officers["secretary_S69-01"],
        "lyon_first (moderator)": world.lyon.officers["first_secretary"],
        "plain_member": plain_member,
    }


def test_kept_rows_are_the_orm_rows_for_every_reader(world, posts, plain_member):
    for _round in range(2):  # the second round reads what the first one kept
        for name, user in readers(world, plain_member).items():
            assert selectors.highlighted_panel_rows(user, 4) == orm_rows(user), name
            assert selectors.highlighted_panel_rows(user, 2) == orm_rows(user, 2), name
    p11 = world.paris.officers["secretary_S75-11"]
    rows = selectors.highlighted_panel_rows(p11, 4)
    # The four last put forward, the hidden one left out, even for a moderator.
    assert [title for _pk, title, _c in rows] == [
        "Question de Paris 4",
        "Paris 3",
        "Paris 2",
        "Paris 1",
    ]
    assert selectors.highlighted_panel_rows(world.paris.officers["first_secretary"], 4) == rows
    assert selectors.highlighted_panel_rows(plain_member, 4) == []
    assert panel(plain_member) is None  # takes part nowhere: no panel


def test_two_federations_read_in_turn_each_see_only_their_own(world, posts, plain_member):
    paris_ids = {post.pk for post in posts["paris"]}
    lyon_ids = {post.pk for post in posts["lyon"]}
    paris_readers = [world.paris.officers["secretary_S75-11"], world.two_offices]
    lyon_reader = world.lyon.officers["secretary_S69-01"]
    for _round in range(3):  # warm from the second round on
        for user in paris_readers:
            lines = panel(user)["lines"]
            assert len(lines) == 4
            ids = {pk for pk, _t, _c in selectors.highlighted_panel_rows(user, 4)}
            assert ids <= paris_ids and ids.isdisjoint(lyon_ids)
            assert not any("Lyon" in line["text"] for line in lines)
        lines = panel(lyon_reader)["lines"]
        assert [line["text"] for line in lines] == ["Lyon 8", "Lyon 7"]
        ids = {pk for pk, _t, _c in selectors.highlighted_panel_rows(lyon_reader, 4)}
        assert ids == lyon_ids
    # One entry per reader's scope, none shared between the federations.
    keys = [key for key in selectors._SCOPE_LISTS._data if key[0] == "home_highlighted"]
    scopes = {selectors.visible_scope_key(u) for u in (*paris_readers, lyon_reader)}
    assert {key[2] for key in keys} == scopes and len(scopes) == 3


def test_the_panel_is_kept_then_follows_the_posts_at_once(
    world, posts, paris_first, django_assert_num_queries
):
    p15 = world.paris.officers["secretary_S75-15"]

    def titles():
        built = panel(p15)
        return None if built is None else [line["text"] for line in built["lines"]]

    first = titles()
    assert first == ["Question de Paris 4", "Paris 3", "Paris 2", "Paris 1"]
    with django_assert_num_queries(0):  # kept: no query for the panel
        assert titles() == first
    # Hidden: gone on the next read.
    services.post_hide(actor=paris_first, post=posts["paris"][4], hidden=True, reason="Hors sujet")
    assert titles() == ["Paris 3", "Paris 2", "Paris 1", "Paris 0"]
    # No longer put forward: gone on the next read.
    services.post_highlight(actor=paris_first, post=posts["paris"][3], highlighted=False)
    assert titles() == ["Paris 2", "Paris 1", "Paris 0"]
    # Edited: the new title at once.
    post = posts["paris"][2]
    services.post_update(
        actor=paris_first, post=post, title="Paris 2 revue", body=post.body, category=post.category
    )
    assert titles() == ["Paris 2 revue", "Paris 1", "Paris 0"]
    # Shown again, put forward again: back at once, first.
    services.post_hide(actor=paris_first, post=posts["paris"][4], hidden=False)
    services.post_highlight(actor=paris_first, post=posts["paris"][3], highlighted=True)
    assert titles() == ["Paris 3", "Question de Paris 4", "Paris 2 revue", "Paris 1"]
    for post in posts["paris"]:
        services.post_highlight(actor=paris_first, post=post, highlighted=False)
    assert titles() is None  # nothing put forward: no panel
    assert selectors.highlighted_panel_rows(p15, 4) == orm_rows(p15) == []


def _orm_panel_rows(actor, limit=4):
    return orm_rows(actor, limit)


def test_panel_is_the_same_as_with_the_orm_read(world, posts, plain_member, monkeypatch):
    for name, user in readers(world, plain_member).items():
        kept = panel(user)
        with monkeypatch.context() as m:
            m.setattr(selectors, "highlighted_panel_rows", _orm_panel_rows)
            expected = panel(user)
        assert kept == expected, name


def test_home_page_html_is_the_same_as_with_the_orm_read(client, world, posts, monkeypatch):
    for user in (
        world.paris.officers["secretary_S75-11"],
        world.two_offices,
        world.lyon.officers["secretary_S69-01"],
    ):
        client.force_login(user)
        page = client.get(reverse("core:home")).content.decode()
        assert client.get(reverse("core:home")).content.decode() != ""  # warm
        with monkeypatch.context() as m:
            m.setattr(selectors, "highlighted_panel_rows", _orm_panel_rows)
            before = client.get(reverse("core:home")).content.decode()
        assert without_csrf(page) == without_csrf(before)
        assert "Pratiques mises en avant" in page
