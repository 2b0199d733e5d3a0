"""Small per-process caches of organisation pages: what is the same for every reader.

- ``SECTION_LISTS``: the rows and the count of the federation's sections table, keyed on
  the scope (the reader's grant paths), the filters, the page, the language and the day;
- ``SECTION_FIGURES``: the key figures of one unit (section dashboard), keyed on the unit
  and the day;
- ``OFFICERS``: the current officers of a section as the home page lists them (names,
  roles, contact details already filtered by each officer's consent), keyed on the
  section and the day;
- ``SECTION_PATHS``: whether a unit path is a section's (selectors.scope_is_one_section),
  keyed on the path.

Who may read a page is decided before, on every request: a key only says *what* is
shown, never *to whom*. Entries live at most a minute (``fede.core.memo``), and every
cache is emptied when a member, a dues payment, an office or a unit is saved or deleted
in this process, and after the bulk writes of the organisation's services (other
processes see a change within the minute).
"""

from __future__ import annotations

from django.db import transaction

from fede.core.memo import TimedCache, clear_on_change

SECTION_LISTS = TimedCache(max_size=128)
SECTION_FIGURES = TimedCache(max_size=1024)
OFFICERS = TimedCache(max_size=2048)
SECTION_PATHS = TimedCache(max_size=2048)

_ALL = (SECTION_LISTS, SECTION_FIGURES, OFFICERS, SECTION_PATHS)


def _empty() -> None:
    for cache in _ALL:
        cache.clear()


def clear_all() -> None:
    """Empty every cache, now and once the current write is committed (after a bulk
    write, which sends no signal)."""
    _empty()
    transaction.on_commit(_empty)


def connect_signals() -> None:
    """Empty the caches whenever what they show may have changed in this process."""
    from .models import DuesPayment, Mandate, Member, Territory, Unit

    clear_on_change(_empty, Member, DuesPayment, Mandate, Unit, Territory)
