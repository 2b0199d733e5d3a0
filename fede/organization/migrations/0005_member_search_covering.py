"""A covering index for the member search within a section or a federation, on PostgreSQL.

Within one scope (a section, or a federation's sections through the unit path), the
planner reads the scope's members section by section and tests each search word on each
row: ``UPPER("col"::text) LIKE UPPER('%word%')`` for the last name, first name, e-mail and
membership number. Computing ``UPPER()`` of four columns for every member of a federation
was most of the search's time. This B-tree index keys each section's members with those
very expressions already computed, and carries the columns the search reads (sort keys,
consent, status, join date): an index-only scan, no row of the table read, no ``UPPER()``
computed. The trigram indexes (migration 0002) still answer a search across the whole
party.

Written by hand (like 0002) so that the same migrations run on SQLite.
"""

from django.db import migrations

from fede.core.migration_ops import PostgreSQLOnly

INDEX = "organization_member_search_cover"


class Migration(migrations.Migration):
    dependencies = [
        ("organization", "0004_natural_sort_and_dues_corrections"),
    ]

    operations = [
        PostgreSQLOnly(
            sql=(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON organization_member ("
                'section_id, UPPER("last_name"::text), UPPER("first_name"::text), '
                'UPPER("email"::text), UPPER("membership_number"::text)) '
                "INCLUDE (id, last_name, first_name, email, membership_number, "
                "consent_share_contact, status, joined_on);"
            ),
            reverse_sql=f"DROP INDEX IF EXISTS {INDEX};",
        ),
        PostgreSQLOnly(sql="ANALYZE organization_member;", reverse_sql=migrations.RunSQL.noop),
    ]
