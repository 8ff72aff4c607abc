# The public site (issue 4): the full-text search index (blog/search_index.py says how).
from django.db import migrations


def create_index(apps, schema_editor):
    from blog import search_index

    search_index.ensure(schema_editor.connection)


def drop_index(apps, schema_editor):
    from blog import search_index

    search_index.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("blog", "0002_importing")]

    operations = [migrations.RunPython(create_index, drop_index)]
