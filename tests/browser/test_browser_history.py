"""An editor compares an old revision with the current post, then restores it, in Chromium."""

import reversion
from django.urls import reverse

from blog.models import Post
from tests.support.browser import BrowserTestCase, axe_violations, screenshot_path
from tests.support.factories import make_post, make_staff

BEFORE = "Introduction.\n\nLa phrase d'origine.\n\nConclusion."
AFTER = "Introduction.\n\nLa phrase corrigée.\n\nConclusion."


def save_revision(post, user, **changes):
    with reversion.create_revision():
        for name, value in changes.items():
            setattr(post, name, value)
        post.save()
        reversion.set_user(user)
        reversion.set_comment("Modification.")


class HistoryTests(BrowserTestCase):
    """An editor compares an old revision with the current post, then restores it."""

    def test_compare_then_restore(self):
        user = make_staff("editrice")
        post = make_post(title="Première version", body=BEFORE, tags=["voyage"])
        save_revision(post, user)
        save_revision(post, user, title="Titre corrigé", body=AFTER)

        self.page.goto(f"{self.live_server_url}/admin/login/?next=/admin/")
        self.page.fill("#id_username", "editrice")
        self.page.fill("#id_password", "mot-de-passe-solide")
        self.page.click("input[type=submit]")
        self.page.wait_for_url("**/admin/")
        self.page.goto(self.live_server_url + reverse("admin:blog_post_history", args=[post.pk]))
        # Each link names the revision it compares, for a screen reader going through the links.
        self.page.get_by_role("link", name="Comparer la version du").first.click()
        self.page.wait_for_url("**/compare/")

        removed = self.page.locator(".carnet-diff del")
        added = self.page.locator(".carnet-diff ins")
        assert removed.text_content() == "Supprimé : La phrase d'origine."
        assert added.text_content() == "Ajouté : La phrase corrigée."
        # Told without colour: struck through / underlined, and a visible sign before the line.
        assert "line-through" in removed.evaluate("e => getComputedStyle(e).textDecorationLine")
        assert "underline" in added.evaluate("e => getComputedStyle(e).textDecorationLine")
        assert self.page.locator(".carnet-diff__line--del .carnet-diff__sign").inner_text() == "−"
        for scheme in ("light", "dark"):
            self.page.emulate_media(color_scheme=scheme)
            assert axe_violations(self.page, "#content-main") == [], scheme
        self.page.emulate_media(color_scheme="light")
        self.page.screenshot(path=screenshot_path("admin-compare-1280"), full_page=True)

        self.page.get_by_role("link", name="Revenir à cette version").click()
        self.page.wait_for_url("**/history/*/")
        assert self.page.locator("#id_body").input_value() == BEFORE
        self.page.locator("input[name=_save]").click()
        self.page.wait_for_url("**/admin/blog/post/")
        post.refresh_from_db()
        assert (post.title, post.body) == ("Première version", BEFORE)
        assert Post.objects.count() == 1
