"""Each Auteur on their own posts: another writer's post cannot be listed, opened, previewed,
restored or added to (403 or 404, never a 500), and its authors are the Éditeur's to change."""

from __future__ import annotations

import io
import tempfile

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from PIL import ExifTags, Image
from reversion.models import Version

from blog.models import Author, Post, PostAuthor, SiteIdentity, site_author
from tests.support.cases import TemporaryFolders
from tests.support.factories import (
    identity_form_data,
    make_author,
    make_image,
    make_staff,
    post_form_data,
)

ADD = reverse("admin:blog_post_add")
CHANGELIST = reverse("admin:blog_post_changelist")
PREVIEW = reverse("admin:blog_post_preview")
UPLOAD = reverse("admin:blog_post_upload")


def member(group_name: str, username: str, **extra):
    user = make_staff(username, is_superuser=False, **extra)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def authors_of(post: Post) -> list[str]:
    return [author.name for author in Post.objects.get(pk=post.pk).byline]


class OwnershipTests(TemporaryFolders, TestCase):
    def setUp(self):
        super().setUp()
        self.alice = member("Auteur", "alice")
        self.bruno = member("Auteur", "bruno")
        self.alice_profile = make_author("Alice Dupré", user=self.alice)
        self.bruno_profile = make_author("Bruno Petit", user=self.bruno)
        self.editor = Client()
        self.editor.force_login(member("Éditeur", "edith"))
        # Written through the admin, so each has a revision to restore.
        self.alices = self.write("Le brouillon d'Alice", "brouillon-alice", self.alice_profile)
        self.brunos = self.write("Le brouillon de Bruno", "brouillon-bruno", self.bruno_profile)
        self.client.force_login(self.alice)

    def write(self, title: str, slug: str, author: Author) -> Post:
        data = post_form_data(title=title, slug=slug, body="Premier jet.")
        data.update({"author_links-TOTAL_FORMS": "1", "author_links-0-author": str(author.pk),
                     "author_links-0-position": "0"})  # fmt: skip
        response = self.editor.post(ADD, data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None))
        post = Post.objects.get(slug=slug)
        change = reverse("admin:blog_post_change", args=[post.pk])
        self.editor.post(change, post_form_data(post, body="Deuxième jet."))
        return post

    def urls(self, post: Post) -> dict[str, str]:
        version = Version.objects.get_for_object(post).order_by("pk").first()
        return {
            "change": reverse("admin:blog_post_change", args=[post.pk]),
            "history": reverse("admin:blog_post_history", args=[post.pk]),
            "revision": reverse("admin:blog_post_revision", args=[post.pk, version.pk]),
            "compare": reverse("admin:blog_post_compare", args=[post.pk, version.pk]),
            "delete": reverse("admin:blog_post_delete", args=[post.pk]),
        }

    def test_the_list_shows_only_her_own_posts(self):
        response = self.client.get(CHANGELIST)
        self.assertContains(response, "Le brouillon d&#x27;Alice")
        self.assertNotContains(response, "Le brouillon de Bruno")
        self.assertContains(response, "Alice Dupré")  # the authors column
        # Asking for Bruno's posts by the filter shows none of them either.
        filtered = self.client.get(CHANGELIST, {"author": self.bruno_profile.pk})
        self.assertNotContains(filtered, "Le brouillon de Bruno")

    def test_another_writers_post_cannot_be_opened_restored_or_compared(self):
        before = Post.objects.get(pk=self.brunos.pk).body
        for name, url in self.urls(self.brunos).items():
            with self.subTest(name):
                self.assertIn(self.client.get(url).status_code, (403, 404))
                self.assertIn(
                    self.client.post(url, post_form_data(self.brunos, body="Piraté.")).status_code,
                    (403, 404),
                )
        self.assertEqual(Post.objects.get(pk=self.brunos.pk).body, before)
        self.assertTrue(Post.objects.filter(pk=self.brunos.pk).exists())

    def test_deleted_posts_are_the_editors_to_recover(self):
        recover_list = reverse("admin:blog_post_recoverlist")
        self.editor.post(reverse("admin:blog_post_delete", args=[self.brunos.pk]), {"post": "yes"})
        self.assertEqual(self.client.get(recover_list).status_code, 403)
        listing = self.editor.get(recover_list)
        self.assertContains(listing, "Le brouillon de Bruno")

    def test_her_own_post_opens_restores_and_compares(self):
        urls = self.urls(self.alices)
        for name in ("change", "history", "revision", "compare"):
            with self.subTest(name):
                self.assertEqual(self.client.get(urls[name]).status_code, 200)

    def test_another_writers_post_cannot_be_previewed(self):
        url = reverse("admin:blog_post_preview", args=[self.brunos.pk])
        response = self.client.post(url, post_form_data(self.brunos))
        self.assertEqual(response.status_code, 403)
        own = reverse("admin:blog_post_preview", args=[self.alices.pk])
        self.assertContains(self.client.post(own, post_form_data(self.alices)), "Premier jet")

    def test_no_image_can_be_uploaded_to_another_writers_post(self):
        response = self.client.post(f"{UPLOAD}?post={self.brunos.pk}", {"image": make_image()})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            self.client.post(f"{UPLOAD}?post=999999", {"image": make_image()}).status_code, 404
        )
        self.assertEqual(
            self.client.post(f"{UPLOAD}?post=abc", {"image": make_image()}).status_code, 404
        )
        own = self.client.post(f"{UPLOAD}?post={self.alices.pk}", {"image": make_image()})
        self.assertEqual(own.status_code, 200)
        # The editor of her post sends its uploads there.
        page = self.client.get(reverse("admin:blog_post_change", args=[self.alices.pk]))
        self.assertContains(page, f"upload-image/?post={self.alices.pk}")

    def test_a_new_post_is_its_creators_and_she_cannot_change_its_authors(self):
        data = post_form_data(title="Nouveau", slug="nouveau")
        data.update({"author_links-TOTAL_FORMS": "1", "author_links-0-position": "0",
                     "author_links-0-author": str(self.bruno_profile.pk)})  # fmt: skip
        self.assertEqual(self.client.post(ADD, data).status_code, 302)
        post = Post.objects.get(slug="nouveau")
        self.assertEqual(authors_of(post), ["Alice Dupré"])
        change = reverse("admin:blog_post_change", args=[post.pk])
        page = self.client.get(change)
        self.assertNotContains(page, 'name="author_links-TOTAL_FORMS"')
        self.assertContains(page, "Alice Dupré")  # shown, read-only
        self.client.post(change, {**post_form_data(post), **data, "title": "Nouveau"})
        self.assertEqual(authors_of(post), ["Alice Dupré"])

    def test_an_auteur_without_a_profile_gets_one_never_another_persons(self):
        namesake = member("Auteur", "alice2", first_name="Alice", last_name="Dupré")
        self.client.force_login(namesake)
        self.client.post(ADD, post_form_data(title="Homonyme", slug="homonyme"))
        post = Post.objects.get(slug="homonyme")
        self.assertEqual(authors_of(post), ["Alice Dupré (alice2)"])
        self.assertEqual(Author.objects.get(user=namesake).name, "Alice Dupré (alice2)")
        self.assertEqual(Author.objects.get(name="Alice Dupré").user, self.alice)

    def test_an_editor_sees_opens_and_reassigns_any_post(self):
        listing = self.editor.get(CHANGELIST)
        self.assertContains(listing, "Le brouillon de Bruno")
        self.assertContains(listing, "Le brouillon d&#x27;Alice")
        filtered = self.editor.get(CHANGELIST, {"author": self.bruno_profile.pk})
        self.assertContains(filtered, "Le brouillon de Bruno")
        self.assertNotContains(filtered, "Le brouillon d&#x27;Alice")
        for name in ("change", "history", "revision", "compare"):
            with self.subTest(name):
                self.assertEqual(self.editor.get(self.urls(self.brunos)[name]).status_code, 200)
        link = PostAuthor.objects.get(post=self.brunos)
        change = reverse("admin:blog_post_change", args=[self.brunos.pk])
        data = post_form_data(self.brunos)
        data.update({
            "author_links-TOTAL_FORMS": "2", "author_links-INITIAL_FORMS": "1",
            "author_links-0-id": str(link.pk), "author_links-0-post": str(self.brunos.pk),
            "author_links-0-author": str(self.bruno_profile.pk), "author_links-0-position": "1",
            "author_links-1-post": str(self.brunos.pk),
            "author_links-1-author": str(self.alice_profile.pk), "author_links-1-position": "0",
        })  # fmt: skip
        self.assertEqual(self.editor.post(change, data).status_code, 302)
        self.assertEqual(authors_of(self.brunos), ["Alice Dupré", "Bruno Petit"])
        # Now hers too: Alice opens it.
        self.assertEqual(self.client.get(change).status_code, 200)

    def test_the_same_author_twice_is_a_form_error(self):
        link = PostAuthor.objects.get(post=self.brunos)
        change = reverse("admin:blog_post_change", args=[self.brunos.pk])
        data = post_form_data(self.brunos)
        data.update({
            "author_links-TOTAL_FORMS": "2", "author_links-INITIAL_FORMS": "1",
            "author_links-0-id": str(link.pk), "author_links-0-post": str(self.brunos.pk),
            "author_links-0-author": str(self.bruno_profile.pk), "author_links-0-position": "0",
            "author_links-1-post": str(self.brunos.pk),
            "author_links-1-author": str(self.bruno_profile.pk), "author_links-1-position": "1",
        })  # fmt: skip
        response = self.editor.post(change, data)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["errors"])
        self.assertEqual(authors_of(self.brunos), ["Bruno Petit"])

    def test_a_post_left_with_no_author_falls_back_to_its_editor_or_the_site(self):
        link = PostAuthor.objects.get(post=self.brunos)
        change = reverse("admin:blog_post_change", args=[self.brunos.pk])
        data = post_form_data(self.brunos)
        data.update({
            "author_links-TOTAL_FORMS": "1", "author_links-INITIAL_FORMS": "1",
            "author_links-0-id": str(link.pk), "author_links-0-post": str(self.brunos.pk),
            "author_links-0-author": str(self.bruno_profile.pk), "author_links-0-position": "0",
            "author_links-0-DELETE": "on",
        })  # fmt: skip
        self.assertEqual(self.editor.post(change, data).status_code, 302)
        site = Author.objects.order_by("pk").first()  # migration 0009's, the site's author
        self.assertEqual(authors_of(self.brunos), [site.name])


class AuthorProfileAdminTests(TestCase):
    def setUp(self):
        self.alice = member("Auteur", "alice")
        self.alice_profile = make_author("Alice Dupré", user=self.alice)
        self.bruno_profile = make_author("Bruno Petit")

    def profile_data(self, author: Author, **overrides) -> dict:
        fields = ["linkedin", "upwork", "malt", "github", "email", "other_url", "other_label"]
        data = {"name": author.name, "slug": author.slug, "bio": "", "portrait_alt": ""}
        data.update({name: "" for name in fields})
        data.update(overrides)
        return data

    def test_an_auteur_edits_her_own_profile_only(self):
        self.client.force_login(self.alice)
        own = reverse("admin:blog_author_change", args=[self.alice_profile.pk])
        response = self.client.post(own, self.profile_data(self.alice_profile, bio="Rédactrice."))
        self.assertEqual(response.status_code, 302)
        self.alice_profile.refresh_from_db()
        self.assertEqual(self.alice_profile.bio, "Rédactrice.")
        self.assertEqual(self.alice_profile.user, self.alice)  # the link is not hers to change
        other = reverse("admin:blog_author_change", args=[self.bruno_profile.pk])
        response = self.client.post(other, self.profile_data(self.bruno_profile, bio="Piraté."))
        self.assertEqual(response.status_code, 403)
        self.bruno_profile.refresh_from_db()
        self.assertEqual(self.bruno_profile.bio, "")
        self.assertEqual(self.client.get(reverse("admin:blog_author_add")).status_code, 403)

    def test_an_editor_manages_profiles_and_names_stay_one_per_person(self):
        self.client.force_login(member("Éditeur", "edith"))
        add = reverse("admin:blog_author_add")
        response = self.client.post(add, self.profile_data(Author(name="Élodie Rivière")))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Author.objects.get(name="Élodie Rivière").slug, "elodie-riviere")
        again = self.client.post(add, self.profile_data(Author(name="elodie riviere")))
        self.assertEqual(again.status_code, 200)
        self.assertContains(again, "Un autre auteur s&#x27;appelle déjà « Élodie Rivière »")

    def test_a_portrait_is_reencoded_without_its_gps_position(self):
        exif = Image.Exif()
        exif.get_ifd(ExifTags.IFD.GPSInfo).update({ExifTags.GPS.GPSLatitudeRef: "N"})
        exif[ExifTags.Base.Make] = "Appareil"
        buffer = io.BytesIO()
        Image.new("RGB", (120, 80), (10, 20, 30)).save(buffer, "JPEG", exif=exif.tobytes())
        photo = SimpleUploadedFile("moi.jpg", buffer.getvalue(), content_type="image/jpeg")
        self.client.force_login(member("Éditeur", "edith"))
        change = reverse("admin:blog_author_change", args=[self.bruno_profile.pk])
        data = {**self.profile_data(self.bruno_profile), "portrait_alt": "Bruno souriant"}
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            response = self.client.post(change, {**data, "portrait": photo})
            self.assertEqual(response.status_code, 302)
            self.bruno_profile.refresh_from_db()
            self.assertTrue(self.bruno_profile.portrait.name.startswith("authors/moi"))
            stored = Image.open(self.bruno_profile.portrait.path)
            self.assertEqual(stored.size, (120, 80))
            self.assertNotIn(ExifTags.Base.Make, stored.getexif())
            self.assertFalse(stored.getexif().get_ifd(ExifTags.IFD.GPSInfo))
            page = self.client.get("/auteurs/bruno-petit/")  # no published post yet: a 404
            self.assertEqual(page.status_code, 404)

    def test_a_portrait_is_checked_and_needs_its_alt_text(self):
        self.client.force_login(member("Éditeur", "edith"))
        change = reverse("admin:blog_author_change", args=[self.bruno_profile.pk])
        response = self.client.post(
            change, {**self.profile_data(self.bruno_profile), "portrait": make_image()}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Décrivez le portrait")


class SiteAuthorFollowsTheIdentityTests(TestCase):
    """A fresh install's profile is named after the site (no author named yet); naming the
    author in « Identité du site » renames it, so bylines and JSON-LD say who writes."""

    def test_naming_the_identitys_author_renames_the_sites_profile(self):
        profile = site_author()
        self.assertEqual(profile.name, "Carnet")
        self.client.force_login(make_staff())
        SiteIdentity.objects.create()
        response = self.client.post(
            "/admin/blog/siteidentity/1/change/", identity_form_data(author_name="Zoé Martin")
        )
        self.assertEqual(response.status_code, 302)
        profile.refresh_from_db()
        self.assertEqual((profile.name, profile.slug), ("Zoé Martin", "zoe-martin"))
        self.assertEqual(site_author(), profile)

    def test_a_profile_already_named_so_is_left_alone(self):
        zoe = make_author("Zoé Martin")
        self.client.force_login(make_staff())
        SiteIdentity.objects.create()
        self.client.post(
            "/admin/blog/siteidentity/1/change/", identity_form_data(author_name="Zoé Martin")
        )
        self.assertTrue(Author.objects.filter(name="Carnet").exists())
        self.assertEqual(site_author(), zoe)
