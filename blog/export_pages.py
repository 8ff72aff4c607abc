"""Imported pages and the landing page's fields -> the Markdown files they came from.

A page goes back to its source path with its front matter as written (key order, blurbs,
pricing plans, testimonials), its title, description and body as they are now, and the
images its extras name beside it in the static folder. Never prints.
"""

from __future__ import annotations

from pathlib import Path

from django.core.files.storage import default_storage

from blog import frontmatter
from blog.site_models import Page, SiteIdentity

# identity field -> the index-page key it came from
IDENTITY_KEYS = {
    "site_name": "title",
    "home_heading": "heading",
    "tagline": "subheading",
    "introduction": "description",
}


def _meta(front_matter: str, fmt: str, fallback: dict) -> dict:
    if front_matter:
        try:
            return frontmatter.load_front_matter(front_matter, fmt or "yaml")
        except (frontmatter.SourceError, ValueError):
            pass
    return dict(fallback)


def _safe(relative: str | None) -> bool:
    return bool(relative) and not relative.startswith("/") and ".." not in Path(relative).parts


def export_pages(outdir: Path, report) -> None:
    """Write imported pages and the identity's index-page; counts go to ``report``."""
    from blog.exporting import render_file

    for page in Page.objects.exclude(source_path=None).order_by("pk"):
        if not _safe(page.source_path):
            report.warnings.append(f"page /{page.slug}/: unsafe source path; not exported")
            continue
        meta = _meta(page.source_front_matter, page.source_format, page.extras.get("meta", {}))
        meta["title"] = page.title
        if page.description or "description" in meta:
            meta["description"] = page.description
        target = outdir / page.source_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_file(meta, page.body, page.source_format or "yaml"), "utf-8")
        report.pages += 1
        for ref, name in (page.extras.get("refs") or {}).items():
            dest = outdir / "static" / ref.lstrip("/")
            if not ref.startswith("/") or dest.exists():
                continue
            try:
                with default_storage.open(name, "rb") as source:
                    data = source.read()
            except OSError:
                report.warnings.append(f"{page.source_path}: image {name} is missing from media")
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
            report.images += 1
    identity = SiteIdentity.objects.filter(pk=1).exclude(source_path="").first()
    if identity is not None and _safe(identity.source_path):
        meta = _meta(identity.source_front_matter, "yaml", identity.source_meta)
        for name, key in IDENTITY_KEYS.items():
            if getattr(identity, name):
                meta[key] = getattr(identity, name)
        target = outdir / identity.source_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_file(meta, "", "yaml"), "utf-8")
        report.pages += 1
