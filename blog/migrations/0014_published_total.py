# The public state in bounded time (issue 13): the newest edit of a visible post read from an
# index, and the count of published posts kept by the database (blog/published_total.py).

from django.db import migrations, models


def create_total(apps, schema_editor):
    from blog import published_total

    published_total.ensure(schema_editor.connection)


def drop_total(apps, schema_editor):
    from blog import published_total

    published_total.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("blog", "0013_admin_sort_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["status", "updated", "pub_date"], name="post_status_updated"),
        ),
        migrations.RunPython(create_total, drop_total),
    ]
