"""Small per-process caches of the rooms pages: what is the same for everyone in a scope.

- ``directory``: the ids of the directory's rooms for a scope (:func:`models.reach_key`)
  and a set of filters (with a slot: each room's opening-hours flags; the busy rooms are
  always read afresh);
- ``cards``: a room's directory card (public facts of the room, its venue, its
  equipment), per language;
- ``choices``: the options of the directory's filters (arrondissements, equipment) and
  the filter form's HTML, per language and query.

Entries live at most a minute, and every cache is emptied when a venue, a room, its
equipment, hours or photos, an equipment, a territory or a unit is saved or deleted in
this process (other processes see the change within the minute). Bookings are never cached.
"""

from __future__ import annotations

from fede.core.memo import TimedCache, clear_on_change

directory = TimedCache(max_size=256)
cards = TimedCache(max_size=4096)
choices = TimedCache(max_size=256)


def clear_all(*args, **kwargs) -> None:
    """Empty every cache of the app (a signal receiver, or called after a bulk write)."""
    directory.clear()
    cards.clear()
    choices.clear()


def connect_signals() -> None:
    """Empty the caches whenever what they hold may have changed (called by the app)."""
    from fede.organization.models import Territory, Unit

    from .models import Equipment, OpeningHours, Room, RoomPhoto, Venue

    clear_on_change(
        clear_all,
        Venue,
        Room,
        Equipment,
        OpeningHours,
        RoomPhoto,
        Territory,
        Unit,
        m2m=[Room.equipment.through],
    )
