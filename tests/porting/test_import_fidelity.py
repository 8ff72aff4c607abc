"""import_markdown on what real sites hold: untitled Jekyll posts, post kinds of their own
(templateKey), .mdx files, empty folders, drafts counted, one spelling per tag."""

from django.db import transaction
from django.test import TestCase
from django.utils.timezone import localtime
from taggit.models import Tag

from blog.models import Post
from tests.support.cases import TemporaryFolders, fresh_media
from tests.support.importing import Run, export, front_matter, write


class UntitledPostTests(TemporaryFolders, TestCase):
    """A post whose front matter has no title is titled as Jekyll does, with a warning."""

    def test_jekyll_titles_from_the_file_name(self):
        write(self.tmp_path, "_config.yml", "title: x\n")
        draft = write(self.tmp_path, "_drafts/technical-debt.md", "---\nlayout: post\n---\nT.\n")
        post = write(
            self.tmp_path,
            "_posts/2017-12-01-agile-whispers.md",
            "---\nlayout: post\ntags: [agile]\n---\nT.\n",
        )
        run = Run(self.tmp_path)
        assert run.error is None, run.stderr
        assert (
            f"warning: {draft}: no title in the front matter; titled 'Technical debt' "
            "from its file name"
        ) in run.stderr
        assert f"warning: {post}: no title in the front matter" in run.stderr
        debt = Post.objects.get(title="Technical debt")
        assert debt.status == Post.Status.DRAFT
        agile = Post.objects.get(title="Agile whispers")
        assert localtime(agile.pub_date).date().isoformat() == "2017-12-01"

    def test_a_first_heading_titles_it_as_without_front_matter(self):
        write(self.tmp_path, "notes.md", "---\ndate: 2020-01-01\n---\n# Le vrai titre\n\nTexte\n")
        write(self.tmp_path, "2020-01-02-sans.md", "# Sans front matter\n\nTexte\n")
        run = Run(self.tmp_path)
        assert run.error is None, run.stderr
        assert Post.objects.get(source_path="notes.md").title == "Le vrai titre"
        assert Post.objects.get(source_path="2020-01-02-sans.md").title == "Sans front matter"

    def test_export_writes_no_title_unless_it_was_edited(self):
        text = "---\nlayout: post\ntags:\n- agile\n---\nT.\n"
        write(self.tmp_path, "site/_posts/2017-12-01-agile-whispers.md", text)
        write(self.tmp_path, "site/_posts/2017-12-02-other-one.md", text)
        Run(self.tmp_path / "site")
        Post.objects.filter(title="Other one").update(title="Edited")
        export(self.tmp_path / "out")
        posts = self.tmp_path / "out" / "_posts"
        agile = front_matter(posts / "2017-12-01-agile-whispers.md")
        assert "title" not in agile
        assert front_matter(posts / "2017-12-02-other-one.md")["title"] == "Edited"


class TemplateKeyTests(TemporaryFolders, TestCase):
    """Only Gatsby's *-page templates are pages; any other templateKey is a kind of post."""

    def test_a_post_kind_of_its_own_imports_and_comes_back(self):
        text = "---\ntemplateKey: til\ntitle: Appris\ndate: 2021-03-04\n---\nUne chose.\n"
        til = write(self.tmp_path, "site/til.md", text)
        write(self.tmp_path, "site/note.md", "---\ntemplateKey: dailyNote\ntitle: N\n"
              "date: 2021-03-05\n---\nUne note.\n")  # fmt: skip
        contact = write(self.tmp_path, "site/contact.md", "---\ntemplateKey: contact-page\n"
                        "title: Contact\n---\nÉcrivez-moi.\n")  # fmt: skip
        run = Run(self.tmp_path / "site")
        assert f"warning: {til}: templateKey 'til' imported as a post" in run.stderr
        assert f"skipped: {contact}: templateKey 'contact-page' is a page" in run.stdout
        assert sorted(Post.objects.values_list("title", flat=True)) == ["Appris", "N"]
        export(self.tmp_path / "out")
        assert (self.tmp_path / "out" / "til.md").read_text() == text


class FolderTests(TemporaryFolders, TestCase):
    """Every Markdown file of a folder is imported or named; an empty folder is an error."""

    def test_mdx_files_import_with_their_jsx_named_and_kept(self):
        body = (
            "import Chart from '../components/chart'\n\n# Titre\n\n<Chart data={x} />\n\n"
            "```js\nimport y from 'y'\n```\n"
        )
        text = f"---\ntitle: Graphique\ndate: 2021-01-01\n---\n{body}"
        mdx = write(self.tmp_path, "site/graphique.mdx", text)
        run = Run(self.tmp_path / "site")
        assert run.summary.startswith("1 created"), run.stdout
        assert (
            f"warning: {mdx}: line 5: 2 MDX line(s) (import, export, JSX) such as "
            "\"import Chart from '../components/chart'\" kept as text"
        ) in run.stderr
        assert Post.objects.get().body == body
        export(self.tmp_path / "out")
        assert (self.tmp_path / "out" / "graphique.mdx").read_text() == text

    def test_a_folder_without_markdown_is_an_error(self):
        (self.tmp_path / "vide").mkdir()
        write(self.tmp_path, "texte/notes.txt", "pas du Markdown")
        run = Run(self.tmp_path / "vide", self.tmp_path / "texte")
        assert str(run.error) == (
            f"no Markdown files found in {self.tmp_path / 'vide'}, {self.tmp_path / 'texte'}."
        )

    def test_the_summary_counts_the_drafts(self):
        for name, flag in (("a", "draft: true"), ("b", "published: false"),
                           ("c", "online: false"), ("d", "draft: false")):  # fmt: skip
            write(
                self.tmp_path, f"{name}.md", f"---\ntitle: {name}\ndate: 2020-01-01\n{flag}\n---\nT"
            )
        write(self.tmp_path, "_drafts/e.md", "---\ntitle: e\n---\nT")
        run = Run(self.tmp_path)
        assert run.summary.startswith("5 created, 0 updated, 0 unchanged, 0 skipped, 0 failed")
        assert run.summary.endswith(", 4 drafts")


TAGGED = {
    "a.md": ("web", "2020-05-01"),
    "b.md": ("Web", "2020-01-01"),
    "c.md": ("Web", "2020-02-01"),
}


class TagSpellingTests(TemporaryFolders, TestCase):
    """A tag is named by its most used spelling, ties to the earliest post, whatever the order."""

    def write_posts(self, names):
        for name in names:
            tag, date = TAGGED[name]
            write(
                self.tmp_path,
                f"site/{name}",
                f"---\ntitle: {name}\ndate: {date}\ntags: [{tag}]\n---\nT",
            )

    def test_the_same_name_whatever_the_import_order(self):
        for order, expected in (
            (["a.md", "b.md"], "Web"),  # one each: the earliest post's
            (["b.md", "a.md"], "Web"),
            (["a.md", "b.md", "c.md"], "Web"),
            (["c.md", "a.md", "b.md"], "Web"),
        ):
            with self.case(order=order):
                self.write_posts(order)
                for name in order:
                    Run(self.tmp_path / "site" / name)
                assert list(Tag.objects.values_list("name", flat=True)) == [expected]

    def test_ties_on_date_go_to_code_point_order(self):
        write(self.tmp_path, "site/a.md", "---\ntitle: a\ndate: 2020-01-01\ntags: [web]\n---\nT")
        write(self.tmp_path, "site/b.md", "---\ntitle: b\ndate: 2020-01-01\ntags: [WEB]\n---\nT")
        Run(self.tmp_path / "site")
        assert list(Tag.objects.values_list("name", flat=True)) == ["WEB"]

    def test_most_used_spelling_survives_the_round_trip(self):
        self.write_posts(TAGGED)
        Run(self.tmp_path / "site")
        assert list(Tag.objects.values_list("name", flat=True)) == ["Web"]
        export(self.tmp_path / "out")
        with transaction.atomic(), fresh_media(self.tmp_path / "media-2"):
            Post.objects.all().delete()
            Tag.objects.all().delete()
            Run(self.tmp_path / "out")
            assert list(Tag.objects.values_list("name", flat=True)) == ["Web"]
            assert Post.objects.count() == 3
            transaction.set_rollback(True)
