"""A search result quotes the passage holding the reader's words, however long the post and
wherever the words are in it; on PostgreSQL ts_headline is given that passage only
(blog/public/passages.py), and quotes what it quoted from the whole text."""

import unittest

from django.db import connection
from django.test import SimpleTestCase, TestCase

from blog.public import passages, search
from blog.search_index import Query
from tests.support.factories import make_post


def filler(words: int, seed: str = "") -> str:
    """Plain French prose without the words searched for below."""
    sentence = "Le texte avance{seed} paisiblement vers la suite numéro {n}."
    return " ".join(sentence.format(seed=seed, n=n) for n in range(words // 8))


class WindowTests(SimpleTestCase):
    def test_a_stem_is_found_at_the_start_of_a_word_accents_and_case_ignored(self):
        text = f"{filler(80)} Une ÉTUDE de marché. {filler(400)}"
        found = passages.window(text, ["etud"])
        self.assertIsNotNone(found)
        self.assertIn("Une ÉTUDE de marché.", text[found.start : found.end])
        self.assertLess(found.end - found.start, 1300)
        # Inside a word is not the start of a word.
        self.assertIsNone(passages.window(f"{filler(40)} prétude", ["etud"]))

    def test_ligatures_are_the_two_letters_unaccent_writes(self):
        found = passages.window(f"{filler(200)} Un cœur vaillant.", ["coeur"])
        self.assertIsNotNone(found)

    def test_the_passage_is_cut_on_whole_words(self):
        text = f"{filler(300)} girafe {filler(300)}"
        found = passages.window(text, ["giraf"])
        self.assertEqual(text[found.start - 1], " ")
        self.assertEqual(text[found.end], " ")
        self.assertIn("girafe", text[found.start : found.end])

    def test_a_short_text_is_quoted_whole(self):
        self.assertEqual(passages.window("Une girafe.", ["giraf"]), passages.Window(0, None))

    def test_several_words_the_tightest_place_holding_them_all(self):
        text = (
            f"girafe {filler(400)} zèbre {filler(400)} La girafe et le zèbre. {filler(400)} zèbre"
        )
        found = passages.window(text, ["giraf", "zebr"])
        self.assertIn("La girafe et le zèbre.", text[found.start : found.end])
        self.assertLess(found.end - found.start, 1300)

    def test_words_far_apart_or_missing_give_no_passage(self):
        far = f"girafe {filler(800)} zèbre"
        self.assertIsNone(passages.window(far, ["giraf", "zebr"]))
        self.assertIsNone(passages.window(far, ["giraf", "lion"]))
        self.assertIsNone(passages.window(far, []))

    def test_a_capital_dotted_i_which_lower_casing_lengthens_moves_nothing(self):
        # str.lower() makes « İ » two characters: places found in a lower-cased copy would be
        # off by one after it (the passage was given up for the whole text).
        text = f"İstanbul {filler(300)} Girafe {filler(300)}"
        found = passages.window(text, ["giraf"])
        self.assertIsNotNone(found)
        self.assertEqual(text[found.start - 1], " ")
        self.assertIn(" Girafe ", text[found.start - 1 : found.end + 1])

    def test_the_stems_of_a_printed_tsquery(self):
        self.assertEqual(passages.lexemes("'client':* & 'l''an':*"), ["client", "l'an"])


class LongPostTests(TestCase):
    """Through the search page, on SQLite (FTS5's snippet) and PostgreSQL alike."""

    @classmethod
    def setUpTestData(cls):
        make_post(
            title="Un long article",
            body=f"{filler(2500)}\n\nLa girafe mange des feuilles.\n\n{filler(400)}",
        )
        make_post(title="Animaux", description="Résumé.", body=filler(600), tags=["girafe"])

    def snippets(self, q):
        response = self.client.get("/search/", {"q": q})
        self.assertEqual(response.status_code, 200)
        return {post.title: post.snippet_html for post in response.context["results"]}

    def test_a_word_deep_in_a_long_post_is_quoted(self):
        snippet = self.snippets("girafe")["Un long article"]
        self.assertIn("La <mark>girafe</mark> mange des feuilles", snippet)

    @unittest.skipUnless(connection.vendor == "postgresql", "FTS5's snippet quotes the tags")
    def test_a_post_found_by_its_tags_alone_shows_the_start_of_its_text(self):
        snippet = self.snippets("girafe")["Animaux"]
        self.assertNotIn("<mark>", snippet)
        self.assertTrue(snippet.startswith("Résumé.\nLe texte avance paisiblement"), snippet)


@unittest.skipUnless(connection.vendor == "postgresql", "ts_headline: PostgreSQL only")
class SameAsTheWholeTextTests(TestCase):
    """What ts_headline quotes from the passage is what it quotes from the whole text."""

    @classmethod
    def setUpTestData(cls):
        cls.bodies = {
            "au début": f"Une girafe. {filler(60)} Encore une girafe. {filler(2000)}",
            "au milieu": f"{filler(1500)} Une girafe. {filler(40)} La girafe. {filler(1500)}",
            "à la fin": f"{filler(3000)} La dernière girafe.",
            # The second fragment far from the first: quoted from a second passage.
            "loin": f"{filler(100)} Une girafe. {filler(1500)} Une autre girafe. {filler(200)}",
            "une seule fois": f"{filler(1200)} Une girafe, une seule. {filler(1200)}",
            "au pluriel": f"{filler(1000)} Les girafes. {filler(20)} Des girafes. {filler(900)}",
            "accentuée": f"{filler(1000)} Une Étude. {filler(30)} L'étude. {filler(900)}",
        }
        for title, body in cls.bodies.items():
            make_post(title=f"Article {title}", body=body, description="Résumé.")
        # Stemmed apart from what it starts with: « journaux » is ``journal``.
        make_post(title="Article journaux", body=f"{filler(1500)} Les journaux. {filler(500)}")
        # « nous » starts with « nou » but is a stop word, not indexed: the passage found
        # around it shows no match, and the whole text is quoted.
        make_post(
            title="Article nouveau",
            body=f"Nous commençons. {filler(1500)} Un nouveau départ. {filler(300)}",
        )

    def whole_text_headlines(self, q):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT p.title, ts_headline(p.search_config, "
                "p.description || E'\\n' || p.body_text, to_tsquery(p.search_config, %s), %s) "
                "FROM blog_post p",
                [Query(q).tsquery(), search._SNIPPET_OPTIONS],
            )
            return {title: search.highlight_html(text) for title, text in cursor.fetchall()}

    def test_the_same_snippets_as_from_the_whole_text(self):
        for q, count in [("girafe", 6), ("etude", 1), ("journal", 1), ("nou", 1)]:
            with self.subTest(q=q):
                response = self.client.get("/search/", {"q": q})
                shown = {post.title: post.snippet_html for post in response.context["results"]}
                self.assertEqual(len(shown), count)
                whole = self.whole_text_headlines(q)
                for title, snippet in shown.items():
                    self.assertIn("<mark>", snippet, title)
                    self.assertEqual(snippet, whole[title], title)
