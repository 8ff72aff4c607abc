import datetime as dt
import re

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from tests.support.factories import make_image, make_post, make_staff, post_form_data

CHANGELIST = reverse("admin:blog_post_changelist")
ADD = reverse("admin:blog_post_add")
NEW_POST = {
    "title": "Nouvel article",
    "description": "Résumé",
    "body": "Du **Markdown**",
    "tags": "freelancing, Carrière",
    "status": "published",
    "featured": "on",
}


class AccessTests(TestCase):
    def test_anonymous_is_sent_to_login(self):
        response = self.client.get(CHANGELIST)
        self.assertRedirects(response, f"/admin/login/?next={CHANGELIST}")

    def test_non_staff_is_sent_to_login(self):
        make_staff("lecteur", is_staff=False, is_superuser=False)
        self.client.login(username="lecteur", password="mot-de-passe-solide")
        response = self.client.get("/admin/")
        self.assertRedirects(response, "/admin/login/?next=/admin/")


class ChangeListTests(TestCase):
    def setUp(self):
        self.client.force_login(make_staff())

    def test_states_at_a_glance(self):
        make_post(title="En ligne")
        make_post(title="Brouillon", status=Post.Status.DRAFT)
        make_post(title="Plus tard", pub_date=timezone.now() + dt.timedelta(days=2))
        response = self.client.get(CHANGELIST)
        self.assertContains(response, "carnet-state--published")
        self.assertContains(response, "carnet-state--draft")
        self.assertContains(response, "carnet-state--scheduled")
        self.assertContains(response, "Programmé")

    def test_filter_by_state(self):
        make_post(title="En ligne")
        make_post(title="Plus tard", pub_date=timezone.now() + dt.timedelta(days=2))
        response = self.client.get(CHANGELIST, {"state": "scheduled"})
        self.assertEqual([p.title for p in response.context["cl"].result_list], ["Plus tard"])

    def test_search_in_body(self):
        make_post(title="Un", body="parle de **Upwork**")
        make_post(title="Deux", body="autre chose")
        response = self.client.get(CHANGELIST, {"q": "upwork"})
        self.assertEqual([p.title for p in response.context["cl"].result_list], ["Un"])

    def test_query_count_does_not_grow_with_posts(self):
        def count_queries():
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(CHANGELIST).status_code, 200)
            return len(queries)

        for n in range(3):
            make_post(tags=["a", f"t{n}"])
        few = count_queries()
        for n in range(30):
            make_post(tags=["a", f"u{n}"], featured=n % 2 == 0)
        self.assertEqual(count_queries(), few)

    def test_thumbnail_in_list(self):
        post = make_post(title="Illustré", image=make_image(), image_alt="Un bureau")
        response = self.client.get(CHANGELIST)
        self.assertContains(response, f'src="{post.image.url}" alt="Un bureau"')


class EditTests(TestCase):
    def setUp(self):
        self.client.force_login(make_staff())

    def form_data(self, **overrides):
        return post_form_data(**(NEW_POST | overrides))

    def test_add_a_post(self):
        response = self.client.post(ADD, self.form_data())
        self.assertRedirects(response, CHANGELIST)
        post = Post.objects.get()
        self.assertEqual(post.slug, "nouvel-article")
        self.assertEqual(post.body_html, "<p>Du <strong>Markdown</strong></p>")
        self.assertTrue(post.featured)
        self.assertEqual(sorted(post.tags.names()), ["Carrière", "freelancing"])
        self.assertEqual(
            timezone.localtime(post.pub_date).strftime("%Y-%m-%d %H:%M"), "2020-05-23 13:37"
        )

    def test_image_without_alt_is_a_form_error(self):
        response = self.client.post(ADD, {**self.form_data(), "image": make_image()})
        self.assertEqual(response.status_code, 200)
        self.assertIn("image_alt", response.context["adminform"].form.errors)
        self.assertFalse(Post.objects.exists())

    def test_add_with_image_and_alt(self):
        response = self.client.post(
            ADD, {**self.form_data(image_alt="Un bureau"), "image": make_image()}
        )
        self.assertRedirects(response, CHANGELIST)
        post = Post.objects.get()
        self.assertEqual((post.image_width, post.image_height), (120, 80))

    def test_change_a_post(self):
        post = make_post(title="Avant")
        url = reverse("admin:blog_post_change", args=[post.pk])
        response = self.client.get(url)
        self.assertContains(response, "Avant")
        self.assertContains(response, "Voir sur le site")
        response = self.client.post(
            url, self.form_data(title="Après", slug=post.slug, body="# Neuf")
        )
        self.assertRedirects(response, CHANGELIST)
        post.refresh_from_db()
        self.assertEqual(post.title, "Après")
        self.assertIn('<h1 id="neuf">Neuf</h1>', post.body_html)

    def test_slug_clash_is_a_form_error(self):
        make_post(title="Pris", slug="pris")
        response = self.client.post(ADD, self.form_data(slug="pris"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("slug", response.context["adminform"].form.errors)

    def test_the_image_buttons_placeholder_description_is_refused(self):
        """« Décrivez l'image », as the image button writes it, would be read out to readers."""
        body = "Avant.\n\n![Décrivez l'image](/media/uploads/2020/05/photo.jpg)\n"
        response = self.client.post(ADD, self.form_data(body=body))
        self.assertEqual(response.status_code, 200)
        [error] = response.context["adminform"].form.errors["body"]
        self.assertIn("« Décrivez l'image »", error)
        self.assertIn("remplacez-la", error)
        self.assertFalse(Post.objects.exists())

    def test_the_english_placeholder_is_refused_too(self):
        body = "![Describe the image](/media/uploads/2020/05/photo.jpg)"
        response = self.client.post(ADD, self.form_data(body=body))
        self.assertIn(
            "« Describe the image »", response.context["adminform"].form.errors["body"][0]
        )
        self.assertFalse(Post.objects.exists())

    def test_a_described_or_decorative_image_is_saved(self):
        body = "![Un bureau en bois](/media/a.jpg)\n\n![](/media/filet.png)"
        response = self.client.post(ADD, self.form_data(body=body))
        self.assertRedirects(response, CHANGELIST)
        self.assertEqual(Post.objects.get().body, body)

    def test_rendered_html_is_not_editable(self):
        response = self.client.get(ADD)
        self.assertNotContains(response, 'name="body_html"')


class ActionTests(TestCase):
    def setUp(self):
        self.client.force_login(make_staff())

    def act(self, action, *posts):
        return self.client.post(
            CHANGELIST,
            {"action": action, "_selected_action": [p.pk for p in posts]},
            follow=True,
        )

    def test_publish_now(self):
        draft = make_post(status=Post.Status.DRAFT)
        later = make_post(pub_date=timezone.now() + dt.timedelta(days=3))
        response = self.act("publish_now", draft, later)
        self.assertContains(response, "2 articles publiés.")
        self.assertEqual(Post.objects.published().count(), 2)

    def test_unpublish(self):
        post = make_post()
        self.assertContains(self.act("unpublish", post), "1 article repassé en brouillon.")
        post.refresh_from_db()
        self.assertEqual(post.status, Post.Status.DRAFT)

    def test_feature_and_unfeature(self):
        post = make_post()
        self.act("feature", post)
        self.assertTrue(Post.objects.get(pk=post.pk).featured)
        self.act("unfeature", post)
        self.assertFalse(Post.objects.get(pk=post.pk).featured)

    def test_featured_is_editable_in_the_list(self):
        post = make_post()
        response = self.client.get(CHANGELIST)
        self.assertContains(response, 'name="form-0-featured"')
        self.assertEqual(response.context["cl"].result_list[0], post)


class TagAdminTests(TestCase):
    def test_tags_with_post_counts(self):
        self.client.force_login(make_staff())
        make_post(tags=["freelancing", "article"])
        make_post(tags=["freelancing"])
        response = self.client.get(reverse("admin:taggit_tag_changelist"))
        self.assertEqual(
            {tag.name: tag.post_count for tag in response.context["cl"].result_list},
            {"freelancing": 2, "article": 1},
        )


class FaviconTests(TestCase):
    """The admin's tabs show the site's icon, served as an image under the CSP (img-src 'self')."""

    def icon_href(self, url: str) -> str:
        html = self.client.get(url).content.decode()
        [href] = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
        return href

    def test_admin_pages_link_the_favicon(self):
        hrefs = {self.icon_href(reverse("admin:login"))}
        self.client.force_login(make_staff())
        post = make_post()
        for url in (
            reverse("admin:index"),
            CHANGELIST,
            ADD,
            reverse("admin:blog_post_change", args=[post.pk]),
            reverse("admin:blog_post_delete", args=[post.pk]),
        ):
            with self.subTest(url=url):
                hrefs.add(self.icon_href(url))
        [href] = hrefs
        self.assertTrue(href.startswith("/static/"), href)
        icon = self.client.get(href)
        self.assertEqual(icon.status_code, 200)
        self.assertEqual(icon["Content-Type"], "image/svg+xml")
        self.assertIn(b"<svg", b"".join(icon.streaming_content))

    def test_the_admin_header_is_kept(self):
        response = self.client.get(reverse("admin:login"))
        self.assertContains(
            response, '<div id="site-name"><a href="/admin/">Carnet : écriture</a></div>', html=True
        )
        self.assertContains(response, "<title>Connexion | Carnet</title>", html=True)
