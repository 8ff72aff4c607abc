"""Bad files: one line on stderr naming the file and the problem, nothing of them written.

Each case imports a good post beside the bad file: the good one still imports, the bad one
leaves no post, tag, redirect or media file behind, and the command exits non-zero.
"""

from pathlib import Path

from django.test import TestCase
from taggit.models import Tag

from blog.models import Post, Redirect
from tests.support.cases import TemporaryFolders
from tests.support.importing import Run, media_files, png, write

GOOD = "---\ntitle: Bon article\ndate: 2020-05-23\ntags: [bon]\n---\nTexte.\n"
IMAGE = "featuredimage: /img/mauvais.png\ntags: [mauvais-tag]\n"


def make_site(folder: Path) -> Path:
    """A site with a good post, and an image for the bad files to use."""
    root = folder / "site"
    write(root, "static/img/mauvais.png", png((1, 2, 3)))
    write(root, "blog/2020-05-23-bon.md", GOOD)
    return root


def import_bad(site: Path, content: str | bytes, name: str = "mauvais.md") -> tuple[Run, Path]:
    bad = write(site, f"blog/{name}", content)
    return Run(site), bad


def assert_only_the_good_post(run: Run, bad: Path, message: str, media_root: Path) -> None:
    assert f"error: {bad}: {message}" in run.stderr, run.stderr
    assert run.stderr.count("error:") == 1
    assert "Traceback" not in run.stderr
    assert "1 file(s) could not be imported" in str(run.error)
    assert list(Post.objects.values_list("title", flat=True)) == ["Bon article"]
    assert list(Tag.objects.values_list("name", flat=True)) == ["bon"]
    assert list(Redirect.objects.values_list("old_path", flat=True)) == ["/blog/2020-05-23-bon/"]
    assert media_files() == []


CASES = {
    "bad YAML, with its line": (
        f"---\ntitle: Mauvais\n{IMAGE}date: 2020: 01\n---\nTexte\n",
        "front matter is not valid YAML at line 5: mapping values are not allowed in this context",
    ),
    "unparseable date": (
        f"---\ntitle: Mauvais\ndate: un jour\n{IMAGE}---\nTexte\n",
        "date: cannot read 'un jour' as a date",
    ),
    "impossible date (ValueError in PyYAML)": (
        f"---\ntitle: Mauvais\n{IMAGE}date: 2021-07-32\n---\nTexte\n",
        "line 5: date '2021-07-32' is not a real date (day is out of range for month)",
    ),
    "year 9999 at -12:00": (
        f"---\ntitle: Mauvais\n{IMAGE}date: 9999-12-31T23:00:00-12:00\n---\nTexte\n",
        "date: 9999-12-31T23:00:00 is out of the range of dates",
    ),
    "year 1": (
        f"---\ntitle: Mauvais\n{IMAGE}date: 0001-01-01\n---\nTexte\n",
        "date: 0001-01-01T00:00:00 is out of the range of dates",
    ),
    "not UTF-8": (
        f"---\ntitle: Mauvais\n{IMAGE}---\nCaf\xe9\n".encode("latin-1"),
        "not UTF-8 text (invalid byte at offset",
    ),
    "not text": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file (it contains NUL bytes)"),
    "unterminated ---": (
        f"---\ntitle: Mauvais\n{IMAGE}\nTexte sans fin de bloc\n",
        "front matter opened with --- on line 1 is never closed",
    ),
    "front matter that is a list": (
        "---\n- title\n- Mauvais\n---\nTexte\n",
        "front matter must be keys and values, not a list",
    ),
    "front matter that is a scalar": (
        "---\njuste du texte\n---\nTexte\n",
        "front matter must be keys and values, not a single string",
    ),
    "YAML alias bomb": (
        "---\ntitle: Mauvais\n"
        'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n"
            for i in range(8)
        )
        + "---\nTexte\n",
        "front matter expands to more than 10000 values",
    ),
    "invalid TOML": ('+++\ntitle = "Mauvais\n+++\nTexte\n', "front matter is not valid TOML"),
    "invalid JSON": ('{\n"title": "Mauvais",\n}\nTexte\n', "front matter is not valid JSON"),
    "over-long tag": (
        f"---\ntitle: Mauvais\nfeaturedimage: /img/mauvais.png\ntags: [{'x' * 101}]\n"
        "date: 2020-01-01\n---\n.",
        "tags: the tag 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'… is longer than 100",
    ),
    "over-long title": (f"---\ntitle: {'T' * 201}\n{IMAGE}---\nTexte\n", "title: longer than 200"),
    "title that is a list": ("---\ntitle: [a, b]\n---\nTexte\n", "title: expected text"),
    "Markdown nested too deeply": (
        f"---\ntitle: Mauvais\n{IMAGE}---\n" + "> " * 101 + "trop\n",
        "Le texte imbrique des listes ou citations sur plus de 100 niveaux.",
    ),
}


class BadInputTests(TemporaryFolders, TestCase):
    """A bad file costs only itself: a good post beside it imports, the command exits non-zero."""

    def setUp(self):
        super().setUp()
        self.site = make_site(self.tmp_path)

    def test_a_bad_file_costs_only_itself(self):
        for case, (content, message) in CASES.items():
            with self.case(case=case):
                run, bad = import_bad(make_site(self.tmp_path), content)
                assert_only_the_good_post(run, bad, message, self.media_root)

    def test_a_file_too_large(self):
        run, bad = import_bad(self.site, "---\ntitle: Gros\n---\n" + "a" * (2 * 1024 * 1024 + 1))
        assert_only_the_good_post(
            run, bad, "too large (2097173 bytes; the limit is 2097152)", self.media_root
        )

    def test_a_bom_simply_imports(self):
        write(
            self.site, "blog/bom.md", "\ufeff---\ntitle: Avec BOM\ndate: 2020-01-01\n---\nTexte\n"
        )
        run = Run(self.site)
        assert run.error is None
        assert Post.objects.get(title="Avec BOM").body == "Texte\n"

    def test_empty_tags_are_dropped(self):
        write(
            self.site,
            "blog/vides.md",
            "---\ntitle: Vides\ndate: 2020-01-01\ntags: ['', ' ', a]\n---\n.",
        )
        Run(self.site)
        assert list(Post.objects.get(title="Vides").tags.names()) == ["a"]

    def test_path_traversal_fails_the_file(self):
        """../../../etc/passwd as an image: never read nor copied; the file fails, others import."""
        write(
            self.site,
            "blog/fuite.md",
            "---\ntitle: Fuite\ndate: 2020-01-01\n"
            "featuredimage: ../../../../../../etc/passwd\n---\n.",
        )
        write(
            self.site,
            "blog/fuite-corps.md",
            "---\ntitle: Corps\ndate: 2020-01-01\n---\n![x](../../../../../../etc/hostname.png)\n",
        )
        write(
            self.site,
            "blog/fuite-site.md",
            "---\ntitle: Site\ndate: 2020-01-01\n---\n![y](/../../../etc/shadow.png)\n",
        )
        write(self.site, "blog/sain.md", "---\ntitle: Sain\ndate: 2020-01-01\n---\nTexte.")
        run = Run(self.site)
        assert run.error is not None
        assert (
            "fuite.md: featuredimage '../../../../../../etc/passwd' is outside the site's folders"
            in (run.stderr)
        )
        assert (
            "fuite-corps.md: line 5: image '../../../../../../etc/hostname.png' is outside"
            in run.stderr
        )
        assert "fuite-site.md: line 5: image '/../../../etc/shadow.png' is outside" in run.stderr
        titles = set(Post.objects.values_list("title", flat=True))
        assert "Sain" in titles
        assert not titles & {"Fuite", "Corps", "Site"}
        assert media_files() == []

    def test_strict_imports_nothing_when_one_file_fails(self):
        write(
            self.site, "blog/image.md", "---\ntitle: Image\ndate: 2020-01-01\n" + IMAGE + "---\n."
        )
        write(self.site, "blog/z-mauvais.md", "---\ntitle: [\n---\n")
        run = Run(self.site, strict=True)
        assert "z-mauvais.md: front matter is not valid YAML" in run.stderr
        assert "nothing was imported (--strict)" in str(run.error)
        assert run.summary.startswith("Nothing imported (--strict and a file failed)")
        assert Post.objects.count() == Tag.objects.count() == Redirect.objects.count() == 0
        assert media_files() == []  # the image written for image.md was removed

    def test_dry_run_checks_everything_and_writes_nothing(self):
        write(
            self.site, "blog/image.md", "---\ntitle: Image\ndate: 2020-01-01\n" + IMAGE + "---\n."
        )
        write(self.site, "blog/z-mauvais.md", "---\ntitle: [\n---\n")
        run = Run(self.site, dry_run=True)
        assert "z-mauvais.md: front matter is not valid YAML" in run.stderr
        assert run.summary == (
            "Dry run, nothing written: 2 created, 0 updated, 0 unchanged, 0 skipped, 1 failed, "
            "1 images copied, 1 redirects made, 0 warnings, 0 conflicts"
        )
        assert run.error is not None
        assert Post.objects.count() == Tag.objects.count() == Redirect.objects.count() == 0
        assert media_files() == []

    def test_missing_path_and_bad_static_dir(self):
        run = Run(self.tmp_path / "absent")
        assert f"error: {self.tmp_path / 'absent'}: no such file or folder" in run.stderr
        run = Run(self.tmp_path, static_dir=self.tmp_path / "nope")
        assert f"--static-dir {self.tmp_path / 'nope'}: no such folder" in str(run.error)
