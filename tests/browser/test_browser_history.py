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
        page = self.page
        user = make_staff("editrice")
        post = make_post(title="Première version", body=BEFORE, tags=["voyage"])
        save_revision(post, user)
        save_revision(post, user, title="Titre corrigé", body=AFTER)

        page.goto(f"{self.live_server_url}/admin/login/?next=/admin/")
        page.fill("#id_username", "editrice")
        page.fill("#id_password", "mot-de-passe-solide")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        page.goto(self.live_server_url + reverse("admin:blog_post_history", args=[post.pk]))
        # Each link names the revision it compares, for a screen reader going through the links.
        page.get_by_role("link", name="Comparer la version du").first.click()
        page.wait_for_url("**/compare/")

        removed = page.locator(".carnet-diff del")
        added = page.locator(".carnet-diff ins")
        assert removed.text_content() == "Supprimé : La phrase d'origine."
        assert added.text_content() == "Ajouté : La phrase corrigée."
        # Told without colour: struck through / underlined, and a visible sign before the line.
        assert "line-through" in removed.evaluate("e => getComputedStyle(e).textDecorationLine")
        assert "underline" in added.evaluate("e => getComputedStyle(e).textDecorationLine")
        assert page.locator(".carnet-diff__line--del .carnet-diff__sign").inner_text() == "−"
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            assert axe_violations(page, "#content-main") == [], scheme
        page.emulate_media(color_scheme="light")
        page.screenshot(path=screenshot_path("admin-compare-1280"), full_page=True)

        page.get_by_role("link", name="Revenir à cette version").click()
        page.wait_for_url("**/history/*/")
        assert page.locator("#id_body").input_value() == BEFORE
        page.locator("input[name=_save]").click()
        page.wait_for_url("**/admin/blog/post/")
        post.refresh_from_db()
        assert (post.title, post.body) == ("Première version", BEFORE)
        assert Post.objects.count() == 1
