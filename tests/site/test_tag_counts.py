"""The tag index's counts are computed once per state of the site, and never stale."""

from django.core.cache import cache
from django.test import TestCase
from taggit.models import Tag

from blog.models import Post
from tests.support.factories import make_post
from tests.support.site import count_queries


class TagCountsTests(TestCase):
    def setUp(self):
        cache.clear()
        make_post(title="Un", tags=["freelance", "devis"])
        make_post(title="Deux", tags=["freelance"])

    def test_kept_while_the_site_does_not_change(self):
        """The second /tags/ costs one query less (the counts) and shows the same counts."""
        first = count_queries(self.client, "/tags/")
        self.assertEqual(count_queries(self.client, "/tags/"), first - 1)
        response = self.client.get("/tags/")
        self.assertEqual(
            [(t.name, t.num_posts) for t in response.context["tags"]],
            [("freelance", 2), ("devis", 1)],
        )

    def test_a_new_post_counts_at_once(self):
        self.client.get("/tags/")
        make_post(title="Trois", tags=["devis"])
        self.assertContains(self.client.get("/tags/"), "2 articles", count=2)

    def test_a_deleted_post_uncounts_at_once(self):
        self.client.get("/tags/")
        Post.objects.get(title="Deux").delete()
        self.assertNotContains(self.client.get("/tags/"), "2 articles")

    def test_a_renamed_tag_shows_at_once(self):
        self.client.get("/tags/")
        tag = Tag.objects.get(name="devis")
        tag.name = "Devis et factures"
        tag.save()
        self.assertContains(self.client.get("/tags/"), "#Devis et factures")

    def test_drafts_tags_never_count(self):
        make_post(title="Brouillon", status=Post.Status.DRAFT, tags=["secret", "devis"])
        response = self.client.get("/tags/")
        self.assertNotContains(response, "secret")
        self.assertContains(response, "1 article<")
