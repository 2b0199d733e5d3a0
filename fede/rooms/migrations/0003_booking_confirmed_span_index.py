"""A GiST index on the span of the confirmed bookings, for "which rooms are busy then?".

The exclusion constraint of 0002 is also a GiST index, but led by ``room_id``: it answers
"does this room overlap?" well and "which bookings overlap this slot, in any room?" poorly
(the whole index is read). The directory's free-slot search asks the second question with
``tstzrange(start, "end", '[)') && …`` (see ``selectors.busy_room_ids``). PostgreSQL only,
like 0002.
"""

from django.db import migrations

from fede.core.migration_ops import PostgreSQLOnly

INDEX = "rooms_booking_confirmed_span"



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
