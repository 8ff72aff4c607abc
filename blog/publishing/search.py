"""The static site's search: a Pagefind index of the built post pages.

Pagefind (pagefind-bin on PyPI: the binary comes inside the wheel, so no Node at build time
and the admin's button works on a server without it) reads the staged HTML and writes
``pagefind/``: the index, its WebAssembly and its UI (JS and CSS, served from the site:
no CDN). Only post pages are indexed (the live search finds posts only), before the old
addresses' stubs are written.

Pagefind cannot update an index (every chunk shifts when a word is added; its issue #71 is
still open in 1.5), so an incremental build either runs it over every post page or, when no
post page changed a byte (``index_key``), keeps the previous index as it is.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

import pagefind_bin
from django.urls import reverse

FOLDER = "pagefind"


class SearchIndexError(RuntimeError):
    pass


def post_pages_glob() -> str:
    """Where post pages are ("blog/*/index.html"), from the URL conf."""
    return (
        reverse("blog:post-detail", args=["SLUG"]).strip("/").replace("SLUG", "*") + "/index.html"
    )


@cache
def _indexed_pattern(glob: str) -> re.Pattern:
    return re.compile("/".join(re.escape(part).replace(r"\*", "[^/]*") for part in glob.split("/")))


def is_indexed(relative: str, glob: str = "") -> bool:
    """Whether Pagefind indexes the file ``relative`` (a post page); ``glob``: the
    post_pages_glob() of the build, when it asks for thousands of files."""
    return _indexed_pattern(glob or post_pages_glob()).fullmatch(relative) is not None


def index_key(language: str, pages: dict[str, str]) -> str:
    """What the index is made of: the indexed pages' {file: digest}, language, Pagefind's
    version; "" when there is no page to index."""
    if not pages:
        return ""
    try:
        version = metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        version = ""
    parts = [version, post_pages_glob(), language.split("-")[0], sorted(pages.items())]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def build_index(site: Path, language: str) -> None:
    """Index the post pages under ``site``; a site with no post yet has no index to build
    (Pagefind refuses an empty site; the search page then finds nothing)."""
    if next(site.glob(post_pages_glob()), None) is None:
        return
    try:
        executable = pagefind_bin.get_executable()
    except FileNotFoundError as exc:
        raise SearchIndexError(
            f"Pagefind's binary is missing ({exc}): pip install pagefind-bin"
        ) from None
    result = subprocess.run(
        [
            str(executable),
            "--site",
            str(site),
            "--output-subdir",
            FOLDER,
            "--glob",
            post_pages_glob(),
            "--force-language",
            language.split("-")[0],
            "--silent",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexError(
            "Pagefind failed: " + (detail[-1] if detail else f"exit status {result.returncode}")
        )
