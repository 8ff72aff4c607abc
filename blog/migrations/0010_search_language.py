# PostgreSQL search stems each post in its own language (issue 12): the triggers store the
# post's text-search configuration beside its vector, and every existing post is re-indexed.
# SQLite's FTS5 index has no stemming: nothing changes there.
from django.db import migrations


def per_language(apps, schema_editor):
    from blog import search_index

    search_index.rebuild(schema_editor.connection, per_language=True)


def french_only(apps, schema_editor):
    from blog import search_index

    # Back to French for every post, and triggers that no longer read `language` (0008 could
    # not drop the column while a trigger is declared on it).
    search_index.rebuild(schema_editor.connection, per_language=False)


class Migration(migrations.Migration):
    dependencies = [("blog", "0009_authors")]

    operations = [migrations.RunPython(per_language, french_only)]
