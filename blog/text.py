"""Small text helpers shared by models, importer and templates."""

import re
import unicodedata
from html import unescape
from html.parser import HTMLParser

from django.utils.text import slugify

# Characters NFKD does not decompose into ASCII but French (and friends) use.
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"}
)
# C0/C1 control characters and the other invisible troublemakers; tab and newline are kept
# where text may span lines. One of them in a title is enough to break an XML feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def ascii_slugify(value: str) -> str:
    """Slug in plain ASCII: « Le Début d'une Carrière » -> ``le-debut-dune-carriere``."""
    return slugify(str(value).translate(_LIGATURES))


def strip_control_chars(value: str, *, multiline: bool = False) -> str:
    """Remove control characters; a one-line value also loses its line breaks."""
    if not value:
        return value
    value = unicodedata.normalize("NFC", value)
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return _CONTROL.sub("", value)
    return _LINE_BREAKS.sub(" ", _CONTROL.sub("", value)).strip()


# Page numbers are plain ASCII digits: str.isdigit() also accepts « ² » (which int() refuses)
# and int() also accepts « ２ » or « ٣ », neither of which is an address we ever write.
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


def page_number(raw: str | None) -> int | None:
    """The page a ``?page=`` value asks for, or None when it is not a page number we write."""
    if raw is None or not _PAGE_NUMBER.fullmatch(raw):
        return None
    return int(raw)


# Elements whose text runs on with its neighbours' (« super<em>be</em> » is one word); any
# other tag separates words.
_INLINE = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "i",
        "ins",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "wbr",
    ]
)
# Never shown as text, even if a future allow-list let them through.
_HIDDEN = frozenset({"script", "style", "template", "noscript", "title", "head"})


# A start or end tag, its attributes' values quoted or not: (slash, name) around the text.
_TAG = re.compile(r"""<(/?)([A-Za-z][^\s/>]*)(?:\s(?:[^>"']|"[^"]*"|'[^']*')*)?/?>""")
_UNSURE = re.compile(r"<(?:[!?]|/?(?:" + "|".join(sorted(_HIDDEN)) + r")[\s/>])", re.IGNORECASE)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag not in _INLINE:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag not in _INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag not in _INLINE:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    # Comments, processing instructions and declarations are never seen: dropped by default.


def visible_text(html: str) -> str:
    """The text a reader sees in an HTML fragment, on one line.

    Only text nodes count: no comment, no attribute (link URLs, titles, alt), nothing inside
    script or style. Search indexes this, so it can never find what the page does not show.
    """
    if not html:
        return ""
    # Sanitized HTML (every post's body) is plain tags and text: split on the tags, a few
    # times faster than HTMLParser (the importer's hottest step after Markdown itself). Any
    # comment, declaration, hidden element or stray « < » goes to the parser.
    if not _UNSURE.search(html):
        parts = _TAG.split(html)
        texts = parts[::3]
        if not any("<" in text for text in texts):
            out = [unescape(texts[0])]
            for index in range(2, len(parts), 3):
                if parts[index].lower() not in _INLINE:
                    out.append(" ")
                out.append(unescape(parts[index + 1]))
            return " ".join("".join(out).split())
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join("".join(collector.parts).split())


# A BCP 47 language tag as front matter and editors write it: a 2-3 letter language, then
# subtags of 1-8 letters or digits (``en``, ``en-US``, ``en_US``, ``zh-Hant-TW``).
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
MAX_LANGUAGE_TAG = 35


def normalize_language(value: object) -> str | None:
    """A language tag as Carnet stores it: lower case with hyphens, as Django spells its
    language codes (``en_US``, ``en-US`` -> ``en-us``); "" for none; None when not a tag."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-").lower()
    if not tag:
        return ""
    if len(tag) > MAX_LANGUAGE_TAG or not _LANGUAGE_TAG.fullmatch(tag):
        return None
    return tag


def name_key(name: str) -> str:
    """A person's name as matching compares it: « Régis  Philibert » and « regis philibert »
    are one (case, accents and spacing ignored), so an import finds an existing profile."""
    decomposed = unicodedata.normalize("NFKD", strip_control_chars(name))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())
