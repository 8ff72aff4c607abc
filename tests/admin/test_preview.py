"""The editor's live preview: the public post template, staff only, CSRF-protected, sanitized."""

import io
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client, TestCase
from django.urls import reverse
from PIL import Image
from taggit.models import Tag

from blog.models import Post, Redirect
from tests.support.factories import make_image, make_post, make_staff, post_form_data
from tests.support.importing import media_files

PREVIEW = reverse("admin:blog_post_preview")


def form_data(**overrides):
    preview = {
        "title": "Aperçu d'un article",
        "description": "Un résumé",
        "body": "## Bonjour\n\nDu **Markdown** et un lien [ici](https://example.org).",
        "tags": "freelancing, Carrière",
    }
    return post_form_data(**(preview | overrides))


class PreviewTests(TestCase):
    def setUp(self):
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(make_staff())

    def preview(self, url=PREVIEW, **data):
        # A page of the editor first: it sets the CSRF cookie the editor's script sends back.
        self.client.get(reverse("admin:blog_post_add"))
        token = self.client.cookies["csrftoken"].value
        return self.client.post(url, form_data(**data), HTTP_X_CSRFTOKEN=token)

    def test_renders_the_public_post_template(self):
        response = self.preview()
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "blog/post_detail.html")
        self.assertContains(response, "<h1>Aperçu d&#x27;un article</h1>", html=False)
        self.assertContains(response, '<h2 id="bonjour">Bonjour</h2>')
        self.assertContains(response, "<strong>Markdown</strong>")
        self.assertContains(response, "23 mai 2020")
        self.assertContains(response, "1 min")
        self.assertContains(response, "Carrière")
        self.assertContains(response, "freelancing")
        self.assertContains(response, '<meta name="robots" content="noindex">')
        self.assertEqual(response["X-Robots-Tag"], "noindex")

    def test_an_image_just_inserted_is_shown_with_its_placeholder(self):
        """Saving refuses « Décrivez l'image »; the preview still shows the image as typed."""
        response = self.preview(body="Avant.\n\n![Décrivez l'image](/media/uploads/a.jpg)")
        self.assertContains(response, '<img alt="Décrivez l\'image" src="/media/uploads/a.jpg"')
        self.assertContains(response, "Avant.")

    def test_nothing_is_saved(self):
        self.preview()
        self.assertFalse(Post.objects.exists())
        self.assertFalse(Tag.objects.exists())

    def test_an_existing_post_is_previewed_with_its_changes_and_left_alone(self):
        post = make_post(title="Avant", body="Ancien", tags=["ancien"])
        url = reverse("admin:blog_post_preview", kwargs={"object_id": post.pk})
        response = self.preview(url, title="Après", slug=post.slug, body="Nouveau", tags="neuf")
        self.assertContains(response, "Après")
        self.assertContains(response, "Nouveau")
        self.assertContains(response, "neuf")
        self.assertNotContains(response, "ancien")
        post.refresh_from_db()
        self.assertEqual((post.title, post.body), ("Avant", "Ancien"))
        self.assertEqual(list(post.tags.names()), ["ancien"])

    def test_the_saved_featured_image_is_shown(self):
        post = make_post(image=make_image(), image_alt="Un bureau")
        url = reverse("admin:blog_post_preview", kwargs={"object_id": post.pk})
        response = self.preview(url, slug=post.slug, image_alt="Un bureau")
        # The public template may serve a resized rendition of it: the same file name.
        stem = Path(post.image.name).stem
        self.assertRegex(
            response.content.decode(),
            rf'<img [^>]*src="{re.escape(settings.MEDIA_URL)}[^"]*{stem}[^"]*"[^>]*alt="Un bureau"',
        )

    def test_a_body_opening_with_the_featured_image_shows_it_once(self):
        post = make_post(image=make_image(), image_alt="Un bureau")
        url = reverse("admin:blog_post_preview", kwargs={"object_id": post.pk})
        body = f"![Le même bureau]({post.image.url})\n\nLa suite."
        response = self.preview(url, slug=post.slug, image_alt="Un bureau", body=body)
        html = response.content.decode()
        stem = Path(post.image.name).stem
        self.assertEqual(len(re.findall(rf'<img [^>]*src="[^"]*{stem}', html)), 1)
        self.assertContains(response, 'alt="Un bureau"')
        self.assertNotContains(response, "Le même bureau")
        self.assertContains(response, "La suite.")

    def test_a_chosen_image_is_shown_before_it_is_saved(self):
        self.client.get(reverse("admin:blog_post_add"))
        token = self.client.cookies["csrftoken"].value
        buffer = io.BytesIO()
        Image.new("RGB", (30, 20), "red").save(buffer, "PNG")
        buffer.seek(0)
        buffer.name = "choisie.png"
        response = self.client.post(
            PREVIEW,
            {**form_data(image_alt="Un carré rouge"), "image": buffer},
            HTTP_X_CSRFTOKEN=token,
        )
        self.assertContains(response, 'src="data:image/jpeg;base64,')
        self.assertContains(response, 'alt="Un carré rouge"')
        self.assertEqual(media_files(), [], "no file written")

    def test_markdown_is_sanitized(self):
        body = (
            "<script>alert('x')</script>\n\n"
            '<img src="x" onerror="alert(1)">\n\n'
            "[clic](javascript:alert(1))"
        )
        response = self.preview(body=body)
        content = response.content.decode()
        prose = content[content.index('class="prose"') :]
        self.assertNotIn("<script>alert", prose)
        self.assertNotIn("onerror", prose)
        self.assertNotIn("javascript:", prose)

    def test_csrf_is_enforced(self):
        response = self.client.post(PREVIEW, form_data())
        self.assertEqual(response.status_code, 403)

    def test_get_is_not_allowed(self):
        self.assertEqual(self.client.get(PREVIEW).status_code, 405)

    def test_body_too_large_says_so(self):
        response = self.preview(body="a" * (600 * 1024))
        self.assertContains(response, 'role="alert"')


class PreviewAccessTests(TestCase):
    def test_anonymous_is_sent_to_login(self):
        response = self.client.post(PREVIEW, form_data())
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
        self.assertFalse(Post.objects.exists())

    def test_staff_without_a_role_is_sent_to_login(self):
        self.client.force_login(make_staff("sans-role", is_superuser=False))
        response = self.client.post(PREVIEW, form_data())
        self.assertEqual(response.status_code, 302)

    def test_an_author_may_preview(self):
        author = make_staff("autrice", is_superuser=False)
        author.groups.add(Group.objects.get(name="Auteur"))
        self.client.force_login(author)
        self.assertContains(self.client.post(PREVIEW, form_data()), "Aperçu d&#x27;un article")


class SlugPreviewTests(TestCase):
    def test_preview_does_not_touch_redirects(self):
        self.client.force_login(make_staff())
        post = make_post(slug="ancien")
        url = reverse("admin:blog_post_preview", kwargs={"object_id": post.pk})
        self.client.post(url, form_data(slug="nouveau"))
        self.assertFalse(Redirect.objects.exists())
        self.assertEqual(Post.objects.get().slug, "ancien")
