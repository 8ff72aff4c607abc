"""The page cache never serves a stale page: changes made outside Post.save() show at once."""

from django.core.cache import cache
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from taggit.models import Tag

from tests.support.factories import make_post, make_staff


@override_settings(CARNET_PAGE_CACHE_SECONDS=600)
class CacheFreshnessTests(TestCase):
    def setUp(self):
        cache.clear()
        self.reader = Client()
        self.editor = Client()
        self.editor.force_login(make_staff())

    def act(self, action, post):
        self.editor.post(
            reverse("admin:blog_post_changelist"),
            {"action": action, "_selected_action": [post.pk]},
        )

    def test_featuring_from_the_list_shows_on_the_cached_home_page(self):
        post = make_post(title="Bientôt à la une")
        before = self.reader.get("/")
        self.assertNotIn(post, before.context["featured_posts"])
        self.act("feature", post)
        after = self.reader.get("/")
        self.assertNotEqual(before["ETag"], after["ETag"])
        self.assertIn("Bientôt à la une", after.content.decode().split("latest-heading")[0])

    def test_unpublishing_from_the_list_removes_the_post_at_once(self):
        post = make_post(title="Bientôt retiré")
        self.assertContains(self.reader.get("/"), "Bientôt retiré")
        self.act("unpublish", post)
        self.assertNotContains(self.reader.get("/"), "Bientôt retiré")

    def test_renamed_tag_shows_its_new_name(self):
        make_post(tags=["freelance"])
        self.assertContains(self.reader.get("/"), "#freelance<")
        tag = Tag.objects.get()
        tag.name = "Freelancing"
        tag.save()
        self.assertContains(self.reader.get("/"), "#Freelancing<")

    def test_tag_deleted_in_the_admin_leaves_every_page_at_once(self):
        post = make_post(title="Étiqueté", tags=["freelance", "carriere"])
        for address in ("/", post.get_absolute_url(), "/tags/"):
            self.assertContains(self.reader.get(address), "#freelance<")
        tag = Tag.objects.get(name="freelance")
        reply = self.editor.post(reverse("admin:taggit_tag_delete", args=[tag.pk]), {"post": "yes"})
        self.assertEqual(reply.status_code, 302)
        for address in ("/", post.get_absolute_url(), "/tags/"):
            with self.subTest(address=address):
                page = self.reader.get(address)
                self.assertNotContains(page, "#freelance<")
                self.assertContains(page, "#carriere<")
