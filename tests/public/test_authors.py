"""Several writers on the public site: bylines, the author box, author pages and feeds, JSON-LD.

A site with one author looks as before (no byline, no author box); with two, every card and
post names its authors, each linking to their page with rel="author".
"""

import datetime as dt
import json
import re

import feedparser
from django.test import TestCase
from django.utils import timezone

from blog.models import Author, Post, site_author
from tests.support.factories import make_author, make_post
from tests.support.site import add_hidden_posts, count_queries, sitemap_text


def json_ld(html: str) -> list[dict]:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in found]


def posting(html: str) -> dict:
    return next(item for item in json_ld(html) if item.get("@type") == "BlogPosting")


def feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


class TwoAuthorSiteTests(TestCase):
    """Zoé writes one post, Marc another, and they write a third together."""

    @classmethod
    def setUpTestData(cls):
        cls.zoe = make_author("Zoé Martin", bio="Développeuse WordPress à Lyon.")
        cls.marc = make_author("Marc Lefèvre", github="https://github.com/marc")
        cls.by_zoe = make_post(title="Par Zoé", slug="par-zoe", tags=["web"])
        cls.by_zoe.set_authors([cls.zoe])
        cls.by_marc = make_post(title="Par Marc", slug="par-marc", tags=["web"])
        cls.by_marc.set_authors([cls.marc])
        cls.together = make_post(title="Ensemble", slug="ensemble", tags=["web"])
        cls.together.set_authors([cls.marc, cls.zoe])
        draft, scheduled = add_hidden_posts()
        draft.set_authors([cls.zoe])
        scheduled.set_authors([cls.zoe])

    def test_the_author_profiles_get_ascii_slugs_from_french_names(self):
        self.assertEqual(self.zoe.slug, "zoe-martin")
        self.assertEqual(self.marc.slug, "marc-lefevre")

    def test_the_post_page_has_a_byline_rel_author_links_and_the_author_box(self):
        html = self.client.get("/blog/ensemble/").content.decode()
        self.assertIn(
            '<p class="byline">Par <a rel="author" href="/auteurs/marc-lefevre/">Marc Lefèvre</a>'
            ' et <a rel="author" href="/auteurs/zoe-martin/">Zoé Martin</a></p>',
            html,
        )
        self.assertIn('<link rel="author" href="/auteurs/marc-lefevre/">', html)
        # The author box under the post: this post's authors, with their bio and links.
        footer = html[html.index('class="post__footer"') :]
        self.assertIn("Développeuse WordPress à Lyon.", footer)
        self.assertIn('href="https://github.com/marc"', footer)
        other = self.client.get("/blog/par-marc/").content.decode()
        self.assertNotIn("Développeuse WordPress", other)

    def test_cards_name_the_authors(self):
        html = self.client.get("/blog/").content.decode()
        self.assertIn('Par <a rel="author" href="/auteurs/zoe-martin/">Zoé Martin</a></p>', html)
        self.assertIn(
            'Par <a rel="author" href="/auteurs/marc-lefevre/">Marc Lefèvre</a></p>', html
        )
        for url in ["/", "/tags/web/", "/search/?q=Ensemble"]:
            self.assertContains(self.client.get(url), 'rel="author"', msg_prefix=url)

    def test_json_ld_author_is_a_person_with_url(self):
        data = posting(self.client.get("/blog/par-zoe/").content.decode())
        self.assertEqual(
            data["author"],
            {
                "@type": "Person",
                "name": "Zoé Martin",
                "url": "http://testserver/auteurs/zoe-martin/",
            },
        )
        both = posting(self.client.get("/blog/ensemble/").content.decode())
        self.assertEqual([p["name"] for p in both["author"]], ["Marc Lefèvre", "Zoé Martin"])
        self.assertEqual({p["@type"] for p in both["author"]}, {"Person"})

    def test_feeds_carry_each_items_authors(self):
        rss = feed(self.client, "/feed/")
        authors = {entry.title: entry.author for entry in rss.entries}
        self.assertEqual(authors["Par Zoé"], "Zoé Martin")
        self.assertEqual(authors["Par Marc"], "Marc Lefèvre")
        self.assertEqual(authors["Ensemble"], "Marc Lefèvre, Zoé Martin")
        atom = feed(self.client, "/feed/atom/")
        entry = next(e for e in atom.entries if e.title == "Par Zoé")
        self.assertEqual(entry.author_detail.name, "Zoé Martin")
        self.assertEqual(entry.author_detail.href, "http://testserver/auteurs/zoe-martin/")

    def test_the_author_page_lists_only_their_published_posts(self):
        response = self.client.get("/auteurs/zoe-martin/")
        self.assertEqual(response.status_code, 200)
        titles = [post.title for post in response.context["post_list"]]
        self.assertEqual(sorted(titles), ["Ensemble", "Par Zoé"])
        self.assertContains(response, "<h1>Zoé Martin</h1>", html=True)
        self.assertContains(response, "Développeuse WordPress à Lyon.")
        self.assertNotContains(response, "secret")  # the draft and the scheduled post

    def test_the_author_feed_lists_only_their_published_posts(self):
        parsed = feed(self.client, "/auteurs/zoe-martin/feed/")
        self.assertEqual(sorted(e.title for e in parsed.entries), ["Ensemble", "Par Zoé"])
        self.assertIn("Zoé Martin", parsed.feed.title)

    def test_an_author_with_no_published_post_is_a_404(self):
        only_drafts = make_author("Brouillonne")
        make_post(title="Pas encore", status=Post.Status.DRAFT).set_authors([only_drafts])
        later = make_post(title="Bientôt", pub_date=timezone.now() + dt.timedelta(days=2))
        later.set_authors([only_drafts])
        for url in ["/auteurs/brouillonne/", "/auteurs/brouillonne/feed/", "/auteurs/personne/"]:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertContains(
            self.client.get("/auteurs/brouillonne/"),
            "pas d&#x27;auteur à cette adresse",
            status_code=404,
        )

    def test_the_sitemap_lists_authors_with_published_posts_only(self):
        make_author("Inconnue")
        xml = sitemap_text(self.client)
        self.assertIn("http://testserver/auteurs/zoe-martin/", xml)
        self.assertIn("http://testserver/auteurs/marc-lefevre/", xml)
        self.assertNotIn("/auteurs/inconnue/", xml)

    def test_renaming_an_author_is_seen_at_once(self):
        """The ETag changes with an author profile: no cached page keeps the old name."""
        first = self.client.get("/blog/par-zoe/")
        self.zoe.name = "Zoé Martin-Durand"
        self.zoe.save()
        again = self.client.get("/blog/par-zoe/", HTTP_IF_NONE_MATCH=first["ETag"])
        self.assertEqual(again.status_code, 200)
        self.assertContains(again, "Zoé Martin-Durand")


class TwoAuthorQueryBudgetTests(TestCase):
    """Bylines cost one query per page at most, whatever the number of posts."""

    def add(self, count: int, start: int, authors: list[Author]) -> None:
        for n in range(start, start + count):
            post = make_post(title=f"Article {n}", tags=["commun"])
            post.set_authors([authors[n % 2]] if n % 3 else authors)

    def test_lists_and_feeds_cost_the_same_with_3_posts_as_with_60(self):
        authors = [make_author("Zoé Martin"), make_author("Marc Lefèvre")]
        self.add(3, 0, authors)
        urls = ["/", "/blog/", "/tags/commun/", "/auteurs/zoe-martin/", "/feed/",
                "/auteurs/zoe-martin/feed/", "/search/?q=article", "/blog/article-1/"]  # fmt: skip
        few = {url: count_queries(self.client, url) for url in urls}
        self.add(57, 3, authors)
        many = {url: count_queries(self.client, url) for url in urls}
        self.assertEqual(few, many)
        # The author page costs what a tag page does, plus the author's row.
        self.assertLessEqual(many["/auteurs/zoe-martin/"], many["/tags/commun/"] + 1)


class SingleAuthorSiteTests(TestCase):
    """One author (the site's own, from migration 0009): pages look as they did."""

    @classmethod
    def setUpTestData(cls):
        cls.site_author = site_author()  # migration 0009's profile
        cls.post = make_post(title="Le Début", slug="le-debut", tags=["web"])
        cls.post.set_authors([cls.site_author])

    def test_no_byline_nor_author_box_but_an_author_page(self):
        slug = self.site_author.slug
        for url in ["/", "/blog/", "/blog/le-debut/", "/tags/web/"]:
            response = self.client.get(url)
            self.assertNotContains(response, 'class="byline"', msg_prefix=url)
            self.assertNotContains(response, "author-card", msg_prefix=url)
        page = self.client.get("/blog/le-debut/").content.decode()
        self.assertIn(f'<link rel="author" href="/auteurs/{slug}/">', page)
        self.assertEqual(self.client.get(f"/auteurs/{slug}/").status_code, 200)
