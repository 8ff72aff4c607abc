"""The archive links are rendered once per state of the site, and never stale."""

import datetime as dt
import re

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post
from tests.support.factories import make_post
from tests.support.site import count_queries


class ArchiveLinksTests(TestCase):
    def setUp(self):
        cache.clear()
        make_post(title="Mai", pub_date=dt.datetime(2025, 5, 10, 12, tzinfo=dt.UTC))
        make_post(title="Juin", pub_date=dt.datetime(2025, 6, 10, 12, tzinfo=dt.UTC))

    def test_kept_while_the_site_does_not_change(self):
        """The second list page costs one query less (the months), and shows the same links."""
        first = count_queries(self.client, "/blog/")
        html = self.client.get("/blog/").content
        self.assertEqual(count_queries(self.client, "/blog/"), first - 1)
        self.assertIn(b'href="/archive/2025/05/"', html)
        self.assertIn(b'href="/archive/2025/06/"', html)

    def test_a_new_month_shows_at_once(self):
        self.client.get("/blog/")
        make_post(title="Mars", pub_date=dt.datetime(2024, 3, 10, 12, tzinfo=dt.UTC))
        self.assertContains(self.client.get("/blog/"), 'href="/archive/2024/03/"')

    def test_a_deleted_month_goes_at_once(self):
        self.client.get("/blog/")
        Post.objects.get(title="Mai").delete()
        self.assertNotContains(self.client.get("/blog/"), 'href="/archive/2025/05/"')

    def test_a_scheduled_post_going_live_adds_its_month(self):
        soon = make_post(title="Bientôt", pub_date=timezone.now() + dt.timedelta(hours=1))
        live = timezone.now() - dt.timedelta(seconds=1)
        month = timezone.localtime(live).strftime("/archive/%Y/%m/")
        self.assertNotContains(self.client.get("/blog/"), f'href="{month}"')
        # Its time comes (no write to the post's `updated`).
        Post.objects.filter(pk=soon.pk).update(pub_date=live)
        self.assertContains(self.client.get("/blog/"), f'href="{month}"')

    def test_drafts_months_never_show(self):
        make_post(
            title="Brouillon",
            status=Post.Status.DRAFT,
            pub_date=dt.datetime(2023, 1, 10, 12, tzinfo=dt.UTC),
        )
        self.assertNotContains(self.client.get("/blog/"), 'href="/archive/2023/01/"')

    def test_the_year_archive_takes_its_months_from_the_kept_archive(self):
        """A year's page lists its months without a query over the year's posts once the
        archive is kept, and a new month of that year shows at once."""
        self.client.get("/blog/")
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get("/archive/2025/")
        self.assertEqual([q for q in queries if "trunc" in q["sql"]], [])
        months = re.findall(r'href="(/archive/2025/\d\d/)"', response.content.decode())
        self.assertEqual(months[:2], ["/archive/2025/05/", "/archive/2025/06/"])
        make_post(title="Août", pub_date=dt.datetime(2025, 8, 10, 12, tzinfo=dt.UTC))
        self.assertContains(self.client.get("/archive/2025/"), 'href="/archive/2025/08/"')
        self.assertEqual(self.client.get("/archive/2019/").status_code, 404)
