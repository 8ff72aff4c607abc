"""Pages and the landing page's fields -> Markdown files a re-import brings back.

An imported page goes back to its source path with its front matter as written (key order,
blurbs, pricing plans, testimonials), its title, description and body as they are now, and
its images (the extras' and the body's) beside it in the static folder. A page made in the
admin gets the Gatsby shape: ``src/pages/<slug>/index.md``, templateKey about-page. The
flags (draft, navigation, order, author card) are written when a re-import would not give
them back by itself. Never prints.
"""

from __future__ import annotations

from pathlib import Path

from blog.models import Page, Post, SiteIdentity
from blog.porting import gatsby
from blog.porting.exporting.common import (
    ExportReport,
    export_body,
    original_meta,
    placer,
    render_file,
    safe_relative,
    set_language,
)


def export_pages(outdir: Path, report: ExportReport, *, taken: set[str] | None = None,
                 written: dict[Path, str] | None = None) -> None:  # fmt: skip
    """Write every page (but a fresh install's untouched draft) and the identity's
    index-page; counts go to ``report``. ``taken``/``written``: the posts' export's."""
    taken = set(taken or ()) | set(
        Page.objects.exclude(source_path=None).values_list("source_path", flat=True)
    )
    taken |= set(Post.objects.exclude(source_path=None).values_list("source_path", flat=True))
    written = {} if written is None else written
    for page in Page.objects.order_by("pk"):
        if page.source_path is None:
            if gatsby.is_placeholder(page):
                continue
            relative = f"src/pages/{page.slug}/index.md"
            if relative in taken:
                relative = f"src/pages/{page.slug}-{page.pk}/index.md"
            taken.add(relative)
        elif safe_relative(page.source_path):
            relative = page.source_path
        else:
            report.warnings.append(f"page /{page.slug}/: unsafe source path; not exported")
            continue
        _export_page(page, relative, outdir, report, written)
    identity = SiteIdentity.objects.filter(pk=1).exclude(source_path="").first()
    if identity is not None and safe_relative(identity.source_path):
        meta = original_meta(identity.source_front_matter, "yaml", identity.source_meta)
        for name, key in gatsby.IDENTITY_KEYS.items():
            if getattr(identity, name):
                meta[key] = getattr(identity, name)
        if report.write(outdir, identity.source_path, render_file(meta, "", "yaml").encode()):
            report.pages += 1


def _export_page(page: Page, relative: str, outdir: Path, report: ExportReport,
                 written: dict) -> None:  # fmt: skip
    extras = page.extras or {}
    if page.source_path is None:
        meta: dict = {"templateKey": "about-page", "path": f"/{page.slug}"}
    else:
        meta = original_meta(
            page.source_front_matter, page.source_format or "yaml", extras.get("meta", {})
        )
        if gatsby.page_slug(meta, relative) != page.slug:
            meta["path"] = f"/{page.slug}"  # changed in the admin
    meta["title"] = page.title
    if page.description or "description" in meta:
        meta["description"] = page.description
    _set_flags(meta, page, extras.get("template") if page.source_path else "about-page")
    set_language(meta, page.language)
    target = outdir / relative
    place = placer(outdir, extras.get("static_dir") or "static", target, relative, written, report)
    refs: dict[str, str] = extras.get("refs") or {}
    body = export_body(page.body, refs, place)
    for ref, name in refs.items():  # the extras' images (the body's are placed already)
        place(ref, name)
    text = render_file(meta, body, page.source_format or "yaml")
    if report.write(outdir, relative, text.encode()):
        report.pages += 1


def _set_flags(meta: dict, page: Page, key: str | None) -> None:
    """Each flag a re-import would not give back by itself (or the file had already)."""
    expected = gatsby.defaults(key)
    for meta_key, name, _kind in gatsby.FLAG_KEYS:
        value = getattr(page, name)
        if meta_key in meta or value != expected[name] or page.source_path is None:
            meta[meta_key] = not value if meta_key == "draft" else value
