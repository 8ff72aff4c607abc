"""The static site's search: a Pagefind index of the built post pages.

Pagefind (pagefind-bin on PyPI: the binary comes inside the wheel, so no Node at build time
and the admin's button works on a server without it) reads the staged HTML and writes
``pagefind/``: the index, its WebAssembly and its UI (JS and CSS, served from the site:
no CDN). Only post pages are indexed (the live search finds posts only), before the old
addresses' stubs are written.

Pagefind cannot update an index (every chunk shifts when a word is added; its issue #71 is
still open in 1.5), so an incremental build either runs it over every post page or, when no
post page changed a byte (``index_key``), keeps the previous index as it is.

Pagefind holds every page while it indexes (~900 MB at 5,000 post pages), so beyond
``batch_size()`` pages the posts are split into a power-of-two number of buckets (a page's
bucket: a hash of its file's path, so it stays in its bucket while the count does not
change), each indexed by its own Pagefind run into its own bundle (``pagefind/``,
``pagefind-1/``…), merged in the browser by the search page (``BUNDLES``). An incremental
build runs Pagefind again only over the buckets whose pages changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

import pagefind_bin
from django.conf import settings
from django.urls import reverse

FOLDER = "pagefind"
# The other bundles' addresses, read by static-search.js (written only when there are some).
BUNDLES = "pagefind-bundles.json"
# Post pages per Pagefind run: ~100 MB of Pagefind's memory at most (184 MB for 1,000 pages,
# 898 MB for 5,000 in one run), so that a build stays under 300 MB with its own ~150 MB.
BATCH = 500


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


def batch_size() -> int:
    return max(1, int(getattr(settings, "CARNET_STATIC_SEARCH_BATCH", BATCH)))


def bundle_folder(bucket: int) -> str:
    return FOLDER if bucket == 0 else f"{FOLDER}-{bucket}"


def _hash(relative: str) -> int:
    return int.from_bytes(hashlib.sha256(relative.encode()).digest()[:8], "big")


def buckets(pages: dict[str, str]) -> dict[str, dict[str, str]]:
    """The indexed pages ({file: digest}) split into bundles: {folder: pages}, empty
    buckets left out; one bundle (``pagefind/``) up to batch_size() pages. Bucket 0 is
    never empty (its bundle holds the UI the search page loads): the count is halved
    until it holds a page."""
    batch = batch_size()
    count = 1
    while count * batch < len(pages):
        count *= 2
    while count > 1 and not any(_hash(name) % count == 0 for name in pages):
        count //= 2
    split: dict[str, dict[str, str]] = {}
    for name in sorted(pages):
        split.setdefault(bundle_folder(_hash(name) % count), {})[name] = pages[name]
    return split


def bundles_json(folders) -> bytes:
    """The other bundles' addresses for PagefindUI's mergeIndex."""
    return json.dumps(
        [f"/{folder}/" for folder in sorted(folders, key=_bundle_number) if folder != FOLDER]
    ).encode()


def _bundle_number(folder: str) -> int:
    return 0 if folder == FOLDER else int(folder.rsplit("-", 1)[1])


def build_bundle(root: Path, folder: str, pages, language: str) -> None:
    """Index only ``pages`` (files under ``root``) into ``root/folder``: Pagefind reads a
    folder beside them mirroring the site's paths with hard links (the addresses in the
    index stay the site's), removed after."""
    mirror = root / f".{folder}-pages"
    try:
        for relative in pages:
            target = mirror / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(root / relative, target)
            except OSError:
                shutil.copyfile(root / relative, target)
        build_index(mirror, language, output=root / folder)
    finally:
        shutil.rmtree(mirror, ignore_errors=True)


def build_index(site: Path, language: str, output: Path | None = None) -> None:
    """Index the post pages under ``site`` (into ``site/pagefind``, or ``output``); a site
    with no post yet has no index to build (Pagefind refuses an empty site; the search page
    then finds nothing)."""
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
            *(["--output-path", str(output)] if output else ["--output-subdir", FOLDER]),
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
