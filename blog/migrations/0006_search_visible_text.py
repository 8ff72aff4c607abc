# Search reads what a reader sees (issue 9): the index held the raw Markdown, so an HTML
# comment, a stripped <script>, a link URL or an attribute could be found and shown in a
# snippet. Posts keep the visible text of their sanitized HTML (body_text); the triggers
# index it, and every existing post is re-indexed here.
from django.db import migrations, models

BATCH = 500


def fill_body_text(apps, schema_editor):
    from blog.text import visible_text

    Post = apps.get_model("blog", "Post")
    manager = Post.objects.using(schema_editor.connection.alias)
    posts = manager.only("id", "body_html").order_by("id")
    batch = []
    for post in posts.iterator(chunk_size=BATCH):
        post.body_text = visible_text(post.body_html)
        batch.append(post)
        if len(batch) >= BATCH:
            manager.bulk_update(batch, ["body_text"])
            batch = []
    if batch:
        manager.bulk_update(batch, ["body_text"])


def reindex(apps, schema_editor):
    from blog import search_index

    search_index.rebuild(schema_editor.connection)


def reindex_from_markdown(apps, schema_editor):
    from blog import search_index

    # Back to the triggers of 0003–0005 before body_text goes (SQLite refuses to drop a
    # column that a trigger reads).
    search_index.rebuild(schema_editor.connection, "body")


class Migration(migrations.Migration):
    dependencies = [("blog", "0005_freelancer_pages")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="body_text",
            field=models.TextField(blank=True, editable=False, verbose_name="body text"),
        ),
        migrations.RunPython(fill_body_text, migrations.RunPython.noop),
        migrations.RunPython(reindex, reindex_from_markdown),
    ]
