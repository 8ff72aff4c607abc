"""How many posts have the status « published », whatever their date: one row the database
keeps (table ``blog_published_total``, maintained by triggers on ``blog_post``).

The public state (``blog.site.stamps``) needs the count of visible posts on every request;
counting them walked every published post (1.5 ms a request at 10,000 posts on SQLite, 4.4 ms
wall on PostgreSQL). It is now this total minus the scheduled posts (an index range: few rows):
the row is read instead of the posts.

Why triggers and an exact count (not signals, not a cache):
- Triggers see every write: ``bulk_create`` (the importer), ``QuerySet.update``/``delete``,
  raw SQL and ``loaddata``, which signals would miss.
- The row is written in the writing transaction: a rollback restores it with the posts, and
  each reader sees the total of the posts its own statement sees (one snapshot).
- PostgreSQL: the triggers are per statement and count the statement's transition tables (one
  update of the row per statement). Per row, a bulk insert of 10,000 posts updated the row
  10,000 times in one transaction, each update walking the chain of its earlier versions:
  0.6 s for 10,000, 2.7 s for 20,000. ``TRUNCATE`` (Django's test flush) fires no row
  triggers: a TRUNCATE trigger sets the total to 0.
- SQLite has row triggers only (an update of one row in place: cheap). Its ``DELETE FROM``
  (Django's flush) fires them: SQLite skips its truncate shortcut when a table has triggers.
- The triggers only ever UPDATE the row, never create it: without the row (deleted by hand),
  the state counts the published posts itself (``TOTAL_SQL``'s COALESCE): slower, never wrong.
- The table is no Django model: Django's flush and ``dumpdata`` leave it alone, and the
  triggers keep it right through them.

What triggers cannot see: a SQLite table rebuild (Django's way to alter a column) drops the
table's triggers, and ``pg_restore --disable-triggers`` or ``session_replication_role =
replica`` bypass them. ``ensure()`` re-creates the triggers and counts again after every
``migrate`` (``BlogConfig.ready``), which puts any such drift right: run ``migrate`` after a
restore that disabled triggers. (Also ``INSERT OR REPLACE`` into blog_post on SQLite, which
deletes a row without its delete trigger; Django never writes that.)

On PostgreSQL, every statement that publishes, unpublishes, adds or deletes published posts
locks the row until its transaction ends: such writes are serialized, as on SQLite anyway.
"""

from __future__ import annotations

from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder

TABLE = "blog_published_total"
PUBLISHED = "published"  # Post.Status.PUBLISHED (models are not imported here)
MIGRATION = ("blog", "0014_published_total")

_COUNT = f"SELECT COUNT(*) FROM blog_post WHERE status = '{PUBLISHED}'"
# The total, or a count of the posts when the row is missing: a scalar subquery for the state.
TOTAL_SQL = f"COALESCE((SELECT total FROM {TABLE} WHERE id = 1), ({_COUNT}))"

SQLITE_CREATE = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} "
    "(id integer PRIMARY KEY CHECK (id = 1), total integer NOT NULL)",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON blog_post
        WHEN NEW.status = '{PUBLISHED}'
        BEGIN UPDATE {TABLE} SET total = total + 1 WHERE id = 1; END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON blog_post
        WHEN OLD.status = '{PUBLISHED}'
        BEGIN UPDATE {TABLE} SET total = total - 1 WHERE id = 1; END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF status ON blog_post
        WHEN OLD.status IS NOT NEW.status
        BEGIN
            UPDATE {TABLE}
            SET total = total + (NEW.status = '{PUBLISHED}') - (OLD.status = '{PUBLISHED}')
            WHERE id = 1;
        END""",
    # One statement: SQLite holds the write lock while it counts (no write in between).
    f"INSERT OR REPLACE INTO {TABLE} (id, total) SELECT 1, COUNT(*) FROM blog_post "
    f"WHERE status = '{PUBLISHED}'",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {TABLE}_update",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def _postgres_function(name: str, delta: str) -> str:
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE delta bigint;
        BEGIN
            SELECT {delta} INTO delta;
            IF delta <> 0 THEN
                UPDATE {TABLE} SET total = total + delta WHERE id = 1;
            END IF;
            RETURN NULL;
        END $$"""


def _published_in(rows: str) -> str:
    return f"(SELECT COUNT(*) FROM {rows} WHERE status = '{PUBLISHED}')"


_POSTGRES_TRIGGERS = {
    # name: (event and transition tables, the change of the total)
    "insert": ("INSERT ON blog_post REFERENCING NEW TABLE AS added", _published_in("added")),
    "delete": (
        "DELETE ON blog_post REFERENCING OLD TABLE AS removed",
        f"-{_published_in('removed')}",
    ),
    "update": (
        # (A transition table allows no column list: every UPDATE fires it, and counts.)
        "UPDATE ON blog_post REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows",
        f"{_published_in('after_rows')} - {_published_in('before_rows')}",
    ),
}

POSTGRES_CREATE = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} "
    "(id integer PRIMARY KEY CHECK (id = 1), total bigint NOT NULL)",
    # Writers wait for the count, and the count for the writers already under way: the total
    # is of every committed post and no write slips between the count and the triggers.
    "LOCK TABLE blog_post IN SHARE ROW EXCLUSIVE MODE",
    *(
        _postgres_function(f"{TABLE}_{name}", delta)
        for name, (_, delta) in _POSTGRES_TRIGGERS.items()
    ),
    *(
        statement
        for name, (event, _) in _POSTGRES_TRIGGERS.items()
        for statement in (
            f"DROP TRIGGER IF EXISTS {TABLE}_{name} ON blog_post",
            f"CREATE TRIGGER {TABLE}_{name} AFTER {event} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {TABLE}_{name}()",
        )
    ),
    f"""CREATE OR REPLACE FUNCTION {TABLE}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {TABLE} SET total = 0 WHERE id = 1;
            RETURN NULL;
        END $$""",
    f"DROP TRIGGER IF EXISTS {TABLE}_truncate ON blog_post",
    f"CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON blog_post FOR EACH STATEMENT "
    f"EXECUTE FUNCTION {TABLE}_truncate()",
    f"INSERT INTO {TABLE} (id, total) {_COUNT.replace('SELECT', 'SELECT 1,', 1)} "
    "ON CONFLICT (id) DO UPDATE SET total = EXCLUDED.total",
]
POSTGRES_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS {TABLE}_{name} ON blog_post"
        for name in (*_POSTGRES_TRIGGERS, "truncate")
    ),
    *(f"DROP FUNCTION IF EXISTS {TABLE}_{name}()" for name in (*_POSTGRES_TRIGGERS, "truncate")),
    f"DROP TABLE IF EXISTS {TABLE}",
]


def _run(connection, statements: list[str]) -> None:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def ensure(connection) -> None:
    """Create the table and its triggers where missing, and count the published posts: safe
    to run again, and it corrects a total the triggers could not keep (module docstring)."""
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_CREATE)
    elif connection.vendor == "postgresql":
        _run(connection, POSTGRES_CREATE)


def drop(connection) -> None:
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_DROP)
    elif connection.vendor == "postgresql":
        _run(connection, POSTGRES_DROP)


def ensure_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate (and after Django's test flush): once 0014 ran, triggers put back after a
    table rebuild and the total counted again."""
    connection = connections[using]
    recorder = MigrationRecorder(connection)
    if recorder.has_table() and MIGRATION in recorder.applied_migrations():
        ensure(connection)
