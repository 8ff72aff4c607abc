# Contact messages past the hourly limit are kept and flagged, not silently dropped (issue 9);
# the limit counts stored messages (by address and by a keyed hash of the network address)
# instead of a cache that page cache entries could evict.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0006_search_visible_text")]

    operations = [
        migrations.AddField(
            model_name="contactmessage",
            name="rate_limited",
            field=models.BooleanField(
                db_index=True,
                default=False,
                help_text=(
                    "Sent past the hourly limit for its address or its network: kept here, "
                    "not mailed."
                ),
                verbose_name="over the limit",
            ),
        ),
        migrations.AddField(
            model_name="contactmessage",
            name="sender_network",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
    ]
