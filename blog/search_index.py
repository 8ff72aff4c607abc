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

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from blog.text import strip_control_chars

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MIN_TERM_CHARS = 2
_WORD = re.compile(r"\w+")


class Query:
    """What the reader typed, reduced to words a full-text engine can take safely."""

    def __init__(self, raw: str):
        # Echoed in the page: no control character (a NUL, a line break) comes back out.
        self.text = strip_control_chars(raw or "").strip()[:MAX_QUERY_CHARS]
        words = [w for w in _WORD.findall(self.text.lower()) if len(w) >= MIN_TERM_CHARS]
        self.terms = list(dict.fromkeys(w.replace("_", "") for w in words if w.strip("_")))[
            :MAX_TERMS
        ]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def is_blank(self) -> bool:
        return not self.text

    def fts5(self) -> str:
        # Each term quoted (no FTS5 syntax can get through) and used as a prefix.
        return " ".join(f'"{term}"*' for term in self.terms)

    def tsquery(self) -> str:
        # Terms are \w+ only: safe in to_tsquery's syntax.
        return " & ".join(f"{term}:*" for term in self.terms)


def matching_ids(connection, query: Query) -> tuple[str, list]:
    """SQL (and its parameters) for the ids of every post, whatever its state, whose index
    holds all the words of ``query`` (each a prefix): the index finds them, no row is read.
    PostgreSQL looks the words up in every language at once (``blog_search_query``)."""
    if connection.vendor == "postgresql":
        sql = "SELECT id FROM blog_post WHERE search_document @@ blog_search_query(%s)"
        return sql, [query.tsquery()]
    return "SELECT rowid FROM blog_post_fts WHERE blog_post_fts MATCH %s", [query.fts5()]


SQLITE_INSERT_TRIGGER = """CREATE TRIGGER IF NOT EXISTS blog_post_fts_insert
    AFTER INSERT ON blog_post BEGIN
        INSERT INTO blog_post_fts(rowid, title, description, tags, body)
        VALUES (new.id, new.title, new.description, '', new.{text});
    END"""

# Every word of a query is a prefix (« carri » finds « Carrière »). Without an index of its
# length, FTS5 (3.40) answers a prefix by merging the position lists of every word it starts,
# in every post, into memory first, whatever the LIMIT, and did so three times a search (its
# matches, bm25's count, the snippets): a word in every post took those queries 1.1 -> 4.9 ms
# from 1,000 to 10,000 posts. With an index of its length a prefix is read like a whole word,
# lazily, newest first. Short prefixes are the costly ones (« de » starts a large share of all
# words); a longer one starts fewer words and is still merged (bench/README.md, issue 13).
# Cost: about 5x the index's size and write time; the import writes each new post's entry once.
SQLITE_PREFIXES = " ".join(str(n) for n in range(MIN_TERM_CHARS, 9))

SQLITE_CREATE = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS blog_post_fts USING fts5(
        title, description, tags, body, tokenize = 'unicode61 remove_diacritics 2',
        prefix = '{SQLITE_PREFIXES}'
    )""",
    # FTS5 writes the entries of a transaction to disk each time they pass 'hashsize' (1 MB
    # by default), each time a new segment to merge later; with the prefix indexes an import
    # batch filled it several times over. 4 MB: 569 -> 378 ms of FTS5 work per 1,000 corpus
    # posts written in batches of 200. (Kept in the table's own config; memory only while
    # writing.)
    "INSERT INTO blog_post_fts(blog_post_fts, rank) VALUES ('hashsize', 4194304)",
    SQLITE_INSERT_TRIGGER,
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

# PostgreSQL: each post is indexed with the text-search configuration of its language (issue
# 12), all with accents removed by unaccent; stored in ``search_config`` so that the query,
# the ranking and the highlights read the post's words the way its vector was built.
POSTGRES_STEMMERS = ["french", "english", "german", "spanish", "italian", "portuguese", "dutch"]
POSTGRES_CONFIGS = [f"carnet_{name}" for name in [*POSTGRES_STEMMERS, "simple"]]

POSTGRES_CREATE = [
    # unaccent is a trusted extension (PostgreSQL 13+): a database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    # carnet_french as before issue 12; the others made the same way (carnet_simple: no stemming).
    "DO $$ DECLARE name text; BEGIN FOREACH name IN ARRAY ARRAY["
    + ", ".join(f"'{name}'" for name in [*POSTGRES_STEMMERS, "simple"])
    + """] LOOP
            BEGIN
                EXECUTE format('CREATE TEXT SEARCH CONFIGURATION carnet_%s '
                    '(COPY = pg_catalog.%s)', name, name);
                EXECUTE format('ALTER TEXT SEARCH CONFIGURATION carnet_%s '
                    'ALTER MAPPING FOR hword, hword_part, word WITH unaccent, %s',
                    name, CASE WHEN name = 'simple' THEN 'simple' ELSE name || '_stem' END);
            EXCEPTION WHEN unique_violation THEN NULL;
            END;
        END LOOP;
    END $$""",
    "ALTER TABLE blog_post ADD COLUMN IF NOT EXISTS search_document tsvector",
    "ALTER TABLE blog_post ADD COLUMN IF NOT EXISTS search_config regconfig",
    "CREATE INDEX IF NOT EXISTS blog_post_search_document ON blog_post USING GIN (search_document)",
    # A reader's words as a query in every configuration (OR): what the GIN index looks up.
    # Each candidate is then matched with its own configuration (blog/public/search.py).
    # The same stems once (most words stem alike in several languages): a shorter query to test.
    "CREATE OR REPLACE FUNCTION blog_search_query(words text) RETURNS tsquery AS $$ "
    "SELECT string_agg(DISTINCT '(' || q::text || ')', ' | ')::tsquery FROM unnest(ARRAY["
    + ", ".join(f"to_tsquery('{config}', words)" for config in POSTGRES_CONFIGS)
    + "]) q WHERE q::text <> '' $$ LANGUAGE sql STABLE",
    "{config_function}",
    """CREATE OR REPLACE FUNCTION blog_post_search_document() RETURNS trigger AS $$
    DECLARE config regconfig := blog_search_config({language});
    BEGIN
        NEW.search_config := config;
        NEW.search_document :=
            setweight(to_tsvector(config, coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector(config, coalesce((
                SELECT string_agg(t.name, ' ') FROM taggit_tag t
                JOIN blog_taggedpost tp ON tp.tag_id = t.id
                WHERE tp.content_object_id = NEW.id), '')), 'B')
            || setweight(to_tsvector(config, coalesce(NEW.description, '')), 'B')
            || setweight(to_tsvector(config, coalesce(NEW.{text}, '')), 'C');
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS blog_post_search ON blog_post",
    # Also on `updated`: a tag rename or merge touches its posts, which re-reads their tags.
    """CREATE TRIGGER blog_post_search
        BEFORE INSERT OR UPDATE OF title, description, {text}, updated{language_column}
        ON blog_post FOR EACH ROW EXECUTE FUNCTION blog_post_search_document()""",
    """CREATE OR REPLACE FUNCTION blog_taggedpost_search_document() RETURNS trigger AS $$
    BEGIN
        -- An import linking many new posts' tags re-indexes each post once, after them
        -- (indexed_once, for this transaction only).
        IF current_setting('carnet.tags_in_bulk', true) = 'on' THEN
            RETURN NULL;
        END IF;
        -- Touching the title re-runs the post's trigger, which reads its tags again.
        UPDATE blog_post SET title = title WHERE id = CASE
            WHEN TG_OP = 'DELETE' THEN OLD.content_object_id ELSE NEW.content_object_id END;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS blog_taggedpost_search ON blog_taggedpost",
    """CREATE TRIGGER blog_taggedpost_search AFTER INSERT OR DELETE ON blog_taggedpost
        FOR EACH ROW EXECUTE FUNCTION blog_taggedpost_search_document()""",
]

# Before migration 0010 (no per-post language yet, or going back): French for every post.
POSTGRES_FRENCH_ONLY = """CREATE OR REPLACE FUNCTION blog_search_config(language text)
    RETURNS regconfig AS $$ SELECT 'carnet_french'::regconfig $$ LANGUAGE sql IMMUTABLE"""

# From 0010: the post's language, else the identity's site language, else LANGUAGE_CODE
# (written in when the function is made, on every migrate). « en-US » reads as « en ».
_LANGUAGE_CONFIGS = [
    ("fr", "french"), ("en", "english"), ("de", "german"), ("es", "spanish"),
    ("it", "italian"), ("pt", "portuguese"), ("nl", "dutch"),
]  # fmt: skip
POSTGRES_PER_LANGUAGE = (
    """CREATE OR REPLACE FUNCTION blog_search_config(language text)
    RETURNS regconfig AS $$
    SELECT (CASE split_part(lower(coalesce(nullif(language, ''), (
            SELECT nullif(site_language, '') FROM blog_siteidentity WHERE id = 1
        ), '{default_language}')), '-', 1) """
    + " ".join(f"WHEN '{code}' THEN 'carnet_{name}'" for code, name in _LANGUAGE_CONFIGS)
    + """ ELSE 'carnet_simple' END)::regconfig
    $$ LANGUAGE sql STABLE"""
)

# The posts in the site's language are re-indexed when the identity's language changes.
POSTGRES_SITE_LANGUAGE = [
    """CREATE OR REPLACE FUNCTION blog_siteidentity_search_document() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' OR NEW.site_language IS DISTINCT FROM OLD.site_language THEN
            UPDATE blog_post SET title = title WHERE language = '';
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS blog_siteidentity_search ON blog_siteidentity",
    """CREATE TRIGGER blog_siteidentity_search
        AFTER INSERT OR UPDATE OF site_language ON blog_siteidentity
        FOR EACH ROW EXECUTE FUNCTION blog_siteidentity_search_document()""",
]
POSTGRES_NO_SITE_LANGUAGE = [
    "DROP TRIGGER IF EXISTS blog_siteidentity_search ON blog_siteidentity",
    "DROP FUNCTION IF EXISTS blog_siteidentity_search_document()",
]

POSTGRES_FILL = (
    "UPDATE blog_post SET title = title WHERE search_document IS NULL OR search_config IS NULL"
)
POSTGRES_REINDEX = "UPDATE blog_post SET title = title"

POSTGRES_DROP = [
    *POSTGRES_NO_SITE_LANGUAGE,
    "DROP TRIGGER IF EXISTS blog_taggedpost_search ON blog_taggedpost",
    "DROP FUNCTION IF EXISTS blog_taggedpost_search_document()",
    "DROP TRIGGER IF EXISTS blog_post_search ON blog_post",
    "DROP FUNCTION IF EXISTS blog_post_search_document()",
    "DROP FUNCTION IF EXISTS blog_search_config(text)",
    "DROP FUNCTION IF EXISTS blog_search_query(text)",
    "DROP INDEX IF EXISTS blog_post_search_document",
    "ALTER TABLE blog_post DROP COLUMN IF EXISTS search_document",
    "ALTER TABLE blog_post DROP COLUMN IF EXISTS search_config",
    *(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {config}" for config in POSTGRES_CONFIGS),
]

PER_LANGUAGE_MIGRATION = ("blog", "0010_search_language")


# Not search, but the same "database object the model does not declare" kind: a covering
# index for blog.site.stamps' per-request state (its newest publication, and its count of
# scheduled posts; it once served the aggregate of every published post, 16 ms -> 0.4 ms on
# 1,000 posts, SQLite).
STATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS blog_post_public_state ON blog_post (status, pub_date, updated)"
)

# SQLite only: search checks each match's visibility by id (blog/public/search.py) on this
# covering index, not on the table's rows, where pub_date sits after the long text columns
# (overflow pages: 19 ms instead of 1.5 ms for 500 matches).
VISIBILITY_INDEX = (
    "CREATE INDEX IF NOT EXISTS blog_post_visibility ON blog_post (id, status, pub_date)"
)


@contextmanager
def indexed_once(connection, posts: list, tagged: list) -> Iterator[None]:
    """Around the bulk insert of new posts and of their tag links: each post's index entry
    written once, with all its tags, once both are in. (On SQLite an FTS5 row is tokenized
    for every write, an update's old row again to delete it: the insert's entry without tags,
    then each link's rewrite, seven times for a post with three tags. On PostgreSQL each
    link's trigger recomputed the post's whole vector and wrote a new version of its row.)

    ``posts``: the new posts, their ids set by the insert inside the block; ``tagged``: every
    post, new or not, gaining tag links in the block. Runs inside the import's transaction
    (required): what it turns off is seen by no other connection, and a rollback turns it
    back on."""
    if not connection.in_atomic_block:
        raise RuntimeError("indexed_once() runs inside a transaction")
    if connection.vendor == "postgresql" and tagged:
        with connection.cursor() as cursor:
            # Transaction-local: a batch or savepoint rolled back on an error takes it back.
            cursor.execute("SELECT set_config('carnet.tags_in_bulk', 'on', true)")
            yield
            cursor.execute("SELECT set_config('carnet.tags_in_bulk', 'off', true)")
            # The insert computed each new vector; the tagged posts' again, with their tags.
            cursor.execute(
                "UPDATE blog_post SET title = title WHERE id = ANY(%s)",
                [[post.pk for post in tagged]],
            )
        return
    if connection.vendor != "sqlite" or not posts:
        yield  # (PostgreSQL without tag links: each insert computed its post's vector)
        return
    with connection.cursor() as cursor:
        # SQLite has no switch for a trigger: dropped and made again in this transaction
        # (the write lock is ours: no other writer can insert meanwhile, nor see it gone).
        # Without their entries the links' triggers find no row to rewrite either.
        cursor.execute("DROP TRIGGER IF EXISTS blog_post_fts_insert")
        yield
        ids = [post.pk for post in posts]
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(SQLITE_FILL.replace("{text}", "body_text") + f" AND p.id IN ({marks})", ids)
    _run(connection, [SQLITE_INSERT_TRIGGER])


def _run(connection, statements: list[str], text: str = "body_text", **more: str) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            statement = statement.replace("{text}", text)
            for name, value in more.items():
                statement = statement.replace(f"{{{name}}}", value)
            cursor.execute(statement)


def _text_column(connection) -> str:
    """The column the body is indexed from: ``body_text`` once migration 0006 added it."""
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "blog_post")
    return "body_text" if any(column.name == "body_text" for column in columns) else "body"


def _per_language(connection) -> bool:
    """Whether posts are indexed in their own language: once migration 0010 ran."""
    recorder = MigrationRecorder(connection)
    return recorder.has_table() and PER_LANGUAGE_MIGRATION in recorder.applied_migrations()


def _postgres(connection, text: str, per_language: bool, then: list[str]) -> None:
    if per_language:
        statements = [*POSTGRES_CREATE, *POSTGRES_SITE_LANGUAGE, *then]
        config, language, column = POSTGRES_PER_LANGUAGE, "NEW.language", ", language"
    else:
        statements = [*POSTGRES_NO_SITE_LANGUAGE, *POSTGRES_CREATE, *then]
        config, language, column = POSTGRES_FRENCH_ONLY, "''", ""
    default_language = settings.LANGUAGE_CODE.replace("'", "")
    statements = [config if s == "{config_function}" else s for s in statements]
    _run(
        connection,
        statements,
        text,
        language=language,
        language_column=column,
        default_language=default_language,
    )


def ensure(connection, text: str | None = None, per_language: bool | None = None) -> None:
    """Create the index, its triggers and any missing entries; safe to run again.

    ``per_language``: PostgreSQL's configuration per post (migration 0010), else French for
    all; by default, whether 0010 is applied."""
    text = text or _text_column(connection)
    if connection.vendor == "sqlite":
        _run(
            connection,
            [*SQLITE_OBSOLETE, *SQLITE_CREATE, SQLITE_FILL, STATE_INDEX, VISIBILITY_INDEX],
            text,
        )
    elif connection.vendor == "postgresql":
        if per_language is None:
            per_language = _per_language(connection)
        _postgres(connection, text, per_language, [POSTGRES_FILL, STATE_INDEX])


def rebuild(connection, text: str | None = None, per_language: bool | None = None) -> None:
    """Re-create the triggers and re-index every post from ``text`` (default: the newest)."""
    if connection.vendor == "sqlite":
        # CREATE TRIGGER IF NOT EXISTS would keep the old definitions: drop them first.
        _run(connection, SQLITE_DROP)
        ensure(connection, text)
    elif connection.vendor == "postgresql":
        # CREATE OR REPLACE FUNCTION; the triggers are re-made
        ensure(connection, text, per_language)
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
