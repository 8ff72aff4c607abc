"""What the posts' and the pages' exports share: the report, a file's text (front matter +
body), the images a body names placed beside it, and the one check of a stored source path.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import tomli_w
import yaml
from django.conf import settings
from django.core.files.storage import default_storage

from blog.porting import frontmatter
from blog.porting.exporting.files import LinkRefused, write_inside
from blog.text import normalize_language


@dataclass
class ExportReport:
    posts: int = 0
    images: int = 0
    pages: int = 0  # imported pages and the landing page (exporting/pages.py)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # files not written (exporting/files.py)

    def summary(self) -> str:
        return (
            (
                f"{self.posts} posts exported, {self.images} images written, "
                f"{len(self.warnings)} warnings"
            )
            + (f", {self.pages} pages exported" if self.pages else "")
            + (f", {len(self.errors)} files not written" if self.errors else "")
        )

    def write(self, outdir: Path, relative: str | PurePosixPath, data: bytes) -> bool:
        """Write a file inside ``outdir`` (never through a link); False if refused."""
        try:
            write_inside(outdir, relative, data)
        except LinkRefused as exc:
            self.errors.append(str(exc))
            return False
        return True


class Dumper(yaml.SafeDumper):
    """YAML as a Netlify CMS writes it: dates as ``2020-05-23T11:37:58.440Z``, text unescaped."""


def _represent_datetime(dumper: yaml.SafeDumper, value: dt.datetime) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", format_datetime(value))


Dumper.add_representer(dt.datetime, _represent_datetime)


def format_datetime(value: dt.datetime) -> str:
    spec = "milliseconds" if value.microsecond % 1000 == 0 else "microseconds"
    if value.microsecond == 0:
        spec = "seconds"
    text = value.isoformat(timespec=spec)
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class WrittenTimestamp(str):
    """A YAML timestamp in its original spelling (``2020-01-15 10:00:00``, not ``…T10:00:00``)."""


Dumper.add_representer(
    WrittenTimestamp,
    lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:timestamp", str(value)),
)


def render_file(meta: dict, body: str, fmt: str) -> str:
    if fmt == "toml":
        clean = {key: value for key, value in meta.items() if value is not None}
        return f"+++\n{tomli_w.dumps(clean)}+++\n{body}"
    if fmt == "json":
        return json.dumps(meta, indent=2, ensure_ascii=False, default=str) + "\n" + body
    text = yaml.dump(meta, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{text}---\n{body}"


def original_meta(front_matter: str, fmt: str, fallback: dict) -> dict:
    """The front matter as it was written (key order, value types), else its JSON copy."""
    if front_matter:
        try:
            return frontmatter.load_front_matter(front_matter, fmt)
        except (frontmatter.SourceError, ValueError):
            pass
    return json.loads(json.dumps(fallback or {}))


def safe_relative(relative: str | None) -> bool:
    """A stored source path export may write to: relative, never climbing out of OUTDIR."""
    if not relative:
        return False
    path = PurePosixPath(relative)
    return not path.is_absolute() and ".." not in path.parts


def placer(outdir: Path, static: str, target: Path, relative: str, written: dict[Path, str],
           report: ExportReport):  # fmt: skip
    """``place(ref, name)``: write a stored image where ``ref`` expects it; the ref to write."""

    def place(ref: str, name: str) -> str:
        if ref.startswith("/"):
            dest = Path(os.path.normpath(outdir / static / unquote(ref).lstrip("/")))
        else:
            dest = Path(os.path.normpath(target.parent / unquote(ref)))
        # Lexical: a link on the way is refused by report.write, not silently avoided.
        if not dest.is_relative_to(outdir) or written.get(dest, name) != name:
            ref = f"/img/{PurePosixPath(name).name}"
            dest = Path(os.path.normpath(outdir / static / "img" / PurePosixPath(name).name))
        if dest not in written:
            try:
                with default_storage.open(name, "rb") as source:
                    data = source.read()
            except OSError:
                report.warnings.append(f"{relative}: image {name} is missing from media storage")
                return ref
            if report.write(outdir, dest.relative_to(outdir).as_posix(), data):
                written[dest] = name
                report.images += 1
        return ref

    return place


def export_body(body: str, refs: dict[str, str], place) -> str:
    """Media URLs back to the references they were imported from (or /img/<name>)."""
    for ref, name in refs.items():
        url = default_storage.url(name)
        if url in body:
            body = body.replace(url, place(ref, name))
    media = re.escape(settings.MEDIA_URL)
    return re.sub(
        rf"{media}([^\s)\"'<>]+)",
        lambda m: (
            place(f"/img/{PurePosixPath(m.group(1)).name}", m.group(1))
            if default_storage.exists(m.group(1))
            else m.group(0)
        ),
        body,
    )


def set_language(meta: dict, language: str) -> None:
    """The post's or page's language under the key the file had (``lang`` when none), the
    value as written when it still means the same (``en_US`` for ``en-us``)."""
    key, original = frontmatter.lookup(meta, frontmatter.LANGUAGE_KEYS)
    if (normalize_language(original) or "") == language:
        return  # unchanged (a value the importer refused stays as written too)
    if language:
        meta[key or "lang"] = language
    elif key:
        del meta[key]  # emptied in the admin: the site's language
