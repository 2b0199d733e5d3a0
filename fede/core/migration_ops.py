"""Migration operations shared by every app."""

from django.db import migrations


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that is a no-op on every database but PostgreSQL (trigram and GiST indexes,
    exclusion constraints: the embedded SQLite of the demo has none of them)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
