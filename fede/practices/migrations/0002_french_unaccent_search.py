"""French full-text search of the posts, accents ignored, on PostgreSQL.

- the ``unaccent`` extension, and a text search configuration ``french_unaccent``: a copy
  of ``french`` whose words go through ``unaccent`` before the French stemmer, so that
  « élections », « elections » and « élection » all become the lexeme ``elect``;
- a trigger that fills ``practices_post.search_vector`` on every insert and on every
  update of the title, the tags or the body (title weighs A, tags B, body C): the vector
  is stored, never computed at query time;
- a GIN index on it, which answers ``search_vector @@ query``.

Written by hand so that the same migrations run on SQLite (the demo database), where none
of this exists: every operation does nothing outside PostgreSQL, and the search falls back
to the folded copies of the text (see ``fede.practices.search``).
"""

from django.db import migrations

from fede.core.migration_ops import PostgreSQLOnly

CONFIGURATION = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
    CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
    ALTER TEXT SEARCH CONFIGURATION french_unaccent
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
  END IF;
END
$$;
"""

TRIGGER = """
CREATE OR REPLACE FUNCTION practices_post_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('french_unaccent', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('french_unaccent', replace(coalesce(NEW.tags, ''), ',', ' ')), 'B') ||
    setweight(to_tsvector('french_unaccent', coalesce(NEW.body, '')), 'C');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER practices_post_search_vector
  BEFORE INSERT OR UPDATE OF title, tags, body ON practices_post
  FOR EACH ROW EXECUTE FUNCTION practices_post_search_vector();
UPDATE practices_post SET title = title;
CREATE INDEX IF NOT EXISTS practices_post_search_gin ON practices_post USING gin (search_vector);
"""

REVERSE_TRIGGER = """
DROP INDEX IF EXISTS practices_post_search_gin;
DROP TRIGGER IF EXISTS practices_post_search_vector ON practices_post;
DROP FUNCTION IF EXISTS practices_post_search_vector();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0001_initial"),
    ]

    operations = [
        # The configuration stays on the way back: other objects may use it by then.
        PostgreSQLOnly(sql=CONFIGURATION, reverse_sql=migrations.RunSQL.noop),
        PostgreSQLOnly(sql=TRIGGER, reverse_sql=REVERSE_TRIGGER),
    ]
