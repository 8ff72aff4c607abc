"""The user's real first article, loaded by `make run` through the import command."""

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase, TransactionTestCase

from blog.models import Post
from tests.support.cases import TemporaryFolders
from tests.support.importing import media_files, stored

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "fixtures" / "content"
SEED_NAME = "2020-05-23-le-début-dune-carrière-professionnelle.md"


def load_sample(**options):
    out, err = StringIO(), StringIO()
    call_command("import_markdown", str(CONTENT), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def copy_content(folder: Path) -> Path:
    """A copy of fixtures/content in ``folder``, to change freely."""
    root = folder / "content"
    shutil.copytree(CONTENT, root)
    return root


class SampleContentTests(TemporaryFolders, TestCase):
    def test_the_seed_article_is_the_sample_content(self):
        seed = ROOT.parent / "shared" / "seed" / SEED_NAME
        fixture = CONTENT / "blog" / SEED_NAME
        self.assertTrue(fixture.is_file())
        if seed.is_file():
            self.assertEqual(fixture.read_bytes(), seed.read_bytes())

    def test_import_creates_the_article_with_every_field(self):
        out, err = load_sample()
        self.assertIn(
            "1 created, 0 updated, 0 unchanged, 0 skipped, 0 failed, 1 images copied", out
        )
        self.assertEqual(err, "")
        post = Post.objects.get()
        self.assertEqual(post.title, "Le Début d'une Carrière Professionnelle")
        self.assertEqual(post.slug, "le-debut-dune-carriere-professionnelle")
        self.assertEqual(
            post.description, "Comment me lancer dans cette nouvelle activité en ligne?"
        )
        self.assertEqual(post.pub_date.isoformat(), "2020-05-23T11:37:58.440000+00:00")
        self.assertTrue(post.featured)
        self.assertTrue(post.is_published)
        self.assertEqual(sorted(post.tags.names()), ["article", "freelancing"])
        self.assertEqual(post.source_path, f"blog/{SEED_NAME}")
        self.assertEqual(post.source_meta["templateKey"], "blog-post")
        self.assertEqual(post.source_meta["featuredimage"], "/img/work.jpeg")
        self.assertTrue(post.image.name.startswith("posts/"))
        self.assertEqual(
            stored(post.image.name),
            (CONTENT / "static" / "img" / "work.jpeg").read_bytes(),
        )
        self.assertEqual((post.image_width, post.image_height), (1200, 630))
        self.assertTrue(post.image_alt)

    def test_loading_twice_does_not_duplicate(self):
        load_sample()
        first = Post.objects.get()
        out, _ = load_sample()
        self.assertIn("0 created, 0 updated, 1 unchanged", out)
        self.assertEqual(Post.objects.get().pk, first.pk)
        self.assertEqual(Post.objects.get().updated, first.updated)
        folder = first.image.name.rpartition("/")[0]
        self.assertEqual(media_files(f"{folder}/"), [first.image.name])

    def test_home_and_post_page_show_the_article(self):
        load_sample()
        home = self.client.get("/")
        self.assertContains(home, "Le Début d&#x27;une Carrière Professionnelle")
        self.assertContains(home, "23 mai 2020")
        self.assertContains(home, "Comment me lancer dans cette nouvelle activité en ligne?")
        self.assertContains(home, "#freelancing")
        self.assertContains(home, 'class="card__image"')
        self.assertEqual(list(home.context["featured_posts"]), [Post.objects.get()])
        page = self.client.get("/blog/le-debut-dune-carriere-professionnelle/")
        self.assertContains(page, '<h5 id="etude-de-marche">Etude de Marché</h5>', html=True)
        self.assertContains(page, "<strong>Upwork</strong>", html=True)
        self.assertContains(page, "<em>NOTE</em>", html=True)
        self.assertContains(page, "<li>étude de marché</li>", html=True)
        self.assertContains(page, "23 mai 2020")

    def test_the_old_gatsby_address_answers_301_in_both_spellings(self):
        """/blog/<file name>/ of the Gatsby site leads to the post, accented or percent-encoded."""
        load_sample()
        post = Post.objects.get()
        stem = SEED_NAME.removesuffix(".md")
        for path in (f"/blog/{stem}/", "/blog/" + quote(stem) + "/"):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 301)
                self.assertEqual(response["Location"], post.get_absolute_url())

    def test_one_file_or_its_folder_is_the_same_post(self):
        call_command("import_markdown", str(CONTENT / "blog" / SEED_NAME), stdout=StringIO())
        out, _ = load_sample()
        self.assertIn("0 created, 0 updated, 1 unchanged", out)
        self.assertEqual(Post.objects.get().source_path, f"blog/{SEED_NAME}")

    def test_changed_file_updates_its_post(self):
        root = copy_content(self.tmp_path)
        call_command("import_markdown", str(root), stdout=StringIO())
        source = root / "blog" / SEED_NAME
        source.write_text(source.read_text().replace("title: Le Début", "title: La Suite"))
        out = StringIO()
        call_command("import_markdown", str(root), stdout=out)
        self.assertIn("0 created, 1 updated, 0 unchanged", out.getvalue())
        post = Post.objects.get()
        self.assertEqual(post.title, "La Suite d'une Carrière Professionnelle")
        self.assertEqual(post.slug, "le-debut-dune-carriere-professionnelle")


class BadInputTests(TemporaryFolders, TestCase):
    def test_broken_front_matter_names_the_file_and_fails_the_command(self):
        root = copy_content(self.tmp_path)
        bad = root / "blog" / "cassé.md"
        bad.write_text("---\ntitle: [unclosed\n---\nbody\n")
        err = StringIO()
        with self.assertRaisesMessage(CommandError, "1 file(s) could not be imported."):
            call_command("import_markdown", str(root), stdout=StringIO(), stderr=err)
        self.assertIn("cassé.md: front matter is not valid YAML at line", err.getvalue())
        self.assertEqual(Post.objects.count(), 1)  # the good file still imported

    def test_missing_image_is_a_warning(self):
        root = copy_content(self.tmp_path)
        (root / "static" / "img" / "work.jpeg").unlink()
        out, err = StringIO(), StringIO()
        call_command("import_markdown", str(root), stdout=out, stderr=err)
        self.assertIn("featuredimage '/img/work.jpeg' not found", err.getvalue())
        self.assertFalse(Post.objects.get().image)

    def test_image_outside_the_site_is_refused(self):
        root = copy_content(self.tmp_path)
        post = root / "blog" / SEED_NAME
        post.write_text(post.read_text().replace("/img/work.jpeg", "../../../../etc/passwd"))
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command("import_markdown", str(root), stdout=StringIO(), stderr=err)
        self.assertIn(
            f"{SEED_NAME}: featuredimage '../../../../etc/passwd' is outside", err.getvalue()
        )
        self.assertFalse(Post.objects.exists())


@pytest.mark.child_process
class CommandProcessTests(TransactionTestCase):
    """The real process: what `make run` calls, and its exit status."""

    def run_command(self, *args):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
        return subprocess.run(
            [sys.executable, "manage.py", "import_markdown", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def test_missing_path_exits_non_zero_without_traceback(self):
        result = self.run_command("/nonexistent/carnet")
        self.assertEqual(result.returncode, 1)
        self.assertIn("/nonexistent/carnet: no such file or folder", result.stderr)
        self.assertNotIn("Traceback", result.stderr)
