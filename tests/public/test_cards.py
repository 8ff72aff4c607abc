"""Cards are rendered once per process for what they show, and never shown stale."""

from django.core.cache import cache
from django.test import TestCase
from taggit.models import Tag

from blog.models import Post
from blog.templatetags import cards
from tests.support.factories import make_author
from tests.support.site import add_posts

CARD = "includes/post_card.html"


def cards_rendered(response) -> int:
    return sum(1 for used in response.templates if used.name == CARD)


class RememberedCardsTests(TestCase):
    def setUp(self):
        cards.forget()
        cache.clear()
        add_posts(12)

    def test_a_card_seen_once_is_not_rendered_again(self):
        """The second view of a list renders no card: each is remembered with what it shows."""
        first = self.client.get("/blog/")
        self.assertEqual(cards_rendered(first), 10)
        again = self.client.get("/blog/")
        self.assertEqual(cards_rendered(again), 0)
        self.assertEqual(again.content, first.content)

    def test_what_changes_is_rendered_again_and_shows_at_once(self):
        """An edited post's card only; a renamed tag's cards; every card when bylines appear."""
        self.client.get("/blog/")
        post = Post.objects.published().first()
        post.title = "Un titre tout neuf"
        post.save()
        response = self.client.get("/blog/")
        self.assertEqual(cards_rendered(response), 1)
        self.assertContains(response, "Un titre tout neuf")

        tag = Tag.objects.get(name="groupe1")
        tag.name = "Groupe Un"
        tag.save()
        response = self.client.get("/blog/")
        self.assertEqual(cards_rendered(response), 2)  # the page's two posts of groupe1
        self.assertContains(response, "#Groupe Un")

        # A second author with a visible post: every card now names its authors.
        first, second = Post.objects.published()[:2]
        first.set_authors([make_author("Zoé Martin")])
        second.set_authors([make_author("Léa Dubois")])
        first.save()
        response = self.client.get("/blog/")
        self.assertEqual(cards_rendered(response), 10)
        self.assertContains(response, "Zoé Martin")
        self.assertContains(response, "Léa Dubois")


class RememberedSearchCardsTests(TestCase):
    """A search result's card is remembered around its highlights: each query shows its own."""

    def setUp(self):
        cards.forget()
        cache.clear()
        add_posts(3)

    def test_each_query_shows_its_own_highlights_in_a_card_rendered_once(self):
        first = self.client.get("/search/?q=article")
        self.assertEqual(cards_rendered(first), 3)
        self.assertContains(first, "<mark>Article</mark> numéro 1")
        again = self.client.get("/search/?q=numero")
        self.assertEqual(cards_rendered(again), 0)  # the same cards, other highlights
        self.assertContains(again, "Article <mark>numéro</mark> 1")
        self.assertNotContains(again, "<mark>Article</mark>")
        self.assertNotContains(again, "carnet-title-")
        self.assertNotContains(again, "carnet-snippet-")

    def test_an_edited_result_shows_at_once(self):
        self.client.get("/search/?q=article")
        post = Post.objects.get(title="Article numéro 1")
        post.title = "Article numéro un, revu"
        post.save()
        response = self.client.get("/search/?q=article")
        self.assertContains(response, "<mark>Article</mark> numéro un, revu")
        self.assertEqual(cards_rendered(response), 1)
