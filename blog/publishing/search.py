"""The static site's search: a Pagefind index of the built post pages.

Pagefind (pagefind-bin on PyPI: the binary comes inside the wheel, so no Node at build time
and the admin's button works on a server without it) reads the staged HTML and writes
``pagefind/``: the index, its WebAssembly and its UI (JS and CSS, served from the site:
no CDN). Only post pages are indexed (the live search finds posts only), before the old
addresses' stubs are written.
"""

from __future__ import annotations

import subprocess
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
