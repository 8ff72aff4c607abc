"""A post's visible text (what search indexes and quotes): the same from the fast split on
sanitized HTML as from the HTML parser it falls back to, on real posts and on odd HTML."""

from django.test import SimpleTestCase

from blog.porting.frontmatter import split
from blog.rendering import render_markdown
from blog.text import _TextCollector, visible_text
from tests.support.importing import CONTENT, corpus


def parsed(html: str) -> str:
    """What the HTML parser alone makes of it."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join("".join(collector.parts).split())


class VisibleTextTests(SimpleTestCase):
    def test_the_same_text_as_the_parser_on_every_real_post(self):
        files = sorted(corpus().rglob("*.md")) + sorted(CONTENT.rglob("*.md"))
        compared = 0
        for file in files:
            try:
                body = split(file.read_text(encoding="utf-8")).body
            except Exception:  # a file the corpus keeps broken on purpose
                continue
            html = render_markdown(body)
            self.assertEqual(visible_text(html), parsed(html), file.name)
            compared += 1
        self.assertGreater(compared, 50)

    def test_odd_html_reads_as_the_parser_reads_it(self):
        cases = {
            '<p title="a>b">x &amp; y</p><p>z</p>': "x & y z",
            "<p>1 &lt; 2 and a < b</p>": "1 < 2 and a < b",
            "<p>x<!-- hidden --></p>y": "x y",
            "<br/>x<BR>y": "x y",
            "<P CLASS=x>Un</P>deux": "Un deux",
            "<p>un</p><script>alert(1)</script><style>p{}</style>deux": "un deux",
            "<a href='>'>lien</a>": "lien",
            "&eacute;t&#233;&nbsp;!": "été !",
            "<em>a</em>b<strong>c</strong>": "abc",
            "<template><p>x</p></template>y": "y",
            "<ul><li>a</li><li>b</li></ul>": "a b",
            "<![CDATA[x]]>y": "y",
        }
        for html, text in cases.items():
            with self.subTest(html=html):
                self.assertEqual(visible_text(html), text)
                self.assertEqual(parsed(html), text)
