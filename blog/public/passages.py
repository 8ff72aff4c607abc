"""Where in a post's text the reader's words are: the part PostgreSQL's ``ts_headline`` is
given to quote from (blog/public/search.py).

``ts_headline`` parses and stems every character it is given (about 0.3 µs a character on
the 2-core machine of bench/README.md: 30 ms for ten posts of 8.5 KB, most of a search page's
cost). It quotes two fragments of about 40 words, so it is given the text around them only:
with one word, its first place (the fragment ts_headline picks first) and, when the next one
is further than that passage, a second passage around it, quoted on its own and joined as
ts_headline joins fragments; with several words, the tightest place holding them all
(ts_headline may prefer another holding more of them: a match all the same).

Measured on the 58 posts of ../shared/corpus (every post, words taken at 5, 30, 60 and 90 %
of its text): 235 of 245 one-word snippets are byte for byte those of the whole text (the
others quote another place of the word as their second fragment), 121 of 219 two-word ones.
Measured again (2026-12-01) on the 57 corpus posts that import, words of five letters or more
at the same places: 156 of 157 one-word snippets, 66 of 112 two-word ones (155 and 66 when the
first passage still went on 900 characters past the word, whatever followed).

The index stems words (« clients » → ``client``), so a word is found here by its stem as a
prefix, accents and case ignored, as the index's ``unaccent`` does. A stem is almost always
the start of the words it comes from; where it is not (« journaux » → ``journal``) nothing is
found here, or only a later place, and the caller quotes the whole text as before: a passage
can only be less than ideal, never missing a match ts_headline would have shown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

# Context kept around the passage, in characters: ts_headline's fragment stretches about 20
# words before the match and up to MaxWords (40) after it (FRAGMENT), and a second fragment,
# the next match, is quoted when it falls within the text it was given: with one word, a
# next place up to AFTER on is kept in the same passage; with several, AFTER of text follows.
BEFORE = 300
AFTER = 900
# About MaxWords (40) words of text: a fragment's reach past its match.
FRAGMENT = 400
# A passage longer than this (the words of a query far apart): the whole text is quoted.
LONGEST = 2000
# With several words, the places of each looked at (a word on every line of a long post).
PLACES = 50

_LEXEME = re.compile(r"'((?:[^']|'')+)'")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Window:
    """Characters ``start`` (0-based) to ``end`` of the text (``end`` None: to the end)."""

    start: int
    end: int | None

    @property
    def whole(self) -> bool:
        return self.start == 0 and self.end is None


WHOLE = Window(0, None)


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    """{letter: every Latin letter that ``unaccent`` turns into it}, e.g. e → eéèêëēĕėęě…"""
    variants: dict[str, set[str]] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[0].lower()
        if base.isascii() and base.isalpha() and base != char.lower():
            variants.setdefault(base, {base}).add(char.lower())
    return {base: "".join(sorted(chars)) for base, chars in variants.items()}


# unaccent writes these ligatures as two letters; a stem holds the two letters.
_LIGATURES = {"oe": "œ", "ae": "æ"}


@lru_cache(maxsize=256)
def stem_pattern(lexeme: str) -> re.Pattern[str]:
    """A word starting with ``lexeme``, accents and case ignored.

    Case is ignored by the pattern (``re.IGNORECASE``), not by lower-casing the text: that cost
    a copy of each text per search (1.2 ms of a search's 15 in Python), and « İ » lower-cased
    is two characters, which moved every place after it."""
    parts = []
    i = 0
    while i < len(lexeme):
        pair = lexeme[i : i + 2]
        if pair in _LIGATURES:
            parts.append(f"(?:{pair}|{_LIGATURES[pair]})")
            i += 2
            continue
        char = lexeme[i]
        others = _variants().get(char)
        parts.append(f"[{re.escape(others)}]" if others else re.escape(char))
        i += 1
    return re.compile(r"(?<!\w)" + "".join(parts), re.IGNORECASE)


def lexemes(tsquery_text: str) -> list[str]:
    """The stems of a tsquery as PostgreSQL prints it (``'client':* & 'projet':*``)."""
    return list(dict.fromkeys(m.replace("''", "'") for m in _LEXEME.findall(tsquery_text)))


def _tightest(found: list[list[int]], length: list[int]) -> tuple[int, int] | None:
    """The shortest span holding one place of each stem (the earliest of equal ones)."""
    events = sorted((start, term) for term, starts in enumerate(found) for start in starts)
    last: dict[int, int] = {}
    best = None
    for start, term in events:
        last[term] = start
        if len(last) == len(found):
            first = min(last.values())
            end = max(at + length[t] for t, at in last.items())
            if best is None or end - first < best[1] - best[0]:
                best = (first, end)
    return best


def window(text: str, stems: list[str]) -> Window | None:
    """The part of ``text`` to quote, or None when the stems are not all in it as prefixes
    (quote the whole text, or its start when the post matched by its tags alone)."""
    if not stems:
        return None
    if len(stems) == 1:
        # One word: its first place, as ts_headline picks the first of equal fragments, and
        # the text its fragment reaches (FRAGMENT).
        places = islice(stem_pattern(stems[0]).finditer(text), PLACES)
        match = next(places, None)
        span = match.span() if match else None
        after = FRAGMENT
        # The second fragment is the next place after the first fragment (at most FRAGMENT
        # on): each place up to there needs its own FRAGMENT of text too, as does the first
        # place from there on if it is near (AFTER); a farther one is quoted from a second
        # passage (following()). Text past those is never quoted: not given to ts_headline.
        for other in places:
            if other.start() >= span[1] + FRAGMENT:
                if other.start() <= span[1] + AFTER:
                    after = other.end() + FRAGMENT - span[1]
                break
            after = max(after, other.end() + FRAGMENT - span[1])
    else:
        after = AFTER
        found, length = [], []
        for stem in stems:
            starts = [m.start() for m in islice(stem_pattern(stem).finditer(text), PLACES)]
            if not starts:
                return None
            found.append(starts)
            length.append(len(stem))
        span = _tightest(found, length)
    if span is None or span[1] - span[0] > LONGEST:
        return None
    start, end = max(0, span[0] - BEFORE), span[1] + after
    # Whole words only: a cut word would be another word to the parser.
    if start > 0:
        space = _SPACE.search(text, start, span[0])
        start = space.end() if space else span[0]
    if end >= len(text):
        return Window(start, None)
    return Window(start, _last_space(text, span[1], end))


def following(text: str, stems: list[str], after: int) -> Window | None:
    """With one word: the passage around its first place from ``after`` on (the end of the
    first passage), where ts_headline's second fragment is when the first passage held
    none; None when there is none (or several words: their passage is quoted alone)."""
    if len(stems) != 1:
        return None
    match = stem_pattern(stems[0]).search(text, after)
    if match is None:
        return None
    space = _SPACE.search(text, max(after, match.start() - BEFORE), match.start())
    start = space.end() if space else match.start()
    end = match.end() + FRAGMENT
    return Window(start, None if end >= len(text) else _last_space(text, match.end(), end))


def start_of(text: str) -> Window:
    """The start of a text, enough for the words ts_headline quotes when nothing matches."""
    if len(text) <= BEFORE + AFTER:
        return WHOLE
    return Window(0, _last_space(text, 0, BEFORE + AFTER))


def _last_space(text: str, low: int, high: int) -> int:
    """Where the last space (or line break) in text[low:high] is, else high."""
    space = max(text.rfind(" ", low, high), text.rfind("\n", low, high))
    if space <= low:
        return high
    # No space left at the end: ts_headline would quote it after the last word.
    while space > low and text[space - 1].isspace():
        space -= 1
    return space
