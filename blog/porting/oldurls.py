"""The addresses a post and its tags had on the previous site (Gatsby, Hugo, Jekyll).

Pure functions: the importer stores what they return as Redirect rows, the exporter
uses them to know which redirects a file will bring back by itself, and the middleware
normalizes request paths the same way they were stored.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urlsplit

_FILE_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[-_]")
_LIGATURES = str.maketrans(
    {"æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"}
)
# lodash's `words` for Latin text after `deburr` (lodash/_unicodeWords.js, reUnicodeWord),
# tried in the same order: Camel, UPPER runs, lower, digits, ordinals.
_UPPER, _LOWER = r"[A-Z\u00c0-\u00d6\u00d8-\u00de]", r"[a-z\u00df-\u00f6\u00f8-\u00ff]"
_BREAK = r"[^\w]|_"
_WORDS = re.compile(
    "|".join(
        [
            rf"{_UPPER}?{_LOWER}+(?={_BREAK}|{_UPPER}|$)",
            rf"{_UPPER}+(?={_BREAK}|{_UPPER}{_LOWER}|$)",
            rf"{_UPPER}?{_LOWER}+",
            rf"{_UPPER}+",
            r"\d*(?:1ST|2ND|3RD|(?![123])\dTH)(?=\b|[a-z_])",
            r"\d*(?:1st|2nd|3rd|(?![123])\dth)(?=\b|[A-Z_])",
            r"\d+",
            r"[^\W\d_]+",  # other scripts: one word per run, as lodash keeps them
        ]
    )
)


def kebab_case(value: str) -> str:
    """lodash ``kebabCase``: ``JavaScript`` -> ``java-script``, ``web3`` -> ``web-3``, accents
    folded."""
    text = unicodedata.normalize("NFKD", str(value).translate(_LIGATURES))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"['\u2019]", "", text)
    return "-".join(word.lower() for word in _WORDS.findall(text))


def tag_path(name: str) -> str | None:
    """The Gatsby starter's tag page: ``/tags/${kebabCase(tag)}/``."""
    slug = kebab_case(name)
    return f"/tags/{slug}/" if slug else None


def normalize_path(value: str) -> str:
    """One stored form for a path: decoded, NFC, one leading slash, no host or query."""
    path = urlsplit(value.strip()).path if "://" in value or value.startswith("//") else value
    path = path.split("?", 1)[0].split("#", 1)[0]
    path = unicodedata.normalize("NFC", unquote(path.strip()))
    path = "/" + re.sub(r"/{2,}", "/", path).lstrip("/")
    return path


def lookup_forms(path: str) -> list[str]:
    """The forms a request path may have been stored in: decoded or percent-encoded, ± slash."""
    forms: list[str] = []
    for base in {normalize_path(path), unicodedata.normalize("NFD", normalize_path(path))}:
        toggled = base[:-1] if base.endswith("/") and len(base) > 1 else base + "/"
        for candidate in (base, toggled):
            for form in (candidate, quote(candidate, safe="/:@!$&'()*+,;=-._~")):
                if form not in forms:
                    forms.append(form)
    return forms


def generator_of(relative_path: str, front_matter_format: str) -> str:
    """Which site generator a file comes from, judged from its path and front matter alone
    (so an exported tree is judged the same way when it is imported again)."""
    parts = PurePosixPath(relative_path).parts
    if "_posts" in parts or "_drafts" in parts:
        return "jekyll"
    if front_matter_format in ("toml", "json"):
        return "hugo"
    if "content" in parts:
        index = len(parts) - 1 - parts[::-1].index("content")
        if index + 1 < len(parts) - 1 and parts[index + 1] in ("posts", "post"):
            return "hugo"
    return "gatsby"


def post_paths(relative_path: str, front_matter_format: str, meta_urls: list[str],
               categories: list[str]) -> list[str]:  # fmt: skip
    """Every old address of a post: the one its generator gave it, plus permalink/url/aliases."""
    path = PurePosixPath(relative_path)
    stem = path.parent.name if path.stem.lower() in ("index", "_index") else path.stem
    generator = generator_of(relative_path, front_matter_format)
    paths = []
    if generator == "jekyll":
        if match := _FILE_DATE.match(stem):
            title = stem[match.end() :]
            prefix = "".join(f"/{category}" for category in categories)
            year, month, day = match.groups()
            paths.append(f"{prefix}/{year}/{month}/{day}/{title}.html")
    elif generator == "hugo":
        parts = path.parts
        section = "posts"
        if "content" in parts:
            index = len(parts) - 1 - parts[::-1].index("content")
            if index + 1 < len(parts) - 1:
                section = parts[index + 1]
        paths.append(f"/{section}/{stem}/".lower())
    else:
        paths.append(_gatsby_path(path, stem))
    paths.extend(meta_urls)
    seen: dict[str, None] = {}
    for value in paths:
        seen.setdefault(normalize_path(value), None)
    return list(seen)


def _gatsby_path(path: PurePosixPath, stem: str) -> str:
    """gatsby-source-filesystem's ``createFilePath``: the path under the pages/content root."""
    parts = list(path.parts[:-1])
    if "pages" in parts:
        parts = parts[len(parts) - parts[::-1].index("pages") :]
    elif "content" in parts:
        parts = parts[len(parts) - parts[::-1].index("content") + 1 :]
    if path.stem.lower() in ("index", "_index"):
        folder = "/".join(parts)
        return f"/{folder}/" if folder else f"/blog/{stem}/"
    folder = "/".join([*parts, stem]) if parts else f"blog/{stem}"
    return f"/{folder}/"
