"""/auteurs/: every author of a published post, with portrait, bio and count, in one query."""

import datetime as dt

import time_machine
from django.test import TestCase, override_settings

from blog.models import Author, Post
from tests.support.cases import TemporaryFolders
from tests.support.factories import make_author, make_image, make_post
from tests.support.site import sitemap_text

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
class AuthorIndexTests(TemporaryFolders, TestCase):
    def setUp(self):
        super().setUp()
        self.zoe = make_author(
            "Zoé Martin",
            bio="Développeuse WordPress à Lyon.",
            portrait=make_image("zoe.jpg"),
            portrait_alt="Zoé souriante à son bureau",
        )
        self.marc = make_author("Marc Lefèvre")
        for title in ("Un", "Deux"):
            make_post(title=title).set_authors([self.zoe])
        make_post(title="Trois").set_authors([self.marc, self.zoe])
        # Never counted: a draft, a scheduled post, and an author who has only those.
        hidden = make_author("Brouillonne")
        make_post(title="Brouillon", status=Post.Status.DRAFT).set_authors([hidden, self.marc])
        later = make_post(title="Bientôt", pub_date=NOW + dt.timedelta(days=2))
        later.set_authors([hidden, self.marc])
        make_author("Sans article")

    def test_the_index_lists_the_authors_of_published_posts_with_their_counts(self):
        response = self.client.get("/auteurs/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [(author.name, author.num_posts) for author in response.context["authors"]],
            [("Zoé Martin", 3), ("Marc Lefèvre", 1)],
        )
        html = response.content.decode()
        self.assertIn("<h1>Auteurs</h1>", html)
        self.assertIn('<h2><a href="/auteurs/zoe-martin/">Zoé Martin</a></h2>', html)
        self.assertIn("<p>Développeuse WordPress à Lyon.</p>", html)
        self.assertIn(f'src="{self.zoe.portrait.url}" alt="Zoé souriante à son bureau"', html)
        self.assertIn('<p class="meta">3 articles</p>', html)
        self.assertIn('<p class="meta">1 article</p>', html)
        self.assertNotIn("Brouillonne", html)
        self.assertNotIn("Sans article", html)

    def test_each_author_page_leads_back_to_the_index(self):
        html = self.client.get("/auteurs/marc-lefevre/").content.decode()
        self.assertIn(
            '<nav class="breadcrumb" aria-label="Fil d\'Ariane"><ol><li><a href="/">'
            'Accueil</a></li><li><a href="/auteurs/">Auteurs</a></li></ol></nav>',
            html,
        )

    def test_the_index_is_in_the_sitemap(self):
        self.assertIn("<loc>http://testserver/auteurs/</loc>", sitemap_text(self.client))


@time_machine.travel(NOW, tick=False)
class AuthorIndexQueryTests(TemporaryFolders, TestCase):
    def test_the_index_costs_the_same_with_one_author_as_with_many(self):
        """The site's state, then the authors with their counts: two queries, however many."""
        make_post(title="Seul").set_authors([make_author("Seule")])
        with self.assertNumQueries(2):
            response = self.client.get("/auteurs/")
        self.assertEqual(len(response.context["authors"]), 1)
        for n in range(9):
            author = make_author(f"Auteur {n}", portrait=make_image(f"a{n}.jpg"),
                                 portrait_alt=f"Portrait {n}")  # fmt: skip
            for _ in range(n % 3 + 1):
                make_post(title=f"Article {n}").set_authors([author])
        with self.assertNumQueries(2):
            response = self.client.get("/auteurs/")
        self.assertEqual(len(response.context["authors"]), 10)


@override_settings(LANGUAGE_CODE="en")
class EmptyIndexTests(TestCase):
    def test_an_index_without_authors_says_so(self):
        Author.objects.all().delete()
        self.assertContains(self.client.get("/auteurs/"), "No authors yet.")
