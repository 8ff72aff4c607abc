# Search's cost stays flat with the number of posts on SQLite (issue 13): the FTS5 table is
# made again with prefix indexes (blog/search_index.py, SQLITE_PREFIXES) and every post
# re-indexed. PostgreSQL's index is left as it is.
from django.db import migrations


def reindex(apps, schema_editor):
    from blog import search_index

    if schema_editor.connection.vendor == "sqlite":
        search_index.rebuild(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("blog", "0014_published_total")]

    # Backwards: nothing to undo (earlier code reads an index with prefixes as one without).
    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
