"""import_markdown: field aliases, formats, images, re-runs, conflicts, output."""

import os
from io import StringIO

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localtime

from blog.models import Post, Redirect
from blog.porting.importing import import_paths
from tests.support.cases import TemporaryFolders
from tests.support.factories import make_post
from tests.support.importing import Run, media_files, png, write


class _Terminal(StringIO):
    def isatty(self):
        return True


class FrontMatterTests(TemporaryFolders, TestCase):
    """Whatever the generator wrote (keys, formats, folders), the post comes out the same."""

    def test_aliases_and_keys_in_any_case(self):
        write(self.tmp_path, "static/img/c.png", png())
        write(
            self.tmp_path,
            "posts/alias.md",
            "---\nTitle: Les Alias\npublishDate: 2021-03-04T05:06:07+01:00\nSummary: Un résumé\n"
            "Featured: 'true'\ncover: {src: /img/c.png, alt: Une couverture}\n"
            "keywords: 'Django, Python,  , web3'\nstatus: Draft\nauteur: Moi\n"
            "aliases: [/ancien/, 'https://exemple.fr/vieux/chemin/', /blog/les-alias/]\n"
            "---\nCorps\n",
        )
        Run(self.tmp_path)
        post = Post.objects.get()
        assert post.title == "Les Alias"
        assert post.pub_date.isoformat() == "2021-03-04T04:06:07+00:00"
        assert post.description == "Un résumé"
        assert post.featured and post.status == Post.Status.DRAFT
        assert post.image_alt == "Une couverture" and post.image_width == 12
        assert sorted(post.tags.names()) == ["Django", "Python", "web3"]
        assert post.source_meta["auteur"] == "Moi"  # kept for export
        # Never a redirect from the post's own address (/blog/les-alias/) to itself.
        assert set(post.redirects.values_list("old_path", flat=True)) == {
            "/ancien/",
            "/vieux/chemin/",
            "/posts/alias/",
        }
        # The tag page the Gatsby site made (lodash kebabCase) leads to Carnet's.
        assert Redirect.objects.get(old_path="/tags/web-3/").new_path == "/tags/web3/"

    def test_toml_and_json_front_matter(self):
        write(
            self.tmp_path,
            "content/posts/Premier.md",
            '+++\ntitle = "En TOML"\ndate = 2020-01-02T03:04:05Z\ntags = ["hugo"]\n+++\nTexte\n',
        )
        write(
            self.tmp_path,
            "content/posts/json.md",
            '{\n"title": "En JSON",\n"date": "2020-01-03"\n}\nT\n',
        )
        run = Run(self.tmp_path)
        assert run.error is None, run.stderr
        toml = Post.objects.get(title="En TOML")
        assert toml.source_format == "toml"
        assert toml.redirects.get().old_path == "/posts/premier/"  # Hugo lower-cases paths
        assert Post.objects.get(title="En JSON").source_format == "json"

    def test_no_front_matter_title_from_heading_date_from_file_name(self):
        write(self.tmp_path, "2019-02-03-sans-entete.markdown", "Intro\n\n# Le Vrai Titre\n\nTexte")
        write(self.tmp_path, "2019-02-04-rien.md", "Juste du texte.")
        Run(self.tmp_path)
        post = Post.objects.get(title="Le Vrai Titre")
        assert localtime(post.pub_date).date().isoformat() == "2019-02-03"
        assert Post.objects.get(source_path="2019-02-04-rien.md").title == "Rien"

    def test_more_marker_ends_the_excerpt(self):
        write(
            self.tmp_path,
            "a.md",
            "---\ntitle: A\ndate: 2020-01-01\n---\nLe **début**.\n<!--more-->\nLa suite.",
        )
        Run(self.tmp_path)
        assert Post.objects.get().description == "Le début."

    def test_jekyll_addresses_and_drafts_folder(self):
        write(self.tmp_path, "_config.yml", "title: x\n")
        write(
            self.tmp_path,
            "_posts/2020-05-23-bonjour.md",
            "---\ntitle: Bonjour\ncategories: [blog, news]\npermalink: /bonjour.html\n---\nT",
        )
        write(self.tmp_path, "_drafts/2020-06-01-brouillon.md", "---\ntitle: Brouillon\n---\nT")
        Run(self.tmp_path)
        post = Post.objects.get(title="Bonjour")
        assert localtime(post.pub_date).date().isoformat() == "2020-05-23"
        assert set(post.redirects.values_list("old_path", flat=True)) == {
            "/blog/news/2020/05/23/bonjour.html",
            "/bonjour.html",
        }
        assert Post.objects.get(title="Brouillon").status == Post.Status.DRAFT


class ImageAndFolderTests(TemporaryFolders, TestCase):
    """Images are copied once, links rewritten outside code; hidden and looping folders skipped."""

    def test_templates_are_warnings_and_code_is_left_alone(self):
        write(self.tmp_path, "static/img/a.png", png())
        write(
            self.tmp_path,
            "p.md",
            "---\ntitle: P\ndate: 2020-01-01\n---\n{{< youtube abc >}}\n\n```\n![x](/img/a.png)\n"
            "{{ code }}\n```\n\n`![y](/img/a.png)` <img src='/img/a.png' alt='h'>\n",
        )
        run = Run(self.tmp_path)
        assert (
            "p.md: line 5: 1 Hugo shortcode/Liquid tag(s) such as '{{< youtube abc >}}'"
            in run.stderr
        )
        body = Post.objects.get().body
        assert body.count("/img/a.png") == 2  # in code: as written
        assert f"<img src='{settings.MEDIA_URL}posts/" in body
        assert len(media_files()) == 1

    def test_same_bytes_one_file_whatever_the_names(self):
        write(self.tmp_path, "static/img/un.png", png())
        write(self.tmp_path, "blog/deux.png", png())
        write(
            self.tmp_path,
            "blog/a.md",
            "---\ntitle: A\ndate: 2020-01-01\nfeaturedimage: /img/un.png\n---\n",
        )
        write(
            self.tmp_path,
            "blog/b.md",
            "---\ntitle: B\ndate: 2020-01-01\n---\n![d](deux.png)\n[r]: ./deux.png",
        )
        run = Run(self.tmp_path)
        assert "1 images copied" in run.summary
        (name,) = media_files()
        assert Post.objects.get(title="A").image.name == name
        url = default_storage.url(name)
        assert Post.objects.get(title="B").body == f"![d]({url})\n[r]: {url}"

    def test_walk_skips_hidden_node_modules_and_symlink_loops(self):
        write(self.tmp_path, "site/a.md", "---\ntitle: A\ndate: 2020-01-01\n---\n.")
        write(self.tmp_path, "site/.git/b.md", "---\ntitle: B\ndate: 2020-01-01\n---\n.")
        write(
            self.tmp_path,
            "site/node_modules/x/README.md",
            "---\ntitle: N\ndate: 2020-01-01\n---\n.",
        )
        write(self.tmp_path, "site/.hidden.md", "---\ntitle: H\ndate: 2020-01-01\n---\n.")
        os.symlink(self.tmp_path / "site", self.tmp_path / "site" / "loop")
        run = Run(self.tmp_path / "site")
        assert run.error is None
        assert list(Post.objects.values_list("title", flat=True)) == ["A"]


class SearchAfterImportTests(TemporaryFolders, TestCase):
    """Imported posts are found by their words and their tags (the index is written once per
    new post with all its tags: search_index.indexed_once)."""

    def test_found_by_title_body_and_every_tag(self):
        trees = ["le kapokier", "la vigne", "le karité"]
        for n, tags in enumerate([[], ["Girafe"], ["Zèbre", "Lion", "Hippopotame"]]):
            listed = "".join(f"  - {tag}\n" for tag in tags)
            write(
                self.tmp_path,
                f"posts/animal-{n}.md",
                f"---\ntitle: Savane {n}\ndate: 2021-03-0{n + 1}\n"
                + (f"tags:\n{listed}" if tags else "")
                + f"---\nUn texte sur le baobab et {trees[n]}.\n",
            )
        Run(self.tmp_path)
        posts = import_paths([self.tmp_path])  # a re-run changes nothing
        self.assertEqual(posts.count("unchanged"), 3)

        def found(q):
            response = self.client.get("/search/", {"q": q})
            return sorted(post.title for post in response.context["results"])

        self.assertEqual(found("savane"), ["Savane 0", "Savane 1", "Savane 2"])
        self.assertEqual(found("baobab"), ["Savane 0", "Savane 1", "Savane 2"])
        self.assertEqual(found("karite"), ["Savane 2"])
        self.assertEqual(found("girafe"), ["Savane 1"])
        for tag in ["zebre", "lion", "hippopotame"]:
            self.assertEqual(found(tag), ["Savane 2"], tag)

    def test_a_tag_gained_on_a_re_run_is_found(self):
        """A post imported again with one more tag, in a batch with a new tagged post, is found
        by it (PostgreSQL left it out of the post's vector: its link was written with the bulk
        switch on, and only the new posts were re-read)."""
        write(
            self.tmp_path,
            "a.md",
            "---\ntitle: Baobab\ndate: 2021-03-01\ntags: [Girafe]\n---\nTexte.",
        )
        Run(self.tmp_path)
        write(
            self.tmp_path,
            "a.md",
            "---\ntitle: Baobab\ndate: 2021-03-01\ntags: [Girafe, Okapi]\n---\nTexte.",
        )
        write(
            self.tmp_path,
            "b.md",
            "---\ntitle: Karité\ndate: 2021-03-02\ntags: [Zèbre]\n---\nTexte.",
        )
        self.assertTrue(Run(self.tmp_path).summary.startswith("1 created, 1 updated"))
        for word, titles in [
            ("okapi", ["Baobab"]),
            ("girafe", ["Baobab"]),
            ("zebre", ["Karité"]),
            ("texte", ["Baobab", "Karité"]),
        ]:
            response = self.client.get("/search/", {"q": word})
            self.assertEqual(sorted(p.title for p in response.context["results"]), titles, word)

    def test_the_index_trigger_is_back_after_an_import(self):
        """The import writes its new posts' entries itself; a post saved afterwards (the admin,
        the shell) is indexed by the database again."""
        write(
            self.tmp_path,
            "p.md",
            "---\ntitle: Baobab\ndate: 2021-03-01\ntags: [Girafe]\n---\nTexte.",
        )
        Run(self.tmp_path)
        make_post(title="Kapokier du Sahel", body="Un arbre.")
        response = self.client.get("/search/", {"q": "kapokier"})
        self.assertEqual([p.title for p in response.context["results"]], ["Kapokier du Sahel"])


class ReRunTests(TemporaryFolders, TestCase):
    """A re-run changes only what changed, in few queries, and never overwrites an admin edit."""

    def test_a_second_run_touches_nothing_in_one_query_per_batch(self):
        """Re-running the same tree reads the posts a batch at a time: 1 query whatever the size."""
        for files in [6, 30]:
            with self.case(files=files):
                for n in range(files):
                    write(
                        self.tmp_path,
                        f"p{n}.md",
                        f"---\ntitle: P{n}\ndate: 2020-01-01\ntags: [t]\n---\n.",
                    )
                Run(self.tmp_path)
                before = list(Post.objects.values_list("pk", "updated"))
                with CaptureQueriesContext(connection) as queries:
                    run = Run(self.tmp_path)
                assert run.summary.startswith(
                    f"0 created, 0 updated, {files} unchanged, 0 skipped, 0 failed"
                )
                assert list(Post.objects.values_list("pk", "updated")) == before
                assert [
                    q["sql"].split()[0] for q in queries.captured_queries if "blog_" in q["sql"]
                ] == ["SELECT"]

    def test_queries_per_new_file_do_not_grow_with_the_tree(self):
        def queries_for(count: int) -> int:
            folder = self.tmp_path / str(count)
            for n in range(count):
                write(
                    folder,
                    f"q{count}-{n}.md",
                    f"---\ntitle: Q{count}-{n}\ndate: 2020-01-01\n---\n.",
                )
            with CaptureQueriesContext(connection) as queries:
                Run(folder)
            return len(queries.captured_queries)

        small, large = queries_for(5), queries_for(10)
        assert large - small == 5 * 2  # per file: a savepoint and its release; inserts per batch

    def test_a_bulk_insert_that_fails_is_done_again_file_by_file(self):
        """An editor saves a post while the import runs: the batch is redone, nothing is lost."""
        for name in "abcd":
            write(
                self.tmp_path, f"{name}.md", f"---\ntitle: {name.upper()}\ndate: 2020-01-01\n---\n."
            )

        def meanwhile(done, total):
            if done == 2:  # after the first batch, the admin takes the address c.md would get
                Post.objects.create(title="Écrit pendant l'import", slug="c")

        report = import_paths([self.tmp_path], batch_size=2, on_progress=meanwhile)
        assert report.summary().startswith("4 created, 0 updated, 0 unchanged, 0 skipped, 0 failed")
        assert Post.objects.get(source_path="c.md").slug == "c-2"
        assert Post.objects.get(source_path="d.md").slug == "d"

    def test_changed_file_updates_but_an_edited_post_is_a_conflict(self):
        source = write(self.tmp_path, "p.md", "---\ntitle: Premier\ndate: 2020-01-01\n---\nUn.")
        Run(self.tmp_path)
        source.write_text("---\ntitle: Deuxième\ndate: 2020-01-01\n---\nDeux.")
        assert Run(self.tmp_path).summary.startswith("0 created, 1 updated")
        post = Post.objects.get()
        assert (post.title, post.body) == ("Deuxième", "Deux.")

        post.body = "Corrigé dans l'admin."
        post.save()
        source.write_text("---\ntitle: Troisième\ndate: 2020-01-01\n---\nTrois.")
        run = Run(self.tmp_path)
        assert (
            f"conflict: {source}: the post was edited in the admin since its import" in run.stderr
        )
        assert "1 conflict(s)" in str(run.error)
        assert Post.objects.get().body == "Corrigé dans l'admin."

        assert Run(self.tmp_path, force=True).error is None
        assert Post.objects.get().body == "Trois."


class OutputTests(TemporaryFolders, TestCase):
    """The command says as much as asked, and writes no file outside MEDIA_ROOT."""

    def test_verbosity_levels_and_static_dir_report(self):
        write(self.tmp_path, "static/img/a.png", png())
        write(
            self.tmp_path, "blog/a.md", "---\ntitle: A\ndate: 2020-01-01\n---\n![a](/img/nope.png)"
        )
        run = Run(self.tmp_path, verbosity=0)
        assert run.stdout == "" and run.stderr == ""
        run = Run(self.tmp_path, verbosity=1, force=True)
        assert f"resolve in {(self.tmp_path / 'static').resolve()} (guessed)" in run.stdout
        other = write(self.tmp_path, "ailleurs/img/nope.png", png((9, 9, 9))).parents[1]
        write(
            self.tmp_path, "blog/a.md", "---\ntitle: A\ndate: 2020-01-01\n---\n![a](/img/nope.png) "
        )
        run = Run(self.tmp_path, verbosity=3, static_dir=other)
        assert f"resolve in {other.resolve()} (given)" in run.stdout
        assert f"updated: {self.tmp_path / 'blog/a.md'} (1 images, 0 redirects)" in run.stdout

    def test_progress_on_a_terminal(self):
        write(self.tmp_path, "a.md", "---\ntitle: A\ndate: 2020-01-01\n---\n.")
        out = _Terminal()
        call_command("import_markdown", str(self.tmp_path), stdout=out, stderr=StringIO())
        assert "\r1/1 files" in out.getvalue()
        assert "\r1/1" not in Run(self.tmp_path).stdout  # not a terminal: no progress

    def test_the_import_writes_no_file_outside_media(self):
        write(self.tmp_path, "static/img/a.png", png())
        write(
            self.tmp_path,
            "a.md",
            "---\ntitle: A\ndate: 2020-01-01\nfeaturedimage: /img/a.png\n---\n",
        )
        before = sorted(
            p for p in self.tmp_path.rglob("*") if not p.is_relative_to(self.media_root)
        )
        Run(self.tmp_path)
        assert (
            sorted(p for p in self.tmp_path.rglob("*") if not p.is_relative_to(self.media_root))
            == before
        )
        assert Post.objects.get().image.name in media_files()
