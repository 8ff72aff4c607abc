"""The Markdown guards: any input is accepted or refused quickly, with a reason to act on.

Each test asserts the outcome, never a duration (bench/bench_guards.py measures those); the
timeout makes a regression to a hang fail instead of blocking the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import SimpleTestCase, TestCase, override_settings

from blog.models import Post
from blog.rendering import RenderError, render_markdown
from tests.support.cases import TemporaryFolders
from tests.support.importing import Run, write

# A regression to a hang fails the test instead of blocking the run.
pytestmark = pytest.mark.timeout(30)
ROOT = Path(__file__).resolve().parent.parent

NESTING = "plus de 100 niveaux"
BRACKETS = "contient trop de « [ » ou de « ( » jamais fermés"
TAGS = "balises HTML jamais fermées"
SPLITS = "ajoutez des lignes vides"
BLOCKS = "découpez-le en plusieurs articles"
MARKUP = "trop de mise en forme"


def refused(text: str) -> str:
    try:
        render_markdown(text)
    except RenderError as exc:
        return str(exc)
    raise AssertionError(f"accepted: {text[:60]!r}…")


class NestingTests(SimpleTestCase):
    """Nesting is counted by a scan of each line's prefix: linear, and rules are not nesting."""

    # The old nesting regex backtracked for ever on these 100-200 byte lines.
    def test_fifty_quote_markers_on_one_line_render_fifty_quotes(self):
        html = render_markdown("> " * 50 + "x")
        assert html.count("<blockquote>") == 50
        assert "<p>x</p>" in html

    def test_sixty_dash_markers_are_a_rule(self):
        assert render_markdown("- " * 60) == "<hr>"

    def test_sixty_ordered_markers_nest_sixty_lists(self):
        assert render_markdown("1. " * 60).count("<ol>") == 60

    def test_a_hundred_levels_are_accepted_and_a_hundred_and_one_refused(self):
        assert render_markdown("> " * 100 + "x").count("<blockquote>") == 100
        assert NESTING in refused("> " * 101 + "x")
        assert NESTING in refused("1. " * 101 + "x")
        assert NESTING in refused("١. " * 101 + "x")  # Python-Markdown's \\d: any Unicode digit
        assert NESTING in refused("\n".join("  " * i + "- x" for i in range(400)))

    def test_nesting_through_a_quote_and_indentation_counts_both(self):
        assert NESTING in refused("> " * 50 + "  " * 60 + "- x")

    # False positives of the old check: underlines and rules are not nesting.
    def test_setext_heading_with_a_117_dash_underline(self):
        html = render_markdown("Titre\n" + "-" * 117 + "\n\ntexte")
        assert html == '<h2 id="titre">Titre</h2>\n<p>texte</p>'

    def test_setext_heading_with_a_long_equals_underline(self):
        assert render_markdown("Titre\n" + "=" * 300) == '<h1 id="titre">Titre</h1>'

    def test_horizontal_rules(self):
        for rule in ["***", "- - -", "___", "-" * 200, "* " * 150, "_ " * 150]:
            with self.subTest(rule=rule[:10]):
                assert render_markdown(f"a\n\n{rule}\n\nb") == "<p>a</p>\n<hr>\n<p>b</p>"

    def test_a_long_table_renders(self):
        rows = "".join(f"| {n} | {'-' * 120} |\n" for n in range(2000))
        html = render_markdown("| a | b |\n|---|---|\n" + rows)
        assert html.count("<tr>") == 2001
        assert "<td>1999</td>" in html

    def test_real_deep_but_legal_content(self):
        text = "\n".join("  " * depth + f"- niveau {depth}" for depth in range(60))
        text += "\n\n" + "\n".join("> " * depth + "citation" for depth in range(1, 40))
        html = render_markdown(text)
        assert html.count("<ul>") == 60
        assert "niveau 59" in html

    def test_the_old_hang_inputs_return_in_a_separate_process(self):
        """A backtracking regex holds the GIL, so no in-process timeout can stop it: run the
        inputs in a child process that is killed if it does not return."""
        code = (
            "import django; django.setup()\n"
            "from blog.rendering import render_markdown\n"
            "for text in ('> ' * 50 + 'x', '- ' * 60, '1. ' * 60):\n"
            "    print(len(render_markdown(text)))\n"
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert done.returncode == 0, done.stderr
        assert len(done.stdout.split()) == 3


class BracketTests(SimpleTestCase):
    """Brackets are counted in what the link parser will read, whatever fences seem to hide."""

    def test_brackets_after_an_indented_fence_are_refused(self):
        assert BRACKETS in refused("    ```\n\n" + "[" * 5000)

    def test_brackets_after_an_unclosed_fence_are_refused(self):
        assert BRACKETS in refused("```\n" + "[" * 5000)

    def test_bracket_bomb_is_refused_naming_the_paragraph(self):
        message = refused("Intro\n\n" + "[" * 8000)
        assert BRACKETS in message
        assert "« [[[[" in message

    def test_other_unclosed_link_runs_are_refused(self):
        for unit in ["![", "[a](", "("]:
            with self.subTest(unit=unit):
                assert BRACKETS in refused("[x " + unit * 5000)

    def test_many_brackets_in_code_are_fine(self):
        html = render_markdown("```\n" + "[" * 30000 + "\n```\n\n    " + "[" * 30000)
        assert html.count("[" * 30000) == 2

    def test_many_closed_links_are_fine(self):
        html = render_markdown(("[lien](https://example.org) " * 20 + "\n\n") * 200)
        assert html.count("<a ") == 4000


class HtmlTests(SimpleTestCase):
    """Raw HTML: each "<tag" makes the HTML parser scan to the next ">"."""

    def test_unclosed_tag_run_is_refused(self):
        assert TAGS in refused("<a " * 4000)

    def test_unclosed_tags_in_separate_blocks_are_refused(self):
        assert TAGS in refused("<a\n\n" * 4000)

    def test_html_with_closed_tags_is_fine(self):
        html = render_markdown("<p>un <b>deux</b></p>\n\n" * 3000)
        assert html.count("<b>deux</b>") == 3000


class BlockTests(SimpleTestCase):
    """Blocks that Python-Markdown cuts line by line, and the number of blocks."""

    def test_heading_lines_without_blank_lines_are_refused(self):
        assert BLOCKS in refused("# h\n" * 20000)
        assert SPLITS in refused("# h\n" * 5000)

    def test_rules_and_definitions_without_blank_lines_are_refused(self):
        assert SPLITS in refused("a\n***\n" * 3000)
        assert SPLITS in refused("a\n: b\n" * 3000)

    def test_a_few_hundred_headings_in_one_block_are_fine(self):
        html = render_markdown("# titre\ntexte\n" * 300)
        assert html.count("<h1") == 300

    def test_too_many_blocks_are_refused(self):
        cases = {
            "paragraphs": "a\n\n" * 20000,
            "list-items": "- a\n" * 20000,
            "code-blocks": "```\nx\n```\n\n" * 1500,
            "html-blocks": "<div>a</div>\n\n" * 20000,
        }
        for name, text in cases.items():
            with self.subTest(name):
                assert BLOCKS in refused(text)

    def test_many_code_blocks_are_refused_before_they_are_highlighted(self):
        assert BLOCKS in refused("```python\nx = 1\n```\n\n" * 1500)

    def test_many_long_code_blocks_are_refused_before_superfences_rereads_them(self):
        assert "trop de blocs de code pour sa longueur" in refused(
            ("```\n" + "a\n" * 400 + "```\n\n") * 600
        )

    def test_abbreviations_and_footnote_references_are_limited(self):
        assert "300 abréviations" in refused("*[HTML]: x\n" * 400)
        assert "500 appels de note" in refused("x[^1] " * 600 + "\n\n[^1]: note\n")

    @override_settings(CARNET_MAX_MARKDOWN_BYTES=1024)
    def test_size_limit_comes_first(self):
        assert "la limite est de 1 Ko" in refused("> " * 2000)


class CodeTests(SimpleTestCase):
    """Pygments backtracks on some inputs: such code is shown, without colours."""

    def test_code_is_coloured_within_the_bounds(self):
        html = render_markdown(
            "```java\nint x = 1;\n```\n\n```python\n" + "import a\n" * 300 + "```"
        )
        assert '<span class="kt">int</span>' in html
        assert html.count('<span class="kn">import</span>') == 300

    def test_risky_code_is_shown_without_colours(self):
        cases = {
            "java-words": "```java\n" + "a\n" * 4000 + "```",  # 90 s for 60 KB before
            "csharp-words": "```csharp\n" + "a " * 4000 + "\n```",
            "perl-long-line": "```perl\n" + "'\\" * 30_000 + "\n```",
            "over-budget": "```python\n" + "x = 1\n" * 5000 + "```",  # over 16 KB coloured
        }
        for name, code in cases.items():
            with self.subTest(name):
                html = render_markdown(code)
                assert html.startswith('<div class="highlight"><pre><span></span><code>')
                assert '<span class="' not in html
                assert code.split("\n")[1][:20] in html.replace("&#x27;", "'")


class InlineMarkupTests(SimpleTestCase):
    """Inline markup: Python-Markdown rebuilds a paragraph after each match."""

    def test_one_paragraph_of_dense_markup_is_refused(self):
        for unit in ["*a* ", "` ", "\\\\", "&amp; ", "~~a ", "<", "<b>a</b> ", "http://a.b "]:
            with self.subTest(unit=unit):
                assert MARKUP in refused(unit * (400_000 // len(unit)))

    def test_ordinary_markup_is_fine(self):
        paragraph = "Du **gras**, de l'*italique*, du `code`, un [lien](https://e.org) & co.\n\n"
        html = render_markdown(paragraph * 2000)
        assert html.count("<strong>gras</strong>") == 2000


class RealPostTests(TemporaryFolders, TestCase):
    """The real-world case: two Hugo posts underline their title with 117 dashes."""

    def test_setext_heading_with_a_117_dash_underline_imports(self):
        site = self.tmp_path / "site"
        body = "Introduction\n" + "-" * 117 + "\n\nLe texte.\n"
        write(site, "blog/2020-05-23-souligne.md", f"---\ntitle: Souligné\n---\n{body}")
        write(site, "blog/2020-05-24-citations.md", "---\ntitle: Q\n---\n" + "> " * 50)
        run = Run(site)
        assert run.error is None, run.stderr
        post = Post.objects.get(title="Souligné")
        assert '<h2 id="introduction">Introduction</h2>' in post.body_html
        assert Post.objects.filter(title="Q").exists()
