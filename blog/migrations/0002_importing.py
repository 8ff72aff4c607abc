# Reserved for import and export (issue 3), so that work on several issues at once keeps one
# linear migration history. Fill in its operations; keep its name and dependency.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="post",
            name="source_front_matter",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="post",
            name="source_fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="post",
            name="source_format",
            field=models.CharField(blank=True, editable=False, max_length=10),
        ),
        migrations.AddField(
            model_name="post",
            name="source_images",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
    ]
