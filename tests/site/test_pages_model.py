"""Standalone pages: at /<slug>/, drafts hidden, navigation order, sitemap, never in feeds."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import TestCase

from blog.models import Page
from tests.support.factories import make_post, make_staff, page_form_data
from tests.support.site import sitemap_text


def make_page(**overrides) -> Page:
    overrides.setdefault("title", "Services")
    overrides.setdefault("slug", "services")
    overrides.setdefault("body", "## Ce que je fais\n\nDu **Django**.")
    overrides.setdefault("published", True)
    return Page.objects.create(**overrides)


class PagesTestCase(TestCase):
    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)


class RouteTests(PagesTestCase):
    def test_a_published_page_is_served_at_its_slug_with_the_site_look(self):
        make_page(description="Mes services de développement.")
        response = self.client.get("/services/")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("<h1>Services</h1>", html)
        self.assertIn("<strong>Django</strong>", html)  # through blog.rendering
        self.assertIn('<meta name="description" content="Mes services de développement.">', html)
        self.assertIn('<header class="site-header">', html)
        self.assertEqual(Page.objects.get(slug="services").get_absolute_url(), "/services/")

    def test_the_body_is_sanitized(self):
        make_page(body="Bonjour <script>alert(1)</script> [x](javascript:alert(1))")
        html = self.client.get("/services/").content.decode()
        self.assertNotIn("<script>alert", html)
        self.assertNotIn("javascript:", html)

    def test_an_unpublished_page_is_hidden_from_readers(self):
        make_page(published=False)
        self.assertEqual(self.client.get("/services/").status_code, 404)

    def test_staff_see_an_unpublished_page_marked_as_draft(self):
        make_page(published=False)
        self.client.force_login(make_staff())
        response = self.client.get("/services/")
        self.assertContains(response, "Brouillon : seule l'équipe voit cette page.")
        self.assertContains(response, '<meta name="robots" content="noindex">')

    def test_routes_keep_their_pages(self):
        make_post(title="Un article")
        make_page()
        self.assertContains(self.client.get("/blog/"), "Un article")
        self.assertEqual(self.client.get("/tags/").status_code, 200)
        self.assertEqual(self.client.get("/contact/").status_code, 200)

    def test_a_fresh_install_has_a_draft_about_page_to_fill_in(self):
        """Made by the migration, unpublished, and saying it is a draft: no invented biography."""
        about = Page.objects.get(slug="a-propos")
        self.assertFalse(about.published)
        self.assertTrue(about.body.startswith("**Brouillon à compléter.**"))
        self.assertEqual(self.client.get("/a-propos/").status_code, 404)
        self.assertNotIn("/a-propos/", sitemap_text(self.client))


class NavigationTests(PagesTestCase):
    def test_navigation_lists_published_pages_in_their_order(self):
        make_page(title="Tarifs", slug="tarifs", in_navigation=True, navigation_order=3)
        make_page(title="Services", slug="services", in_navigation=True, navigation_order=1)
        make_page(title="Cachée", slug="cachee", in_navigation=False)
        make_page(title="Brouillon", slug="brouillon", in_navigation=True, published=False)
        html = self.client.get("/contact/").content.decode()
        nav = html[html.index('<nav aria-label="Principale">') : html.index("</nav>")]
        self.assertLess(nav.index(">Services</a>"), nav.index(">Tarifs</a>"))
        self.assertLess(nav.index(">Tarifs</a>"), nav.index(">Contact</a>"))
        self.assertNotIn("Cachée", nav)
        self.assertNotIn("Brouillon", nav)

    def test_the_current_page_is_marked_in_the_navigation(self):
        make_page(in_navigation=True)
        self.assertContains(
            self.client.get("/services/"), '<a href="/services/" aria-current="page">Services</a>'
        )

    def test_a_change_of_order_is_seen_at_once(self):
        first = make_page(title="Un", slug="un", in_navigation=True, navigation_order=1)
        make_page(title="Deux", slug="deux", in_navigation=True, navigation_order=2)
        html = self.client.get("/").content.decode()
        self.assertLess(html.index(">Un</a>"), html.index(">Deux</a>"))
        first.navigation_order = 5
        first.save()
        html = self.client.get("/").content.decode()
        self.assertLess(html.index(">Deux</a>"), html.index(">Un</a>"))

    def test_an_edited_page_gets_a_new_etag(self):
        page = make_page()
        etag = self.client.get("/services/").headers["ETag"]
        page.body = "Nouveau texte."
        page.save()
        again = self.client.get("/services/", HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(again.status_code, 200)
        self.assertContains(again, "Nouveau texte.")


class ListingTests(PagesTestCase):
    def setUp(self):
        super().setUp()
        make_post(title="Un article")
        make_page(title="Mes services", slug="services")
        make_page(title="Page cachée", slug="cachee", published=False)

    def test_published_pages_are_in_the_sitemap(self):
        xml = sitemap_text(self.client)
        self.assertIn("<loc>http://testserver/services/</loc>", xml)
        self.assertNotIn("/cachee/", xml)

    def test_pages_are_never_in_feeds_or_post_lists(self):
        for url in ["/feed/", "/feed/atom/", "/", "/blog/", "/search/?q=services"]:
            body = self.client.get(url).content.decode()
            self.assertNotIn("Mes services", body, url)
            self.assertNotIn("/services/", body, url)
            self.assertNotIn("Page cachée", body, url)
        self.assertContains(self.client.get("/feed/"), "Un article")


class SlugClashTests(PagesTestCase):
    def test_slugs_of_existing_routes_are_refused(self):
        for slug in [
            "blog",
            "tags",
            "search",
            "feed",
            "archive",
            "admin",
            "contact",
            "media",
            "static",
        ]:
            page = Page(title="Conflit", slug=slug)
            with self.assertRaises(ValidationError, msg=slug) as caught:
                page.full_clean()
            self.assertIn(f"L'adresse /{slug}/ est déjà utilisée", str(caught.exception), slug)

    def test_a_free_slug_is_accepted(self):
        Page(title="Tarifs", slug="tarifs").full_clean()

    def test_the_admin_names_the_problem(self):
        self.client.force_login(make_staff())
        response = self.client.post(
            "/admin/blog/page/add/",
            page_form_data(title="Recherche", slug="search"),
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "L&#x27;adresse /search/ est déjà utilisée par le site")
        self.assertFalse(Page.objects.filter(slug="search").exists())


class AdminTests(PagesTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(make_staff())

    def test_pages_are_edited_with_the_post_editor(self):
        response = self.client.get("/admin/blog/page/add/")
        self.assertContains(response, "blog/admin/editor.js")
        self.assertContains(response, 'id="carnet-editor-config"')
        self.assertContains(response, "/admin/blog/page/preview/")

    def test_the_preview_renders_the_page_without_saving_it(self):
        response = self.client.post(
            "/admin/blog/page/preview/",
            page_form_data(title="Aperçu", slug="apercu", body="Du *Markdown*."),
        )
        self.assertContains(response, "<h1>Aperçu</h1>")
        self.assertContains(response, "<em>Markdown</em>")
        self.assertFalse(Page.objects.filter(title="Aperçu").exists())

    def test_a_page_keeps_no_image_button_placeholder(self):
        pages = Page.objects.count()
        response = self.client.post(
            "/admin/blog/page/add/", page_form_data(body="![Décrivez l'image](/media/a.jpg)")
        )
        self.assertEqual(response.status_code, 200)
        [error] = response.context["adminform"].form.errors["body"]
        self.assertIn("« Décrivez l'image »", error)
        self.assertEqual(Page.objects.count(), pages)

    def test_the_preview_shows_an_image_just_inserted(self):
        response = self.client.post(
            "/admin/blog/page/preview/",
            page_form_data(title="Aperçu", slug="apercu", body="![Décrivez l'image](/media/a.jpg)"),
        )
        self.assertContains(response, '<img alt="Décrivez l\'image" src="/media/a.jpg"')

    def test_a_page_is_created_and_published(self):
        response = self.client.post(
            "/admin/blog/page/add/",
            page_form_data(
                body="Sur devis.", published="on", in_navigation="on", navigation_order=2
            ),
        )
        self.assertEqual(response.status_code, 302)
        self.client.logout()
        self.assertContains(self.client.get("/tarifs/"), "Sur devis.")


class SaveTests(PagesTestCase):
    def test_update_or_create_renders_the_new_body(self):
        """Django saves only the given fields then: the rendered body must follow the body."""
        Page.objects.update_or_create(slug="a-propos", defaults={"body": "Nouveau **texte**."})
        self.assertEqual(
            Page.objects.get(slug="a-propos").body_html, "<p>Nouveau <strong>texte</strong>.</p>"
        )
