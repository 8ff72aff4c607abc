"""A post whose body opens with its featured image shows that image once (issue 12).

Netlify/Decap CMS bodies often start with their ``featuredimage``; Gatsby never showed the
featured image, Carnet shows it at the top. The body is kept as written (export is exact).
"""

import re
import shutil

from django.test import TestCase

from blog.models import Post
from tests.support.cases import TemporaryFolders
from tests.support.factories import make_image, make_post
from tests.support.importing import CONTENT, Run, corpus, export, png, write

CHEMEX = "decap-starter/src/pages/blog/2017-01-04-a-beginners-guide-to-brewing-with-chemex.md"


def article(html: str) -> str:
    return html[html.index("<article") : html.index("</article>")]


def images_of(html: str, post: Post) -> list[str]:
    """The <img> tags of the post's article showing its featured image (any rendition)."""
    stem = post.image.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return [tag for tag in re.findall(r"<img [^>]*>", article(html)) if f"/{stem}" in tag]


def post_file(body: str, image: str = "/img/lead.png") -> str:
    return (
        "---\ntemplateKey: blog-post\ntitle: Lead image\ndate: 2021-08-19T10:00:00Z\n"
        f"featuredimage: {image}\n---\n{body}"
    )


class FeaturedImageOnceTests(TemporaryFolders, TestCase):
    def site(self, body: str) -> Post:
        write(self.tmp_path, "site/static/img/lead.png", png((200, 120, 40)))
        write(self.tmp_path, "site/static/img/other.png", png((20, 120, 240)))
        write(self.tmp_path, "site/src/pages/blog/lead.md", post_file(body))
        run = Run(self.tmp_path / "site")
        assert run.error is None, run.stderr
        return Post.objects.get()

    def page(self, post: Post) -> str:
        response = self.client.get(post.get_absolute_url())
        assert response.status_code == 200
        return response.content.decode()

    def test_a_corpus_post_opening_with_its_featured_image_shows_it_once(self):
        run = Run(corpus(CHEMEX))
        assert run.error is None, run.stderr
        post = Post.objects.get()
        assert post.body.startswith(f"![chemex]({post.image.url})\n")  # the body is intact
        html = self.page(post)
        shown = images_of(html, post)
        # Once: the hero, with its renditions and its alt; the body's copy is not repeated.
        assert len(shown) == 1
        assert 'class="post__image"' in shown[0]
        assert 'alt="A beginners’ guide to brewing with Chemex"' in shown[0]
        assert "This week we’ll <strong>take</strong> a look" in article(html)

    def test_a_body_opening_with_another_image_shows_both(self):
        post = self.site("![Another picture](/img/other.png)\n\nSome text.\n")
        html = self.page(post)
        assert len(images_of(html, post)) == 1  # the hero
        assert 'alt="Another picture"' in article(html)  # and the body's own image
        assert "Some text." in article(html)

    def test_the_same_image_later_in_the_body_stays(self):
        post = self.site("Some text.\n\n![Again](/img/lead.png)\n")
        assert len(images_of(self.page(post), post)) == 2

    def test_text_after_the_image_in_its_paragraph_stays(self):
        post = self.site("![Same](/img/lead.png)\nSome text right below.\n")
        html = self.page(post)
        assert len(images_of(html, post)) == 1
        assert "Some text right below." in article(html)

    def test_a_linked_lead_image_is_kept_in_the_body_instead_of_the_hero(self):
        post = self.site("[![Same](/img/lead.png)](https://example.com/big)\n\nSome text.\n")
        html = self.page(post)
        shown = images_of(html, post)
        assert len(shown) == 1
        assert 'class="post__image"' not in shown[0]
        assert 'href="https://example.com/big"' in article(html)

    def test_a_captioned_lead_image_is_kept_in_the_body_instead_of_the_hero(self):
        post = make_post(image=make_image(), image_alt="Un bureau")
        post.body = (
            f'<figure><img src="{post.image.url}" alt="Le bureau">'
            "<figcaption>Mon bureau, 2020</figcaption></figure>\n\nLa suite.\n"
        )
        post.save()
        html = self.page(post)
        shown = images_of(html, post)
        assert len(shown) == 1
        assert 'class="post__image"' not in shown[0]
        assert "<figcaption>Mon bureau, 2020</figcaption>" in article(html)

    def test_the_feed_item_gives_the_image_once_as_its_enclosure(self):
        run = Run(corpus(CHEMEX))
        assert run.error is None, run.stderr
        post = Post.objects.get()
        feed = self.client.get("/feed/").content.decode()
        assert "<enclosure " in feed
        stem = post.image.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        content = feed[feed.index("<content:encoded>") : feed.index("</content:encoded>")]
        assert stem not in content
        assert "This week we’ll" in content

    def test_the_export_writes_the_body_back_as_it_came(self):
        source = corpus(CHEMEX)
        site = self.tmp_path / "site"
        write(site, "src/pages/blog/" + source.name, source.read_bytes())
        (site / "static/img").mkdir(parents=True)
        shutil.copy(corpus("decap-starter/static/img/chemex.jpg"), site / "static/img")
        assert Run(site).error is None
        export(self.tmp_path / "out")
        [written] = (self.tmp_path / "out").rglob(source.name)
        # The body (what follows the front matter) comes back byte for byte, image included.
        exported = written.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        assert exported == source.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        assert exported.startswith("![chemex](/img/chemex.jpg)\n")

    def test_the_seed_article_is_unaffected(self):
        assert Run(CONTENT).error is None
        post = Post.objects.get()
        html = self.page(post)
        shown = images_of(html, post)
        assert len(shown) == 1 and 'class="post__image"' in shown[0]
        assert post.shown_once.body_html == post.body_html
