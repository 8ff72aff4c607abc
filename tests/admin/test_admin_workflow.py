"""The editor's workflow: buttons on the form, preview links, slug changes, tag suggestions."""

import datetime as dt

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from blog.models import Post, Redirect
from tests.support.factories import make_post, make_staff, post_form_data

CHANGELIST = reverse("admin:blog_post_changelist")


def change_url(post):
    return reverse("admin:blog_post_change", args=[post.pk])


class FormButtonTests(TestCase):
    def setUp(self):
        self.client.force_login(make_staff())

    def test_publish_now_button_saves_and_publishes(self):
        draft = make_post(status=Post.Status.DRAFT, pub_date=timezone.now() + dt.timedelta(days=9))
        response = self.client.post(
            change_url(draft),
            {**post_form_data(draft, title="Prêt"), "_publish_now": "1"},
            follow=True,
        )
        self.assertContains(response, "article est publié.")
        draft.refresh_from_db()
        self.assertEqual(draft.title, "Prêt")
        self.assertTrue(draft.is_published)
        self.assertEqual(response.redirect_chain[-1][0], change_url(draft))

    def test_unpublish_feature_and_unfeature_buttons(self):
        post = make_post()
        self.client.post(change_url(post), {**post_form_data(post), "_feature": "1"})
        post.refresh_from_db()
        self.assertTrue(post.featured)
        self.client.post(change_url(post), {**post_form_data(post), "_unfeature": "1"})
        post.refresh_from_db()
        self.assertFalse(post.featured)
        self.client.post(change_url(post), {**post_form_data(post), "_unpublish": "1"})
        post.refresh_from_db()
        self.assertEqual(post.status, Post.Status.DRAFT)

    def test_buttons_offered_by_state(self):
        draft = make_post(status=Post.Status.DRAFT)
        page = self.client.get(change_url(draft))
        self.assertContains(page, 'name="_publish_now"')
        self.assertNotContains(page, 'name="_unpublish"')
        live = make_post()
        page = self.client.get(change_url(live))
        self.assertContains(page, 'name="_unpublish"')
        self.assertNotContains(page, 'name="_publish_now"')

    def test_view_on_site_for_published_preview_for_the_rest(self):
        live = make_post()
        page = self.client.get(change_url(live))
        self.assertContains(page, "Voir sur le site")
        self.assertNotContains(page, "carnet-preview-link")
        for post in [
            make_post(status=Post.Status.DRAFT),
            make_post(pub_date=timezone.now() + dt.timedelta(days=1)),
        ]:
            page = self.client.get(change_url(post))
            self.assertContains(
                page,
                f'<a href="{post.get_absolute_url()}" class="viewsitelink carnet-preview-link"',
            )
            self.assertContains(page, ">Aperçu</a>")
            self.assertNotContains(page, "Voir sur le site")

    def test_scheduled_state_shown_on_the_form(self):
        post = make_post(pub_date=timezone.now() + dt.timedelta(days=1))
        self.assertContains(
            self.client.get(change_url(post)),
            '<span class="carnet-state carnet-state--scheduled">Programmé</span>',
        )

    def test_editor_assets_and_config_on_the_form(self):
        page = self.client.get(reverse("admin:blog_post_add"))
        self.assertContains(page, "blog/admin/editor.js")
        self.assertContains(page, "blog/admin/editor.css")
        self.assertContains(page, 'id="carnet-editor-config"')
        self.assertContains(page, reverse("admin:blog_post_preview"))
        # The textarea is a plain form field: without JavaScript it still posts.
        self.assertContains(page, '<textarea name="body"')
        self.assertContains(page, "Dites ce que montre l")


class SlugChangeTests(TestCase):
    def setUp(self):
        self.client.force_login(make_staff())

    def test_changing_a_published_slug_keeps_the_old_address(self):
        post = make_post(slug="ancien-titre")
        self.client.post(change_url(post), post_form_data(post, slug="nouveau-titre"))
        redirect = Redirect.objects.get()
        self.assertEqual(redirect.old_path, "/blog/ancien-titre/")
        self.assertEqual(redirect.post, post)
        self.assertEqual(redirect.target_url, "/blog/nouveau-titre/")
        page = self.client.get(change_url(post))
        self.assertContains(page, 'value="/blog/ancien-titre/"')  # shown and editable

    def test_the_old_address_leads_to_the_post(self):
        post = make_post(slug="ancien-titre")
        self.client.post(change_url(post), post_form_data(post, slug="nouveau-titre"))
        self.client.logout()
        response = self.client.get("/blog/ancien-titre/")
        self.assertRedirects(response, "/blog/nouveau-titre/", status_code=301)

    def test_a_draft_slug_change_leaves_no_redirect(self):
        post = make_post(slug="brouillon", status=Post.Status.DRAFT)
        self.client.post(change_url(post), post_form_data(post, slug="autre"))
        self.assertFalse(Redirect.objects.exists())
        self.assertEqual(Post.objects.get().slug, "autre")

    def test_going_back_to_an_old_slug_removes_its_redirect(self):
        post = make_post(slug="un")
        self.client.post(change_url(post), post_form_data(post, slug="deux"))
        post.refresh_from_db()
        self.client.post(change_url(post), post_form_data(post, slug="un"))
        self.assertEqual(list(Redirect.objects.values_list("old_path", flat=True)), ["/blog/deux/"])

    def test_a_slug_clash_is_a_clear_error(self):
        make_post(slug="pris")
        post = make_post(slug="libre")
        response = self.client.post(change_url(post), post_form_data(post, slug="pris"))
        self.assertContains(
            response, "Un autre article a déjà cette adresse : choisissez un autre identifiant."
        )
        self.assertFalse(Redirect.objects.exists())


class TagSuggestionTests(TestCase):
    def test_existing_tags_starting_then_containing(self):
        self.client.force_login(make_staff())
        make_post(tags=["freelancing", "Freelance", "Carrière", "auto-freelance"])
        response = self.client.get(reverse("admin:blog_post_tag_names"), {"q": "free"})
        self.assertEqual(response.json(), {"tags": ["Freelance", "freelancing", "auto-freelance"]})

    def test_staff_only(self):
        response = self.client.get(reverse("admin:blog_post_tag_names"), {"q": "a"})
        self.assertEqual(response.status_code, 302)


class FrenchAdminTests(TestCase):
    def test_admin_and_our_strings_in_french(self):
        self.client.force_login(make_staff())
        page = self.client.get(reverse("admin:blog_post_add"))
        self.assertContains(page, "Enregistrer et continuer les modifications")  # Django's
        self.assertContains(page, "Carnet : écriture")  # ours
        self.assertContains(page, "Publier maintenant")
