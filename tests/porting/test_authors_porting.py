"""Authors in and out: ``author``, ``authors``, ``{name, email}`` mappings and Hugo's
``authors`` taxonomy make or match profiles by name; export writes them back as written."""

from django.db import transaction
from django.test import TestCase

from blog.models import Author, Post, Redirect, site_author
from tests.support.cases import TemporaryFolders
from tests.support.factories import make_author, make_post
from tests.support.importing import Run, corpus, export, front_matter, write

# The corpus names 5 authors in its posts' front matter (top-level ``author``); its other 44
# posts name nobody and get the site's author (migration 0009's profile).
CORPUS_AUTHORS = {"frank": 6, "regis": 2, "arnaud": 2, "podcast": 1, "@_waylonwalker": 2}


def bylines() -> dict[str, list[str]]:
    """Each post's authors by source file (the site's own author as « <site> »)."""
    site = site_author(create=False)
    return {
        post.source_path or post.slug: [
            "<site>" if author == site else author.name for author in post.byline
        ]
        for post in Post.objects.with_authors()
    }


class CorpusAuthorsTests(TemporaryFolders, TestCase):
    def test_the_corpus_creates_the_authors_its_files_name(self):
        before = Author.objects.count()  # the site's own, from migration 0009
        Run(corpus())
        made = Author.objects.exclude(pk=site_author().pk)
        self.assertEqual({author.name: author.posts.count() for author in made}, CORPUS_AUTHORS)
        self.assertEqual(Author.objects.count(), before + len(CORPUS_AUTHORS))
        self.assertEqual(site_author().posts.count(), 57 - sum(CORPUS_AUTHORS.values()))
        # Every post has an author; a nested ``source: {author: …}`` (a translated post's
        # original author) is not this post's.
        self.assertFalse(Post.objects.filter(author_links__isnull=True).exists())
        self.assertFalse(Author.objects.filter(name="Brian Rinaldi").exists())
        self.assertEqual(Author.objects.get(name="@_waylonwalker").slug, "waylonwalker")

    def test_a_second_run_makes_no_author_again(self):
        Run(corpus())
        count, before = Author.objects.count(), bylines()
        run = Run(corpus())
        self.assertIn("0 created, 0 updated", run.summary)
        self.assertEqual(Author.objects.count(), count)
        self.assertEqual(bylines(), before)


class AuthorShapesTests(TemporaryFolders, TestCase):
    def site(self, files: dict[str, str]):
        root = self.tmp_path / "site"
        for name, text in files.items():
            write(root, name, text)
        return root

    def test_every_shape_makes_or_matches_a_profile_by_name(self):
        make_author("Régis Philibert")
        root = self.site({
            "a.md": "---\ntitle: A\ndate: 2020-01-01\nauthor: regis philibert\n---\nA",
            "b.md": "---\ntitle: B\ndate: 2020-01-02\n"
                    "authors: [Zoé Martin, REGIS PHILIBERT]\n---\nB",
            "c.md": "---\ntitle: C\ndate: 2020-01-03\nauthor:\n  name: Zoe martin\n"
                    "  email: zoe@example.org\n---\nC",
            "d.md": '+++\ntitle = "D"\ndate = 2020-01-04\nauthors = ["Marc Lefèvre"]\n+++\nD',
            "e.md": '{\n"title": "E",\n"date": "2020-01-05",\n"author": "Marc LEFEVRE"\n}\nE',
            "f.md": "---\ntitle: F\ndate: 2020-01-06\n---\nF",
        })  # fmt: skip
        run = Run(root)
        self.assertIsNone(run.error, run.stderr)
        self.assertEqual(
            bylines(),
            {
                "a.md": ["Régis Philibert"],
                "b.md": ["Zoé Martin", "Régis Philibert"],
                "c.md": ["Zoé Martin"],
                "d.md": ["Marc Lefèvre"],
                "e.md": ["Marc Lefèvre"],
                "f.md": ["<site>"],
            },
        )
        self.assertEqual(
            sorted(Author.objects.values_list("slug", flat=True)),
            sorted([site_author().slug, "regis-philibert", "zoe-martin", "marc-lefevre"]),
        )

    def test_an_author_name_too_long_fails_its_file_by_name(self):
        root = self.site({
            "long.md": f"---\ntitle: L\ndate: 2020-01-01\nauthor: {'x' * 101}\n---\nL",
            "ok.md": "---\ntitle: O\ndate: 2020-01-01\nauthor: Zoé\n---\nO",
        })  # fmt: skip
        run = Run(root)
        self.assertIsNotNone(run.error)
        self.assertIn("long.md", run.stderr)
        self.assertIn("author: the name", run.stderr)
        self.assertEqual(list(Post.objects.values_list("title", flat=True)), ["O"])
        self.assertFalse(Author.objects.filter(name__startswith="xxx").exists())

    def test_a_reimport_keeps_the_authors_the_admin_gave_unless_the_file_changed(self):
        root = self.site({"a.md": "---\ntitle: A\ndate: 2020-01-01\nauthor: Zoé\n---\nA"})
        Run(root)
        post = Post.objects.get()
        post.set_authors([make_author("Marc"), *post.byline])
        write(root, "a.md", "---\ntitle: A\ndate: 2020-01-01\nauthor: Zoé\n---\nA (corrigé)")
        Run(root, force=True)
        self.assertEqual(bylines()["a.md"], ["Zoé"])  # --force: the file says
        post.set_authors([Author.objects.get(name="Marc")])
        write(root, "a.md", "---\ntitle: A\ndate: 2020-01-01\nauthor: Zoé\n---\nA (relu)")
        Run(root, force=True)
        self.assertEqual(bylines()["a.md"], ["Zoé"])
        write(root, "a.md", "---\ntitle: A\ndate: 2020-01-01\nauthor: Zoé\ntags: [x]\n---\nA")
        post.set_authors([Author.objects.get(name="Marc")])
        Post.objects.filter(pk=post.pk).update(title="A")  # no admin edit: no conflict
        Run(root)
        self.assertEqual(bylines()["a.md"], ["Marc"])  # same author key: the admin's choice
        write(root, "a.md", "---\ntitle: A\ndate: 2020-01-01\nauthor: Luc\ntags: [x]\n---\nA")
        Run(root)
        self.assertEqual(bylines()["a.md"], ["Luc"])  # the file's author changed


class AuthorExportTests(TemporaryFolders, TestCase):
    def test_authors_come_back_in_the_shape_they_were_written(self):
        root = self.tmp_path / "site"
        write(root, "a.md", "---\ntitle: A\ndate: 2020-01-01\nauthor: Zoé\n---\nA")
        write(root, "b.md", "---\ntitle: B\ndate: 2020-01-02\nauthors: [Zoé, Marc]\n---\nB")
        write(root, "c.md", "---\ntitle: C\ndate: 2020-01-03\n"
                            "author: {name: Zoé, email: zoe@example.org}\n---\nC")  # fmt: skip
        write(root, "d.md", "---\ntitle: D\ndate: 2020-01-04\n---\nD")
        Run(root)
        luc = make_author("Luc Besson", email="luc@example.org")
        # Changed in the admin: written back under the same key, in the same shape.
        Post.objects.get(title="A").set_authors([Author.objects.get(name="Zoé"), luc])
        Post.objects.get(title="C").set_authors([luc])
        Post.objects.get(title="D").set_authors([luc])
        out = self.tmp_path / "out"
        export(out)
        self.assertEqual(front_matter(out / "a.md")["author"], ["Zoé", "Luc Besson"])
        self.assertEqual(front_matter(out / "b.md")["authors"], ["Zoé", "Marc"])
        self.assertEqual(
            front_matter(out / "c.md")["author"], {"name": "Luc Besson", "email": "luc@example.org"}
        )
        self.assertEqual(front_matter(out / "d.md")["author"], "Luc Besson")

    def test_export_then_import_gives_the_same_authors(self):
        """The corpus, a post reassigned to two authors in the admin and a post written in the
        admin by another author: exported, imported into an empty site, the same bylines."""
        Run(corpus())
        zoe, marc = make_author("Zoé Martin"), make_author("Marc Lefèvre")
        Post.objects.get(source_path__endswith="scratch-hugo.md").set_authors([marc, zoe])
        make_post(title="Écrit dans l'admin", slug="ecrit-dans-l-admin").set_authors([zoe])
        make_post(title="Par le site", slug="par-le-site").set_authors([site_author()])
        before = bylines()
        names = set(Author.objects.values_list("name", flat=True))
        export(self.tmp_path / "out")
        with transaction.atomic():
            site = site_author()
            Post.objects.all().delete()
            Redirect.objects.all().delete()
            Author.objects.exclude(pk=site.pk).delete()  # an empty site: its own author only
            run = Run(self.tmp_path / "out")
            self.assertIsNone(run.error, run.stderr)
            after = {
                path.removeprefix("src/pages/blog/").removesuffix(".md"): names_
                for path, names_ in bylines().items()
            }
            after_names = set(Author.objects.values_list("name", flat=True))
        expected = {path.removeprefix("src/pages/blog/").removesuffix(".md"): names_
                    for path, names_ in before.items()}  # fmt: skip
        self.assertEqual(after, expected)
        self.assertEqual(after_names, names)
