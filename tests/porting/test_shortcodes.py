"""Liquid, Hugo and Hexo shortcodes: converted at import outside code, kept for export."""

from django.conf import settings
from django.test import SimpleTestCase, TestCase

from blog.models import Post
from blog.porting.shortcodes import convert
from tests.support.cases import TemporaryFolders
from tests.support.importing import Run, export, media_files, png, write

FENCE = "```"


class ConversionTests(SimpleTestCase):
    """Each common shortcode becomes its Markdown/HTML; inside code it is left as written."""

    CASES = {
        "{% highlight csharp linenos %}\nvar x = 1;\n{% endhighlight %}": (
            f"{FENCE}csharp\nvar x = 1;\n{FENCE}"
        ),
        "{% codeblock Title lang:js %}\na();\n{% endcodeblock %}": f"{FENCE}js\na();\n{FENCE}",
        '{{< highlight go "linenos=table" >}}\nfunc f() {}\n{{< /highlight >}}': (
            f"{FENCE}go\nfunc f() {{}}\n{FENCE}"
        ),
        "{% raw %}{{ site.url }} {% if %}{% endraw %}": "{{ site.url }} {% if %}",
        "[a]({{ site.url }}{{ site.baseurl }}/a/) [b]({{site.url}}/b/)": "[a](/a/) [b](/b/)",
        "![x]({{ '/img/x.png' | relative_url }})": "![x](/img/x.png)",
        '{% include image.html url="/img/a.png" description="A cat" %}': (
            '<figure><img src="/img/a.png" alt="A cat"><figcaption>A cat</figcaption></figure>'
        ),
        '{{< figure src="/img/a.png" alt="A cat" caption="Our <cat>" >}}': (
            '<figure><img src="/img/a.png" alt="A cat">'
            "<figcaption>Our &lt;cat&gt;</figcaption></figure>"
        ),
        '{{% img src="/img/a.png" alt="A cat" %}}': (
            '<figure><img src="/img/a.png" alt="A cat"></figure>'
        ),
        "{{< youtube dQw4w9WgXcQ >}}": (
            "[YouTube: dQw4w9WgXcQ](https://www.youtube.com/watch?v=dQw4w9WgXcQ)"
        ),
        "{{< gist spf13 7896402 >}}": "[Gist: spf13/7896402](https://gist.github.com/spf13/7896402)",
        "{% post ben/a-post-1oad %}": "[dev.to: ben/a-post-1oad](https://dev.to/ben/a-post-1oad)",
        "{% github forem/forem no-readme %}": "[GitHub: forem/forem](https://github.com/forem/forem)",
        "{% tweet 1234567890 %}": "[Tweet: 1234567890](https://twitter.com/i/status/1234567890)",
        '{{< tweet user="SanDiegoZoo" id="1453110110599868418" >}}': (
            "[Tweet: @SanDiegoZoo/1453110110599868418]"
            "(https://twitter.com/SanDiegoZoo/status/1453110110599868418)"
        ),
        "{{< tweet 877500564405444608 >}}": (
            "[Tweet: 877500564405444608](https://twitter.com/i/status/877500564405444608)"
        ),
        "{% youtube dQw4w9WgXcQ %}": (
            "[YouTube: dQw4w9WgXcQ](https://www.youtube.com/watch?v=dQw4w9WgXcQ)"
        ),
        "{% youtube PLmPcrtAHxkRg playlist %}": (
            "[YouTube: PLmPcrtAHxkRg](https://www.youtube.com/playlist?list=PLmPcrtAHxkRg)"
        ),
        "{% vimeo 146022717 %}": "[Vimeo: 146022717](https://vimeo.com/146022717)",
        '{{< vimeo id="146022717" >}}': "[Vimeo: 146022717](https://vimeo.com/146022717)",
        "{% blockquote David Levithan, Wide Awake %}\nDo not just *read*.\n\nLive.\n"
        "{% endblockquote %}": (
            "> Do not just *read*.\n>\n> Live.\n>\n> — David Levithan, Wide Awake"
        ),
        "{% blockquote Seth Godin http://sethgodin.typepad.com/a.html Welcome to [Island] %}\n"
        "Every interaction.\n{% endblockquote %}": (
            "> Every interaction.\n>\n"
            "> — Seth Godin, [Welcome to \\[Island\\]](<http://sethgodin.typepad.com/a.html>)"
        ),
        "{% quote %}\nNo author.\n{% endquote %}": "> No author.",
    }

    def test_each_shortcode_outside_code_is_converted(self):
        for shortcode, expected in self.CASES.items():
            with self.subTest(shortcode=shortcode):
                result = convert(f"Before\n\n{shortcode}\n\nAfter\n")
                assert result.body == f"Before\n\n{expected}\n\nAfter\n", result.body
                assert result.left == []

    def test_inside_code_each_shortcode_is_left_as_written(self):
        for shortcode in self.CASES:
            for body in (
                f"{FENCE}\n{shortcode}\n{FENCE}\n",
                f"~~~liquid\n{shortcode}\n~~~\n",
                "Text\n\n" + "".join(f"    {line}\n" for line in shortcode.splitlines()),
            ):
                with self.subTest(body=body):
                    result = convert(body)
                    assert result.body == body
                    assert (result.converted, result.left) == (0, [])
        one_line = "Use `{{< youtube dQw4w9WgXcQ >}}` or ``{% raw %}``.\n"
        assert convert(one_line).body == one_line

    def test_an_unknown_shortcode_is_kept_and_listed_with_its_line(self):
        result = convert("Intro\n\n{% jsfiddle ccWP7 %} and {{< instagram BWNjjyYFxVx >}}\n")
        assert result.body == "Intro\n\n{% jsfiddle ccWP7 %} and {{< instagram BWNjjyYFxVx >}}\n"
        assert result.left == [(3, "{% jsfiddle ccWP7 %}"), (3, "{{< instagram BWNjjyYFxVx >}}")]

    def test_a_stray_brace_in_prose_does_not_swallow_a_later_shortcode(self):
        result = convert("Set {{ in prose\n\n{{< youtube dQw4w9WgXcQ >}}\n{% highlight c %}\n")
        assert result.body.startswith("Set {{ in prose\n\n[YouTube: dQw4w9WgXcQ](")
        assert result.left == [(4, "{% highlight c %}")]  # a block never closed: as written

    def test_hexo_post_assets_become_images_and_links_to_the_files_resolved(self):
        """asset_img, asset_link, asset_path name a file of the post's asset folder."""
        urls = {"cat.png": "/media/posts/c.png", "my cat.png": "/media/posts/m.png"}

        def resolve(kind, target):
            return urls.get(target) if kind == "asset" else None

        body = (
            "{% asset_img cat.png A sleeping cat %}\n"
            '{% asset_img left "my cat.png" 300 200 "The title" "The [alt]" %}\n'
            "{% asset_link cat.png Full size %} {% asset_link cat.png %}\n"
            '<img src="{% asset_path cat.png %}">\n'
            "{% asset_img gone.png Lost %}\n"
        )
        result = convert(body, resolve)
        assert result.body == (
            '![A sleeping cat](/media/posts/c.png "A sleeping cat")\n'
            '![The \\[alt\\]](/media/posts/m.png "The title")\n'
            "[Full size](/media/posts/c.png) [cat.png](/media/posts/c.png)\n"
            '<img src="/media/posts/c.png">\n'
            "{% asset_img gone.png Lost %}\n"
        ), result.body
        assert (result.converted, result.left) == (5, [(5, "{% asset_img gone.png Lost %}")])

    def test_shortcodes_inside_a_blockquote_are_converted_too(self):
        result = convert(
            "Intro\n{% blockquote %}\nSee {% vimeo 146022717 %}\n{% jsfiddle x %}\n"
            "{% endblockquote %} after\n"
        )
        assert result.body == (
            "Intro\n\n> See [Vimeo: 146022717](https://vimeo.com/146022717)\n"
            "> {% jsfiddle x %}\n\n after\n"
        ), result.body
        assert (result.converted, result.left) == (2, [(4, "{% jsfiddle x %}")])

    def test_a_figure_on_its_own_line_leaves_the_next_line_markdown(self):
        result = convert('{{< figure src="a.png" >}}\n*Next*\n')
        assert result.body == '<figure><img src="a.png" alt=""></figure>\n\n*Next*\n'


class ImportTests(TemporaryFolders, TestCase):
    """The importer converts shortcodes, links posts to their new address, counts them."""

    def site(self) -> None:
        write(self.tmp_path, "site/_config.yml", "title: x\n")
        write(self.tmp_path, "site/assets/cat.png", png())
        write(
            self.tmp_path,
            "site/_posts/2016-01-01-first.md",
            "---\ntitle: First one\n---\nHello.\n",
        )
        write(
            self.tmp_path,
            "site/_posts/2016-02-01-second.md",
            "---\ntitle: Second\n---\n"
            "See [the first]({% post_url 2016-01-01-first %}) and "
            "[gone]({% post_url 2015-gone %}).\n"
            "\n"
            '{% include image.html url="/assets/cat.png" description="A cat" %}\n'
            "\n"
            "{% highlight python %}\nprint({{ x }})\n{% endhighlight %}\n"
            "\n"
            "`{% post_url 2016-01-01-first %}` stays.\n",
        )

    def test_shortcodes_become_markdown_and_html_in_the_post(self):
        self.site()
        run = Run(self.tmp_path / "site")
        assert run.error is None, run.stderr
        post = Post.objects.get(title="Second")
        first = Post.objects.get(title="First one")
        [image] = media_files()
        assert f"[the first]({first.get_absolute_url()})" in post.body
        assert "[gone]({% post_url 2015-gone %})" in post.body
        assert f'<figure><img src="{settings.MEDIA_URL}{image}" alt="A cat">' in post.body
        assert "```python\nprint({{ x }})\n```" in post.body
        assert "`{% post_url 2016-01-01-first %}` stays." in post.body
        html = self.client.get(post.get_absolute_url()).content.decode()
        assert f'<a href="{first.get_absolute_url()}" rel="noopener noreferrer">the first' in html
        assert "<figcaption>A cat</figcaption>" in html
        assert "site/_posts/2016-02-01-second.md: line 4: 1 Hugo shortcode/Liquid tag(s) such " \
            "as '{% post_url 2015-gone %}' kept as text" in run.stderr  # fmt: skip

    def test_the_summary_counts_shortcodes_converted_and_left(self):
        self.site()
        run = Run(self.tmp_path / "site")
        assert run.summary.startswith("2 created, 0 updated, 0 unchanged, 0 skipped, 0 failed")
        assert run.summary.endswith(", 3 shortcodes converted, 1 left as text"), run.summary

    def test_a_hugo_ref_leads_to_the_post_it_names(self):
        write(
            self.tmp_path, "content/posts/alpha.md", "---\ntitle: Alpha\ndate: 2020-01-01\n---\nA\n"
        )
        write(
            self.tmp_path,
            "content/posts/beta.md",
            '---\ntitle: Beta\ndate: 2020-01-02\n---\n[A]({{< ref "alpha.md#part" >}}) '
            '[B]({{< relref "posts/alpha" >}})\n',
        )
        Run(self.tmp_path)
        url = Post.objects.get(title="Alpha").get_absolute_url()
        assert Post.objects.get(title="Beta").body == f"[A]({url}#part) [B]({url})\n"

    def test_a_link_to_a_post_imported_later_is_resolved_at_the_end(self):
        write(self.tmp_path, "site/_config.yml", "title: x\n")
        write(self.tmp_path, "site/assets/cat.png", png())
        write(
            self.tmp_path,
            "site/_posts/2016-01-01-early.md",
            "---\ntitle: Early\n---\n[next]({% post_url 2016-03-01-late %}) ![c](/assets/cat.png)"
            "\n",
        )
        write(self.tmp_path, "site/_posts/2016-03-01-late.md", "---\ntitle: Late\n---\nL\n")
        run = Run(self.tmp_path / "site")
        assert run.error is None, run.stderr
        assert "warning" not in run.stderr
        assert run.summary.endswith(", 1 shortcodes converted, 0 left as text"), run.summary
        late = Post.objects.get(title="Late").get_absolute_url()
        [image] = media_files()
        early = Post.objects.get(title="Early")
        assert early.body == f"[next]({late}) ![c]({settings.MEDIA_URL}{image})\n"
        assert f'href="{late}"' in early.body_html
        again = Run(self.tmp_path / "site")
        assert again.summary.startswith("0 created, 0 updated, 2 unchanged"), again.summary
        export(self.tmp_path / "out")
        exported = (self.tmp_path / "out/_posts/2016-01-01-early.md").read_text()
        assert exported.endswith(
            "---\n[next]({% post_url 2016-03-01-late %}) ![c](/assets/cat.png)\n"
        )

    def test_export_writes_the_shortcodes_back_as_they_were(self):
        self.site()
        Run(self.tmp_path / "site")
        export(self.tmp_path / "out")
        original = (self.tmp_path / "site/_posts/2016-02-01-second.md").read_text()
        exported = (self.tmp_path / "out/_posts/2016-02-01-second.md").read_text()
        assert exported.split("---\n", 2)[2] == original.split("---\n", 2)[2]
        assert (self.tmp_path / "out/assets/cat.png").is_file()

    def test_an_edited_post_exports_its_own_body(self):
        self.site()
        Run(self.tmp_path / "site")
        Post.objects.filter(title="Second").update(body="Edited.\n")
        export(self.tmp_path / "out")
        exported = (self.tmp_path / "out/_posts/2016-02-01-second.md").read_text()
        assert exported.endswith("---\nEdited.\n")

    def test_hexo_post_assets_are_copied_and_linked(self):
        """Hexo's post_asset_folder: the post's images sit in the folder named as its file."""
        write(self.tmp_path, "blog/_config.yml", "post_asset_folder: true\n")
        write(self.tmp_path, "blog/source/_posts/hello-world/cat.png", png())
        write(self.tmp_path, "blog/source/_posts/hello-world/my dog.png", png((1, 2, 3)))
        write(
            self.tmp_path,
            "blog/source/_posts/hello-world.md",
            "---\ntitle: Hello\ndate: 2020-01-01\n---\n"
            "{% asset_img cat.png A cat %}\n\n"
            '{% asset_img "my dog.png" "Rex" "A dog" %}\n\n'
            "[Full size]({% asset_path cat.png %}) {% asset_link cat.png Cat %}\n\n"
            "{% asset_img gone.png Lost %}\n\n"
            "{% tweet 1234567890 %}\n\n"
            "    {% asset_img cat.png in code %}\n",
        )
        run = Run(self.tmp_path / "blog")
        assert run.error is None, run.stderr
        post = Post.objects.get()
        refs = post.source_images["refs"]
        assert sorted(refs.values()) == media_files()
        cat = f"{settings.MEDIA_URL}{refs['hello-world/cat.png']}"
        dog = f"{settings.MEDIA_URL}{refs['hello-world/my%20dog.png']}"
        assert post.body == (
            f'![A cat]({cat} "A cat")\n\n![A dog]({dog} "Rex")\n\n'
            f"[Full size]({cat}) [Cat]({cat})\n\n"
            "{% asset_img gone.png Lost %}\n\n"
            "[Tweet: 1234567890](https://twitter.com/i/status/1234567890)\n\n"
            "    {% asset_img cat.png in code %}\n"
        ), post.body
        assert f'<img alt="A cat" src="{cat}" title="A cat"' in post.body_html
        assert "0 failed, 2 images copied" in run.summary
        assert run.summary.endswith(
            "2 warnings, 0 conflicts, 5 shortcodes converted, 1 left as text"
        ), run.summary
        assert "asset 'gone.png': 'hello-world/gone.png' not found" in run.stderr
        export(self.tmp_path / "out")
        exported = next((self.tmp_path / "out").rglob("hello-world.md")).read_text()
        original = (self.tmp_path / "blog/source/_posts/hello-world.md").read_text()
        assert exported.split("---\n", 2)[2] == original.split("---\n", 2)[2]

    def test_a_link_to_a_post_whose_import_failed_stays_as_text(self):
        """A file that rolled back leaves no address behind: later links do not lead to it."""
        write(self.tmp_path, "site/_config.yml", "title: x\n")
        write(
            self.tmp_path,
            "site/_posts/2016-01-01-broken.md",
            "---\ntitle: Broken\n---\n" + "> " * 101 + "too deep\n",
        )
        write(
            self.tmp_path,
            "site/_posts/2016-02-01-next.md",
            "---\ntitle: Next\n---\n[before]({% post_url 2016-01-01-broken %})\n",
        )
        run = Run(self.tmp_path / "site")
        assert "2016-01-01-broken.md: Le texte imbrique" in run.stderr, run.stderr
        assert Post.objects.get().body == "[before]({% post_url 2016-01-01-broken %})\n"
        assert run.summary.endswith(", 0 shortcodes converted, 1 left as text"), run.summary
        assert "1 Hugo shortcode/Liquid tag(s) such as '{% post_url 2016-01-01-broken" \
            in run.stderr  # fmt: skip
