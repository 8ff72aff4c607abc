"""The full-text index's tables and triggers (SQLite FTS5, PostgreSQL tsvector).

Created by migration 0003_public_site and re-ensured after every ``migrate`` (see
``BlogConfig.ready``): on SQLite, Django alters a table by rebuilding it, which drops
the triggers on ``blog_post``; re-creating them (idempotently) keeps search in step.
A post's index entry is written by the database itself, in the saving transaction.

The body is indexed from ``body_text``, the text a reader sees of the sanitized HTML
(``Post.prepare``), never from the Markdown ``body``: an HTML comment, a stripped
``<script>``, a link URL or an attribute must not be findable, nor shown in a snippet.
Migration 0006 switched the triggers to it and re-indexed every post. Before 0006 (when
0003 runs on an older schema) the column does not exist yet and the triggers read ``body``.
"""

from __future__ import annotations

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS blog_post_fts USING fts5(
        title, description, tags, body, tokenize = 'unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER IF NOT EXISTS blog_post_fts_insert AFTER INSERT ON blog_post BEGIN
        INSERT INTO blog_post_fts(rowid, title, description, tags, body)
        VALUES (new.id, new.title, new.description, '', new.{text});
    END""",
    # Also on `updated`: a tag rename or merge touches its posts (blog/public/signals.py,
    # blog/admin/tags.py), which re-reads their tags here.
    """CREATE TRIGGER IF NOT EXISTS blog_post_fts_refresh
        AFTER UPDATE OF title, description, {text}, updated ON blog_post BEGIN
        UPDATE blog_post_fts SET title = new.title, description = new.description,
            body = new.{text}, tags = (
                SELECT coalesce(group_concat(t.name, ' '), '') FROM taggit_tag t
                JOIN blog_taggedpost tp ON tp.tag_id = t.id
                WHERE tp.content_object_id = new.id
            ) WHERE rowid = new.id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS blog_post_fts_delete AFTER DELETE ON blog_post BEGIN
        DELETE FROM blog_post_fts WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS blog_taggedpost_fts_insert
        AFTER INSERT ON blog_taggedpost BEGIN
        UPDATE blog_post_fts SET tags = (
            SELECT coalesce(group_concat(t.name, ' '), '') FROM taggit_tag t
            JOIN blog_taggedpost tp ON tp.tag_id = t.id
            WHERE tp.content_object_id = new.content_object_id
        ) WHERE rowid = new.content_object_id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS blog_taggedpost_fts_delete
        AFTER DELETE ON blog_taggedpost BEGIN
        UPDATE blog_post_fts SET tags = (
            SELECT coalesce(group_concat(t.name, ' '), '') FROM taggit_tag t
            JOIN blog_taggedpost tp ON tp.tag_id = t.id
            WHERE tp.content_object_id = old.content_object_id
        ) WHERE rowid = old.content_object_id;
    END""",
]

# Rows that exist but are missing from the index (first migration, or a rebuilt table).
SQLITE_FILL = """
    INSERT INTO blog_post_fts(rowid, title, description, tags, body)
    SELECT p.id, p.title, p.description,
        coalesce((SELECT group_concat(t.name, ' ') FROM taggit_tag t
                  JOIN blog_taggedpost tp ON tp.tag_id = t.id
                  WHERE tp.content_object_id = p.id), ''),
        p.{text}
    FROM blog_post p WHERE p.id NOT IN (SELECT rowid FROM blog_post_fts)
"""

# Triggers of earlier versions, replaced by the ones above.
SQLITE_OBSOLETE = ["DROP TRIGGER IF EXISTS blog_post_fts_update"]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS blog_taggedpost_fts_delete",
    "DROP TRIGGER IF EXISTS blog_taggedpost_fts_insert",
    "DROP TRIGGER IF EXISTS blog_post_fts_delete",
    "DROP TRIGGER IF EXISTS blog_post_fts_refresh",
    "DROP TRIGGER IF EXISTS blog_post_fts_insert",
    *SQLITE_OBSOLETE,
    "DROP TABLE IF EXISTS blog_post_fts",
]

POSTGRES_CREATE = [
    # unaccent is a trusted extension (PostgreSQL 13+): a database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
        CREATE TEXT SEARCH CONFIGURATION carnet_french (COPY = pg_catalog.french);
        ALTER TEXT SEARCH CONFIGURATION carnet_french
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    EXCEPTION WHEN unique_violation THEN NULL;
    END $$""",
    "ALTER TABLE blog_post ADD COLUMN IF NOT EXISTS search_document tsvector",
    "CREATE INDEX IF NOT EXISTS blog_post_search_document ON blog_post USING GIN (search_document)",
    """CREATE OR REPLACE FUNCTION blog_post_search_document() RETURNS trigger AS $$
    BEGIN
        NEW.search_document :=
            setweight(to_tsvector('carnet_french', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('carnet_french', coalesce((
                SELECT string_agg(t.name, ' ') FROM taggit_tag t
                JOIN blog_taggedpost tp ON tp.tag_id = t.id
                WHERE tp.content_object_id = NEW.id), '')), 'B')
            || setweight(to_tsvector('carnet_french', coalesce(NEW.description, '')), 'B')
            || setweight(to_tsvector('carnet_french', coalesce(NEW.{text}, '')), 'C');
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS blog_post_search ON blog_post",
    # Also on `updated`: a tag rename or merge touches its posts, which re-reads their tags.
    """CREATE TRIGGER blog_post_search
        BEFORE INSERT OR UPDATE OF title, description, {text}, updated
        ON blog_post FOR EACH ROW EXECUTE FUNCTION blog_post_search_document()""",
    """CREATE OR REPLACE FUNCTION blog_taggedpost_search_document() RETURNS trigger AS $$
    BEGIN
        -- Touching the title re-runs the post's trigger, which reads its tags again.
        UPDATE blog_post SET title = title WHERE id = CASE
            WHEN TG_OP = 'DELETE' THEN OLD.content_object_id ELSE NEW.content_object_id END;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS blog_taggedpost_search ON blog_taggedpost",
    """CREATE TRIGGER blog_taggedpost_search AFTER INSERT OR DELETE ON blog_taggedpost
        FOR EACH ROW EXECUTE FUNCTION blog_taggedpost_search_document()""",
]

POSTGRES_FILL = "UPDATE blog_post SET title = title WHERE search_document IS NULL"
POSTGRES_REINDEX = "UPDATE blog_post SET title = title"

POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS blog_taggedpost_search ON blog_taggedpost",
    "DROP FUNCTION IF EXISTS blog_taggedpost_search_document()",
    "DROP TRIGGER IF EXISTS blog_post_search ON blog_post",
    "DROP FUNCTION IF EXISTS blog_post_search_document()",
    "DROP INDEX IF EXISTS blog_post_search_document",
    "ALTER TABLE blog_post DROP COLUMN IF EXISTS search_document",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS carnet_french",
]


# Not search, but the same "database object the model does not declare" kind: a covering
# index for blog.site.stamps' per-request aggregate (16 ms -> 0.4 ms on 1,000 posts, SQLite).
STATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS blog_post_public_state ON blog_post (status, pub_date, updated)"
)

# SQLite only: search checks each match's visibility by id (blog/public/search.py) on this
# covering index, not on the table's rows, where pub_date sits after the long text columns
# (overflow pages: 19 ms instead of 1.5 ms for 500 matches).
VISIBILITY_INDEX = (
    "CREATE INDEX IF NOT EXISTS blog_post_visibility ON blog_post (id, status, pub_date)"
)


def _run(connection, statements: list[str], text: str = "body_text") -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement.replace("{text}", text))


def _text_column(connection) -> str:
    """The column the body is indexed from: ``body_text`` once migration 0006 added it."""
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "blog_post")
    return "body_text" if any(column.name == "body_text" for column in columns) else "body"


def ensure(connection, text: str | None = None) -> None:
    """Create the index, its triggers and any missing entries; safe to run again."""
    text = text or _text_column(connection)
    if connection.vendor == "sqlite":
        _run(
            connection,
            [*SQLITE_OBSOLETE, *SQLITE_CREATE, SQLITE_FILL, STATE_INDEX, VISIBILITY_INDEX],
            text,
        )
    elif connection.vendor == "postgresql":
        _run(connection, [*POSTGRES_CREATE, POSTGRES_FILL, STATE_INDEX], text)


def rebuild(connection, text: str | None = None) -> None:
    """Re-create the triggers and re-index every post from ``text`` (default: the newest)."""
    if connection.vendor == "sqlite":
        # CREATE TRIGGER IF NOT EXISTS would keep the old definitions: drop them first.
        _run(connection, SQLITE_DROP)
        ensure(connection, text)
    elif connection.vendor == "postgresql":
        ensure(connection, text)  # CREATE OR REPLACE FUNCTION; the trigger is re-made
        _run(connection, [POSTGRES_REINDEX])


def drop(connection) -> None:
    _run(connection, ["DROP INDEX IF EXISTS blog_post_public_state"])
    if connection.vendor == "sqlite":
        _run(connection, ["DROP INDEX IF EXISTS blog_post_visibility", *SQLITE_DROP])
    elif connection.vendor == "postgresql":
        _run(connection, POSTGRES_DROP)


def ensure_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: put back what a table rebuild may have dropped (only once 0003 ran)."""
    connection = connections[using]
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return
    if ("blog", "0003_public_site") in recorder.applied_migrations():
        ensure(connection)
