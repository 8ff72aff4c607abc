"""Roles: an Auteur writes and previews drafts, an Éditeur publishes; nobody else gets in."""

import datetime as dt

from django.contrib.auth.models import Group
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from tests.support.factories import make_post, make_staff, own, post_form_data

CHANGELIST = reverse("admin:blog_post_changelist")
ADD = reverse("admin:blog_post_add")


def member(group_name, username):
    user = make_staff(username, is_superuser=False)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def new_post_data(**overrides):
    new = {"title": "Écrit par l'autrice", "body": "Texte", "status": "published", "featured": "on"}
    return post_form_data(**(new | overrides))


class GroupsTests(TestCase):
    def test_the_migration_creates_both_groups(self):
        author = Group.objects.get(name="Auteur")
        editor = Group.objects.get(name="Éditeur")
        self.assertNotIn("publish_post", author.permissions.values_list("codename", flat=True))
        self.assertIn("publish_post", editor.permissions.values_list("codename", flat=True))


class AuthorTests(TestCase):
    def setUp(self):
        self.author = member("Auteur", "autrice")
        self.client.force_login(self.author)

    def test_writes_a_draft_even_when_asking_to_publish(self):
        response = self.client.post(ADD, new_post_data())
        self.assertRedirects(response, CHANGELIST)
        post = Post.objects.get()
        self.assertEqual(post.status, Post.Status.DRAFT)
        self.assertFalse(post.featured)

    def test_sees_no_publishing_controls(self):
        page = self.client.get(ADD)
        self.assertNotContains(page, 'name="status"')
        self.assertNotContains(page, 'name="_publish_now"')
        listing = self.client.get(CHANGELIST)
        self.assertNotContains(listing, 'value="publish_now"')
        self.assertNotContains(listing, 'name="form-0-featured"')

    def test_cannot_publish_through_the_list_action(self):
        draft = make_post(status=Post.Status.DRAFT)
        self.client.post(CHANGELIST, {"action": "publish_now", "_selected_action": [draft.pk]})
        draft.refresh_from_db()
        self.assertEqual(draft.status, Post.Status.DRAFT)

    def test_cannot_publish_through_the_form_button(self):
        draft = make_post(status=Post.Status.DRAFT)
        data = new_post_data(title=draft.title, slug=draft.slug, _publish_now="1")
        self.client.post(reverse("admin:blog_post_change", args=[draft.pk]), data)
        draft.refresh_from_db()
        self.assertEqual(draft.status, Post.Status.DRAFT)

    def test_cannot_change_a_published_post(self):
        live = own(make_post(title="En ligne"), self.author)  # hers, yet published
        url = reverse("admin:blog_post_change", args=[live.pk])
        self.assertNotContains(self.client.get(url), 'name="title"')
        self.client.post(url, new_post_data(title="Modifié", slug=live.slug))
        live.refresh_from_db()
        self.assertEqual(live.title, "En ligne")

    def test_may_see_a_draft_page(self):
        draft = make_post(status=Post.Status.DRAFT, title="Pas encore")
        self.assertContains(self.client.get(draft.get_absolute_url()), "Pas encore")


class EditorTests(TestCase):
    def setUp(self):
        self.client.force_login(member("Éditeur", "editeur"))

    def test_publishes_and_features(self):
        response = self.client.post(ADD, new_post_data())
        self.assertRedirects(response, CHANGELIST)
        post = Post.objects.get()
        self.assertTrue(post.is_published)
        self.assertTrue(post.featured)

    def test_publishes_a_scheduled_post_now_from_the_list(self):
        later = make_post(pub_date=timezone.now() + dt.timedelta(days=3))
        response = self.client.post(
            CHANGELIST, {"action": "publish_now", "_selected_action": [later.pk]}, follow=True
        )
        self.assertContains(response, "1 article publié.")
        self.assertTrue(Post.objects.get().is_published)

    def test_merges_tags(self):
        self.assertEqual(self.client.get(reverse("admin:taggit_tag_changelist")).status_code, 200)


class NobodyElseTests(TestCase):
    def test_staff_without_a_role_is_sent_to_login(self):
        self.client.force_login(make_staff("sans-role", is_superuser=False))
        response = self.client.get(CHANGELIST)
        self.assertRedirects(response, f"/admin/login/?next={CHANGELIST}")

    def test_a_role_without_staff_status_is_sent_to_login(self):
        user = member("Éditeur", "ancien")
        user.is_staff = False
        user.save()
        self.client.force_login(user)
        self.assertRedirects(self.client.get("/admin/"), "/admin/login/?next=/admin/")
