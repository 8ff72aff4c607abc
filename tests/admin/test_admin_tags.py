"""Tag admin: rename and merge; posts keep their tags and the old tag pages redirect."""

from django.test import TestCase
from django.urls import reverse
from taggit.models import Tag

from blog.models import Post, Redirect
from tests.support.factories import make_post, make_staff

TAGS = reverse("admin:taggit_tag_changelist")


class MergeTests(TestCase):
    def setUp(self):
        self.client.force_login(make_staff())
        self.a = make_post(title="A", tags=["freelance", "Carrière"])
        self.b = make_post(title="B", tags=["freelancing"])
        self.c = make_post(title="C", tags=["freelance", "freelancing"])

    def merge(self, *names, into=None):
        ids = [Tag.objects.get(name=n).pk for n in names]
        data = {"action": "merge", "_selected_action": ids}
        if into is not None:
            data["name"] = into
        return self.client.post(TAGS, data, follow=into is not None)

    def test_asks_which_name_to_keep(self):
        page = self.merge("freelance", "freelancing")
        self.assertTemplateUsed(page, "admin/blog/merge_tags.html")
        self.assertContains(page, "Nom de l&#x27;étiquette à garder")
        self.assertEqual(Tag.objects.count(), 3)

    def test_posts_keep_their_tags(self):
        response = self.merge("freelance", "freelancing", into="freelancing")
        self.assertContains(response, "1 étiquette fusionnée dans « freelancing ».")
        self.assertEqual(
            {p.title: sorted(p.tags.names()) for p in Post.objects.all()},
            {"A": ["Carrière", "freelancing"], "B": ["freelancing"], "C": ["freelancing"]},
        )
        self.assertFalse(Tag.objects.filter(name="freelance").exists())

    def test_into_a_new_name(self):
        self.merge("freelance", "freelancing", into="Indépendance")
        tag = Tag.objects.get(name="Indépendance")
        self.assertEqual(tag.slug, "independance")
        self.assertEqual(Post.objects.filter(tags=tag).count(), 3)
        self.assertEqual(
            set(Redirect.objects.values_list("old_path", "new_path")),
            {
                ("/tags/freelance/", "/tags/independance/"),
                ("/tags/freelancing/", "/tags/independance/"),
            },
        )

    def test_the_old_tag_page_redirects(self):
        self.merge("freelance", "freelancing", into="freelancing")
        response = self.client.get("/tags/freelance/")
        self.assertRedirects(response, "/tags/freelancing/", status_code=301)


class RenameTests(TestCase):
    def test_a_new_slug_redirects_the_old_tag_page(self):
        self.client.force_login(make_staff())
        make_post(tags=["Carriere"])
        tag = Tag.objects.get()
        url = reverse("admin:taggit_tag_change", args=[tag.pk])
        response = self.client.post(url, {"name": "Carrière", "slug": "carriere-pro"})
        self.assertRedirects(response, TAGS)
        tag.refresh_from_db()
        self.assertEqual(tag.name, "Carrière")
        redirect = Redirect.objects.get()
        self.assertEqual(
            (redirect.old_path, redirect.new_path), ("/tags/carriere/", "/tags/carriere-pro/")
        )
        self.assertEqual(Post.objects.filter(tags__name="Carrière").count(), 1)
