import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.utils import timezone

from blog.models import Post, Redirect
from blog.text import ascii_slugify
from tests.support.factories import make_image, make_post


class SlugTests(TestCase):
    def test_french_title_gives_clean_ascii_slug(self):
        post = make_post(title="Le Début d'une Carrière")
        self.assertEqual(post.slug, "le-debut-dune-carriere")

    def test_ligatures_and_curly_apostrophes(self):
        self.assertEqual(ascii_slugify("L’œuvre « naïve » d’Æsop"), "loeuvre-naive-daesop")

    def test_same_title_gets_a_numbered_slug(self):
        first = make_post(title="Même titre")
        second = make_post(title="Même titre")
        third = make_post(title="Même titre")
        self.assertEqual(
            [first.slug, second.slug, third.slug], ["meme-titre", "meme-titre-2", "meme-titre-3"]
        )

    def test_editor_slug_is_kept_and_must_be_unique(self):
        post = make_post(title="Un titre", slug="mon-adresse")
        self.assertEqual(post.slug, "mon-adresse")
        clash = Post(title="Autre", slug="mon-adresse", body="x")
        with self.assertRaises(ValidationError) as caught:
            clash.full_clean()
        self.assertIn("slug", caught.exception.message_dict)
        with self.assertRaises(IntegrityError), transaction.atomic():
            clash.save()

    def test_slug_survives_a_title_change(self):
        post = make_post(title="Premier titre")
        post.title = "Nouveau titre"
        post.save()
        self.assertEqual(post.slug, "premier-titre")

    def test_title_without_letters_still_gets_a_slug(self):
        self.assertEqual(make_post(title="!!!").slug, "article")


class VisibilityTests(TestCase):
    """Drafts and scheduled posts are not published; a scheduled post appears by itself."""

    @classmethod
    def setUpTestData(cls):
        now = timezone.now()
        cls.live = make_post(title="En ligne")
        cls.draft = make_post(title="Brouillon", status=Post.Status.DRAFT)
        cls.scheduled = make_post(title="Plus tard", pub_date=now + dt.timedelta(hours=1))
        cls.old_draft = make_post(
            title="Vieux brouillon", status=Post.Status.DRAFT, pub_date=now - dt.timedelta(days=9)
        )

    def test_published_excludes_drafts_and_future_posts(self):
        self.assertQuerySetEqual(Post.objects.published(), [self.live])

    def test_scheduled_and_drafts(self):
        self.assertQuerySetEqual(Post.objects.scheduled(), [self.scheduled])
        self.assertCountEqual(Post.objects.drafts(), [self.draft, self.old_draft])
        self.assertEqual(
            [self.live.state, self.draft.state, self.scheduled.state],
            ["published", "draft", "scheduled"],
        )

    def test_scheduled_post_is_published_once_its_time_has_come(self):
        Post.objects.filter(pk=self.scheduled.pk).update(
            pub_date=timezone.now() - dt.timedelta(seconds=1)
        )
        self.assertIn(self.scheduled, Post.objects.published())

    def test_featured(self):
        featured = make_post(featured=True)
        make_post(featured=True, status=Post.Status.DRAFT)
        self.assertQuerySetEqual(Post.objects.published().featured(), [featured])


class SaveTests(TestCase):
    def test_body_is_rendered_and_sanitized_on_save(self):
        post = make_post(body="## Bonjour\n\n<script>alert(1)</script>**gras**")
        self.assertIn('<h2 id="bonjour">Bonjour</h2>', post.body_html)
        self.assertIn("<strong>gras</strong>", post.body_html)
        self.assertNotIn("script", post.body_html)

    def test_reading_time_from_word_count(self):
        self.assertEqual(make_post(body="mot " * 10).reading_time, 1)
        self.assertEqual(make_post(body="mot " * 401).reading_time, 3)

    def test_control_characters_are_stripped(self):
        post = make_post(
            title="Titre\x00 avec\x1b contrôle\n", description="a\x07b", body="x\x0by\r\nz"
        )
        post.refresh_from_db()
        self.assertEqual(post.title, "Titre avec contrôle")
        self.assertEqual(post.description, "ab")
        self.assertEqual(post.body, "xy\nz")

    def test_image_requires_alt_text(self):
        post = Post(title="Avec image", body="x", image=make_image())
        with self.assertRaises(ValidationError) as caught:
            post.full_clean()
        self.assertIn("image_alt", caught.exception.message_dict)

    def test_database_refuses_an_image_without_alt_text(self):
        post = make_post()
        with self.assertRaises(IntegrityError), transaction.atomic():
            Post.objects.filter(pk=post.pk).update(image="posts/x.jpg", image_alt="")

    def test_unrenderable_body_is_a_field_error(self):
        post = Post(title="Piège", body="[" * 5000)
        with self.assertRaises(ValidationError) as caught:
            post.full_clean()
        self.assertIn("body", caught.exception.message_dict)

    def test_absolute_url(self):
        self.assertEqual(make_post(title="Une adresse").get_absolute_url(), "/blog/une-adresse/")

    def test_tags_are_case_insensitive_with_ascii_slugs(self):
        first = make_post(tags=["Carrière"])
        second = make_post(tags=["carrière"])
        self.assertEqual(first.tags.get(), second.tags.get())
        self.assertEqual(first.tags.get().slug, "carriere")


class RedirectTests(TestCase):
    def test_redirect_follows_the_post_slug(self):
        post = make_post(title="Ancien")
        redirect = Redirect.objects.create(old_path="/blog/2020-ancien/", post=post)
        post.slug = "nouveau"
        post.save()
        redirect.refresh_from_db()
        self.assertEqual(redirect.target_url, "/blog/nouveau/")

    def test_redirect_needs_a_target(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            Redirect.objects.create(old_path="/nulle-part/")
