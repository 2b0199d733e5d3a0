"""Trigram indexes for the member search, on PostgreSQL.

The member search filters each word with ``icontains`` on the last name, first name,
e-mail and membership number; on PostgreSQL Django writes it
``UPPER("col"::text) LIKE UPPER('%word%')``, which no B-tree index answers. A GIN index
of ``pg_trgm`` on the very same expression ``UPPER("col"::text)`` does, and the planner
combines the four (BitmapOr) for the OR of a search word. The selector sorts a search so
that the planner does not prefer walking the name index instead (``_search_order``).

Written by hand rather than in ``Member.Meta.indexes`` so that the same migrations run
on SQLite (the demo database), where neither ``pg_trgm`` nor GIN exist. Every operation
does nothing outside PostgreSQL.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from fede.core.migration_ops import PostgreSQLOnly

COLUMNS = {
    "last_name": "organization_member_last_name_trgm",
    "first_name": "organization_member_first_name_trgm",
    "email": "organization_member_email_trgm",
    "membership_number": "organization_member_number_trgm",
}


class Trigram(TrigramExtension):
    """``pg_trgm``; Django's operation would query ``pg_extension`` when unapplied."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("organization", "0001_initial"),
    ]

    operations = [
        Trigram(),
        *(
            PostgreSQLOnly(
                sql=(
                    f"CREATE INDEX IF NOT EXISTS {index} ON organization_member "
                    f'USING gin (UPPER("{column}"::text) gin_trgm_ops);'
                ),
                reverse_sql=f"DROP INDEX IF EXISTS {index};",
            )
            for column, index in COLUMNS.items()
        ),
        # Statistics of the indexed expressions, for the planner to weigh a search word.
        PostgreSQLOnly(sql="ANALYZE organization_member;", reverse_sql=migrations.RunSQL.noop),
    ]
