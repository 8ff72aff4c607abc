import datetime as dt

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post
from tests.support.factories import make_post, make_staff


class HomePageTests(TestCase):
    def test_featured_then_latest_posts(self):
        featured = make_post(title="Mis en avant", featured=True, tags=["freelancing"])
        make_post(title="Ordinaire")
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<html lang="fr">')
        self.assertContains(response, "À la une")
        self.assertEqual(list(response.context["featured_posts"]), [featured])
        self.assertContains(response, "Ordinaire")
        self.assertContains(response, "#freelancing")

    def test_drafts_and_scheduled_posts_never_appear(self):
        make_post(title="Brouillon secret", status=Post.Status.DRAFT, featured=True)
        make_post(
            title="Programmé secret", pub_date=timezone.now() + dt.timedelta(days=1), featured=True
        )
        response = self.client.get("/")
        self.assertNotContains(response, "secret")
        self.assertContains(response, "Rien n'est encore publié.")

    def test_query_count_does_not_grow_with_posts(self):
        def count_queries():
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get("/").status_code, 200)
            return len(queries)

        for n in range(3):
            make_post(featured=n == 0, tags=["a", f"t{n}"])
        few = count_queries()
        for n in range(30):
            make_post(featured=n % 3 == 0, tags=["a", f"u{n}"])
        self.assertEqual(count_queries(), few)
        self.assertLessEqual(few, 4)


class PostPageTests(TestCase):
    def test_post_page_shows_the_rendered_body(self):
        post = make_post(
            title="Le Début", body="##### Étude\n\n*NOTE* et **gras**", description="Lead"
        )
        response = self.client.get("/blog/le-debut/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["post"], post)
        self.assertContains(response, "<title>Le Début · Carnet</title>", html=False)
        self.assertContains(response, '<h5 id="etude">Étude</h5>', html=True)
        self.assertContains(response, "<em>NOTE</em>", html=True)
        self.assertContains(response, '<meta name="description" content="Lead">', html=False)
        self.assertNotContains(response, "noindex")

    def test_french_date(self):
        make_post(title="Daté", pub_date=dt.datetime(2020, 5, 23, 11, 37, tzinfo=dt.UTC))
        response = self.client.get("/blog/date/")
        self.assertContains(response, "23 mai 2020")

    def test_drafts_and_scheduled_posts_are_404_for_readers(self):
        make_post(title="Brouillon", status=Post.Status.DRAFT)
        make_post(title="Plus tard", pub_date=timezone.now() + dt.timedelta(hours=2))
        self.assertEqual(self.client.get("/blog/brouillon/").status_code, 404)
        self.assertEqual(self.client.get("/blog/plus-tard/").status_code, 404)

    def test_staff_sees_a_draft_marked_and_noindex(self):
        make_post(title="Brouillon", status=Post.Status.DRAFT)
        self.client.force_login(make_staff())
        response = self.client.get("/blog/brouillon/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<meta name="robots" content="noindex">', html=False)
        self.assertContains(response, "Brouillon : seule l'équipe peut voir cet article.")

    def test_unknown_post_is_a_friendly_404(self):
        response = self.client.get("/blog/nexiste-pas/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Page introuvable", status_code=404)


class TagPageTests(TestCase):
    def test_tag_page_lists_published_posts_with_the_tag(self):
        make_post(title="Un", tags=["freelancing"])
        make_post(title="Deux", tags=["Freelancing", "autre"])
        make_post(title="Caché", tags=["freelancing"], status=Post.Status.DRAFT)
        make_post(title="Sans")
        response = self.client.get("/tags/freelancing/")
        self.assertContains(response, "2 articles avec l'étiquette « freelancing »", html=False)
        self.assertEqual({p.title for p in response.context["post_list"]}, {"Un", "Deux"})

    def test_cards_link_to_tag_pages(self):
        make_post(tags=["Carrière"])
        self.assertContains(
            self.client.get("/"), '<a href="/tags/carriere/">#Carrière</a>', html=True
        )

    def test_unknown_tag_is_404(self):
        self.assertEqual(self.client.get("/tags/rien/").status_code, 404)
