"""A GiST index on the span of the confirmed bookings, for "which rooms are busy then?".

The exclusion constraint of 0002 is also a GiST index, but led by ``room_id``: it answers
"does this room overlap?" well and "which bookings overlap this slot, in any room?" poorly
(the whole index is read). The directory's free-slot search asks the second question with
``tstzrange(start, "end", '[)') && …`` (see ``selectors.busy_room_ids``). PostgreSQL only,
like 0002.
"""

from django.db import migrations

INDEX = "rooms_booking_confirmed_span"


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that is a no-op on every database but PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("rooms", "0002_booking_no_overlap"),
    ]

    operations = [
        PostgreSQLOnly(
            sql=(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON rooms_booking "
                "USING gist (tstzrange(\"start\", \"end\", '[)')) "
                "WHERE (status = 'confirmed');"
            ),
            reverse_sql=f"DROP INDEX IF EXISTS {INDEX};",
        ),
    ]
