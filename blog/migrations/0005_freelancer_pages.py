# Reserved for the freelancer's own pages (issue 6): site identity, pages, contact messages.
# Fill in its operations; keep its name and dependency.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("blog", "0004_authoring")]

    operations = []
