"""export_markdown: the shape posts came in, images beside them, and an exact round trip."""

import hashlib

from django.conf import settings
from django.core.management import CommandError
from django.db import transaction
from django.test import TestCase

from blog.models import Page, Post, Redirect, SiteIdentity
from tests.support.cases import TemporaryFolders, fresh_media
from tests.support.factories import make_image, make_post
from tests.support.importing import (
    CONTENT,
    SEED_NAME,
    Run,
    corpus,
    export,
    front_matter,
    png,
    stored,
    write,
)


def snapshot() -> dict:
    """Everything a reader or the admin sees of the posts, images by content."""
    posts = {}
    for post in Post.objects.prefetch_related("tags", "redirects"):
        posts[post.slug] = (
            post.title,
            post.description,
            # The media storage's address (MEDIA_URL) as a placeholder: the S3 run imports the
            # export into another prefix of its bucket, which has another address.
            post.body.replace(settings.MEDIA_URL, "<media>/"),
            post.pub_date,
            post.status,
            post.featured,
            hashlib.sha256(post.image.read()).hexdigest() if post.image else None,
            post.image_alt,
            sorted(post.tags.names()),
            sorted(redirect.old_path for redirect in post.redirects.all()),
        )
    redirects = sorted(Redirect.objects.values_list("old_path", "post__slug", "new_path"))
    return {"posts": posts, "redirects": redirects}


class ExportTests(TemporaryFolders, TestCase):
    """Posts go back out in the shape they came in, images beside them; the round trip is exact."""

    def test_the_seed_article_comes_back_in_its_gatsby_shape(self):
        Run(CONTENT)
        assert "1 posts exported, 1 images written" in export(self.tmp_path / "out")
        written = self.tmp_path / "out" / "blog" / SEED_NAME
        meta = front_matter(written)
        original = front_matter(CONTENT / "blog" / SEED_NAME)
        assert list(meta) == list(original)  # same keys, same order
        assert meta["featuredimage"] == "/img/work.jpeg"
        assert meta["date"] == original["date"]
        assert "date: 2020-05-23T11:37:58.440Z\n" in written.read_text()
        assert (self.tmp_path / "out/static/img/work.jpeg").read_bytes() == (
            CONTENT / "static/img/work.jpeg"
        ).read_bytes()

    def test_posts_made_in_the_admin_export_in_the_gatsby_shape(self):
        post = make_post(
            title="Écrit ici", image=make_image(), image_alt="Une photo", tags=["Django", "été"]
        )
        export(self.tmp_path / "out")
        written = self.tmp_path / "out" / "src/pages/blog/ecrit-ici.md"
        meta = front_matter(written)
        assert meta["templateKey"] == "blog-post"
        assert meta["title"] == "Écrit ici"
        assert meta["featuredpost"] is False
        assert sorted(meta["tags"]) == ["Django", "été"]
        assert meta["featuredimagealt"] == "Une photo"
        image = self.tmp_path / "out" / "static" / meta["featuredimage"].lstrip("/")
        assert image.read_bytes() == stored(post.image.name)
        assert written.read_text().endswith(post.body)

    def test_a_folder_that_is_not_empty_is_refused(self):
        (self.tmp_path / "x").write_text("à moi")
        with self.assertRaisesRegex(CommandError, "the folder is not empty"):
            export(self.tmp_path)
        assert (self.tmp_path / "x").read_text() == "à moi"

    def test_round_trip_of_the_corpus_is_exact(self):
        """Import the corpus, export it, import the export into an empty database: the same."""
        Run(corpus())
        Post.objects.filter(source_path__endswith="d3-day5.md").update(featured=True)
        edited = Post.objects.get(source_path__endswith="kedro-inputs.md")
        Redirect.objects.create(old_path="/ajoutee-dans-l-admin/", post=edited)
        make_post(title="Écrit dans l'admin", tags=["Admin"], status=Post.Status.DRAFT)
        before = snapshot()
        metas = dict(Post.objects.values_list("source_path", "source_meta"))
        export(self.tmp_path / "out")

        with transaction.atomic(), fresh_media(self.tmp_path / "media-2"):
            Post.objects.all().delete()
            Redirect.objects.all().delete()
            Page.objects.all().delete()
            SiteIdentity.objects.all().delete()
            run = Run(self.tmp_path / "out")
            # 58 posts, 2 Gatsby pages (about, products) and the identity from its index-page.
            assert run.summary.startswith("61 created, 0 updated, 0 unchanged, 0 skipped, 0 failed")
            after = snapshot()
            metas_after = dict(Post.objects.values_list("source_path", "source_meta"))
        assert sorted(after["posts"]) == sorted(before["posts"])
        # The front matter as written comes back too: every key, every value, types included.
        for path, meta in metas.items():
            if path:
                assert {k: metas_after[path].get(k) for k in meta} == meta, path
        for slug, fields in before["posts"].items():
            assert after["posts"][slug] == fields, slug
        assert after["redirects"] == before["redirects"]

    def test_extra_keys_and_the_original_key_names_are_kept(self):
        Run(corpus("jamstatic-fr"))
        export(self.tmp_path / "out")
        name = "pages/post/2018-04-04_contenus-relatifs-dans-hugo.md"
        meta = front_matter(self.tmp_path / "out" / name)
        original = front_matter(corpus("jamstatic-fr") / name)
        assert meta["source"] == original["source"]
        assert meta["typora-copy-images-to"] == original["typora-copy-images-to"]
        assert meta["categories"] == ["Hugo"]
        assert "tags" not in meta

    def test_hugo_toml_and_json_posts_come_back_in_their_syntax(self):
        site = self.tmp_path / "site"
        (site / "content/posts").mkdir(parents=True)
        (site / "content/posts/hugo.md").write_text(
            '+++\ntitle = "Hugo"\ndate = 2020-01-02T03:04:05+01:00\ntags = ["a"]\n'
            "draft = true\n[params]\nx = 1\n+++\nCorps\n"
        )
        (site / "content/posts/json.md").write_text(
            '{\n"title": "JSON",\n"date": "2020-01-03"\n}\nT\n',
        )
        Run(site)
        before = snapshot()
        export(self.tmp_path / "out")
        hugo = (self.tmp_path / "out/content/posts/hugo.md").read_text()
        assert hugo.startswith('+++\ntitle = "Hugo"\ndate = 2020-01-02 03:04:05+01:00\n')
        assert "[params]\nx = 1\n" in hugo
        assert (
            (self.tmp_path / "out/content/posts/json.md")
            .read_text()
            .startswith(
                '{\n  "title": "JSON"',
            )
        )
        with transaction.atomic():
            Post.objects.all().delete()
            Redirect.objects.all().delete()
            Run(self.tmp_path / "out")
            assert snapshot() == before

    def test_an_image_mapping_comes_back_as_a_mapping(self):
        site = self.tmp_path / "site"
        write(site, "static/img/c.png", png())
        write(
            site,
            "blog/c.md",
            "---\ntitle: C\ndate: 2020-01-01\nimage: {path: /img/c.png, alt: Couverture}\n---\n.",
        )
        Run(site)
        export(self.tmp_path / "out")
        meta = front_matter(self.tmp_path / "out/blog/c.md")
        assert meta["image"] == {"path": "/img/c.png", "alt": "Couverture"}
        assert (self.tmp_path / "out/static/img/c.png").read_bytes() == png()
