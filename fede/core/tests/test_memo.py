"""The per-process caches: expiry, bounds, clearing on a write, no stale value kept."""

from unittest import mock

import pytest

from fede.core import memo
from fede.core.models import OutgoingMail


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    c = Clock()
    with mock.patch.object(memo.time, "monotonic", c):
        yield c


def test_a_value_is_computed_once_then_kept_until_it_expires(clock):
    cache = memo.TimedCache(ttl=60)
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.get("k", compute) == 1
    clock.now += 59
    assert cache.get("k", compute) == 1
    clock.now += 2
    assert cache.get("k", compute) == 2
    assert len(calls) == 2


def test_without_ttl_a_value_lives_until_cleared(clock):
    cache = memo.TimedCache(ttl=None)
    assert cache.get("k", lambda: "a") == "a"
    clock.now += 10**9
    assert cache.get("k", lambda: "b") == "a"
    cache.clear()
    assert cache.get("k", lambda: "b") == "b"


def test_keys_are_kept_apart(clock):
    cache = memo.TimedCache()
    assert cache.get(("fed", 1, "fr"), lambda: "Paris") == "Paris"
    assert cache.get(("fed", 2, "fr"), lambda: "Lyon") == "Lyon"
    assert cache.get(("fed", 1, "fr"), lambda: "other") == "Paris"


def test_a_full_cache_starts_afresh(clock):
    cache = memo.TimedCache(max_size=3)
    for key in range(3):
        cache.get(key, lambda key=key: key)
    assert len(cache) == 3
    cache.get("new", lambda: "new")
    assert len(cache) == 1
    assert cache.get(0, lambda: "recomputed") == "recomputed"


def test_a_value_computed_while_the_cache_was_cleared_is_not_kept(clock):
    cache = memo.TimedCache()

    def compute_during_a_write():
        cache.clear()  # a write elsewhere cleared the cache meanwhile
        return "maybe stale"

    assert cache.get("k", compute_during_a_write) == "maybe stale"
    assert cache.get("k", lambda: "fresh") == "fresh"


def test_get_many_and_set_many_respect_expiry_and_clearing(clock):
    cache = memo.TimedCache(ttl=10)
    generation = cache.generation()
    cache.set_many({1: "a", 2: "b"}, generation)
    assert cache.get_many([1, 2, 3]) == {1: "a", 2: "b"}
    stale = cache.generation()
    cache.clear()
    cache.set_many({1: "stale"}, stale)
    assert cache.get_many([1]) == {}
    cache.set_many({1: "a"}, cache.generation())
    clock.now += 11
    assert cache.get_many([1]) == {}


def test_clear_all_empties_every_cache():
    first, second = memo.TimedCache(), memo.TimedCache(ttl=None)
    first.get("a", lambda: 1)
    second.get("b", lambda: 2)
    memo.clear_all()
    assert len(first) == 0
    assert len(second) == 0


@pytest.mark.django_db
def test_a_saved_or_deleted_model_clears_the_caches_that_depend_on_it():
    cache = memo.TimedCache()
    emptied = []
    memo.clear_on_change(cache, OutgoingMail)
    memo.clear_on_change(lambda: emptied.append(1), OutgoingMail)
    cache.get("k", lambda: "old")
    mail = OutgoingMail.objects.create(subject="Objet", body="Texte", to=["a@example.org"])
    assert len(cache) == 0
    assert emptied == [1]
    cache.get("k", lambda: "old")
    mail.delete()
    assert len(cache) == 0
    assert emptied == [1, 1]
