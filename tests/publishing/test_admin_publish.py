"""« Publier le site statique »: for the Éditeur role, when CARNET_STATIC_DIR is set."""

from __future__ import annotations

import re

from django.contrib.auth.models import Group
from django.test import TestCase, override_settings

from blog.models import Post
from blog.publishing.build import one_build_at_a_time
from tests.support.cases import TemporaryFolders
from tests.support.factories import make_post, make_staff

PUBLISH_URL = "/admin/publier-le-site-statique/"
BUTTON = "Publier le site statique"


def member(group_name, username):
    user = make_staff(username, is_superuser=False)
    user.groups.add(Group.objects.get(name=group_name))
    return user


class PublishFromTheAdminTests(TemporaryFolders, TestCase):
    def setUp(self):
        super().setUp()
        self.out = self.tmp_path / "public"
        self.enterContext(
            override_settings(
                CARNET_STATIC_DIR=str(self.out), CARNET_STATIC_BASE_URL="https://carnet.example"
            )
        )
        self.post = make_post(title="Publié pour tous")

    def test_an_editor_publishes_and_sees_what_was_written(self):
        self.client.force_login(member("Éditeur", "editeur"))
        index = self.client.get("/admin/").content.decode()
        assert BUTTON in index
        assert f'action="{PUBLISH_URL}"' in index
        response = self.client.post(PUBLISH_URL, follow=True)
        text = response.content.decode()
        assert f"Site statique publié dans {self.out}" in text
        assert " 0 inchangés, 0 supprimés." in text
        page = self.out / "blog" / self.post.slug / "index.html"
        assert '<link rel="canonical" href="https://carnet.example/blog/publie-pour-tous/">' in (
            page.read_text()
        )

        Post.objects.filter(pk=self.post.pk).update(status=Post.Status.DRAFT)
        again = self.client.post(PUBLISH_URL, follow=True).content.decode()
        assert re.search(r"\d+ fichiers écrits, \d+ inchangés, [1-9]\d* supprimés\.", again)
        assert not page.exists()

    def test_an_error_is_shown_and_nothing_is_written(self):
        self.out.mkdir()
        (self.out / "autre.txt").write_text("pas à Carnet")
        self.client.force_login(member("Éditeur", "editeur"))
        text = self.client.post(PUBLISH_URL, follow=True).content.decode()
        assert "Le site statique n&#x27;a pas été publié" in text
        assert "not written by build_static" in text
        assert sorted(p.name for p in self.out.iterdir()) == ["autre.txt"]

    def test_a_second_click_while_a_build_runs_is_told_so_in_french(self):
        """The request that finds the lock taken neither waits nor reports a failure."""
        self.client.force_login(member("Éditeur", "editeur"))
        with one_build_at_a_time(self.out):  # the first click's build, still running
            text = self.client.post(PUBLISH_URL, follow=True).content.decode()
        assert "Le site statique est déjà en cours de publication" in text
        assert "réessayez quand elle sera terminée" in text
        assert "pas été publié" not in text
        assert not (self.out / "index.html").exists()
        # Once it ends, the button works again.
        again = self.client.post(PUBLISH_URL, follow=True).content.decode()
        assert f"Site statique publié dans {self.out}" in again

    def test_an_author_sees_no_button_and_may_not_publish(self):
        self.client.force_login(member("Auteur", "autrice"))
        assert BUTTON not in self.client.get("/admin/").content.decode()
        assert self.client.post(PUBLISH_URL).status_code == 403
        assert not self.out.exists()

    def test_a_reader_is_sent_to_the_login_page(self):
        response = self.client.post(PUBLISH_URL)
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
        assert not self.out.exists()

    def test_without_a_static_folder_there_is_no_button(self):
        self.client.force_login(member("Éditeur", "editeur"))
        with override_settings(CARNET_STATIC_DIR=""):
            assert BUTTON not in self.client.get("/admin/").content.decode()
            assert self.client.post(PUBLISH_URL).status_code == 404

    def test_a_get_changes_nothing(self):
        self.client.force_login(member("Éditeur", "editeur"))
        assert self.client.get(PUBLISH_URL).status_code == 405
        assert not self.out.exists()
