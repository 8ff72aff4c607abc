"""A visitor finds the about page, then writes through the contact form, in headless Chromium."""

from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from blog.models import ContactMessage, Page, SiteIdentity
from tests.public.test_html_validity import validate, vnu_missing_reason
from tests.support.browser import (
    BrowserTestCase,
    axe_violations,
    screenshot_path,
    skip_or_fail,
)
from tests.support.factories import make_staff


def make_freelancer_site() -> None:
    """Zoé's identity and about page, in the navigation."""
    SiteIdentity.objects.create(
        site_name="Le carnet de Zoé",
        tagline="Développeuse Django indépendante",
        author_name="Zoé Martin",
        bio="J'aide les petites équipes à livrer des sites Django solides.",
        linkedin="https://www.linkedin.com/in/zoe-martin",
        malt="https://www.malt.fr/profile/zoemartin",
        email="zoe@example.fr",
    )
    Page.objects.update_or_create(
        slug="a-propos",
        defaults={
            "title": "À propos",
            "body": "## Mon parcours\n\nDix ans de **Django**, dont cinq en indépendante.",
            "description": "Qui je suis et ce que je propose.",
            "published": True,
            "in_navigation": True,
            "show_identity": True,
        },
    )


def send_message(page, name: str, email: str, subject: str, message: str) -> None:
    """Fill in the contact form as a visitor does, send it, and reach the thank-you page."""
    page.get_by_label("Votre nom").fill(name)
    page.get_by_label("Votre adresse e-mail").fill(email)
    page.get_by_label("Sujet").fill(subject)
    page.get_by_label("Message").fill(message)
    page.get_by_role("button", name="Envoyer le message").click()
    page.wait_for_url("**/contact/merci/")


@override_settings(CARNET_CONTACT_EMAIL="zoe@example.fr")
class AboutContactTests(BrowserTestCase):
    """A visitor reads the about page and writes through the contact form, with or without JS."""

    def setUp(self):
        super().setUp()
        cache.clear()
        self.addCleanup(cache.clear)
        make_freelancer_site()

    def test_a_visitor_reads_about_then_sends_a_message(self):
        page = self.page
        page.goto(self.live_server_url + "/")
        page.get_by_role("navigation", name="Principale").get_by_role(
            "link", name="À propos"
        ).click()
        page.wait_for_url("**/a-propos/")
        assert page.get_by_role("heading", level=1).inner_text() == "À propos"
        assert page.get_by_role("heading", name="Mon parcours").is_visible()
        card = page.get_by_role("region", name="Zoé Martin")
        assert card.get_by_role("link", name="Zoé Martin sur LinkedIn").is_visible()
        assert card.get_by_text("J'aide les petites équipes").is_visible()
        about_html = page.content()  # before axe adds its script
        assert axe_violations(page) == []
        page.screenshot(path=screenshot_path("about-page"), full_page=True)

        page.get_by_role("link", name="M'écrire").click()
        page.wait_for_url("**/contact/")
        assert axe_violations(page) == []
        # Submitted empty first: the errors are named, in French, and lead to their fields.
        page.get_by_role("button", name="Envoyer le message").click()
        page.wait_for_url("**/contact/")
        assert (
            page.get_by_role("alert").get_by_text("Le formulaire comporte 4 erreurs").is_visible()
        )
        assert page.get_by_label("Votre nom").get_attribute("aria-invalid") == "true"
        contact_errors_html = page.content()
        page.screenshot(path=screenshot_path("contact-errors"), full_page=True)
        assert axe_violations(page) == []

        send_message(
            page,
            "Camille Durand",
            "camille@example.org",
            "Un site pour mon association",
            "Bonjour,\nPourriez-vous refaire notre site ?",
        )
        assert page.get_by_role("heading", level=1).inner_text() == "Merci pour votre message"
        page.screenshot(path=screenshot_path("contact-thanks"), full_page=True)

        message = ContactMessage.objects.get()
        assert (message.name, message.subject) == ("Camille Durand", "Un site pour mon association")
        assert message.mailed
        assert mail.outbox[-1].to == ["zoe@example.fr"]

        page.goto(self.live_server_url + "/contact/")
        contact_html = page.content()
        reason = vnu_missing_reason()
        if reason:
            skip_or_fail(reason)
        assert (
            validate(
                {
                    "about": about_html,
                    "contact": contact_html,
                    "contact-errors": contact_errors_html,
                }
            )
            == []
        )

    def test_the_form_works_with_javascript_off(self):
        # Its CSP violations count with the test's own (BrowserTestCase checks them).
        context = self.new_context(self.csp_violations, java_script_enabled=False)
        page = context.new_page()
        page.goto(self.live_server_url + "/contact/")
        send_message(page, "Sans JavaScript", "nojs@example.org", "Bonjour", "Ça marche aussi.")
        assert ContactMessage.objects.get().name == "Sans JavaScript"


class PageEditorTests(BrowserTestCase):
    def test_a_page_is_written_with_the_post_editor_and_its_preview(self):
        """The admin's page form gets the same Markdown toolbar and live preview as posts."""
        page = self.page
        make_staff("editrice")
        self.log_in("/admin/blog/page/add/")
        page.fill("#id_title", "Mes services")
        assert page.input_value("#id_slug") == "mes-services"  # prefilled as for posts
        page.fill("#id_body", "## Développement\n\nDu **Django** sur mesure.")
        assert page.get_by_role("toolbar").is_visible()
        frame = page.frame_locator("iframe.carnet-preview")
        frame.get_by_role("heading", name="Développement").wait_for(timeout=15_000)
        assert frame.locator("strong").inner_text() == "Django"
        page.screenshot(path=screenshot_path("page-editor"), full_page=True)
        page.check("#id_published")
        page.click("input[name=_save]")
        page.wait_for_url("**/admin/blog/page/")
        saved = Page.objects.get(slug="mes-services")
        assert saved.published and "<strong>Django</strong>" in saved.body_html
