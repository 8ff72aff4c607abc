"""An editor in a real browser: live preview, image, draft, publish, and scheduling."""

import base64
import datetime as dt
import time

from django.test import override_settings
from django.utils import timezone
from PIL import Image

from blog.models import Post
from blog.text import ascii_slugify
from tests.support.browser import BrowserTestCase, screenshot_path, watch_csp_violations
from tests.support.cases import TemporaryFolders
from tests.support.factories import make_post, make_staff

TITLE = "Le Début d'une Carrière — cœur & œuvre"
# Bounded waits for things that happen by themselves (never a timed assertion).
WAIT_MS = 15_000


def preview(page):
    return page.frame_locator("iframe.carnet-preview")


def wait_for_preview(page):
    """The editor's preview is shown and no request of it is on its way."""
    page.wait_for_function(
        """() => {
            const frame = document.querySelector("iframe.carnet-preview");
            return frame && frame.dataset.busy === "0" && Number(frame.dataset.updates) > 0;
        }""",
        timeout=WAIT_MS,
    )


def visitor_sees(chromium, url, text) -> bool:
    context = chromium.new_context(locale="fr-FR")
    violations = watch_csp_violations(context, [])
    try:
        visitor = context.new_page()
        visitor.goto(url)
        seen = text in visitor.locator("body").inner_text()
    finally:
        context.close()
    assert violations == [], violations
    return seen


@override_settings(SERVE_MEDIA=True)
class EditorTests(TemporaryFolders, BrowserTestCase):
    """An editor writes with the live preview, adds images, saves a draft, publishes, schedules."""

    def setUp(self):
        super().setUp()
        self.photo = self.tmp_path / "bureau.jpg"
        Image.new("RGB", (640, 400), (40, 90, 160)).save(self.photo, "JPEG")
        make_staff("editrice")
        make_post(title="Plus ancien", tags=["freelancing"])
        self.log_in("/admin/blog/post/add/")

    def test_write_preview_draft_then_publish(self):
        page = self.page
        wait_for_preview(page)

        page.fill("#id_title", TITLE)
        assert (
            page.input_value("#id_slug")
            == ascii_slugify(TITLE)
            == "le-debut-dune-carriere-coeur-oeuvre"
        )

        body = page.locator("#id_body")
        body.click()
        body.press_sequentially("## Premier essai\n\nDu texte ")
        expect_heading = preview(page).locator(".prose h2", has_text="Premier essai")
        expect_heading.wait_for(timeout=WAIT_MS)
        assert "Le Début d'une Carrière" in preview(page).locator("h1").inner_text()

        # The toolbar wraps the selection; the preview follows.
        body.press("End")
        body.press_sequentially("important")
        for _ in range(len("important")):
            body.press("Shift+ArrowLeft")
        page.click(".carnet-toolbar__bold")
        assert page.input_value("#id_body").endswith("Du texte **important**")
        preview(page).locator(".prose strong", has_text="important").wait_for(timeout=WAIT_MS)

        # Tags: an existing tag is suggested while typing.
        page.locator("#id_tags").press_sequentially("free")
        page.locator(".carnet-suggest li", has_text="freelancing").click()
        assert page.input_value("#id_tags") == "freelancing, "

        page.set_input_files("#id_image", str(self.photo))
        page.fill("#id_image_alt", "Un bureau bleu vu de haut")
        preview(page).locator('img[alt="Un bureau bleu vu de haut"]').wait_for(timeout=WAIT_MS)
        preview(page).locator(".tags", has_text="freelancing").wait_for(timeout=WAIT_MS)
        page.locator("#id_title").focus()
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=screenshot_path("admin-editor-preview-1280"))
        page.screenshot(path=screenshot_path("admin-editor-full-1280"), full_page=True)

        page.click("input[name=_save]")
        page.wait_for_url("**/admin/blog/post/")
        post = Post.objects.get(title=TITLE)
        assert post.status == Post.Status.DRAFT
        assert post.image.name.endswith(".jpg") and post.image_alt == "Un bureau bleu vu de haut"
        assert "<strong>important</strong>" in post.body_html
        assert list(post.tags.names()) == ["freelancing"]
        assert not visitor_sees(self.chromium, self.live_server_url + "/", TITLE)

        page.goto(f"{self.live_server_url}/admin/blog/post/{post.pk}/change/")
        wait_for_preview(page)
        assert (
            page.locator("a.carnet-preview-link").get_attribute("href") == post.get_absolute_url()
        )
        page.click("input[name=_publish_now]")
        page.wait_for_url(f"**/admin/blog/post/{post.pk}/change/")
        wait_for_preview(page)
        assert page.locator("a.viewsitelink", has_text="Voir sur le site").count() == 1
        assert visitor_sees(self.chromium, self.live_server_url + "/", TITLE)

    def test_a_scheduled_post_appears_after_its_time(self):
        page = self.page
        wait_for_preview(page)
        title = "Publié dans deux secondes"
        when = timezone.localtime() + dt.timedelta(seconds=2)
        page.fill("#id_title", title)
        page.fill("#id_body", "Bientôt en ligne.")
        page.select_option("#id_status", "published")
        page.fill("#id_pub_date_0", when.strftime("%d/%m/%Y"))
        page.fill("#id_pub_date_1", when.strftime("%H:%M:%S"))
        wait_for_preview(page)
        page.click("input[name=_save]")
        page.wait_for_url("**/admin/blog/post/")
        post = Post.objects.get(title=title)
        assert post.status == Post.Status.PUBLISHED
        assert post.pub_date == when.replace(microsecond=0)

        # It goes live by itself: poll the home page (bounded) until a visitor sees it.
        deadline = time.monotonic() + 30
        while not visitor_sees(self.chromium, self.live_server_url + "/", title):
            assert time.monotonic() < deadline, "the scheduled post never appeared"
            time.sleep(0.5)
        # The server showed it at some moment before now, and only once its time had come.
        assert timezone.now() >= post.pub_date

    def test_slug_prefill_folds_like_the_server(self):
        """The slug typed in for the editor is the one the server would make from the title."""
        page = self.page
        titles = [
            "Le Début d'une Carrière Professionnelle",
            "Œuvres complètes : l'ŒIL & le cœur",
            "Straße, Ærø et Łódź",
            "  Ça  va -- très_bien !? ",
            "Déjà vu ½ ﬁn — « guillemets »",
        ]
        for title in titles:
            page.fill("#id_title", title)
            assert page.input_value("#id_slug") == ascii_slugify(title), title
        # A slug the editor typed is theirs: the title no longer changes it.
        page.fill("#id_slug", "mon-adresse")
        page.locator("#id_title").press_sequentially(" encore")
        assert page.input_value("#id_slug") == "mon-adresse"
        wait_for_preview(page)

    def test_body_image_upload_and_shortcuts(self):
        page = self.page
        wait_for_preview(page)
        body = page.locator("#id_body")
        body.click()
        body.press_sequentially("Un mot")
        body.press("Shift+ArrowLeft")
        body.press("Shift+ArrowLeft")
        body.press("Shift+ArrowLeft")
        body.press("Control+i")
        assert page.input_value("#id_body") == "Un _mot_"
        body.press("End")
        page.set_input_files(".carnet-editor__write input[type=file]", str(self.photo))
        page.wait_for_function(
            "() => document.querySelector('#id_body').value.includes('/media/uploads/')",
            timeout=WAIT_MS,
        )
        text = page.input_value("#id_body")
        assert "![Décrivez l'image](/media/uploads/" in text and text.rstrip().endswith(
            "bureau.jpg)",
        )
        # The alt placeholder is selected, ready to be typed over.
        page.keyboard.type("Un bureau bleu")
        assert "![Un bureau bleu](/media/uploads/" in page.input_value("#id_body")
        preview(page).locator('.prose img[alt="Un bureau bleu"]').wait_for(timeout=WAIT_MS)
        wait_for_preview(page)

    def test_an_image_dropped_on_the_text_is_uploaded(self):
        page = self.page
        wait_for_preview(page)
        page.evaluate(
            """async (b64) => {
                const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
                const data = new DataTransfer();
                data.items.add(new File([bytes], "déposée.jpg", { type: "image/jpeg" }));
                const body = document.querySelector("#id_body");
                body.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true }));
            }""",
            base64.b64encode(self.photo.read_bytes()).decode(),
        )
        page.wait_for_function(
            "() => document.querySelector('#id_body').value.includes('deposee.jpg')",
            timeout=WAIT_MS,
        )
        assert page.input_value("#id_body").startswith("![Décrivez l'image](/media/uploads/")
        wait_for_preview(page)
