from pathlib import Path

from django.test import SimpleTestCase, override_settings

from blog.rendering import RenderError, render_markdown

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "content" / "blog"


class SeedRenderingTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        text = next(SEED.glob("*.md")).read_text(encoding="utf-8")
        cls.html = render_markdown(text.split("---", 2)[2])

    def test_headings_keep_their_level_and_get_ascii_ids(self):
        self.assertIn('<h5 id="etude-de-marche">Etude de Marché</h5>', self.html)
        self.assertIn('<h5 id="acquisition-des-competences-cles">', self.html)

    def test_bold_italic_and_list(self):
        self.assertIn("<strong>Upwork</strong>", self.html)
        self.assertIn("<em>NOTE</em>", self.html)
        self.assertIn("<li>étude de marché</li>", self.html)
        self.assertEqual(self.html.count("<li>"), 4)

    def test_french_text_is_kept_as_is(self):
        self.assertIn(
            "Quoi de mieux pour une reconversion qu'une petite période de confinement?", self.html
        )


class MarkdownFeatureTests(SimpleTestCase):
    def test_fenced_code_is_highlighted_with_classes(self):
        html = render_markdown("```python\ndef f():\n    return 1\n```")
        self.assertIn('<div class="highlight">', html)
        self.assertIn('<span class="k">def</span>', html)

    def test_tables_keep_alignment_only(self):
        html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
        self.assertIn('<th style="text-align:left">a</th>', html)
        self.assertIn('<td style="text-align:right">2</td>', html)

    def test_two_space_nested_lists(self):
        html = render_markdown("- un\n  - deux\n    - trois\n- quatre")
        self.assertEqual(html.count("<ul>"), 3)

    def test_footnotes_keep_their_ids(self):
        html = render_markdown("Texte[^1]\n\n[^1]: La note.")
        self.assertIn('<sup id="fnref:1"><a class="footnote-ref" href="#fn:1"', html)
        self.assertIn('<li id="fn:1">', html)

    def test_strikethrough_and_bare_links(self):
        html = render_markdown("~~barré~~ https://example.org")
        self.assertIn("<del>barré</del>", html)
        self.assertIn('<a href="https://example.org"', html)


class SanitizingTests(SimpleTestCase):
    """Markdown is untrusted: no script, no handler, no javascript: URL reaches a page."""

    def assertClean(self, markdown, *forbidden):
        html = render_markdown(markdown).lower()
        for needle in forbidden:
            self.assertNotIn(needle, html)
        return html

    def test_script_and_style_are_removed_with_their_content(self):
        self.assertClean(
            "<script>alert('x')</script>\n\n<style>body{}</style>", "script", "alert", "style"
        )

    def test_event_handlers_are_removed(self):
        html = self.assertClean(
            '<img src="a.png" onerror="alert(1)"> <p onclick="x()">p</p>', "onerror", "onclick"
        )
        self.assertIn('<img src="a.png">', html)

    def test_javascript_and_data_urls_are_removed(self):
        self.assertClean(
            "[x](javascript:alert(1)) <a href='JaVaScRiPt:alert(2)'>y</a>", "javascript"
        )
        self.assertClean('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:")

    def test_iframes_forms_and_objects_are_removed(self):
        self.assertClean(
            '<iframe src="https://evil.example"></iframe>'
            '<form action="/x"><input></form><object></object>',
            "iframe",
            "<form",
            "<input",
            "<object",
        )

    def test_attribute_injection_through_attr_list_syntax_stays_text(self):
        html = self.assertClean("# Titre {: onmouseover=alert(1) }", "<h1 onmouseover")
        self.assertIn("<h1", html)

    def test_unknown_classes_and_styles_are_dropped(self):
        self.assertClean('<span class="evil" style="position:fixed">x</span>', "evil", "position")

    def test_links_get_rel_noopener(self):
        self.assertIn('rel="noopener noreferrer"', render_markdown("[x](https://example.org)"))


class PathologicalInputTests(SimpleTestCase):
    """Inputs that would hang or crash Python-Markdown get a clear error instead."""

    def test_bracket_bomb_is_refused_naming_its_paragraph(self):
        with self.assertRaisesMessage(RenderError, "qui commence par « [[[["):
            render_markdown("Intro\n\n" + "[" * 8000)

    def test_many_brackets_inside_code_blocks_are_fine(self):
        html = render_markdown("```\n" + "[" * 3000 + "\n```")
        self.assertIn("[[[", html)

    def test_deep_nesting_is_refused(self):
        with self.assertRaises(RenderError):
            render_markdown("> " * 1000)
        with self.assertRaises(RenderError):
            render_markdown("\n".join("  " * i + "- x" for i in range(400)))

    @override_settings(CARNET_MAX_MARKDOWN_BYTES=1024)
    def test_size_limit(self):
        with self.assertRaisesMessage(RenderError, "la limite est de 1 Ko"):
            render_markdown("a" * 2048)
