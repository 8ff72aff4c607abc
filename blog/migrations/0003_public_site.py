# Reserved for the public site (issue 4), so that work on several issues at once keeps one
# linear migration history. Fill in its operations; keep its name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("blog", "0002_importing")]

    operations = []
