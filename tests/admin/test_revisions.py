"""History: every save in the admin keeps a revision, with who and when; compare; restore."""

import re
from html.parser import HTMLParser

from django.contrib.auth.models import Group
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from blog.models import Post
from tests.support.factories import make_staff, own, post_form_data

ADD = reverse("admin:blog_post_add")


def compare_url(post, version):
    return reverse("admin:blog_post_compare", args=[post.pk, version.pk])


def data(**overrides):
    first = {"title": "Première version", "slug": "article", "body": "Le texte d'origine."}
    return post_form_data(**(first | {"tags": "origine"} | overrides))


class RevisionTests(TestCase):
    def setUp(self):
        self.user = make_staff("editrice")
        self.client.force_login(self.user)
        self.client.post(ADD, data())
        self.post = Post.objects.get()
        self.change = reverse("admin:blog_post_change", args=[self.post.pk])
        self.client.post(
            self.change, data(title="Seconde version", body="Tout réécrit.", tags="neuf")
        )
        self.versions = list(Version.objects.get_for_object(self.post).order_by("pk"))

    def test_every_save_keeps_a_revision_with_who_and_when(self):
        self.assertEqual(len(self.versions), 2)
        for version in self.versions:
            self.assertEqual(version.revision.user, self.user)
            self.assertLess((timezone.now() - version.revision.date_created).total_seconds(), 600)
        self.assertEqual(self.versions[0].field_dict["body"], "Le texte d'origine.")

    def test_history_lists_the_revisions(self):
        page = self.client.get(reverse("admin:blog_post_history", args=[self.post.pk]))
        self.assertContains(page, "editrice")
        for version in self.versions:
            self.assertContains(
                page, reverse("admin:blog_post_revision", args=[self.post.pk, version.pk])
            )
            self.assertContains(page, compare_url(self.post, version))
        self.assertContains(page, ">Comparer<", count=2)

    def test_compare_an_old_revision_with_the_current_one(self):
        with self.assertNoLogs("django.request", level="WARNING"):
            page = self.client.get(compare_url(self.post, self.versions[0]))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Revenir à cette version")
        self.assertContains(page, "origine")  # the tags, through their rows
        self.assertContains(page, "Première version")
        self.assertContains(page, "Seconde version")
        self.assertContains(page, "Tout réécrit.")

    def test_restore_brings_back_the_text_and_the_tags(self):
        url = reverse("admin:blog_post_revision", args=[self.post.pk, self.versions[0].pk])
        form = self.client.get(url)
        self.assertContains(form, "Le texte d&#x27;origine.")
        self.post.refresh_from_db()
        self.assertEqual(self.post.title, "Seconde version", "looking is not restoring")
        self.client.post(url, data())
        self.post.refresh_from_db()
        self.assertEqual(self.post.title, "Première version")
        self.assertEqual(self.post.body_html, "<p>Le texte d'origine.</p>")
        self.assertEqual(list(self.post.tags.names()), ["origine"])
        self.assertEqual(Version.objects.get_for_object(self.post).count(), 3)


class ActionRevisionTests(TestCase):
    def test_a_list_action_keeps_a_revision_saying_what_it_did(self):
        self.client.force_login(make_staff())
        self.client.post(ADD, data())
        post = Post.objects.get()
        self.client.post(
            reverse("admin:blog_post_changelist"),
            {"action": "publish_now", "_selected_action": [post.pk]},
        )
        latest = Version.objects.get_for_object(post).first()
        self.assertEqual(latest.field_dict["status"], "published")
        self.assertEqual(latest.revision.comment, "1 article publié.")


class DiffMarks(HTMLParser):
    """The text of each <del> and <ins> on a page, and of the body's unchanged lines."""

    def __init__(self, html: str):
        super().__init__()
        self.marks: dict[str, list[str]] = {"del": [], "ins": []}
        self.open: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in self.marks:
            self.open = tag
            self.marks[tag].append("")

    def handle_endtag(self, tag):
        if tag == self.open:
            self.open = None

    def handle_data(self, data):
        if self.open:
            self.marks[self.open][-1] += data


class CompareTests(TestCase):
    """« Compare » shows what changed since a revision, field by field, line by line."""

    body_before = (
        "Introduction.\n\nLa phrase d'origine.\n\n<script>alert(1)</script>\n\nConclusion."
    )
    body_after = "Introduction.\n\nLa phrase corrigée.\n\n<script>alert(1)</script>\n\nConclusion."

    def setUp(self):
        self.client.force_login(make_staff("editrice"))
        self.client.post(ADD, data(body=self.body_before, tags="origine, voyage"))
        self.post = Post.objects.get()
        self.client.post(
            reverse("admin:blog_post_change", args=[self.post.pk]),
            data(title="Titre corrigé", body=self.body_after, tags="origine, voyage"),
        )
        self.first = Version.objects.get_for_object(self.post).order_by("pk").first()

    def test_the_changed_body_line_is_shown_deleted_then_inserted(self):
        page = self.client.get(compare_url(self.post, self.first))
        marks = DiffMarks(page.content.decode()).marks
        self.assertIn("Supprimé : La phrase d'origine.", marks["del"])
        self.assertIn("Ajouté : La phrase corrigée.", marks["ins"])
        # The title changed too; lines and fields that did not change are not marked.
        self.assertIn("Supprimé : Première version", marks["del"])
        self.assertIn("Ajouté : Titre corrigé", marks["ins"])
        self.assertFalse([m for m in marks["del"] + marks["ins"] if "Introduction" in m])
        self.assertFalse([m for m in marks["del"] + marks["ins"] if "origine, voyage" in m])
        self.assertContains(page, "2 champs modifiés depuis cette version.")
        self.assertContains(page, "Barré : seulement dans cette version.")

    def test_the_diff_is_escaped(self):
        page = self.client.get(compare_url(self.post, self.first))
        self.assertContains(page, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertNotContains(page, "<script>alert(1)")

    def test_every_compared_field_is_listed_with_its_french_label(self):
        page = self.client.get(compare_url(self.post, self.first))
        for label in ["Titre", "Contenu", "Étiquettes", "Statut", "Date de publication"]:
            self.assertContains(page, f'<th scope="row">{label}<br>', html=False)
        self.assertContains(page, "23 mai 2020 13:37")  # dates read as dates, in French
        self.assertContains(page, "Brouillon")  # the status by its label

    def test_tags_compared_through_the_tag_rows_saved_with_the_revision(self):
        self.client.post(
            reverse("admin:blog_post_change", args=[self.post.pk]),
            data(title="Titre corrigé", body=self.body_after, tags="neuf"),
        )
        marks = DiffMarks(self.client.get(compare_url(self.post, self.first)).content.decode())
        self.assertIn("Supprimé : origine, voyage", marks.marks["del"])
        self.assertIn("Ajouté : neuf", marks.marks["ins"])

    def test_the_latest_revision_is_the_same_as_the_post(self):
        latest = Version.objects.get_for_object(self.post).first()
        page = self.client.get(compare_url(self.post, latest))
        self.assertContains(page, "Cette version est identique à l'article actuel.")
        self.assertEqual(DiffMarks(page.content.decode()).marks, {"del": [], "ins": []})

    def test_a_version_of_another_post_is_not_found(self):
        other = Post.objects.create(title="Autre", body="Autre texte.")
        self.assertEqual(self.client.get(compare_url(other, self.first)).status_code, 404)

    def test_restore_from_the_compare_page(self):
        page = self.client.get(compare_url(self.post, self.first))
        restore = re.search(
            r'<a href="([^"]+)" class="button default">Revenir', page.content.decode()
        )
        self.assertEqual(
            restore[1], reverse("admin:blog_post_revision", args=[self.post.pk, self.first.pk])
        )
        form = self.client.get(restore[1])
        self.assertContains(form, "La phrase d&#x27;origine.")
        response = self.client.post(restore[1], data(body=self.body_before, tags="origine, voyage"))
        self.assertRedirects(response, reverse("admin:blog_post_changelist"))
        self.post.refresh_from_db()
        self.assertEqual(self.post.title, "Première version")
        self.assertIn("La phrase d'origine.", self.post.body)
        latest = Version.objects.get_for_object(self.post).first()
        self.assertIn("Restauré depuis une version précédente", latest.revision.comment)

    def test_query_count_does_not_grow_with_tags_or_revisions(self):
        url = compare_url(self.post, self.first)
        history = reverse("admin:blog_post_history", args=[self.post.pk])
        with CaptureQueriesContext(connection) as few:
            self.client.get(url)
        with CaptureQueriesContext(connection) as few_history:
            self.client.get(history)
        for n in range(4):
            self.client.post(
                reverse("admin:blog_post_change", args=[self.post.pk]),
                data(title=f"Titre {n}", tags=", ".join(f"tag{i}" for i in range(n + 5))),
            )
        with CaptureQueriesContext(connection) as many:
            self.client.get(url)
        with CaptureQueriesContext(connection) as many_history:
            self.client.get(history)
        self.assertEqual(len(many), len(few))
        self.assertEqual(len(many_history), len(few_history))


class CompareAccessTests(TestCase):
    """Only staff who may change the post compare its revisions."""

    def setUp(self):
        self.client.force_login(make_staff("editrice"))
        self.client.post(ADD, data(status="published"))
        self.post = Post.objects.get()
        self.version = Version.objects.get_for_object(self.post).get()
        self.url = compare_url(self.post, self.version)
        self.client.logout()

    def test_anonymous_and_non_staff_are_sent_to_the_login_page(self):
        self.assertRedirects(self.client.get(self.url), f"/admin/login/?next={self.url}")
        self.client.force_login(make_staff("lecteur", is_staff=False, is_superuser=False))
        self.assertRedirects(self.client.get(self.url), f"/admin/login/?next={self.url}")

    def test_an_author_cannot_compare_a_published_post_nor_sees_the_link(self):
        author = make_staff("autrice", is_superuser=False)
        author.groups.add(Group.objects.get(name="Auteur"))
        own(self.post, author)  # hers: only the draft rule decides
        self.client.force_login(author)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        history = self.client.get(reverse("admin:blog_post_history", args=[self.post.pk]))
        self.assertEqual(history.status_code, 200)
        self.assertNotContains(history, self.url)

    def test_an_author_compares_a_draft(self):
        author = make_staff("autrice", is_superuser=False)
        author.groups.add(Group.objects.get(name="Auteur"))
        own(self.post, author)  # hers: only the draft rule decides
        Post.objects.filter(pk=self.post.pk).update(status=Post.Status.DRAFT)
        self.client.force_login(author)
        self.assertEqual(self.client.get(self.url).status_code, 200)
