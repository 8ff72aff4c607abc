"""The Nu HTML Checker (vnu.jar from npm, run by Java) finds no error on the public pages."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.test import TestCase

from tests.support.browser import ROOT, skip_or_fail
from tests.support.factories import make_author, make_image, make_post

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

BODY = """Un paragraphe avec du **gras**, un [lien](/blog/) et `du code`.

## Étude de marché

| Colonne | Valeur |
| --- | ---: |
| a | 1 |

```python
def bonjour():
    return "salut"
```

- un
- deux

> Une citation[^1].

[^1]: La note.
"""


def vnu_missing_reason() -> str | None:
    if not shutil.which("java"):
        return "Java not found (apt-get install default-jre-headless) for the Nu HTML Checker"
    if not VNU_JAR.exists():
        return "vnu-jar not installed (make test runs npm ci where npm exists)"
    return None


def validate(pages: dict[str, str]) -> list[str]:
    """Errors reported by vnu.jar, as 'page:line: message'."""
    with tempfile.TemporaryDirectory() as folder:
        for name, html in pages.items():
            (Path(folder) / f"{name}.html").write_text(html, encoding="utf-8")
        result = subprocess.run(
            [
                "java",
                "-jar",
                str(VNU_JAR),
                "--errors-only",
                "--format",
                "json",
                *map(str, [Path(folder) / f"{name}.html" for name in pages]),
            ],  # fmt: skip
            capture_output=True,
            text=True,
            timeout=300,
        )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [
        f"{Path(m.get('url', '')).stem}:{m.get('lastLine')}: {m.get('message')}"
        for m in messages
        if m.get("type") == "error"
    ]


class HtmlValidityTests(TestCase):
    def setUp(self):
        reason = vnu_missing_reason()
        if reason:
            skip_or_fail(reason)

    def test_public_pages_are_valid_html(self):
        from django.core.files.storage import default_storage

        when = dt.datetime(2020, 5, 23, 11, tzinfo=dt.UTC)
        inline = default_storage.save("posts/vue.jpg", make_image(size=(1400, 900)))
        make_post(title="Précédent", tags=["freelancing"], pub_date=when - dt.timedelta(days=3))
        make_post(
            title="Le Début d'une Carrière",
            description="Se lancer",
            body=f"{BODY}\n![Une vue](/media/{inline})\n",
            tags=["freelancing", "carrière"],
            featured=True,
            image=make_image(size=(1600, 900)),
            image_alt="Un bureau",
            pub_date=when,
        )
        make_post(title="Suivant", description="", tags=["carrière"],
                  pub_date=when + dt.timedelta(days=3))  # fmt: skip
        for n in range(11):
            make_post(
                title=f"Remplissage {n}", tags=["lot"], pub_date=when + dt.timedelta(days=10 + n)
            )
        urls = {
            "home": "/",
            "list": "/blog/",
            "list-2": "/blog/?page=2",
            "post": "/blog/le-debut-dune-carriere/",
            "tags": "/tags/",
            "tag": "/tags/freelancing/",
            "search": "/search/?q=carriere",
            "search-empty": "/search/?q=",
            "search-none": "/search/?q=zzzz",
            "archive-year": "/archive/2020/",
            "archive-month": "/archive/2020/05/",
            "not-found": "/nulle-part/",
        }
        pages = {}
        for name, url in urls.items():
            response = self.client.get(url)
            self.assertIn(response.status_code, (200, 404), url)
            pages[name] = response.content.decode()
        self.assertEqual(validate(pages), [])

    def test_pages_of_a_two_author_site_are_valid_html(self):
        """Bylines, author boxes (with portrait and links) and author pages."""
        zoe = make_author("Zoé Martin", bio="Développeuse.", github="https://github.com/zoe",
                          portrait=make_image(), portrait_alt="Zoé à son bureau")  # fmt: skip
        marc = make_author("Marc Lefèvre", email="marc@example.org")
        make_post(title="Ensemble", tags=["web"]).set_authors([zoe, marc])
        make_post(title="Seul", tags=["web"]).set_authors([marc])
        urls = {"post": "/blog/ensemble/", "list": "/blog/", "author": "/auteurs/zoe-martin/",
                "tag": "/tags/web/", "authors": "/auteurs/"}  # fmt: skip
        pages = {name: self.client.get(url).content.decode() for name, url in urls.items()}
        self.assertIn('class="byline"', pages["post"])
        self.assertEqual(validate(pages), [])

    def test_the_checker_does_find_errors(self):
        """The check can fail: a broken page is reported."""
        errors = validate(
            {"broken": "<!DOCTYPE html><html lang=fr><title>x</title><p><div></span>"}
        )
        self.assertTrue(errors)
