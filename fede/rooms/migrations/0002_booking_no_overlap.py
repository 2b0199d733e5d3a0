"""No two confirmed bookings of a room overlap: an exclusion constraint on PostgreSQL.

Written by hand rather than in ``Booking.Meta.constraints`` so that the same migrations
run on SQLite (the demo database), where GiST indexes and range types do not exist and
the services serialise the check in a write transaction instead. Both operations do
nothing outside PostgreSQL.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

from fede.core.migration_ops import PostgreSQLOnly

CONSTRAINT = "rooms_booking_no_overlap_confirmed"



class BtreeGist(BtreeGistExtension):
    """``btree_gist``; Django's operation would query ``pg_extension`` when unapplied."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("rooms", "0001_initial"),
    ]

    operations = [
        BtreeGist(),
        PostgreSQLOnly(
            sql=(
                f"ALTER TABLE rooms_booking ADD CONSTRAINT {CONSTRAINT} "
                "EXCLUDE USING gist (room_id WITH =, "
                "tstzrange(\"start\", \"end\", '[)') WITH &&) "
                "WHERE (status = 'confirmed');"
            ),
            reverse_sql=f"ALTER TABLE rooms_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT};",
        ),
    ]
