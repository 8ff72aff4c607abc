"""The site under its Content-Security-Policy in Chromium: nothing refused, nothing broken.

Every browser test's tab reports CSP violations (tests.support.browser.BrowserTestCase); this
file walks the public pages and the admin (editor with its live preview, history, comparison)
on purpose, and first proves that the watcher sees a violation when there is one, preview
frame included.
"""

import reversion
from django.test import override_settings
from django.urls import reverse

from tests.support.browser import BrowserTestCase
from tests.support.factories import make_image, make_post, make_staff

WAIT_MS = 15_000  # bounded waits for things that happen by themselves (never a timed assertion)
TABLE = "| Gauche | Centre | Droite |\n|:--|:-:|--:|\n| 1 | 2 | 3 |"


def wait_until(page, condition) -> None:
    """Let the browser work until ``condition()`` holds, at most WAIT_MS (no timing measured)."""
    for _ in range(WAIT_MS // 100):
        if condition():
            return
        page.wait_for_timeout(100)


def make_site():
    """A post with a table and an image, and another: what the pages below show."""
    post = make_post(
        title="Un article avec un tableau",
        body=f"Introduction.\n\n{TABLE}\n",
        tags=["freelancing"],
        image=make_image(),
        image_alt="Un bureau",
    )
    make_post(title="Un autre article", tags=["divers"])
    return post


def cell_alignments(frame_or_page) -> list[str]:
    return frame_or_page.locator(".prose th").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c).textAlign)"
    )


def wait_for_preview(page, updates: int = 1):
    page.wait_for_function(
        """(n) => {
            const frame = document.querySelector("iframe.carnet-preview");
            return frame && frame.dataset.busy === "0" && Number(frame.dataset.updates) >= n;
        }""",
        arg=updates,
        timeout=WAIT_MS,
    )


class WatcherTests(BrowserTestCase):
    """The CSP watcher every browser test relies on sees a violation, preview frame included."""

    def test_the_watcher_sees_violations_in_pages_and_in_the_preview_frame(self):
        seen: list[str] = []
        page = self.new_context(seen).new_page()
        page.goto(self.live_server_url + "/robots.txt")
        page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.ran = true";
                document.body.append(script);
            }"""
        )
        wait_until(page, lambda: seen)
        assert not page.evaluate("window.ran === true"), "the inline script was refused"
        assert any("script-src" in line for line in seen), seen
        seen.clear()
        # The editor's preview: srcdoc, sandboxed without scripts, under the page's policy.
        page.evaluate(
            """() => {
                const frame = document.createElement("iframe");
                frame.sandbox = "allow-same-origin";
                frame.srcdoc = '<p style="color: red">rouge</p>';
                document.body.append(frame);
            }"""
        )
        wait_until(page, lambda: any("style" in line for line in seen))
        assert any("style" in line for line in seen), seen


@override_settings(SERVE_MEDIA=True)
class SitePolicyTests(BrowserTestCase):
    """The public pages and the admin (editor, preview, history) run with no CSP violation."""

    def setUp(self):
        super().setUp()
        self.post = make_site()

    def test_public_pages_run_under_the_policy(self):
        page = self.page
        year = self.post.pub_date.year
        for url in (
            "/",
            "/blog/",
            self.post.get_absolute_url(),
            "/tags/",
            "/tags/freelancing/",
            f"/archive/{year}/",
            "/search/?q=tableau",
            "/contact/",
            "/nulle-part/",
        ):
            page.goto(self.live_server_url + url)
            page.wait_for_load_state("load")
            assert self.csp_violations == [], url
        page.goto(self.live_server_url + self.post.get_absolute_url())
        # The table's alignment is an inline style allowed by its hash: it still applies.
        assert cell_alignments(page) == ["left", "center", "right"]
        image = page.locator(".post__image").first
        assert image.evaluate("img => img.complete && img.naturalWidth") > 0, "media images load"

    def test_the_admin_and_its_editor_run_under_the_policy(self):
        page = self.page
        make_staff("editrice")
        self.log_in()
        assert self.csp_violations == [], "login"
        for name in ("admin:blog_post_changelist", "admin:blog_page_changelist"):
            page.goto(self.live_server_url + reverse(name))
            assert self.csp_violations == [], name

        page.goto(
            self.live_server_url + reverse("admin:blog_post_change", args=[self.post.pk]),
        )
        wait_for_preview(page)
        preview = page.frame_locator("iframe.carnet-preview")
        assert cell_alignments(preview) == ["left", "center", "right"]
        # The toolbar still works (its script is a file), and the preview follows the text.
        body = page.locator("#id_body")
        body.press("End")
        body.press("Control+End")
        body.type("\n\nUn mot ")
        page.locator(".carnet-toolbar__bold").click()
        assert "**gras**" in body.input_value()
        wait_for_preview(page, 2)
        page.wait_for_function(
            """() => {
                const frame = document.querySelector("iframe.carnet-preview");
                const strong = frame.contentDocument.querySelector(".prose strong");
                return strong && strong.textContent === "gras";
            }""",
            timeout=WAIT_MS,
        )
        assert self.csp_violations == [], "editor"

        with reversion.create_revision():
            self.post.body = "Un autre texte."
            self.post.save()
        page.goto(
            self.live_server_url + reverse("admin:blog_post_history", args=[self.post.pk]),
        )
        assert self.csp_violations == [], "history"
        page.goto(self.live_server_url + reverse("admin:blog_post_add"))
        wait_for_preview(page)
        page.goto(self.live_server_url + reverse("admin:blog_page_add"))
        wait_for_preview(page)
        assert self.csp_violations == [], "new post and new page"
