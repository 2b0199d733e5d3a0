"""Per-process caches of what a page shows the same way to everyone in a scope.

The one way to keep, for a short while, a value that is costly to compute and the same
for every reader with the same key (a list of units for a federation, a rendered filter
form per language, a count over a whole consultation…):

    from fede.core.memo import TimedCache, clear_on_change

    _ORGANISERS = TimedCache(ttl=60, max_size=256)

    def organisers(federation_id, language):
        return _ORGANISERS.get((federation_id, language), lambda: _read(federation_id))

    clear_on_change(_ORGANISERS, Unit, Territory)   # in the app's ``ready()``

Rules (see ``docs/developpement.md``):

- the key holds everything the value depends on (scope, language, modification stamp…);
  who may open the page is decided before, on every request: a cache never decides
  access and never holds what differs from one user to another;
- entries live at most ``ttl`` seconds (``None``: until cleared), the cache is bounded
  (``max_size``: full, it starts afresh), and ``clear_on_change`` empties it when a
  model it depends on is saved or deleted in this process (and again when that write
  is committed); other processes (workers)
  see the change within ``ttl``;
- a value computed while the cache was being cleared is not kept (it may predate the
  write that cleared it);
- tests start with every cache empty (:func:`clear_all`, called by the root conftest).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterable
from typing import Any

#: Default lifetime of an entry, in seconds.
TTL = 60.0

_ALL: weakref.WeakSet[TimedCache] = weakref.WeakSet()


class TimedCache:
    """A dict whose entries expire after ``ttl`` seconds, emptied whole by ``clear``."""

    def __init__(self, *, ttl: float | None = TTL, max_size: int = 512):
        self.ttl = ttl
        self.max_size = max_size
        self._data: dict[Any, tuple[float, Any]] = {}
        self._generation = 0
        self._lock = threading.Lock()
        _ALL.add(self)

    def _expiry(self, now: float) -> float:
        return now + self.ttl if self.ttl is not None else float("inf")

    def get(self, key, compute: Callable[[], Any]):
        """The live value kept for ``key``, or ``compute()`` (then kept)."""
        now = time.monotonic()
        entry = self._data.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        generation = self._generation
        value = compute()
        with self._lock:
            if generation == self._generation:
                if len(self._data) >= self.max_size:
                    self._data.clear()
                self._data[key] = (self._expiry(now), value)
        return value

    def get_many(self, keys: Iterable) -> dict:
        """The live entries among ``keys`` (to compute the missing ones in one go)."""
        now = time.monotonic()
        found = {}
        for key in keys:
            entry = self._data.get(key)
            if entry is not None and entry[0] > now:
                found[key] = entry[1]
        return found

    def generation(self) -> int:
        """Read before computing values for :meth:`set_many`."""
        return self._generation

    def set_many(self, values: dict, generation: int) -> None:
        """Keep ``values`` unless the cache was cleared since ``generation`` was read."""
        expires = self._expiry(time.monotonic())
        with self._lock:
            if generation != self._generation:
                return
            if len(self._data) + len(values) > self.max_size:
                self._data.clear()
            for key, value in values.items():
                self._data[key] = (expires, value)

    def clear(self, *args, **kwargs) -> None:
        """Forget everything (also usable as a signal receiver)."""
        with self._lock:
            self._generation += 1
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


def clear_all() -> None:
    """Empty every cache of the process (tests, or after a bulk write the signals miss)."""
    for cache in list(_ALL):
        cache.clear()


def clear_on_change(target: TimedCache | Callable[[], Any], *models, m2m: Iterable = ()) -> None:
    """Empty ``target`` (a cache, or a function that empties several) whenever one of
    ``models`` is saved or deleted, or one of the ``m2m`` through tables changes.

    Call it from the app's ``AppConfig.ready()``; calling it twice connects once.
    """
    from django.db import transaction
    from django.db.models.signals import m2m_changed, post_delete, post_save

    empty = target.clear if isinstance(target, TimedCache) else target
    uid = f"memo-{id(target)}"

    def clear(*args, **kwargs) -> None:
        # Now, and again once the write is committed: a request of another thread may
        # read the rows (as they were) between the two and keep them.
        empty()
        transaction.on_commit(empty)

    for model in models:
        label = model._meta.label_lower
        post_save.connect(clear, sender=model, weak=False, dispatch_uid=f"{uid}-{label}-save")
        post_delete.connect(clear, sender=model, weak=False, dispatch_uid=f"{uid}-{label}-del")
    for through in m2m:
        label = through._meta.label_lower
        m2m_changed.connect(clear, sender=through, weak=False, dispatch_uid=f"{uid}-{label}-m2m")
