"""Roles, tried as an attacker would: every way to write a post checks the publish permission.

An « Auteur » writes drafts; only an « Éditeur » (or a superuser) changes what readers see.
Each test asserts the answer (403/404, never 500) and that the rows did not change.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group, Permission
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version
from taggit.models import Tag

from blog.models import ContactMessage, Page, Post, Redirect, TaggedPost
from tests.support.factories import make_image, make_post, make_staff, own, post_form_data

ADD = reverse("admin:blog_post_add")
CHANGELIST = reverse("admin:blog_post_changelist")


def member(group_name: str, username: str):
    user = make_staff(username, is_superuser=False)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def post_form(post: Post, **overrides) -> dict:
    fields = {"title": post.title, "slug": post.slug, "body": post.body}
    fields["tags"] = ", ".join(sorted(post.tags.names()))
    fields["status"] = post.status
    if post.featured:
        fields["featured"] = "on"
    return post_form_data(**{**fields, **overrides})


def revision_url(object_id, version: Version) -> str:
    return reverse("admin:blog_post_revision", args=[object_id, version.pk])


def snapshot(*posts: Post) -> list[tuple]:
    """What a reader could see of each post: enough to tell that nothing was written."""
    rows = []
    for post in posts:
        post = Post.objects.get(pk=post.pk)
        rows.append(
            (post.title, post.body, post.status, post.featured, post.pub_date, post.updated)
        )
        rows.append(tuple(sorted(post.tags.names())))
    return rows


class EditorHistory:
    """Posts written and changed by an Éditeur through the admin, so each save is a revision."""

    def setUp(self):
        self.editor = Client()
        self.editor.force_login(member("Éditeur", "editeur"))

    def write(self, **data) -> Post:
        response = self.editor.post(ADD, post_form_data(**data))
        self.assertEqual(response.status_code, 302)
        post = Post.objects.get(slug=data["slug"])
        if hasattr(self, "author"):  # written for the Auteur: the posts they may work on
            own(post, self.author)
        return post

    def change(self, post: Post, **data) -> None:
        url = reverse("admin:blog_post_change", args=[post.pk])
        response = self.editor.post(url, post_form(post, **data))
        self.assertEqual(response.status_code, 302)

    def versions(self, post: Post) -> list[Version]:
        return list(Version.objects.get_for_object(post).order_by("pk"))


class RestoreTests(EditorHistory, TestCase):
    """/admin/blog/post/<id>/history/<version>/: the restore form."""

    def setUp(self):
        super().setUp()
        self.author = member("Auteur", "autrice")
        self.client.force_login(self.author)

    def test_an_author_cannot_turn_a_published_post_back_into_an_old_draft(self):
        post = self.write(slug="en-ligne", title="Première idée", body="Vieux texte.")
        self.change(Post.objects.get(pk=post.pk), status="published", body="Texte relu.")
        draft_version = self.versions(post)[0]
        before = snapshot(post)
        url = revision_url(post.pk, draft_version)
        self.assertEqual(self.client.get(url).status_code, 403)
        response = self.client.post(url, post_form(Post.objects.get(pk=post.pk)))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(snapshot(post), before)
        self.assertEqual(len(self.versions(post)), 2)

    def test_an_author_cannot_republish_a_retracted_post_from_its_history(self):
        post = self.write(slug="retire", status="published", body="Texte publié.")
        self.change(Post.objects.get(pk=post.pk), status="draft", body="Retiré.")
        published_version = self.versions(post)[0]
        before = snapshot(post)
        response = self.client.post(
            revision_url(post.pk, published_version), post_form(Post.objects.get(pk=post.pk))
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(snapshot(post), before)

    def test_a_version_of_another_post_is_not_found(self):
        """A tag link of a published revision whose id is the author's own draft's id."""
        retracted = self.write(
            slug="retracte", status="published", body="Texte retiré.", tags="a, b, c, d, e"
        )
        published_revision = self.versions(retracted)[0].revision
        self.change(Post.objects.get(pk=retracted.pk), status="draft", body="Corrigé.", tags="a")
        links = published_revision.version_set.filter(
            content_type__model=TaggedPost._meta.model_name
        )
        # Ids are shared by every table: some tag link of that revision has a free post id.
        link = next(v for v in links if not Post.objects.filter(pk=v.object_id).exists())
        draft = make_post(pk=int(link.object_id), status=Post.Status.DRAFT, title="Le mien")
        before = snapshot(retracted, draft)
        url = revision_url(draft.pk, link)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, post_form(draft)).status_code, 404)
        self.assertEqual(snapshot(retracted, draft), before)
        self.assertEqual(Post.objects.get(pk=retracted.pk).status, Post.Status.DRAFT)

    def test_the_recover_form_restores_only_a_deleted_post(self):
        post = self.write(slug="recupere", title="Brouillon d'abord")
        self.change(Post.objects.get(pk=post.pk), status="published", title="Publié")
        draft_version = self.versions(post)[0]
        before = snapshot(post)
        url = reverse("admin:blog_post_recover", args=[draft_version.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url, post_form(post)).status_code, 404)
        self.assertEqual(snapshot(post), before)

    def test_an_author_cannot_recover_a_deleted_published_post(self):
        post = self.write(slug="supprime", status="published", title="Supprimé")
        version = self.versions(post)[0]
        self.editor.post(reverse("admin:blog_post_delete", args=[post.pk]), {"post": "yes"})
        self.assertFalse(Post.objects.exists())
        url = reverse("admin:blog_post_recover", args=[version.pk])
        self.assertEqual(self.client.post(url, post_form_data(slug="supprime")).status_code, 403)
        self.assertFalse(Post.objects.exists())

    def test_an_author_restores_an_older_draft_of_a_draft(self):
        post = self.write(slug="a-moi", body="Version une.")
        self.change(Post.objects.get(pk=post.pk), body="Version deux.")
        url = revision_url(post.pk, self.versions(post)[0])
        self.assertContains(self.client.get(url), "Version une.")
        response = self.client.post(
            url, post_form(Post.objects.get(pk=post.pk), body="Version une.")
        )
        self.assertEqual(response.status_code, 302)
        restored = Post.objects.get(pk=post.pk)
        self.assertEqual((restored.body, restored.status), ("Version une.", Post.Status.DRAFT))

    def test_an_author_cannot_bring_back_the_featured_flag_with_a_draft(self):
        post = self.write(slug="une", featured="on")
        self.change(Post.objects.get(pk=post.pk), body="Plus à la une.", featured=None)
        self.assertFalse(Post.objects.get(pk=post.pk).featured)
        before = snapshot(post)
        url = revision_url(post.pk, self.versions(post)[0])
        self.assertEqual(self.client.post(url, post_form(post)).status_code, 403)
        self.assertEqual(snapshot(post), before)

    def test_the_compare_page_offers_no_restore_an_author_may_not_make(self):
        post = self.write(slug="comparer", status="published", body="Publié.")
        self.change(Post.objects.get(pk=post.pk), status="draft", body="Retiré.")
        published, draft = self.versions(post)
        compare = reverse("admin:blog_post_compare", args=[post.pk, published.pk])
        page = self.client.get(compare)
        self.assertContains(page, "Publié.")
        self.assertNotContains(page, revision_url(post.pk, published))
        self.assertContains(page, "un Éditeur peut le faire")
        compare = reverse("admin:blog_post_compare", args=[post.pk, draft.pk])
        self.assertContains(self.client.get(compare), revision_url(post.pk, draft))

    def test_the_history_links_to_no_restore_an_author_may_not_make(self):
        post = self.write(slug="liens", status="published")
        history = self.client.get(reverse("admin:blog_post_history", args=[post.pk]))
        self.assertEqual(history.status_code, 200)
        self.assertNotContains(history, revision_url(post.pk, self.versions(post)[0]))


class RestoreScopeTests(EditorHistory, TestCase):
    def test_restoring_one_post_leaves_the_others_of_its_revision_alone(self):
        """A list action keeps one revision for all the posts it changed."""
        first = self.write(slug="premier")
        second = self.write(slug="second")
        self.editor.post(
            CHANGELIST, {"action": "publish_now", "_selected_action": [first.pk, second.pk]}
        )
        shared = self.versions(first)[-1]
        self.assertEqual(shared.revision, self.versions(second)[-1].revision)
        self.change(Post.objects.get(pk=first.pk), title="Premier, relu")
        self.change(Post.objects.get(pk=second.pk), status="draft", title="Second, retiré")
        before = snapshot(second)
        response = self.editor.post(
            revision_url(first.pk, shared), post_form(Post.objects.get(pk=first.pk), title="Titre")
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Post.objects.get(pk=first.pk).status, Post.Status.PUBLISHED)
        self.assertEqual(snapshot(second), before)

    def test_a_version_whose_tag_was_deleted_since_is_restored_without_it(self):
        post = self.write(slug="etiquettes", tags="garde, vieux", body="Avant.")
        self.change(Post.objects.get(pk=post.pk), tags="neuf", body="Après.")
        Tag.objects.filter(name="vieux").delete()
        url = revision_url(post.pk, self.versions(post)[0])
        self.assertContains(self.editor.get(url), "Avant.")
        response = self.editor.post(url, post_form(Post.objects.get(pk=post.pk), body="Avant."))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Post.objects.get(pk=post.pk).body, "Avant.")

    def test_an_editor_restores_a_published_post(self):
        post = self.write(slug="publie", status="published", body="Avant.")
        self.change(Post.objects.get(pk=post.pk), body="Après.")
        url = revision_url(post.pk, self.versions(post)[0])
        response = self.editor.post(url, post_form(Post.objects.get(pk=post.pk), body="Avant."))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Post.objects.get(pk=post.pk).body, "Avant.")


class AuthorWriteTests(TestCase):
    """Every other way an Auteur could change what readers see."""

    def setUp(self):
        author = member("Auteur", "autrice")
        self.client.force_login(author)
        self.live = make_post(title="En ligne", slug="en-ligne", featured=True)
        self.draft = make_post(title="Brouillon", slug="brouillon", status=Post.Status.DRAFT)
        self.scheduled = make_post(
            title="Programmé", slug="programme", pub_date=timezone.now() + dt.timedelta(days=3)
        )
        for post in (self.live, self.draft, self.scheduled):  # hers: only the roles refuse
            own(post, author)

    def test_list_actions_are_refused(self):
        posts = [self.live, self.draft, self.scheduled]
        before = snapshot(*posts)
        for action in ["publish_now", "unpublish", "feature", "unfeature", "delete_selected"]:
            response = self.client.post(
                CHANGELIST, {"action": action, "_selected_action": [p.pk for p in posts]}
            )
            self.assertIn(response.status_code, (200, 302, 403), action)
        self.assertEqual(snapshot(*posts), before)

    def test_the_list_cannot_be_edited(self):
        before = snapshot(self.live, self.draft)
        data = {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-0-id": str(self.draft.pk),
            "form-0-featured": "on",
            "form-1-id": str(self.live.pk),
            "_save": "Enregistrer",
        }
        response = self.client.post(CHANGELIST, data)
        self.assertIn(response.status_code, (200, 302, 403))
        self.assertEqual(snapshot(self.live, self.draft), before)

    def test_the_change_form_buttons_and_fields_are_ignored(self):
        url = reverse("admin:blog_post_change", args=[self.draft.pk])
        for extra in [
            {"_publish_now": "1"},
            {"_feature": "1"},
            {"status": "published"},
            {"featured": "on"},
        ]:
            self.client.post(url, post_form(self.draft, **extra))
            draft = Post.objects.get(pk=self.draft.pk)
            self.assertEqual((draft.status, draft.featured), (Post.Status.DRAFT, False), extra)

    def test_a_published_or_scheduled_post_cannot_be_changed_from_its_form(self):
        before = snapshot(self.live, self.scheduled)
        for post in [self.live, self.scheduled]:
            url = reverse("admin:blog_post_change", args=[post.pk])
            for extra in [{"_unpublish": "1"}, {"_unfeature": "1"}, {"status": "draft"}, {}]:
                response = self.client.post(url, post_form(post, title="Changé", **extra))
                self.assertEqual(response.status_code, 403, extra)
        self.assertEqual(snapshot(self.live, self.scheduled), before)

    def test_the_preview_of_a_published_post_is_refused(self):
        url = reverse("admin:blog_post_preview", kwargs={"object_id": self.live.pk})
        before = snapshot(self.live)
        self.assertEqual(self.client.post(url, post_form(self.live)).status_code, 403)
        self.assertEqual(snapshot(self.live), before)

    def test_the_preview_of_a_draft_is_allowed(self):
        url = reverse("admin:blog_post_preview", kwargs={"object_id": self.draft.pk})
        self.assertContains(self.client.post(url, post_form(self.draft, body="Neuf.")), "Neuf.")

    def test_tags_cannot_be_merged_or_renamed(self):
        self.live.tags.add("python")
        self.draft.tags.add("django")
        tags = {tag.name: tag for tag in Tag.objects.all()}
        before = snapshot(self.live, self.draft)
        response = self.client.post(
            reverse("admin:taggit_tag_changelist"),
            {
                "action": "merge",
                "_selected_action": [t.pk for t in tags.values()],
                "name": "fusion",
            },
        )
        self.assertIn(response.status_code, (200, 302, 403))
        rename = reverse("admin:taggit_tag_change", args=[tags["python"].pk])
        self.assertEqual(
            self.client.post(rename, {"name": "rebaptise", "slug": "rebaptise"}).status_code, 403
        )
        self.assertEqual(snapshot(self.live, self.draft), before)
        self.assertFalse(Redirect.objects.exists())

    def test_a_draft_taking_an_old_address_does_not_drop_its_redirect(self):
        """/blog/ancien/ leads to a published post; an Auteur's draft must not break it."""
        Redirect.objects.create(old_path="/blog/ancien/", post=self.live)
        url = reverse("admin:blog_post_change", args=[self.draft.pk])
        response = self.client.post(url, post_form(self.draft, slug="ancien"))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Redirect.objects.filter(old_path="/blog/ancien/", post=self.live).exists())
        anonymous = Client()
        self.assertRedirects(
            anonymous.get("/blog/ancien/"),
            self.live.get_absolute_url(),
            status_code=301,
            fetch_redirect_response=False,
        )


class ViewOnlyTests(TestCase):
    """A permission to look (granted on its own to a role's member) is not one to change."""

    def test_the_inbox_actions_need_the_change_permission(self):
        user = member("Auteur", "assistante")
        user.user_permissions.add(Permission.objects.get(codename="view_contactmessage"))
        self.client.force_login(user)
        message = ContactMessage.objects.create(
            name="Zoé", email="zoe@example.org", subject="Devis", message="Bonjour"
        )
        changelist = reverse("admin:blog_contactmessage_changelist")
        self.assertEqual(self.client.get(changelist).status_code, 200)
        for action in ["mark_read", "mark_unread"]:
            self.client.post(changelist, {"action": action, "_selected_action": [message.pk]})
            self.assertFalse(ContactMessage.objects.get(pk=message.pk).read, action)
        self.client.get(reverse("admin:blog_contactmessage_change", args=[message.pk]))
        self.assertFalse(ContactMessage.objects.get(pk=message.pk).read)


class OutsidersTests(TestCase):
    """Anonymous, non-staff and staff without a role: every writing endpoint sends to login."""

    def setUp(self):
        self.live = make_post(title="En ligne", slug="en-ligne")
        self.draft = make_post(title="Brouillon", slug="brouillon", status=Post.Status.DRAFT)

    def requests(self):
        live, draft = self.live, self.draft
        preview = reverse("admin:blog_post_preview", kwargs={"object_id": live.pk})
        yield reverse("admin:blog_post_change", args=[live.pk]), post_form(live, status="draft")
        yield reverse("admin:blog_post_change", args=[draft.pk]), post_form(draft, _publish_now=1)
        yield ADD, post_form_data(slug="intrus", status="published")
        yield CHANGELIST, {"action": "unpublish", "_selected_action": [live.pk]}
        yield CHANGELIST, {"action": "publish_now", "_selected_action": [draft.pk]}
        yield preview, post_form(live)
        yield reverse("admin:blog_post_upload"), {"image": make_image("intrus.jpg")}
        yield reverse("admin:blog_post_delete", args=[live.pk]), {"post": "yes"}
        yield reverse("admin:blog_page_add"), {"title": "Intrus", "slug": "intrus", "body": "x"}

    def check_refused(self):
        before = snapshot(self.live, self.draft)
        for url, data in self.requests():
            response = self.client.post(url, data)
            self.assertEqual(response.status_code, 302, url)
            self.assertTrue(response["Location"].startswith("/admin/login/"), url)
        self.assertEqual(snapshot(self.live, self.draft), before)
        self.assertEqual(Post.objects.count(), 2)
        self.assertFalse(Page.objects.filter(slug="intrus").exists())

    def test_anonymous(self):
        self.check_refused()

    def test_a_user_who_is_not_staff(self):
        self.client.force_login(make_staff("lecteur", is_staff=False, is_superuser=False))
        self.check_refused()

    def test_staff_without_a_role(self):
        self.client.force_login(make_staff("sans-role", is_superuser=False))
        self.check_refused()


class DraftVisibilityTests(TestCase):
    """The public "staff may look at a draft" rule is the admin's: a role (or superuser)."""

    def setUp(self):
        self.draft = make_post(title="Brouillon secret", status=Post.Status.DRAFT)
        self.scheduled = make_post(
            title="Programmé secret", pub_date=timezone.now() + dt.timedelta(days=3)
        )
        self.page = Page.objects.create(title="Page cachée", slug="cachee", body="Secret.")
        self.urls = [self.draft.get_absolute_url(), self.scheduled.get_absolute_url()]

    def test_staff_without_a_role_sees_no_draft_post_nor_unpublished_page(self):
        self.client.force_login(make_staff("sans-role", is_superuser=False))
        for url in [*self.urls, "/cachee/"]:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 404, url)
            for text in ["Brouillon secret", "Programmé secret", "Secret."]:
                self.assertNotContains(response, text, status_code=404)

    def test_a_role_without_staff_status_sees_none(self):
        user = member("Éditeur", "ancien")
        user.is_staff = False
        user.save()
        self.client.force_login(user)
        for url in [*self.urls, "/cachee/"]:
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_an_author_sees_draft_posts_but_not_pages_they_cannot_edit(self):
        self.client.force_login(member("Auteur", "autrice"))
        for url in self.urls:
            self.assertContains(self.client.get(url), "secret")
        self.assertEqual(self.client.get("/cachee/").status_code, 404)

    def test_an_editor_and_a_superuser_see_everything(self):
        for user in [member("Éditeur", "editeur"), make_staff("admin")]:
            self.client.force_login(user)
            for url in self.urls:
                self.assertContains(self.client.get(url), "secret")
            self.assertContains(self.client.get("/cachee/"), "Secret.")
