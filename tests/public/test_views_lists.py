"""Home, post list, tags, tag page and archives: what a reader sees, and what never leaks."""

import datetime as dt

from django.test import TestCase
from django.utils import timezone

from blog.models import Post
from tests.support.factories import make_post
from tests.support.site import add_hidden_posts


class HomeTests(TestCase):
    def test_intro_comes_from_settings(self):
        """The site's name, tagline and author come from settings, not the templates."""
        with self.settings(
            CARNET_SITE_NAME="Le carnet de Zoé", CARNET_TAGLINE="Devise", CARNET_AUTHOR="Zoé"
        ):
            response = self.client.get("/")
        self.assertContains(response, '<h1 id="site-heading">Le carnet de Zoé</h1>', html=True)
        self.assertContains(response, "Devise")
        self.assertContains(response, "Un carnet de Zoé.")

    def test_links_to_all_posts_and_tags(self):
        make_post()
        response = self.client.get("/")
        self.assertContains(response, '<a href="/blog/">Tous les articles →</a>', html=True)
        self.assertContains(response, '<a href="/tags/">Toutes les étiquettes →</a>', html=True)

    def test_card_shows_date_reading_time_excerpt_and_read_more(self):
        make_post(
            title="Sans description",
            description="",
            body="Premier paragraphe du texte. " * 40,
            pub_date=dt.datetime(2020, 5, 23, 11, 0, tzinfo=dt.UTC),
        )
        response = self.client.get("/")
        self.assertContains(response, "23 mai 2020")
        self.assertContains(response, "1 min de lecture")
        self.assertContains(response, "Premier paragraphe du texte. Premier")
        self.assertContains(response, "Lire la suite")
        excerpt = response.content.decode().split('class="card__description">')[1].split("</p>")[0]
        self.assertLessEqual(len(excerpt), 300)
        self.assertTrue(excerpt.endswith("…"))

    def test_featured_posts_are_marked(self):
        make_post(title="Vedette", featured=True)
        response = self.client.get("/blog/")
        self.assertContains(response, 'class="card card--featured"')
        self.assertContains(response, '<p class="badge">À la une</p>', html=True)

    def test_a_featured_post_is_listed_once(self):
        """« Derniers articles » leaves out the posts « À la une » shows, and still lists ten."""
        for n in range(12):
            make_post(title=f"Ordinaire {n}", pub_date=timezone.now() - dt.timedelta(days=2 + n))
        make_post(title="Vedette du jour", featured=True)
        html = self.client.get("/").content.decode()
        self.assertEqual(html.count("Vedette du jour</a>"), 1)
        latest = html.split('id="latest-heading"')[1]
        self.assertNotIn("Vedette du jour", latest)
        self.assertEqual(latest.count('<article class="card'), 10)
        self.assertIn("Ordinaire 9</a>", latest)
        self.assertNotIn("Ordinaire 10</a>", latest)


class PostListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for n in range(23):
            make_post(title=f"Billet {n:02d}", pub_date=timezone.now() - dt.timedelta(days=n + 1))
        add_hidden_posts()

    def test_newest_first_ten_a_page(self):
        response = self.client.get("/blog/")
        titles = [post.title for post in response.context["post_list"]]
        self.assertEqual(titles, [f"Billet {n:02d}" for n in range(10)])
        self.assertContains(response, "Page 1 sur 3")
        self.assertContains(response, '<a rel="next" href="?page=2">Suivante ›</a>', html=True)
        self.assertContains(response, '<a href="?page=3">Dernière »</a>', html=True)
        self.assertNotContains(response, "Première")

    def test_middle_and_last_pages(self):
        response = self.client.get("/blog/?page=2")
        self.assertContains(response, '<a href="/blog/">« Première</a>', html=True)
        self.assertContains(response, '<a rel="prev" href="/blog/">‹ Précédente</a>', html=True)
        last = self.client.get("/blog/?page=3")
        self.assertEqual(len(last.context["post_list"]), 3)
        self.assertNotContains(last, "Suivante")

    def test_a_page_that_does_not_exist_is_a_clear_404(self):
        for page in ["4", "0", "abc", "-1"]:
            response = self.client.get(f"/blog/?page={page}")
            self.assertEqual(response.status_code, 404, page)
            self.assertContains(response, "cette liste compte 3 page(s)", status_code=404)

    def test_drafts_and_scheduled_posts_never_appear(self):
        for page in (1, 2, 3):
            self.assertNotContains(self.client.get(f"/blog/?page={page}"), "secret")
        self.assertEqual(self.client.get("/blog/").context["paginator"].count, 23)

    def test_archive_links(self):
        response = self.client.get("/blog/")
        year = (timezone.localtime() - dt.timedelta(days=1)).year
        self.assertContains(response, f'<a href="/archive/{year}/">{year}</a>', html=True)


class TagTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_post(title="Un", tags=["freelancing", "carrière"])
        make_post(title="Deux", tags=["Freelancing"])
        make_post(title="Trois", tags=["freelancing", "carrière", "php"])
        add_hidden_posts()

    def test_tags_page_counts_published_posts_most_used_first(self):
        response = self.client.get("/tags/")
        tags = [(tag.name, tag.num_posts) for tag in response.context["tags"]]
        self.assertEqual(tags, [("freelancing", 3), ("carrière", 2), ("php", 1)])
        self.assertContains(response, "3 articles")
        self.assertContains(response, "1 article<")
        self.assertNotContains(response, "secret")
        self.assertNotContains(response, "commun")

    def test_tag_page_heading_and_cards(self):
        response = self.client.get("/tags/carriere/")
        self.assertContains(response, "2 articles avec l'étiquette « carrière »")
        self.assertEqual([p.title for p in response.context["post_list"]], ["Un", "Trois"])
        self.assertContains(response, 'href="/tags/carriere/feed/"')

    def test_tag_with_only_hidden_posts_is_404(self):
        self.assertEqual(self.client.get("/tags/secret/").status_code, 404)

    def test_tag_page_never_lists_hidden_posts(self):
        response = self.client.get("/tags/commun/")
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(self.client.get("/tags/freelancing/"), "secret")

    def test_unicode_tag_slug_redirects(self):
        response = self.client.get("/tags/carrière/")
        self.assertRedirects(response, "/tags/carriere/", status_code=301)

    def test_tag_page_is_paginated(self):
        for n in range(11):
            make_post(title=f"Lot {n}", tags=["lot"])
        response = self.client.get("/tags/lot/")
        self.assertContains(response, "11 articles avec l'étiquette « lot »")
        self.assertEqual(len(response.context["post_list"]), 10)
        self.assertEqual(len(self.client.get("/tags/lot/?page=2").context["post_list"]), 1)
        self.assertEqual(self.client.get("/tags/lot/?page=3").status_code, 404)


class ArchiveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_post(title="Mai", pub_date=dt.datetime(2020, 5, 23, 11, 0, tzinfo=dt.UTC))
        make_post(title="Juin", pub_date=dt.datetime(2020, 6, 2, 9, 0, tzinfo=dt.UTC))
        make_post(title="Autre année", pub_date=dt.datetime(2021, 1, 10, 9, 0, tzinfo=dt.UTC))
        make_post(
            title="Brouillon secret",
            status=Post.Status.DRAFT,
            pub_date=dt.datetime(2020, 5, 24, tzinfo=dt.UTC),
        )
        make_post(title="Ancien brouillon secret", status=Post.Status.DRAFT,
                  pub_date=dt.datetime(2019, 5, 24, tzinfo=dt.UTC))  # fmt: skip

    def test_year_archive(self):
        response = self.client.get("/archive/2020/")
        self.assertContains(response, "Articles de 2020")
        self.assertEqual([p.title for p in response.context["post_list"]], ["Juin", "Mai"])
        self.assertContains(response, '<a href="/archive/2020/05/">mai</a>', html=True)
        self.assertContains(response, '<a href="/archive/2021/">2021 →</a>', html=True)
        self.assertNotContains(response, "secret")

    def test_month_archive(self):
        response = self.client.get("/archive/2020/05/")
        self.assertContains(response, "Articles de mai 2020")
        self.assertEqual([p.title for p in response.context["post_list"]], ["Mai"])
        self.assertContains(response, '<a href="/archive/2020/06/">juin 2020 →</a>', html=True)

    def test_a_year_with_only_drafts_is_404(self):
        self.assertEqual(self.client.get("/archive/2019/").status_code, 404)
        self.assertEqual(self.client.get("/archive/2020/13/").status_code, 404)

    def test_post_list_links_the_archives(self):
        response = self.client.get("/blog/")
        self.assertContains(response, '<a href="/archive/2020/">2020</a>', html=True)
        self.assertContains(response, '<a href="/archive/2020/06/">juin</a>', html=True)
        self.assertNotContains(response, "/archive/2019/")
