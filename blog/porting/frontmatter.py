"""Reading a Markdown file's front matter safely, and mapping its keys to Post fields.

python-frontmatter is lenient in ways that lose data silently (a BOM, an unterminated
``---``, a list or a scalar as front matter, TOML without a TOML parser all come back as
empty metadata), so the split and the loading are done here with its boundaries and the
same loaders, and every one of those cases becomes a clear ``SourceError``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml
from django.utils import timezone
from django.utils.html import strip_tags

from blog import local_time
from blog.rendering import RenderError, render_markdown
from blog.text import ascii_slugify, name_key, normalize_language, strip_control_chars

MAX_FILE_BYTES = 2 * 1024 * 1024
# Expanded size of the front matter's values: a YAML alias bomb is a few hundred bytes that
# expand to billions of values (it parses at once, then hangs whoever walks it).
MAX_FRONT_MATTER_VALUES = 10_000
MAX_TITLE = 200
MAX_TAG = 100  # taggit's Tag.name
MAX_ALT = 300

YAML_BOUNDARY = re.compile(r"^-{3,}\s*$", re.MULTILINE)
TOML_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
JSON_BOUNDARY = re.compile(r"^(?:{|})$", re.MULTILINE)
# python-frontmatter's own loader is SafeLoader; the C one reads the same YAML, faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DOCUMENT_MARKERS = re.compile(r"^\s*(?:\.\.\.|---)?\s*$")
_FILE_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[-_ ]")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
# MDX's own lines: ES imports and exports, and JSX elements (a capitalised tag), at the top level.
_MDX_LINE = re.compile(r"^(?:import\s|export\s|<[A-Z])")
_MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
_COLONLESS_OFFSET = re.compile(r"^(.*\d)\s*([+-]\d{2}):?(\d{2})$")
_TIMESTAMP_LINE = re.compile(r"^\s*([\w-]+)\s*:\s*['\"]?(\d{4}-\d{1,2}-\d{1,2}[^'\"\n]*)")

# Field aliases real sites use, matched case-insensitively; the first name is the Gatsby one.
TITLE_KEYS = ("title",)
DATE_KEYS = ("date", "publishdate", "pubdate")
DESCRIPTION_KEYS = ("description", "excerpt", "summary")
FEATURED_KEYS = ("featuredpost", "featured")
IMAGE_KEYS = ("featuredimage", "image", "cover", "thumbnail", "hero", "feature_image")
IMAGE_SRC_KEYS = ("src", "path", "image", "url")  # inside an image mapping
IMAGE_ALT_KEYS = ("featuredimagealt", "imagealt", "image_alt", "alt")
TAG_KEYS = ("tags", "tag", "categories", "category", "keywords", "topics")
SLUG_KEYS = ("slug",)
OLD_URL_KEYS = ("permalink", "url", "aliases")
LANGUAGE_KEYS = ("lang", "language", "locale")
# Jekyll's and Gatsby's ``author`` (a name or {name, email}), Hugo's ``authors`` taxonomy.
AUTHOR_KEYS = ("authors", "author")
AUTHOR_NAME_KEYS = ("name", "display_name", "displayname", "title")  # inside an author mapping
MAX_AUTHOR = 100
TEMPLATE_KEY = "templatekey"
DRAFT_STATUSES = {"draft", "false", "no", "unpublished", "private", "hidden", "pending"}
PUBLISHED_STATUSES = {"published", "publish", "public", "true", "yes", "live", "active"}


class SourceError(ValueError):
    """The file cannot become a post; the message says what is wrong, for a person."""


@dataclass
class Source:
    """A file split into its front matter and body."""

    meta: dict[str, Any]
    body: str
    format: str  # yaml, toml, json, or "" when the file has no front matter
    body_line: int = 1  # the file's line number of the body's first line
    front_matter: str = ""  # as written, between its delimiters


@dataclass
class Fields:
    """What the front matter says about a post, in Carnet's terms."""

    title: str
    pub_date: dt.datetime
    description: str
    featured: bool
    draft: bool
    tags: list[str]
    slug: str = ""
    image: str = ""
    image_alt: str = ""
    old_urls: list[str] = field(default_factory=list)
    language: str = ""  # "" for the site's
    warnings: list[str] = field(default_factory=list)


def decode(raw: bytes) -> str:
    if b"\x00" in raw:
        raise SourceError("not a text file (it contains NUL bytes)")
    try:
        return raw.decode("utf-8-sig")  # a BOM simply imports
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def split(text: str) -> Source:
    """Split front matter from body, refusing what python-frontmatter would silently drop."""
    stripped = text.lstrip()
    for fmt, boundary in (("yaml", YAML_BOUNDARY), ("toml", TOML_BOUNDARY)):
        if boundary.match(stripped):
            parts = boundary.split(stripped, 2)
            if len(parts) < 3:
                opener = "---" if fmt == "yaml" else "+++"
                raise SourceError(f"front matter opened with {opener} on line 1 is never closed")
            meta = _load_yaml(parts[1]) if fmt == "yaml" else _load_toml(parts[1])
            return _source(text, meta, parts[2], fmt, parts[1])
    if JSON_BOUNDARY.match(stripped):
        parts = JSON_BOUNDARY.split(stripped, 2)
        if len(parts) < 3:
            raise SourceError("JSON front matter opened with { on line 1 is never closed")
        try:
            meta = json.loads("{" + parts[1] + "}")
        except json.JSONDecodeError as exc:
            raise SourceError(f"front matter is not valid JSON at line {exc.lineno + 1}") from None
        return _source(text, _check_mapping(meta), parts[2], "json", "{" + parts[1] + "}")
    return Source({}, text, "")


def _source(text: str, meta: dict, rest: str, fmt: str, front_matter: str) -> Source:
    body = rest.lstrip("\r\n")
    line = text[: len(text) - len(body)].count("\n") + 1
    return Source(meta, body, fmt, line, front_matter)


def load_front_matter(text: str, fmt: str) -> dict:
    """Front matter text as ``split`` kept it -> its keys and values, in order."""
    if fmt == "toml":
        return _load_toml(text)
    if fmt == "json":
        return _check_mapping(json.loads(text))
    return _load_yaml(text)


def _load_yaml(fm: str) -> dict:
    if _DOCUMENT_MARKERS.fullmatch(fm) or all(_DOCUMENT_MARKERS.match(x) for x in fm.splitlines()):
        return {}  # `---` / `...` / `---`: an empty front matter, written the long way
    try:
        meta = yaml.load(fm, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # The front matter's first line is the rest of the `---` line: its line 0 is line 1.
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None)
        raise SourceError(
            f"front matter is not valid YAML{where}" + (f": {problem}" if problem else "")
        ) from None
    except (ValueError, OverflowError) as exc:
        # PyYAML builds timestamps with datetime(): 2021-07-32 raises ValueError, not YAMLError.
        raise SourceError(_impossible_value(fm, exc)) from None
    return _check_mapping(meta)


def _load_toml(fm: str) -> dict:
    try:
        return _check_mapping(tomllib.loads(fm))
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"front matter is not valid TOML: {exc}") from None


def _impossible_value(fm: str, exc: Exception) -> str:
    for number, line in enumerate(fm.splitlines(), start=1):
        match = _TIMESTAMP_LINE.match(line)
        if match and _not_a_date(match.group(2).strip()):
            key, value = match.groups()
            return f"line {number}: {key} {value.strip()!r} is not a real date ({exc})"
    return f"front matter has an impossible value ({exc})"


def _not_a_date(value: str) -> bool:
    try:
        yaml.safe_load(f"v: {value}")
    except (ValueError, OverflowError):
        return True
    except yaml.YAMLError:
        return False
    return False


def _check_mapping(meta: Any) -> dict:
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        kind = {list: "a list", str: "a single string"}.get(type(meta), type(meta).__name__)
        raise SourceError(f"front matter must be keys and values, not {kind}")
    if _size(meta, MAX_FRONT_MATTER_VALUES) > MAX_FRONT_MATTER_VALUES:
        raise SourceError(
            f"front matter expands to more than {MAX_FRONT_MATTER_VALUES} values "
            "(YAML aliases repeating each other: an alias bomb?)"
        )
    return meta


def _size(value: Any, limit: int, memo: dict[int, int] | None = None) -> int:
    """How many values walking ``value`` visits, counting shared (aliased) parts each time."""
    memo = {} if memo is None else memo
    if not isinstance(value, dict | list):
        return 1
    if id(value) in memo:
        return memo[id(value)]
    memo[id(value)] = limit + 1  # a cycle counts as too big
    items = value.values() if isinstance(value, dict) else value
    total = 1
    for item in items:
        total += _size(item, limit, memo)
        if total > limit:
            break
    memo[id(value)] = total
    return total


def lookup(meta: dict, keys: tuple[str, ...]) -> tuple[str | None, Any]:
    """The first of ``keys`` present in ``meta`` (any case), as (key as written, value)."""
    lowered = {str(key).lower(): key for key in meta}
    for key in keys:
        if key in lowered:
            return lowered[key], meta[lowered[key]]
    return None, None


def language_of(meta: dict, warnings: list[str]) -> str:
    """The text's language from ``lang``, ``language`` or ``locale`` (``en``, ``en-US``,
    ``en_US``), stored as ``en`` / ``en-us``; "" (the site's) with a warning when not a tag."""
    key, value = lookup(meta, LANGUAGE_KEYS)
    language = normalize_language(value)
    if language is None:
        shown = value if isinstance(value, str | int | float) else type(value).__name__
        warnings.append(
            f"{key}: {str(shown)[:40]!r} is not a language tag (such as en or en-US); "
            "the site's language is used"
        )
        return ""
    return language


def template_key(meta: dict) -> str | None:
    _, value = lookup(meta, (TEMPLATE_KEY,))
    return None if value is None else str(value)


def map_fields(source: Source, relative_path: str, *, fallback_date: dt.datetime) -> Fields:
    """Front matter + body -> Carnet's fields, or SourceError naming the field."""
    meta = source.meta
    path = PurePosixPath(relative_path)
    warnings: list[str] = []

    _, title = lookup(meta, TITLE_KEYS)
    title = _text(title, "title")
    if not title:
        title = derived_title(source.body, relative_path)
        if meta:  # Jekyll titles such a post (a draft, often) from its file name
            origin = "its first heading" if _HEADING.search(source.body) else "its file name"
            warnings.append(f"no title in the front matter; titled {title!r} from {origin}")
    title = strip_control_chars(title)
    if len(title) > MAX_TITLE:
        raise SourceError(f"title: longer than {MAX_TITLE} characters ({len(title)})")

    _, date_value = lookup(meta, DATE_KEYS)
    if date_value is not None and date_value != "":
        pub_date = parse_date(date_value, warnings=warnings)
    elif match := _FILE_DATE.match(_stem(path)):
        pub_date = parse_date(dt.date(*map(int, match.groups())), field_name="file name date")
    else:
        pub_date = fallback_date
        warnings.append("no date (front matter or file name); used the file's modification time")

    _, description = lookup(meta, DESCRIPTION_KEYS)
    description = _text(description, "description")
    if not description and (more := _MORE.search(source.body)):
        description = excerpt(source.body[: more.start()])

    _, featured = lookup(meta, FEATURED_KEYS)
    image_key, image = lookup(meta, IMAGE_KEYS)
    image, alt = _image(image, image_key)
    if not alt:
        _, alt = lookup(meta, IMAGE_ALT_KEYS)
        alt = _text(alt, "image alt")
    _, slug = lookup(meta, SLUG_KEYS)

    return Fields(
        title=title,
        pub_date=pub_date,
        description=description,
        featured=_flag(featured),
        draft=is_draft(meta, path, warnings),
        tags=tags_of(meta),
        slug=ascii_slugify(_text(slug, "slug"))[:200] if slug not in (None, "") else "",
        image=image,
        image_alt=strip_control_chars(alt or "")[:MAX_ALT],
        old_urls=old_urls(meta),
        language=language_of(meta, warnings),
        warnings=warnings,
    )


def parse_date(
    value: Any, *, field_name: str = "date", warnings: list[str] | None = None
) -> dt.datetime:
    """A date as sites write it -> an aware datetime.

    A date or time without a zone (``2020-05-23``, ``2020-05-23 10:00``) is read in the site's
    time zone (``TIME_ZONE``); one with a zone (``…Z``, ``…+02:00``) keeps its instant. A time
    that the clocks skip or repeat that night is read with the offset before the change, and
    said in ``warnings``.
    """
    if isinstance(value, str):
        text = value.strip()
        text = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
        if match := _COLONLESS_OFFSET.match(text):
            text = f"{match.group(1)}{match.group(2)}:{match.group(3)}"
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise SourceError(f"{field_name}: cannot read {value!r} as a date") from None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if not isinstance(value, dt.datetime):
        raise SourceError(f"{field_name}: cannot read {value!r} as a date")
    try:
        if timezone.is_naive(value):
            if warnings is not None and (kind := local_time.gap_or_overlap(value)):
                happens = "does not exist" if kind == "nonexistent" else "happens twice"
                warnings.append(
                    f"{field_name}: {value.isoformat(' ')} {happens} in {local_time.zone_name()}"
                    " (clock change); read with the offset before the change"
                )
            value = local_time.read_naive(value)
        value.astimezone(dt.UTC)  # year 9999 at -12:00 is past what a database can store
    except (OverflowError, ValueError):
        shown = value.replace(tzinfo=None).isoformat()
        raise SourceError(f"{field_name}: {shown} is out of the range of dates") from None
    if not 1 < value.year < 9999:  # a page showing it in another time zone would overflow
        raise SourceError(f"{field_name}: the year {value.year} is out of range")
    return value


def tags_of(meta: dict) -> list[str]:
    """Every tag-like field, merged: lists or comma-separated strings; empty ones dropped."""
    lowered = {str(key).lower(): value for key, value in reversed(list(meta.items()))}
    names: dict[str, str] = {}
    for key in TAG_KEYS:
        value = lowered.get(key)
        if value in (None, ""):
            continue
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list):
            items = [items]
        for item in items:
            if isinstance(item, dict | list):
                raise SourceError(f"{key}: a tag must be text, not {type(item).__name__}")
            name = strip_control_chars(str(item)) if item is not None else ""
            if not name:
                continue
            if len(name) > MAX_TAG:
                raise SourceError(f"{key}: the tag {name[:40]!r}… is longer than {MAX_TAG}")
            names.setdefault(name.lower(), name)
    return list(names.values())


def authors_of(meta: dict) -> list[str]:
    """The post's author names, in order: ``authors`` (a list, Hugo's taxonomy), then
    ``author`` (a name, a list, or ``{name, email}`` mappings); one per person (case and
    accents aside). A value that names nobody (a number, an empty mapping) is left out."""
    names: dict[str, str] = {}
    for key in AUTHOR_KEYS:
        _, value = lookup(meta, (key,))
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                _, item = lookup(item, AUTHOR_NAME_KEYS)
            if not isinstance(item, str):
                continue
            name = strip_control_chars(item).strip()
            if len(name) > MAX_AUTHOR:
                raise SourceError(f"{key}: the name {name[:40]!r}… is longer than {MAX_AUTHOR}")
            if name:
                names.setdefault(name_key(name), name)
    return list(names.values())


def excerpt(markdown_text: str) -> str:
    """Plain text of the Markdown before a <!--more--> marker."""
    try:
        html = render_markdown(markdown_text)
    except RenderError:
        return ""
    return " ".join(strip_tags(html).split())


def _text(value: Any, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise SourceError(f"{name}: expected text, found a {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return str(value).strip()


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "1", "on"}
    return bool(value)


def is_draft(meta: dict, path: PurePosixPath, warnings: list[str]) -> bool:
    if "_drafts" in path.parts:
        return True
    _, draft = lookup(meta, ("draft",))
    if draft is not None and _flag(draft):
        return True
    for key in ("published", "online"):
        _, value = lookup(meta, (key,))
        if value is not None and not isinstance(value, dt.date) and not _flag(value):
            return True
    _, status = lookup(meta, ("status",))
    if status is None:
        return False
    status = str(status).strip().lower()
    if status in DRAFT_STATUSES:
        return True
    if status not in PUBLISHED_STATUSES:
        warnings.append(f"status {status!r} not understood; imported as a draft")
        return True
    return False


def _image(value: Any, key: str | None) -> tuple[str, str]:
    if isinstance(value, dict):
        _, src = lookup(value, IMAGE_SRC_KEYS)
        _, alt = lookup(value, ("alt",))
        return _text(src, f"{key}.src"), _text(alt, f"{key}.alt")
    return _text(value, key or "image"), ""


def old_urls(meta: dict) -> list[str]:
    urls: list[str] = []
    for key in OLD_URL_KEYS:
        _, value = lookup(meta, (key,))
        values = value if isinstance(value, list) else [value]
        urls.extend(str(item).strip() for item in values if item not in (None, ""))
    return urls


def _stem(path: PurePosixPath) -> str:
    return path.parent.name if path.stem.lower() in ("index", "_index") else path.stem


def derived_title(body: str, relative_path: str) -> str:
    """The title of a file that names none: its first heading, else its file name (as Jekyll
    does: ``2017-12-01-agile-whispers.md`` -> « Agile whispers »). Export leaves it unwritten."""
    if heading := _HEADING.search(body):
        return strip_control_chars(strip_tags(heading.group(1)))
    path = PurePosixPath(relative_path)
    name = _FILE_DATE.sub("", _stem(path) + " ").strip()
    name = " ".join(name.replace("-", " ").replace("_", " ").split())
    return strip_control_chars(name[:1].upper() + name[1:] or path.name)


def mdx_lines(body: str) -> list[tuple[int, str]]:
    """MDX's import/export lines and JSX elements outside code, as (line, text): kept as text."""
    found, fence = [], None
    for number, line in enumerate(body.splitlines(), start=1):
        if match := _FENCE.match(line):
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
        elif fence is None and _MDX_LINE.match(line):
            found.append((number, line.strip()))
    return found
