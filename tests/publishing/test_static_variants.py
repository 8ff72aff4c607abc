"""What only the static pages differ in: the contact form's target and the search page.

The live pages stay as they are (CSRF form, database search, no script), and no request can
ask for the static variant: its flag is not an HTTP header.
"""

from __future__ import annotations

from django.test import TestCase, override_settings

from blog.models import SiteIdentity
from tests.support.cases import TemporaryFolders
from tests.support.factories import make_post
from tests.support.static_site import build


class ContactFormTests(TemporaryFolders, TestCase):
    def setUp(self):
        super().setUp()
        make_post(title="Un billet")
        SiteIdentity.objects.create(email="bonjour@zoe.example", github="https://github.com/zoe")
        self.out = self.tmp_path / "site"

    def contact(self) -> str:
        return (self.out / "contact" / "index.html").read_text()

    def test_without_an_endpoint_the_page_gives_the_address_and_the_profiles(self):
        with override_settings(CARNET_STATIC_CONTACT_ACTION=""):
            build(self.out)
        html = self.contact()
        assert 'href="mailto:bonjour@zoe.example"' in html
        assert 'href="https://github.com/zoe"' in html
        assert '<form class="contact-form"' not in html
        assert "csrfmiddlewaretoken" not in html

    def test_netlify_forms(self):
        """As the Gatsby starter did: data-netlify, a honeypot, the form's name."""
        with override_settings(CARNET_STATIC_CONTACT_ACTION="netlify"):
            build(self.out)
        html = self.contact()
        assert (
            '<form class="contact-form" name="contact" method="post" action="/contact/merci/" '
            'data-netlify="true" netlify-honeypot="website" novalidate>'
        ) in html
        assert '<input type="hidden" name="form-name" value="contact">' in html
        assert 'name="website"' in html  # the honeypot field Netlify is told about
        assert "csrfmiddlewaretoken" not in html
        assert (self.out / "contact" / "merci" / "index.html").is_file()

    def test_an_endpoint_of_its_own_and_the_policy_that_allows_it(self):
        endpoint = "https://formspree.example/f/abc"
        with override_settings(CARNET_STATIC_CONTACT_ACTION=endpoint):
            build(self.out)
        assert f'method="post" action="{endpoint}" novalidate>' in self.contact()
        assert (
            "form-action 'self' https://formspree.example"
            in (self.out / "netlify.toml").read_text()
        )

    def test_the_live_form_is_unchanged(self):
        with override_settings(CARNET_STATIC_CONTACT_ACTION="netlify"):
            html = self.client.get("/contact/").content.decode()
        assert 'action="/contact/"' in html
        assert "csrfmiddlewaretoken" in html
        assert "data-netlify" not in html


class LiveSearchTests(TestCase):
    def test_the_live_search_page_has_no_script_even_when_asked(self):
        for headers in [{}, {"HTTP_CARNET.STATIC_BUILD": "1", "HTTP_CARNET_STATIC_BUILD": "1"}]:
            html = self.client.get("/search/", **headers).content.decode()
            assert "<script" not in html
            assert "pagefind" not in html
            assert 'id="search-page"' in html


class SearchWithoutPostsTests(TemporaryFolders, TestCase):
    def test_a_site_with_no_post_says_there_is_nothing_to_search(self):
        """Pagefind makes no index of a site without posts: the page loads none of its files
        (they would be missing) and says why, in French."""
        out = self.tmp_path / "site"
        build(out)
        page = (out / "search" / "index.html").read_text()
        assert "Rien à chercher pour l'instant : aucun article n'est encore publié." in page
        assert "/pagefind/" not in page
        assert "static-search" not in page
        assert not (out / "pagefind").exists()
        # The first post brings the index, and the search page its script.
        make_post(title="Le premier")
        build(out, "--incremental")
        page = (out / "search" / "index.html").read_text()
        assert '<script src="/pagefind/pagefind-ui.js" defer></script>' in page
        assert "Rien à chercher" not in page
        assert (out / "pagefind" / "pagefind-ui.js").is_file()
