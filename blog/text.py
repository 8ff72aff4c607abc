"""Small text helpers shared by models, importer and templates."""

import re
import unicodedata

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
