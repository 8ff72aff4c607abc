"""Liquid (Jekyll), Hugo and Hexo shortcodes -> the Markdown or HTML they stand for. Pure.

``convert(body, resolve)`` turns the common ones (code blocks, ``raw``, site variables,
image includes and figures, Hexo's blockquotes and post assets, YouTube, Vimeo, tweet, gist
and dev.to embeds as links, links to other posts) into plain Markdown/HTML, outside code only
(fenced, indented and inline code are left as written). Unknown shortcodes, and links to
posts or assets ``resolve`` does not know, are kept as text and listed. The importer keeps
the original body for export (see importing/posts.py).
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

_ARG = re.compile(r"""\"([^"]*)"|'([^']*)'|(\S+)""")
_SIZE = re.compile(r"\d+(?:px|%|em)?")
_VIDEO = {"youtube": r"[\w-]{5,40}", "vimeo": r"\d{3,15}"}
_TWEET_URL = re.compile(r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(\w+)/status/(\d+)\S*")
_BLOCKS = ("highlight", "codeblock", "raw", "blockquote", "quote")
_NESTED = 2  # blockquotes converted inside blockquotes at most this deep

# resolve(kind, target) -> the new URL of the post (kind "post_url" or "ref") a link names,
# or of the post asset (kind "asset": Hexo's post_asset_folder) a tag names, or None.
Resolver = Callable[[str, str], "str | None"]


@dataclass
class Conversion:
    body: str
    converted: int = 0
    left: list[tuple[int, str]] = field(default_factory=list)  # (line, shortcode) kept as text


def convert(body: str, resolve: Resolver | None = None, *, depth: int = 0) -> Conversion:
    """The body with its known shortcodes converted (outside code), and what was kept."""
    if "{{" not in body and "{%" not in body:
        return Conversion(body)  # every tag starts so: no code to mask (most posts)
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
        # Counted from the last tag on: linear however many tags there are.
        line += _unmask(masked[counted : match.start()], spans).count("\n")
        counted = match.start()
        quote = False
        # Hugo's raw, quote, blockquote are not Hexo's and Jekyll's blocks.
        if name in _BLOCKS and not (kind == "hugo" and name in ("raw", "quote", "blockquote")):
            closing = _closing(
                masked, end, kind, "end" + name if kind == "liquid" else name, closings
            )
            if closing is not None and name in ("blockquote", "quote"):
                if depth < _NESTED:
                    inner = convert(_unmask(masked[end : closing.start()], spans), resolve,
                                    depth=depth + 1)  # fmt: skip
                    result.converted += inner.converted
                    result.left += [(line + n - 1, kept) for n, kept in inner.left]
                    replacement = _blockquote(inner.body, args, masked, match.start())
                    quote = True
                    end = closing.end()
            elif closing is not None:
                content = _unmask(masked[end : closing.start()], spans)
                if name == "raw":
                    replacement = content
                else:
                    replacement = _fence(content, _language(name, args), masked, match.start())
                end = closing.end()
        else:
            replacement = _inline(kind, name, args, tag, resolve)
        if replacement is None:
            result.left.append((line, tag))
            out.append(tag)
        else:
            result.converted += 1
            if (replacement.startswith("<figure") or quote) and masked[end : end + 1] == "\n":
                # An HTML block runs to the next blank line, a blockquote takes the next line
                # in (lazily): the next line stays Markdown of its own.
                replacement += "\n" if masked[end + 1 : end + 2] not in ("\n", "") else ""
            elif quote and masked[end : end + 1]:
                replacement += "\n\n"  # text after the end tag, on its line
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
    if name in _VIDEO:  # Hugo's and Hexo's: {{< youtube ID >}}, {% vimeo ID %}
        video = params.get("id") or (params["_"][0] if params["_"] else "")
        if not re.fullmatch(_VIDEO[name], video or ""):
            return None
        if name == "vimeo":
            return f"[Vimeo: {video}](https://vimeo.com/{video})"
        if kind == "liquid" and params["_"][1:2] == ["playlist"]:  # {% youtube ID playlist %}
            return f"[YouTube: {video}](https://www.youtube.com/playlist?list={video})"
        return f"[YouTube: {video}](https://www.youtube.com/watch?v={video})"
    if name in ("tweet", "twitter"):  # a link: no embed (its script and frame break our CSP)
        return _tweet(params)
    if kind == "liquid" and name in ("asset_img", "asset_link", "asset_path"):
        return _asset(name, args, resolve)
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


def _tweet(params: dict) -> str | None:
    """Hugo's ``tweet user="u" id="1"`` (or its old ``tweet 1``), Hexo's ``tweet 1``."""
    tweet = params.get("id") or (params["_"][0] if params["_"] else "")
    if found := _TWEET_URL.fullmatch(tweet):
        user, tweet = found.groups()
    else:
        user = params.get("user", "")
    if not re.fullmatch(r"\d{1,25}", tweet) or not re.fullmatch(r"\w{0,30}", user):
        return None
    if user:
        return f"[Tweet: @{user}/{tweet}](https://twitter.com/{user}/status/{tweet})"
    return f"[Tweet: {tweet}](https://twitter.com/i/status/{tweet})"


def _asset(name: str, args: str, resolve: Resolver) -> str | None:
    """Hexo's post assets: ``asset_img [class…] name [width] [height] [title [alt]]``,
    ``asset_link name [title]``, ``asset_path name``; the file's URL is ``resolve``'s."""
    words = [(next(v for v in m.groups() if v is not None), m.group(3) is None)
             for m in _ARG.finditer(args)]  # fmt: skip
    if name == "asset_img":  # classes come first: the asset is the first word naming a file
        at = next((n for n, (word, _) in enumerate(words) if "." in word), 0)
        words = words[at:]
    if not words:
        return None
    url = resolve("asset", words[0][0])
    if not url:
        return None
    rest = words[1:]
    if name == "asset_path":
        return url
    if name == "asset_link":
        title = " ".join(word for word, _ in rest if word.lower() not in ("true", "false"))
        return f"[{_label(title or words[0][0])}]({url})"
    while rest and not rest[0][1] and _SIZE.fullmatch(rest[0][0]):
        rest = rest[1:]  # width and height
    if len(rest) == 2 and rest[0][1] and rest[1][1]:  # "title" "alt"
        title, alt = rest[0][0], rest[1][0]
    else:
        title = alt = " ".join(word for word, _ in rest)
    title = title.replace('"', "&quot;")
    return f"![{_label(alt)}]({url}" + (f' "{title}")' if title else ")")


def _label(text: str) -> str:
    """Text for a Markdown link or image label: its brackets and backslashes escaped."""
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def _blockquote(content: str, args: str, masked: str, start: int) -> str:
    """Hexo's ``blockquote [author[, source]] [link] [link title]``: a Markdown blockquote,
    its attribution in its last line, as Hexo's footer."""
    lines = content.strip("\n").split("\n")
    author, link, title = _attribution(args)
    if link:
        shown = title or re.sub(r"^https?://|/(?:index\.html?)?$", "", link)
        footer = f"[{_label(shown)}](<{link}>)"
        footer = f"{_label(author)}, {footer}" if author else footer
    else:
        footer = ", ".join(_label(part) for part in (author, title) if part)
    if footer:
        lines += ["", f"— {footer}"]
    # Its own block: a blank line before it unless it starts the body.
    before = masked[max(start - 2, 0) : start]
    before = (
        "" if start == 0 or before in ("\n", "\n\n") else "\n" if before[-1] == "\n" else "\n\n"
    )
    return before + "\n".join(f"> {text}".rstrip() for text in lines)


def _attribution(args: str) -> tuple[str, str, str]:
    """(author, link, link or source title) as Hexo's blockquote tag reads its arguments."""
    text = " ".join(args.split())
    if found := re.fullmatch(r"(\S.*?)\s+(https?://\S+)(?:\s+(.+))?", text):
        return found.group(1), found.group(2), found.group(3) or ""
    if found := re.fullmatch(r"(https?://\S+)(?:\s+(.+))?", text):
        return "", found.group(1), found.group(2) or ""
    if found := re.fullmatch(r"([^,]+),\s*([^,]+)", text):
        return found.group(1), "", found.group(2)
    return text, "", ""


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
