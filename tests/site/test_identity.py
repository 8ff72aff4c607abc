"""The site identity: one object, settings as defaults, shown where the issue says, cached."""

from __future__ import annotations

import json
import re

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from blog.models import SiteIdentity
from tests.support.factories import identity_form_data, make_image, make_post, make_staff


def json_ld(html: str) -> list[dict]:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no JSON-LD"
    return json.loads(found.group(1))["@graph"]


def full_identity(**overrides) -> SiteIdentity:
    values = {
        "site_name": "Le carnet de Zoé",
        "tagline": "Développeuse Django indépendante",
        "author_name": "Zoé Martin",
        "bio": "J'aide les petites équipes à livrer des sites Django solides.",
        "home_heading": "Des sites Django qui durent",
        "introduction": "Bienvenue sur mon carnet de freelance.",
        "linkedin": "https://www.linkedin.com/in/zoe-martin",
        "malt": "https://www.malt.fr/profile/zoemartin",
        "github": "https://github.com/zoemartin",
        "email": "zoe@example.fr",
        "other_url": "https://zoe.example.fr/portfolio",
        "other_label": "Mon portfolio",
    }
    values.update(overrides)
    return SiteIdentity.objects.create(**values)


class IdentityTestCase(TestCase):
    def setUp(self):
        cache.clear()  # a rolled-back test leaves no row, but its cache entry would stay
        self.addCleanup(cache.clear)


class SingleObjectTests(IdentityTestCase):
    def test_there_is_only_one_identity(self):
        """Saving a second identity overwrites the first: there is one row, number 1."""
        SiteIdentity(site_name="Premier").save()
        SiteIdentity(pk=7, site_name="Second").save()
        self.assertEqual(list(SiteIdentity.objects.values_list("pk", "site_name")), [(1, "Second")])

    def test_the_database_refuses_another_row(self):
        with transaction.atomic(), self.assertRaises(IntegrityError):
            SiteIdentity.objects.bulk_create([SiteIdentity(pk=2, site_name="Intrus")])

    def test_the_admin_leads_to_the_one_object(self):
        self.client.force_login(make_staff())
        response = self.client.get("/admin/blog/siteidentity/")
        self.assertRedirects(response, "/admin/blog/siteidentity/1/change/")
        self.assertEqual(SiteIdentity.objects.count(), 1)
        self.assertEqual(self.client.get("/admin/blog/siteidentity/add/").status_code, 403)


class DefaultsTests(IdentityTestCase):
    @override_settings(CARNET_SITE_NAME="Carnet de test", CARNET_AUTHOR="", CARNET_TAGLINE="Devise")
    def test_a_fresh_install_shows_the_settings(self):
        """No row yet: the settings' name and tagline, and no invented author."""
        make_post()
        html = self.client.get("/").content.decode()
        self.assertIn('<a class="site-name" href="/">Carnet de test</a>', html)
        self.assertIn('<p class="tagline">Devise</p>', html)
        self.assertNotIn('"@type": "Person"', html)
        self.assertEqual(json_ld(html)[0]["name"], "Carnet de test")

    @override_settings(CARNET_SITE_NAME="Nom par défaut", CARNET_AUTHOR="Auteur par défaut")
    def test_an_empty_field_falls_back_to_the_settings(self):
        SiteIdentity.objects.create(tagline="Ma devise à moi")
        html = self.client.get("/").content.decode()
        self.assertIn("Nom par défaut", html)
        self.assertIn("Ma devise à moi", html)
        self.assertIn("Auteur par défaut", html)


class ShownWhereSaidTests(IdentityTestCase):
    def setUp(self):
        super().setUp()
        full_identity()
        make_post(title="Un article")

    def test_header_and_footer_show_the_identity_on_every_page(self):
        for url in ["/", "/blog/", "/tags/", "/blog/un-article/", "/contact/"]:
            html = self.client.get(url).content.decode()
            self.assertIn('<a class="site-name" href="/">Le carnet de Zoé</a>', html, url)
            footer = html[html.index('<footer class="site-footer">') :]
            self.assertIn("Zoé Martin", footer, url)
            self.assertIn(
                '<a class="profile-links__linkedin" href="https://www.linkedin.com/in/zoe-martin" '
                'rel="me" aria-label="Zoé Martin sur LinkedIn">LinkedIn</a>',
                footer,
                url,
            )

    def test_profile_links_have_accessible_names(self):
        html = self.client.get("/").content.decode()
        self.assertIn('aria-label="Zoé Martin sur Malt">Malt</a>', html)
        self.assertIn('aria-label="Zoé Martin sur GitHub">GitHub</a>', html)
        self.assertIn('aria-label="Zoé Martin : Mon portfolio">Mon portfolio</a>', html)
        self.assertIn('href="mailto:zoe@example.fr"', html)
        self.assertIn('aria-label="Écrire à Zoé Martin : zoe@example.fr"', html)
        self.assertNotIn("Upwork", html)  # no address given: no link

    def test_home_page_introduction(self):
        html = self.client.get("/").content.decode()
        self.assertIn('<h1 id="site-heading">Des sites Django qui durent</h1>', html)
        self.assertIn("<p>Bienvenue sur mon carnet de freelance.</p>", html)
        self.assertIn("J&#x27;aide les petites équipes", html)

    def test_json_ld_person_and_website(self):
        website, person = json_ld(self.client.get("/").content.decode())
        self.assertEqual(website["@type"], "WebSite")
        self.assertEqual(website["name"], "Le carnet de Zoé")
        self.assertEqual(website["author"], {"@id": "http://testserver/#author"})
        self.assertEqual(person["@type"], "Person")
        self.assertEqual(person["name"], "Zoé Martin")
        self.assertIn("https://github.com/zoemartin", person["sameAs"])
        self.assertNotIn("mailto:zoe@example.fr", person["sameAs"])

    def test_the_post_json_ld_names_the_author(self):
        html = self.client.get("/blog/un-article/").content.decode()
        self.assertIn('"author": {"@type": "Person", "name": "Zoé Martin"}', html)

    def test_the_about_page_shows_portrait_bio_and_links(self):
        from blog.models import Page

        Page.objects.filter(slug="a-propos").update(published=True)
        html = self.client.get("/a-propos/").content.decode()
        self.assertIn('<h2 id="author-heading">Zoé Martin</h2>', html)
        self.assertIn("J&#x27;aide les petites équipes", html)
        self.assertIn('aria-label="Zoé Martin sur LinkedIn"', html)
        self.assertEqual(json_ld(html)[1]["@type"], "Person")


class CachingTests(IdentityTestCase):
    def setUp(self):
        super().setUp()
        make_post()

    def test_a_save_is_seen_at_once(self):
        identity = full_identity()
        self.assertContains(self.client.get("/"), "Le carnet de Zoé")
        identity.site_name = "Le nouveau nom"
        identity.save()
        self.assertContains(self.client.get("/"), "Le nouveau nom")

    def test_a_save_changes_the_etag(self):
        identity = full_identity()
        etag = self.client.get("/").headers["ETag"]
        identity.tagline = "Autre devise"
        identity.save()
        again = self.client.get("/", HTTP_IF_NONE_MATCH=etag)
        self.assertEqual(again.status_code, 200)
        self.assertContains(again, "Autre devise")

    def test_one_query_at_most_for_the_identity(self):
        """Cold: the identity row and the navigation once; warm: nothing beyond the page's own."""
        full_identity()
        self.client.get("/")  # warms the cache
        with CaptureQueriesContext(connection) as warm:
            self.client.get("/")
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            self.client.get("/")
        identity_queries = [q["sql"] for q in cold if "blog_siteidentity" in q["sql"]]
        # The state query (ETag) mentions it as a subquery; one more reads the row.
        self.assertEqual(len(identity_queries), 2)
        self.assertEqual(len(cold) - len(warm), 1)
        self.assertEqual(
            [q["sql"] for q in warm if 'FROM "blog_siteidentity"' in q["sql"].split("(")[0]], []
        )


@override_settings(CARNET_MAX_IMAGE_BYTES=10 * 1024 * 1024)
class AdminTests(IdentityTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(make_staff())
        SiteIdentity.objects.create()

    def post(self, **data):
        return self.client.post("/admin/blog/siteidentity/1/change/", identity_form_data(**data))

    def test_the_portrait_is_checked_and_reencoded(self):
        response = self.post(author_name="Zoé", portrait=make_image("moi.jpg"), portrait_alt="Zoé")
        self.assertEqual(response.status_code, 302)
        identity = SiteIdentity.objects.get()
        self.assertTrue(identity.portrait.name.startswith("identity/moi"))
        self.assertEqual((identity.portrait_width, identity.portrait_height), (120, 80))

    def test_a_portrait_needs_its_alt_text(self):
        response = self.post(portrait=make_image("moi.jpg"))
        self.assertContains(response, "Décrivez le portrait")
        self.assertFalse(SiteIdentity.objects.get().portrait)

    def test_a_file_that_is_not_an_image_is_refused(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        fake = SimpleUploadedFile("moi.jpg", b"<html>pas une image</html>", "image/jpeg")
        response = self.post(portrait=fake, portrait_alt="Zoé")
        self.assertContains(response, "n&#x27;est pas une image JPEG, PNG, WebP ou GIF")

    def test_another_link_needs_a_label(self):
        response = self.post(other_url="https://exemple.fr")
        self.assertContains(response, "Donnez un libellé à l&#x27;autre lien.")


class RoleTests(IdentityTestCase):
    def member(self, group_name: str):
        from django.contrib.auth.models import Group

        user = make_staff(f"membre-{group_name}".lower(), is_superuser=False)
        user.groups.add(Group.objects.get(name=group_name))
        self.client.force_login(user)

    def test_an_editor_looks_after_identity_pages_and_inbox(self):
        self.member("Éditeur")
        SiteIdentity.objects.create()
        for url in [
            "/admin/blog/siteidentity/1/change/",
            "/admin/blog/page/add/",
            "/admin/blog/contactmessage/",
        ]:
            self.assertEqual(self.client.get(url).status_code, 200, url)

    def test_an_author_does_not(self):
        self.member("Auteur")
        SiteIdentity.objects.create()
        for url in ["/admin/blog/siteidentity/1/change/", "/admin/blog/contactmessage/"]:
            self.assertEqual(self.client.get(url).status_code, 403, url)


class EmptySiteTests(IdentityTestCase):
    def test_a_site_without_posts_shows_the_identity(self):
        """No published post to carry the stamps: they are read on their own, still fresh."""
        identity = full_identity()
        self.assertContains(self.client.get("/"), "Le carnet de Zoé")
        identity.site_name = "Renommé"
        identity.save()
        self.assertContains(self.client.get("/"), "Renommé")

    def test_a_site_without_posts_or_pages(self):
        from blog.models import Page

        Page.objects.all().delete()
        full_identity()
        self.assertContains(self.client.get("/"), "Le carnet de Zoé")
