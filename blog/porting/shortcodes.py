"""Liquid (Jekyll), Hugo and Hexo shortcodes -> the Markdown or HTML they stand for. Pure.

``convert(body, resolve)`` turns the common ones (code blocks, ``raw``, site variables,
image includes and figures, YouTube, gist and dev.to embeds, links to other posts) into plain
Markdown/HTML, outside code only (fenced, indented and inline code are left as written).
Unknown shortcodes, and links to posts ``resolve`` does not know, are kept as text and
listed. The importer keeps the original body for export (see importing/posts.py).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:.+?)\1")
_LIST_ITEM = re.compile(r"^[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]")
# One shortcode: Hugo's {{< … >}} and {{% … %}} (on several lines at times), Liquid's {% … %}
# and {{ … }} (on one line). Bounded, and never across a masked code span (\x00) or another
# "{{": a stray "{{" in prose cannot swallow the text up to a later shortcode, and a hostile
# body cannot make the search quadratic in its size.
_TAG = re.compile(
    r"\{\{<(?:(?!\{\{)[^\x00]){0,1000}?>\}\}|\{\{%(?:(?!\{\{)[^\x00]){0,1000}?%\}\}"
    r"|\{%(?:(?!\{%)[^\x00\n]){0,1000}?%\}|\{\{(?:(?!\{\{)[^\x00\n]){0,1000}?\}\}"
)
_MASK = re.compile(r"\x00(\d+)\x00")
_PARAM = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))|"([^"]*)"|'([^']*)'|(\S+)""")
_SITE_VARIABLE = re.compile(r"\{\{-?\s*site\.(?:url|baseurl)\s*-?\}\}")
_URL_FILTER = re.compile(
    r"""^\s*(["'])([^"']*)\1\s*\|\s*(?:relative_url|absolute_url|prepend:\s*site\.(?:url|baseurl))\s*$"""
)
_DEV_TO = {
    "post": ("dev.to", r"[\w-]+/[\w-]+", "https://dev.to/"),
    "user": ("dev.to", r"[\w-]+", "https://dev.to/"),
    "github": ("GitHub", r"[\w.-]+/[\w.-]+", "https://github.com/"),
}
IMAGE_SOURCE_KEYS = ("src", "url", "image", "file", "path", "img")
CAPTION_KEYS = ("caption", "description", "title")

# resolve(kind, target) -> the new URL of the post a link names, or None.
Resolver = Callable[[str, str], "str | None"]


@dataclass
class Conversion:
    body: str
    converted: int = 0
    left: list[tuple[int, str]] = field(default_factory=list)  # (line, shortcode) kept as text


def convert(body: str, resolve: Resolver | None = None) -> Conversion:
    """The body with its known shortcodes converted (outside code), and what was kept."""
    resolve = resolve or (lambda kind, target: None)
    masked, spans = _mask_code(body)
    result = Conversion("")
    out: list[str] = []
    position = counted = 0
    line = 1
    closings: dict = {}
    while match := _TAG.search(masked, position):
        out.append(masked[position : match.start()])
        tag = match.group(0)
        kind, name, args = _parse(tag)
        end = match.end()
        replacement: str | None = None
        if name in ("highlight", "codeblock", "raw") and not (kind == "hugo" and name == "raw"):
            closing = _closing(
                masked, end, kind, "end" + name if kind == "liquid" else name, closings
            )
            if closing is not None:
                content = _unmask(masked[end : closing.start()], spans)
                if name == "raw":
                    replacement = content
                else:
                    replacement = _fence(content, _language(name, args), masked, match.start())
                end = closing.end()
        else:
            replacement = _inline(kind, name, args, tag, resolve)
        if replacement is None:
            # Counted from the last tag on: linear however many tags are left.
            line += _unmask(masked[counted : match.start()], spans).count("\n")
            counted = match.start()
            result.left.append((line, tag))
            out.append(tag)
        else:
            result.converted += 1
            if replacement.startswith("<figure") and masked[end : end + 1] == "\n":
                # An HTML block runs to the next blank line: the next line stays Markdown.
                replacement += "\n" if masked[end + 1 : end + 2] not in ("\n", "") else ""
            out.append(replacement)
        position = end
    out.append(masked[position:])
    result.body = _unmask("".join(out), spans)
    return result


def link_target(tag: str) -> str:
    """The post file a ``post_url``, ``ref`` or ``relref`` shortcode names, else ""."""
    kind, name, args = _parse(tag)
    params = _params(args)
    if (kind, name) == ("liquid", "post_url") or (kind == "hugo" and name in ("ref", "relref")):
        return params.get("path") or (params["_"][0] if params["_"] else "")
    return ""


def body_hash(body: str) -> str:
    """Which converted body an original was kept for (export writes the original back)."""
    return hashlib.sha256(body.replace("\r\n", "\n").encode()).hexdigest()


def _parse(tag: str) -> tuple[str, str, str]:
    """(``hugo`` / ``liquid`` / ``output``, the tag's name, its arguments)."""
    if tag.startswith(("{{<", "{{%")):
        kind, inner = "hugo", tag[3:-3]
    elif tag.startswith("{%"):
        kind, inner = "liquid", tag[2:-2]
    else:
        return "output", "", tag[2:-2].strip("-").strip()
    inner = inner.strip().strip("-").strip()
    name, _, args = inner.partition(" ")
    return kind, name.lower(), args.strip()


def _closing(text: str, start: int, kind: str, name: str, seen: dict) -> re.Match | None:
    """The block's end tag after ``start``; ``seen`` remembers each search, so that many
    unclosed blocks cost one scan each kind, not one scan each."""
    if (kind, name) in seen:
        found = seen[kind, name]
        if found is None or found.start() >= start:
            return found
    seen[kind, name] = _end_tag(kind, name).search(text, start)
    return seen[kind, name]


def _end_tag(kind: str, name: str) -> re.Pattern:
    if kind == "liquid":
        pattern = rf"\{{%-?\s*{name}\s*-?%\}}"
    else:
        pattern = rf"\{{\{{[<%]\s*/\s*{name}\s*[>%]\}}\}}"
    return re.compile(pattern, re.I)


def _language(name: str, args: str) -> str:
    params = _params(args)
    if name == "codeblock":  # Hexo: {% codeblock [title] [lang:language] [url] [link] %}
        found = [value[5:] for value in params["_"] if value.lower().startswith("lang:")]
        return found[0] if found else params.get("lang", "")
    return params["_"][0] if params["_"] else ""  # {% highlight ruby linenos %}


def _fence(content: str, language: str, masked: str, start: int) -> str:
    content = content.strip("\n")
    longest = max((len(run) for run in re.findall(r"`{3,}", content)), default=2)
    fence = "`" * (longest + 1)
    before = "" if start == 0 or masked[start - 1] == "\n" else "\n"
    language = re.sub(r"[^\w+#.-]", "", language)
    return f"{before}{fence}{language}\n{content}\n{fence}"


def _inline(kind: str, name: str, args: str, tag: str, resolve: Resolver) -> str | None:
    if kind == "output":
        if _SITE_VARIABLE.fullmatch(tag):
            return ""
        if found := _URL_FILTER.match(args):
            return found.group(2)
        return None
    params = _params(args)
    if kind == "liquid" and name == "post_url" and params["_"]:
        return resolve("post_url", params["_"][0])
    if kind == "hugo" and name in ("ref", "relref") and (params["_"] or "path" in params):
        return resolve("ref", params.get("path") or params["_"][0])
    if kind == "liquid" and name == "include" and params["_"]:
        included = params["_"][0].lower()
        source = _first(params, IMAGE_SOURCE_KEYS)
        if source and any(word in included for word in ("image", "figure", "img", "picture")):
            return _figure(source, params)
        return None
    if kind == "hugo" and name in ("figure", "img", "image"):
        source = _first(params, IMAGE_SOURCE_KEYS) or (params["_"][0] if params["_"] else "")
        if not source:
            return None
        if "alt" not in params and len(params["_"]) > 1:
            params["alt"] = params["_"][1]
        return _figure(source, params)
    if kind == "hugo" and name == "youtube":
        video = params.get("id") or (params["_"][0] if params["_"] else "")
        if re.fullmatch(r"[\w-]{5,20}", video or ""):
            return f"[YouTube: {video}](https://www.youtube.com/watch?v={video})"
        return None
    if kind == "liquid" and name in _DEV_TO and params["_"]:  # dev.to's embeds, cross-posts
        label, pattern, url = _DEV_TO[name]
        if re.fullmatch(pattern, target := params["_"][0]):
            return f"[{label}: {target}]({url}{target})"
        return None
    if kind == "hugo" and name == "gist" and len(params["_"]) >= 2:
        user, gist = params["_"][0], params["_"][1]
        if re.fullmatch(r"[\w-]+", user) and re.fullmatch(r"[\w]+", gist):
            return f"[Gist: {user}/{gist}](https://gist.github.com/{user}/{gist})"
    return None


def _params(args: str) -> dict:
    """Named arguments by lower-cased name; positional ones, in order, under ``"_"``."""
    params: dict = {"_": []}
    for match in _PARAM.finditer(args):
        if match.group(1):
            value = next(v for v in match.group(2, 3, 4) if v is not None)
            params[match.group(1).lower()] = value
        else:
            params["_"].append(next(v for v in match.group(5, 6, 7) if v is not None))
    return params


def _first(params: dict, keys: tuple[str, ...]) -> str:
    return next((params[key] for key in keys if params.get(key)), "")


def _figure(source: str, params: dict) -> str:
    source = _SITE_VARIABLE.sub("", source)
    caption = _first(params, CAPTION_KEYS)
    alt = params.get("alt") or caption
    img = f'<img src="{html.escape(source)}" alt="{html.escape(alt)}">'
    if not caption:
        return f"<figure>{img}</figure>"
    return f"<figure>{img}<figcaption>{html.escape(caption)}</figcaption></figure>"


def _mask_code(body: str) -> tuple[str, list[str]]:
    """The body with fenced, indented and inline code replaced by ``\\x00n\\x00`` markers."""
    spans: list[str] = []

    def keep(text: str) -> str:
        spans.append(text)
        return f"\x00{len(spans) - 1}\x00"

    out: list[str] = []
    lines = body.splitlines(keepends=True)
    index = 0
    previous_blank, in_list = True, False
    while index < len(lines):
        line = lines[index]
        fence = _FENCE.match(line)
        if fence:
            marker = fence.group(1)
            end = index + 1
            while end < len(lines):
                close = _FENCE.match(lines[end])
                if close and close.group(1)[0] == marker[0] and len(close.group(1)) >= len(marker):
                    break
                end += 1
            block = "".join(lines[index : end + 1])
            newline = "\n" if block.endswith("\n") else ""
            out.append(keep(block[: len(block) - len(newline)]) + newline)
            index, previous_blank = end + 1, False
            continue
        if previous_blank and not in_list and re.match(r"^(?: {4}|\t)", line) and line.strip():
            end = index
            while end < len(lines) and (
                re.match(r"^(?: {4}|\t)", lines[end]) or not lines[end].strip()
            ):
                end += 1
            while end > index and not lines[end - 1].strip():
                end -= 1
            block = "".join(lines[index:end])
            newline = "\n" if block.endswith("\n") else ""
            out.append(keep(block[: len(block) - len(newline)]) + newline)
            index, previous_blank = end, False
            continue
        if line.strip():
            if not re.match(r"^(?: {4}|\t)", line):
                in_list = bool(_LIST_ITEM.match(line))
            out.append(_INLINE_CODE.sub(lambda m: keep(m.group(0)), line))
        else:
            out.append(line)
        previous_blank = not line.strip()
        index += 1
    return "".join(out), spans


def _unmask(text: str, spans: list[str]) -> str:
    if not spans:
        return text
    return _MASK.sub(lambda m: spans[int(m.group(1))], text)
