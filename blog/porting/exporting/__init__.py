"""The site -> Markdown files with front matter, the importer's field maps reversed. Never prints.

Posts (``posts``), then, for the whole site, its pages and landing page (``pages``); what both
share (report, file text, images, safe paths) is in ``common``, writing inside OUTDIR in
``files``. Importing the result into an empty database gives the same posts, fields, tags,
images (by content), redirects, pages and identity.
"""

from __future__ import annotations

import os
from pathlib import Path

from blog.models import AUTHOR_LINKS, Post, site_author
from blog.porting.exporting.common import ExportReport
from blog.porting.exporting.pages import export_pages
from blog.porting.exporting.posts import export_post

__all__ = ["ExportReport", "export_posts"]


def export_posts(outdir: Path, posts=None) -> ExportReport:
    report = ExportReport()
    outdir = Path(os.path.abspath(outdir))  # normalized: files are placed by lexical paths
    outdir.mkdir(parents=True, exist_ok=True)
    whole_site = posts is None
    posts = posts if posts is not None else Post.objects.all()
    taken: set[str] = set(
        Post.objects.exclude(source_path=None).values_list("source_path", flat=True)
    )
    written: dict[Path, str] = {}
    queryset = posts.order_by("pk").prefetch_related("tags", "redirects", AUTHOR_LINKS)
    default = site_author(create=False)
    for post in queryset.iterator(chunk_size=200):
        export_post(post, outdir, taken=taken, written=written, report=report, default=default)
    if whole_site:  # its pages and landing page too
        export_pages(outdir, report, taken=taken, written=written)
    return report
