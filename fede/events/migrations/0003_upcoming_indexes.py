"""Indexes for "events not ended yet", at the size of five years of events.

``EventQuerySet.ending_after`` adds to ``end >= t`` the exact bound
``start >= t - (longest event)``, so that the agenda, the month view and the public site
read a range of ``start`` instead of walking five years of events through
``(visibility, start)``. This migration gives that query shape its indexes (PostgreSQL
only, like the GiST indexes of rooms; the embedded SQLite of the demo does without):

- ``events_event_duration``: the expression ``"end" - "start"``, so the longest duration
  is one index entry (``ORDER BY "end" - "start" DESC LIMIT 1``);
- ``events_event_start_cover`` and ``events_event_visibility_start_cover``: ``start`` and
  ``(visibility, start)`` with the columns the visibility filter reads (``end``,
  ``visibility``, ``status``, ``organiser_id``, ``id``), so the agenda's count of upcoming
  events is an index-only scan instead of thousands of heap pages.
"""

from django.db import migrations

from fede.core.migration_ops import PostgreSQLOnly

DURATION = "events_event_duration"
START_COVER = "events_event_start_cover"
VISIBILITY_COVER = "events_event_visibility_start_cover"


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_drafts_and_owners"),
    ]

    operations = [
        PostgreSQLOnly(
            sql=f'CREATE INDEX IF NOT EXISTS {DURATION} ON events_event (("end" - "start"));',
            reverse_sql=f"DROP INDEX IF EXISTS {DURATION};",
        ),
        PostgreSQLOnly(
            sql=(
                f"CREATE INDEX IF NOT EXISTS {START_COVER} ON events_event (start) "
                'INCLUDE ("end", visibility, status, organiser_id, id);'
            ),
            reverse_sql=f"DROP INDEX IF EXISTS {START_COVER};",
        ),
        PostgreSQLOnly(
            sql=(
                f"CREATE INDEX IF NOT EXISTS {VISIBILITY_COVER} ON events_event "
                '(visibility, start) INCLUDE ("end", status, organiser_id, id);'
            ),
            reverse_sql=f"DROP INDEX IF EXISTS {VISIBILITY_COVER};",
        ),
    ]
